// Command vcsim-mtv runs govmomi's vCenter simulator for mtv's tests and benchmarks.
//
// It is started by scripts/vcsim-testbed.sh. It builds a VPX model of the requested size, serves
// it over HTTPS on a loopback port with a freshly generated self-signed certificate and enforced
// credentials, prints one KEY=value line per fact on stdout once it is listening, and runs until
// SIGINT/SIGTERM or until its parent process exits. Then it removes the model's datastore
// directories and the certificate it wrote. Diagnostics go to stderr. With --fake-cbt it also runs
// fakeCBT, a test double for Changed Block Tracking (fake_cbt.go).
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type options struct {
	listen, username, password, dir     string
	keep                                bool
	datacenters, clusters, clusterHosts int
	hosts, vms, datastores, pools       int
	portgroups, folders, apps           int
	disksPerVM, nicsPerVM, diskMiB      int
	fakeCBT                             bool
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.listen, "listen", "127.0.0.1:0", "host:port to listen on (port 0: a free port)")
	flag.StringVar(&o.username, "username", "mtv", "user name that Login accepts")
	flag.StringVar(&o.password, "password", "", "password that Login accepts (empty: a random one)")
	flag.StringVar(&o.dir, "dir", "", "run directory for the certificate and the datastores, removed on exit (default: a new temporary directory)")
	flag.BoolVar(&o.keep, "keep", false, "keep the run directory and the datastores on exit")
	flag.IntVar(&o.datacenters, "datacenters", 1, "datacenters")
	flag.IntVar(&o.clusters, "clusters", 1, "clusters per datacenter")
	flag.IntVar(&o.clusterHosts, "hosts-per-cluster", 3, "hosts per cluster")
	flag.IntVar(&o.hosts, "standalone-hosts", 1, "standalone hosts per datacenter")
	flag.IntVar(&o.vms, "vms-per-host", 2, "VMs per standalone host and per cluster resource pool")
	flag.IntVar(&o.datastores, "datastores", 1, "datastores (each mounted on every host)")
	flag.IntVar(&o.pools, "pools", 0, "child resource pools per cluster (VMs then go into each child pool)")
	flag.IntVar(&o.portgroups, "portgroups", 1, "distributed port groups per datacenter")
	flag.IntVar(&o.folders, "folders", 0, "put the datacenters and their inventory into this many nested folders")
	flag.IntVar(&o.apps, "apps", 0, "vApps per cluster")
	flag.IntVar(&o.disksPerVM, "disks-per-vm", 1, "virtual disks per VM (more than the model's one are added through the API)")
	flag.IntVar(&o.nicsPerVM, "nics-per-vm", 1, "NICs per VM (added ones go to the datacenter's other networks, in turn)")
	flag.IntVar(&o.diskMiB, "added-disk-mib", 64, "capacity of each added disk in MiB")
	flag.BoolVar(&o.fakeCBT, "fake-cbt", false, "TEST DOUBLE for Changed Block Tracking: snapshots of VMs with change tracking on get changeIds, and QueryChangedDiskAreas answers from the disks' bytes (see fake_cbt.go)")
	flag.Parse()
	return o
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("[vcsim-mtv] ")
	o := parseFlags()
	if err := run(o); err != nil {
		log.Fatalf("ERROR: %v", err)
	}
}

func run(o options) error {
	started := time.Now()
	if o.password == "" {
		o.password = randomHex(12)
	}
	dir, err := runDir(o.dir)
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	// the model creates its datastores' directories under os.TempDir()
	if err := os.Setenv("TMPDIR", dir); err != nil {
		return err
	}

	m := simulator.VPX()
	m.Datacenter, m.Cluster, m.ClusterHost, m.Host = o.datacenters, o.clusters, o.clusterHosts, o.hosts
	m.Machine, m.Datastore, m.Pool, m.Portgroup, m.Folder, m.App = o.vms, o.datastores, o.pools, o.portgroups, o.folders, o.apps
	if err := m.Create(); err != nil {
		return fmt.Errorf("creating the model: %w", err)
	}
	if !o.keep {
		defer m.Remove()
	}
	log.Printf("model created in %s", time.Since(started).Round(time.Millisecond))
	fakeCBTDir := ""
	if o.fakeCBT {
		fakeCBTDir = filepath.Join(dir, "fake-cbt")
		if err := installFakeCBT(m, fakeCBTDir); err != nil {
			return fmt.Errorf("installing the fake CBT double: %w", err)
		}
		log.Printf("fake CBT (a test double) on; snapshot copies in %s", fakeCBTDir)
	}

	cert, err := selfSignedCert()
	if err != nil {
		return err
	}
	caFile := filepath.Join(dir, "vcsim-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o644); err != nil {
		return err
	}
	m.Service.Listen = &url.URL{Host: o.listen, User: url.UserPassword(o.username, o.password)}
	m.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s := m.Service.NewServer()
	if o.disksPerVM > 1 || o.nicsPerVM > 1 {
		if err := addDevices(s.URL, o); err != nil {
			s.Close()
			return fmt.Errorf("adding disks and NICs: %w", err)
		}
		log.Printf("devices added in %s", time.Since(started).Round(time.Millisecond))
	}

	printFacts(m, s, o, caFile, fakeCBTDir, cert.Certificate[0])
	log.Printf("listening on %s after %s", s.URL.Host, time.Since(started).Round(time.Millisecond))
	waitForStop()
	closeWithin(s, 5*time.Second)
	return nil
}

// addDevices gives every VM o.disksPerVM disks (new ones on the datastore of its first disk, on its
// first disk's controller) and o.nicsPerVM NICs (vmxnet3; each added one on a network of the
// datacenter the VM is not connected to yet, in turn), through the vSphere API as a client would.
func addDevices(u *url.URL, o options) error {
	ctx := context.Background()
	c, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(ctx) }()
	f := find.NewFinder(c.Client, true)
	dcs, err := f.DatacenterList(ctx, "*")
	if err != nil {
		return err
	}
	for _, dc := range dcs {
		f.SetDatacenter(dc)
		vms, err := f.VirtualMachineList(ctx, "*")
		if err != nil {
			return err
		}
		nets, err := f.NetworkList(ctx, "*")
		if err != nil {
			return err
		}
		for _, vm := range vms {
			if err := addVMDevices(ctx, vm, nets, o); err != nil {
				return fmt.Errorf("%s: %w", vm.InventoryPath, err)
			}
		}
	}
	return nil
}

func addVMDevices(ctx context.Context, vm *object.VirtualMachine, nets []object.NetworkReference, o options) error {
	devices, err := vm.Device(ctx)
	if err != nil {
		return err
	}
	disks := devices.SelectByType((*types.VirtualDisk)(nil))
	if len(disks) > 0 {
		first := disks[0].(*types.VirtualDisk)
		backing, ok := first.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		ctrl, _ := devices.FindByKey(first.ControllerKey).(types.BaseVirtualController)
		for i := len(disks); ok && ctrl != nil && i < o.disksPerVM; i++ {
			name := fmt.Sprintf("%s_%d.vmdk", strings.TrimSuffix(backing.FileName, ".vmdk"), i)
			disk := devices.CreateDisk(ctrl, *backing.Datastore, name)
			disk.CapacityInKB = int64(o.diskMiB) * 1024
			if err := vm.AddDevice(ctx, disk); err != nil {
				return err
			}
			if devices, err = vm.Device(ctx); err != nil {
				return err
			}
		}
	}
	used := map[string]bool{}
	for _, d := range devices.SelectByType((*types.VirtualEthernetCard)(nil)) {
		used[devices.Name(d)] = true
		card := d.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		switch b := card.Backing.(type) {
		case *types.VirtualEthernetCardNetworkBackingInfo:
			used[b.DeviceName] = true
		case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
			used[b.Port.PortgroupKey] = true
		}
	}
	nics := len(devices.SelectByType((*types.VirtualEthernetCard)(nil)))
	for _, n := range nets {
		if nics >= o.nicsPerVM {
			break
		}
		if strings.Contains(n.GetInventoryPath(), "DVUplinks") || used[n.Reference().Value] || used[filepath.Base(n.GetInventoryPath())] {
			continue
		}
		backing, err := n.EthernetCardBackingInfo(ctx)
		if err != nil {
			continue // a distributed switch itself, not a port group
		}
		nic, err := object.EthernetCardTypes().CreateEthernetCard("vmxnet3", backing)
		if err != nil {
			return err
		}
		if err := vm.AddDevice(ctx, nic); err != nil {
			return err
		}
		nics++
	}
	return nil
}

func printFacts(m *simulator.Model, s *simulator.Server, o options, caFile, fakeCBTDir string, der []byte) {
	u := *s.URL
	u.User = nil
	count := m.Count()
	facts := [][2]string{
		{"VCSIM_URL", u.String()},
		{"VCSIM_USERNAME", o.username},
		{"VCSIM_PASSWORD", o.password},
		{"VCSIM_CACERT", caFile},
		{"VCSIM_FINGERPRINT", fingerprint(der)},
		{"VCSIM_PID", fmt.Sprint(os.Getpid())},
		{"VCSIM_DATACENTERS", fmt.Sprint(count.Datacenter)},
		{"VCSIM_CLUSTERS", fmt.Sprint(count.Cluster)},
		{"VCSIM_HOSTS", fmt.Sprint(count.Host)},
		{"VCSIM_VMS", fmt.Sprint(count.Machine)},
		{"VCSIM_DATASTORES", fmt.Sprint(count.Datastore)},
	}
	if fakeCBTDir != "" {
		facts = append(facts, [2]string{"VCSIM_FAKE_CBT_DIR", fakeCBTDir})
	}
	var b strings.Builder
	for _, f := range facts {
		fmt.Fprintf(&b, "%s=%s\n", f[0], f[1])
	}
	_, _ = os.Stdout.WriteString(b.String())
}

// runDir creates dir, or a new temporary directory when dir is empty, and returns its absolute path.
func runDir(dir string) (string, error) {
	if dir == "" {
		return os.MkdirTemp("", "vcsim-mtv-")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return filepath.Abs(dir)
}

// selfSignedCert makes an ECDSA P-256 certificate for 127.0.0.1, ::1 and localhost that is its own CA,
// so clients can pin it as the trust anchor (like a vCenter's VMCA root).
func selfSignedCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "vcsim-mtv", Organization: []string{"mtv test"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// fingerprint is the SHA-1 of the DER certificate as uppercase hex pairs joined by colons.
func fingerprint(der []byte) string {
	sum := sha1.Sum(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	pairs := make([]string, 0, len(sum))
	for i := 0; i < len(h); i += 2 {
		pairs = append(pairs, h[i:i+2])
	}
	return strings.Join(pairs, ":")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// waitForStop returns on SIGINT/SIGTERM or once the parent process is gone (re-parented).
func waitForStop() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	parent := os.Getppid()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			log.Printf("signal received; stopping")
			return
		case <-tick.C:
			if os.Getppid() != parent {
				log.Printf("parent %d exited; stopping", parent)
				return
			}
		}
	}
}

// closeWithin closes the server, giving outstanding requests (e.g. a long WaitForUpdatesEx) a deadline.
func closeWithin(s *simulator.Server, d time.Duration) {
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		log.Printf("outstanding requests still open after %s; exiting anyway", d)
	}
}

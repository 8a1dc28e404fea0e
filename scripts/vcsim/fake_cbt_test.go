package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const blk = cbtBlockSize

// CDI's pattern for a changeId (pkg/importer/vddk-datasource_amd64.go)
var cdiChangeID = regexp.MustCompile(`^([0-9a-fA-F]{2}\s?)*-([0-9a-fA-F]{2}\s?)*\/([0-9a-fA-F]*)$`)

type bed struct {
	t       *testing.T
	ctx     context.Context
	c       *govmomi.Client
	dsDir   string
	sideDir string
}

func newBed(t *testing.T, fake bool) *bed {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	m := simulator.VPX()
	m.Machine = 1
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Remove)
	b := &bed{t: t, ctx: context.Background(), sideDir: filepath.Join(t.TempDir(), "fake-cbt")}
	if fake {
		if err := installFakeCBT(m, b.sideDir); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range m.Map().All("Datastore") {
		b.dsDir = o.(*simulator.Datastore).Info.GetDatastoreInfo().Url
	}
	s := m.Service.NewServer()
	t.Cleanup(s.Close)
	c, err := govmomi.NewClient(b.ctx, s.URL, true)
	if err != nil {
		t.Fatal(err)
	}
	b.c = c
	return b
}

func (b *bed) vm(name string) *object.VirtualMachine {
	f := find.NewFinder(b.c.Client, true)
	dc, err := f.Datacenter(b.ctx, "DC0")
	b.must(err)
	f.SetDatacenter(dc)
	vm, err := f.VirtualMachine(b.ctx, name)
	b.must(err)
	return vm
}

func (b *bed) must(err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
}

func (b *bed) wait(task *object.Task, err error) types.AnyType {
	b.t.Helper()
	b.must(err)
	res, err := task.WaitForResult(b.ctx)
	b.must(err)
	return res.Result
}

func (b *bed) setCBT(vm *object.VirtualMachine, on bool) {
	b.wait(vm.Reconfigure(b.ctx, types.VirtualMachineConfigSpec{ChangeTrackingEnabled: &on}))
}

func (b *bed) snapshot(vm *object.VirtualMachine) types.ManagedObjectReference {
	return b.wait(vm.CreateSnapshot(b.ctx, "forklift-migration-precopy", "", false, true)).(types.ManagedObjectReference)
}

func (b *bed) removeSnapshot(vm *object.VirtualMachine, snap types.ManagedObjectReference) {
	b.wait(vm.RemoveSnapshot(b.ctx, snap.Value, false, nil))
}

// disks are the VirtualDisks of the VM's config (snap nil) or of a snapshot's config.
func (b *bed) disks(vm *object.VirtualMachine, snap *types.ManagedObjectReference) []*types.VirtualDisk {
	var devs []types.BaseVirtualDevice
	if snap == nil {
		var o mo.VirtualMachine
		b.must(vm.Properties(b.ctx, vm.Reference(), []string{"config.hardware.device"}, &o))
		devs = o.Config.Hardware.Device
	} else {
		var o mo.VirtualMachineSnapshot
		b.must(vm.Properties(b.ctx, *snap, []string{"config.hardware.device"}, &o))
		devs = o.Config.Hardware.Device
	}
	var out []*types.VirtualDisk
	for _, d := range devs {
		if disk, ok := d.(*types.VirtualDisk); ok {
			out = append(out, disk)
		}
	}
	return out
}

func changeID(d *types.VirtualDisk) string {
	return d.Backing.(*types.VirtualDiskFlatVer2BackingInfo).ChangeId
}

// flat is the local path of the disk's flat extent.
func (b *bed) flat(d *types.VirtualDisk) string {
	var p object.DatastorePath
	p.FromString(d.Backing.(*types.VirtualDiskFlatVer2BackingInfo).FileName)
	return filepath.Join(b.dsDir, strings.TrimSuffix(p.Path, ".vmdk")+"-flat.vmdk")
}

func (b *bed) write(path string, off int64, data []byte) {
	b.t.Helper()
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	b.must(err)
	_, err = fh.WriteAt(data, off)
	b.must(err)
	b.must(fh.Close())
}

func (b *bed) query(vm *object.VirtualMachine, snap types.ManagedObjectReference, key int32, off int64, id string) (types.DiskChangeInfo, error) {
	res, err := methods.QueryChangedDiskAreas(b.ctx, b.c.Client, &types.QueryChangedDiskAreas{
		This: vm.Reference(), Snapshot: &snap, DeviceKey: key, StartOffset: off, ChangeId: id,
	})
	if err != nil {
		return types.DiskChangeInfo{}, err
	}
	return res.Returnval, nil
}

// all pages through the answer like CDI does and returns every extent.
func (b *bed) all(vm *object.VirtualMachine, snap types.ManagedObjectReference, d *types.VirtualDisk, id string) ([]types.DiskChangeExtent, int) {
	b.t.Helper()
	var out []types.DiskChangeExtent
	calls := 0
	for off := int64(0); off < d.CapacityInBytes; {
		info, err := b.query(vm, snap, d.Key, off, id)
		b.must(err)
		calls++
		if info.StartOffset != off {
			b.t.Fatalf("startOffset %d, want %d", info.StartOffset, off)
		}
		out = append(out, info.ChangedArea...)
		off = info.StartOffset + info.Length
	}
	return out, calls
}

func fill(n int, c byte) []byte { return bytes.Repeat([]byte{c}, n) }

func wantExtents(t *testing.T, got []types.DiskChangeExtent, want ...types.DiskChangeExtent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("extents %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("extents %+v, want %+v", got, want)
		}
	}
}

func wantFault(t *testing.T, err error, property, text string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no fault, want InvalidArgument(%s) %q", property, text)
	}
	f, ok := vimFault(err).(types.InvalidArgument)
	if !ok || f.InvalidProperty != property || !strings.Contains(err.Error(), text) || len(f.FaultMessage) == 0 {
		t.Fatalf("fault %v (%#v), want InvalidArgument(%s) %q", err, vimFault(err), property, text)
	}
}

func TestWithoutFakeCBTTheCallIsMissing(t *testing.T) {
	b := newBed(t, false)
	vm := b.vm("DC0_H0_VM0")
	b.setCBT(vm, true)
	snap := b.snapshot(vm)
	d := b.disks(vm, &snap)[0]
	if changeID(d) != "" {
		t.Fatalf("changeId %q without the double", changeID(d))
	}
	_, err := b.query(vm, snap, d.Key, 0, "*")
	if _, ok := vimFault(err).(types.MethodNotFound); !ok {
		t.Fatalf("got %v, want MethodNotFound", err)
	}
}

func TestFakeCBTPrecopyRounds(t *testing.T) {
	b := newBed(t, true)
	vm := b.vm("DC0_H0_VM0")
	d0 := b.disks(vm, nil)[0]
	flat := b.flat(d0)
	capacity := d0.CapacityInBytes
	b.write(flat, 0, fill(3*blk, 7))

	// change tracking off: no changeId, and the call says why
	off := b.snapshot(vm)
	if id := changeID(b.disks(vm, &off)[0]); id != "" {
		t.Fatalf("changeId %q with change tracking off", id)
	}
	_, err := b.query(vm, off, d0.Key, 0, "*")
	wantFault(t, err, "changeTrackingEnabled", "change tracking is off")
	b.setCBT(vm, true)
	_, err = b.query(vm, off, d0.Key, 0, "*")
	wantFault(t, err, "snapshot", "taken while change tracking was off")
	b.removeSnapshot(vm, off)

	// round 1: the live config's changeId is announced to WaitForUpdates
	seen := make(chan string, 1)
	pc := property.DefaultCollector(b.c.Client)
	go func() {
		_ = property.Wait(b.ctx, pc, vm.Reference(), []string{"config.hardware.device"}, func(pcs []types.PropertyChange) bool {
			for _, c := range pcs {
				if devs, ok := c.Val.(types.ArrayOfVirtualDevice); ok {
					for _, dev := range devs.VirtualDevice {
						if disk, ok := dev.(*types.VirtualDisk); ok && changeID(disk) != "" {
							seen <- changeID(disk)
							return true
						}
					}
				}
			}
			return false
		})
	}()
	s1 := b.snapshot(vm)
	id1 := changeID(b.disks(vm, &s1)[0])
	if !cdiChangeID.MatchString(id1) || id1 != "52 00 00 00 00 00 00 cc-00 00 00 00 00 00 00 01/1" {
		t.Fatalf("changeId %q", id1)
	}
	if live := changeID(b.disks(vm, nil)[0]); live != id1 {
		t.Fatalf("VM config changeId %q, snapshot's %q", live, id1)
	}
	if got := <-seen; got != id1 {
		t.Fatalf("WaitForUpdates saw %q, want %q", got, id1)
	}
	all, calls := b.all(vm, s1, d0, "*")
	wantExtents(t, all, types.DiskChangeExtent{Start: 0, Length: 3 * blk})
	if calls != 1 {
		t.Fatalf("%d calls", calls)
	}
	info, err := b.query(vm, s1, d0.Key, 0, "*")
	b.must(err)
	if info.Length != capacity {
		t.Fatalf("length %d, want capacity %d", info.Length, capacity)
	}
	// the first extent is clipped to startOffset
	info, err = b.query(vm, s1, d0.Key, blk+100, "*")
	b.must(err)
	wantExtents(t, info.ChangedArea, types.DiskChangeExtent{Start: blk + 100, Length: 2*blk - 100})

	// round 2, in Forklift's order: remove the previous snapshot, then take the next
	b.removeSnapshot(vm, s1)
	b.write(flat, 5*blk+10, []byte("changed!"))
	s2 := b.snapshot(vm)
	id2 := changeID(b.disks(vm, &s2)[0])
	if id2 != "52 00 00 00 00 00 00 cc-00 00 00 00 00 00 00 01/2" {
		t.Fatalf("changeId %q", id2)
	}
	all, _ = b.all(vm, s2, d0, id1)
	wantExtents(t, all, types.DiskChangeExtent{Start: 5 * blk, Length: blk})
	info, err = b.query(vm, s2, d0.Key, 6*blk, id1)
	b.must(err)
	wantExtents(t, info.ChangedArea)
	if info.Length != capacity-6*blk {
		t.Fatalf("length %d", info.Length)
	}

	// strict: writing the live disk after the snapshot does not change what the snapshot held
	b.write(flat, 9*blk, []byte("late"))
	all, _ = b.all(vm, s2, d0, id1)
	wantExtents(t, all, types.DiskChangeExtent{Start: 5 * blk, Length: blk})
	sideFile, err := os.Open(filepath.Join(b.sideDir, vm.Reference().Value, s2.Value+"-"+strconv.Itoa(int(d0.Key))+".raw"))
	b.must(err)
	fi, err := sideFile.Stat()
	b.must(err)
	side := make([]byte, 10*blk)
	_, err = sideFile.ReadAt(side, 0)
	b.must(err)
	b.must(sideFile.Close())
	want := make([]byte, 6*blk)
	copy(want, fill(3*blk, 7))
	copy(want[5*blk+10:], "changed!")
	if fi.Size() != capacity || !bytes.Equal(side[:6*blk], want) || !bytes.Equal(side[6*blk:10*blk], make([]byte, 4*blk)) {
		t.Fatalf("side file of %d bytes does not hold what the snapshot held", fi.Size())
	}

	// round 3: blocks written back to zeros count as changed; "*" lists only non-zero ones
	b.removeSnapshot(vm, s2)
	b.write(flat, blk, make([]byte, blk))
	s3 := b.snapshot(vm)
	id3 := changeID(b.disks(vm, &s3)[0])
	all, _ = b.all(vm, s3, d0, id2)
	wantExtents(t, all, types.DiskChangeExtent{Start: blk, Length: blk}, types.DiskChangeExtent{Start: 9 * blk, Length: blk})
	all, _ = b.all(vm, s3, d0, id1) // changeIds outlive their snapshots
	wantExtents(t, all, types.DiskChangeExtent{Start: blk, Length: blk}, types.DiskChangeExtent{Start: 5 * blk, Length: blk},
		types.DiskChangeExtent{Start: 9 * blk, Length: blk})
	all, _ = b.all(vm, s3, d0, "*")
	wantExtents(t, all, types.DiskChangeExtent{Start: 0, Length: blk}, types.DiskChangeExtent{Start: 2 * blk, Length: blk},
		types.DiskChangeExtent{Start: 5 * blk, Length: blk}, types.DiskChangeExtent{Start: 9 * blk, Length: blk})

	// faults
	_, err = b.query(vm, types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: "snapshot-404"}, d0.Key, 0, "*")
	wantFault(t, err, "snapshot", "no snapshot snapshot-404")
	_, err = b.query(vm, s2, d0.Key, 0, "*")
	wantFault(t, err, "snapshot", "no snapshot "+s2.Value)
	_, err = b.query(vm, s3, 4242, 0, "*")
	wantFault(t, err, "deviceKey", "no tracked disk with deviceKey 4242")
	_, err = b.query(vm, s3, d0.Key, 0, "52 00 00 00 00 00 00 cc-00 00 00 00 00 00 00 01/99")
	wantFault(t, err, "changeId", "unknown changeId")
	_, err = b.query(vm, s3, d0.Key, 0, "")
	wantFault(t, err, "changeId", "unknown changeId")
	_, err = b.query(vm, s3, d0.Key, capacity, id1)
	wantFault(t, err, "startOffset", "outside the disk")
	_, err = b.query(vm, s3, d0.Key, -1, id1)
	wantFault(t, err, "startOffset", "outside the disk")
	b.removeSnapshot(vm, s3)
	s4 := b.snapshot(vm)
	_, err = b.query(vm, s3, d0.Key, 0, id1) // removed
	wantFault(t, err, "snapshot", "no snapshot")
	b.must(err2(b.query(vm, s4, d0.Key, 0, id3)))

	// another VM's snapshot and changeId
	other := b.vm("DC0_C0_RP0_VM0")
	b.setCBT(other, true)
	os1 := b.snapshot(other)
	od := b.disks(other, &os1)[0]
	if changeID(od) != "52 00 00 00 00 00 00 cc-00 00 00 00 00 00 00 02/5" {
		t.Fatalf("changeId %q", changeID(od))
	}
	_, err = b.query(vm, os1, d0.Key, 0, "*")
	wantFault(t, err, "snapshot", "belongs to "+other.Reference().Value)
	_, err = b.query(other, os1, od.Key, 0, id1)
	wantFault(t, err, "changeId", "belongs to disk")
	_, err = b.query(vm, s4, d0.Key, 0, changeID(od))
	wantFault(t, err, "changeId", "belongs to disk")

	// CreateSnapshotEx works too; a changeId newer than the snapshot is refused
	s5 := b.wait(vm.CreateSnapshotEx(b.ctx, "ex", "", false, nil)).(types.ManagedObjectReference)
	id5 := changeID(b.disks(vm, &s5)[0])
	if !strings.HasSuffix(id5, "/6") {
		t.Fatalf("changeId %q", id5)
	}
	_, err = b.query(vm, s4, d0.Key, 0, id5)
	wantFault(t, err, "changeId", "newer than snapshot")

	// turning change tracking off forgets the changeIds
	b.setCBT(vm, false)
	_, err = b.query(vm, s5, d0.Key, 0, id1)
	wantFault(t, err, "changeTrackingEnabled", "change tracking is off")
	b.setCBT(vm, true)
	s6 := b.snapshot(vm)
	_, err = b.query(vm, s6, d0.Key, 0, id5)
	wantFault(t, err, "changeId", "unknown changeId")
	_, err = b.query(vm, s5, d0.Key, 0, "*")
	wantFault(t, err, "snapshot", "taken while change tracking was off")

	// the session's wrapper keeps the VM working, and goes away with the VM
	b.wait(vm.PowerOff(b.ctx))
	var o mo.VirtualMachine
	b.must(vm.Properties(b.ctx, vm.Reference(), []string{"runtime.powerState"}, &o))
	if o.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
		t.Fatalf("power state %s", o.Runtime.PowerState)
	}
	b.wait(vm.Destroy(b.ctx))
	if _, err := b.query(vm, s6, d0.Key, 0, "*"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("query on a destroyed VM: %v", err)
	}
	if err := vm.Properties(b.ctx, vm.Reference(), []string{"name"}, &o); err == nil {
		t.Fatal("the destroyed VM is still reachable")
	}
}

func TestFakeCBTPagesAndSeveralDisks(t *testing.T) {
	b := newBed(t, true)
	vm := b.vm("DC0_H0_VM0")
	devices, err := vm.Device(b.ctx)
	b.must(err)
	first := b.disks(vm, nil)[0]
	ctrl := devices.FindByKey(first.ControllerKey).(types.BaseVirtualController)
	added := devices.CreateDisk(ctrl, *first.Backing.(*types.VirtualDiskFlatVer2BackingInfo).Datastore, "[LocalDS_0] DC0_H0_VM0/disk1_1.vmdk")
	added.CapacityInKB = 512 << 10
	b.must(vm.AddDevice(b.ctx, added))
	disks := b.disks(vm, nil)
	if len(disks) != 2 {
		t.Fatalf("%d disks", len(disks))
	}
	// 2,500 separate changed blocks on the second disk (every other block), one block on the first
	const n = 2500
	for i := int64(0); i < n; i++ {
		b.write(b.flat(disks[1]), 2*i*blk, fill(blk, byte(i%250+1)))
	}
	b.write(b.flat(disks[0]), 0, []byte("x"))
	b.setCBT(vm, true)
	s1 := b.snapshot(vm)
	sd := b.disks(vm, &s1)
	if changeID(sd[0]) == changeID(sd[1]) || strings.Split(changeID(sd[0]), "/")[0] == strings.Split(changeID(sd[1]), "/")[0] {
		t.Fatalf("changeIds %q and %q do not tell the disks apart", changeID(sd[0]), changeID(sd[1]))
	}
	info, err := b.query(vm, s1, sd[1].Key, 0, "*")
	b.must(err)
	last := info.ChangedArea[len(info.ChangedArea)-1]
	if len(info.ChangedArea) != cbtMaxExtents || info.Length != last.Start+last.Length {
		t.Fatalf("first page: %d extents, length %d, last %+v", len(info.ChangedArea), info.Length, last)
	}
	all, calls := b.all(vm, s1, sd[1], "*")
	if len(all) != n || calls != 2 {
		t.Fatalf("%d extents in %d calls", len(all), calls)
	}
	for i, e := range all {
		if e.Start != int64(2*i*blk) || e.Length != blk {
			t.Fatalf("extent %d: %+v", i, e)
		}
	}
	_, err = b.query(vm, s1, sd[1].Key, 0, changeID(sd[0]))
	wantFault(t, err, "changeId", "belongs to disk")
	all, _ = b.all(vm, s1, sd[0], "*")
	wantExtents(t, all, types.DiskChangeExtent{Start: 0, Length: blk})

	// a second snapshot: one changed block on the big disk
	b.write(b.flat(disks[1]), 2*100*blk, fill(blk, 0xee))
	s2 := b.snapshot(vm)
	all, _ = b.all(vm, s2, sd[1], changeID(sd[1]))
	wantExtents(t, all, types.DiskChangeExtent{Start: 200 * blk, Length: blk})
}

// vimFault is the fault detail of a SOAP fault error, or nil.
func vimFault(err error) types.AnyType {
	if err == nil || !soap.IsSoapFault(err) {
		return nil
	}
	return soap.ToSoapFault(err).VimFault()
}

func err2[T any](_ T, err error) error { return err }

// fake_cbt.go: fakeCBT, a TEST DOUBLE for vSphere Changed Block Tracking (CBT), enabled by --fake-cbt.
//
// No simulator implements CBT: govmomi's vcsim answers QueryChangedDiskAreas with MethodNotFound, and
// its snapshots are metadata only (no delta disks, no backing.changeId). This double fakes exactly that
// call and that field, from the disks' real bytes, so a warm (precopy) migration can be tested:
//
//   - When a snapshot is created (CreateSnapshot_Task or CreateSnapshotEx_Task) of a VM whose
//     config.changeTrackingEnabled is true, every VirtualDisk with a VirtualDiskFlatVer2BackingInfo is
//     read: its one flat extent (the "-flat.vmdk" named by a VMFS or FLAT descriptor, as vcsim lays
//     disks out), or the file itself when it is not a descriptor, up to the disk's capacity. The
//     datastore's local directory is its info.url. The non-zero data is copied, sparse, to a side file
//     <run dir>/fake-cbt/<vm>/<snapshot>-<device key>.raw (outside every datastore; kept until exit),
//     and each 64 KiB block is hashed (sha256) as it is copied.
//   - Each such disk gets a new changeId in VMware's format, "52 00 00 00 00 00 00 cc-<8 bytes naming
//     the disk>/<N>", N increasing across the whole simulator. It is set as backing.changeId on the
//     snapshot's copy of the device (snapshot config.hardware.device) and on the VM's live device
//     (config.hardware.device), as ESXi does.
//   - QueryChangedDiskAreas(vm, snapshot, deviceKey, startOffset, changeId) answers from the recorded
//     hashes: "*" gives the non-zero blocks the snapshot held; a changeId gives the blocks whose content
//     differs between the snapshot that minted it and `snapshot`. Adjacent blocks are merged into one
//     extent; extents before startOffset are left out (the first one is clipped to it). At most
//     2,000 extents are returned per call, as ESXi also pages: DiskChangeInfo.length is capacity -
//     startOffset when the answer is complete, else it ends at the last extent returned, so callers
//     must loop on startOffset = startOffset + length until it reaches the capacity.
//   - changeIds stay valid after their snapshot is removed (Forklift removes the previous precopy
//     snapshot before it creates the next one). Turning change tracking off forgets the VM's changeIds.
//   - Faults are InvalidArgument (invalidProperty and faultMessage set, message in the SOAP fault
//     string): change tracking off, no or unknown snapshot, a snapshot taken while change tracking was
//     off, an unknown device key, an unknown changeId, a changeId of another disk or newer than the
//     snapshot, a startOffset outside [0, capacity).
//
// Limits (what makes it a double, not CBT):
//   - Reads of the disk through the datastore's /folder URL still return the LIVE file: vcsim has no
//     delta disks, so whatever is written after a snapshot is what a copier reads "from the snapshot".
//     Tests must not write a disk between taking a snapshot and copying from it. The side file holds
//     what the snapshot held, byte for byte, for a test to compare with (VCSIM_FAKE_CBT_DIR).
//   - Changes are found by comparing content, not by tracking writes: a block written with the bytes it
//     already held is not reported (real CBT reports it). The granularity is always 64 KiB.
//   - Only flat disks: a descriptor with several extents or a sparse/streamOptimized one is not
//     tracked (logged; its changeId stays ""). Missing descriptors or extents are logged and skipped too.
//   - The work happens inside the snapshot task, with the VM locked: a snapshot takes as long as
//     reading the disk (big, mostly written disks make slow snapshots). Every snapshot keeps a side file.
//   - The call is routed by putting a wrapper of the VM (cbtVM) into the calling session's own registry
//     on its first QueryChangedDiskAreas; the session then reaches the VM through it (same object, same
//     lock). Session.Registry.Put marks the VM's overallStatus and configStatus green (they are already).
//     Turning change tracking off does not clear the changeIds already on the devices.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	cbtBlockSize  = 64 << 10 // bytes: the granularity of changed areas
	cbtMaxExtents = 2000     // extents per QueryChangedDiskAreas answer; callers page on startOffset
)

// cbtDisk is one disk as one snapshot held it.
type cbtDisk struct {
	vm       types.ManagedObjectReference
	key      int32
	changeID string
	seq      uint64
	capacity int64              // bytes
	blocks   map[int64][32]byte // index of each non-zero 64 KiB block -> sha256 of its bytes
	copyPath string
}

// cbtSnapshot is what the double recorded for one snapshot of a VM with change tracking on.
type cbtSnapshot struct {
	vm    types.ManagedObjectReference
	disks map[int32]*cbtDisk // by device key
}

type diskID struct {
	vm  types.ManagedObjectReference
	key int32
}

// fakeCBT is the test double; it is a simulator.RegisterObject so it sees snapshots being created and
// removed, and VMs being reconfigured and destroyed.
type fakeCBT struct {
	self    types.ManagedObjectReference
	sideDir string

	mu         sync.Mutex
	seq        uint64
	serials    map[diskID]uint64
	byChangeID map[string]*cbtDisk
	snapshots  map[types.ManagedObjectReference]*cbtSnapshot
	tracked    map[types.ManagedObjectReference]bool                  // VMs with changeIds
	wrapped    map[types.ManagedObjectReference][]*simulator.Registry // session registries holding a cbtVM
}

// installFakeCBT adds the double to the model's registry; sideDir receives the snapshots' side files.
func installFakeCBT(m *simulator.Model, sideDir string) error {
	if err := os.MkdirAll(sideDir, 0o755); err != nil {
		return err
	}
	f := &fakeCBT{
		self:       types.ManagedObjectReference{Type: "MtvFakeCBT", Value: "fake-cbt"},
		sideDir:    sideDir,
		serials:    map[diskID]uint64{},
		byChangeID: map[string]*cbtDisk{},
		snapshots:  map[types.ManagedObjectReference]*cbtSnapshot{},
		tracked:    map[types.ManagedObjectReference]bool{},
		wrapped:    map[types.ManagedObjectReference][]*simulator.Registry{},
	}
	r := m.Map()
	r.AddHandler(f)
	next := r.Handler
	r.Handler = func(ctx *simulator.Context, me *simulator.Method) (mo.Reference, types.BaseMethodFault) {
		f.route(ctx, me)
		if next != nil {
			return next(ctx, me)
		}
		return nil, nil
	}
	return nil
}

// route makes QueryChangedDiskAreas reach cbtVM. Service.call runs Registry.Handler, but then prefers
// whatever the session resolves for the same reference, and Session.Get falls back to the global map
// (the plain *simulator.VirtualMachine). So the wrapper goes into the session's own registry, which is
// looked at first. (Putting it into the global map instead would break every
// ctx.Map.Get(ref).(*simulator.VirtualMachine) in the simulator.)
func (f *fakeCBT) route(ctx *simulator.Context, me *simulator.Method) {
	if me.Name != "QueryChangedDiskAreas" || ctx.Session == nil {
		return
	}
	if _, ok := ctx.Session.Registry.Get(me.This).(*cbtVM); ok {
		return
	}
	vm, ok := ctx.Map.Get(me.This).(*simulator.VirtualMachine)
	if !ok {
		return
	}
	ctx.Session.Registry.Put(&cbtVM{VirtualMachine: vm, cbt: f})
	f.mu.Lock()
	f.wrapped[me.This] = append(f.wrapped[me.This], ctx.Session.Registry)
	f.mu.Unlock()
}

func (f *fakeCBT) Reference() types.ManagedObjectReference { return f.self }

// PutObject runs for every object put into the registry. A VirtualMachineSnapshot is put inside the
// snapshot task, with the VM locked, right after the VM's config was deep-copied into it.
func (f *fakeCBT) PutObject(ctx *simulator.Context, obj mo.Reference) {
	snap, ok := obj.(*simulator.VirtualMachineSnapshot)
	if !ok || snap.Config.Hardware.Device == nil {
		return
	}
	vm, ok := ctx.Map.Get(snap.Vm).(*simulator.VirtualMachine)
	if !ok || vm.Config == nil || !isTrue(vm.Config.ChangeTrackingEnabled) {
		return
	}
	rec := &cbtSnapshot{vm: vm.Self, disks: map[int32]*cbtDisk{}}
	live := slices.Clone(vm.Config.Hardware.Device)
	liveChanged := false
	for i, dev := range snap.Config.Hardware.Device {
		disk, ok := dev.(*types.VirtualDisk)
		if !ok {
			continue
		}
		backing, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		if !ok {
			continue
		}
		d, err := f.record(ctx, vm.Self, snap.Self, disk, backing)
		if err != nil {
			log.Printf("fake-cbt: %s %s disk %d (%s): %v; its changeId stays empty",
				vm.Self.Value, snap.Self.Value, disk.Key, backing.FileName, err)
			continue
		}
		rec.disks[disk.Key] = d
		snap.Config.Hardware.Device[i] = withChangeID(disk, backing, d.changeID)
		for j, ld := range live {
			if ldisk, ok := ld.(*types.VirtualDisk); ok && ldisk.Key == disk.Key {
				if lb, ok := ldisk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
					live[j] = withChangeID(ldisk, lb, d.changeID)
					liveChanged = true
				}
			}
		}
		log.Printf("fake-cbt: %s %s disk %d: changeId %q, %d non-zero 64 KiB blocks, copy %s",
			vm.Self.Value, snap.Self.Value, disk.Key, d.changeID, len(d.blocks), d.copyPath)
	}
	f.mu.Lock()
	f.snapshots[snap.Self] = rec
	f.tracked[vm.Self] = true
	f.mu.Unlock()
	// the double's lock must not be held here: Update calls back into UpdateObject
	if liveChanged {
		ctx.Map.Update(ctx, vm, []types.PropertyChange{{Name: "config.hardware.device", Val: live}})
	}
}

// UpdateObject forgets a VM's changeIds once its change tracking is turned off (ESXi resets them).
func (f *fakeCBT) UpdateObject(_ *simulator.Context, obj mo.Reference, _ []types.PropertyChange) {
	vm, ok := obj.(*mo.VirtualMachine)
	if !ok || vm.Config == nil || isTrue(vm.Config.ChangeTrackingEnabled) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.tracked[vm.Self] {
		return
	}
	delete(f.tracked, vm.Self)
	log.Printf("fake-cbt: change tracking turned off on %s: its changeIds are forgotten", vm.Self.Value)
	for id, d := range f.byChangeID {
		if d.vm == vm.Self {
			delete(f.byChangeID, id)
		}
	}
	for ref, s := range f.snapshots {
		if s.vm == vm.Self {
			delete(f.snapshots, ref)
		}
	}
}

// RemoveObject drops a removed snapshot (its changeIds stay valid) and, for a destroyed VM, the
// session wrappers that would otherwise keep it reachable.
func (f *fakeCBT) RemoveObject(ctx *simulator.Context, ref types.ManagedObjectReference) {
	f.mu.Lock()
	delete(f.snapshots, ref)
	regs := f.wrapped[ref]
	delete(f.wrapped, ref)
	f.mu.Unlock()
	for _, r := range regs {
		if _, ok := r.Get(ref).(*cbtVM); ok {
			r.Remove(ctx, ref) // a session registry has no handlers: this only forgets the wrapper
		}
	}
}

// record copies and hashes one disk of a new snapshot and mints its changeId.
func (f *fakeCBT) record(ctx *simulator.Context, vm, snap types.ManagedObjectReference, disk *types.VirtualDisk,
	backing *types.VirtualDiskFlatVer2BackingInfo) (*cbtDisk, error) {
	capacity := disk.CapacityInBytes
	if capacity <= 0 {
		capacity = disk.CapacityInKB * 1024
	}
	src, offset, err := extentOf(ctx, backing)
	if err != nil {
		return nil, err
	}
	d := &cbtDisk{
		vm:       vm,
		key:      disk.Key,
		capacity: capacity,
		copyPath: filepath.Join(f.sideDir, vm.Value, fmt.Sprintf("%s-%d.raw", snap.Value, disk.Key)),
	}
	if d.blocks, err = copyAndHash(src, offset, d.copyPath, capacity); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := diskID{vm, disk.Key}
	serial, ok := f.serials[id]
	if !ok {
		serial = uint64(len(f.serials) + 1)
		f.serials[id] = serial
	}
	f.seq++
	d.seq = f.seq
	d.changeID = fmt.Sprintf("52 00 00 00 00 00 00 cc-%s/%d", hexPairs(serial), f.seq)
	f.byChangeID[d.changeID] = d
	return d, nil
}

// hexPairs is v as eight big-endian bytes in lowercase hex separated by spaces, like VMware's UUIDs.
func hexPairs(v uint64) string {
	pairs := make([]string, 8)
	for i := range pairs {
		pairs[i] = fmt.Sprintf("%02x", byte(v>>(56-8*i)))
	}
	return strings.Join(pairs, " ")
}

func withChangeID(disk *types.VirtualDisk, backing *types.VirtualDiskFlatVer2BackingInfo, id string) *types.VirtualDisk {
	b := *backing
	b.ChangeId = id
	d := *disk
	d.Backing = &b
	return &d
}

func isTrue(b *bool) bool { return b != nil && *b }

// extentRE matches a descriptor extent line, e.g. `RW 20971520 VMFS "vm-flat.vmdk"` or
// `RW 2048 FLAT "vm-flat.vmdk" 0`.
var extentRE = regexp.MustCompile(`^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)\s+"([^"]+)"(?:\s+(\d+))?`)

// extentOf is the local file that holds the disk's data and the byte offset of the data in it: the
// one flat extent of a descriptor, or the file itself when it is not a descriptor.
func extentOf(ctx *simulator.Context, backing *types.VirtualDiskFlatVer2BackingInfo) (string, int64, error) {
	var p object.DatastorePath
	if !p.FromString(backing.FileName) {
		return "", 0, fmt.Errorf("fileName %q is not a datastore path", backing.FileName)
	}
	dir, err := datastoreDir(ctx, p.Datastore, backing.Datastore)
	if err != nil {
		return "", 0, err
	}
	file := filepath.Join(dir, filepath.FromSlash(p.Path))
	fh, err := os.Open(file)
	if err != nil {
		return "", 0, err
	}
	defer fh.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(fh, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", 0, err
	}
	head = head[:n]
	if !bytes.Contains(head, []byte("createType")) || bytes.IndexByte(head, 0) >= 0 {
		return file, 0, nil // raw data, not a text descriptor
	}
	var extents [][]string
	createType := ""
	sc := bufio.NewScanner(bytes.NewReader(head))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "createType="); ok {
			createType = strings.Trim(v, `"`)
		}
		if m := extentRE.FindStringSubmatch(line); m != nil {
			extents = append(extents, m)
		}
	}
	if len(extents) != 1 || (extents[0][3] != "VMFS" && extents[0][3] != "FLAT") {
		return "", 0, fmt.Errorf("descriptor (createType %q) has %d extents; the double reads only one VMFS or FLAT extent",
			createType, len(extents))
	}
	var offset int64
	if extents[0][5] != "" {
		sectors, _ := strconv.ParseInt(extents[0][5], 10, 64)
		offset = sectors * 512
	}
	return filepath.Join(filepath.Dir(file), filepath.FromSlash(extents[0][4])), offset, nil
}

// datastoreDir is the local directory of a datastore: its info.url.
func datastoreDir(ctx *simulator.Context, name string, ref *types.ManagedObjectReference) (string, error) {
	if ref != nil {
		if ds, ok := ctx.Map.Get(*ref).(*simulator.Datastore); ok {
			return ds.Info.GetDatastoreInfo().Url, nil
		}
	}
	for _, e := range ctx.Map.All("Datastore") {
		if ds, ok := e.(*simulator.Datastore); ok && ds.Name == name {
			return ds.Info.GetDatastoreInfo().Url, nil
		}
	}
	return "", fmt.Errorf("no datastore %q", name)
}

var zeroBlock [cbtBlockSize]byte

// copyAndHash copies the non-zero 64 KiB blocks of src (from offset, up to capacity bytes) to a new
// sparse file dst of capacity bytes and returns their sha256 by block index.
func copyAndHash(src string, offset int64, dst string, capacity int64) (map[int64][32]byte, error) {
	in, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return nil, err
	}
	limit := min(max(fi.Size()-offset, 0), capacity)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return nil, err
	}
	out, err := os.Create(dst)
	if err != nil {
		return nil, err
	}
	blocks := map[int64][32]byte{}
	buf := make([]byte, cbtBlockSize)
	for pos := int64(0); pos < limit; pos += cbtBlockSize {
		// a block is hashed whole (up to the capacity): the part past the end of the file reads as zeros
		b := buf[:min(cbtBlockSize, capacity-pos)]
		n, err := in.ReadAt(b[:min(int64(len(b)), limit-pos)], offset+pos)
		if err != nil && !errors.Is(err, io.EOF) {
			out.Close()
			return nil, err
		}
		clear(b[n:])
		if bytes.Equal(b, zeroBlock[:len(b)]) {
			continue
		}
		if _, err := out.WriteAt(b, pos); err != nil {
			out.Close()
			return nil, err
		}
		blocks[pos/cbtBlockSize] = sha256.Sum256(b)
	}
	if err := out.Truncate(capacity); err != nil {
		out.Close()
		return nil, err
	}
	return blocks, out.Close()
}

// cbtVM is a VirtualMachine that also answers QueryChangedDiskAreas (see fakeCBT.route). The embedded
// *simulator.VirtualMachine must stay the first field: the PropertyCollector digs it out.
type cbtVM struct {
	*simulator.VirtualMachine
	cbt *fakeCBT
}

// QueryChangedDiskAreas is the double's answer to the vSphere method of that name.
func (vm *cbtVM) QueryChangedDiskAreas(ctx *simulator.Context, req *types.QueryChangedDiskAreas) soap.HasFault {
	body := &methods.QueryChangedDiskAreasBody{}
	info, fault := vm.cbt.query(ctx, vm.VirtualMachine, req)
	if fault != nil {
		body.Fault_ = fault
		return body
	}
	body.Res = &types.QueryChangedDiskAreasResponse{Returnval: *info}
	return body
}

func invalidArgument(property, format string, args ...any) *soap.Fault {
	msg := fmt.Sprintf(format, args...)
	return simulator.Fault(msg, &types.InvalidArgument{
		InvalidProperty: property,
		RuntimeFault: types.RuntimeFault{MethodFault: types.MethodFault{
			FaultMessage: []types.LocalizableMessage{{Key: "mtv.fakeCBT.invalidArgument", Message: msg}},
		}},
	})
}

func (f *fakeCBT) query(ctx *simulator.Context, vm *simulator.VirtualMachine, req *types.QueryChangedDiskAreas) (*types.DiskChangeInfo, *soap.Fault) {
	if vm.Config == nil || !isTrue(vm.Config.ChangeTrackingEnabled) {
		return nil, invalidArgument("changeTrackingEnabled",
			"change tracking is off on %s: reconfigure it with changeTrackingEnabled=true, then take a snapshot", vm.Self.Value)
	}
	if req.Snapshot == nil {
		return nil, invalidArgument("snapshot", "snapshot is required (fake CBT answers only for snapshots)")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	snap := f.snapshots[*req.Snapshot]
	if snap == nil || snap.vm != vm.Self {
		s, ok := ctx.Map.Get(*req.Snapshot).(*simulator.VirtualMachineSnapshot)
		switch {
		case !ok:
			return nil, invalidArgument("snapshot", "no snapshot %s", req.Snapshot.Value)
		case s.Vm != vm.Self:
			return nil, invalidArgument("snapshot", "snapshot %s belongs to %s, not %s", req.Snapshot.Value, s.Vm.Value, vm.Self.Value)
		default:
			return nil, invalidArgument("snapshot", "snapshot %s of %s was taken while change tracking was off: it has no changeIds",
				req.Snapshot.Value, vm.Self.Value)
		}
	}
	cur := snap.disks[req.DeviceKey]
	if cur == nil {
		keys := make([]string, 0, len(snap.disks))
		for k := range snap.disks {
			keys = append(keys, strconv.Itoa(int(k)))
		}
		slices.Sort(keys)
		return nil, invalidArgument("deviceKey", "snapshot %s has no tracked disk with deviceKey %d (tracked: [%s])",
			req.Snapshot.Value, req.DeviceKey, strings.Join(keys, " "))
	}
	var prev *cbtDisk
	if req.ChangeId != "*" {
		prev = f.byChangeID[req.ChangeId]
		switch {
		case prev == nil:
			return nil, invalidArgument("changeId", "unknown changeId %q: pass a backing.changeId of an earlier snapshot of this disk, or \"*\"", req.ChangeId)
		case prev.vm != cur.vm || prev.key != cur.key:
			return nil, invalidArgument("changeId", "changeId %q belongs to disk %d of %s, not disk %d of %s",
				req.ChangeId, prev.key, prev.vm.Value, cur.key, cur.vm.Value)
		case prev.seq > cur.seq:
			return nil, invalidArgument("changeId", "changeId %q is newer than snapshot %s (%q)", req.ChangeId, req.Snapshot.Value, cur.changeID)
		}
	}
	if req.StartOffset < 0 || req.StartOffset >= cur.capacity {
		return nil, invalidArgument("startOffset", "startOffset %d is outside the disk: it must be in [0, %d)", req.StartOffset, cur.capacity)
	}
	return changedAreas(cur, prev, req.StartOffset), nil
}

// changedAreas lists, from start on, the blocks of cur that are non-zero (prev nil) or differ from prev,
// merged into extents, at most cbtMaxExtents of them.
func changedAreas(cur, prev *cbtDisk, start int64) *types.DiskChangeInfo {
	first := start / cbtBlockSize
	var idx []int64
	for i, h := range cur.blocks {
		if i >= first && (prev == nil || prev.blocks[i] != h) {
			idx = append(idx, i)
		}
	}
	if prev != nil {
		for i := range prev.blocks {
			if _, ok := cur.blocks[i]; !ok && i >= first && i*cbtBlockSize < cur.capacity {
				idx = append(idx, i) // written back to zeros
			}
		}
	}
	slices.Sort(idx)
	info := &types.DiskChangeInfo{StartOffset: start, Length: cur.capacity - start}
	for _, i := range idx {
		from, to := max(i*cbtBlockSize, start), min((i+1)*cbtBlockSize, cur.capacity)
		if n := len(info.ChangedArea); n > 0 && info.ChangedArea[n-1].Start+info.ChangedArea[n-1].Length == from {
			info.ChangedArea[n-1].Length += to - from
			continue
		}
		if len(info.ChangedArea) == cbtMaxExtents {
			last := info.ChangedArea[cbtMaxExtents-1]
			info.Length = last.Start + last.Length - start // more to come: the caller asks again from here
			break
		}
		info.ChangedArea = append(info.ChangedArea, types.DiskChangeExtent{Start: from, Length: to - from})
	}
	return info
}

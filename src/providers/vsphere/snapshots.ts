/**
 * Snapshots and Changed Block Tracking for warm migration: a precopy takes a snapshot, reads each
 * disk's `changeId` from the snapshot's configuration, and asks QueryChangedDiskAreas which areas
 * changed since the previous precopy's `changeId`.
 *
 * Snapshots are found again by their description (it names the migration and the round), so a
 * runner resumed after a crash adopts the snapshot an earlier run created instead of taking another.
 *
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.VirtualMachine.html#createSnapshot
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.VirtualMachine.html#queryChangedDiskAreas
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/adapter/vsphere/client.go
 */
import type { InvokeOptions } from './transport.js';
import type { VSphereClient } from './client.js';
import { VSphereFault, VSphereProtocolError } from './errors.js';
import { asArray, asMoRef, asNumber, asObject, asString, type MoRef, type VimValue } from './values.js';

/** A disk as a snapshot recorded it. */
export interface SnapshotDisk {
  /** The device key (e.g. 2000). */
  key: number;
  /** The backing file the snapshot's disk state is in (a delta `-000001.vmdk` once written over). */
  fileName: string;
  /**
   * The base disk's descriptor: the root of the backing's `parent` chain. While this snapshot is
   * the VM's only one, the base holds exactly the snapshot's content.
   */
  baseFileName: string;
  /** CBT's change id at the snapshot (`backing.changeId`); empty when CBT is off. */
  changeId: string;
  /** Capacity in bytes. */
  capacityBytes: number;
}

/** A changed extent of a disk, bytes (QueryChangedDiskAreas' `DiskChangeExtent`). */
export interface ChangedArea {
  start: number;
  length: number;
}

/** The name Forklift gives precopy snapshots. */
export const PrecopySnapshotName = 'forklift-migration-precopy';

/**
 * Takes a snapshot without memory (quiesced when Tools allow) and waits for it, unless a snapshot
 * with this exact `description` exists already (an earlier run's), which is returned instead.
 * @returns the snapshot's moRef
 * @throws vSphere faults (e.g. InvalidState, SnapshotFault); the signal's reason
 */
export async function ensureSnapshot(
  client: VSphereClient,
  vm: MoRef,
  description: string,
  options: InvokeOptions = {},
): Promise<MoRef> {
  const existing = (await listSnapshots(client, vm, options)).find((s) => s.description === description);
  if (existing) return existing.snapshot;
  const task = asMoRef(
    await client.invoke(
      'CreateSnapshot_Task',
      vm,
      { name: PrecopySnapshotName, description, memory: false, quiesce: true },
      options,
    ),
  );
  if (!task) throw new VSphereProtocolError('CreateSnapshot_Task returned no task');
  const snapshot = asMoRef(await client.waitForTask(task, options));
  if (!snapshot) throw new VSphereProtocolError('CreateSnapshot_Task finished without a snapshot');
  return snapshot;
}

/**
 * Removes a snapshot (its children stay), consolidating its changes into the disks. A snapshot
 * that is already gone counts as removed.
 * @throws vSphere faults other than ManagedObjectNotFound; the signal's reason
 */
export async function removeSnapshot(
  client: VSphereClient,
  snapshot: MoRef,
  options: InvokeOptions = {},
): Promise<void> {
  try {
    const task = asMoRef(
      await client.invoke(
        'RemoveSnapshot_Task',
        snapshot,
        { removeChildren: false, consolidate: true },
        options,
      ),
    );
    if (task) await client.waitForTask(task, options);
  } catch (e: unknown) {
    if (e instanceof VSphereFault && e.faultName === 'ManagedObjectNotFound') return;
    throw e;
  }
}

/** A VM's snapshots, flattened from `snapshot.rootSnapshotList`. */
export async function listSnapshots(
  client: VSphereClient,
  vm: MoRef,
  options: InvokeOptions = {},
): Promise<{ snapshot: MoRef; name: string; description: string }[]> {
  const [o] = await client.retrieveProperties(
    { propSet: [{ type: 'VirtualMachine', pathSet: ['snapshot'] }], objectSet: [{ obj: vm, skip: false }] },
    options,
  );
  const out: { snapshot: MoRef; name: string; description: string }[] = [];
  const walk = (list: VimValue | undefined) => {
    for (const t of asArray(list)) {
      const tree = asObject(t);
      const ref = asMoRef(tree?.snapshot);
      if (!tree || !ref) continue;
      out.push({
        snapshot: ref,
        name: asString(tree.name) ?? '',
        description: asString(tree.description) ?? '',
      });
      walk(tree.childSnapshotList);
    }
  };
  walk(asObject(o?.props.snapshot)?.rootSnapshotList);
  return out;
}

/**
 * The disks a snapshot recorded (`config.hardware.device` of the VirtualMachineSnapshot), with
 * their change ids.
 * @throws ManagedObjectNotFound when the snapshot is gone
 */
export async function snapshotDisks(
  client: VSphereClient,
  snapshot: MoRef,
  options: InvokeOptions = {},
): Promise<SnapshotDisk[]> {
  const [o] = await client.retrieveProperties(
    {
      propSet: [{ type: 'VirtualMachineSnapshot', pathSet: ['config.hardware.device'] }],
      objectSet: [{ obj: snapshot, skip: false }],
    },
    options,
  );
  const disks: SnapshotDisk[] = [];
  for (const d of asArray(o?.props['config.hardware.device'])) {
    const dev = asObject(d);
    if (dev?._type !== 'VirtualDisk') continue;
    const backing = asObject(dev.backing);
    let base = backing;
    while (asObject(base?.parent)) base = asObject(base?.parent);
    disks.push({
      key: asNumber(dev.key) ?? 0,
      fileName: asString(backing?.fileName) ?? '',
      baseFileName: asString(base?.fileName) ?? '',
      changeId: asString(backing?.changeId) ?? '',
      capacityBytes: asNumber(dev.capacityInBytes) ?? (asNumber(dev.capacityInKB) ?? 0) * 1024,
    });
  }
  return disks;
}

/**
 * Every area of a disk that changed between the snapshot whose disk had `changeId` and `snapshot`
 * (`changeId` `*`: every allocated area). Pages through QueryChangedDiskAreas by `startOffset`
 * until the disk's capacity is covered (CDI stops at the first page without changes; a server
 * may return such a page before later changes, so this does not). Adjacent areas are merged.
 * @throws vSphere faults: FileFault/InvalidArgument when CBT is off or the change id is unknown
 * (the caller then copies the whole disk); the signal's reason
 */
export async function changedDiskAreas(
  client: VSphereClient,
  request: { vm: MoRef; snapshot: MoRef; deviceKey: number; changeId: string; capacityBytes: number },
  options: InvokeOptions = {},
): Promise<ChangedArea[]> {
  const areas: ChangedArea[] = [];
  let offset = 0;
  while (offset < request.capacityBytes) {
    const info = asObject(
      await client.invoke(
        'QueryChangedDiskAreas',
        request.vm,
        {
          snapshot: request.snapshot,
          deviceKey: request.deviceKey,
          startOffset: offset,
          changeId: request.changeId,
        },
        options,
      ),
    );
    const start = asNumber(info?.startOffset) ?? offset;
    const length = asNumber(info?.length) ?? 0;
    for (const a of asArray(info?.changedArea)) {
      const area = asObject(a);
      const s = asNumber(area?.start) ?? 0;
      const l = asNumber(area?.length) ?? 0;
      if (l <= 0) continue;
      const last = areas[areas.length - 1];
      if (last && last.start + last.length === s) last.length += l;
      else areas.push({ start: s, length: l });
    }
    if (length <= 0) break; // a server that answers no length would loop forever
    offset = start + length;
  }
  return areas;
}

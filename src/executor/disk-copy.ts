/**
 * One disk's copy, as every executor runs it (in-process, or a transfer Job's pod): a full copy
 * of the disk's descriptor with checkpoints (`copyVmdk`), or — for a warm migration's later
 * precopy rounds — only the areas Changed Block Tracking reports as changed since the previous
 * round (`copyChangedAreas`).
 */
import type { VSphereClient } from '../providers/vsphere/client.js';
import { changedDiskAreas } from '../providers/vsphere/snapshots.js';
import type { MoRef } from '../providers/vsphere/values.js';
import type { DatastoreReader } from '../transfer/datastore-reader.js';
import { copyChangedAreas } from '../transfer/delta-copy.js';
import type { TransferProgress } from '../transfer/progress.js';
import { copyVmdk, openRawDisk } from '../transfer/vmdk-copy.js';

/**
 * A delta round of one disk: what changed between the previous round's `changeId` and `snapshot`.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.VirtualMachine.html#queryChangedDiskAreas
 */
export interface DiskDelta {
  vm: MoRef;
  snapshot: MoRef;
  /** The disk's device key. */
  deviceKey: number;
  /** The disk's `changeId` at the previous round's snapshot. */
  changeId: string;
  /** The disk's capacity, bytes. */
  capacityBytes: number;
}

/** What a disk copy did (also a transfer pod's termination message, as JSON). */
export interface TransferResult {
  /** sha256 (hex) of the whole disk as copied. */
  sha256: string;
  bytes: number;
  sparseBytes: number;
  /** Where a full copy resumed (0 fresh, `bytes` when already complete); 0 for a delta. */
  resumedFrom: number;
  /** Bytes read from the source by this run. */
  copiedBytes: number;
  durationMs: number;
  /** The warm precopy round it belongs to (1 = the first, full copy); absent for cold copies. */
  round?: number;
  /** The warm precopy round's snapshot (moRef id): a result of another migration's round does not count. */
  snapshot?: string;
}

/** Inputs of {@link copyDisk}. */
export interface CopyDiskInput {
  /** The disk's descriptor, e.g. `[LocalDS_0] vm/vm.vmdk`. */
  file: string;
  /** A regular file or block device. */
  target: string;
  /** The full copy's checkpoint file. */
  checkpoint: string;
  /** A delta round instead of a full copy. */
  delta?: DiskDelta;
  /** Warm: the precopy round. */
  round?: number;
  /**
   * Warm: the round's snapshot (moRef id). It tags the full copy's checkpoint, so a complete
   * checkpoint an earlier migration left on the same target is not taken for this round's copy.
   */
  snapshot?: string;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
}

/**
 * Copies a disk: fully (resumable by checkpoint; returns at once when complete), or only the
 * changed areas of a delta round.
 * @throws vSphere faults (QueryChangedDiskAreas), the transfer library's errors, the signal's reason
 */
export async function copyDisk(
  client: VSphereClient,
  reader: DatastoreReader,
  input: CopyDiskInput,
): Promise<TransferResult> {
  const signalOpt = input.signal ? { signal: input.signal } : {};
  const round = {
    ...(input.round !== undefined ? { round: input.round } : {}),
    ...(input.snapshot ? { snapshot: input.snapshot } : {}),
  };
  if (input.delta) {
    const areas = await changedDiskAreas(client, input.delta, signalOpt);
    const source = await openRawDisk(reader, input.file, signalOpt);
    const r = await copyChangedAreas(source, input.target, areas, {
      ...signalOpt,
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    });
    return { ...r, sparseBytes: 0, resumedFrom: 0, ...round };
  }
  const r = await copyVmdk(reader, input.file, input.target, {
    checkpointPath: input.snapshot
      ? input.checkpoint.replace(/(\.json)?$/, (ext) => `-${input.snapshot ?? ''}${ext}`)
      : input.checkpoint,
    ...signalOpt,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  });
  return {
    sha256: r.sha256,
    bytes: r.bytes,
    sparseBytes: r.sparseBytes,
    resumedFrom: r.resumedFrom,
    copiedBytes: r.copiedBytes,
    durationMs: r.durationMs,
    ...round,
  };
}

/**
 * The disk data path: what the migration controller calls to move a VM disk's bytes from a vSphere
 * datastore into a raw target (a file in local mode, a PVC's file or block device in cluster mode).
 * No Kubernetes, no plan logic.
 *
 * - {@link DatastoreReader}: HEAD and ranged GETs on the datastore HTTP interface, TLS with the
 *   provider's CA, session cookie / basic auth, retries with backoff, abort signals.
 * - {@link copyVmdk}: one disk by its descriptor (`[ds] vm/vm.vmdk`): raw extents (`vmfs`,
 *   `monolithicFlat`, `twoGbMaxExtentFlat`) by ranged copy; `streamOptimized`, `monolithicSparse`,
 *   `twoGbMaxExtentSparse` by download and `qemu-img convert -O raw`; anything else is an
 *   {@link UnsupportedDiskError}.
 * - {@link copyToTarget}: the copy loop over any {@link RangeSource}: read-ahead, holes for zero
 *   blocks, sha256 of the logical content, bounded-rate progress, checkpoints, resume.
 *
 * Decision (resume and hash): Node's `Hash` cannot be serialized, so a checkpoint records the
 * offset whose writes completed and the sha256 of the prefix up to it; a resumed copy re-hashes the
 * target's prefix locally, continues only when it matches, and otherwise starts over. The final
 * sha256 is thus the plain sha256 of the disk, comparable with `sha256sum` of the source extent.
 * The same check makes syncing the target at each checkpoint unnecessary: only the final
 * (complete) checkpoint, which is trusted without a check, follows an fdatasync.
 *
 * @see https://github.com/kubev2v/forklift (the upstream data path: CDI importer with VDDK, virt-v2v)
 */
export { checkpointKind, defaultCheckpointPath, readCheckpoint, removeCheckpoint } from './checkpoint.js';
export type { TransferCheckpoint } from './checkpoint.js';
export { copyToTarget } from './copy-to-target.js';
export type { CopyOptions, CopyResult, RangeSource } from './copy-to-target.js';
export {
  datastoreFileUrl,
  formatDatastorePath,
  parseDatastorePath,
  parseProviderUrl,
  siblingPath,
} from './datastore-path.js';
export type { DatastorePath } from './datastore-path.js';
export { DatastoreReader } from './datastore-reader.js';
export type { DatastoreAccess, DatastoreFileInfo, ReadOptions } from './datastore-reader.js';
export { extentSource, fileIdentity, fileSource } from './datastore-source.js';
export type { SourcePart } from './datastore-source.js';
export { ConversionError, UnsupportedDiskError } from './errors.js';
export { ProgressMeter, TransferPhase } from './progress.js';
export type { ProgressCallback, ProgressMeterOptions, TransferProgress } from './progress.js';
export { parseQemuImgProgress, qemuImgConvert } from './qemu-img.js';
export type { QemuImgConvertOptions } from './qemu-img.js';
export { backoffDelayMs, defaultRetryPolicy, withRetry } from './retry.js';
export type { RetryPolicy, WithRetryOptions } from './retry.js';
export { copyVmdk } from './vmdk-copy.js';
export type { VmdkCopyOptions, VmdkCopyResult } from './vmdk-copy.js';
export {
  convertCreateTypes,
  CopyMethod,
  DiskFileKind,
  parseSparseHeader,
  parseVmdkDescriptor,
  planVmdkCopy,
  rawCreateTypes,
  sectorBytes,
  sniffDiskFile,
} from './vmdk-descriptor.js';
export type { SparseExtentHeader, VmdkCopyPlan, VmdkDescriptor, VmdkExtent } from './vmdk-descriptor.js';

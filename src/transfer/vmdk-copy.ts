/**
 * Copies one VM disk, named by its VMDK descriptor on a datastore, into a raw target: raw extents
 * by ranged reads (`copyToTarget`), sparse and stream-optimized VMDKs by a resumable download
 * followed by `qemu-img convert -O raw`. The createTypes supported are listed in `vmdk-descriptor.ts`.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { MtvError } from '../api/errors.js';
import {
  checkpointKind,
  checkpointMatches,
  defaultCheckpointPath,
  readCheckpoint,
  writeCheckpoint,
  type TransferCheckpoint,
} from './checkpoint.js';
import { copyToTarget, type CopyOptions, type CopyResult, type RangeSource } from './copy-to-target.js';
import {
  formatDatastorePath,
  parseDatastorePath,
  siblingPath,
  type DatastorePath,
} from './datastore-path.js';
import type { DatastoreFileInfo, DatastoreReader } from './datastore-reader.js';
import { extentSource, fileIdentity, fileSource, type SourcePart } from './datastore-source.js';
import { UnsupportedDiskError } from './errors.js';
import { ProgressMeter, TransferPhase } from './progress.js';
import { qemuImgConvert } from './qemu-img.js';
import { hashTarget, openTarget } from './target.js';
import {
  CopyMethod,
  DiskFileKind,
  parseSparseHeader,
  parseVmdkDescriptor,
  planVmdkCopy,
  sectorBytes,
  sniffDiskFile,
  type VmdkCopyPlan,
  type VmdkDescriptor,
} from './vmdk-descriptor.js';

/**
 * Options of {@link copyVmdk}; those of {@link CopyOptions} apply to the raw copy and to each download.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export interface VmdkCopyOptions extends CopyOptions {
  /**
   * Read the missing tail of a raw extent file that is shorter than its descriptor says as zeros,
   * instead of failing. vcsim's own VM disks are empty `-flat.vmdk` files. @default false
   */
  allowShortExtent?: boolean;
  /**
   * Where sparse VMDK files are downloaded (resumably) before conversion; removed after a
   * successful conversion. @default `<checkpoint folder>/<target name>.mtv-download`
   */
  downloadDir?: string;
  /** The `qemu-img` executable. @default "qemu-img" */
  qemuImg?: string;
}

/**
 * What {@link copyVmdk} did.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export interface VmdkCopyResult extends CopyResult {
  /** The descriptor's createType, e.g. `vmfs`. */
  createType: string;
  /** `raw` (ranged copy of extents) or `convert` (download, then qemu-img). */
  method: CopyMethod;
}

/** Largest text descriptor read: real ones are a few hundred bytes. */
const maxDescriptorBytes = 64 * 1024;

/**
 * Copies a VM disk into `target` (a regular file, or a block device with `checkpointPath`), resuming
 * from a checkpoint and returning at once when a complete copy is recorded.
 *
 * For a converted disk, `resumedFrom` and `copiedBytes` count bytes of the downloaded VMDK files
 * (already present, downloaded now), not of the disk; `sparseBytes` is the target's unallocated
 * bytes (0 for a block device).
 *
 * @param diskFile the disk's descriptor as in its backing `fileName`, e.g. `[LocalDS_0] vm/vm.vmdk`.
 * @throws {@link UnsupportedDiskError} for a createType that cannot be copied or a truncated extent;
 * {@link NotFoundError} naming the datastore path of a missing file; {@link ConversionError};
 * the errors of {@link DatastoreReader}; {@link UsageError} for a malformed path or target; the
 * signal's reason when aborted.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.vm.device.VirtualDisk.FlatVer2BackingInfo.html
 */
export async function copyVmdk(
  reader: DatastoreReader,
  diskFile: string,
  target: string,
  options: VmdkCopyOptions = {},
): Promise<VmdkCopyResult> {
  const file = parseDatastorePath(diskFile);
  const { desc, info, hosted } = await readDescriptor(reader, file, options.signal);
  const plan = planVmdkCopy(desc, formatDatastorePath(file));
  const about = { createType: plan.createType, method: plan.method };
  if (plan.method === CopyMethod.Raw) {
    const source = await rawDiskSource(reader, file, plan, options);
    return { ...(await copyToTarget(source, target, options)), ...about };
  }
  const files = hosted ? [info] : [info, ...(await statExtents(reader, file, plan, options.signal))];
  return { ...(await convertDisk(reader, files, plan, target, options)), ...about };
}

/**
 * A disk with raw extents (flat, vmfs, …) as one byte sequence readable at any offset: what a warm
 * migration's delta rounds read changed areas from.
 *
 * @param diskFile the disk's descriptor, e.g. `[LocalDS_0] vm/vm.vmdk`.
 * @throws {@link UnsupportedDiskError} for a disk that is not raw (sparse, stream-optimized or a
 * snapshot delta: their areas are not at their disk offsets), or a truncated extent; the errors
 * of {@link DatastoreReader}.
 */
export async function openRawDisk(
  reader: DatastoreReader,
  diskFile: string,
  options: Pick<VmdkCopyOptions, 'allowShortExtent' | 'signal'> = {},
): Promise<RangeSource> {
  const file = parseDatastorePath(diskFile);
  const { desc } = await readDescriptor(reader, file, options.signal);
  const plan = planVmdkCopy(desc, formatDatastorePath(file));
  if (plan.method !== CopyMethod.Raw)
    throw new UnsupportedDiskError(
      formatDatastorePath(file),
      plan.createType,
      'has no raw extents, so changed areas cannot be read at their offsets',
      { hint: 'migrate this VM cold (warm precopies need flat or thick disks)' },
    );
  return rawDiskSource(reader, file, plan, options);
}

/** Reads the descriptor of a disk: a small text file, or the one embedded in a hosted sparse extent. */
async function readDescriptor(
  reader: DatastoreReader,
  file: DatastorePath,
  signal: AbortSignal | undefined,
): Promise<{ desc: VmdkDescriptor; info: DatastoreFileInfo; hosted: boolean }> {
  const where = formatDatastorePath(file);
  const info = await reader.stat(file, { signal });
  if (info.size === 0) throw new UnsupportedDiskError(where, undefined, 'the descriptor file is empty');
  const head = await reader.read(file, 0, Math.min(info.size, maxDescriptorBytes), { signal });
  const kind = sniffDiskFile(head);
  if (kind === DiskFileKind.CowdSparse) {
    throw new UnsupportedDiskError(where, 'vmfsSparse', 'is a COWD snapshot delta, not a whole disk');
  }
  if (kind === DiskFileKind.HostedSparse) {
    return { desc: await embeddedDescriptor(reader, info, head, signal), info, hosted: true };
  }
  const desc = parseVmdkDescriptor(head.toString('utf8'));
  if (info.size > maxDescriptorBytes || desc.createType === '') {
    throw new UnsupportedDiskError(where, undefined, 'is not a VMDK descriptor (no createType)', {
      hint: 'a disk\'s backing fileName names its descriptor "x.vmdk", not the "x-flat.vmdk" extent',
    });
  }
  return { desc, info, hosted: false };
}

async function embeddedDescriptor(
  reader: DatastoreReader,
  info: DatastoreFileInfo,
  head: Buffer,
  signal: AbortSignal | undefined,
): Promise<VmdkDescriptor> {
  const header = parseSparseHeader(head);
  const start = (header?.descriptorOffsetSectors ?? 0) * sectorBytes;
  const length = Math.min((header?.descriptorSizeSectors ?? 0) * sectorBytes, maxDescriptorBytes);
  if (!header || start === 0 || length === 0 || start + length > info.size) {
    throw new UnsupportedDiskError(
      formatDatastorePath(info.path),
      undefined,
      'is a sparse extent without an embedded descriptor',
      {
        hint: 'name the disk by its descriptor file',
      },
    );
  }
  const text =
    start + length <= head.length
      ? head.subarray(start, start + length)
      : await reader.read(info.path, start, length, { signal });
  return parseVmdkDescriptor(text.toString('utf8'));
}

/** The disk as the concatenation of its raw extents, after checking each extent file's size. */
async function rawDiskSource(
  reader: DatastoreReader,
  file: DatastorePath,
  plan: VmdkCopyPlan,
  options: Pick<VmdkCopyOptions, 'allowShortExtent' | 'signal'>,
): Promise<ReturnType<typeof extentSource>> {
  const parts: SourcePart[] = [];
  const ids = [formatDatastorePath(file)];
  for (const e of plan.extents) {
    const length = e.sectors * sectorBytes;
    if (e.type === 'ZERO' || e.file === undefined) {
      parts.push({ kind: 'zero', length });
      continue;
    }
    const info = await reader.stat(siblingPath(file, e.file), { signal: options.signal });
    const fileOffset = e.offsetSectors * sectorBytes;
    const available = Math.max(0, Math.min(length, info.size - fileOffset));
    if (available < length && options.allowShortExtent !== true)
      throw shortExtent(file, plan, info, fileOffset + length);
    parts.push({ kind: 'file', file: info.path, fileOffset, length, available });
    ids.push(fileIdentity(info));
  }
  return extentSource(reader, parts, ids.join('\n'));
}

function shortExtent(
  file: DatastorePath,
  plan: VmdkCopyPlan,
  info: DatastoreFileInfo,
  needed: number,
): Error {
  return new UnsupportedDiskError(
    formatDatastorePath(file),
    plan.createType,
    `extent ${formatDatastorePath(info.path)} has ${info.size} bytes, the descriptor needs ${needed}`,
    {
      hint: "the extent is truncated or still being written; set allowShortExtent to read the missing part as zeros (vcsim's own disks are empty files)",
    },
  );
}

async function statExtents(
  reader: DatastoreReader,
  file: DatastorePath,
  plan: VmdkCopyPlan,
  signal: AbortSignal | undefined,
): Promise<DatastoreFileInfo[]> {
  const infos: DatastoreFileInfo[] = [];
  for (const e of plan.extents) {
    if (e.file !== undefined) infos.push(await reader.stat(siblingPath(file, e.file), { signal }));
  }
  return infos;
}

/**
 * Downloads the VMDK files (resumably), converts them with qemu-img into the target, hashes the
 * target, and records the result in the target's checkpoint.
 */
async function convertDisk(
  reader: DatastoreReader,
  files: DatastoreFileInfo[],
  plan: VmdkCopyPlan,
  target: string,
  options: VmdkCopyOptions,
): Promise<CopyResult> {
  const started = performance.now();
  const abs = path.resolve(target);
  const checkpointPath = options.checkpointPath ?? defaultCheckpointPath(abs);
  const key = { source: files.map(fileIdentity).join('\n'), size: plan.capacityBytes, target: abs };
  const found = await readCheckpoint(checkpointPath);
  const done = found && checkpointMatches(found, key) ? await completedConversion(found, abs) : undefined;
  if (done) return { ...done, durationMs: performance.now() - started };

  const dir =
    options.downloadDir ?? path.join(path.dirname(checkpointPath), `${path.basename(abs)}.mtv-download`);
  const downloads = await downloadAll(reader, files, dir, options);
  const blockDevice = (await stat(abs).catch(() => undefined))?.isBlockDevice() ?? false;
  await convertInto(downloads.descriptor, abs, plan.capacityBytes, blockDevice, options);
  const { sha256, sparseBytes } = await verifyTarget(abs, plan.capacityBytes, blockDevice, options);
  await writeCheckpoint(checkpointPath, {
    kind: checkpointKind,
    ...key,
    offset: plan.capacityBytes,
    prefixSha256: sha256,
    sparseBytes,
    complete: true,
    sha256,
    savedAt: new Date().toISOString(),
  });
  await rm(dir, { recursive: true, force: true });
  return {
    sha256,
    bytes: plan.capacityBytes,
    sparseBytes,
    resumedFrom: downloads.resumedFrom,
    copiedBytes: downloads.copiedBytes,
    durationMs: performance.now() - started,
  };
}

async function completedConversion(
  cp: TransferCheckpoint,
  target: string,
): Promise<Omit<CopyResult, 'durationMs'> | undefined> {
  if (!cp.complete || cp.sha256 === undefined) return undefined;
  const st = await stat(target).catch(() => undefined);
  if (!st || (!st.isBlockDevice() && st.size !== cp.size)) return undefined;
  return {
    sha256: cp.sha256,
    bytes: cp.size,
    sparseBytes: cp.sparseBytes,
    resumedFrom: cp.size,
    copiedBytes: 0,
  };
}

/** Downloads each file to `dir`, under its path relative to the descriptor, each with its own checkpoint. */
async function downloadAll(
  reader: DatastoreReader,
  files: DatastoreFileInfo[],
  dir: string,
  options: VmdkCopyOptions,
): Promise<{ descriptor: string; resumedFrom: number; copiedBytes: number }> {
  const base = path.posix.dirname(files[0]?.path.path ?? '');
  let resumedFrom = 0;
  let copiedBytes = 0;
  const locals: string[] = [];
  for (const info of files) {
    const local = path.join(dir, ...path.posix.relative(base, info.path.path).split('/'));
    await mkdir(path.dirname(local), { recursive: true });
    const r = await copyToTarget(fileSource(reader, info), local, {
      ...options,
      checkpointPath: `${local}.mtv-checkpoint.json`,
      skipZeroBlocks: true,
      phase: TransferPhase.Download,
    });
    resumedFrom += r.resumedFrom;
    copiedBytes += r.copiedBytes;
    locals.push(local);
  }
  return { descriptor: locals[0] ?? '', resumedFrom, copiedBytes };
}

async function convertInto(
  descriptor: string,
  target: string,
  capacityBytes: number,
  blockDevice: boolean,
  options: VmdkCopyOptions,
): Promise<void> {
  if (blockDevice)
    await (await openTarget(target, capacityBytes)).fh.close(); // checks the device's size
  else await mkdir(path.dirname(target), { recursive: true });
  const meter = new ProgressMeter(TransferPhase.Convert, capacityBytes, 0, options.onProgress, {
    intervalMs: options.progressIntervalMs,
  });
  await qemuImgConvert(descriptor, target, {
    qemuImg: options.qemuImg,
    existingTarget: blockDevice,
    signal: options.signal,
    onPercent: (p) => meter.update(Math.round((capacityBytes * p) / 100)),
  });
  meter.finish(capacityBytes);
}

/** sha256 of the converted target's first `size` bytes, and how many of them are holes. */
async function verifyTarget(
  target: string,
  size: number,
  blockDevice: boolean,
  options: VmdkCopyOptions,
): Promise<{ sha256: string; sparseBytes: number }> {
  const t = await openTarget(target, size);
  try {
    const st = await t.fh.stat();
    if (!blockDevice && st.size !== size) {
      throw new MtvError(`qemu-img wrote ${st.size} bytes into ${target}, the disk has ${size}`);
    }
    const hash = createHash('sha256');
    const meter = new ProgressMeter(TransferPhase.Verify, size, 0, options.onProgress, {
      intervalMs: options.progressIntervalMs,
    });
    await hashTarget(t, size, (b) => void hash.update(b), {
      signal: options.signal,
      onBytes: (n) => meter.update(n),
    });
    meter.finish(size);
    const sparseBytes = blockDevice ? 0 : Math.max(0, size - st.blocks * 512);
    return { sha256: hash.digest('hex'), sparseBytes };
  } finally {
    await t.fh.close();
  }
}

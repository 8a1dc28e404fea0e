/**
 * The copy's target: a regular file (local mode, or a filesystem-mode PVC), created sparse, or a
 * block device (a block-mode PVC), written in place and never truncated.
 */
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { MtvError, UsageError } from '../api/errors.js';

/**
 * An open target.
 * @see https://man7.org/linux/man-pages/man2/pwrite.2.html
 */
export interface Target {
  /** Absolute path. */
  path: string;
  fh: FileHandle;
  /** True for a block device: no truncation, no holes unless the caller says it reads as zeros. */
  blockDevice: boolean;
}

/**
 * Opens (creating a missing regular file and its folders) a target for a disk of `size` bytes.
 *
 * @throws {@link UsageError} when the path is neither a regular file nor a block device, or the
 * block device is smaller than `size`.
 * @see https://man7.org/linux/man-pages/man2/pwrite.2.html
 */
export async function openTarget(target: string, size: number): Promise<Target> {
  const abs = path.resolve(target);
  const st = await stat(abs).catch((e: unknown) => {
    if (typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (st && !st.isFile() && !st.isBlockDevice()) {
    throw new UsageError({
      field: 'target',
      message: 'must be a regular file or a block device',
      value: abs,
    });
  }
  if (!st) await mkdir(path.dirname(abs), { recursive: true });
  const fh = await open(abs, st ? 'r+' : 'w+');
  const t: Target = { path: abs, fh, blockDevice: st?.isBlockDevice() ?? false };
  if (t.blockDevice && size > 0 && !(await hasByteAt(fh, size - 1))) {
    await fh.close();
    throw new UsageError({
      field: 'target',
      message: `block device is smaller than the disk (${size} bytes)`,
      value: abs,
      hint: 'give a device (PVC) at least as large as the source disk',
    });
  }
  return t;
}

async function hasByteAt(fh: FileHandle, position: number): Promise<boolean> {
  const { bytesRead } = await fh.read(Buffer.alloc(1), 0, 1, position);
  return bytesRead === 1;
}

/**
 * Makes everything from `offset` on read as zeros, for a regular file: truncates to `offset`, then
 * extends (sparse) to `size`. What a killed copy wrote after its last checkpoint is dropped that
 * way. A block device is left alone (the copy overwrites every byte of it).
 * @see https://man7.org/linux/man-pages/man2/truncate.2.html
 */
export async function clearTail(t: Target, offset: number, size: number): Promise<void> {
  if (t.blockDevice) return;
  await t.fh.truncate(offset);
  await t.fh.truncate(size);
}

/**
 * Writes all of `buf` at `position` (positional writes, looping over short writes).
 * @see https://man7.org/linux/man-pages/man2/pwrite.2.html
 */
export async function writeAt(t: Target, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await t.fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

/** Bytes read per call while hashing a target. */
const readBytes = 8 * 1024 * 1024;

/**
 * Feeds the target's bytes `[0, length)` to `sink` (e.g. a hash's update), in order. The buffer
 * passed is reused: the sink must copy what it keeps.
 *
 * @param onBytes called after each read with the bytes read so far.
 * @returns the bytes read.
 * @throws {@link MtvError} when the target is shorter than `length`; the signal's reason when aborted.
 * @see https://nodejs.org/api/crypto.html#class-hash
 */
export async function hashTarget(
  t: Target,
  length: number,
  sink: (buf: Buffer) => Promise<void> | void,
  options: { signal?: AbortSignal; onBytes?: (done: number) => void } = {},
): Promise<number> {
  const buf = Buffer.allocUnsafe(Math.min(readBytes, Math.max(1, length)));
  let done = 0;
  while (done < length) {
    options.signal?.throwIfAborted();
    const want = Math.min(buf.length, length - done);
    const { bytesRead } = await t.fh.read(buf, 0, want, done);
    if (bytesRead === 0) throw new MtvError(`${t.path}: ends at ${done} bytes, expected ${length}`);
    await sink(buf.subarray(0, bytesRead));
    done += bytesRead;
    options.onBytes?.(done);
  }
  return done;
}

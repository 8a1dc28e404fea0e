/**
 * The checkpoint of a resumable copy: a small JSON file (beside the target by default) naming the
 * source version, the verified offset, and the sha256 of the target's first `offset` bytes.
 *
 * Node's `Hash` cannot be serialized, so the running hash is not stored: on resume the copy
 * re-reads the target's verified prefix, hashes it again, and continues only when that digest
 * equals {@link TransferCheckpoint.prefixSha256} (otherwise it starts over). Re-reading the prefix
 * is a local, sequential read (holes read as zeros), much cheaper than fetching it again, and it
 * checks that the target still holds what was written. Writes are atomic (temporary file, fsync,
 * rename).
 *
 * Durability: a partial checkpoint is saved once the target's writes up to its offset have
 * completed, without syncing the target; a killed process loses nothing (the data is in the page
 * cache), and after a machine crash the prefix check on resume notices lost writes and starts
 * over. The checkpoint that marks a copy complete, which is trusted without a check, is saved
 * only after an fdatasync of the target. The copy also runs fdatasyncs in the background, only to
 * start writeback early; when any fdatasync fails the copy removes its checkpoint and fails: the
 * kernel reports a lost write once, and the page cache may still hold what the disk lost, so the
 * prefix check could pass.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';

/**
 * Format marker and version of the checkpoint file.
 * @see https://man7.org/linux/man-pages/man2/fdatasync.2.html
 */
export const checkpointKind = 'mtv.transfer.checkpoint/v1';

/**
 * What a checkpoint file holds.
 * @see https://man7.org/linux/man-pages/man2/fdatasync.2.html
 */
export interface TransferCheckpoint {
  /** Always {@link checkpointKind}. */
  kind: typeof checkpointKind;
  /** The source's identity (datastore path, size, Last-Modified/ETag); a different source starts over. */
  source: string;
  /** The target's absolute path. */
  target: string;
  /** The disk's size in bytes. */
  size: number;
  /** Bytes from the start of the target whose writes completed before this was saved (synced when complete). */
  offset: number;
  /** sha256 (hex) of the first {@link TransferCheckpoint.offset} bytes of the disk. */
  prefixSha256: string;
  /** Bytes left as holes (all-zero blocks not written) up to `offset`. */
  sparseBytes: number;
  /** True once the whole disk is in the target; `sha256` is then set. */
  complete: boolean;
  /** sha256 (hex) of the whole disk, when complete. */
  sha256?: string;
  /** When it was saved, ISO 8601. */
  savedAt: string;
}

/**
 * The checkpoint path used when the caller gives none: `<target>.mtv-checkpoint.json`.
 * @see https://man7.org/linux/man-pages/man2/fdatasync.2.html
 */
export function defaultCheckpointPath(target: string): string {
  return `${target}.mtv-checkpoint.json`;
}

/**
 * Reads a checkpoint file.
 * @returns undefined when the file is missing or is not a checkpoint (a torn or foreign file is
 * not an error: the copy starts over).
 * @see https://man7.org/linux/man-pages/man2/fdatasync.2.html
 */
export async function readCheckpoint(path: string): Promise<TransferCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  try {
    const value: unknown = JSON.parse(text);
    return isCheckpoint(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes a checkpoint atomically (temporary file, fsync, rename).
 * @see https://man7.org/linux/man-pages/man2/rename.2.html
 */
export async function writeCheckpoint(path: string, checkpoint: TransferCheckpoint): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(`${JSON.stringify(checkpoint, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/**
 * Removes a checkpoint file; a missing one is fine.
 * @see https://man7.org/linux/man-pages/man2/fdatasync.2.html
 */
export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.tmp`, { force: true });
}

/**
 * True when a checkpoint was made by a copy of this source, of this size, into this target.
 * @see https://man7.org/linux/man-pages/man2/fdatasync.2.html
 */
export function checkpointMatches(
  cp: TransferCheckpoint,
  key: { source: string; size: number; target: string },
): boolean {
  return cp.source === key.source && cp.size === key.size && cp.target === key.target && cp.offset <= cp.size;
}

function isCheckpoint(v: unknown): v is TransferCheckpoint {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const isCount = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  return (
    o.kind === checkpointKind &&
    typeof o.source === 'string' &&
    typeof o.target === 'string' &&
    isCount(o.size) &&
    isCount(o.offset) &&
    isCount(o.sparseBytes) &&
    typeof o.prefixSha256 === 'string' &&
    typeof o.complete === 'boolean' &&
    (o.sha256 === undefined || typeof o.sha256 === 'string')
  );
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT';
}

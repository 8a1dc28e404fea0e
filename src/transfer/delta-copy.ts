/**
 * A warm migration's delta round: copies only the areas of a disk that changed since the previous
 * precopy (Changed Block Tracking's answer) into the target the earlier rounds filled, makes them
 * durable, and hashes the whole target so the status carries the sha256 of the disk as of this
 * round's snapshot.
 *
 * Idempotent: a round interrupted at any point is simply run again (the same areas of the same
 * snapshot are written again); there is no checkpoint.
 *
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.VirtualMachine.html#queryChangedDiskAreas
 * @see https://github.com/kubevirt/containerized-data-importer/blob/main/pkg/importer/vddk-datasource_amd64.go (CDI's delta copy)
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { MtvError } from '../api/errors.js';
import type { ChangedArea } from '../providers/vsphere/snapshots.js';
import type { RangeSource } from './copy-to-target.js';
import { ProgressMeter, TransferPhase, type ProgressCallback } from './progress.js';
import { hashTarget, openTarget, writeAt } from './target.js';

/** Options of {@link copyChangedAreas}. */
export interface DeltaCopyOptions {
  /** Bytes per ranged read. @default 16 MiB */
  chunkBytes?: number;
  /** Progress of the copy (phase `copy`, bytes of changed areas), then of the hash (`verify`). */
  onProgress?: ProgressCallback;
  /** Milliseconds between two progress reports at least. @default 1000 */
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

/** What {@link copyChangedAreas} did. */
export interface DeltaCopyResult {
  /** sha256 (hex) of the whole target after the round: the disk's content at the snapshot. */
  sha256: string;
  /** The disk's size, bytes. */
  bytes: number;
  /** Bytes of changed areas read and written. */
  copiedBytes: number;
  /** Wall time, milliseconds. */
  durationMs: number;
}

const MiB = 1024 * 1024;

/**
 * Writes the changed `areas` of `source` into `target` at their offsets, fdatasyncs, then hashes
 * the whole target.
 *
 * @param target the regular file or block device an earlier (full) round filled.
 * @throws {@link MtvError} when the target is missing or not the disk's size (no full copy to
 * update), or an area lies beyond the disk; the source's read errors; write errors; the signal's
 * reason when aborted.
 */
export async function copyChangedAreas(
  source: RangeSource,
  target: string,
  areas: readonly ChangedArea[],
  options: DeltaCopyOptions = {},
): Promise<DeltaCopyResult> {
  const started = performance.now();
  const st = await stat(target).catch(() => undefined);
  if (!st || (st.isFile() && st.size !== source.size))
    throw new MtvError(
      `${target}: ${st ? `has ${st.size} bytes, the disk ${source.size}` : 'does not exist'}; a delta round updates the full copy of the first precopy`,
      { hint: 'run the migration again from its first precopy (restart the plan)' },
    );
  for (const a of areas)
    if (a.start < 0 || a.length <= 0 || a.start + a.length > source.size)
      throw new MtvError(
        `changed area [${a.start}, ${a.start + a.length}) lies outside the disk (${source.size} bytes)`,
        {
          hint: "the source's change tracking disagrees with the disk's size: turn CBT off and on for the VM (resetting it) and restart the plan",
        },
      );
  const total = areas.reduce((n, a) => n + a.length, 0);
  const chunk = options.chunkBytes ?? 16 * MiB;
  const signal = options.signal ?? new AbortController().signal;
  const meterOptions =
    options.progressIntervalMs !== undefined ? { intervalMs: options.progressIntervalMs } : {};
  const t = await openTarget(target, source.size);
  try {
    const copy = new ProgressMeter(TransferPhase.Copy, total, 0, options.onProgress, meterOptions);
    const into = Buffer.allocUnsafe(Math.min(chunk, Math.max(1, total)));
    let done = 0;
    for (const a of areas) {
      for (let off = a.start; off < a.start + a.length;) {
        signal.throwIfAborted();
        const length = Math.min(chunk, a.start + a.length - off);
        const buf = await source.read(off, length, signal, into.subarray(0, length));
        await writeAt(t, buf.subarray(0, length), off);
        off += length;
        done += length;
        copy.update(done);
      }
    }
    copy.finish(done);
    await t.fh.datasync();
    const verify = new ProgressMeter(TransferPhase.Verify, source.size, 0, options.onProgress, meterOptions);
    const hash = createHash('sha256');
    await hashTarget(t, source.size, (b) => void hash.update(b), {
      signal,
      onBytes: (n) => verify.update(n),
    });
    verify.finish(source.size);
    return {
      sha256: hash.digest('hex'),
      bytes: source.size,
      copiedBytes: total,
      durationMs: performance.now() - started,
    };
  } finally {
    await t.fh.close();
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { ApiError } from '../api/errors.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { copyToTarget, type RangeSource } from './copy-to-target.js';
import type { TransferProgress } from './progress.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const chunkBytes = 256 * KiB;

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function target(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'mtv-copy-'));
  dirs.push(d);
  return path.join(d, 'vol', 'disk.img');
}

/** 4 MiB: random 64 KiB blocks, every other 256 KiB stretch zero. */
function disk(): Buffer {
  const b = Buffer.alloc(4 * MiB);
  for (let at = 0; at < b.length; at += 512 * KiB) randomBytes(256 * KiB).copy(b, at);
  return b;
}
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface MemSource extends RangeSource {
  bytesRead: number;
}

function memSource(
  data: Buffer,
  opts: { identity?: string; failAt?: number; delay?: boolean } = {},
): MemSource {
  const src: MemSource = {
    size: data.length,
    identity: opts.identity ?? 'mem',
    bytesRead: 0,
    read: async (offset, length, signal) => {
      signal.throwIfAborted();
      if (opts.delay) await new Promise((r) => setTimeout(r, Math.random() * 5));
      if (opts.failAt !== undefined && offset >= opts.failAt) throw new Error(`read failed at ${offset}`);
      src.bytesRead += length;
      return Buffer.from(data.subarray(offset, offset + length));
    },
  };
  return src;
}

/** Spies on `FileHandle#datasync` (the copy's fdatasyncs; calls go through unless mocked). */
async function spyOnDatasync(): Promise<MockInstance<FileHandle['datasync']>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtv-fh-'));
  dirs.push(dir);
  const fh = await open(path.join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(fh) as FileHandle;
  await fh.close();
  return vi.spyOn(proto, 'datasync');
}

/** The error a failed fdatasync rejects with. */
function eio(): Error {
  return Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', syscall: 'fdatasync' });
}

// background fdatasyncs every 1 MiB: the 4 MiB disks below run a few while they copy
const opts = { chunkBytes, zeroBlockBytes: 4 * KiB, progressIntervalMs: 0, syncEveryBytes: MiB };

describe('copyToTarget', () => {
  it('copies byte for byte, leaves holes, and hashes the logical content', async () => {
    const data = disk();
    const t = target();
    const progress: TransferProgress[] = [];
    const r = await copyToTarget(memSource(data, { delay: true }), t, {
      ...opts,
      onProgress: (p) => progress.push(p),
    });
    expect(readFileSync(t).equals(data)).toBe(true);
    expect(r).toMatchObject({
      sha256: sha256(data),
      bytes: data.length,
      sparseBytes: 2 * MiB,
      resumedFrom: 0,
    });
    expect(r.copiedBytes).toBe(data.length);
    expect(statSync(t).blocks * 512).toBeLessThanOrEqual(2 * MiB + 64 * KiB);
    expect(progress.at(-1)).toMatchObject({ phase: 'copy', bytesDone: data.length, bytesTotal: data.length });
    const cp = await readCheckpoint(`${t}.mtv-checkpoint.json`);
    expect(cp).toMatchObject({ complete: true, offset: data.length, sha256: r.sha256 });
  });

  it('returns at once for a complete copy (idempotent)', async () => {
    const data = disk();
    const t = target();
    await copyToTarget(memSource(data), t, opts);
    const again = memSource(data);
    const r = await copyToTarget(again, t, opts);
    expect(again.bytesRead).toBe(0);
    expect(r).toMatchObject({ sha256: sha256(data), resumedFrom: data.length, copiedBytes: 0 });
  });

  it('resumes after an abort and reads only the remainder', async () => {
    const data = disk();
    const t = target();
    const ac = new AbortController();
    const first = memSource(data);
    const aborted = copyToTarget(first, t, {
      ...opts,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.bytesDone >= MiB) ac.abort(new Error('stop'));
      },
    });
    await expect(aborted).rejects.toThrow('stop');
    const cp = await readCheckpoint(`${t}.mtv-checkpoint.json`);
    expect(cp?.complete).toBe(false);
    expect(cp?.offset).toBe(MiB);

    const second = memSource(data);
    const r = await copyToTarget(second, t, opts);
    expect(r).toMatchObject({ sha256: sha256(data), resumedFrom: MiB, copiedBytes: data.length - MiB });
    expect(second.bytesRead).toBe(data.length - MiB);
    expect(r.sparseBytes).toBe(2 * MiB);
    expect(readFileSync(t).equals(data)).toBe(true);
  });

  it('saves a checkpoint when the source fails, and resumes from it', async () => {
    const data = disk();
    const t = target();
    await expect(copyToTarget(memSource(data, { failAt: 3 * MiB }), t, opts)).rejects.toThrow(
      'read failed at 3145728',
    );
    expect((await readCheckpoint(`${t}.mtv-checkpoint.json`))?.offset).toBe(3 * MiB);
    const r = await copyToTarget(memSource(data), t, opts);
    expect(r).toMatchObject({ sha256: sha256(data), resumedFrom: 3 * MiB });
  });

  it('drops what a killed copy wrote after its last checkpoint', async () => {
    const data = disk();
    const t = target();
    const ac = new AbortController();
    await copyToTarget(memSource(data), t, {
      ...opts,
      signal: ac.signal,
      onProgress: (p) => p.bytesDone >= 2 * MiB && ac.abort(new Error('stop')),
    }).catch(() => undefined);
    // a killed process wrote data past the checkpoint, even into what must stay zeros
    const garbage = readFileSync(t);
    garbage.fill(0xee, 2 * MiB);
    writeFileSync(t, garbage);
    const r = await copyToTarget(memSource(data), t, opts);
    expect(r.resumedFrom).toBe(2 * MiB);
    expect(readFileSync(t).equals(data)).toBe(true);
  });

  it('starts over when the written prefix no longer matches the checkpoint', async () => {
    const data = disk();
    const t = target();
    const ac = new AbortController();
    await copyToTarget(memSource(data), t, {
      ...opts,
      signal: ac.signal,
      onProgress: (p) => p.bytesDone >= 2 * MiB && ac.abort(new Error('stop')),
    }).catch(() => undefined);
    const tampered = readFileSync(t);
    tampered[10] = (tampered[10] ?? 0) ^ 0xff;
    writeFileSync(t, tampered);
    const src = memSource(data);
    const r = await copyToTarget(src, t, opts);
    expect(r.resumedFrom).toBe(0);
    expect(src.bytesRead).toBe(data.length);
    expect(r.sha256).toBe(sha256(data));
  });

  it('starts over for a different source version', async () => {
    const data = disk();
    const t = target();
    const cpPath = path.join(path.dirname(t), 'cp.json');
    await copyToTarget(memSource(data, { identity: 'v1' }), t, { ...opts, checkpointPath: cpPath });
    const changed = Buffer.from(data);
    changed[0] = (changed[0] ?? 0) ^ 1;
    const r = await copyToTarget(memSource(changed, { identity: 'v2' }), t, {
      ...opts,
      checkpointPath: cpPath,
    });
    expect(r).toMatchObject({ resumedFrom: 0, sha256: sha256(changed) });
  });

  it('writes every byte, zeros included, when holes are off (as for a block device)', async () => {
    const data = disk();
    const t = target();
    await copyToTarget(memSource(Buffer.alloc(data.length, 0xaa), { identity: 'old' }), t, opts);
    const r = await copyToTarget(memSource(data), t, { ...opts, skipZeroBlocks: false });
    expect(r.sparseBytes).toBe(0);
    expect(readFileSync(t).equals(data)).toBe(true);
    expect(statSync(t).blocks * 512).toBeGreaterThanOrEqual(data.length);
  });

  it('handles a size that is not a multiple of the chunk, and an empty source', async () => {
    const data = randomBytes(chunkBytes * 2 + 1234);
    const t = target();
    expect((await copyToTarget(memSource(data), t, opts)).sha256).toBe(sha256(data));
    expect(readFileSync(t).equals(data)).toBe(true);
    const empty = target();
    const r = await copyToTarget(memSource(Buffer.alloc(0)), empty, opts);
    expect(r).toMatchObject({ bytes: 0, sha256: sha256(Buffer.alloc(0)) });
  });

  it('saves periodic checkpoints in the background, each with the digest of its own prefix', async () => {
    const data = disk();
    const t = target();
    const seen: { offset: number; prefixSha256: string }[] = [];
    const src = memSource(data);
    const read = src.read.bind(src);
    src.read = async (offset, length, signal) => {
      if (offset >= 3 * MiB) {
        await new Promise((r) => setTimeout(r, 100)); // let a background checkpoint land
        const cp = await readCheckpoint(`${t}.mtv-checkpoint.json`);
        if (cp) seen.push(cp);
      }
      return read(offset, length, signal);
    };
    await copyToTarget(src, t, { ...opts, checkpointEveryBytes: MiB });
    expect(seen.length).toBeGreaterThan(0);
    for (const cp of seen) {
      expect(cp.offset % MiB).toBe(0);
      expect(cp.prefixSha256).toBe(sha256(data.subarray(0, cp.offset)));
    }
  });

  it('gives the same result with background fdatasyncs after every chunk, or none before the final one', async () => {
    const data = disk();
    const datasync = await spyOnDatasync();
    const calls: number[] = [];
    for (const syncEveryBytes of [chunkBytes / 2, 0]) {
      datasync.mockClear();
      const t = target();
      const r = await copyToTarget(memSource(data, { delay: true }), t, { ...opts, syncEveryBytes });
      expect(r).toMatchObject({ sha256: sha256(data), sparseBytes: 2 * MiB });
      expect(readFileSync(t).equals(data)).toBe(true);
      expect(await readCheckpoint(`${t}.mtv-checkpoint.json`)).toMatchObject({ complete: true });
      calls.push(datasync.mock.calls.length);
    }
    // one in the background from the first chunk on (one at a time), then the final one; or only that
    expect(calls[0]).toBeGreaterThanOrEqual(2);
    expect(calls[1]).toBe(1);
  });

  it('fails the copy and removes the checkpoint when a background fdatasync fails', async () => {
    const data = disk();
    const t = target();
    const cpPath = `${t}.mtv-checkpoint.json`;
    const ac = new AbortController();
    await copyToTarget(memSource(data), t, {
      ...opts,
      signal: ac.signal,
      onProgress: (p) => p.bytesDone >= MiB && ac.abort(new Error('stop')),
    }).catch(() => undefined);
    expect(await readCheckpoint(cpPath)).toMatchObject({ offset: MiB });
    const datasync = (await spyOnDatasync()).mockRejectedValueOnce(eio());
    await expect(copyToTarget(memSource(data), t, opts)).rejects.toMatchObject({ code: 'EIO' });
    expect(datasync).toHaveBeenCalledTimes(1); // the background one: the copy stopped before the final one
    expect(existsSync(cpPath)).toBe(false);
    const r = await copyToTarget(memSource(data), t, opts);
    expect(r).toMatchObject({ resumedFrom: 0, sha256: sha256(data) });
  });

  it('reports a failed background fdatasync with the error that stopped the copy', async () => {
    const data = disk();
    const t = target();
    const cpPath = `${t}.mtv-checkpoint.json`;
    // the fdatasync started after the 4th chunk (1 MiB) fails; the read of the 5th fails meanwhile
    await spyOnDatasync().then((d) => d.mockRejectedValueOnce(eio()));
    const e: unknown = await copyToTarget(memSource(data, { failAt: MiB }), t, opts).catch((x: unknown) => x);
    expect((e as Error).message).toBe('read failed at 1048576');
    expect((e as Error).cause).toMatchObject({ code: 'EIO' });
    expect(existsSync(cpPath)).toBe(false);

    // an error that has a cause of its own gets the fdatasync's failure in its hint
    await spyOnDatasync().then((d) => d.mockRejectedValueOnce(eio()));
    const src = memSource(data);
    const read = src.read.bind(src);
    src.read = async (offset, length, signal) => {
      if (offset < MiB) return read(offset, length, signal);
      throw new ApiError('GET [ds1] vm/disk-flat.vmdk: HTTP 503', 503, { cause: new Error('busy') });
    };
    const api: unknown = await copyToTarget(src, t, opts).catch((x: unknown) => x);
    expect(api).toBeInstanceOf(ApiError);
    expect((api as ApiError).hint).toMatch(
      /^a background fdatasync of the target failed too \(EIO: i\/o error, fdatasync\); the checkpoint was removed/,
    );
  });

  it('ignores a checkpoint written for another target', async () => {
    const data = disk();
    const t = target();
    const cpPath = `${t}.mtv-checkpoint.json`;
    await copyToTarget(memSource(data), t, opts);
    const cp = await readCheckpoint(cpPath);
    if (!cp) throw new Error('no checkpoint');
    await writeCheckpoint(cpPath, { ...cp, target: '/elsewhere/disk.img' });
    const src = memSource(data);
    await copyToTarget(src, t, opts);
    expect(src.bytesRead).toBe(data.length);
  });
});

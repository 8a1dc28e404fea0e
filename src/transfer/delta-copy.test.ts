import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RangeSource } from './copy-to-target.js';
import { copyChangedAreas } from './delta-copy.js';
import type { TransferProgress } from './progress.js';

/** A disk in memory as a RangeSource, counting the bytes read. */
function memorySource(data: Buffer): RangeSource & { readBytes: number } {
  return {
    size: data.length,
    identity: 'memory',
    readBytes: 0,
    read(offset, length) {
      this.readBytes += length;
      return Promise.resolve(Buffer.from(data.subarray(offset, offset + length)));
    },
  };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const dir = () => mkdtempSync(path.join(tmpdir(), 'mtv-delta-'));

describe('copyChangedAreas', () => {
  it('writes only the changed areas; the target then equals the new disk', async () => {
    const before = randomBytes(1024 * 1024);
    const after = Buffer.from(before);
    randomBytes(4096).copy(after, 65536);
    randomBytes(100).copy(after, 900_000);
    const target = path.join(dir(), 'disk.img');
    writeFileSync(target, before);
    const source = memorySource(after);
    const reports: TransferProgress[] = [];
    const r = await copyChangedAreas(
      source,
      target,
      [
        { start: 65536, length: 4096 },
        { start: 899_840, length: 512 },
      ],
      { chunkBytes: 1000, progressIntervalMs: 0, onProgress: (p) => reports.push(p) },
    );
    expect(readFileSync(target).equals(after)).toBe(true);
    expect(r.sha256).toBe(sha(after));
    expect(r.copiedBytes).toBe(4608);
    expect(source.readBytes).toBe(4608);
    expect(reports.filter((p) => p.phase === 'copy').at(-1)).toMatchObject({
      bytesDone: 4608,
      bytesTotal: 4608,
    });
    expect(reports.at(-1)).toMatchObject({ phase: 'verify', bytesDone: after.length });
  });

  it('leaves an area it was not told about as it was (CBT decides what is copied)', async () => {
    const before = Buffer.alloc(8192, 1);
    const after = Buffer.alloc(8192, 2);
    const target = path.join(dir(), 'disk.img');
    writeFileSync(target, before);
    const r = await copyChangedAreas(memorySource(after), target, [{ start: 0, length: 4096 }]);
    const got = readFileSync(target);
    expect(got.subarray(0, 4096).equals(after.subarray(0, 4096))).toBe(true);
    expect(got.subarray(4096).equals(before.subarray(4096))).toBe(true);
    expect(r.sha256).toBe(sha(got));
  });

  it('refuses a target without the full copy, naming it and the size', async () => {
    const source = memorySource(Buffer.alloc(4096));
    const missing = path.join(dir(), 'missing.img');
    await expect(copyChangedAreas(source, missing, [])).rejects.toThrow(/missing\.img: does not exist/);
    const short = path.join(dir(), 'short.img');
    writeFileSync(short, Buffer.alloc(100));
    await expect(copyChangedAreas(source, short, [])).rejects.toThrow(/has 100 bytes, the disk 4096/);
  });

  it('refuses an area outside the disk before writing anything', async () => {
    const target = path.join(dir(), 'disk.img');
    writeFileSync(target, Buffer.alloc(4096, 7));
    await expect(
      copyChangedAreas(memorySource(Buffer.alloc(4096)), target, [
        { start: 0, length: 512 },
        { start: 4000, length: 512 },
      ]),
    ).rejects.toThrow(/\[4000, 4512\) lies outside the disk \(4096 bytes\)/);
    expect(readFileSync(target).equals(Buffer.alloc(4096, 7))).toBe(true);
  });
});

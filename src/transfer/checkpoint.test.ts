import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkpointKind,
  checkpointMatches,
  defaultCheckpointPath,
  readCheckpoint,
  removeCheckpoint,
  writeCheckpoint,
  type TransferCheckpoint,
} from './checkpoint.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'mtv-cp-'));
  dirs.push(d);
  return d;
}

const cp: TransferCheckpoint = {
  kind: checkpointKind,
  source: '[ds] vm/vm-flat.vmdk|1024||',
  target: '/x/disk.img',
  size: 1024,
  offset: 512,
  prefixSha256: 'ab',
  sparseBytes: 0,
  complete: false,
  savedAt: '2026-01-01T00:00:00.000Z',
};

describe('checkpoint files', () => {
  it('round-trips', async () => {
    const p = path.join(tmp(), 'disk.img.mtv-checkpoint.json');
    await writeCheckpoint(p, cp);
    expect(await readCheckpoint(p)).toEqual(cp);
    await removeCheckpoint(p);
    expect(await readCheckpoint(p)).toBeUndefined();
  });

  it('treats a torn or foreign file as no checkpoint', async () => {
    const d = tmp();
    writeFileSync(path.join(d, 'a'), '{"kind": "mtv.transfer.checkpoint/v1", "offs');
    writeFileSync(path.join(d, 'b'), JSON.stringify({ ...cp, offset: -1 }));
    writeFileSync(path.join(d, 'c'), JSON.stringify({ ...cp, kind: 'other' }));
    for (const f of ['a', 'b', 'c']) expect(await readCheckpoint(path.join(d, f))).toBeUndefined();
  });

  it('matches only the same source, size and target', () => {
    const key = { source: cp.source, size: 1024, target: '/x/disk.img' };
    expect(checkpointMatches(cp, key)).toBe(true);
    expect(checkpointMatches(cp, { ...key, source: 'other' })).toBe(false);
    expect(checkpointMatches(cp, { ...key, size: 2048 })).toBe(false);
    expect(checkpointMatches(cp, { ...key, target: '/y/disk.img' })).toBe(false);
  });

  it('sits beside the target by default', () => {
    expect(defaultCheckpointPath('/v/ns/pvc/disk.img')).toBe('/v/ns/pvc/disk.img.mtv-checkpoint.json');
  });
});

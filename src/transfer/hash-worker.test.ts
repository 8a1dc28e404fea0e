import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InternalError } from '../api/errors.js';
import { Sha256Worker } from './hash-worker.js';

const sha256 = (...parts: Buffer[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('Sha256Worker', () => {
  it('hashes plain and shared buffers in order, with digests on the way', async () => {
    const w = new Sha256Worker(1024); // tiny queue: exercises the wait for room
    const a = randomBytes(100_000);
    const shared = Buffer.from(new SharedArrayBuffer(50_000));
    randomBytes(50_000).copy(shared);
    await w.update(a);
    expect(await w.digest()).toBe(sha256(a));
    await w.update(shared.subarray(10, 40_010));
    const reused = Buffer.from(a.subarray(0, 1000));
    const p = w.update(reused);
    reused.fill(0); // a plain buffer is copied at once: changing it afterwards is fine
    await p;
    expect(await w.digest()).toBe(sha256(a, shared.subarray(10, 40_010), a.subarray(0, 1000)));
    await w.close();
  });

  it('fails clearly once closed', async () => {
    const w = new Sha256Worker();
    await w.close();
    await expect(w.update(Buffer.from('x'))).rejects.toBeInstanceOf(InternalError);
    await expect(w.digest()).rejects.toBeInstanceOf(InternalError);
  });
});

import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.js';

describe('AsyncQueue', () => {
  it('delivers pushed items in order, then ends', async () => {
    const q = new AsyncQueue<number>();
    setTimeout(() => {
      q.push(1);
      q.push(2);
      q.end();
      q.push(3);
    }, 5);
    const got: number[] = [];
    for await (const n of q) got.push(n);
    expect(got).toEqual([1, 2]);
  });

  it('throws a failure after the items queued before it', async () => {
    const q = new AsyncQueue<string>();
    q.push('a');
    q.fail(new Error('boom'));
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const s of q) got.push(s);
      })(),
    ).rejects.toThrow('boom');
    expect(got).toEqual(['a']);
  });
});

import { describe, expect, it } from 'vitest';
import { backoffDelayMs, sleep, withRetry } from './retry.js';

const policy = { retries: 3, baseDelayMs: 1, maxDelayMs: 4 };

describe('backoffDelayMs', () => {
  it('doubles up to the maximum, scaled by jitter in [0.5, 1)', () => {
    const p = { retries: 9, baseDelayMs: 500, maxDelayMs: 15_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, p, 0.999_999))).toEqual([
      500, 1000, 2000, 4000, 8000, 15_000, 15_000,
    ]);
    expect(backoffDelayMs(2, p, 0)).toBe(1000);
  });
});

describe('withRetry', () => {
  it('retries transient failures, then succeeds', async () => {
    let calls = 0;
    const seen: number[] = [];
    const v = await withRetry(
      () => (++calls < 3 ? Promise.reject(new Error('reset')) : Promise.resolve('ok')),
      { policy, isTransient: () => true, onRetry: (_e, attempt) => seen.push(attempt) },
    );
    expect(v).toBe('ok');
    expect(seen).toEqual([0, 1]);
  });

  it('gives up after the retries, with the last failure', async () => {
    let calls = 0;
    await expect(
      withRetry(() => Promise.reject(new Error(`fail ${++calls}`)), { policy, isTransient: () => true }),
    ).rejects.toThrow('fail 4');
  });

  it('does not retry a permanent failure', async () => {
    let calls = 0;
    await expect(
      withRetry(() => Promise.reject(new Error(`fail ${++calls}`)), { policy, isTransient: () => false }),
    ).rejects.toThrow('fail 1');
  });

  it('stops waiting when aborted, with the signal reason', async () => {
    const ac = new AbortController();
    const p = withRetry(() => Promise.reject(new Error('x')), {
      policy: { retries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      isTransient: () => true,
      signal: ac.signal,
    });
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });

  it('sleep rejects at once for an aborted signal', async () => {
    await expect(sleep(10, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

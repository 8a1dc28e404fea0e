import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('never runs one key twice at once, and reruns a key added while it runs', async () => {
    let active = 0;
    let maxActive = 0;
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new WorkQueue(async (key) => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs.push(key);
      if (runs.length === 1) await gate;
      active--;
      return undefined;
    });
    q.add('a');
    await tick();
    q.add('a');
    q.add('a');
    await tick();
    expect(maxActive).toBe(1);
    release();
    await q.idle();
    expect(runs).toEqual(['a', 'a']);
  });

  it('collapses duplicate adds of a waiting key and runs different keys concurrently', async () => {
    const seen: string[] = [];
    let concurrent = 0;
    let peak = 0;
    const q = new WorkQueue(
      async (key) => {
        concurrent++;
        peak = Math.max(peak, concurrent);
        seen.push(key);
        await tick(5);
        concurrent--;
        return undefined;
      },
      { concurrency: 2 },
    );
    for (const k of ['a', 'b', 'c', 'c', 'c']) q.add(k);
    await q.idle();
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect(peak).toBe(2);
  });

  it('retries a failing key with backoff and reports the error', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const q = new WorkQueue(
      () => {
        calls++;
        if (calls < 3) return Promise.reject(new Error(`boom ${calls}`));
        return Promise.resolve(undefined);
      },
      { baseBackoffMs: 5, onError: (_k, e) => errors.push(e) },
    );
    q.add('x');
    for (let i = 0; i < 50 && calls < 3; i++) await tick(5);
    expect(calls).toBe(3);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom 1', 'boom 2']);
    await q.shutdown();
  });

  it('honours requeueAfterMs and keeps the earliest due time', async () => {
    const times: number[] = [];
    const other: number[] = [];
    const start = Date.now();
    const q = new WorkQueue((key) => {
      if (key === 'other') {
        other.push(Date.now() - start);
        return Promise.resolve(undefined);
      }
      times.push(Date.now());
      return Promise.resolve(times.length === 1 ? { requeueAfterMs: 20 } : undefined);
    });
    q.add('k');
    q.add('other', 1000);
    q.add('other', 10);
    await tick(60);
    expect(times).toHaveLength(2);
    expect(other).toHaveLength(1);
    expect(other[0]).toBeLessThan(1000);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(15);
    await q.shutdown();
  });

  it('shutdown aborts the signal handlers see and drops delayed keys', async () => {
    let aborted = false;
    const q = new WorkQueue(async (_k, signal) => {
      await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
      aborted = signal.aborted;
      return undefined;
    });
    q.add('a');
    q.add('b', 10_000);
    await tick();
    await q.shutdown();
    expect(aborted).toBe(true);
    expect(q.depth).toBe(0);
  });
});

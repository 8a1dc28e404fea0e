import { describe, expect, it } from 'vitest';
import { ProgressMeter, type TransferProgress } from './progress.js';

const MiB = 1024 * 1024;

function meter(total: number, start = 0, intervalMs = 1000) {
  let now = 0;
  const reports: TransferProgress[] = [];
  const m = new ProgressMeter('copy', total, start, (p) => reports.push(p), {
    intervalMs,
    windowMs: 5000,
    now: () => now,
  });
  return { m, reports, at: (t: number) => (now = t) };
}

describe('ProgressMeter', () => {
  it('reports at most once per interval, and always at the end', () => {
    const { m, reports, at } = meter(100 * MiB);
    for (let i = 1; i <= 10; i++) {
      at(i * 250);
      m.update(i * 10 * MiB);
    }
    m.finish(100 * MiB);
    // t=250 (first), 1250, 2250 from updates; plus finish
    expect(reports.map((r) => r.bytesDone / MiB)).toEqual([10, 50, 90, 100]);
  });

  it('computes throughput in MiB/s and the ETA in seconds', () => {
    const { m, reports, at } = meter(100 * MiB, 0, 0);
    at(2000);
    m.update(20 * MiB);
    expect(reports.at(-1)).toMatchObject({ throughputMiBps: 10, etaSeconds: 8, bytesTotal: 100 * MiB });
  });

  it('does not count a resumed prefix towards the throughput', () => {
    const { m, reports, at } = meter(100 * MiB, 60 * MiB, 0);
    at(1000);
    m.update(70 * MiB);
    expect(reports.at(-1)).toMatchObject({ bytesDone: 70 * MiB, throughputMiBps: 10, etaSeconds: 3 });
  });

  it('uses a sliding window: a recent slowdown shows', () => {
    const { m, reports, at } = meter(1000 * MiB, 0, 0);
    for (let t = 1; t <= 10; t++) {
      at(t * 1000);
      m.update(t <= 5 ? t * 100 * MiB : 500 * MiB + (t - 5) * 10 * MiB);
    }
    expect(reports.at(-1)?.throughputMiBps).toBe(10);
  });

  it('has no ETA before any progress', () => {
    const { m, reports, at } = meter(10, 0, 0);
    at(1000);
    m.update(0);
    expect(reports.at(-1)).toMatchObject({ throughputMiBps: 0, etaSeconds: undefined });
  });
});

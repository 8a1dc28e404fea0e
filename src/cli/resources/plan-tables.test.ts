import { describe, expect, it } from 'vitest';
import type { Plan } from '../../api/index.js';
import { runningPlan } from './plan.fixture.js';
import { planDetailData, planDetailText, vmList } from './plan-tables.js';

const planVmsTable = (plan: Plan, bars: boolean) => planDetailText(plan, ['vms'], bars);
const planDisksTable = (plan: Plan, bars: boolean) => planDetailText(plan, ['disk'], bars);

const lines = (text: string) => text.trimEnd().split('\n');

describe('get plan NAME --vms', () => {
  it('has a row per VM with its step, transfer (rate, ETA) and result', () => {
    expect(lines(planVmsTable(runningPlan(), false))).toEqual([
      'VM      ID       PHASE       STEP           TRANSFER                                  RESULT',
      'web-1   vm-101   Completed   -              100% (2048/2048 MiB)                      Succeeded',
      'web-2   vm-102   CopyDisks   DiskTransfer   11% (612/5120 MiB) 48.3 MiB/s ETA 8m20s   running',
      'db-1    vm-103   Completed   -              50% (300/600 MiB)                         Failed: reading disk 2000: connection reset by peer',
      'db-2    vm-104   Started                    -                                         waiting: host host-1 already has 2 VMs in flight (maxInFlight 2)',
    ]);
  });

  it('draws bars in front of the numbers for a terminal', () => {
    const text = planVmsTable(runningPlan(), true);
    expect(text).toContain('[##########] 100% (2048/2048 MiB)');
    expect(text).toContain('[#---------] 11% (612/5120 MiB) 48.3 MiB/s ETA 8m20s');
  });
});

describe('get plan NAME --disk', () => {
  it('has a row per disk with progress, throughput, ETA and sha256', () => {
    expect(lines(planDisksTable(runningPlan(), false))).toEqual([
      'VM      DISK   PHASE       PROGRESS               THROUGHPUT   ETA     SHA256',
      `web-1   2000   Completed   100% (2048/2048 MiB)   96.5 MiB/s   -       ${'a'.repeat(64)}`,
      'web-2   2000   Running     50% (512/1024 MiB)     40.3 MiB/s   13s',
      'web-2   2001   Running     2% (100/4096 MiB)      8.0 MiB/s    8m20s',
      'db-1    2000   Failed      50% (300/600 MiB)      -            -',
    ]);
  });

  it('prints both tables when both are asked for, VMs first', () => {
    const text = planDetailText(runningPlan(), ['vms', 'disk'], false);
    expect(text.indexOf('VM      ID')).toBe(0);
    expect(text).toContain('\n\nVM      DISK   PHASE');
  });

  it('gives rows as data for -o json', () => {
    const disks = planDetailData(runningPlan(), ['disk']) as { disk: string; throughputMiBps?: number }[];
    expect(disks.map((d) => [d.disk, d.throughputMiBps])).toEqual([
      ['2000', 96.5],
      ['2000', 40.25],
      ['2001', 8],
      ['2000', undefined],
    ]);
    const both = planDetailData(runningPlan(), ['vms', 'disk']) as { vms: unknown[]; disks: unknown[] };
    expect([both.vms.length, both.disks.length]).toEqual([4, 4]);
  });
});

describe('vmList', () => {
  it('names VMs with their ids and says how many more there are', () => {
    const vms = Array.from({ length: 4 }, (_, i) => ({ name: `vm${String(i)}`, id: `id-${String(i)}` }));
    expect(vmList(vms, 2)).toBe('vm0 (id-0), vm1 (id-1), … and 2 more');
    expect(vmList([{ id: 'only-id' }])).toBe('only-id');
  });
});

import { describe, expect, it } from 'vitest';
import { schedule, type ScheduledVm } from './scheduler.js';

const vms = (n: number, host: string, state: ScheduledVm['state'] = 'waiting'): ScheduledVm[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${host}-vm${String(i)}`, host, state }));

describe('schedule', () => {
  it('admits a large plan up to maxInFlight per host in one call', () => {
    const s = schedule([...vms(500, 'h1'), ...vms(500, 'h2')], 20);
    expect(s.admit).toHaveLength(40);
    expect(s.admit.filter((id) => id.startsWith('h1'))).toHaveLength(20);
    expect(s.pending).toHaveLength(960);
    expect(s.pending[0]?.reason).toBe('host h1 already has 20 VMs in flight (maxInFlight 20)');
  });

  it('counts VMs already running (other plans of the provider too) and ignores finished ones', () => {
    const s = schedule([...vms(3, 'h1', 'running'), ...vms(5, 'h1', 'done'), ...vms(4, 'h1')], 5);
    expect(s.admit).toEqual(['h1-vm0', 'h1-vm1']);
    expect(s.pending.map((p) => p.id)).toEqual(['h1-vm2', 'h1-vm3']);
  });

  it('keeps the order given', () => {
    expect(
      schedule(
        [
          { id: 'b', host: 'h', state: 'waiting' },
          { id: 'a', host: 'h', state: 'waiting' },
        ],
        1,
      ).admit,
    ).toEqual(['b']);
  });
});

/**
 * Which VMs may start copying: at most `maxInFlight` VMs in flight per source host, counted across
 * every running plan of the same source provider (Forklift's vSphere scheduler, with a VM's cost
 * being 1 until its VM is created). Pure: the Migration reconciler passes the VMs it knows.
 *
 * One call admits as many VMs as fit, so a 1,000-VM plan starts its first `maxInFlight` per host
 * at once rather than one per reconcile.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/scheduler/vsphere/scheduler.go
 */

/** A VM as the scheduler sees it. */
export interface ScheduledVm {
  id: string;
  /** Source host id (the inventory VM's `host`); VMs without one share the `''` host. */
  host: string;
  /** `running` counts against its host; `waiting` asks to start; `done` is ignored. */
  state: 'waiting' | 'running' | 'done';
}

/** The scheduler's decision. */
export interface Schedule {
  /** Ids of waiting VMs that may start now, in the order given. */
  admit: string[];
  /** Waiting VMs that must wait, with the reason for their `Pending` condition. */
  pending: { id: string; reason: string }[];
}

/** Admits waiting VMs while their host has room. @default maxInFlight 20 */
export function schedule(vms: readonly ScheduledVm[], maxInFlight = 20): Schedule {
  const load = new Map<string, number>();
  for (const vm of vms) if (vm.state === 'running') load.set(vm.host, (load.get(vm.host) ?? 0) + 1);
  const out: Schedule = { admit: [], pending: [] };
  for (const vm of vms) {
    if (vm.state !== 'waiting') continue;
    const n = load.get(vm.host) ?? 0;
    if (n < maxInFlight) {
      out.admit.push(vm.id);
      load.set(vm.host, n + 1);
    } else {
      out.pending.push({
        id: vm.id,
        reason: `host ${vm.host || '<unknown>'} already has ${String(n)} VMs in flight (maxInFlight ${String(maxInFlight)})`,
      });
    }
  }
  return out;
}

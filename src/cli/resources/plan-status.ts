/**
 * Facts read from a plan's `status.migration`: per-VM results and steps, per-disk progress with
 * the controller's task annotations (throughput, ETA, sha256, resume point), and their sums.
 * Pure functions over Forklift's VMStatus; a status written by Forklift's own controller (no mtv
 * annotations) yields the same facts without throughput and ETA.
 */
import type { Plan, Step, Task, VMStatus } from '../../api/index.js';
import { normalizeVmName } from '../../planner/naming.js';

/** The annotations mtv's controller writes on DiskTransfer tasks. */
const DiskAnnotation = {
  /** The source disk's key. */
  key: 'mtv.konveyor.io/disk-key',
  /** sha256 of the copied image, once complete. */
  sha256: 'mtv.konveyor.io/sha256',
  /** Bytes already present when a copy continued from its checkpoint. */
  resumedFrom: 'mtv.konveyor.io/resumed-from',
  /** Recent MiB/s while copying; the mean rate once complete (decimal string). */
  throughput: 'mtv.konveyor.io/throughput-mibps',
  /** Whole seconds left, only while copying. */
  eta: 'mtv.konveyor.io/eta-seconds',
} as const;

/** The pipeline step that copies disks (MiB, a task per disk). */
export const diskTransferStep = 'DiskTransfer';

/** How a VM's migration ended. */
export type VmResult = 'Succeeded' | 'Failed' | 'Canceled';

/** One disk of a VM's migration. */
export interface DiskFacts {
  /** The VM's name (else its id). */
  vm: string;
  /** The disk key, else the task name. */
  disk: string;
  /** Completed, Running, or the VM's result when it ended before this copy did. */
  phase: string;
  completedMiB: number;
  totalMiB: number;
  /** The copy is in progress (the VM runs and the task is not Completed). */
  copying: boolean;
  /** Recent MiB/s while copying, the mean MiB/s once complete. */
  throughputMiBps?: number;
  /** Seconds left, while copying. */
  etaSeconds?: number;
  sha256?: string;
  /** Bytes already there when the copy resumed from a checkpoint. */
  resumedFromBytes?: number;
  /** The task's error, reasons joined. */
  error?: string;
}

/** Progress of disk copies with the rate and time left of those still copying. */
export interface TransferFacts {
  completed: number;
  total: number;
  /** Sum of the copying disks' throughput, when any reports one. */
  throughputMiBps?: number;
  /** The longest ETA of the copying disks, when any reports one. */
  etaSeconds?: number;
}

/** VM counts of a run: done (phase Completed) and by result. */
export interface VmCounts {
  done: number;
  total: number;
  succeeded: number;
  failed: number;
  canceled: number;
}

/** A non-negative finite decimal, else undefined. */
function decimal(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** A non-negative integer, else undefined. */
function integer(text: string | undefined): number | undefined {
  const n = decimal(text);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

/** The VM's name, else its id. */
export function vmLabel(v: { name?: string | undefined; id?: string | undefined }): string {
  return v.name ?? v.id ?? '';
}

/** The VM's name in KubeVirt: `targetName`, else the normalised name Forklift reports, else the source name made DNS-1123. */
export function targetNameOf(v: { name?: string; targetName?: string; newName?: string }): string {
  return v.targetName ?? v.newName ?? normalizeVmName(v.name ?? '');
}

/** Succeeded, Failed or Canceled from the VM's conditions; undefined while it runs. */
function vmResult(v: VMStatus): VmResult | undefined {
  for (const t of ['Failed', 'Canceled', 'Succeeded'] as const)
    if (v.conditions?.some((c) => c.type === t && c.status === 'True')) return t;
  return undefined;
}

/** The VM's run is over (Forklift's phase Completed, whatever the result). */
function vmFinished(v: VMStatus): boolean {
  return v.phase === 'Completed';
}

/** The running step's name; `-` once the VM is done; empty before any step runs. */
export function currentStep(v: VMStatus): string {
  if (vmFinished(v)) return '-';
  return v.pipeline.find((s) => s.phase === 'Running')?.name ?? '';
}

/**
 * A step's phase as it stands: Pending when unset, and for a VM whose run ended while the step
 * ran (it failed or was canceled there) the VM's result instead of a stale Running.
 */
export function stepPhase(v: VMStatus, s: Step): string {
  if (s.phase === 'Running' && vmFinished(v)) return vmResult(v) ?? 'Stopped';
  return s.phase ?? 'Pending';
}

/** The DiskTransfer step, if the pipeline has one. */
function diskTransfer(v: VMStatus): Step | undefined {
  return v.pipeline.find((s) => s.name === diskTransferStep);
}

/** Why a queued VM waits (the scheduler's Pending condition), if it does. */
export function pendingReason(v: VMStatus): string | undefined {
  const c = v.conditions?.find((x) => x.type === 'Pending' && x.status === 'True');
  return c ? (c.message ?? c.reason ?? '') : undefined;
}

/** The VM's result as one cell: Succeeded, Canceled, `Failed: reasons`, `waiting[: why]`, `running`. */
export function resultText(v: VMStatus): string {
  const r = vmResult(v);
  if (r === 'Failed') {
    const why = v.error?.reasons.join('; ') ?? v.conditions?.find((c) => c.type === 'Failed')?.message ?? '';
    return `Failed: ${why}`;
  }
  if (r) return r;
  const pending = pendingReason(v);
  if (pending) return `waiting: ${pending}`;
  return v.phase === 'Started' ? 'waiting' : 'running';
}

function taskFacts(v: VMStatus, t: Task): DiskFacts {
  const a = t.annotations ?? {};
  const result = vmResult(v);
  const done = t.phase === 'Completed';
  const copying = !done && !vmFinished(v);
  const phase = done ? 'Completed' : copying ? (t.phase ?? 'Running') : (result ?? 'Stopped');
  // A copy that stopped (its VM failed or was canceled) has no current rate.
  const throughput = done || copying ? decimal(a[DiskAnnotation.throughput]) : undefined;
  const eta = copying ? integer(a[DiskAnnotation.eta]) : undefined;
  const sha256 = a[DiskAnnotation.sha256];
  const resumed = integer(a[DiskAnnotation.resumedFrom]);
  return {
    vm: vmLabel(v),
    disk: a[DiskAnnotation.key] ?? t.name,
    phase,
    completedMiB: t.progress.completed,
    totalMiB: t.progress.total,
    copying,
    ...(throughput !== undefined ? { throughputMiBps: throughput } : {}),
    ...(eta !== undefined ? { etaSeconds: eta } : {}),
    ...(sha256 ? { sha256 } : {}),
    ...(resumed ? { resumedFromBytes: resumed } : {}),
    ...(t.error ? { error: t.error.reasons.join('; ') } : {}),
  };
}

/** The VM's disks, one per DiskTransfer task, in the controller's order. */
export function diskFacts(v: VMStatus): DiskFacts[] {
  return (diskTransfer(v)?.tasks ?? []).map((t) => taskFacts(v, t));
}

/** Sums disks: MiB from the step (or the tasks), rate and ETA from the disks still copying. */
function sumTransfer(step: Step | undefined, disks: readonly DiskFacts[]): TransferFacts {
  const fromTasks = disks.reduce(
    (acc, d) => ({ completed: acc.completed + d.completedMiB, total: acc.total + d.totalMiB }),
    { completed: 0, total: 0 },
  );
  const progress = step?.progress.total ? step.progress : fromTasks;
  const copying = disks.filter((d) => d.copying);
  const rates = copying.flatMap((d) => (d.throughputMiBps !== undefined ? [d.throughputMiBps] : []));
  const etas = copying.flatMap((d) => (d.etaSeconds !== undefined ? [d.etaSeconds] : []));
  return {
    completed: progress.completed,
    total: progress.total,
    ...(rates.length ? { throughputMiBps: rates.reduce((a, b) => a + b, 0) } : {}),
    ...(etas.length ? { etaSeconds: Math.max(...etas) } : {}),
  };
}

/** One VM's disk transfer: MiB done/total, and the rate and ETA of its copying disks. */
export function vmTransfer(v: VMStatus): TransferFacts {
  return sumTransfer(diskTransfer(v), diskFacts(v));
}

/** The run's disk transfer over every VM: MiB summed, throughput summed, the longest ETA. */
export function runTransfer(vms: readonly VMStatus[]): TransferFacts {
  const each = vms.map(vmTransfer);
  const rates = each.flatMap((t) => (t.throughputMiBps !== undefined ? [t.throughputMiBps] : []));
  const etas = each.flatMap((t) => (t.etaSeconds !== undefined ? [t.etaSeconds] : []));
  return {
    completed: each.reduce((n, t) => n + t.completed, 0),
    total: each.reduce((n, t) => n + t.total, 0),
    ...(rates.length ? { throughputMiBps: rates.reduce((a, b) => a + b, 0) } : {}),
    ...(etas.length ? { etaSeconds: Math.max(...etas) } : {}),
  };
}

/** Counts of the run's VMs. */
export function vmCounts(vms: readonly VMStatus[]): VmCounts {
  const by = (r: VmResult) => vms.filter((v) => vmResult(v) === r).length;
  return {
    done: vms.filter(vmFinished).length,
    total: vms.length,
    succeeded: by('Succeeded'),
    failed: by('Failed'),
    canceled: by('Canceled'),
  };
}

/** The VMs of the plan's current (or last) run. */
export function runVms(plan: Plan): VMStatus[] {
  return plan.status?.migration?.vms ?? [];
}

/**
 * `get plan NAME --vms` (a row per VM: phase, step, transfer, result) and `--disk` (a row per
 * disk: progress, throughput, ETA, sha256): rows as data for `-o json|yaml`, and the tables.
 * Pure: a plan in, rows and text out.
 */
import type { Plan } from '../../api/index.js';
import { humanDuration } from '../output/age.js';
import { progressText, rateText, transferText } from '../output/progress.js';
import { renderTable } from '../output/table.js';
import {
  currentStep,
  diskFacts,
  resultText,
  runVms,
  vmLabel,
  vmTransfer,
  type DiskFacts,
  type TransferFacts,
} from './plan-status.js';

/** The detail views of `get plan NAME`. */
export const PlanDetail = { Vms: 'vms', Disk: 'disk' } as const;
/** One of {@link PlanDetail}'s values. */
export type PlanDetail = (typeof PlanDetail)[keyof typeof PlanDetail];

/** One VM of the run, as `--vms -o json` prints it. */
export interface PlanVmRow {
  name: string;
  id: string;
  phase: string;
  /** The running pipeline step; `-` once done. */
  step: string;
  /** DiskTransfer MiB, with the copying disks' rate and ETA. */
  transfer: TransferFacts;
  /** Succeeded, Canceled, `Failed: …`, waiting or running. */
  result: string;
}

/** The run's VMs as rows. */
function planVmRows(plan: Plan): PlanVmRow[] {
  return runVms(plan).map((v) => ({
    name: v.name ?? '',
    id: v.id ?? '',
    phase: v.phase,
    step: currentStep(v),
    transfer: vmTransfer(v),
    result: resultText(v),
  }));
}

/** The run's disks as rows, VM by VM. */
function planDiskRows(plan: Plan): DiskFacts[] {
  return runVms(plan).flatMap(diskFacts);
}

/** The `--vms` table: VM, ID, PHASE, STEP, TRANSFER, RESULT. */
function planVmsTable(plan: Plan, bars: boolean): string {
  return renderTable(
    ['VM', 'ID', 'PHASE', 'STEP', 'TRANSFER', 'RESULT'],
    planVmRows(plan).map((r) => [r.name, r.id, r.phase, r.step, transferText(r.transfer, bars), r.result]),
  );
}

/** The `--disk` table: VM, DISK, PHASE, PROGRESS, THROUGHPUT, ETA, SHA256. */
function planDisksTable(plan: Plan, bars: boolean): string {
  return renderTable(
    ['VM', 'DISK', 'PHASE', 'PROGRESS', 'THROUGHPUT', 'ETA', 'SHA256'],
    planDiskRows(plan).map((d) => [
      d.vm,
      d.disk,
      d.phase,
      progressText({ completed: d.completedMiB, total: d.totalMiB }, { bars, unit: 'MiB' }),
      d.throughputMiBps !== undefined ? rateText(d.throughputMiBps) : '-',
      d.etaSeconds !== undefined ? humanDuration(d.etaSeconds) : '-',
      d.sha256 ?? '',
    ]),
  );
}

/** The detail tables asked for, in the order given, separated by a blank line. */
export function planDetailText(plan: Plan, details: readonly PlanDetail[], bars: boolean): string {
  return details.map((d) => (d === 'vms' ? planVmsTable(plan, bars) : planDisksTable(plan, bars))).join('\n');
}

/** The detail rows asked for: one view's rows, or `{vms, disks}` for both. */
export function planDetailData(plan: Plan, details: readonly PlanDetail[]): unknown {
  if (details.length === 1) return details[0] === 'vms' ? planVmRows(plan) : planDiskRows(plan);
  return { vms: planVmRows(plan), disks: planDiskRows(plan) };
}

/** Lists a plan's VMs for messages: `web-1 (vm-1), web-2 (vm-2)`, at most `max`. */
export function vmList(vms: readonly { name?: string; id?: string }[], max = 20): string {
  const shown = vms
    .slice(0, max)
    .map((v) => (v.name && v.id ? `${v.name} (${v.id})` : vmLabel(v)))
    .join(', ');
  return vms.length > max ? `${shown}, … and ${String(vms.length - max)} more` : shown;
}

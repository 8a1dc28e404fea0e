/**
 * `get plan NAME --vms` (one row per VM: phase, current step, transfer progress, result) and
 * `get plan NAME --disk` (one row per disk: progress and sha256), from the plan's
 * `status.migration`.
 */
import { Resources, UsageError, type Plan, type VMStatus } from '../../api/index.js';
import type { Session } from '../context.js';
import { getNamed } from '../lookup.js';
import { renderTable } from '../output/table.js';
import type { CommandResult } from '../result.js';

/** Options of {@link run}. */
export interface PlanVmsOptions {
  name: string;
  /** `disk`: a row per disk; `vms`: a row per VM. */
  view: 'vms' | 'disk';
}

function result(v: VMStatus): string {
  const c = v.conditions?.find((x) => ['Succeeded', 'Failed', 'Canceled'].includes(x.type));
  if (!c) return v.phase === 'Started' ? 'waiting' : 'running';
  return c.type === 'Failed' ? `Failed: ${v.error?.reasons.join('; ') ?? c.message ?? ''}` : c.type;
}

function currentStep(v: VMStatus): string {
  return v.pipeline.find((s) => s.phase === 'Running')?.name ?? (v.phase === 'Completed' ? '-' : '');
}

function transfer(v: VMStatus): string {
  const s = v.pipeline.find((x) => x.name === 'DiskTransfer');
  if (!s?.progress.total) return '-';
  return `${String(Math.floor((100 * s.progress.completed) / s.progress.total))}% (${String(s.progress.completed)}/${String(s.progress.total)} MiB)`;
}

/** The per-VM or per-disk table. @throws UsageError when the plan has not started */
export async function run(session: Session, o: PlanVmsOptions): Promise<CommandResult> {
  const plan = await getNamed<Plan>(session, Resources.Plan, o.name, 'plan');
  const vms = plan.status?.migration?.vms;
  if (!vms?.length) {
    throw new UsageError({
      field: `--${o.view}`,
      message: `plan ${o.name} has not started`,
      hint: `start it with: mtv start plan ${o.name}`,
    });
  }
  if (o.view === 'vms') {
    return {
      kind: 'text',
      text: renderTable(
        ['VM', 'ID', 'PHASE', 'STEP', 'TRANSFER', 'RESULT'],
        vms.map((v) => [v.name ?? '', v.id ?? '', v.phase, currentStep(v), transfer(v), result(v)]),
      ),
    };
  }
  const rows = vms.flatMap((v) =>
    (v.pipeline.find((s) => s.name === 'DiskTransfer')?.tasks ?? []).map((t) => [
      v.name ?? '',
      t.annotations?.['mtv.konveyor.io/disk-key'] ?? t.name,
      `${String(t.progress.completed)}/${String(t.progress.total)} MiB`,
      t.phase ?? 'running',
      t.annotations?.['mtv.konveyor.io/sha256'] ?? '',
    ]),
  );
  return { kind: 'text', text: renderTable(['VM', 'DISK', 'PROGRESS', 'PHASE', 'SHA256'], rows) };
}

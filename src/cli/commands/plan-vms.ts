/**
 * `get plan NAME --vms` (one row per VM: phase, current step, transfer with throughput and ETA,
 * result) and `get plan NAME --disk` (one row per disk: progress, throughput, ETA, sha256), from
 * the plan's `status.migration`; both flags together print both tables.
 */
import { Resources, UsageError, type Plan } from '../../api/index.js';
import type { Session } from '../context.js';
import { getNamed } from '../lookup.js';
import { planDetailData, planDetailText, type PlanDetail } from '../resources/plan-tables.js';
import { runVms } from '../resources/plan-status.js';
import type { CommandResult } from '../result.js';

/** Options of {@link run}. */
export interface PlanVmsOptions {
  name: string;
  /** `vms`: a row per VM; `disk`: a row per disk; both: both tables. */
  views: readonly PlanDetail[];
}

/** `plan NAME has not started` when the plan has no run yet, else undefined. */
export function notStarted(plan: Plan, views: readonly PlanDetail[]): UsageError | undefined {
  if (runVms(plan).length) return undefined;
  const name = plan.metadata.name ?? '';
  return new UsageError({
    field: `--${views[0] ?? 'vms'}`,
    message: `plan ${name} has not started`,
    hint: `start it with: mtv start plan ${name}`,
  });
}

/**
 * The result of the detail views for one plan: rows for `-o json|yaml`, the tables as plain
 * text, and with progress bars for a terminal.
 */
export function detailResult(plan: Plan, views: readonly PlanDetail[]): CommandResult {
  return {
    kind: 'data',
    data: planDetailData(plan, views),
    text: planDetailText(plan, views, false),
    terminal: planDetailText(plan, views, true),
  };
}

/** The per-VM and/or per-disk tables. @throws UsageError when the plan has not started */
export async function run(session: Session, o: PlanVmsOptions): Promise<CommandResult> {
  const plan = await getNamed<Plan>(session, Resources.Plan, o.name, 'plan');
  const error = notStarted(plan, o.views);
  if (error) throw error;
  return detailResult(plan, o.views);
}

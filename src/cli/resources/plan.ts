/** CLI view of Plan. */
import { ApiError, hasTrueCondition, PlanPhase, planMigrationType, Resources } from '../../api/index.js';
import type { Session } from '../context.js';
import type { KubeObject, Plan } from '../../api/index.js';
import type { Document } from '../output/document.js';
import { ageColumn, metadataFields, nameColumn, readyColumn, refText, trailingSections } from './common.js';
import type { ResourceView } from './view.js';

const p = (o: KubeObject): Plan => o as Plan;

/**
 * The plan's summary phase: `status.phase` when a controller wrote it (mtv's does), else derived
 * from Forklift's conditions, so scripts behave alike on a cluster running Forklift's controller.
 */
export function planPhase(plan: Plan): string {
  if (plan.status?.phase) return plan.status.phase;
  const c = plan.status?.conditions;
  if (plan.spec.archived && hasTrueCondition(c, 'Archived')) return PlanPhase.Archived;
  for (const t of [PlanPhase.Succeeded, PlanPhase.Failed, PlanPhase.Canceled] as const)
    if (hasTrueCondition(c, t)) return t;
  if (hasTrueCondition(c, 'Executing')) return PlanPhase.Running;
  if (hasTrueCondition(c, 'Ready')) return PlanPhase.Ready;
  return PlanPhase.Pending;
}

function describe(o: KubeObject): Promise<Document> {
  const plan = p(o);
  const s = plan.spec;
  const vmStatus = new Map((plan.status?.migration?.vms ?? []).map((v) => [v.id, v]));
  return Promise.resolve({
    title: `Plan ${plan.metadata.namespace ?? ''}/${plan.metadata.name ?? ''}`,
    fields: [
      ...metadataFields(plan),
      { label: 'Phase', value: planPhase(plan) },
      { label: 'Type', value: planMigrationType(s) },
      { label: 'Source', value: refText(s.provider.source, undefined) },
      { label: 'Target', value: refText(s.provider.destination, undefined) },
      { label: 'Target namespace', value: s.targetNamespace },
      { label: 'Network map', value: refText(s.map.network, plan.metadata.namespace) },
      { label: 'Storage map', value: refText(s.map.storage, plan.metadata.namespace) },
      ...(s.description ? [{ label: 'Description', value: s.description }] : []),
      ...(s.archived ? [{ label: 'Archived', value: 'yes' }] : []),
    ],
    sections: [
      {
        title: `VMs (${String(s.vms.length)})`,
        table: {
          header: ['NAME', 'ID', 'TARGET NAME', 'PHASE', 'HOOKS'],
          rows: s.vms.map((vm) => [
            vm.name ?? '',
            vm.id ?? '',
            vm.targetName ?? '',
            vmStatus.get(vm.id ?? '')?.phase ?? '',
            (vm.hooks ?? []).map((h) => `${h.step}:${h.hook.name ?? ''}`).join(', '),
          ]),
        },
      },
      ...trailingSections('Plan', plan),
    ],
  });
}

/**
 * Archives a plan and waits for the controller to report it `Archived` (its migration resources
 * are cleaned up then), as `delete plan` does unless `--skip-archive`.
 * @throws ApiError after `MTV_ARCHIVE_TIMEOUT` seconds (default 60) without Archived
 */
async function archiveBeforeDelete(session: Session, name: string): Promise<void> {
  const plan = await session.store.get<Plan>(Resources.Plan, session.namespace, name);
  if (planPhase(plan) === PlanPhase.Archived) return;
  if (!plan.spec.archived)
    await session.store.patch(Resources.Plan, session.namespace, name, { spec: { archived: true } });
  const timeoutS = Number(session.env.MTV_ARCHIVE_TIMEOUT ?? '60');
  const deadline = Date.now() + timeoutS * 1000;
  while (Date.now() < deadline && !session.signal?.aborted) {
    const p = await session.store.get<Plan>(Resources.Plan, session.namespace, name);
    if (planPhase(p) === PlanPhase.Archived) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new ApiError(
    `plan ${name} was archived but no controller reported it Archived within ${String(timeoutS)} s`,
    0,
    {
      hint: 'is a controller running (mtv controller status)? Delete without archiving with --skip-archive',
    },
  );
}

/** `done/total (S:succeeded/F:failed/C:canceled)` while or after running, else the VM count. */
function vmsCell(plan: Plan): string {
  const vms = plan.status?.migration?.vms;
  if (!vms?.length) return String(plan.spec.vms.length);
  const has = (t: string) => vms.filter((v) => v.conditions?.some((c) => c.type === t)).length;
  const done = vms.filter((v) => v.phase === 'Completed').length;
  return `${String(done)}/${String(vms.length)} (S:${String(has('Succeeded'))}/F:${String(has('Failed'))}/C:${String(has('Canceled'))})`;
}

/** Disk transfer progress over all VMs: `42% (420/1000 MiB)`, or `-` before any transfer. */
function progressCell(plan: Plan): string {
  let done = 0;
  let total = 0;
  for (const v of plan.status?.migration?.vms ?? []) {
    const step = v.pipeline.find((s) => s.name === 'DiskTransfer');
    done += step?.progress.completed ?? 0;
    total += step?.progress.total ?? 0;
  }
  if (!total) return '-';
  return `${String(Math.floor((100 * done) / total))}% (${String(done)}/${String(total)} MiB)`;
}

/** The Plan view. */
export const planView: ResourceView = {
  kind: 'Plan',
  type: Resources.Plan,
  noun: 'plan',
  columns: [
    nameColumn,
    readyColumn,
    { header: 'STATUS', value: (o) => planPhase(p(o)) },
    { header: 'SOURCE', value: (o) => p(o).spec.provider.source.name ?? '' },
    { header: 'TARGET', value: (o) => p(o).spec.provider.destination.name ?? '' },
    { header: 'VMS', value: (o) => vmsCell(p(o)) },
    { header: 'PROGRESS', value: (o) => progressCell(p(o)) },
    { header: 'TYPE', value: (o) => planMigrationType(p(o).spec) },
    { header: 'TARGET NAMESPACE', value: (o) => p(o).spec.targetNamespace, wide: true },
    { header: 'ARCHIVED', value: (o) => (p(o).spec.archived ? 'true' : 'false'), wide: true },
    ageColumn,
  ],
  describe,
  beforeDelete: archiveBeforeDelete,
};

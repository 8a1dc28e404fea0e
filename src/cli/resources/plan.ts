/** CLI view of Plan. */
import {
  ApiError,
  hasTrueCondition,
  PlanPhase,
  planMigrationType,
  Resources,
  type Migration,
  type NetworkMap,
  type StorageMap,
} from '../../api/index.js';
import type { Session } from '../context.js';
import type { KubeObject, Plan } from '../../api/index.js';
import type { Document } from '../output/document.js';
import type { ColumnContext } from '../output/print.js';
import { transferText } from '../output/progress.js';
import { tryGet } from '../lookup.js';
import { ageColumn, nameColumn, readyColumn } from './common.js';
import { planDocument, planVmDocument, type PlanFacts } from './plan-describe.js';
import { runTransfer, runVms, vmCounts } from './plan-status.js';
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

/** Reads what a plan's description quotes: its maps and its namespace's Migrations. */
async function planFacts(session: Session, plan: Plan): Promise<PlanFacts> {
  const ns = plan.metadata.namespace ?? session.namespace;
  const mapRef = (r: { name?: string; namespace?: string }) => ({
    name: r.name ?? '',
    ns: r.namespace || ns,
  });
  const net = mapRef(plan.spec.map.network);
  const sto = mapRef(plan.spec.map.storage);
  const [networkMap, storageMap, migrations] = await Promise.all([
    net.name ? tryGet<NetworkMap>(session, Resources.NetworkMap, net.name, net.ns) : undefined,
    sto.name ? tryGet<StorageMap>(session, Resources.StorageMap, sto.name, sto.ns) : undefined,
    plan.status?.migration?.history?.length
      ? session.store.list<Migration>(Resources.Migration, { namespace: ns }).then((l) => l.items)
      : [],
  ]);
  return { phase: planPhase(plan), networkMap, storageMap, migrations };
}

async function describeProgress(
  o: KubeObject,
  session: Session,
  part: { vm?: string | undefined },
): Promise<(bars: boolean) => Document> {
  const plan = p(o);
  const facts = await planFacts(session, plan);
  const vm = part.vm;
  if (vm === undefined) return (bars) => planDocument(plan, facts, bars);
  planVmDocument(plan, vm, facts, false); // an unknown VM fails here, before any output
  return (bars) => planVmDocument(plan, vm, facts, bars);
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
  const vms = runVms(plan);
  if (!vms.length) return String(plan.spec.vms.length);
  const c = vmCounts(vms);
  return `${String(c.done)}/${String(c.total)} (S:${String(c.succeeded)}/F:${String(c.failed)}/C:${String(c.canceled)})`;
}

/**
 * Disk transfer over all VMs: `42% (420/1000 MiB)`, with the copying disks' summed throughput and
 * longest ETA when the controller reports them (`42% (420/1000 MiB) 96.0 MiB/s ETA 6s`); a bar in
 * front on a terminal; `-` before any transfer.
 */
function progressCell(plan: Plan, bars: boolean): string {
  return transferText(runTransfer(runVms(plan)), bars);
}

/** `namespace/name` of a plan, the key of {@link cutoverTimes}. */
const planKey = (plan: { metadata: { namespace?: string; name?: string } }): string =>
  `${plan.metadata.namespace ?? ''}/${plan.metadata.name ?? ''}`;

/**
 * The cutover time of each warm plan's running Migration (kubectl-mtv's rule: the latest one of
 * the plan with Running true), by {@link planKey}.
 */
export function cutoverTimes(plans: readonly Plan[], migrations: readonly Migration[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const plan of plans) {
    const ns = plan.metadata.namespace ?? '';
    const running = migrations
      .filter((m) => {
        const ref = m.spec.plan;
        const same =
          ref.uid && plan.metadata.uid
            ? ref.uid === plan.metadata.uid
            : ref.name === plan.metadata.name && (ref.namespace || m.metadata.namespace) === ns;
        return same && hasTrueCondition(m.status?.conditions, 'Running');
      })
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    const cutover = running.at(-1)?.spec.cutover;
    if (cutover) out.set(planKey(plan), cutover);
  }
  return out;
}

/** CUTOVER: the migration type, or a warm plan's scheduled cutover time while it runs. */
function cutoverCell(plan: Plan, ctx: Pick<ColumnContext, 'cutovers'>): string {
  const type = planMigrationType(plan.spec);
  return (type === 'warm' ? ctx.cutovers?.get(planKey(plan)) : undefined) ?? type;
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
    { header: 'PROGRESS', value: (o, c) => progressCell(p(o), c.bars ?? false) },
    { header: 'CUTOVER', value: (o, c) => cutoverCell(p(o), c) },
    { header: 'ARCHIVED', value: (o) => (p(o).spec.archived ? 'true' : 'false') },
    { header: 'TYPE', value: (o) => planMigrationType(p(o).spec), wide: true },
    { header: 'TARGET NAMESPACE', value: (o) => p(o).spec.targetNamespace, wide: true },
    ageColumn,
  ],
  describe: async (o, session) => (await describeProgress(o, session, {}))(false),
  describeProgress,
  progress: true,
  beforeDelete: archiveBeforeDelete,
};

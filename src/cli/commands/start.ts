/**
 * `start plan NAME… | --all [--cutover TIME]`: creates a Migration for each plan that can start,
 * and says why for the ones that cannot (not Ready, already running, already succeeded, archived).
 * A warm plan's Migration gets `spec.cutover`: `--cutover`, else one hour from now (Forklift's
 * default), which `cutover plan` moves.
 */
import {
  ApiError,
  ForkliftApiVersion,
  isBlocker,
  MtvError,
  planMigrationType,
  toTime,
  Resources,
  type Migration,
  type Plan,
} from '../../api/index.js';
import type { Session } from '../context.js';
import { namedPlans } from '../lookup.js';
import { ownerRef } from '../refs.js';
import { planPhase } from '../resources/plan.js';
import type { Change, CommandResult } from '../result.js';
import { parseCutover } from './cutover.js';

/** Options of {@link run}. */
export interface StartOptions {
  names: readonly string[];
  all: boolean;
  /** `--cutover`: RFC 3339, for warm plans; default one hour from now. */
  cutover?: string;
}

/** Why a plan cannot start now, or undefined when it can. */
export function cannotStart(plan: Plan, mode: string): string | undefined {
  const phase = planPhase(plan);
  if (phase === 'Running') return 'it is already running';
  if (phase === 'Succeeded') return 'it has already succeeded (create a new plan to migrate again)';
  if (phase === 'Archived') return 'it is archived (unarchive plan first)';
  if (phase === 'Pending') {
    const blockers = (plan.status?.conditions ?? [])
      .filter(isBlocker)
      .map((c) => `${c.type}: ${c.message ?? ''}`);
    return `it is not Ready${blockers.length ? ` (${blockers.join('; ')})` : ' (no controller has validated it yet)'}`;
  }
  const type = planMigrationType(plan.spec);
  if (type !== 'cold' && type !== 'warm')
    return `mtv runs cold and warm migrations; this plan is ${type} (mtv patch plan ${plan.metadata.name ?? ''} --migration-type cold)`;
  const hooked = plan.spec.vms.filter((v) => v.hooks?.length).map((v) => v.name ?? v.id ?? '');
  if (mode === 'local' && hooked.length)
    return `its VMs ${hooked.join(', ')} have hooks, which are container images, and local mode runs no containers (run it in cluster mode, or remove them: mtv patch planvm ${plan.metadata.name ?? ''} VM --clear-hooks)`;
  return undefined;
}

/** Starts the plans; every name is tried, refusals reported after the ones that started. */
export async function run(session: Session, o: StartOptions): Promise<CommandResult> {
  const cutover = o.cutover ? parseCutover(o.cutover) : undefined;
  const plans = await namedPlans(session, o);
  const changes: Change[] = [];
  const failed: MtvError[] = [];
  for (const p of plans) {
    if (p instanceof MtvError) {
      failed.push(p);
      continue;
    }
    const name = p.metadata.name ?? '';
    const why = cannotStart(p, session.mode);
    if (why) {
      if (!o.all) failed.push(new ApiError(`plan ${name} cannot start: ${why}`, 0));
      continue;
    }
    const warm = planMigrationType(p.spec) === 'warm';
    // Named, a cold plan with --cutover is a mistake; with --all it starts (the flag is for the warm ones).
    if (cutover && !warm && !o.all) {
      failed.push(
        new ApiError(`plan ${name} is cold: --cutover applies to warm plans`, 0, {
          hint: `start it without --cutover (a cold migration powers the source off at once)`,
        }),
      );
      continue;
    }
    // Forklift's default for warm plans: cut over one hour from now (mtv cutover plan moves it).
    const at = warm ? (cutover ?? toTime(new Date(Date.now() + 3_600_000))) : undefined;
    const m = await session.store.create<Migration>(Resources.Migration, {
      apiVersion: ForkliftApiVersion,
      kind: 'Migration',
      metadata: {
        generateName: `${name}-`,
        namespace: session.namespace,
        labels: { plan: p.metadata.uid ?? '', 'plan-name': name },
        ownerReferences: [ownerRef(p)],
      },
      spec: { plan: { name, namespace: session.namespace }, ...(at ? { cutover: at } : {}) },
    });
    changes.push({
      ref: `migration/${m.metadata.name ?? ''}`,
      action: 'created',
      note: `(plan/${name} started${at ? `, warm, cutover at ${at}` : ''})`,
    });
  }
  return { kind: 'changes', changes, ...(failed.length ? { failed } : {}) };
}

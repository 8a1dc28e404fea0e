/**
 * `cancel plan NAME --vms a,b|@file`: adds VMs to the running migration's cancel list. The
 * controller stops their copies, restores their source power state and removes their partial
 * targets; the other VMs keep running.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { ApiError, Resources, UsageError, type Migration, type Plan, type Ref } from '../../api/index.js';
import { parseVmsArgument, resolveVms } from '../../planner/vms.js';
import type { Session } from '../context.js';
import { getNamed } from '../lookup.js';
import type { CommandResult } from '../result.js';
import { retryOnConflict } from '../retry.js';

/** Options of {@link run}. */
export interface CancelOptions {
  plan: string;
  /** `--vms`: names or ids, or `@file`. */
  vms: string | undefined;
}

/**
 * The plan's running Migration.
 * @param why what the caller cannot do without one (in the error)
 * @throws ApiError when none runs
 */
export async function runningMigration(
  session: Session,
  plan: Plan,
  why = 'nothing to cancel',
): Promise<Migration> {
  const { items } = await session.store.list<Migration>(Resources.Migration, {
    namespace: session.namespace,
  });
  const running = items.filter((m) => m.spec.plan.name === plan.metadata.name && !m.status?.completed);
  const m = running[running.length - 1];
  if (!m)
    throw new ApiError(`plan ${plan.metadata.name ?? ''} is not running: ${why}`, 0, {
      hint: 'start it with: mtv start plan NAME',
    });
  return m;
}

/** Adds the VMs to the cancel list. @throws UsageError (bad --vms, VMs not in the plan) */
export async function run(session: Session, o: CancelOptions): Promise<CommandResult> {
  if (!o.vms)
    throw new UsageError({ field: '--vms', message: 'is required: the VMs to cancel (names, ids or @file)' });
  let file: { name: string; text: string } | undefined;
  if (o.vms.startsWith('@')) {
    const p = path.resolve(session.cwd, o.vms.slice(1));
    try {
      file = { name: path.basename(p), text: readFileSync(p, 'utf8') };
    } catch {
      throw new UsageError({ field: '--vms', message: 'cannot read the file', value: o.vms });
    }
  }
  const parsed = parseVmsArgument(o.vms, file);
  if (parsed.problems.length || parsed.selection?.kind !== 'list') {
    throw new UsageError(
      parsed.problems.length
        ? parsed.problems
        : [{ field: '--vms', message: 'takes names or ids here, not a query' }],
    );
  }
  const plan = await getNamed<Plan>(session, Resources.Plan, o.plan, 'plan');
  const r = resolveVms(
    parsed.selection.entries,
    plan.spec.vms.map((v) => ({ id: v.id ?? '', name: v.name ?? v.id ?? '' })),
  );
  if (r.missing.length) {
    throw new UsageError({
      field: '--vms',
      message: `not in plan ${o.plan}: ${r.missing.map((e) => e.id ?? e.name ?? '').join(', ')}`,
      hint: `its VMs: ${plan.spec.vms.map((v) => v.name ?? v.id ?? '').join(', ')}`,
    });
  }
  let migrationName = '';
  await retryOnConflict(async () => {
    const m = await runningMigration(session, plan);
    migrationName = m.metadata.name ?? '';
    const cancel: Ref[] = [...(m.spec.cancel ?? [])];
    for (const vm of r.vms)
      if (!cancel.some((c) => c.id === vm.id))
        cancel.push({ id: vm.id ?? '', ...(vm.name ? { name: vm.name } : {}) });
    await session.store.update<Migration>(Resources.Migration, { ...m, spec: { ...m.spec, cancel } });
  });
  return {
    kind: 'changes',
    changes: [
      {
        ref: `migration/${migrationName}`,
        action: 'patched',
        note: `(canceling ${r.vms.map((v) => v.name ?? v.id ?? '').join(', ')})`,
      },
    ],
  };
}

/** `patch plan NAME …`: change plan fields; only the flags given are applied. */
import { Resources, UsageError, type Plan, type PlanSpec } from '../../../api/index.js';
import type { Session } from '../../context.js';
import { getNamed } from '../../lookup.js';
import type { CommandResult } from '../../result.js';
import { retryOnConflict } from '../../retry.js';
import { checkedPlanSpec, type AffinityTexts } from '../plan-flags.js';

/** Options of {@link run}. */
export interface PatchPlanOptions {
  name: string;
  /** Spec fields from flags (only those given). */
  spec: Partial<PlanSpec>;
  /** `--target-affinity` / `--convertor-affinity` (KARL). */
  affinity?: AffinityTexts;
  targetNamespace?: string | undefined;
}

/**
 * Replaces the given spec fields (maps such as `--target-labels` replace the whole map) with a
 * resourceVersion-checked update, retried on conflict.
 * @throws UsageError (no flags), NotFoundError
 */
export async function run(session: Session, o: PatchPlanOptions): Promise<CommandResult> {
  const changes: Partial<PlanSpec> = {
    ...checkedPlanSpec(o.spec, o.affinity),
    ...(o.targetNamespace ? { targetNamespace: o.targetNamespace } : {}),
  };
  if (!Object.keys(changes).length) {
    throw new UsageError({
      field: 'flags',
      message: 'nothing to change',
      hint: 'see: mtv patch plan --help',
    });
  }
  await retryOnConflict(async () => {
    const plan = await getNamed<Plan>(session, Resources.Plan, o.name, 'plan');
    await session.store.update<Plan>(Resources.Plan, { ...plan, spec: { ...plan.spec, ...changes } });
  });
  return { kind: 'changes', changes: [{ ref: `plan/${o.name}`, action: 'patched' }] };
}

/** `patch hook NAME …`: change a hook; `--clear-aap` turns an AAP hook back into a local one. */
import { NotFoundError, UsageError } from '../../../api/errors.js';
import { DefaultHookImage, type Hook } from '../../../api/hook.js';
import { Resources } from '../../../api/kinds.js';
import type { Session } from '../../context.js';
import type { CommandResult } from '../../result.js';
import { retryOnConflict } from '../../rollback.js';
import { hookProblems, hookSpec, type HookFlags } from '../create/hook.js';

/** Options of {@link run}. */
export interface PatchHookOptions extends HookFlags {
  name: string;
  clearAap?: boolean | undefined;
}

/** Applies the given flags. @throws NotFoundError, UsageError */
export async function run(session: Session, o: PatchHookOptions): Promise<CommandResult> {
  const state = { changed: false };
  await retryOnConflict(async () => {
    const hook = await session.store
      .get<Hook>(Resources.Hook, session.namespace, o.name)
      .catch((e: unknown) => {
        if (e instanceof NotFoundError) throw new NotFoundError('hook', o.name, session.namespace);
        throw e;
      });
    if (o.clearAap && o.aapJobTemplateId !== undefined) {
      throw new UsageError({
        field: '--clear-aap',
        message: 'cannot be combined with --aap-job-template-id',
      });
    }
    const wasAap = hook.spec.aap !== undefined;
    const aap = o.aapJobTemplateId !== undefined || (wasAap && !o.clearAap);
    if (wasAap && !o.clearAap && (o.image !== undefined || o.playbook !== undefined)) {
      throw new UsageError({
        field: '--image',
        message: `hook ${o.name} runs an AAP job template`,
        hint: 'add --clear-aap to turn it into a local hook',
      });
    }
    const problems = hookProblems(o, aap);
    if (problems.length) throw new UsageError(problems);
    const spec: Record<string, unknown> = { ...hookSpec(o, session.namespace) };
    if (o.clearAap) {
      spec.aap = null;
      if (hook.spec.image === undefined && o.image === undefined) spec.image = DefaultHookImage;
    }
    if (o.aapJobTemplateId !== undefined && !wasAap) {
      spec.image = null;
      spec.playbook = null;
    }
    if (spec.aap && hook.spec.aap) spec.aap = { ...hook.spec.aap, ...(spec.aap as Record<string, unknown>) };
    const next = { ...hook.spec, ...spec };
    for (const [k, v] of Object.entries(next as Record<string, unknown>))
      if (v === null) delete (next as Record<string, unknown>)[k];
    state.changed = JSON.stringify(next) !== JSON.stringify(hook.spec);
    if (!state.changed) return;
    await session.store.patch(Resources.Hook, session.namespace, o.name, {
      metadata: { resourceVersion: hook.metadata.resourceVersion },
      spec,
    });
  });
  return {
    kind: 'changes',
    changes: [{ ref: `hook/${o.name}`, action: state.changed ? 'patched' : 'unchanged' }],
  };
}

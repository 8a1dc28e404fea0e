/** `patch hook NAME …`: change a hook; `--clear-aap` turns an AAP hook back into a local one. */
import { UsageError, type Problem } from '../../../api/index.js';
import { DefaultHookImage, type Hook } from '../../../api/index.js';
import { Resources } from '../../../api/index.js';
import type { Session } from '../../context.js';
import { getNamed } from '../../lookup.js';
import type { CommandResult } from '../../result.js';
import { retryOnConflict } from '../../retry.js';
import { hookProblems, hookSpec, type HookFlags } from '../create/hook.js';

/** Options of {@link run}. */
export interface PatchHookOptions extends HookFlags {
  name: string;
  clearAap?: boolean | undefined;
}

/** Every problem with the flags against the hook as it is. */
export function patchHookProblems(hook: Hook, o: PatchHookOptions): Problem[] {
  const { name: _n, ...flags } = o;
  if (Object.values(flags as Record<string, unknown>).every((v) => v === undefined)) {
    return [
      {
        field: 'flags',
        message: 'nothing to change',
        hint: 'give --image, --playbook, --service-account, --deadline, the --aap-* flags or --clear-aap',
      },
    ];
  }
  const problems: Problem[] = [];
  if (o.clearAap && o.aapJobTemplateId !== undefined)
    problems.push({ field: '--clear-aap', message: 'cannot be combined with --aap-job-template-id' });
  const wasAap = hook.spec.aap !== undefined;
  if (wasAap && !o.clearAap && (o.image !== undefined || o.playbook !== undefined)) {
    problems.push({
      field: o.image !== undefined ? '--image' : '--playbook',
      message: `hook ${o.name} runs an AAP job template`,
      hint: 'add --clear-aap to turn it into a local hook',
    });
  }
  if (o.clearAap && !wasAap)
    problems.push({ field: '--clear-aap', message: `hook ${o.name} is not an AAP hook` });
  const aap = o.aapJobTemplateId !== undefined || (wasAap && !o.clearAap);
  return [...problems, ...hookProblems(o, aap)];
}

/** Applies the given flags. @throws NotFoundError, UsageError (every problem) */
export async function run(session: Session, o: PatchHookOptions): Promise<CommandResult> {
  const state = { changed: false };
  await retryOnConflict(async () => {
    const hook = await getNamed<Hook>(session, Resources.Hook, o.name, 'hook');
    const problems = patchHookProblems(hook, o);
    if (problems.length) throw new UsageError(problems);
    const spec: Record<string, unknown> = { ...hookSpec(o, session.namespace) };
    if (o.clearAap) {
      spec.aap = null;
      if (hook.spec.image === undefined && o.image === undefined) spec.image = DefaultHookImage;
    }
    if (o.aapJobTemplateId !== undefined && !hook.spec.aap) {
      spec.image = null;
      spec.playbook = null;
    }
    if (spec.aap && hook.spec.aap) spec.aap = { ...hook.spec.aap, ...(spec.aap as Record<string, unknown>) };
    const next: Record<string, unknown> = { ...hook.spec, ...spec };
    for (const [k, v] of Object.entries(next)) if (v === null) delete next[k];
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

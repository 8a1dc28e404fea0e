/**
 * `patch planvm PLAN VM …`: change one VM entry of a plan (target name, root disk, instance type,
 * naming templates, power state, hooks).
 */
import {
  checkObjectName,
  Resources,
  UsageError,
  type HookRef,
  type Plan,
  type PlanVM,
  type Problem,
} from '../../../api/index.js';
import { checkNameTemplate, type NameTemplateKind } from '../../../planner/naming.js';
import type { Session } from '../../context.js';
import { getNamed } from '../../lookup.js';
import { parseNamespacedName } from '../../refs.js';
import type { CommandResult } from '../../result.js';
import { retryOnConflict } from '../../retry.js';

/** Options of {@link run}. */
export interface PatchPlanVmOptions {
  plan: string;
  /** The VM, by name or id. */
  vm: string;
  targetName?: string | undefined;
  rootDisk?: string | undefined;
  instanceType?: string | undefined;
  pvcNameTemplate?: string | undefined;
  volumeNameTemplate?: string | undefined;
  networkNameTemplate?: string | undefined;
  targetPowerState?: string | undefined;
  addPreHook?: string | undefined;
  addPostHook?: string | undefined;
  removeHook?: string | undefined;
  clearHooks?: boolean | undefined;
}

const templateFlags: readonly [keyof PatchPlanVmOptions & keyof PlanVM, string, NameTemplateKind][] = [
  ['pvcNameTemplate', '--pvc-name-template', 'pvc'],
  ['volumeNameTemplate', '--volume-name-template', 'volume'],
  ['networkNameTemplate', '--network-name-template', 'network'],
];

function flagProblems(o: PatchPlanVmOptions): Problem[] {
  const { plan: _p, vm: _v, ...flags } = o;
  if ((Object.values(flags) as unknown[]).every((v) => v === undefined)) {
    return [{ field: 'flags', message: 'nothing to change', hint: 'see: mtv patch planvm --help' }];
  }
  const problems: Problem[] = [];
  if (o.targetName !== undefined) {
    const p = checkObjectName(o.targetName, '--target-name');
    if (p) problems.push(p);
  }
  if (o.targetPowerState !== undefined && !['on', 'off', 'auto'].includes(o.targetPowerState))
    problems.push({
      field: '--target-power-state',
      message: 'must be on, off or auto',
      value: o.targetPowerState,
    });
  if (o.rootDisk !== undefined && !/^\/dev\/(sd|hd|vd)[a-z]+$/.test(o.rootDisk))
    problems.push({ field: '--root-disk', message: 'must be a device such as /dev/sda', value: o.rootDisk });
  for (const [key, flag, kind] of templateFlags) {
    const value = o[key];
    if (typeof value !== 'string') continue;
    for (const i of checkNameTemplate(value, kind).filter((x) => x.severity === 'error'))
      problems.push({ field: flag, message: i.message, value, ...(i.hint ? { hint: i.hint } : {}) });
  }
  if (o.clearHooks && (o.addPreHook || o.addPostHook || o.removeHook))
    problems.push({
      field: '--clear-hooks',
      message: 'cannot be combined with --add-pre-hook, --add-post-hook or --remove-hook',
    });
  return problems;
}

/** The VM's new hook list. @throws UsageError for a hook to remove that it does not have */
async function hooks(session: Session, o: PatchPlanVmOptions, current: HookRef[]): Promise<HookRef[]> {
  if (o.clearHooks) return [];
  let out = [...current];
  if (o.removeHook) {
    const ref = parseNamespacedName(o.removeHook, '--remove-hook', session.namespace);
    const kept = out.filter(
      (h) => !(h.hook.name === ref.name && (h.hook.namespace || session.namespace) === ref.namespace),
    );
    if (kept.length === out.length)
      throw new UsageError({
        field: '--remove-hook',
        message: `the VM has no hook ${o.removeHook}`,
        value: o.removeHook,
      });
    out = kept;
  }
  for (const [step, value, flag] of [
    ['PreHook', o.addPreHook, '--add-pre-hook'],
    ['PostHook', o.addPostHook, '--add-post-hook'],
  ] as const) {
    if (!value) continue;
    const ref = parseNamespacedName(value, flag, session.namespace);
    await getNamed(session, Resources.Hook, ref.name, 'hook', { namespace: ref.namespace });
    if (out.some((h) => h.step === step))
      throw new UsageError({
        field: flag,
        message: `the VM already has a ${step}`,
        hint: 'remove it first with --remove-hook',
      });
    out.push({ step, hook: ref });
  }
  return out;
}

/**
 * Changes the VM entry with a resourceVersion-checked update (retried on conflict).
 * @throws UsageError (every flag problem, unknown VM), NotFoundError (plan, hook)
 */
export async function run(session: Session, o: PatchPlanVmOptions): Promise<CommandResult> {
  const problems = flagProblems(o);
  if (problems.length) throw new UsageError(problems);
  await retryOnConflict(async () => {
    const plan = await getNamed<Plan>(session, Resources.Plan, o.plan, 'plan');
    const i = plan.spec.vms.findIndex((v) => v.name === o.vm || v.id === o.vm);
    const vm = plan.spec.vms[i];
    if (!vm) {
      throw new UsageError({
        field: 'VM',
        message: `plan ${o.plan} has no VM ${o.vm}`,
        hint: `its VMs: ${plan.spec.vms.map((v) => v.name ?? v.id ?? '').join(', ')}`,
      });
    }
    const next: PlanVM = { ...vm };
    for (const k of [
      'targetName',
      'rootDisk',
      'instanceType',
      'pvcNameTemplate',
      'volumeNameTemplate',
      'networkNameTemplate',
    ] as const) {
      if (o[k] !== undefined) next[k] = o[k];
    }
    if (o.targetPowerState !== undefined)
      next.targetPowerState = o.targetPowerState as PlanVM['targetPowerState'];
    if (o.clearHooks || o.addPreHook || o.addPostHook || o.removeHook)
      next.hooks = await hooks(session, o, vm.hooks ?? []);
    const vms = [...plan.spec.vms];
    vms[i] = next;
    await session.store.update<Plan>(Resources.Plan, { ...plan, spec: { ...plan.spec, vms } });
  });
  return { kind: 'changes', changes: [{ ref: `plan/${o.plan}`, action: 'patched', note: `(VM ${o.vm})` }] };
}

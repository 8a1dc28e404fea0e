/**
 * Checks of plan flags shared by `create plan` and `patch plan`: naming templates (unknown
 * variables and functions, syntax, renderings that are not names) and KARL affinity rules.
 */
import { UsageError, type PlanSpec, type Problem } from '../../api/index.js';
import { karlAffinity } from '../../planner/karl.js';
import { checkNameTemplate, type NameTemplateKind } from '../../planner/naming.js';

/** KARL texts of the affinity flags. */
export interface AffinityTexts {
  target?: string;
  convertor?: string;
}

const templates: readonly [keyof PlanSpec, string, NameTemplateKind][] = [
  ['pvcNameTemplate', '--pvc-name-template', 'pvc'],
  ['volumeNameTemplate', '--volume-name-template', 'volume'],
  ['networkNameTemplate', '--network-name-template', 'network'],
];

/**
 * The spec with KARL rules turned into Kubernetes affinity, after checking the templates.
 * @throws UsageError listing every template problem (with its column), or the KARL error (caret)
 */
export function checkedPlanSpec(spec: Partial<PlanSpec>, affinity: AffinityTexts = {}): Partial<PlanSpec> {
  const problems: Problem[] = [];
  for (const [key, flag, kind] of templates) {
    const value = spec[key];
    if (typeof value !== 'string') continue;
    for (const i of checkNameTemplate(value, kind).filter((x) => x.severity === 'error')) {
      problems.push({
        field: flag,
        message: `${i.message}${i.start !== undefined ? ` (at column ${String(i.start + 1)})` : ''}`,
        value,
        ...(i.hint ? { hint: i.hint } : {}),
      });
    }
  }
  if (problems.length) throw new UsageError(problems);
  return {
    ...spec,
    ...(affinity.target !== undefined
      ? { targetAffinity: karlAffinity(affinity.target, '--target-affinity') }
      : {}),
    ...(affinity.convertor !== undefined
      ? { convertorAffinity: karlAffinity(affinity.convertor, '--convertor-affinity') }
      : {}),
  };
}

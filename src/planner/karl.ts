/**
 * KARL affinity rules → Kubernetes `Affinity`, for `targetAffinity` and `convertorAffinity`.
 *
 * - `pods(…)` rules (kubectl-mtv's): REQUIRE → `podAffinity.required…`, PREFER →
 *   `podAffinity.preferred…`, AVOID → `podAntiAffinity.required…`, REPEL →
 *   `podAntiAffinity.preferred…`; `k=v` goes to `matchLabels`, the other forms to
 *   `matchExpressions`; `topologyKey` from the `on` clause (see {@link KarlTopologyKeys}).
 * - `nodes(…)` rules (mtv's addition): REQUIRE → required node selector terms; AVOID → required
 *   terms that exclude the nodes matching all selectors (by De Morgan: one term per negated
 *   selector, ORed); PREFER / REPEL → preferred scheduling terms (REPEL negates its one selector).
 *   Several REQUIRE / AVOID node rules are ANDed: their terms are combined pairwise, since
 *   Kubernetes ORs `nodeSelectorTerms`.
 * - Soft rules weigh 100 unless `weight=N` (1–100) says otherwise, as in kubectl-mtv.
 *
 * @example
 * karlAffinity('REQUIRE pods(app=db) on node; PREFER nodes(disk=ssd) weight=50')
 *
 * @see https://github.com/yaacov/karl-interpreter
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
 */
import type {
  Affinity,
  LabelSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodAffinity,
  PodAffinityTerm,
} from '../api/index.js';
import {
  KarlOperator,
  KarlTopologyKeys,
  type KarlProgram,
  type KarlRule,
  type KarlSelector,
} from './karl-ast.js';
import { parseKarl } from './karl-parser.js';

/** Weight of a soft rule without `weight=N` (kubectl-mtv's default). */
export const DefaultKarlWeight = 100;

function labelSelector(selectors: readonly KarlSelector[]): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];
  for (const s of selectors) {
    const value = s.values[0] ?? '';
    if (s.operator === KarlOperator.Equals && !(s.key in matchLabels)) matchLabels[s.key] = value;
    else if (s.operator === KarlOperator.Equals)
      matchExpressions.push({ key: s.key, operator: 'In', values: [value] });
    else matchExpressions.push(expression(s));
  }
  return {
    ...(Object.keys(matchLabels).length ? { matchLabels } : {}),
    ...(matchExpressions.length ? { matchExpressions } : {}),
  };
}

function expression(s: KarlSelector): NodeSelectorRequirement {
  const operator = s.operator === KarlOperator.Equals ? 'In' : s.operator;
  return s.values.length > 0 ? { key: s.key, operator, values: [...s.values] } : { key: s.key, operator };
}

const negations: Readonly<Record<KarlOperator, KarlOperator>> = {
  Equals: KarlOperator.NotIn,
  In: KarlOperator.NotIn,
  NotIn: KarlOperator.In,
  Exists: KarlOperator.DoesNotExist,
  DoesNotExist: KarlOperator.Exists,
};

/** The requirement that holds exactly when `s` does not. */
function negate(s: KarlSelector): NodeSelectorRequirement {
  return expression({ ...s, operator: negations[s.operator] });
}

/** Terms ORed: AND of two OR-lists is the OR of their pairwise merges. */
function andTerms(
  a: readonly NodeSelectorTerm[] | undefined,
  b: readonly NodeSelectorTerm[],
): NodeSelectorTerm[] {
  if (!a) return [...b];
  return a.flatMap((x) =>
    b.map((y) => ({ matchExpressions: [...(x.matchExpressions ?? []), ...(y.matchExpressions ?? [])] })),
  );
}

function podTerm(rule: KarlRule): PodAffinityTerm {
  return {
    labelSelector: labelSelector(rule.selectors),
    topologyKey: KarlTopologyKeys[rule.topology ?? 'node'],
  };
}

function addPodRule(affinity: Affinity, rule: KarlRule): void {
  const anti = rule.rule === 'AVOID' || rule.rule === 'REPEL';
  const key = anti ? 'podAntiAffinity' : 'podAffinity';
  const target: PodAffinity = (affinity[key] ??= {});
  if (rule.rule === 'REQUIRE' || rule.rule === 'AVOID') {
    (target.requiredDuringSchedulingIgnoredDuringExecution ??= []).push(podTerm(rule));
  } else {
    (target.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({
      weight: rule.weight ?? DefaultKarlWeight,
      podAffinityTerm: podTerm(rule),
    });
  }
}

function addNodeRule(affinity: Affinity, rule: KarlRule, required: { terms?: NodeSelectorTerm[] }): void {
  const node = (affinity.nodeAffinity ??= {});
  if (rule.rule === 'REQUIRE') {
    required.terms = andTerms(required.terms, [{ matchExpressions: rule.selectors.map(expression) }]);
  } else if (rule.rule === 'AVOID') {
    required.terms = andTerms(
      required.terms,
      rule.selectors.map((s) => ({ matchExpressions: [negate(s)] })),
    );
  } else {
    const exprs = rule.rule === 'PREFER' ? rule.selectors.map(expression) : rule.selectors.map(negate);
    (node.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({
      weight: rule.weight ?? DefaultKarlWeight,
      preference: { matchExpressions: exprs },
    });
  }
}

/**
 * Converts parsed rules to a Kubernetes Affinity; rules of one kind keep their order. An empty
 * program gives `{}`.
 */
export function karlToAffinity(program: KarlProgram): Affinity {
  const affinity: Affinity = {};
  const required: { terms?: NodeSelectorTerm[] } = {};
  for (const rule of program.rules) {
    if (rule.target === 'pods') addPodRule(affinity, rule);
    else addNodeRule(affinity, rule, required);
  }
  if (required.terms) {
    (affinity.nodeAffinity ??= {}).requiredDuringSchedulingIgnoredDuringExecution = {
      nodeSelectorTerms: required.terms,
    };
  }
  return affinity;
}

/**
 * Parses KARL rules and converts them to a Kubernetes Affinity.
 * @param field where the text came from, for error messages (e.g. `--target-affinity`).
 * @throws {@link KarlSyntaxError} when the text is not valid KARL.
 */
export function karlAffinity(text: string, field?: string): Affinity {
  return karlToAffinity(parseKarl(text, field));
}

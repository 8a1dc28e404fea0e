/**
 * KARL printers: a parsed program back to canonical text, and a Kubernetes Affinity to KARL for
 * `describe plan` (when every part of it can be said in KARL).
 *
 * Canonical spellings: upper-case rule types, `k=v`, `k in [a, b]`, `k not in [a, b]`, `has k`,
 * `not has k`, `on TOPOLOGY`, `weight=N` only when it is not the default 100, rules joined by `; `.
 * `parseKarl(printKarlProgram(p))` equals `p` apart from locations, and
 * `karlAffinity(printKarl(a))` equals `a` whenever `printKarl(a)` is defined.
 *
 * @see https://github.com/yaacov/karl-interpreter
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
  type KarlRuleType,
  type KarlSelector,
  type KarlTopology,
} from './karl-ast.js';
import { DefaultKarlWeight } from './karl.js';

const plainValue = /^[A-Za-z0-9_./-]+$/;

function printValue(v: string): string {
  return plainValue.test(v) ? v : JSON.stringify(v);
}

function printList(values: readonly string[]): string {
  return `[${values.map(printValue).join(', ')}]`;
}

function printSelector(s: Pick<KarlSelector, 'key' | 'operator' | 'values'>): string {
  switch (s.operator) {
    case KarlOperator.Equals:
      return `${s.key}=${printValue(s.values[0] ?? '')}`;
    case KarlOperator.In:
      return `${s.key} in ${printList(s.values)}`;
    case KarlOperator.NotIn:
      return `${s.key} not in ${printList(s.values)}`;
    case KarlOperator.Exists:
      return `has ${s.key}`;
    case KarlOperator.DoesNotExist:
      return `not has ${s.key}`;
  }
}

type Printable = Pick<KarlRule, 'rule' | 'target' | 'topology' | 'weight'> & {
  selectors: readonly Pick<KarlSelector, 'key' | 'operator' | 'values'>[];
};

function printRule(r: Printable): string {
  const on = r.topology ? ` on ${r.topology}` : '';
  const weight = r.weight !== undefined && r.weight !== DefaultKarlWeight ? ` weight=${r.weight}` : '';
  return `${r.rule} ${r.target}(${r.selectors.map(printSelector).join(', ')})${on}${weight}`;
}

/** Prints parsed rules in canonical form, joined by `; `. */
export function printKarlProgram(program: KarlProgram): string {
  return program.rules.map(printRule).join('; ');
}

type Sel = Pick<KarlSelector, 'key' | 'operator' | 'values'>;

const operators: Readonly<Record<string, KarlOperator>> = {
  In: KarlOperator.In,
  NotIn: KarlOperator.NotIn,
  Exists: KarlOperator.Exists,
  DoesNotExist: KarlOperator.DoesNotExist,
};

/** A requirement as a selector, or undefined when KARL cannot say it (Gt, Lt, empty In). */
function requirementSelector(r: NodeSelectorRequirement, equalsForSingleIn: boolean): Sel | undefined {
  const operator = operators[r.operator];
  const values = r.values ?? [];
  if (!operator) return undefined;
  const valued = operator === KarlOperator.In || operator === KarlOperator.NotIn;
  if (valued !== values.length > 0) return undefined;
  if (equalsForSingleIn && operator === KarlOperator.In && values.length === 1) {
    return { key: r.key, operator: KarlOperator.Equals, values };
  }
  return { key: r.key, operator, values };
}

function all<T>(items: readonly (T | undefined)[]): T[] | undefined {
  return items.every((x) => x !== undefined) ? (items as T[]) : undefined;
}

function labelSelectorSelectors(ls: LabelSelector | undefined): Sel[] | undefined {
  const labels = Object.entries(ls?.matchLabels ?? {}).map(([key, v]): Sel => ({
    key,
    operator: KarlOperator.Equals,
    values: [v],
  }));
  const exprs = all((ls?.matchExpressions ?? []).map((e) => requirementSelector(e, false)));
  if (!exprs) return undefined;
  const out = [...labels, ...exprs];
  return out.length > 0 ? out : undefined;
}

const topologyByKey = new Map<string, KarlTopology>(
  Object.entries(KarlTopologyKeys).map(([topology, key]) => [key, topology as KarlTopology]),
);

function podRule(rule: KarlRuleType, term: PodAffinityTerm, weight?: number): Printable | undefined {
  const { labelSelector, topologyKey, ...rest } = term;
  // Namespaces, namespace selectors and match/mismatch label keys have no KARL spelling.
  if (Object.keys(rest).length > 0) return undefined;
  const topology = topologyByKey.get(topologyKey);
  const selectors = labelSelectorSelectors(labelSelector);
  if (!topology || !selectors) return undefined;
  return { rule, target: 'pods', selectors, topology, ...(weight !== undefined ? { weight } : {}) };
}

function podRules(
  pa: PodAffinity | undefined,
  hard: KarlRuleType,
  soft: KarlRuleType,
): (Printable | undefined)[] {
  return [
    ...(pa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => podRule(hard, t)),
    ...(pa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) =>
      podRule(soft, w.podAffinityTerm, w.weight),
    ),
  ];
}

function termSelectors(term: NodeSelectorTerm): Sel[] | undefined {
  if ((term.matchFields ?? []).length > 0) return undefined;
  const exprs = term.matchExpressions ?? [];
  if (exprs.length === 0) return undefined;
  return all(exprs.map((e) => requirementSelector(e, true)));
}

const negated: Readonly<Record<string, string>> = {
  In: 'NotIn',
  NotIn: 'In',
  Exists: 'DoesNotExist',
  DoesNotExist: 'Exists',
};

function requiredNodeRule(terms: readonly NodeSelectorTerm[]): Printable | undefined {
  const [only] = terms;
  if (terms.length === 1 && only) {
    const selectors = termSelectors(only);
    return selectors ? { rule: 'REQUIRE', target: 'nodes', selectors } : undefined;
  }
  const singles = terms.map((t) =>
    (t.matchFields ?? []).length === 0 && t.matchExpressions?.length === 1
      ? t.matchExpressions[0]
      : undefined,
  );
  const flipped = all(
    singles.map((e) =>
      e && negated[e.operator] ? { ...e, operator: negated[e.operator] ?? e.operator } : undefined,
    ),
  );
  const selectors = flipped && all(flipped.map((e) => requirementSelector(e, true)));
  return selectors && selectors.length > 0 ? { rule: 'AVOID', target: 'nodes', selectors } : undefined;
}

function nodeRules(affinity: Affinity): (Printable | undefined)[] {
  const na = affinity.nodeAffinity;
  const required = na?.requiredDuringSchedulingIgnoredDuringExecution;
  const out: (Printable | undefined)[] = required ? [requiredNodeRule(required.nodeSelectorTerms)] : [];
  for (const p of na?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    const selectors = termSelectors(p.preference);
    out.push(selectors ? { rule: 'PREFER', target: 'nodes', selectors, weight: p.weight } : undefined);
  }
  return out;
}

/**
 * Prints an Affinity as KARL rules joined by `; `, or returns undefined when some part cannot be
 * said in KARL (namespaces or namespace selectors on pod terms, a topology key other than the four
 * KARL knows, Gt/Lt or matchFields on node terms, required node terms that are neither one term
 * nor one negated requirement per term). An empty Affinity prints as the empty string.
 */
export function printKarl(affinity: Affinity): string | undefined {
  const rules = all([
    ...nodeRules(affinity),
    ...podRules(affinity.podAffinity, 'REQUIRE', 'PREFER'),
    ...podRules(affinity.podAntiAffinity, 'AVOID', 'REPEL'),
  ]);
  return rules?.map(printRule).join('; ');
}

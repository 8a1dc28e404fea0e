/**
 * KARL (Kubernetes Affinity Rule Language) syntax tree and its error class.
 *
 * A program is rules separated by `;` or newlines:
 * `RULE TARGET(selector, …) [on TOPOLOGY] [weight=N]`, where RULE is REQUIRE, PREFER, AVOID or
 * REPEL; TARGET is `pods` (kubectl-mtv's only target) or `nodes` (an mtv addition); TOPOLOGY is
 * node, zone, region or rack. Every node carries its location (UTF-16 offsets, `end` exclusive).
 *
 * @see https://github.com/yaacov/karl-interpreter
 * @see https://github.com/yaacov/kubectl-mtv/blob/main/docs/README_target_affinity.md
 */
import { UsageError } from '../api/index.js';
import { caretView, lineColumn } from '../query/index.js';

/** Source location: offsets into the rule text, `end` exclusive. */
export interface KarlLoc {
  start: number;
  end: number;
}

/** Rule types: hard/soft affinity and hard/soft anti-affinity. */
export const KarlRuleType = { Require: 'REQUIRE', Prefer: 'PREFER', Avoid: 'AVOID', Repel: 'REPEL' } as const;
/** One of {@link KarlRuleType}'s values. */
export type KarlRuleType = (typeof KarlRuleType)[keyof typeof KarlRuleType];

/** What a rule selects: other pods (pod affinity) or nodes (node affinity). */
export const KarlTarget = { Pods: 'pods', Nodes: 'nodes' } as const;
/** One of {@link KarlTarget}'s values. */
export type KarlTarget = (typeof KarlTarget)[keyof typeof KarlTarget];

/** Topology domains of `on …`. */
export const KarlTopology = { Node: 'node', Zone: 'zone', Region: 'region', Rack: 'rack' } as const;
/** One of {@link KarlTopology}'s values. */
export type KarlTopology = (typeof KarlTopology)[keyof typeof KarlTopology];

/**
 * The node label of each topology domain. `rack` is KARL's `topology.kubernetes.io/rack`, which
 * is not a well-known Kubernetes label: nodes must carry it for rack rules to mean anything.
 */
export const KarlTopologyKeys: Readonly<Record<KarlTopology, string>> = {
  node: 'kubernetes.io/hostname',
  zone: 'topology.kubernetes.io/zone',
  region: 'topology.kubernetes.io/region',
  rack: 'topology.kubernetes.io/rack',
};

/**
 * Selector operators. `Equals` (`k=v`) becomes a pod selector's `matchLabels` entry and a node
 * selector's `In [v]`; `k!=v` parses to `NotIn [v]`, `!k` / `not has k` to `DoesNotExist`, `k` /
 * `has k` to `Exists`.
 */
export const KarlOperator = {
  Equals: 'Equals',
  In: 'In',
  NotIn: 'NotIn',
  Exists: 'Exists',
  DoesNotExist: 'DoesNotExist',
} as const;
/** One of {@link KarlOperator}'s values. */
export type KarlOperator = (typeof KarlOperator)[keyof typeof KarlOperator];

/** One label requirement inside `pods(…)` or `nodes(…)`; the requirements of a target are ANDed. */
export interface KarlSelector extends KarlLoc {
  key: string;
  operator: KarlOperator;
  /** One value for Equals, at least one for In/NotIn, none for Exists/DoesNotExist. */
  values: string[];
}

/** One rule. */
export interface KarlRule extends KarlLoc {
  type: 'Rule';
  rule: KarlRuleType;
  target: KarlTarget;
  selectors: KarlSelector[];
  /** Required for pods; for nodes only `node` is accepted (it is the node itself). */
  topology?: KarlTopology;
  /** 1–100, soft rules only; unset means 100. */
  weight?: number;
}

/** A parsed program: its rules in order (none for empty text). */
export interface KarlProgram {
  rules: KarlRule[];
}

/** Everything known about a KARL error. */
export interface KarlErrorDetails {
  /** The rule text. */
  text: string;
  /** Offset of the error, `0..text.length`. */
  offset: number;
  /** Offset just past the offending token. */
  end?: number;
  /** What would have been accepted, e.g. `['REQUIRE', 'PREFER', 'AVOID', 'REPEL']`. */
  expected?: readonly string[];
  /** What was found, e.g. `"services"`, `end of rule`. */
  found?: string;
  /** Replaces the "expected … but found …" sentence. */
  reason?: string;
  /** How to fix it. */
  hint?: string;
  /** Where the text came from, e.g. `--target-affinity`. */
  field?: string;
}

function describeExpected(expected: readonly string[]): string {
  if (expected.length <= 1) return expected[0] ?? 'something else';
  return `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1] ?? ''}`;
}

/**
 * An affinity rule that cannot be parsed or does not make sense (a weight on a hard rule, a pod
 * rule without topology): offset, 1-based line and column, what was expected and found; the
 * message quotes the rule with a caret. A {@link UsageError}, so the CLI exits with code 2.
 */
export class KarlSyntaxError extends UsageError {
  readonly text: string;
  readonly offset: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
  readonly expected: readonly string[];
  readonly found: string;
  /** The one-line summary, without the caret view. */
  readonly summary: string;

  constructor(d: KarlErrorDetails) {
    const { line, column } = lineColumn(d.text, d.offset);
    const expected = d.expected ?? [];
    const found = d.found ?? '';
    const reason = d.reason ?? `expected ${describeExpected(expected)} but found ${found}`;
    const summary = `affinity rule error at line ${line}, column ${column}: ${reason}`;
    const end = Math.max(d.offset + 1, d.end ?? 0);
    super(
      { field: d.field ?? 'affinity rule', message: `${summary}\n${caretView(d.text, d.offset, end)}` },
      d.hint ? { hint: d.hint } : undefined,
    );
    this.text = d.text;
    this.offset = d.offset;
    this.end = end;
    this.line = line;
    this.column = column;
    this.expected = expected;
    this.found = found;
    this.summary = summary;
  }
}

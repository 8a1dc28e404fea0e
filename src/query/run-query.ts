/**
 * Runs a query over rows in memory: WHERE, then GROUP BY and aggregates, ORDER BY (a stable sort,
 * so ties and queries without ORDER BY keep input order), LIMIT, and the SELECT projection.
 */
import { analyzeQuery } from './analyze.js';
import type { AnalyzedQuery } from './analyze.js';
import type { Call, Expression, Query } from './ast.js';
import { QueryError } from './errors.js';
import type { QueryIssue } from './errors.js';
import { evaluate } from './evaluator.js';
import type { ComputedFields, Env, Row } from './evaluator.js';
import { unknownFieldIssues } from './fields.js';
import { aggregate } from './functions.js';
import { parseQuery } from './parser.js';
import { compareForSort, kindOf, toPlain } from './values.js';

/** Options of {@link runQuery}. */
export interface RunQueryOptions<R extends object = Row> {
  /**
   * Virtual fields by name, e.g. `{ memoryGB: (vm) => Number(vm.memoryMB) / 1024 }`. They can be
   * used like row fields, hide row fields of the same name, and count as known fields.
   */
  computed?: ComputedFields<R>;
  /**
   * Field paths that exist even when no row has them (`powerState`, `disks.capacity`; `[…]` parts
   * are ignored). A listed path vouches for everything below it.
   */
  knownFields?: readonly string[];
  /**
   * Report fields that no row has (and that are not known, computed or alias names) as errors.
   * @default true
   */
  checkFields?: boolean;
}

/**
 * The result of {@link runQuery}: without SELECT, the matching input rows themselves (same
 * objects); with SELECT (or GROUP BY), one plain object per row or group keyed by `columns`.
 */
export type QueryResult<R extends object = Row> =
  { columns: undefined; rows: R[] } | { columns: string[]; rows: Record<string, unknown>[] };

interface Entry {
  env: Env;
  keys: unknown[];
}

function groupKey(values: readonly unknown[]): string {
  return JSON.stringify(values.map((v) => [kindOf(v), toPlain(v)]));
}

function groupEntries(
  analyzed: AnalyzedQuery,
  rows: readonly object[],
  computed: ComputedFields<never> | undefined,
): Env[] {
  const groups = new Map<string, object[]>();
  const by = analyzed.groupBy ?? [];
  if (by.length === 0) groups.set('', [...rows]);
  for (const row of by.length === 0 ? [] : rows) {
    const key = groupKey(by.map((g) => evaluate(g, { row, computed, vector: false })));
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].map((members) => {
    const aggregates = new Map<Call, unknown>();
    for (const call of analyzed.aggregates) {
      const [arg] = call.args;
      const values = members.map((row) =>
        arg === undefined || arg.type === 'Star' ? true : evaluate(arg, { row, computed, vector: true }),
      );
      aggregates.set(call, aggregate(call.name, values));
    }
    return { row: members[0] ?? {}, computed, vector: false, aggregates };
  });
}

function sortEntries(entries: Entry[], analyzed: AnalyzedQuery): Entry[] {
  const order = analyzed.orderBy ?? [];
  if (order.length === 0) return entries;
  for (const e of entries) e.keys = order.map((o) => evaluate(o.expr, e.env));
  return entries.sort((a, b) => {
    for (let i = 0; i < order.length; i++) {
      const c = compareForSort(a.keys[i], b.keys[i]);
      if (c !== 0) return order[i]?.direction === 'desc' ? -c : c;
    }
    return 0;
  });
}

function project(
  entries: readonly Entry[],
  analyzed: AnalyzedQuery,
  columns: string[],
): Record<string, unknown>[] {
  const exprs: Expression[] = (analyzed.select ?? []).map((s) => s.expr);
  return entries.map((e) => {
    const out: Record<string, unknown> = {};
    exprs.forEach((expr, i) => {
      out[columns[i] ?? String(i)] = toPlain(evaluate(expr, e.env));
    });
    return out;
  });
}

function execute<R extends object>(
  analyzed: AnalyzedQuery,
  rows: readonly R[],
  computed: ComputedFields<never> | undefined,
): QueryResult<R> {
  const where = analyzed.where;
  const matched = where
    ? rows.filter((row) => evaluate(where, { row, computed, vector: false }) === true)
    : [...rows];
  const envs: Env[] = analyzed.grouped
    ? groupEntries(analyzed, matched, computed)
    : matched.map((row) => ({ row, computed, vector: false }));
  let entries = sortEntries(
    envs.map((env) => ({ env, keys: [] })),
    analyzed,
  );
  if (analyzed.query.limit) entries = entries.slice(0, analyzed.query.limit.value);
  const columns = analyzed.columns;
  if (columns === undefined) return { columns: undefined, rows: entries.map((e) => e.env.row as R) };
  return { columns, rows: project(entries, analyzed, columns) };
}

function fieldIssues<R extends object>(
  analyzed: AnalyzedQuery,
  rows: readonly R[],
  options: RunQueryOptions<R>,
): QueryIssue[] {
  if (!(options.checkFields ?? true)) return [];
  return unknownFieldIssues(analyzed, rows, {
    ...(options.knownFields ? { knownFields: options.knownFields } : {}),
    computed: Object.keys(options.computed ?? {}),
  });
}

/**
 * Checks a query without running it: syntax, functions, grouping, lists, regular expressions and,
 * when `rows` or `options.knownFields` are given, field names (as {@link runQuery} does).
 * @throws QuerySyntaxError when `query` is text that does not parse.
 * @throws QueryError listing every problem found.
 */
export function checkQuery<R extends object = Row>(
  query: string | Query,
  rows: readonly R[] = [],
  options: RunQueryOptions<R> = {},
): void {
  const parsed = typeof query === 'string' ? parseQuery(query) : query;
  const issues = fieldIssues(analyzeQuery(parsed), rows, options);
  if (issues.length > 0) throw new QueryError(issues, typeof query === 'string' ? query : query.source);
}

/**
 * Runs `query` over `rows`: filters with WHERE (a row matches when the condition is TRUE; a
 * missing field makes it UNKNOWN, which does not match), groups, sorts (stable; input order
 * otherwise), limits and projects.
 *
 * @param query Query text or a parsed {@link Query}.
 * @param rows The rows, e.g. inventory VMs; not modified.
 * @returns The matching rows (no SELECT), or `columns` and one plain object per row or group.
 * @throws QuerySyntaxError when `query` is text that does not parse.
 * @throws QueryError listing every problem: unknown fields (with "did you mean"), unknown
 *   functions, lists compared as single values, aggregates misplaced, invalid regular expressions.
 * @example runQuery("select name, memoryMB / 1024 as memoryGB where powerState = 'poweredOn' order by memoryGB desc limit 5", vms)
 */
export function runQuery<R extends object>(
  query: string | Query,
  rows: readonly R[],
  options: RunQueryOptions<R> = {},
): QueryResult<R> {
  const parsed = typeof query === 'string' ? parseQuery(query) : query;
  const source = typeof query === 'string' ? query : query.source;
  const analyzed = analyzeQuery(parsed);
  const issues = fieldIssues(analyzed, rows, options);
  if (issues.length > 0) throw new QueryError(issues, source);
  try {
    return execute(analyzed, rows, options.computed);
  } catch (e: unknown) {
    if (e instanceof QueryError && source !== undefined) throw e.withQuery(source);
    throw e;
  }
}

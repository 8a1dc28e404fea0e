/**
 * Semantic analysis of a parsed query: resolves SELECT aliases in WHERE, GROUP BY and ORDER BY,
 * decides which calls are aggregates, and checks everything that can be checked without data
 * (functions, arity, lists used as single values, grouping, regular expressions, aliases).
 *
 * The aggregate rule for `sum()`:
 * 1. In WHERE and GROUP BY, and inside another aggregate's argument, `sum()` is per row: the sum of
 *    a list (`sum(disks[*].capacity)`), or the number itself.
 * 2. A query is *grouped* when it has GROUP BY, or its SELECT/ORDER BY uses `count()`, `avg()`,
 *    `min()`, `max()`, or `sum()` of an argument without `[*]`.
 * 3. In a grouped query every other `sum()` in SELECT/ORDER BY is the aggregate (lists are
 *    flattened into the group's total); in a query that is not grouped, `sum()` is per row.
 */
import { childrenOf, hasWildcard, mapChildren, rootsOf, simpleName, walk } from './ast.js';
import type { Call, Expression, OrderItem, Query, SelectItem } from './ast.js';
import { QueryError, QueryIssueCode } from './errors.js';
import type { QueryIssue } from './errors.js';
import { regexReason } from './evaluator.js';
import { functions } from './functions.js';
import { compileRegex } from './patterns.js';
import { printExpression } from './printer.js';
import { suggest } from './suggest.js';

/** A query ready to run: aliases resolved, aggregates identified, output columns named. */
export interface AnalyzedQuery {
  query: Query;
  /** SELECT items (for a GROUP BY without SELECT: the group expressions and `count(*) as count`). */
  select: SelectItem[] | undefined;
  /** WHERE with aliases replaced by their SELECT expressions. */
  where: Expression | undefined;
  groupBy: Expression[] | undefined;
  orderBy: OrderItem[] | undefined;
  /** True when rows are grouped (rule 2 above). */
  grouped: boolean;
  /** The aggregate calls of SELECT and ORDER BY (evaluated once per group). */
  aggregates: Call[];
  /** Output column names: alias, else the printed expression; undefined without SELECT. */
  columns: string[] | undefined;
}

/** Structural equality of two expressions, ignoring locations. */
export function sameExpression(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a).filter((k) => k !== 'start' && k !== 'end');
  const kb = Object.keys(b).filter((k) => k !== 'start' && k !== 'end');
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => sameExpression(ra[k], rb[k]));
}

/** SELECT aliases and the expressions they stand for (the first, when an alias repeats). */
export function aliasesOf(query: Query): Map<string, Expression> {
  const aliases = new Map<string, Expression>();
  for (const item of query.select ?? []) {
    if (item.alias !== undefined && !aliases.has(item.alias)) aliases.set(item.alias, item.expr);
  }
  return aliases;
}

/** Replaces alias references (single-name fields) by the aliased expressions, sharing their nodes. */
export function substitute(expr: Expression, aliases: ReadonlyMap<string, Expression>): Expression {
  const name = simpleName(expr);
  if (name !== undefined) return aliases.get(name) ?? expr;
  return mapChildren(expr, (child) => substitute(child, aliases));
}

function isAggregateOnly(node: Expression): boolean {
  return node.type === 'Call' && functions[node.name]?.kind === 'aggregate';
}

function makesGrouped(node: Expression): boolean {
  if (isAggregateOnly(node)) return true;
  if (node.type !== 'Call' || node.name !== 'sum') return false;
  let wildcard = false;
  for (const arg of node.args) walk(arg, (n) => (wildcard ||= n.type === 'Field' && hasWildcard(n)));
  return !wildcard;
}

/** The aggregate calls in `expr` (not descending into their arguments). */
function collectAggregates(expr: Expression, grouped: boolean, into: Call[]): void {
  if (expr.type === 'Call' && (isAggregateOnly(expr) || (grouped && expr.name === 'sum'))) {
    if (!into.includes(expr)) into.push(expr);
    return;
  }
  for (const child of childrenOf(expr)) collectAggregates(child, grouped, into);
}

function uniqueColumns(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = (seen.get(n) ?? 0) + 1;
    seen.set(n, count);
    return count === 1 ? n : `${n}_${count}`;
  });
}

function implicitSelect(groupBy: Expression[]): SelectItem[] {
  const first = groupBy[0];
  const at = { start: first?.start ?? 0, end: first?.end ?? 0 };
  const count: Call = { type: 'Call', name: 'count', args: [{ type: 'Star', ...at }], ...at };
  return [
    ...groupBy.map((expr): SelectItem => ({ type: 'SelectItem', expr, start: expr.start, end: expr.end })),
    { type: 'SelectItem', expr: count, alias: 'count', ...at },
  ];
}

/**
 * Analyzes a parsed query (see the module comment for the aggregate rule).
 * @throws QueryError listing every problem: unknown functions (with suggestions), wrong arity,
 *   `*` outside count(*), aggregates in WHERE/GROUP BY or nested, fields neither grouped nor
 *   aggregated, lists compared as single values, literal `null` in an ordering, invalid regular
 *   expressions, duplicate aliases.
 */
export function analyzeQuery(query: Query): AnalyzedQuery {
  const issues: QueryIssue[] = [];
  const aliases = aliasesOf(query);
  for (const item of query.select ?? []) {
    if (item.alias !== undefined && aliases.get(item.alias) !== item.expr) {
      issues.push({
        code: QueryIssueCode.DuplicateAlias,
        message: `alias ${item.alias} is used twice`,
        start: item.start,
        end: item.end,
      });
    }
  }
  const where = query.where && substitute(query.where, aliases);
  const groupBy = query.groupBy?.map((g) => substitute(g, aliases));
  const orderBy = query.orderBy?.map((o) => ({ ...o, expr: substitute(o.expr, aliases) }));
  const select = query.select ?? (groupBy ? implicitSelect(groupBy) : undefined);
  const outputs = [...(select ?? []).map((s) => s.expr), ...(orderBy ?? []).map((o) => o.expr)];
  let grouped = groupBy !== undefined;
  for (const e of outputs) walk(e, (n) => (grouped ||= makesGrouped(n)));
  const aggregates: Call[] = [];
  for (const e of outputs) collectAggregates(e, grouped, aggregates);

  for (const root of rootsOf(query)) checkNode(root, { vector: false, scalar: false }, issues);
  if (where) checkNoAggregates(where, 'WHERE', issues, 'WHERE filters rows before they are grouped');
  for (const g of groupBy ?? []) checkNoAggregates(g, 'GROUP BY', issues);
  for (const call of aggregates) for (const a of call.args) checkNoAggregates(a, `${call.name}()`, issues);
  if (grouped) for (const e of outputs) checkGrouped(e, groupBy ?? [], aggregates, issues, query);
  if (issues.length > 0) throw new QueryError(dedupe(issues), query.source);
  const columns = select && uniqueColumns(select.map((s) => s.alias ?? printExpression(s.expr)));
  return { query, select, where, groupBy, orderBy, grouped, aggregates, columns };
}

function dedupe(issues: QueryIssue[]): QueryIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.code}:${i.start}:${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkNoAggregates(expr: Expression, where: string, issues: QueryIssue[], hint?: string): void {
  walk(expr, (n) => {
    if (isAggregateOnly(n) && n.type === 'Call') {
      issues.push({
        code: QueryIssueCode.Aggregate,
        message: `${n.name}() is an aggregate and cannot be used in ${where}`,
        start: n.start,
        end: n.end,
        ...(hint === undefined ? {} : { hint }),
      });
    }
  });
}

function checkGrouped(
  expr: Expression,
  groupBy: readonly Expression[],
  aggregates: readonly Call[],
  issues: QueryIssue[],
  query: Query,
): void {
  if (groupBy.some((g) => sameExpression(g, expr))) return;
  if (expr.type === 'Call' && aggregates.includes(expr)) return;
  if (expr.type === 'Field') {
    const perRowSum = rootsOf(query).some((r) => {
      let found = false;
      walk(r, (n) => (found ||= n.type === 'Call' && n.name === 'sum' && makesGrouped(n)));
      return found;
    });
    issues.push({
      code: QueryIssueCode.NotGrouped,
      message: `${printExpression(expr)} is neither in GROUP BY nor inside an aggregate`,
      start: expr.start,
      end: expr.end,
      hint: perRowSum
        ? 'sum(x) without [*] totals x over all rows; for a per-row sum of a list write sum(list[*].x)'
        : `add it to GROUP BY, or aggregate it, e.g. max(${printExpression(expr)})`,
    });
    return;
  }
  for (const child of childrenOf(expr)) checkGrouped(child, groupBy, aggregates, issues, query);
}

interface Context {
  /** Inside any()/all()/sum()/len() or an aggregate: lists are fine. */
  vector: boolean;
  /** The parent needs a single value here. */
  scalar: boolean;
}

function checkCall(node: Call, issues: QueryIssue[]): void {
  const info = functions[node.name];
  if (!info) {
    issues.push({
      code: QueryIssueCode.UnknownFunction,
      message: `unknown function ${node.name}()`,
      start: node.start,
      end: node.end,
      suggestions: suggest(node.name, Object.keys(functions)).map((f) => `${f}()`),
    });
    return;
  }
  const star = node.args.some((a) => a.type === 'Star');
  if (node.args.length !== 1 || (star && node.name !== 'count')) {
    issues.push({
      code: QueryIssueCode.Arity,
      message: `${node.name}() takes one argument${star ? ', and * only in count(*)' : ''}`,
      start: node.start,
      end: node.end,
      hint: `write ${info.usage}`,
    });
  }
}

function checkLiteralPattern(node: Expression & { type: 'Like' | 'Regex' }, issues: QueryIssue[]): void {
  const p = node.pattern;
  if (['Number', 'Boolean', 'Date', 'Array', 'Null'].includes(p.type)) {
    issues.push({
      code: QueryIssueCode.Type,
      message: `the pattern of ${node.type === 'Like' ? 'LIKE' : 'a regular expression match'} must be a string`,
      start: p.start,
      end: p.end,
    });
  } else if (p.type === 'String' && node.type === 'Regex') {
    try {
      compileRegex(p.value);
    } catch (e: unknown) {
      issues.push({
        code: QueryIssueCode.Regex,
        message: `invalid regular expression ${JSON.stringify(p.value)}: ${regexReason(e)}`,
        start: p.start,
        end: p.end,
        hint: 'patterns use JavaScript RegExp syntax; a leading (?i) ignores case',
      });
    }
  }
}

function checkNullOrdering(node: Expression, issues: QueryIssue[]): void {
  const bad =
    (node.type === 'Compare' && node.op !== '=' && node.op !== '!=' && [node.left, node.right]) ||
    (node.type === 'Between' && [node.value, node.low, node.high]) ||
    (node.type === 'Arithmetic' && [node.left, node.right]) ||
    [];
  for (const n of bad) {
    if (n.type === 'Null') {
      issues.push({
        code: QueryIssueCode.Type,
        message: 'null has no order and no arithmetic',
        start: n.start,
        end: n.end,
        hint: 'test for a missing value with IS NULL / IS NOT NULL (x = null also works)',
      });
    }
  }
}

function listIssue(node: Expression, issues: QueryIssue[]): void {
  const literal = node.type === 'Array';
  issues.push({
    code: QueryIssueCode.ArrayComparison,
    message: literal
      ? 'a list literal can only follow IN'
      : `${printExpression(node)} is a list (one value per element), not a single value`,
    start: node.start,
    end: node.end,
    hint: literal
      ? "write x IN ['a', 'b']"
      : 'wrap the condition in any(…) or all(…), e.g. any(disks[*].capacity > 100Gi), or use sum()/len()',
  });
}

/** Operand positions of `node` that need a single value (vs. a list). */
function scalarChildren(node: Expression): Set<Expression> {
  switch (node.type) {
    case 'Array':
    case 'Call':
      return new Set();
    case 'In':
      return new Set([node.left]);
    default:
      return new Set(childrenOf(node));
  }
}

function checkNode(node: Expression, ctx: Context, issues: QueryIssue[]): void {
  if (node.type === 'Call') checkCall(node, issues);
  if (node.type === 'Star' && ctx.scalar) {
    issues.push({
      code: QueryIssueCode.Arity,
      message: '* is only allowed in count(*)',
      start: node.start,
      end: node.end,
    });
  }
  if (node.type === 'Like' || node.type === 'Regex') checkLiteralPattern(node, issues);
  checkNullOrdering(node, issues);
  if (ctx.scalar && !ctx.vector && ((node.type === 'Field' && hasWildcard(node)) || node.type === 'Array')) {
    listIssue(node, issues);
  }
  const vector = ctx.vector || (node.type === 'Call' && functions[node.name] !== undefined);
  const scalar = scalarChildren(node);
  for (const child of childrenOf(node)) checkNode(child, { vector, scalar: scalar.has(child) }, issues);
}

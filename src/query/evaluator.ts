/**
 * The evaluator: walks the AST for one row (no `eval`, no `new Function`).
 *
 * Conditions are three-valued like SQL: a comparison with a missing or null field is UNKNOWN, `NOT
 * UNKNOWN` is UNKNOWN, `AND`/`OR` follow Kleene logic, and a WHERE keeps a row only when its
 * condition is TRUE. So a row that lacks a field simply does not match; it never aborts the query.
 *
 * A list value (`disks[*].capacity`) is only allowed where a list makes sense: inside `any()`,
 * `all()`, `sum()`, `len()` and the aggregates, where operators apply element by element. Compared
 * anywhere else it is a {@link QueryError} telling the user to use `any()`/`all()`.
 */
import type { Call, Compare, Expression, Field } from './ast.js';
import { QueryError, QueryIssueCode } from './errors.js';
import { allOf, anyOf, functions, lenOf, sumOf } from './functions.js';
import { compileRegex, likeRegExp } from './patterns.js';
import { resolvePath } from './paths.js';
import { printExpression } from './printer.js';
import { compareValues, isNull, TimeValue, truth } from './values.js';

/** A row: a JSON-like object (its fields are its own properties). */
export type Row = Readonly<Record<string, unknown>>;

/** Virtual fields the caller defines (e.g. `memoryGB` on VM rows), by name. */
export type ComputedFields<R extends object = Row> = Readonly<Record<string, (row: R) => unknown>>;

/** Options of {@link evaluateWhere}. */
export interface EvaluateOptions<R extends object = Row> {
  /** Virtual fields; a computed name hides a row field of the same name. */
  computed?: ComputedFields<R>;
}

/** Evaluation state for one row. */
export interface Env {
  row: object;
  computed: ComputedFields<never> | undefined;
  /** Inside any()/all()/sum()/len() or an aggregate: operators apply element-wise to lists. */
  vector: boolean;
  /** In a grouped query: the group's value of each aggregate call. */
  aggregates?: ReadonlyMap<Call, unknown>;
}

const dayMs = 86_400_000;

function listError(node: Expression): QueryError {
  return new QueryError({
    code: QueryIssueCode.ArrayComparison,
    message: `${printExpression(node)} is a list here (one value per element), not a single value`,
    start: node.start,
    end: node.end,
    hint: 'wrap the condition in any(…) or all(…), e.g. any(disks[*].capacity > 100Gi), or use sum()/len()',
  });
}

function lift1(v: unknown, env: Env, node: Expression, f: (x: unknown) => unknown): unknown {
  if (!Array.isArray(v)) return f(v);
  if (!env.vector) throw listError(node);
  return v.map(f);
}

function lift2(
  a: unknown,
  b: unknown,
  env: Env,
  nodes: readonly [Expression, Expression],
  f: (x: unknown, y: unknown) => unknown,
): unknown {
  const la = Array.isArray(a);
  const lb = Array.isArray(b);
  if (!la && !lb) return f(a, b);
  if (!env.vector) throw listError(la ? nodes[0] : nodes[1]);
  if (la && lb) {
    if (a.length !== b.length) {
      throw new QueryError({
        code: QueryIssueCode.ArrayComparison,
        message: `lists of different lengths (${a.length} and ${b.length}) cannot be combined element by element`,
        start: nodes[0].start,
        end: nodes[1].end,
      });
    }
    return a.map((x, i) => f(x, b[i]));
  }
  return la ? a.map((x) => f(x, b)) : (b as unknown[]).map((y) => f(a, y));
}

function field(node: Field, env: Env): unknown {
  const first = node.path[0];
  const computed = env.computed;
  if (computed && first?.kind === 'name' && Object.hasOwn(computed, first.name)) {
    let base: unknown;
    try {
      base = (computed[first.name] as ((row: object) => unknown) | undefined)?.(env.row);
    } catch {
      base = undefined; // a computed field that fails for a row is null for that row
    }
    return resolvePath(base, node.path, 1);
  }
  return resolvePath(env.row, node.path);
}

function compare(node: Compare, env: Env): unknown {
  const { op, left, right } = node;
  const nullSide = right.type === 'Null' ? left : left.type === 'Null' ? right : undefined;
  if (nullSide && (op === '=' || op === '!=')) {
    return lift1(evaluate(nullSide, env), env, nullSide, (v) => isNull(v) === (op === '='));
  }
  return lift2(evaluate(left, env), evaluate(right, env), env, [left, right], (a, b) =>
    compareValues(op, a, b),
  );
}

function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (typeof a !== 'number' || typeof b !== 'number') return null;
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? null : a / b;
    default:
      return b === 0 ? null : a % b;
  }
}

function and(a: unknown, b: unknown): boolean | null {
  const x = truth(a);
  const y = truth(b);
  if (x === false || y === false) return false;
  return x === null || y === null ? null : true;
}

function or(a: unknown, b: unknown): boolean | null {
  const x = truth(a);
  const y = truth(b);
  if (x === true || y === true) return true;
  return x === null || y === null ? null : false;
}

function not(v: unknown): boolean | null {
  const t = truth(v);
  return t === null ? null : !t;
}

function negate(negated: boolean, v: unknown): unknown {
  return negated ? not(v) : v;
}

function inList(node: Expression & { type: 'In' }, env: Env): unknown {
  const value = node.list.type === 'Array' ? undefined : evaluate(node.list, env);
  // A list literal's items, or one value as a list of one (`x in ('a')`, `x in null`).
  const literal =
    node.list.type === 'Array' ? node.list.items : Array.isArray(value) ? undefined : [node.list];
  const list = node.list.type === 'Array' ? node.list.items.map((i) => evaluate(i, env)) : value;
  return lift1(evaluate(node.left, env), env, node.left, (v) => {
    const items = Array.isArray(list) ? list : [list];
    let result: boolean | null = false;
    items.forEach((item, i) => {
      result = or(result, literal?.[i]?.type === 'Null' ? isNull(v) : compareValues('=', v, item));
    });
    return negate(node.negated, result);
  });
}

function between(node: Expression & { type: 'Between' }, env: Env): unknown {
  const low = evaluate(node.low, env);
  const high = evaluate(node.high, env);
  if (Array.isArray(low) || Array.isArray(high)) throw listError(Array.isArray(low) ? node.low : node.high);
  return lift1(evaluate(node.value, env), env, node.value, (v) =>
    negate(node.negated, and(compareValues('>=', v, low), compareValues('<=', v, high))),
  );
}

function textMatch(
  node: Expression & { type: 'Like' | 'Regex' },
  env: Env,
  compile: (pattern: string) => RegExp,
): unknown {
  const pattern = evaluate(node.pattern, env);
  if (Array.isArray(pattern)) throw listError(node.pattern);
  if (typeof pattern !== 'string') return lift1(evaluate(node.left, env), env, node.left, () => null);
  let re: RegExp;
  try {
    re = compile(pattern);
  } catch (e: unknown) {
    throw new QueryError({
      code: QueryIssueCode.Regex,
      message: `invalid regular expression ${JSON.stringify(pattern)}: ${regexReason(e)}`,
      start: node.pattern.start,
      end: node.pattern.end,
      hint: 'patterns use JavaScript RegExp syntax; a leading (?i) ignores case',
    });
  }
  return lift1(evaluate(node.left, env), env, node.left, (v) =>
    typeof v === 'string' ? negate(node.negated, re.test(v)) : null,
  );
}

/** The reason part of a RegExp SyntaxError ("Unterminated group"). */
export function regexReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.slice(message.lastIndexOf(': ') + 2);
}

function call(node: Call, env: Env): unknown {
  if (env.aggregates?.has(node)) return env.aggregates.get(node);
  const arg = node.args[0];
  const info = functions[node.name];
  if (arg === undefined || node.args.length !== 1 || info === undefined || info.kind === 'aggregate') {
    throw new QueryError({
      code: info ? QueryIssueCode.Aggregate : QueryIssueCode.UnknownFunction,
      message: info ? `${node.name}() cannot be used here` : `unknown function ${node.name}()`,
      start: node.start,
      end: node.end,
    });
  }
  const v = evaluate(arg, { ...env, vector: true });
  switch (node.name) {
    case 'len':
      return lenOf(v);
    case 'any':
      return anyOf(v);
    case 'all':
      return allOf(v);
    default:
      return sumOf(v);
  }
}

function logical(node: Expression & { type: 'Logical' }, env: Env): unknown {
  const a = evaluate(node.left, env);
  if (!env.vector && truth(a) === (node.op === 'or')) return a;
  const b = evaluate(node.right, env);
  return lift2(a, b, env, [node.left, node.right], node.op === 'and' ? and : or);
}

/**
 * The value of `node` for the row in `env`: a JSON-like value, a {@link TimeValue}, a list (inside
 * any/all/sum/len), or null for UNKNOWN.
 * @throws QueryError for a list where one value is needed, an invalid regular expression, or a
 *   function that cannot be evaluated per row.
 */
export function evaluate(node: Expression, env: Env): unknown {
  switch (node.type) {
    case 'String':
    case 'Number':
    case 'Boolean':
      return node.value;
    case 'Null':
    case 'Star':
      return null;
    case 'Date':
      return new TimeValue(node.ms, node.dateOnly ? node.ms + dayMs : undefined);
    case 'Array':
      return node.items.map((i) => evaluate(i, env));
    case 'Field':
      return field(node, env);
    case 'Call':
      return call(node, env);
    case 'Unary':
      return lift1(evaluate(node.operand, env), env, node.operand, (v) =>
        typeof v === 'number' ? (node.op === '-' ? -v : v) : null,
      );
    case 'Arithmetic':
      return lift2(
        evaluate(node.left, env),
        evaluate(node.right, env),
        env,
        [node.left, node.right],
        (a, b) => arithmetic(node.op, a, b),
      );
    case 'Compare':
      return compare(node, env);
    case 'Regex':
      return textMatch(node, env, compileRegex);
    case 'Like':
      return textMatch(node, env, (p) => likeRegExp(p, node.caseInsensitive));
    case 'In':
      return inList(node, env);
    case 'Between':
      return between(node, env);
    case 'IsNull':
      return lift1(evaluate(node.operand, env), env, node.operand, (v) => isNull(v) !== node.negated);
    case 'Not':
      return lift1(evaluate(node.operand, env), env, node.operand, not);
    case 'Logical':
      return logical(node, env);
  }
}

/**
 * True when `expr` is TRUE for `row` (UNKNOWN and FALSE are both "no match").
 * @throws QueryError as {@link evaluate}.
 */
export function evaluateWhere<R extends object>(
  expr: Expression,
  row: R,
  options: EvaluateOptions<R> = {},
): boolean {
  return evaluate(expr, { row, computed: options.computed, vector: false }) === true;
}

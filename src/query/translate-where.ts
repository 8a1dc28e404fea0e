/**
 * SQL translation: the parts of a WHERE that SQLite can evaluate with exactly the in-memory
 * meaning, so an inventory database can filter with its (expression) indexes and evaluate only
 * the rest in memory.
 *
 * The WHERE is split into its top-level AND conjuncts; each is translated whole or not at all.
 * Translated: `= != < <= > >=`, `[NOT] IN [literals]` (a literal `null` in the list becomes
 * `OR x IS NULL`), `[NOT] BETWEEN`, `IS [NOT] NULL`, `x = null`, `[NOT] LIKE` (as GLOB, with an
 * index range for a literal prefix), `[NOT] ILIKE` with an ASCII pattern (as GLOB with case
 * classes), a bare boolean column, and `AND`/`OR`/`NOT` of those. Everything else (regular
 * expressions, arithmetic, functions, dates, lists, literals of another type than the column's)
 * stays in the residual.
 *
 * Why the result is exact: SQLite's AND/OR/NOT and NULL comparisons are the evaluator's
 * three-valued logic; each column's values are, by the schema's promise, of its declared type or
 * NULL, and only same-type comparisons are translated (booleans as 1/0, strings compared by the
 * BINARY collation, which is code-point order like the evaluator). SQL LIKE is never used: it
 * ignores ASCII case by default, while GLOB is case-sensitive and its `?` is one code point like
 * the evaluator's `_`.
 *
 * @see https://www.sqlite.org/lang_expr.html#like (LIKE, GLOB)
 * @see https://www.sqlite.org/expridx.html (indexes on expressions such as json_extract)
 */
import { aliasesOf, substitute } from './analyze.js';
import { fieldPathText, hasWildcard } from './ast.js';
import type { Expression, Query } from './ast.js';
import { likeToGlob, prefixUpperBound } from './patterns.js';

/** The type of a column's values. */
export type SqlColumnType = 'string' | 'number' | 'boolean';

/** How a field path is stored in SQL. */
export interface SqlColumn {
  /**
   * A primary SQL expression for the value: a column name or a call such as
   * `json_extract(doc, '$.powerState')`. Use the exact text of an expression index to use it.
   * Strings must compare with the BINARY collation (the default).
   */
  sql: string;
  /**
   * The promise that every non-null value there has this type (booleans stored as 1/0, as
   * json_extract returns JSON true/false). A value of another type makes SQL and memory disagree.
   */
  type: SqlColumnType;
}

/** The caller's mapping from field paths to SQL. */
export interface SqlSchema {
  /**
   * The SQL for a field path as the printer writes it (`powerState`, `host.id`,
   * `labels[app.kubernetes.io/name]`), or undefined when the field has no SQL form. Paths with
   * `[*]` are never asked for. Computed fields and aliases must not be mapped unless SQL stores
   * exactly their value.
   */
  column(path: string): SqlColumn | undefined;
}

/** A value bound to a `?` placeholder (booleans are bound as 1/0). */
export type SqlParam = string | number;

/** The result of {@link translateWhere}. */
export interface WhereTranslation {
  /** SQL for the translated conjuncts, joined by AND, with `?` placeholders; undefined if none. */
  sql: string | undefined;
  /** Values for the placeholders, in order. */
  params: SqlParam[];
  /** What SQL could not do, to evaluate in memory on the rows SQL returns; undefined if nothing. */
  residual: Expression | undefined;
  /** True when the whole WHERE was translated (`residual` is undefined). */
  complete: boolean;
}

interface Sql {
  sql: string;
  params: SqlParam[];
}

type Operand =
  | { kind: 'column'; sql: string; type: SqlColumnType }
  | { kind: 'value'; value: SqlParam; type: SqlColumnType };

function operand(node: Expression, schema: SqlSchema): Operand | undefined {
  switch (node.type) {
    case 'Field': {
      if (hasWildcard(node)) return undefined;
      const col = schema.column(fieldPathText(node.path));
      return col && { kind: 'column', sql: col.sql, type: col.type };
    }
    case 'String':
      return { kind: 'value', value: node.value, type: 'string' };
    case 'Number':
      return { kind: 'value', value: node.value, type: 'number' };
    case 'Boolean':
      return { kind: 'value', value: node.value ? 1 : 0, type: 'boolean' };
    case 'Unary':
      return node.operand.type === 'Number'
        ? { kind: 'value', value: node.op === '-' ? -node.operand.value : node.operand.value, type: 'number' }
        : undefined;
    default:
      return undefined;
  }
}

function sqlOf(o: Operand): Sql {
  return o.kind === 'column' ? { sql: o.sql, params: [] } : { sql: '?', params: [o.value] };
}

function negate(negated: boolean, s: Sql | undefined): Sql | undefined {
  return s && negated ? { sql: `NOT (${s.sql})`, params: s.params } : s;
}

function column(
  node: Expression,
  schema: SqlSchema,
  type?: SqlColumnType,
): Extract<Operand, { kind: 'column' }> | undefined {
  const o = operand(node, schema);
  return o?.kind === 'column' && (type === undefined || o.type === type) ? o : undefined;
}

function compare(node: Expression & { type: 'Compare' }, schema: SqlSchema): Sql | undefined {
  const { op, left, right } = node;
  const nullSide = right.type === 'Null' ? left : left.type === 'Null' ? right : undefined;
  if (nullSide) {
    const c = op === '=' || op === '!=' ? column(nullSide, schema) : undefined;
    return c && { sql: `${c.sql} IS ${op === '=' ? '' : 'NOT '}NULL`, params: [] };
  }
  const a = operand(left, schema);
  const b = operand(right, schema);
  if (!a || !b || a.type !== b.type) return undefined;
  const [x, y] = [sqlOf(a), sqlOf(b)];
  return { sql: `${x.sql} ${op === '!=' ? '<>' : op} ${y.sql}`, params: [...x.params, ...y.params] };
}

function inList(node: Expression & { type: 'In' }, schema: SqlSchema): Sql | undefined {
  const c = column(node.left, schema);
  // A single value is a list of one (`x in ('a')`); a field could hold a list, so it stays.
  const items =
    node.list.type === 'Array' ? node.list.items : node.list.type === 'Field' ? undefined : [node.list];
  if (!c || !items) return undefined;
  if (items.length === 0) return { sql: node.negated ? '1' : '0', params: [] };
  const values: SqlParam[] = [];
  let nulls = false;
  for (const item of items) {
    if (item.type === 'Null') {
      nulls = true;
      continue;
    }
    const o = operand(item, schema);
    if (o?.kind !== 'value' || o.type !== c.type) return undefined;
    values.push(o.value);
  }
  const parts = [
    ...(values.length > 0 ? [`${c.sql} IN (${values.map(() => '?').join(', ')})`] : []),
    ...(nulls ? [`${c.sql} IS NULL`] : []),
  ];
  return negate(node.negated, {
    sql: parts.length > 1 ? `(${parts.join(' OR ')})` : parts.join(''),
    params: values,
  });
}

function between(node: Expression & { type: 'Between' }, schema: SqlSchema): Sql | undefined {
  const ops = [node.value, node.low, node.high].map((n) => operand(n, schema));
  const [v, lo, hi] = ops;
  if (!v || !lo || !hi || ops.some((o) => o?.type !== v.type)) return undefined;
  const [a, b, c] = [sqlOf(v), sqlOf(lo), sqlOf(hi)];
  return negate(node.negated, {
    sql: `${a.sql} BETWEEN ${b.sql} AND ${c.sql}`,
    params: [...a.params, ...b.params, ...c.params],
  });
}

function like(node: Expression & { type: 'Like' }, schema: SqlSchema): Sql | undefined {
  const c = column(node.left, schema, 'string');
  if (!c || node.pattern.type !== 'String') return undefined;
  const g = likeToGlob(node.pattern.value, node.caseInsensitive);
  if (!g) return undefined;
  if (g.exact) return negate(node.negated, { sql: `${c.sql} = ?`, params: [g.prefix] });
  const upper = g.prefix ? prefixUpperBound(g.prefix) : undefined;
  const range = g.prefix
    ? {
        sql: `${c.sql} >= ?${upper === undefined ? '' : ` AND ${c.sql} < ?`} AND `,
        params: upper === undefined ? [g.prefix] : [g.prefix, upper],
      }
    : { sql: '', params: [] };
  const glob = `${c.sql} GLOB ?`;
  return negate(node.negated, {
    sql: range.sql ? `(${range.sql}${glob})` : glob,
    params: [...range.params, g.glob],
  });
}

function logical(node: Expression & { type: 'Logical' }, schema: SqlSchema): Sql | undefined {
  const a = translate(node.left, schema);
  const b = a && translate(node.right, schema);
  return b && { sql: `(${a.sql} ${node.op.toUpperCase()} ${b.sql})`, params: [...a.params, ...b.params] };
}

function translate(node: Expression, schema: SqlSchema): Sql | undefined {
  switch (node.type) {
    case 'Boolean':
      return { sql: node.value ? '1' : '0', params: [] };
    case 'Null':
      return { sql: 'NULL', params: [] };
    case 'Field': {
      const c = column(node, schema, 'boolean');
      return c && { sql: `${c.sql} = 1`, params: [] };
    }
    case 'Compare':
      return compare(node, schema);
    case 'In':
      return inList(node, schema);
    case 'Between':
      return between(node, schema);
    case 'Like':
      return like(node, schema);
    case 'IsNull': {
      const c = column(node.operand, schema);
      return c && { sql: `${c.sql} IS ${node.negated ? 'NOT ' : ''}NULL`, params: [] };
    }
    case 'Not':
      return negate(true, translate(node.operand, schema));
    case 'Logical':
      return logical(node, schema);
    default:
      return undefined;
  }
}

/** The top-level AND conjuncts of an expression, left to right. */
function conjuncts(expr: Expression): Expression[] {
  return expr.type === 'Logical' && expr.op === 'and'
    ? [...conjuncts(expr.left), ...conjuncts(expr.right)]
    : [expr];
}

function andAll(parts: readonly Expression[]): Expression | undefined {
  let out: Expression | undefined;
  for (const p of parts) {
    out = out ? { type: 'Logical', op: 'and', left: out, right: p, start: out.start, end: p.end } : p;
  }
  return out;
}

/**
 * Splits `conjunct → (expression to translate, expression to keep)` pairs into SQL and residual.
 */
function split(pairs: readonly (readonly [Expression, Expression])[], schema: SqlSchema): WhereTranslation {
  const sql: string[] = [];
  const params: SqlParam[] = [];
  const rest: Expression[] = [];
  for (const [translated, kept] of pairs) {
    const t = translate(translated, schema);
    if (t) {
      sql.push(t.sql);
      params.push(...t.params);
    } else rest.push(kept);
  }
  const residual = andAll(rest);
  return { sql: sql.length > 0 ? sql.join(' AND ') : undefined, params, residual, complete: !residual };
}

/**
 * Translates a WHERE expression to SQLite SQL where that is exact (see the module comment), given
 * the caller's field-to-column mapping. Rows selected by `sql` (with `params`) for which
 * `residual` is TRUE are exactly the rows for which `expr` is TRUE. Aliases are not resolved here;
 * use {@link translateQuery} for a whole query.
 * @example translateWhere(parseExpression("powerState = 'poweredOn' and name ~= 'db'"), schema)
 *   // → { sql: "json_extract(doc, '$.powerState') = ?", params: ['poweredOn'], residual: <name ~= 'db'>, complete: false }
 */
export function translateWhere(expr: Expression | undefined, schema: SqlSchema): WhereTranslation {
  if (!expr) return { sql: undefined, params: [], residual: undefined, complete: true };
  return split(
    conjuncts(expr).map((c) => [c, c] as const),
    schema,
  );
}

/** The result of {@link translateQuery}. */
export interface QueryTranslation extends WhereTranslation {
  /** The query to run in memory (with `runQuery`) on the rows SQL returns: WHERE is the residual. */
  query: Query;
}

/**
 * Translates a query's WHERE (SELECT aliases resolved) to SQL as {@link translateWhere}, and
 * returns the query to finish in memory. Fetch rows in input order (e.g. `ORDER BY rowid`) so the
 * in-memory result keeps its stable order; ORDER BY, GROUP BY and LIMIT are always done in memory.
 */
export function translateQuery(query: Query, schema: SqlSchema): QueryTranslation {
  const where = query.where;
  const aliases = aliasesOf(query);
  const t = where
    ? split(
        conjuncts(where).map((c) => [substitute(c, aliases), c] as const),
        schema,
      )
    : translateWhere(undefined, schema);
  const { where: _dropped, ...rest } = query;
  return { ...t, query: t.residual ? { ...rest, where: t.residual } : rest };
}

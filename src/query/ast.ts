/**
 * The query language's syntax tree: a tagged union (`type`) whose every node carries its source
 * location as UTF-16 offsets into the query text (`start` inclusive, `end` exclusive).
 *
 * The tree is canonical: spellings that mean the same thing parse to the same node (`==` and `=`,
 * `<>` and `!=`, `SORT BY` and `ORDER BY`, keyword case, an implicit `WHERE`), so
 * `parseQuery(printQuery(q))` equals `q` apart from locations.
 *
 * @see https://github.com/gajus/liqe (the model: a located, tagged-union AST)
 */

/** Source location of a node: offsets into the query text, `end` exclusive. */
export interface Loc {
  /** Offset of the node's first character. */
  start: number;
  /** Offset just past the node's last character. */
  end: number;
}

/** Comparison operators after normalization (`==` → `=`, `<>` → `!=`). */
export const CompareOp = {
  Eq: '=',
  Ne: '!=',
  Lt: '<',
  Le: '<=',
  Gt: '>',
  Ge: '>=',
} as const;
/** One of {@link CompareOp}'s values. */
export type CompareOp = (typeof CompareOp)[keyof typeof CompareOp];

/** Arithmetic operators. `%` is the JavaScript remainder (sign of the dividend). */
export const ArithmeticOp = { Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%' } as const;
/** One of {@link ArithmeticOp}'s values. */
export type ArithmeticOp = (typeof ArithmeticOp)[keyof typeof ArithmeticOp];

/** One step of a field path: `.name`, `[3]`, `[*]` or `[key]`. */
export type PathSegment =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'key'; key: string };

/** A string literal (`'…'`, `"…"` or `` `…` ``), escapes resolved. */
export interface StringLiteral extends Loc {
  type: 'String';
  value: string;
}

/** A number literal; `text` is its spelling (`100Gi`, `1.5e3`), `value` its meaning. */
export interface NumberLiteral extends Loc {
  type: 'Number';
  value: number;
  /** The literal as written, unit suffix included; the printer reproduces it. */
  text: string;
}

/** `true` or `false`. */
export interface BooleanLiteral extends Loc {
  type: 'Boolean';
  value: boolean;
}

/** `null`. */
export interface NullLiteral extends Loc {
  type: 'Null';
}

/**
 * An unquoted date (`2024-05-01`, the whole UTC day) or RFC 3339 timestamp
 * (`2024-05-01T10:00:00Z`, one instant).
 */
export interface DateLiteral extends Loc {
  type: 'Date';
  /** The literal as written. */
  text: string;
  /** Start of the day, or the instant, in milliseconds since the Unix epoch. */
  ms: number;
  /** True for a date without a time: it stands for the whole day, UTC. */
  dateOnly: boolean;
}

/** `[e, e, …]` (a trailing comma and `[]` are allowed). */
export interface ArrayLiteral extends Loc {
  type: 'Array';
  items: Expression[];
}

/** A field path such as `name`, `disks[*].capacity` or `labels[app.kubernetes.io/name]`. */
export interface Field extends Loc {
  type: 'Field';
  /** First segment is always a `name`. */
  path: PathSegment[];
}

/** `*`, only as the argument of `count(*)`. */
export interface Star extends Loc {
  type: 'Star';
}

/** A function call: `len(x)`, `any(…)`, `all(…)`, `sum(x)`, `count(*)`, `avg(x)`, `min(x)`, `max(x)`. */
export interface Call extends Loc {
  type: 'Call';
  /** Lower-cased: function names are case-insensitive. */
  name: string;
  args: Expression[];
}

/** Unary minus or plus. */
export interface Unary extends Loc {
  type: 'Unary';
  op: '-' | '+';
  operand: Expression;
}

/** `a + b`, `a - b`, `a * b`, `a / b`, `a % b`. */
export interface Arithmetic extends Loc {
  type: 'Arithmetic';
  op: ArithmeticOp;
  left: Expression;
  right: Expression;
}

/** `a = b`, `a != b`, `a < b`, … */
export interface Compare extends Loc {
  type: 'Compare';
  op: CompareOp;
  left: Expression;
  right: Expression;
}

/** `a ~= 'regex'` (matches) or `a ~! 'regex'` (does not match); unanchored JavaScript RegExp. */
export interface Regex extends Loc {
  type: 'Regex';
  negated: boolean;
  left: Expression;
  pattern: Expression;
}

/** `a [NOT] LIKE 'p%'` or `a [NOT] ILIKE 'p%'`: anchored, `%` any run, `_` one character. */
export interface Like extends Loc {
  type: 'Like';
  negated: boolean;
  caseInsensitive: boolean;
  left: Expression;
  pattern: Expression;
}

/** `a [NOT] IN [x, y]` (or `a IN field` where the field is a list). */
export interface In extends Loc {
  type: 'In';
  negated: boolean;
  left: Expression;
  list: Expression;
}

/** `a [NOT] BETWEEN low AND high`, inclusive. */
export interface Between extends Loc {
  type: 'Between';
  negated: boolean;
  value: Expression;
  low: Expression;
  high: Expression;
}

/** `a IS [NOT] NULL`. */
export interface IsNull extends Loc {
  type: 'IsNull';
  negated: boolean;
  operand: Expression;
}

/** `NOT a`. */
export interface Not extends Loc {
  type: 'Not';
  operand: Expression;
}

/** `a AND b`, `a OR b` (left-associative). */
export interface Logical extends Loc {
  type: 'Logical';
  op: 'and' | 'or';
  left: Expression;
  right: Expression;
}

/** Any expression node. */
export type Expression =
  | StringLiteral
  | NumberLiteral
  | BooleanLiteral
  | NullLiteral
  | DateLiteral
  | ArrayLiteral
  | Field
  | Star
  | Call
  | Unary
  | Arithmetic
  | Compare
  | Regex
  | Like
  | In
  | Between
  | IsNull
  | Not
  | Logical;

/** One `SELECT` item: `expr [AS alias]`. */
export interface SelectItem extends Loc {
  type: 'SelectItem';
  expr: Expression;
  alias?: string;
}

/** One `ORDER BY` item: `expr [ASC|DESC]`; `direction` is absent when not written (ascending). */
export interface OrderItem extends Loc {
  type: 'OrderItem';
  expr: Expression;
  direction?: 'asc' | 'desc';
}

/**
 * A whole query: `[SELECT …] [WHERE …] [GROUP BY …] [ORDER BY …] [LIMIT n]`. Absent clauses are
 * absent properties.
 */
export interface Query extends Loc {
  type: 'Query';
  select?: SelectItem[];
  where?: Expression;
  groupBy?: Expression[];
  orderBy?: OrderItem[];
  /** Row count, a non-negative integer. */
  limit?: NumberLiteral;
  /** The text the query was parsed from (for error carets); not part of its meaning. */
  source?: string;
}

/** Any node of the tree. */
export type Node = Expression | SelectItem | OrderItem | Query;

/** The children of an expression node, in source order. */
export function childrenOf(node: Expression): Expression[] {
  switch (node.type) {
    case 'String':
    case 'Number':
    case 'Boolean':
    case 'Null':
    case 'Date':
    case 'Field':
    case 'Star':
      return [];
    case 'Array':
      return node.items;
    case 'Call':
      return node.args;
    case 'Unary':
    case 'Not':
    case 'IsNull':
      return [node.operand];
    case 'Arithmetic':
    case 'Compare':
    case 'Logical':
      return [node.left, node.right];
    case 'Regex':
    case 'Like':
      return [node.left, node.pattern];
    case 'In':
      return [node.left, node.list];
    case 'Between':
      return [node.value, node.low, node.high];
  }
}

/**
 * A copy of `node` with each child replaced by `f(child)`; `node` itself when no child changed.
 */
export function mapChildren(node: Expression, f: (child: Expression) => Expression): Expression {
  switch (node.type) {
    case 'String':
    case 'Number':
    case 'Boolean':
    case 'Null':
    case 'Date':
    case 'Field':
    case 'Star':
      return node;
    case 'Array': {
      const items = node.items.map(f);
      return items.some((c, i) => c !== node.items[i]) ? { ...node, items } : node;
    }
    case 'Call': {
      const args = node.args.map(f);
      return args.some((c, i) => c !== node.args[i]) ? { ...node, args } : node;
    }
    case 'Unary':
    case 'Not':
    case 'IsNull': {
      const operand = f(node.operand);
      return operand === node.operand ? node : { ...node, operand };
    }
    case 'Arithmetic':
    case 'Compare':
    case 'Logical': {
      const [left, right] = [f(node.left), f(node.right)];
      return left === node.left && right === node.right ? node : { ...node, left, right };
    }
    case 'Regex':
    case 'Like': {
      const [left, pattern] = [f(node.left), f(node.pattern)];
      return left === node.left && pattern === node.pattern ? node : { ...node, left, pattern };
    }
    case 'In': {
      const [left, list] = [f(node.left), f(node.list)];
      return left === node.left && list === node.list ? node : { ...node, left, list };
    }
    case 'Between': {
      const [value, low, high] = [f(node.value), f(node.low), f(node.high)];
      return value === node.value && low === node.low && high === node.high
        ? node
        : { ...node, value, low, high };
    }
  }
}

/** Every expression of a query, each clause's roots in clause order. */
export function rootsOf(query: Query): Expression[] {
  return [
    ...(query.select ?? []).map((s) => s.expr),
    ...(query.where ? [query.where] : []),
    ...(query.groupBy ?? []),
    ...(query.orderBy ?? []).map((o) => o.expr),
  ];
}

/** Calls `visit` on `node` and every node below it, parents first. */
export function walk(node: Expression, visit: (node: Expression) => void): void {
  visit(node);
  for (const child of childrenOf(node)) walk(child, visit);
}

/**
 * The text of a field path as the printer writes it: `disks[*].capacity`,
 * `labels[app.kubernetes.io/name]`, `labels['a b']`.
 */
export function fieldPathText(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    switch (seg.kind) {
      case 'name':
        out += out ? `.${seg.name}` : seg.name;
        break;
      case 'index':
        out += `[${seg.index}]`;
        break;
      case 'wildcard':
        out += '[*]';
        break;
      case 'key':
        out += `[${bareKey(seg.key) ? seg.key : quoteString(seg.key)}]`;
        break;
    }
  }
  return out;
}

function bareKey(key: string): boolean {
  return /^[^\]'"`\\\s*][^\]\\\s]*$/.test(key) && !/^\d+$/.test(key);
}

const escapes: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
  '\b': '\\b',
  '\f': '\\f',
};

/** A single-quoted string literal with `\\ \' \n \t \r \b \f` escapes that reads back as `value`. */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\'\n\t\r\b\f]/g, (c) => escapes[c] ?? c)}'`;
}

/** True when the path has a `[*]` segment, so its value is a list (one value per element). */
export function hasWildcard(field: Field): boolean {
  return field.path.some((s) => s.kind === 'wildcard');
}

/** The `name` of a single-segment field (`memoryGB`), else undefined. */
export function simpleName(node: Expression): string | undefined {
  if (node.type !== 'Field' || node.path.length !== 1) return undefined;
  const [seg] = node.path;
  return seg?.kind === 'name' ? seg.name : undefined;
}

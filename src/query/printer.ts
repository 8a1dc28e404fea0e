/**
 * The query printer: writes an AST back as query text, with lower-case keywords and only the
 * parentheses the tree needs, so `parseQuery(printQuery(q))` equals `q` apart from locations.
 */
import { fieldPathText, quoteString } from './ast.js';
import type { Expression, OrderItem, Query, SelectItem } from './ast.js';

/** Binding strength of each node kind: higher binds tighter. */
function precedence(node: Expression): number {
  switch (node.type) {
    case 'Logical':
      return node.op === 'or' ? 1 : 2;
    case 'Not':
      return 3;
    case 'Compare':
    case 'Regex':
    case 'Like':
    case 'In':
    case 'Between':
    case 'IsNull':
      return 4;
    case 'Arithmetic':
      return node.op === '+' || node.op === '-' ? 5 : 6;
    case 'Unary':
      return 7;
    default:
      return 8;
  }
}

/** Comparison operands are sums or tighter. */
const operand = 5;

function wrap(node: Expression, min: number): string {
  const text = print(node);
  return precedence(node) < min ? `(${text})` : text;
}

function not(negated: boolean): string {
  return negated ? 'not ' : '';
}

function print(node: Expression): string {
  switch (node.type) {
    case 'String':
      return quoteString(node.value);
    case 'Number':
    case 'Date':
      return node.text;
    case 'Boolean':
      return String(node.value);
    case 'Null':
      return 'null';
    case 'Star':
      return '*';
    case 'Field':
      return fieldPathText(node.path);
    case 'Array':
      return `[${node.items.map(print).join(', ')}]`;
    case 'Call':
      return `${node.name}(${node.args.map(print).join(', ')})`;
    case 'Unary':
      return `${node.op}${wrap(node.operand, 7)}`;
    case 'Arithmetic':
    case 'Logical': {
      const p = precedence(node);
      return `${wrap(node.left, p)} ${node.op} ${wrap(node.right, p + 1)}`;
    }
    case 'Not':
      return `not ${wrap(node.operand, 3)}`;
    case 'Compare':
      return `${wrap(node.left, operand)} ${node.op} ${wrap(node.right, operand)}`;
    case 'Regex':
      return `${wrap(node.left, operand)} ${node.negated ? '~!' : '~='} ${wrap(node.pattern, operand)}`;
    case 'Like':
      return `${wrap(node.left, operand)} ${not(node.negated)}${node.caseInsensitive ? 'ilike' : 'like'} ${wrap(node.pattern, operand)}`;
    case 'In':
      return `${wrap(node.left, operand)} ${not(node.negated)}in ${wrap(node.list, 8)}`;
    case 'Between':
      return `${wrap(node.value, operand)} ${not(node.negated)}between ${wrap(node.low, operand)} and ${wrap(node.high, operand)}`;
    case 'IsNull':
      return `${wrap(node.operand, operand)} is ${not(node.negated)}null`;
  }
}

/**
 * Writes an expression as query text, e.g. `memoryMB / 1024 > 4 and not name like 'tmp-%'`.
 * Strings are single-quoted; numbers and dates keep their spelling (`100Gi`, `2024-05-01`).
 */
export function printExpression(expr: Expression): string {
  return print(expr);
}

function selectItem(item: SelectItem): string {
  return item.alias === undefined ? print(item.expr) : `${print(item.expr)} as ${item.alias}`;
}

function orderItem(item: OrderItem): string {
  return item.direction ? `${print(item.expr)} ${item.direction}` : print(item.expr);
}

/**
 * Writes a query as text: `select … where … group by … order by … limit n`, clauses present only
 * when set. The empty query prints as the empty string.
 */
export function printQuery(query: Query): string {
  const parts: string[] = [];
  if (query.select) parts.push(`select ${query.select.map(selectItem).join(', ')}`);
  if (query.where) parts.push(`where ${print(query.where)}`);
  if (query.groupBy) parts.push(`group by ${query.groupBy.map(print).join(', ')}`);
  if (query.orderBy) parts.push(`order by ${query.orderBy.map(orderItem).join(', ')}`);
  if (query.limit) parts.push(`limit ${query.limit.text}`);
  return parts.join(' ');
}

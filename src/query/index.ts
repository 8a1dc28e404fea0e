/**
 * The query language of `mtv get inventory … --query` and `--vms "where …"`: kubectl-mtv's
 * SELECT/WHERE/ORDER BY/LIMIT envelope over TSL conditions, rebuilt on a real lexer and parser,
 * with GROUP BY and aggregates, and a translation of WHERE to SQLite for the inventory database.
 *
 * - {@link parseQuery} / {@link parseExpression}: text → located AST; {@link QuerySyntaxError}
 *   carries offset, line, column, what was expected, and a caret view.
 * - {@link printQuery} / {@link printExpression}: AST → text that parses back to the same AST.
 * - {@link runQuery}: run a query over rows in memory (stable order; a row missing a field does not
 *   match; unknown field names are a {@link QueryError} with "did you mean").
 * - {@link evaluateWhere}: one condition, one row.
 * - {@link translateWhere} / {@link translateQuery}: the exactly-translatable part of WHERE as SQLite
 *   SQL with `?` parameters, plus the residual to evaluate in memory.
 * - {@link fieldsOf}, {@link checkQuery}: the fields a query reads; validation without data.
 * - {@link queryHelp}: the language on one page (`mtv help query`).
 *
 * Decisions (also in {@link queryHelp}): three-valued logic like SQL (NOT of a missing field does
 * not match); `x = null` means `x IS NULL`; values of different types are never equal and have no
 * order (`'8192' = 8192` is false); JavaScript regular expressions with an RE2-style leading
 * `(?i)`; unquoted dates (a date-only literal is the whole UTC day); `sum()` is per row unless the
 * query is grouped (see `analyze.ts`).
 *
 * @see https://github.com/yaacov/kubectl-mtv (the query envelope and TSL dialect this replaces)
 * @see https://github.com/yaacov/tree-search-language (TSL)
 */
export type {
  Arithmetic,
  ArithmeticOp,
  ArrayLiteral,
  Between,
  BooleanLiteral,
  Call,
  Compare,
  CompareOp,
  DateLiteral,
  Expression,
  Field,
  In,
  IsNull,
  Like,
  Loc,
  Logical,
  Node,
  Not,
  NullLiteral,
  NumberLiteral,
  OrderItem,
  PathSegment,
  Query,
  Regex,
  SelectItem,
  Star,
  StringLiteral,
  Unary,
} from './ast.js';
export { fieldPathText } from './ast.js';
export { caretView, lineColumn, QueryError, QueryIssueCode, QuerySyntaxError } from './errors.js';
export type { QueryIssue } from './errors.js';
export { evaluateWhere } from './evaluator.js';
export type { ComputedFields, EvaluateOptions, Row } from './evaluator.js';
export { fieldsOf } from './fields.js';
export { queryHelp } from './help.js';
export { parseExpression, parseQuery } from './parser.js';
export { printExpression, printQuery } from './printer.js';
export { checkQuery, runQuery } from './run-query.js';
export type { QueryResult, RunQueryOptions } from './run-query.js';
export { translateQuery, translateWhere } from './translate-where.js';
export type {
  QueryTranslation,
  SqlColumn,
  SqlColumnType,
  SqlParam,
  SqlSchema,
  WhereTranslation,
} from './translate-where.js';

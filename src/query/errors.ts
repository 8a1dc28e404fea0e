/**
 * The query language's two error classes: {@link QuerySyntaxError} (the text is not a query) and
 * {@link QueryError} (a well-formed query that cannot run: unknown field or function, a list
 * compared as if it were one value, an aggregate in WHERE, …). Both show the query with a caret.
 */

/** Line and column (both 1-based, column in UTF-16 code units) of an offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * The line of `text` holding `start`, with carets under `start`..`end` (at least one caret):
 *
 * ```text
 *   where name = 'x' and
 *                        ^
 * ```
 */
export function caretView(text: string, start: number, end = start + 1): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', start);
  const lineEnd = nl === -1 ? text.length : nl;
  const line = text.slice(lineStart, lineEnd).replace(/\t/g, ' ');
  const width = Math.max(1, Math.min(end, lineEnd) - start);
  return `  ${line}\n  ${' '.repeat(Math.max(0, start - lineStart))}${'^'.repeat(width)}`;
}

/** Everything known about a syntax error. */
export interface SyntaxErrorDetails {
  /** The query text. */
  query: string;
  /** Offset of the offending token, `0..query.length` (the length means "at the end"). */
  offset: number;
  /** Offset just past the offending token. */
  end?: number;
  /** What would have been accepted, e.g. `["an expression", "')'"]`. */
  expected: readonly string[];
  /** What was found: `'select'`, `end of query`, … */
  found: string;
  /** Extra advice, e.g. `did you mean WHERE?`. */
  hint?: string;
  /** Replaces the default "expected … but found …" sentence. */
  reason?: string;
}

function describeExpected(expected: readonly string[]): string {
  if (expected.length <= 1) return expected[0] ?? 'something else';
  return `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1] ?? ''}`;
}

/**
 * The query text is not valid: carries the offset, 1-based line and column, what was expected and
 * what was found. `message` (and {@link QuerySyntaxError.format}) shows the query with a caret.
 *
 * @example
 * ```text
 * query syntax error at line 1, column 14: expected an expression but found end of query
 *   where name =
 *               ^
 * ```
 */
export class QuerySyntaxError extends Error {
  /** The query text. */
  readonly query: string;
  /** Offset of the error, `0..query.length`. */
  readonly offset: number;
  /** Offset just past the offending token (≥ offset). */
  readonly end: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in UTF-16 code units. */
  readonly column: number;
  /** What would have been accepted there. */
  readonly expected: readonly string[];
  /** What was found there. */
  readonly found: string;
  /** Extra advice, when there is some. */
  readonly hint: string | undefined;
  /** The one-line summary, without the caret view. */
  readonly summary: string;

  constructor(details: SyntaxErrorDetails) {
    const { line, column } = lineColumn(details.query, details.offset);
    const reason =
      details.reason ?? `expected ${describeExpected(details.expected)} but found ${details.found}`;
    const summary = `query syntax error at line ${line}, column ${column}: ${reason}`;
    const end = Math.max(details.offset + 1, details.end ?? 0);
    super(
      `${summary}\n${caretView(details.query, details.offset, end)}${details.hint ? `\n${details.hint}` : ''}`,
    );
    this.name = 'QuerySyntaxError';
    this.query = details.query;
    this.offset = details.offset;
    this.end = end;
    this.line = line;
    this.column = column;
    this.expected = details.expected;
    this.found = details.found;
    this.hint = details.hint;
    this.summary = summary;
  }

  /** The summary, the query line with a caret under the position, and the hint. */
  format(): string {
    return this.message;
  }
}

/** Kinds of {@link QueryIssue}. */
export const QueryIssueCode = {
  /** A field no row has (and not a known, computed or alias name). */
  UnknownField: 'unknown-field',
  /** A function that does not exist. */
  UnknownFunction: 'unknown-function',
  /** A function called with the wrong number or kind of arguments. */
  Arity: 'arity',
  /** A list (`disks[*].capacity`) used where one value is needed. */
  ArrayComparison: 'array-comparison',
  /** An aggregate where it cannot be (WHERE, GROUP BY, inside another aggregate). */
  Aggregate: 'aggregate',
  /** In a grouped query, a field that is neither grouped nor aggregated. */
  NotGrouped: 'not-grouped',
  /** A regular expression that does not compile. */
  Regex: 'regex',
  /** A value of the wrong type where the type is known from the query text. */
  Type: 'type',
  /** Two SELECT items with the same alias. */
  DuplicateAlias: 'duplicate-alias',
} as const;
/** One of {@link QueryIssueCode}'s values. */
export type QueryIssueCode = (typeof QueryIssueCode)[keyof typeof QueryIssueCode];

/** One problem with a query, located in its text. */
export interface QueryIssue {
  code: QueryIssueCode;
  /** The rule that was broken, naming the field or function. */
  message: string;
  /** Offset of the offending node, when known. */
  start?: number;
  /** Offset just past the offending node, when known. */
  end?: number;
  /** Close names for an unknown field or function, best first. */
  suggestions?: readonly string[];
  /** How to fix it. */
  hint?: string;
}

function issueLine(issue: QueryIssue): string {
  const did = issue.suggestions?.length ? ` (did you mean ${issue.suggestions.join(', ')}?)` : '';
  return `${issue.message}${did}${issue.hint ? `; ${issue.hint}` : ''}`;
}

/**
 * A well-formed query that cannot run. Carries every issue found (`issues`), each located in the
 * query text; `message` lists them, with a caret view when the query text is known.
 */
export class QueryError extends Error {
  /** Every problem found, in query order. */
  readonly issues: readonly QueryIssue[];
  /** The query text, when known. */
  readonly query: string | undefined;

  constructor(issues: QueryIssue | readonly QueryIssue[], query?: string) {
    const list: readonly QueryIssue[] = Array.isArray(issues) ? issues : [issues as QueryIssue];
    super(QueryError.render(list, query));
    this.name = 'QueryError';
    this.issues = list;
    this.query = query;
  }

  /** The first issue's code (the usual case is a single issue). */
  get code(): QueryIssueCode | undefined {
    return this.issues[0]?.code;
  }

  /** Every issue, each followed by the query line with carets when the text is known. */
  format(query: string | undefined = this.query): string {
    return QueryError.render(this.issues, query);
  }

  /** The same issues located in `query` (used when the error was raised without the text). */
  withQuery(query: string): QueryError {
    return this.query === undefined ? new QueryError(this.issues, query) : this;
  }

  private static render(issues: readonly QueryIssue[], query: string | undefined): string {
    return issues
      .map((issue) => {
        const line = `query error: ${issueLine(issue)}`;
        if (query === undefined || issue.start === undefined || issue.start > query.length) return line;
        return `${line}\n${caretView(query, issue.start, issue.end)}`;
      })
      .join('\n');
  }
}

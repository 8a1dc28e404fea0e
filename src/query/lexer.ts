/**
 * The query lexer: turns the whole query text into tokens, so keywords inside string literals are
 * just string content (kubectl-mtv split the text on keywords, and `name = 'where-vm'` broke).
 *
 * Tokens: identifiers with path segments (`disks[*].capacity`, `labels[app.kubernetes.io/name]`),
 * keywords (case-insensitive), numbers with unit suffixes, strings, dates and timestamps, symbols.
 */
import type { PathSegment } from './ast.js';
import { QuerySyntaxError } from './errors.js';
import { daysInMonth, utcMs } from './values.js';

/** Reserved words, lower-case. They cannot be used as bare field names. */
export const keywords: ReadonlySet<string> = new Set([
  'select',
  'where',
  'group',
  'order',
  'sort',
  'by',
  'limit',
  'as',
  'asc',
  'desc',
  'and',
  'or',
  'not',
  'like',
  'ilike',
  'in',
  'between',
  'is',
  'null',
  'true',
  'false',
]);

/** Operator and punctuation symbols. */
export type SymbolText =
  | '('
  | ')'
  | '['
  | ']'
  | ','
  | '*'
  | '+'
  | '-'
  | '/'
  | '%'
  | '='
  | '=='
  | '!='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | '~='
  | '~!';

interface TokenBase {
  /** Offset of the first character. */
  start: number;
  /** Offset past the last character. */
  end: number;
}

/** One token; `eof` ends every token stream. */
export type Token =
  | (TokenBase & { kind: 'ident'; path: PathSegment[]; text: string })
  | (TokenBase & { kind: 'keyword'; word: string; text: string })
  | (TokenBase & { kind: 'number'; value: number; text: string })
  | (TokenBase & { kind: 'string'; value: string })
  | (TokenBase & { kind: 'date'; ms: number; dateOnly: boolean; text: string })
  | (TokenBase & { kind: 'symbol'; symbol: SymbolText })
  | (TokenBase & { kind: 'eof' });

/** Decimal (`k M G T P`, either case) and binary (`Ki Mi Gi Ti Pi`) unit suffixes. */
export const unitSuffixes: Readonly<Record<string, number>> = {
  k: 1e3,
  K: 1e3,
  m: 1e6,
  M: 1e6,
  g: 1e9,
  G: 1e9,
  t: 1e12,
  T: 1e12,
  p: 1e15,
  P: 1e15,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
};

const twoCharSymbols = new Set(['==', '!=', '<>', '<=', '>=', '~=', '~!']);
const oneCharSymbols = new Set(['(', ')', '[', ']', ',', '*', '+', '-', '/', '%', '=', '<', '>']);
const escapeChars: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
};
const identStart = /[A-Za-z_]/;
const identChar = /[A-Za-z0-9_]/;
const dateShape =
  /(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2})))?/y;
const numberShape = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Describes a token for "found …" in error messages. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of query';
    case 'string':
      return `string '${token.value.length > 20 ? `${token.value.slice(0, 20)}…` : token.value}'`;
    case 'symbol':
      return `'${token.symbol}'`;
    case 'keyword':
      return token.word.toUpperCase();
    default:
      return `'${token.text}'`;
  }
}

/**
 * Reads tokens one at a time, so the first error in the text is the one reported.
 * @throws QuerySyntaxError on an unterminated string, a malformed number or date, or a stray character.
 */
export class Lexer {
  private pos = 0;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  /** The next token (`eof` at the end, repeatedly). */
  next(): Token {
    this.skipSpace();
    const start = this.pos;
    if (start >= this.text.length) return { kind: 'eof', start, end: start };
    const ch = this.text.charAt(start);
    if (identStart.test(ch)) return this.word(start);
    if (ch >= '0' && ch <= '9') return this.dateOrNumber(start);
    if (ch === "'" || ch === '"' || ch === '`') return this.string(start);
    return this.symbol(start);
  }

  private fail(offset: number, expected: string[], reason: string, end?: number, hint?: string): never {
    throw new QuerySyntaxError({
      query: this.text,
      offset,
      expected,
      found: JSON.stringify(this.text.slice(offset, Math.max(end ?? offset + 1, offset + 1))),
      reason,
      ...(end === undefined ? {} : { end }),
      ...(hint === undefined ? {} : { hint }),
    });
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text.charAt(this.pos))) this.pos++;
  }

  private readWord(): string {
    const begin = this.pos;
    while (this.pos < this.text.length && identChar.test(this.text.charAt(this.pos))) this.pos++;
    return this.text.slice(begin, this.pos);
  }

  private word(start: number): Token {
    const first = this.readWord();
    const lower = first.toLowerCase();
    if (keywords.has(lower)) return { kind: 'keyword', word: lower, text: first, start, end: this.pos };
    const path: PathSegment[] = [{ kind: 'name', name: first }];
    for (;;) {
      const c = this.text.charAt(this.pos);
      if (c === '.' && identChar.test(this.text.charAt(this.pos + 1))) {
        this.pos++;
        path.push({ kind: 'name', name: this.readWord() });
      } else if (c === '[') {
        path.push(this.bracket());
      } else break;
    }
    return { kind: 'ident', path, text: this.text.slice(start, this.pos), start, end: this.pos };
  }

  private bracket(): PathSegment {
    const open = this.pos;
    this.pos++;
    const c = this.text.charAt(this.pos);
    if (c === "'" || c === '"' || c === '`') {
      const key = this.string(this.pos).value;
      if (this.text.charAt(this.pos) !== ']')
        this.fail(this.pos, ["']'"], "expected ']' after the quoted key");
      this.pos++;
      return { kind: 'key', key };
    }
    const close = this.text.indexOf(']', this.pos);
    if (close === -1)
      this.fail(open, ["']'"], "unterminated '[' in a field path", open + 1, "close it with ']'");
    const inner = this.text.slice(this.pos, close);
    this.pos = close + 1;
    if (inner === '')
      this.fail(
        open,
        ['[n]', '[*]', '[key]'],
        "empty '[]' in a field path",
        close + 1,
        'write [n], [*] or [key]',
      );
    if (inner === '*') return { kind: 'wildcard' };
    if (/^\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
    return { kind: 'key', key: inner };
  }

  private dateOrNumber(start: number): Token {
    dateShape.lastIndex = start;
    const date = dateShape.exec(this.text);
    if (date) return this.date(start, date);
    numberShape.lastIndex = start;
    const num = numberShape.exec(this.text);
    const mantissa = num?.[0] ?? '';
    this.pos = start + mantissa.length;
    const suffix = /^(?:[KMGTP]i|[kKmMgGtTpP])/.exec(this.text.slice(this.pos, this.pos + 2))?.[0] ?? '';
    this.pos += suffix.length;
    if (identChar.test(this.text.charAt(this.pos))) {
      while (identChar.test(this.text.charAt(this.pos))) this.pos++;
      this.fail(
        start,
        ['a number such as 42, 1.5e3, 4G or 4Gi'],
        `invalid number '${this.text.slice(start, this.pos)}'`,
        this.pos,
        'unit suffixes are k M G T P (powers of 1000) and Ki Mi Gi Ti Pi (powers of 1024)',
      );
    }
    const value = Number(mantissa) * (suffix ? (unitSuffixes[suffix] ?? 1) : 1);
    if (!Number.isFinite(value)) this.fail(start, ['a finite number'], 'number out of range', this.pos);
    return { kind: 'number', value, text: this.text.slice(start, this.pos), start, end: this.pos };
  }

  private date(start: number, m: RegExpExecArray): Token {
    const text = m[0];
    this.pos = start + text.length;
    const n = (i: number): number => Number(m[i] ?? '0');
    const dateOnly = m[4] === undefined;
    if (/[A-Za-z0-9_.:]/.test(this.text.charAt(this.pos))) {
      this.fail(
        start,
        ['a date (2024-05-31) or an RFC 3339 timestamp'],
        `invalid date '${text}${this.text.charAt(this.pos)}…'`,
        this.pos + 1,
        'write a date as 2024-05-31 or an RFC 3339 timestamp with a zone, e.g. 2024-05-31T12:00:00Z',
      );
    }
    const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];

    const offsetMinutes = (m[9] === '-' ? -1 : 1) * (n(10) * 60 + n(11));
    if (
      month < 1 ||
      month > 12 ||
      day < 1 ||
      day > daysInMonth(year, month) ||
      hour > 23 ||
      minute > 59 ||
      second > 59 ||
      n(10) > 23 ||
      n(11) > 59
    ) {
      this.fail(start, ['a valid date'], `invalid date '${text}'`, this.pos);
    }
    const fraction = m[7] ? Number(`${m[7].slice(1)}00`.slice(0, 3)) : 0;
    const ms = utcMs(year, month, day, hour, minute, second, fraction) - offsetMinutes * 60_000;
    return { kind: 'date', ms, dateOnly, text, start, end: this.pos };
  }

  private string(start: number): Extract<Token, { kind: 'string' }> {
    const quote = this.text.charAt(start);
    let value = '';
    let i = start + 1;
    for (;;) {
      if (i >= this.text.length)
        this.fail(start, [`a closing ${quote}`], 'unterminated string', i, `close it with ${quote}`);
      const c = this.text.charAt(i);
      if (c === quote) break;
      if (c === '\\' && i + 1 < this.text.length) {
        const e = this.text.charAt(i + 1);
        value += escapeChars[e] ?? `\\${e}`;
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    this.pos = i + 1;
    return { kind: 'string', value, start, end: this.pos };
  }

  private symbol(start: number): Token {
    const two = this.text.slice(start, start + 2);
    if (twoCharSymbols.has(two)) {
      this.pos = start + 2;
      return { kind: 'symbol', symbol: two as SymbolText, start, end: this.pos };
    }
    const one = this.text.charAt(start);
    if (oneCharSymbols.has(one)) {
      this.pos = start + 1;
      return { kind: 'symbol', symbol: one as SymbolText, start, end: this.pos };
    }
    const hint =
      one === '!'
        ? "write '!=' for not equal, or NOT before a condition"
        : one === '~'
          ? "write '~=' (matches) or '~!' (does not match)"
          : one === '&' || one === '|'
            ? 'write AND / OR'
            : undefined;
    const shown = /\s/.test(one) || one.charCodeAt(0) < 0x20 ? JSON.stringify(one) : `'${one}'`;
    return this.fail(
      start,
      ['a field, value, operator or keyword'],
      `unexpected character ${shown}`,
      start + 1,
      hint,
    );
  }
}

/** All tokens of `text`, ending with `eof`. @throws QuerySyntaxError as {@link Lexer.next}. */
export function tokenize(text: string): Token[] {
  const lexer = new Lexer(text);
  const out: Token[] = [];
  for (;;) {
    const t = lexer.next();
    out.push(t);
    if (t.kind === 'eof') return out;
  }
}

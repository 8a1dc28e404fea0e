/**
 * The query parser: recursive descent over the lexer's tokens, building the located AST of
 * `ast.ts`. Grammar, lowest precedence first:
 *
 * ```text
 * query      := [SELECT item {, item}] [WHERE expr] [GROUP BY expr {, expr}]
 *               [(ORDER|SORT) BY expr [ASC|DESC] {, …}] [LIMIT n]      (no leading keyword: WHERE)
 * item       := expr [AS name]
 * expr       := and {OR and}
 * and        := not {AND not}
 * not        := NOT not | comparison
 * comparison := sum [ (= | == | != | <> | < | <= | > | >= | ~= | ~!) sum
 *                   | [NOT] (LIKE | ILIKE | IN) sum | [NOT] BETWEEN sum AND sum | IS [NOT] NULL ]
 * sum        := product {(+ | -) product}
 * product    := unary {(* | / | %) unary}
 * unary      := (- | +) unary | primary
 * primary    := number | string | date | TRUE | FALSE | NULL | field | name(args) | (expr) | [list]
 * ```
 *
 * So `NOT a = b` is `NOT (a = b)` (kubectl-mtv read it as `(NOT a) = b`), and comparisons do not
 * chain.
 */
import type {
  ArithmeticOp,
  ArrayLiteral,
  CompareOp,
  Expression,
  NumberLiteral,
  OrderItem,
  Query,
  SelectItem,
} from './ast.js';
import { QuerySyntaxError } from './errors.js';
import { describeToken, Lexer } from './lexer.js';
import type { SymbolText, Token } from './lexer.js';
import { suggest } from './suggest.js';

const compareSymbols: Readonly<Partial<Record<SymbolText, CompareOp>>> = {
  '=': '=',
  '==': '=',
  '!=': '!=',
  '<>': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};
const clauseWords = ['select', 'where', 'group', 'order', 'sort', 'limit'];
const clauseLabels = ['SELECT', 'WHERE', 'GROUP BY', 'ORDER BY', 'LIMIT'] as const;

class Parser {
  private readonly lexer: Lexer;
  private buffered: Token | undefined;
  /** Tokens that could have continued the construct that ended just before `offset`. */
  private noted: { offset: number; expected: string[] } = { offset: -1, expected: [] };
  private firstToken: Token | undefined;
  /** Tokens consumed so far. */
  private taken = 0;

  private readonly text: string;

  constructor(text: string) {
    this.text = text;
    this.lexer = new Lexer(text);
  }

  peek(): Token {
    this.buffered ??= this.lexer.next();
    this.firstToken ??= this.buffered;
    return this.buffered;
  }

  take(): Token {
    const t = this.peek();
    this.buffered = undefined;
    this.taken++;
    return t;
  }

  isKeyword(word: string, token: Token = this.peek()): boolean {
    return token.kind === 'keyword' && token.word === word;
  }

  isSymbol(symbol: SymbolText, token: Token = this.peek()): boolean {
    return token.kind === 'symbol' && token.symbol === symbol;
  }

  note(...expected: string[]): void {
    const offset = this.peek().start;
    if (this.noted.offset !== offset) this.noted = { offset, expected: [] };
    for (const e of expected) if (!this.noted.expected.includes(e)) this.noted.expected.push(e);
  }

  fail(expected: string[], token: Token = this.peek(), hint?: string): never {
    const all = this.noted.offset === token.start ? [...this.noted.expected, ...expected] : expected;
    const advice = hint ?? this.typoHint(token, all);
    throw new QuerySyntaxError({
      query: this.text,
      offset: token.start,
      end: token.end,
      expected: [...new Set(all)],
      found: describeToken(token),
      ...(advice === undefined ? {} : { hint: advice }),
    });
  }

  private typoHint(token: Token, expected: readonly string[]): string | undefined {
    const words = expected.filter((e) => /^[A-Z]+( BY)?$/.test(e)).map((e) => e.split(' ')[0] ?? e);
    const near = (t: Token | undefined, from: readonly string[]): string | undefined => {
      if (t?.kind !== 'ident' || t.path.length !== 1 || t.text.length < 2) return undefined;
      const [best] = suggest(t.text.toUpperCase(), from);
      return best && `'${t.text}' is not a keyword; did you mean ${best}?`;
    };
    // `selct name`: the query fails at its second token because the first was a misspelt clause.
    const clause =
      this.taken === 1
        ? near(
            this.firstToken,
            clauseLabels.map((w) => w.split(' ')[0] ?? w),
          )
        : undefined;
    return near(token, words) ?? clause;
  }

  expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) this.fail([word.toUpperCase()]);
    return this.take();
  }

  expectSymbol(symbol: SymbolText): Token {
    if (!this.isSymbol(symbol)) this.fail([`'${symbol}'`]);
    return this.take();
  }

  // ---- query envelope -------------------------------------------------------------------------

  query(): Query {
    const q: Query = { type: 'Query', start: 0, end: this.text.length, source: this.text };
    const first = this.peek();
    if (this.isKeyword('select')) {
      this.take();
      q.select = this.list(() => this.selectItem());
    }
    if (this.isKeyword('where')) {
      this.take();
      q.where = this.expression();
    } else if (first.kind !== 'eof' && !clauseWords.some((w) => this.isKeyword(w, first))) {
      q.where = this.expression();
    }
    if (this.isKeyword('group')) {
      this.take();
      this.expectKeyword('by');
      q.groupBy = this.list(() => this.expression());
    }
    if (this.isKeyword('order') || this.isKeyword('sort')) {
      this.take();
      this.expectKeyword('by');
      q.orderBy = this.list(() => this.orderItem());
    }
    if (this.isKeyword('limit')) {
      this.take();
      q.limit = this.limit();
    }
    if (this.peek().kind !== 'eof') this.fail(this.clausesAfter(q));
    return q;
  }

  private clausesAfter(q: Query): string[] {
    const done = [q.select, q.where, q.groupBy, q.orderBy, q.limit].map((c) => c !== undefined);
    const last = done.lastIndexOf(true);
    return [...clauseLabels.slice(last + 1), 'end of query'];
  }

  private list<T>(item: () => T): T[] {
    const out = [item()];
    for (;;) {
      this.note("','");
      if (!this.isSymbol(',')) return out;
      this.take();
      out.push(item());
    }
  }

  private selectItem(): SelectItem {
    const expr = this.expression();
    this.note('AS');
    if (!this.isKeyword('as')) return { type: 'SelectItem', expr, start: expr.start, end: expr.end };
    this.take();
    const name = this.peek();
    if (name.kind !== 'ident' || name.path.length !== 1) this.fail(['an alias name']);
    this.take();
    return { type: 'SelectItem', expr, alias: name.text, start: expr.start, end: name.end };
  }

  private orderItem(): OrderItem {
    const expr = this.expression();
    this.note('ASC', 'DESC');
    const t = this.peek();
    if (this.isKeyword('asc') || this.isKeyword('desc')) {
      this.take();
      const direction = this.isKeyword('asc', t) ? 'asc' : 'desc';
      return { type: 'OrderItem', expr, direction, start: expr.start, end: t.end };
    }
    return { type: 'OrderItem', expr, start: expr.start, end: expr.end };
  }

  private limit(): NumberLiteral {
    const t = this.peek();
    if (t.kind !== 'number' || !Number.isSafeInteger(t.value)) this.fail(['a whole number']);
    this.take();
    return { type: 'Number', value: t.value, text: t.text, start: t.start, end: t.end };
  }

  // ---- expressions ----------------------------------------------------------------------------

  expression(): Expression {
    let left = this.and();
    for (;;) {
      this.note('OR');
      if (!this.isKeyword('or')) return left;
      this.take();
      const right = this.and();
      left = { type: 'Logical', op: 'or', left, right, start: left.start, end: right.end };
    }
  }

  private and(): Expression {
    let left = this.not();
    for (;;) {
      this.note('AND');
      if (!this.isKeyword('and')) return left;
      this.take();
      const right = this.not();
      left = { type: 'Logical', op: 'and', left, right, start: left.start, end: right.end };
    }
  }

  private not(): Expression {
    const t = this.peek();
    if (!this.isKeyword('not')) return this.comparison();
    this.take();
    const operand = this.not();
    return { type: 'Not', operand, start: t.start, end: operand.end };
  }

  private comparison(): Expression {
    const left = this.sum();
    const node = this.comparisonTail(left);
    if (node === left) {
      this.note('an operator');
      return left;
    }
    const t = this.peek();
    if (t.kind === 'symbol' && (compareSymbols[t.symbol] !== undefined || t.symbol.startsWith('~'))) {
      this.fail(['AND', 'OR'], t, 'comparisons do not chain: write a < b AND b < c');
    }
    return node;
  }

  private comparisonTail(left: Expression): Expression {
    const t = this.peek();
    if (t.kind === 'symbol') {
      const op = compareSymbols[t.symbol];
      if (op !== undefined) {
        this.take();
        const right = this.sum();
        return { type: 'Compare', op, left, right, start: left.start, end: right.end };
      }
      if (t.symbol === '~=' || t.symbol === '~!') {
        this.take();
        const pattern = this.sum();
        return {
          type: 'Regex',
          negated: t.symbol === '~!',
          left,
          pattern,
          start: left.start,
          end: pattern.end,
        };
      }
      return left;
    }
    if (this.isKeyword('is')) return this.isNull(left);
    let negated = false;
    if (this.isKeyword('not')) {
      this.take();
      negated = true;
      if (!['like', 'ilike', 'in', 'between'].some((w) => this.isKeyword(w))) {
        this.fail(['LIKE', 'ILIKE', 'IN', 'BETWEEN'], this.peek(), 'to negate a condition, write NOT (…)');
      }
    }
    return this.keywordComparison(left, negated);
  }

  private isNull(left: Expression): Expression {
    this.take();
    const negated = this.isKeyword('not');
    if (negated) this.take();
    const t = this.peek();
    if (!this.isKeyword('null')) this.fail(negated ? ['NULL'] : ['NULL', 'NOT']);
    this.take();
    return { type: 'IsNull', negated, operand: left, start: left.start, end: t.end };
  }

  private keywordComparison(left: Expression, negated: boolean): Expression {
    const start = left.start;
    if (this.isKeyword('like') || this.isKeyword('ilike')) {
      const caseInsensitive = this.isKeyword('ilike', this.take());
      const pattern = this.sum();
      return { type: 'Like', negated, caseInsensitive, left, pattern, start, end: pattern.end };
    }
    if (this.isKeyword('in')) {
      this.take();
      const list = this.isSymbol('(') ? this.parenList() : this.sum();
      return { type: 'In', negated, left, list, start, end: list.end };
    }
    if (this.isKeyword('between')) {
      this.take();
      const low = this.sum();
      this.expectKeyword('and');
      const high = this.sum();
      return { type: 'Between', negated, value: left, low, high, start, end: high.end };
    }
    return left;
  }

  /**
   * After IN, `(…)` is SQL's list: `IN ('a', 'b')` and `IN ('a',)` read as the list `['a', 'b']`,
   * `['a']`; a single parenthesized expression without a comma, `IN (tags)`, is that expression.
   */
  private parenList(): Expression {
    const open = this.take();
    const list = this.items(open, ')');
    const [only] = list.items;
    return list.items.length === 1 && only && !list.trailingComma ? only : list.array;
  }

  private items(
    open: Token,
    close: ')' | ']',
  ): { array: ArrayLiteral; items: Expression[]; trailingComma: boolean } {
    const items: Expression[] = [];
    let trailingComma = false;
    while (!this.isSymbol(close)) {
      items.push(this.expression());
      trailingComma = this.isSymbol(',');
      if (trailingComma) this.take();
      else if (!this.isSymbol(close)) this.fail(["','", `'${close}'`]);
    }
    const end = this.take().end;
    return { array: { type: 'Array', items, start: open.start, end }, items, trailingComma };
  }

  private sum(): Expression {
    let left = this.product();
    for (;;) {
      const t = this.peek();
      if (!this.isSymbol('+') && !this.isSymbol('-')) return left;
      this.take();
      const right = this.product();
      const op = (t.kind === 'symbol' ? t.symbol : '+') as ArithmeticOp;
      left = { type: 'Arithmetic', op, left, right, start: left.start, end: right.end };
    }
  }

  private product(): Expression {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (!this.isSymbol('*') && !this.isSymbol('/') && !this.isSymbol('%')) return left;
      this.take();
      const right = this.unary();
      const op = (t.kind === 'symbol' ? t.symbol : '*') as ArithmeticOp;
      left = { type: 'Arithmetic', op, left, right, start: left.start, end: right.end };
    }
  }

  private unary(): Expression {
    const t = this.peek();
    if (this.isSymbol('-') || this.isSymbol('+')) {
      this.take();
      const operand = this.unary();
      return {
        type: 'Unary',
        op: this.isSymbol('-', t) ? '-' : '+',
        operand,
        start: t.start,
        end: operand.end,
      };
    }
    return this.primary();
  }

  private primary(): Expression {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.take();
        return { type: 'Number', value: t.value, text: t.text, start: t.start, end: t.end };
      case 'string':
        this.take();
        return { type: 'String', value: t.value, start: t.start, end: t.end };
      case 'date':
        this.take();
        return { type: 'Date', text: t.text, ms: t.ms, dateOnly: t.dateOnly, start: t.start, end: t.end };
      case 'ident':
        return this.fieldOrCall(t);
      case 'keyword':
        return this.keywordLiteral(t);
      case 'symbol':
        if (t.symbol === '(') {
          this.take();
          const inner = this.expression();
          this.expectSymbol(')');
          return inner;
        }
        if (t.symbol === '[') return this.items(this.take(), ']').array;
        break;
      case 'eof':
        break;
    }
    const star = this.isSymbol('*', t)
      ? 'leave out SELECT to get whole rows; * is only allowed in count(*)'
      : undefined;
    return this.fail(['an expression'], t, star);
  }

  private keywordLiteral(t: Token & { kind: 'keyword' }): Expression {
    if (t.word === 'true' || t.word === 'false') {
      this.take();
      return { type: 'Boolean', value: t.word === 'true', start: t.start, end: t.end };
    }
    if (t.word === 'null') {
      this.take();
      return { type: 'Null', start: t.start, end: t.end };
    }
    return this.fail(['an expression'], t);
  }

  private fieldOrCall(t: Token & { kind: 'ident' }): Expression {
    this.take();
    if (t.path.length !== 1 || !this.isSymbol('(')) {
      return { type: 'Field', path: t.path, start: t.start, end: t.end };
    }
    this.take();
    const args: Expression[] = [];
    if (this.isSymbol('*')) {
      const star = this.take();
      args.push({ type: 'Star', start: star.start, end: star.end });
    } else if (!this.isSymbol(')')) {
      args.push(this.expression());
      while (this.isSymbol(',')) {
        this.take();
        args.push(this.expression());
      }
    }
    const close = this.expectSymbol(')');
    return { type: 'Call', name: t.text.toLowerCase(), args, start: t.start, end: close.end };
  }
}

/**
 * Parses a whole query: `[SELECT …] [WHERE …] [GROUP BY …] [ORDER|SORT BY …] [LIMIT n]`, where a
 * query that starts with none of those keywords is a WHERE expression. An empty text is the query
 * that selects every row.
 * @throws QuerySyntaxError with the offset, line, column and what was expected.
 * @see https://github.com/yaacov/kubectl-mtv (the query envelope this extends)
 */
export function parseQuery(text: string): Query {
  return new Parser(text).query();
}

/**
 * Parses one expression (a WHERE condition without the keyword), e.g. `memoryMB > 4Gi and
 * powerState = 'poweredOn'`.
 * @throws QuerySyntaxError with the offset, line, column and what was expected.
 */
export function parseExpression(text: string): Expression {
  const p = new Parser(text);
  const expr = p.expression();
  if (p.peek().kind !== 'eof') p.fail(['end of expression']);
  return expr;
}

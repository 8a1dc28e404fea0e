/**
 * KARL lexer and parser: text → {@link KarlProgram}, checking as it goes everything the text alone
 * can tell (label key and value syntax, weights, topologies), so that a program that parses always
 * converts to a valid Kubernetes Affinity.
 *
 * Selector spellings: KARL's `k=v`, `k in [a,b]`, `k not in [a,b]`, `has k`, `not has k`, and
 * Kubernetes label-selector forms `k==v`, `k!=v`, `k notin (a,b)`, `k`, `!k`. Keywords are
 * case-insensitive; `#` starts a comment; `on` before the topology may be left out (KARL's README
 * does); newlines inside parentheses or brackets do not end a rule.
 *
 * @see https://github.com/yaacov/karl-interpreter
 */
import {
  KarlOperator,
  KarlRuleType,
  KarlSyntaxError,
  KarlTopology,
  type KarlErrorDetails,
  type KarlProgram,
  type KarlRule,
  type KarlSelector,
  type KarlTarget,
} from './karl-ast.js';

type TokenKind = 'word' | 'string' | '(' | ')' | '[' | ']' | ',' | '=' | '!=' | '!' | 'sep' | 'eof';

interface Token {
  kind: TokenKind;
  /** The word, the decoded string, or the punctuation. */
  text: string;
  start: number;
  end: number;
}

const wordRe = /[A-Za-z0-9_./-]+/y;
const punct: Record<string, TokenKind> = { '(': '(', ')': ')', '[': '[', ']': ']', ',': ',' };

function lex(text: string, fail: (d: Omit<KarlErrorDetails, 'text'>) => never): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
      continue;
    }
    if (c === '\n' && depth === 0) tokens.push({ kind: 'sep', text: '\n', start: i, end: i + 1 });
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const p = punct[c];
    if (p) {
      if (c === '(' || c === '[') depth++;
      if (c === ')' || c === ']') depth = Math.max(0, depth - 1);
      tokens.push({ kind: p, text: c, start: i, end: i + 1 });
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '==') {
      tokens.push({ kind: two === '!=' ? '!=' : '=', text: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (c === ';' || c === '=' || c === '!') {
      tokens.push({ kind: c === ';' ? 'sep' : c, text: c, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close === -1) fail({ offset: i, end: text.length, reason: 'unterminated quoted value' });
      tokens.push({ kind: 'string', text: text.slice(i + 1, close), start: i, end: close + 1 });
      i = close + 1;
      continue;
    }
    wordRe.lastIndex = i;
    const word = wordRe.exec(text)?.[0];
    if (!word) fail({ offset: i, reason: `unexpected character ${JSON.stringify(c)}` });
    tokens.push({ kind: 'word', text: word, start: i, end: i + word.length });
    i += word.length;
  }
  tokens.push({ kind: 'eof', text: '', start: text.length, end: text.length });
  return tokens;
}

const qualifiedName =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Why `key` is not a Kubernetes label key, or undefined. */
function keyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const name = key.slice(slash + 1);
  if (!qualifiedName.test(key)) {
    return `"${key}" is not a label key: [prefix/]name, the name alphanumeric with "-", "_" or "." inside`;
  }
  if (name.length > 63) return `the name part of label key "${key}" is longer than 63 characters`;
  if (slash > 253) return `the prefix of label key "${key}" is longer than 253 characters`;
  return undefined;
}

/** Why `value` is not a label value, or undefined. */
function valueProblem(value: string): string | undefined {
  if (value.length > 63) return `label value "${value}" is longer than 63 characters`;
  if (!labelValue.test(value)) {
    return `"${value}" is not a label value: alphanumeric with "-", "_" or "." inside, at most 63 characters`;
  }
  return undefined;
}

const ruleTypes: Record<string, KarlRuleType> = {
  require: KarlRuleType.Require,
  prefer: KarlRuleType.Prefer,
  avoid: KarlRuleType.Avoid,
  repel: KarlRuleType.Repel,
};
const topologies: Record<string, KarlTopology> = {
  node: KarlTopology.Node,
  zone: KarlTopology.Zone,
  region: KarlTopology.Region,
  rack: KarlTopology.Rack,
};
const softRules: ReadonlySet<KarlRuleType> = new Set([KarlRuleType.Prefer, KarlRuleType.Repel]);

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of rule';
  if (t.kind === 'sep') return t.text === ';' ? '";"' : 'end of line';
  return JSON.stringify(t.text);
}

class Parser {
  private i = 0;
  private readonly tokens: Token[];
  private readonly text: string;
  private readonly field: string | undefined;

  constructor(text: string, field: string | undefined) {
    this.text = text;
    this.field = field;
    this.tokens = lex(text, (d) => this.fail(d));
  }

  fail(d: Omit<KarlErrorDetails, 'text' | 'field'>): never {
    throw new KarlSyntaxError({ ...d, text: this.text, ...(this.field ? { field: this.field } : {}) });
  }

  private peek(): Token {
    return this.tokens[this.i] ?? { kind: 'eof', text: '', start: this.text.length, end: this.text.length };
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private expect(kind: TokenKind, label: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail({ offset: t.start, end: t.end, expected: [label], found: describe(t) });
    return this.next();
  }
  private isWord(t: Token, ...words: string[]): boolean {
    return t.kind === 'word' && words.includes(t.text.toLowerCase());
  }

  program(): KarlProgram {
    const rules: KarlRule[] = [];
    for (;;) {
      while (this.peek().kind === 'sep') this.next();
      if (this.peek().kind === 'eof') return { rules };
      rules.push(this.rule());
      const t = this.peek();
      if (t.kind !== 'sep' && t.kind !== 'eof') {
        this.fail({
          offset: t.start,
          end: t.end,
          expected: ['"on"', '"weight=N"', '";"', 'end of rule'],
          found: describe(t),
        });
      }
    }
  }

  private rule(): KarlRule {
    const head = this.next();
    const rule = head.kind === 'word' ? ruleTypes[head.text.toLowerCase()] : undefined;
    if (!rule) {
      this.fail({
        offset: head.start,
        end: head.end,
        expected: ['REQUIRE', 'PREFER', 'AVOID', 'REPEL'],
        found: describe(head),
      });
    }
    const { target, selectors, end: targetEnd } = this.target();
    const topology = this.topology();
    const weight = this.weight();
    const end = weight?.end ?? topology?.end ?? targetEnd;
    const parsed: KarlRule = {
      type: 'Rule',
      rule,
      target,
      selectors,
      start: head.start,
      end,
      ...(topology ? { topology: topology.value } : {}),
      ...(weight ? { weight: weight.value } : {}),
    };
    this.checkRule(parsed, topology, weight);
    return parsed;
  }

  private target(): { target: KarlTarget; selectors: KarlSelector[]; end: number } {
    const t = this.next();
    const word = t.kind === 'word' ? t.text.toLowerCase() : '';
    if (word !== 'pods' && word !== 'nodes') {
      const unsupported = t.kind === 'word' && this.peek().kind === '(';
      this.fail({
        offset: t.start,
        end: t.end,
        expected: ['pods(…)', 'nodes(…)'],
        found: describe(t),
        ...(unsupported ? { reason: `unsupported target type "${t.text}": use pods(…) or nodes(…)` } : {}),
      });
    }
    this.expect('(', '"("');
    const selectors = [this.selector()];
    while (this.peek().kind === ',') {
      this.next();
      selectors.push(this.selector());
    }
    const close = this.expect(')', '"," or ")"');
    return { target: word, selectors, end: close.end };
  }

  private key(): Token {
    const t = this.next();
    if (t.kind !== 'word')
      this.fail({ offset: t.start, end: t.end, expected: ['a label key'], found: describe(t) });
    const problem = keyProblem(t.text);
    if (problem) this.fail({ offset: t.start, end: t.end, reason: problem });
    return t;
  }

  private value(): Token {
    const t = this.next();
    if (t.kind !== 'word' && t.kind !== 'string') {
      this.fail({ offset: t.start, end: t.end, expected: ['a label value'], found: describe(t) });
    }
    const problem = valueProblem(t.text);
    if (problem) this.fail({ offset: t.start, end: t.end, reason: problem });
    return t;
  }

  private list(): { values: string[]; end: number } {
    const open = this.next();
    if (open.kind !== '[' && open.kind !== '(') {
      this.fail({ offset: open.start, end: open.end, expected: ['"["'], found: describe(open) });
    }
    const closeKind = open.kind === '[' ? ']' : ')';
    const values = [this.value().text];
    while (this.peek().kind === ',') {
      this.next();
      values.push(this.value().text);
    }
    const close = this.expect(closeKind, `"," or "${closeKind}"`);
    return { values, end: close.end };
  }

  private selector(): KarlSelector {
    const first = this.peek();
    const sel = (key: Token, operator: KarlOperator, values: string[], end: number): KarlSelector => ({
      key: key.text,
      operator,
      values,
      start: first.start,
      end,
    });
    if (first.kind === '!') {
      this.next();
      const key = this.key();
      return sel(key, KarlOperator.DoesNotExist, [], key.end);
    }
    const after = this.tokens[this.i + 1];
    // `has k` / `not has k` only when k ends the selector: `has=1`, `has in [a]` use a key named has.
    const ends = (t: Token | undefined): boolean => t?.kind === ',' || t?.kind === ')';
    if (this.isWord(first, 'has') && after?.kind === 'word' && ends(this.tokens[this.i + 2])) {
      this.next();
      const key = this.key();
      return sel(key, KarlOperator.Exists, [], key.end);
    }
    if (
      this.isWord(first, 'not') &&
      after &&
      this.isWord(after, 'has') &&
      this.tokens[this.i + 2]?.kind === 'word' &&
      ends(this.tokens[this.i + 3])
    ) {
      this.next();
      this.next();
      const key = this.key();
      return sel(key, KarlOperator.DoesNotExist, [], key.end);
    }
    return this.keyedSelector(sel);
  }

  private keyedSelector(
    sel: (key: Token, op: KarlOperator, values: string[], end: number) => KarlSelector,
  ): KarlSelector {
    const key = this.key();
    const op = this.peek();
    if (op.kind === '=' || op.kind === '!=') {
      this.next();
      const value = this.value();
      return sel(key, op.kind === '=' ? KarlOperator.Equals : KarlOperator.NotIn, [value.text], value.end);
    }
    if (this.isWord(op, 'in', 'notin')) {
      this.next();
      const { values, end } = this.list();
      return sel(key, op.text.toLowerCase() === 'in' ? KarlOperator.In : KarlOperator.NotIn, values, end);
    }
    if (this.isWord(op, 'not')) {
      this.next();
      const inWord = this.next();
      if (!this.isWord(inWord, 'in'))
        this.fail({ offset: inWord.start, end: inWord.end, expected: ['"in"'], found: describe(inWord) });
      const { values, end } = this.list();
      return sel(key, KarlOperator.NotIn, values, end);
    }
    if (op.kind === ',' || op.kind === ')') return sel(key, KarlOperator.Exists, [], key.end);
    return this.fail({
      offset: op.start,
      end: op.end,
      expected: ['"="', '"!="', '"in"', '"not in"', '","', '")"'],
      found: describe(op),
    });
  }

  private topology(): { value: KarlTopology; end: number; start: number } | undefined {
    let t = this.peek();
    const hasOn = this.isWord(t, 'on');
    if (hasOn) {
      this.next();
      t = this.peek();
    }
    const value = t.kind === 'word' ? topologies[t.text.toLowerCase()] : undefined;
    if (!value) {
      if (hasOn)
        this.fail({
          offset: t.start,
          end: t.end,
          expected: ['node', 'zone', 'region', 'rack'],
          found: describe(t),
        });
      return undefined;
    }
    this.next();
    return { value, start: t.start, end: t.end };
  }

  private weight(): { value: number; start: number; end: number } | undefined {
    const t = this.peek();
    if (!this.isWord(t, 'weight')) return undefined;
    this.next();
    this.expect('=', '"="');
    const n = this.next();
    if (n.kind !== 'word' || !/^\d+$/.test(n.text)) {
      this.fail({ offset: n.start, end: n.end, expected: ['a weight from 1 to 100'], found: describe(n) });
    }
    const value = Number(n.text);
    if (value < 1 || value > 100)
      this.fail({ offset: n.start, end: n.end, reason: `weight must be from 1 to 100, not ${n.text}` });
    return { value, start: t.start, end: n.end };
  }

  private checkRule(
    rule: KarlRule,
    topology: { start: number; end: number } | undefined,
    weight: { start: number; end: number } | undefined,
  ): void {
    if (weight && !softRules.has(rule.rule)) {
      this.fail({
        offset: weight.start,
        end: weight.end,
        reason: `weight applies only to PREFER and REPEL rules, not ${rule.rule}`,
        hint: 'hard rules (REQUIRE, AVOID) must hold; drop the weight, or use PREFER / REPEL',
      });
    }
    if (rule.target === 'pods' && !rule.topology) {
      this.fail({
        offset: rule.end,
        expected: ['"on node"', '"on zone"', '"on region"', '"on rack"'],
        found: describe(this.peek()),
        hint: 'a pods(…) rule needs a topology: on node, zone, region or rack',
      });
    }
    if (rule.target === 'nodes' && topology && rule.topology !== 'node') {
      this.fail({
        offset: topology.start,
        end: topology.end,
        reason: `nodes(…) selects nodes by their labels; "on ${rule.topology ?? ''}" does not apply`,
        hint: 'select by the node label instead, e.g. nodes(topology.kubernetes.io/zone=us-east-1a)',
      });
    }
    if (rule.target === 'nodes' && rule.rule === KarlRuleType.Repel && rule.selectors.length > 1) {
      this.fail({
        offset: rule.start,
        end: rule.end,
        reason:
          'REPEL nodes(…) takes one selector: Kubernetes cannot express a soft "avoid nodes matching all of these"',
        hint: 'write one REPEL rule per label, or use AVOID for a hard rule',
      });
    }
  }
}

/**
 * Parses KARL rules.
 * @param field where the text came from, for error messages (e.g. `--target-affinity`).
 * @returns the rules, in order; no rules for text that is empty or only comments.
 * @throws {@link KarlSyntaxError} on the first error, with its position and what was expected.
 */
export function parseKarl(text: string, field?: string): KarlProgram {
  return new Parser(text, field).program();
}

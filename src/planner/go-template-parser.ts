/**
 * Lexer and parser for the subset of Go's `text/template` that Forklift's naming templates use
 * (`pvcNameTemplate`, `volumeNameTemplate`, `networkNameTemplate`): text, `{{ pipeline }}` actions
 * with `|` pipes, parenthesised sub-pipelines, `{{if}} … {{else if}} … {{else}} … {{end}}`,
 * comments `{{/* … *\/}}` and the `{{-` / `-}}` trim markers. Variables (`$x`), `range`, `with`,
 * `define`, `template` and `block` are reported as unsupported, with their position.
 *
 * Every node carries its location (UTF-16 offsets into the template, `end` exclusive).
 *
 * @see https://pkg.go.dev/text/template (the syntax)
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/templateutil/templateutil.go
 */

/** Source location: offsets into the template text, `end` exclusive. */
export interface Loc {
  start: number;
  end: number;
}

/** `.A` or `.A.B`: a field of the template data (`names` = `['A', 'B']`). */
export interface FieldOperand extends Loc {
  type: 'Field';
  names: string[];
}
/** `.`: the template data itself. */
export interface DotOperand extends Loc {
  type: 'Dot';
}
/** A string constant (`"…"` with Go escapes, or a raw `` `…` ``). */
export interface StringOperand extends Loc {
  type: 'String';
  value: string;
}
/** A number constant; `isInt` when it is integral (Go lets `3.0` be an int). */
export interface NumberOperand extends Loc {
  type: 'Number';
  value: number;
  isInt: boolean;
  /** As written. */
  text: string;
}
/** `true` or `false`. */
export interface BoolOperand extends Loc {
  type: 'Bool';
  value: boolean;
}
/** `nil`. */
export interface NilOperand extends Loc {
  type: 'Nil';
}
/** A function name, e.g. `trunc`. */
export interface IdentifierOperand extends Loc {
  type: 'Identifier';
  name: string;
}
/** `( pipeline )`. */
export interface PipeOperand extends Loc {
  type: 'Pipe';
  pipe: Pipeline;
}

/** One operand of a command. */
export type Operand =
  | FieldOperand
  | DotOperand
  | StringOperand
  | NumberOperand
  | BoolOperand
  | NilOperand
  | IdentifierOperand
  | PipeOperand;

/** A command: a function and its arguments, or a single value. */
export interface Command extends Loc {
  args: Operand[];
}

/** Commands joined by `|`; each result is passed as the last argument of the next command. */
export interface Pipeline extends Loc {
  commands: Command[];
}

/** Literal text between actions (trim markers already applied). */
export interface TextNode extends Loc {
  type: 'Text';
  text: string;
}
/** `{{ pipeline }}`: prints the pipeline's value. */
export interface ActionNode extends Loc {
  type: 'Action';
  pipe: Pipeline;
}
/** `{{if p}} … {{else if q}} … {{else}} … {{end}}`. */
export interface IfNode extends Loc {
  type: 'If';
  branches: { cond: Pipeline; body: TemplateNode[] }[];
  otherwise?: TemplateNode[];
}

/** A node of a parsed template. */
export type TemplateNode = TextNode | ActionNode | IfNode;

/** A parsed template. */
export interface ParsedTemplate {
  text: string;
  nodes: TemplateNode[];
}

/** What went wrong, where; `code` classifies it. */
export interface TemplateIssue extends Loc {
  code: 'syntax' | 'unsupported';
  message: string;
}

/** The template text is not a template this engine can run. */
export class TemplateSyntaxError extends Error {
  readonly issue: TemplateIssue;
  constructor(issue: TemplateIssue) {
    super(issue.message);
    this.name = 'TemplateSyntaxError';
    this.issue = issue;
  }
}

type TokenKind =
  | 'field'
  | 'dot'
  | 'string'
  | 'number'
  | 'ident'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'variable'
  | 'assign'
  | 'other';

interface Token extends Loc {
  kind: TokenKind;
  text: string;
  /** Decoded value of a string token. */
  value?: string;
}

/** One `{{ … }}`: its tokens and the span including the delimiters. */
interface RawAction extends Loc {
  tokens: Token[];
  /** End of the content (before the right trim marker and `}}`). */
  innerEnd: number;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function fail(code: TemplateIssue['code'], message: string, start: number, end = start + 1): never {
  throw new TemplateSyntaxError({ code, message, start, end });
}

const simpleEscapes: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Decodes one Go escape at `text[i]` (just after the backslash); returns [value, next index]. */
function decodeEscape(text: string, i: number): [string, number] {
  const c = text[i];
  if (c !== undefined && c in simpleEscapes) return [simpleEscapes[c] ?? '', i + 1];
  const hex = (len: number): [string, number] => {
    const digits = text.slice(i + 1, i + 1 + len);
    if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(digits)) fail('syntax', 'invalid escape in string', i - 1);
    return [String.fromCodePoint(parseInt(digits, 16)), i + 1 + len];
  };
  if (c === 'x') return hex(2);
  if (c === 'u') return hex(4);
  if (c === 'U') return hex(8);
  if (c !== undefined && /[0-7]/.test(c)) {
    const digits = text.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(digits)) fail('syntax', 'invalid octal escape in string', i - 1);
    return [String.fromCharCode(parseInt(digits, 8)), i + 3];
  }
  return fail('syntax', `unknown escape sequence \\${c ?? ''} in string`, i - 1, i + 1);
}

function lexQuoted(text: string, start: number, limit: number): Token {
  let value = '';
  let i = start + 1;
  while (i < limit) {
    const c = text[i];
    if (c === '"') return { kind: 'string', text: text.slice(start, i + 1), value, start, end: i + 1 };
    if (c === '\n') break;
    if (c === '\\') {
      const [v, next] = decodeEscape(text, i + 1);
      value += v;
      i = next;
      continue;
    }
    value += c ?? '';
    i++;
  }
  return fail('syntax', 'unterminated quoted string', start, i);
}

function lexRaw(text: string, start: number, limit: number): Token {
  const close = text.indexOf('`', start + 1);
  if (close === -1 || close >= limit) fail('syntax', 'unterminated raw string', start, limit);
  const value = text.slice(start + 1, close).replace(/\r/g, '');
  return { kind: 'string', text: text.slice(start, close + 1), value, start, end: close + 1 };
}

const numberRe =
  /[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/y;
const identRe = /[A-Za-z_][A-Za-z0-9_]*/y;
const fieldRe = /(?:\.[A-Za-z_][A-Za-z0-9_]*)+/y;

function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

function lexOne(text: string, i: number, limit: number): Token {
  const c = text[i] ?? '';
  const single: Record<string, TokenKind> = { '|': 'pipe', '(': 'lparen', ')': 'rparen' };
  const kind = single[c];
  if (kind) return { kind, text: c, start: i, end: i + 1 };
  if (c === '"') return lexQuoted(text, i, limit);
  if (c === '`') return lexRaw(text, i, limit);
  if (c === "'") fail('unsupported', 'character constants are not supported; use a "string"', i);
  if (c === '$') {
    const name = matchAt(/\$[A-Za-z0-9_]*/y, text, i) ?? '$';
    return { kind: 'variable', text: name, start: i, end: i + name.length };
  }
  if (c === ':' && text[i + 1] === '=') return { kind: 'assign', text: ':=', start: i, end: i + 2 };
  if (c === '=') return { kind: 'assign', text: '=', start: i, end: i + 1 };
  const field = c === '.' ? matchAt(fieldRe, text, i) : undefined;
  if (field) return { kind: 'field', text: field, start: i, end: i + field.length };
  const num = matchAt(numberRe, text, i);
  if (num && (c !== '.' || /\d/.test(text[i + 1] ?? '')))
    return { kind: 'number', text: num, start: i, end: i + num.length };
  if (c === '.') return { kind: 'dot', text: '.', start: i, end: i + 1 };
  const ident = matchAt(identRe, text, i);
  if (ident) return { kind: 'ident', text: ident, start: i, end: i + ident.length };
  return { kind: 'other', text: c, start: i, end: i + 1 };
}

/** Lexes the inside of one action, from `from` up to the closing delimiter. */
function lexAction(text: string, from: number, open: number): RawAction {
  const tokens: Token[] = [];
  let i = from;
  for (;;) {
    while (isSpace(text[i])) {
      if (text.startsWith('-}}', i + 1)) return { tokens, start: open, innerEnd: i, end: i + 4 };
      i++;
    }
    if (text.startsWith('}}', i)) return { tokens, start: open, innerEnd: i, end: i + 2 };
    if (i >= text.length) fail('syntax', 'unclosed action: expected "}}"', open, text.length);
    const token = lexOne(text, i, text.length);
    tokens.push(token);
    i = token.end;
  }
}

/** Splits the template into text and raw actions, applying trim markers. */
function scan(text: string): (TextNode | RawAction)[] {
  const out: (TextNode | RawAction)[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= text.length) {
    const open = text.indexOf('{{', i);
    const textEnd = open === -1 ? text.length : open;
    let chunk = text.slice(i, textEnd);
    if (trimNext) chunk = chunk.replace(/^[ \t\r\n]+/, '');
    const leftTrim = open !== -1 && text[open + 2] === '-' && isSpace(text[open + 3]);
    if (leftTrim) chunk = chunk.replace(/[ \t\r\n]+$/, '');
    if (chunk) out.push({ type: 'Text', text: chunk, start: i, end: textEnd });
    if (open === -1) break;
    const contentStart = open + (leftTrim ? 3 : 2);
    const comment = scanComment(text, contentStart, open);
    const action = comment ?? lexAction(text, contentStart, open);
    if (!comment) out.push(action);
    trimNext = action.end - action.innerEnd === 4;
    i = action.end;
  }
  return out;
}

/** A `/* … *\/` comment action, or undefined when the action is not a comment. */
function scanComment(text: string, from: number, open: number): RawAction | undefined {
  let i = from;
  while (isSpace(text[i])) i++;
  if (!text.startsWith('/*', i)) return undefined;
  const close = text.indexOf('*/', i + 2);
  if (close === -1) fail('syntax', 'unclosed comment', i, text.length);
  let j = close + 2;
  if (isSpace(text[j]) && text.startsWith('-}}', j + 1))
    return { tokens: [], start: open, innerEnd: j, end: j + 4 };
  if (text.startsWith('}}', j)) return { tokens: [], start: open, innerEnd: j, end: j + 2 };
  while (isSpace(text[j])) j++;
  return fail('syntax', 'comment ends before closing delimiter', close, j + 1);
}

const unsupportedKeywords = new Set(['range', 'with', 'define', 'template', 'block', 'break', 'continue']);

/** Token cursor over one action's tokens. */
class Cursor {
  private i = 0;
  readonly tokens: Token[];
  readonly action: RawAction;
  constructor(tokens: Token[], action: RawAction) {
    this.tokens = tokens;
    this.action = action;
  }
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
  /** Position of the next token, or the end of the action content. */
  pos(): number {
    return this.peek()?.start ?? this.action.innerEnd;
  }
}

function parseNumber(tok: Token): NumberOperand {
  const clean = tok.text.replace(/_/g, '');
  const sign = clean.startsWith('-') ? -1 : 1;
  const body = clean.replace(/^[+-]/, '');
  let value: number;
  if (/^0[xX]/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) value = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) value = parseInt(body.slice(2), 8);
  else if (/^0\d+$/.test(body)) value = parseInt(body, 8);
  else value = Number(body);
  value *= sign;
  if (!Number.isFinite(value)) fail('syntax', `number out of range: ${tok.text}`, tok.start, tok.end);
  return {
    type: 'Number',
    value,
    isInt: Number.isInteger(value),
    text: tok.text,
    start: tok.start,
    end: tok.end,
  };
}

function parseOperand(cur: Cursor): Operand | undefined {
  const tok = cur.peek();
  if (!tok || tok.kind === 'pipe' || tok.kind === 'rparen') return undefined;
  cur.next();
  const at = { start: tok.start, end: tok.end };
  switch (tok.kind) {
    case 'field':
      return { type: 'Field', names: tok.text.slice(1).split('.'), ...at };
    case 'dot':
      return { type: 'Dot', ...at };
    case 'string':
      return { type: 'String', value: tok.value ?? '', ...at };
    case 'number':
      return parseNumber(tok);
    case 'lparen': {
      const pipe = parsePipeline(cur);
      const close = cur.next();
      if (close?.kind !== 'rparen') fail('syntax', 'expected ")" to close "("', close?.start ?? cur.pos());
      return { type: 'Pipe', pipe, start: tok.start, end: close.end };
    }
    case 'ident':
      if (tok.text === 'true' || tok.text === 'false')
        return { type: 'Bool', value: tok.text === 'true', ...at };
      if (tok.text === 'nil') return { type: 'Nil', ...at };
      return { type: 'Identifier', name: tok.text, ...at };
    case 'variable':
      return fail(
        'unsupported',
        `variables (${tok.text}) are not supported in name templates`,
        tok.start,
        tok.end,
      );
    case 'assign':
      return fail(
        'unsupported',
        'variable assignment is not supported in name templates',
        tok.start,
        tok.end,
      );
    default:
      return fail('syntax', `unexpected "${tok.text}" in action`, tok.start, tok.end);
  }
}

function parseCommand(cur: Cursor): Command {
  const args: Operand[] = [];
  const start = cur.pos();
  for (let op = parseOperand(cur); op; op = parseOperand(cur)) args.push(op);
  if (args.length === 0) fail('syntax', 'missing value for command', start);
  const last = args[args.length - 1];
  return { args, start, end: last?.end ?? start };
}

function parsePipeline(cur: Cursor): Pipeline {
  const start = cur.pos();
  const commands = [parseCommand(cur)];
  while (cur.peek()?.kind === 'pipe') {
    cur.next();
    commands.push(parseCommand(cur));
  }
  const last = commands[commands.length - 1];
  return { commands, start, end: last?.end ?? start };
}

/** Parses a whole action as a pipeline, failing on leftovers. */
function parseActionPipeline(cur: Cursor, what: string): Pipeline {
  if (!cur.peek()) fail('syntax', `missing value for ${what}`, cur.pos());
  const pipe = parsePipeline(cur);
  const extra = cur.peek();
  if (extra) fail('syntax', `unexpected "${extra.text}" in ${what}`, extra.start, extra.end);
  return pipe;
}

interface Frame {
  node: IfNode;
  /** Where new nodes go: the current branch body or `otherwise`. */
  body: TemplateNode[];
  elseSeen: boolean;
}

/** Handles `if`/`else`/`end`; returns true when the action was a control action. */
function control(raw: RawAction, cur: Cursor, stack: Frame[], push: (n: TemplateNode) => void): boolean {
  const first = cur.peek();
  if (first?.kind !== 'ident') return false;
  const word = first.text;
  if (unsupportedKeywords.has(word))
    fail('unsupported', `{{${word}}} is not supported in name templates`, first.start, first.end);
  if (word === 'if') {
    cur.next();
    const cond = parseActionPipeline(cur, 'if');
    const node: IfNode = { type: 'If', branches: [{ cond, body: [] }], start: raw.start, end: raw.end };
    push(node);
    stack.push({ node, body: node.branches[0]?.body ?? [], elseSeen: false });
    return true;
  }
  if (word === 'else') return elseAction(cur, stack, first);
  if (word === 'end') {
    cur.next();
    const extra = cur.peek();
    if (extra) fail('syntax', `unexpected "${extra.text}" in end`, extra.start, extra.end);
    const frame = stack.pop();
    if (!frame) fail('syntax', 'unexpected {{end}}', raw.start, raw.end);
    frame.node.end = raw.end;
    return true;
  }
  return false;
}

function elseAction(cur: Cursor, stack: Frame[], first: Token): true {
  cur.next();
  const frame = stack[stack.length - 1];
  if (!frame) fail('syntax', 'unexpected {{else}}', first.start, first.end);
  if (frame.elseSeen) fail('syntax', 'expected {{end}} after {{else}}', first.start, first.end);
  const next = cur.peek();
  if (next?.kind === 'ident' && next.text === 'if') {
    cur.next();
    const cond = parseActionPipeline(cur, 'else if');
    const body: TemplateNode[] = [];
    frame.node.branches.push({ cond, body });
    frame.body = body;
    return true;
  }
  if (next) fail('syntax', `unexpected "${next.text}" in else`, next.start, next.end);
  frame.elseSeen = true;
  frame.node.otherwise = [];
  frame.body = frame.node.otherwise;
  return true;
}

/**
 * Parses a template.
 * @throws {@link TemplateSyntaxError} on the first syntax error, with its location.
 */
export function parseTemplate(text: string): ParsedTemplate {
  const nodes: TemplateNode[] = [];
  const stack: Frame[] = [];
  const push = (n: TemplateNode): void => {
    (stack[stack.length - 1]?.body ?? nodes).push(n);
  };
  for (const item of scan(text)) {
    if ('type' in item) {
      push(item);
      continue;
    }
    const cur = new Cursor(item.tokens, item);
    if (item.tokens.length === 0) fail('syntax', 'missing value for command', item.start, item.end);
    if (control(item, cur, stack, push)) continue;
    const pipe = parseActionPipeline(cur, 'command');
    push({ type: 'Action', pipe, start: item.start, end: item.end });
  }
  const open = stack[stack.length - 1];
  if (open)
    fail('syntax', 'unexpected end of template: {{if}} has no {{end}}', open.node.start, open.node.start + 2);
  return { text, nodes };
}

/**
 * kubectl's JSONPath templates (`-o jsonpath=…`, `-o custom-columns=…`): text with `{…}`
 * actions: an expression (`{.items[*].metadata.name}`, filters such as
 * `[?(@.type=="Ready")]`), a quoted literal (`{"\n"}`), or `{range EXPR}…{end}` loops whose body
 * is evaluated against each element. Expressions are evaluated by jsonpath-plus; this module parses
 * the template around them.
 *
 * @see https://kubernetes.io/docs/reference/kubectl/jsonpath/
 */
import { JSONPath } from 'jsonpath-plus';
import { UsageError } from '../../api/index.js';

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; expr: string }
  | { kind: 'range'; expr: string; body: Node[] };

function fail(template: string, message: string): never {
  throw new UsageError({
    field: '--output jsonpath',
    message,
    value: template,
    hint: "see https://kubernetes.io/docs/reference/kubectl/jsonpath/ ; e.g. -o jsonpath='{.items[*].metadata.name}'",
  });
}

/** Splits a template into text and `{…}` actions, respecting quotes inside actions. */
function tokenize(template: string): ({ text: string } | { action: string })[] {
  const out: ({ text: string } | { action: string })[] = [];
  let i = 0;
  let text = '';
  while (i < template.length) {
    const ch = template.charAt(i);
    if (ch !== '{') {
      text += ch;
      i++;
      continue;
    }
    if (text) out.push({ text });
    text = '';
    let j = i + 1;
    let quote = '';
    let depth = 0;
    for (; j < template.length; j++) {
      const c = template.charAt(j);
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (c === '}' && depth <= 0) break;
    }
    if (j >= template.length) fail(template, `unclosed action starting at position ${i + 1}`);
    out.push({ action: template.slice(i + 1, j).trim() });
    i = j + 1;
  }
  if (text) out.push({ text });
  return out;
}

function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  return body.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function parse(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  for (const tok of tokenize(template)) {
    const top = stack[stack.length - 1] ?? root;
    if ('text' in tok) top.push({ kind: 'text', text: tok.text });
    else if (/^range\s/.test(tok.action)) {
      const node: Node = { kind: 'range', expr: tok.action.slice(5).trim(), body: [] };
      top.push(node);
      stack.push(node.body);
    } else if (tok.action === 'end') {
      if (stack.length === 1) fail(template, '{end} without {range}');
      stack.pop();
    } else if (/^(".*"|'.*')$/s.test(tok.action)) top.push({ kind: 'text', text: unquote(tok.action) });
    else if (tok.action === '') fail(template, 'empty action {}');
    else top.push({ kind: 'expr', expr: tok.action });
  }
  if (stack.length > 1) fail(template, '{range} without {end}');
  return root;
}

/** Converts a kubectl expression to a jsonpath-plus path evaluated against the current node. */
function toPath(expr: string): string {
  if (expr.startsWith('$')) return expr;
  if (expr.startsWith('@')) return `$${expr.slice(1)}`;
  if (expr.startsWith('.') || expr.startsWith('[')) return `$${expr}`;
  return `$.${expr}`;
}

/** Evaluates one expression; an invalid expression is a usage error naming it. */
export function evaluate(expr: string, json: unknown, template = expr): unknown[] {
  try {
    return JSONPath<unknown[]>({ path: toPath(expr), json: json as object, wrap: true, eval: 'safe' });
  } catch (e: unknown) {
    return fail(template, `cannot evaluate "${expr}": ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Prints one value the way kubectl does: strings raw, everything else as JSON. */
export function formatValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function run(nodes: Node[], current: unknown, root: unknown, template: string): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'expr') {
      const values = evaluate(n.expr, n.expr.startsWith('$') ? root : current, template);
      out += values.map(formatValue).join(' ');
    } else {
      const values = evaluate(n.expr, n.expr.startsWith('$') ? root : current, template);
      const items = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
      for (const item of items) out += run(n.body, item, root, template);
    }
  }
  return out;
}

/**
 * Renders a kubectl JSONPath template against `json`.
 * @throws UsageError for a malformed template, naming the position or expression.
 */
export function renderJsonPath(template: string, json: unknown): string {
  return run(parse(template), json, json, template);
}

/** Checks a template's syntax without evaluating it. @throws UsageError */
export function checkJsonPath(template: string): void {
  parse(template);
}

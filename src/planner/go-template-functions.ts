/**
 * The functions a Forklift naming template may call: Go's built-ins that make sense for names and
 * the curated sprig functions of Forklift's `templateutil` (string and math), with Go's argument
 * checking (`wrong type for value; expected string; got int`) and sprig's semantics (byte-based
 * `trunc` and `substr`, `cast.ToInt64` for math arguments).
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/templateutil/README.md
 * @see https://masterminds.github.io/sprig/
 * @see https://pkg.go.dev/text/template#hdr-Functions
 */
import {
  formatV,
  goSprint,
  goSprintf,
  goSprintln,
  goTypeName,
  truthy,
  type GoValue,
} from './go-template-values.js';

/** Kinds of parameters: Go-typed (`string`, `int`) or `interface{}` (`any`). */
export type ParamKind = 'string' | 'int' | 'any';

/** A function callable from a template. */
export interface GoFunction {
  /** Fixed parameters. */
  params: readonly ParamKind[];
  /** Kind of the trailing variadic parameters, when the function is variadic. */
  variadic?: ParamKind;
  /** Runs the function on checked arguments; throws {@link FunctionError}. */
  call: (args: readonly GoValue[]) => GoValue;
}

/** A function failed (Go returns an error or panics): the message names the cause. */
export class FunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FunctionError';
  }
}

const str = (value: string): GoValue => ({ kind: 'string', value });
const int = (value: number): GoValue => ({ kind: 'int', value: Math.trunc(value) });
const float = (value: number): GoValue => ({ kind: 'float', value });
const bool = (value: boolean): GoValue => ({ kind: 'bool', value });

/** The string of a checked `string` argument. */
function s(v: GoValue | undefined): string {
  return v?.kind === 'string' ? v.value : '';
}
/** The number of a checked `int` argument. */
function n(v: GoValue | undefined): number {
  return v?.kind === 'int' ? v.value : 0;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const bytes = (x: string): Uint8Array => utf8.encode(x);

/** `cast.ToInt64`: numbers truncate, numeric strings parse (base prefixes allowed), others are 0. */
export function toInt64(v: GoValue | undefined): number {
  if (!v) return 0;
  switch (v.kind) {
    case 'int':
    case 'float':
      return Math.trunc(v.value);
    case 'bool':
      return v.value ? 1 : 0;
    case 'nil':
      return 0;
    case 'string': {
      const t = v.value.replace(/\.0*$/, '');
      const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|\d+)$/.exec(t);
      if (!m) return 0;
      const body = m[2] ?? '0';
      const sign = m[1] === '-' ? -1 : 1;
      if (/^0[xX]/.test(body)) return sign * parseInt(body.slice(2), 16);
      if (/^0[bB]/.test(body)) return sign * parseInt(body.slice(2), 2);
      if (/^0[oO]/.test(body)) return sign * parseInt(body.slice(2), 8);
      if (/^0\d/.test(body)) return sign * parseInt(body, 8);
      return sign * parseInt(body, 10);
    }
  }
}

/** `cast.ToFloat64`. */
export function toFloat64(v: GoValue | undefined): number {
  if (!v) return 0;
  if (v.kind === 'int' || v.kind === 'float') return v.value;
  if (v.kind === 'bool') return v.value ? 1 : 0;
  if (v.kind === 'string') {
    const x = Number(v.value.trim());
    return v.value.trim() !== '' && Number.isFinite(x) ? x : 0;
  }
  return 0;
}

/** sprig `trunc`: the first `c` bytes, or the last `-c` bytes when `c` is negative. */
function trunc(c: number, x: string): string {
  const b = bytes(x);
  if (c < 0 && b.length + c > 0) return fromUtf8.decode(b.slice(b.length + c));
  if (c >= 0 && b.length > c) return fromUtf8.decode(b.slice(0, c));
  return x;
}

/** sprig `substr`: bytes `start` to `end`; Go panics on bounds it cannot slice. */
function substr(start: number, end: number, x: string): string {
  const b = bytes(x);
  const slice = (from: number, to: number): string => {
    if (from < 0 || to > b.length || from > to) {
      throw new FunctionError(`runtime error: slice bounds out of range [${from}:${to}]`);
    }
    return fromUtf8.decode(b.slice(from, to));
  };
  if (start < 0) return slice(0, end);
  if (end < 0 || end > b.length) return slice(start, b.length);
  return slice(start, end);
}

const isWordChar = (c: string): boolean => /[\p{L}\p{N}_']/u.test(c);

/** Go's (deprecated) `strings.Title`, which sprig's `title` calls. */
function title(x: string): string {
  let prev = ' ';
  let out = '';
  for (const c of x) {
    out += isWordChar(prev) ? c : c.toUpperCase();
    prev = c;
  }
  return out;
}

/** sprig `untitle`: lowercases the first letter of each space-separated word. */
function untitle(x: string): string {
  let prev = ' ';
  let out = '';
  for (const c of x) {
    out += /\s/u.test(prev) ? c.toLowerCase() : c;
    prev = c;
  }
  return out;
}

/** sprig `initials`: the first letter of each space-separated word. */
function initials(x: string): string {
  return x
    .split(/\s+/u)
    .filter((w) => w !== '')
    .map((w) => Array.from(w)[0] ?? '')
    .join('');
}

/** Go's `regexp.ReplaceAllString` template: `$1`, `${1}`, `${name}`, `$$`. */
function expandGoReplacement(
  template: string,
  groups: readonly (string | undefined)[],
  named: Record<string, string | undefined>,
): string {
  return template.replace(
    /\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
    (_m, all: string, braced?: string, bare?: string) => {
      if (all === '$') return '$';
      const name = braced ?? bare ?? '';
      if (/^\d+$/.test(name)) return groups[Number(name)] ?? '';
      return named[name] ?? '';
    },
  );
}

function regexReplaceAll(regex: string, x: string, repl: string): string {
  let re: RegExp;
  try {
    re = new RegExp(regex.replace(/\(\?P</g, '(?<'), 'gu');
  } catch (e: unknown) {
    throw new FunctionError(`error parsing regexp: ${e instanceof Error ? e.message : String(e)}`);
  }
  const groupCount = (new RegExp(`${re.source}|`, 'u').exec('')?.length ?? 1) - 1;
  return x.replace(re, (...m: unknown[]) => {
    const last = m[m.length - 1];
    const named =
      typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : {};
    const groups = m.slice(0, groupCount + 1) as (string | undefined)[];
    return expandGoReplacement(repl, groups, named);
  });
}

function compareBasic(name: string, a: GoValue, b: GoValue): number {
  const numeric = (v: GoValue): boolean => v.kind === 'int' || v.kind === 'float';
  if (a.kind !== b.kind) throw new FunctionError('incompatible types for comparison');
  if (a.kind === 'string' && b.kind === 'string') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (numeric(a) && numeric(b)) return toFloat64(a) - toFloat64(b);
  if (name === 'eq' || name === 'ne') return formatV(a) === formatV(b) ? 0 : 1;
  throw new FunctionError('invalid type for comparison');
}

function eq(args: readonly GoValue[]): GoValue {
  const [first, ...rest] = args;
  if (!first) throw new FunctionError('missing argument for comparison');
  if (first.kind === 'nil' || rest.some((r) => r.kind === 'nil')) {
    return bool(rest.some((r) => r.kind === first.kind));
  }
  return bool(rest.some((r) => compareBasic('eq', first, r) === 0));
}

const cmp =
  (name: string, test: (c: number) => boolean) =>
  (args: readonly GoValue[]): GoValue => {
    const [a, b] = args;
    if (!a || !b) throw new FunctionError('missing argument for comparison');
    return bool(test(compareBasic(name, a, b)));
  };

function checkedDiv(name: string, a: number, b: number): number {
  if (b === 0) throw new FunctionError('runtime error: integer divide by zero');
  return name === 'div' ? Math.trunc(a / b) : a % b;
}

/** sprig `round`: rounds to `p` decimals, up from `roundOn` (default .5). */
function round(a: number, p: number, roundOn = 0.5): number {
  const pow = 10 ** p;
  const digit = pow * a;
  const frac = digit - Math.trunc(digit);
  return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

const stringFunctions: Record<string, GoFunction> = {
  lower: { params: ['string'], call: ([a]) => str(s(a).toLowerCase()) },
  upper: { params: ['string'], call: ([a]) => str(s(a).toUpperCase()) },
  title: { params: ['string'], call: ([a]) => str(title(s(a))) },
  untitle: { params: ['string'], call: ([a]) => str(untitle(s(a))) },
  trim: { params: ['string'], call: ([a]) => str(s(a).trim()) },
  nospace: { params: ['string'], call: ([a]) => str(s(a).replace(/\s/gu, '')) },
  initials: { params: ['string'], call: ([a]) => str(initials(s(a))) },
  contains: { params: ['string', 'string'], call: ([sub, a]) => bool(s(a).includes(s(sub))) },
  hasPrefix: { params: ['string', 'string'], call: ([p, a]) => bool(s(a).startsWith(s(p))) },
  hasSuffix: { params: ['string', 'string'], call: ([p, a]) => bool(s(a).endsWith(s(p))) },
  replace: {
    params: ['string', 'string', 'string'],
    call: ([o, nw, a]) => str(s(a).split(s(o)).join(s(nw))),
  },
  trimAll: {
    params: ['string', 'string'],
    call: ([cut, a]) => {
      const set = new Set(Array.from(s(cut)));
      const chars = Array.from(s(a));
      let i = 0;
      let j = chars.length;
      while (i < j && set.has(chars[i] ?? '')) i++;
      while (j > i && set.has(chars[j - 1] ?? '')) j--;
      return str(chars.slice(i, j).join(''));
    },
  },
  trimSuffix: {
    params: ['string', 'string'],
    call: ([x, a]) => str(s(a).endsWith(s(x)) ? s(a).slice(0, s(a).length - s(x).length) : s(a)),
  },
  trimPrefix: {
    params: ['string', 'string'],
    call: ([x, a]) => str(s(a).startsWith(s(x)) ? s(a).slice(s(x).length) : s(a)),
  },
  repeat: {
    params: ['int', 'string'],
    call: ([c, a]) => {
      if (n(c) < 0) throw new FunctionError('strings: negative Repeat count');
      return str(s(a).repeat(n(c)));
    },
  },
  substr: { params: ['int', 'int', 'string'], call: ([a, b, x]) => str(substr(n(a), n(b), s(x))) },
  trunc: { params: ['int', 'string'], call: ([c, a]) => str(trunc(n(c), s(a))) },
  mustRegexReplaceAll: {
    params: ['string', 'string', 'string'],
    call: ([re, a, r]) => str(regexReplaceAll(s(re), s(a), s(r))),
  },
};

const mathFunctions: Record<string, GoFunction> = {
  add: { params: [], variadic: 'any', call: (a) => int(a.reduce((sum, v) => sum + toInt64(v), 0)) },
  add1: { params: ['any'], call: ([a]) => int(toInt64(a) + 1) },
  sub: { params: ['any', 'any'], call: ([a, b]) => int(toInt64(a) - toInt64(b)) },
  div: { params: ['any', 'any'], call: ([a, b]) => int(checkedDiv('div', toInt64(a), toInt64(b))) },
  mod: { params: ['any', 'any'], call: ([a, b]) => int(checkedDiv('mod', toInt64(a), toInt64(b))) },
  mul: { params: ['any'], variadic: 'any', call: (a) => int(a.reduce((p, v) => p * toInt64(v), 1)) },
  max: { params: ['any'], variadic: 'any', call: (a) => int(Math.max(...a.map(toInt64))) },
  min: { params: ['any'], variadic: 'any', call: (a) => int(Math.min(...a.map(toInt64))) },
  floor: { params: ['any'], call: ([a]) => float(Math.floor(toFloat64(a))) },
  ceil: { params: ['any'], call: ([a]) => float(Math.ceil(toFloat64(a))) },
  round: {
    params: ['any', 'int'],
    variadic: 'any',
    call: ([a, p, on]) => float(round(toFloat64(a), n(p), on === undefined ? 0.5 : toFloat64(on))),
  },
};

const builtinFunctions: Record<string, GoFunction> = {
  eq: { params: ['any'], variadic: 'any', call: eq },
  ne: { params: ['any', 'any'], call: cmp('ne', (c) => c !== 0) },
  lt: { params: ['any', 'any'], call: cmp('lt', (c) => c < 0) },
  le: { params: ['any', 'any'], call: cmp('le', (c) => c <= 0) },
  gt: { params: ['any', 'any'], call: cmp('gt', (c) => c > 0) },
  ge: { params: ['any', 'any'], call: cmp('ge', (c) => c >= 0) },
  not: { params: ['any'], call: ([a]) => bool(!truthy(a ?? { kind: 'nil' })) },
  len: {
    params: ['any'],
    call: ([a]) => {
      if (a?.kind !== 'string') throw new FunctionError(`len of type ${a ? goTypeName(a) : '<nil>'}`);
      return int(bytes(a.value).length);
    },
  },
  print: { params: [], variadic: 'any', call: (a) => str(goSprint(a)) },
  println: { params: [], variadic: 'any', call: (a) => str(goSprintln(a)) },
  printf: { params: ['string'], variadic: 'any', call: ([f, ...rest]) => str(goSprintf(s(f), rest)) },
  // `and` and `or` short-circuit; the executor evaluates them lazily and never calls these.
  and: {
    params: ['any'],
    variadic: 'any',
    call: (a) => a.find((v) => !truthy(v)) ?? a[a.length - 1] ?? { kind: 'nil' },
  },
  or: {
    params: ['any'],
    variadic: 'any',
    call: (a) => a.find((v) => truthy(v)) ?? a[a.length - 1] ?? { kind: 'nil' },
  },
};

/** Every function a naming template may call, by name. */
export const templateFunctions: Readonly<Record<string, GoFunction>> = {
  ...builtinFunctions,
  ...stringFunctions,
  ...mathFunctions,
};

/** Go built-ins that exist but make no sense for names; reported as unsupported, not unknown. */
export const unsupportedFunctions: ReadonlySet<string> = new Set([
  'index',
  'slice',
  'html',
  'js',
  'urlquery',
  'call',
]);

/**
 * Checks arguments against a function's parameters as Go's template engine does.
 * @returns an error message, or undefined when the call is well-typed.
 */
export function checkArguments(name: string, fn: GoFunction, args: readonly GoValue[]): string | undefined {
  const fixed = fn.params.length;
  const count = args.length;
  if (fn.variadic ? count < fixed : count !== fixed) {
    return `wrong number of args for ${name}: want ${fn.variadic ? 'at least ' : ''}${fixed} got ${count}`;
  }
  for (let i = 0; i < count; i++) {
    const want = i < fixed ? fn.params[i] : fn.variadic;
    const got = args[i];
    if (!got || want === undefined || want === 'any') continue;
    if (got.kind !== want) return `wrong type for value; expected ${want}; got ${goTypeName(got)}`;
  }
  return undefined;
}

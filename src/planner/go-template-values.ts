/**
 * Values of the Go-template engine and how Go's `fmt` prints them: a value keeps its Go kind
 * (`int` and `float64` print differently: `3` and `3`, but `1e+06` for a float million), and
 * `printf` follows `fmt`'s verbs, flags and error markers (`%!d(string=x)`).
 *
 * @see https://pkg.go.dev/fmt
 */

/** A template value with its Go kind. */
export type GoValue =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' };

/** Template data: flat fields, as Forklift's template data structs have. */
export type TemplateVars = Readonly<Record<string, string | number | boolean>>;

/** Wraps a JavaScript value: integral numbers are Go `int`, others `float64`. */
export function goValue(v: string | number | boolean): GoValue {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
}

/** Go's name of a value's type, as `fmt` error markers show it. */
export function goTypeName(v: GoValue): string {
  return { string: 'string', int: 'int', float: 'float64', bool: 'bool', nil: '<nil>' }[v.kind];
}

/** Go's truth: false, 0, nil and "" are false. */
export function truthy(v: GoValue): boolean {
  switch (v.kind) {
    case 'string':
      return v.value !== '';
    case 'int':
    case 'float':
      return v.value !== 0;
    case 'bool':
      return v.value;
    case 'nil':
      return false;
  }
}

/**
 * `strconv.FormatFloat(v, 'g', -1, 64)`, what `%v` prints for a float64: the shortest digits that
 * round-trip, in exponent form (`1e+06`, `1e-05`) when the exponent is below -4 or at least 6.
 */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant = '0', exp = '0'] = Math.abs(v).toExponential().split('e');
  return (v < 0 ? '-' : '') + layoutFloat(mant.replace('.', ''), Number(exp), 6);
}

/** Places significant `digits` (first digit × 10^exp) in fixed or Go exponent form (`e+06`). */
function layoutFloat(digits: string, exp: number, eprec: number): string {
  if (exp < -4 || exp >= eprec) {
    const rest = digits.slice(1);
    const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return `${digits[0] ?? '0'}${rest ? `.${rest}` : ''}e${e}`;
  }
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${intPart}${frac ? `.${frac}` : ''}`;
}

/** `fmt.Sprint` of one value (`%v`); nil prints `<nil>`. */
export function formatV(v: GoValue): string {
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'int':
      return String(v.value);
    case 'float':
      return formatGoFloat(v.value);
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'nil':
      return '<nil>';
  }
}

/** What a template action prints for a value: like `%v`, but nil is `<no value>`. */
export function printValue(v: GoValue): string {
  return v.kind === 'nil' ? '<no value>' : formatV(v);
}

/** `fmt.Sprint`: spaces between operands when neither is a string. */
export function goSprint(args: readonly GoValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    const prev = args[i - 1];
    if (prev && prev.kind !== 'string' && a.kind !== 'string') out += ' ';
    out += formatV(a);
  });
  return out;
}

/** `fmt.Sprintln`: spaces between all operands, then a newline. */
export function goSprintln(args: readonly GoValue[]): string {
  return `${args.map(formatV).join(' ')}\n`;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  zero: boolean;
  space: boolean;
  sharp: boolean;
  width?: number;
  prec?: number;
  verb: string;
}

const specRe = /%([-+# 0]*)(\d+)?(?:\.(\d*))?(.)?/y;

function pad(s: string, spec: Spec, numeric: boolean): string {
  const width = spec.width ?? 0;
  if (s.length >= width) return s;
  if (spec.minus) return s.padEnd(width, ' ');
  if (spec.zero && numeric) {
    const signed = /^[+\- ]/.test(s) ? 1 : 0;
    return s.slice(0, signed) + s.slice(signed).padStart(width - signed, '0');
  }
  return s.padStart(width, ' ');
}

function bad(spec: Spec, v: GoValue): string {
  return `%!${spec.verb}(${goTypeName(v)}=${formatV(v)})`;
}

function signed(n: number, body: string, spec: Spec): string {
  if (n < 0) return `-${body}`;
  if (spec.plus) return `+${body}`;
  return spec.space ? ` ${body}` : body;
}

function formatInt(v: number, spec: Spec): string {
  const abs = Math.abs(v);
  const radix: Record<string, number> = { d: 10, x: 16, X: 16, o: 8, b: 2 };
  let body = abs.toString(radix[spec.verb] ?? 10);
  if (spec.verb === 'X') body = body.toUpperCase();
  if (spec.sharp && (spec.verb === 'x' || spec.verb === 'X')) body = `0${spec.verb}${body}`;
  if (spec.prec !== undefined) body = body.padStart(spec.prec, '0');
  return signed(v, body, spec);
}

function formatFloat(v: number, spec: Spec): string {
  const abs = Math.abs(v);
  const prec = spec.prec ?? 6;
  let body: string;
  if (spec.verb === 'f' || spec.verb === 'F') body = abs.toFixed(prec);
  else if (spec.verb === 'e' || spec.verb === 'E') {
    const [m = '', e = '0'] = abs.toExponential(prec).split('e');
    const n = Number(e);
    body = `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
    if (spec.verb === 'E') body = body.toUpperCase();
  } else body = spec.prec === undefined ? formatGoFloat(abs) : formatG(abs, Math.max(spec.prec, 1));
  if (spec.verb === 'G') body = body.toUpperCase();
  return signed(v < 0 || Object.is(v, -0) ? -1 : 1, body, spec);
}

/** `%.Ng`: N significant digits, trailing zeros dropped, exponent form when exp < -4 or exp >= N. */
function formatG(abs: number, prec: number): string {
  const [m = '0', e = '0'] = abs.toExponential(prec - 1).split('e');
  return layoutFloat(m.replace('.', '').replace(/0+$/, '') || '0', Number(e), prec);
}

function quote(s: string): string {
  return JSON.stringify(s).replace(/\\u007f/g, '\\x7f');
}

function formatOne(spec: Spec, v: GoValue): string {
  const verb = spec.verb;
  if (verb === 'v') return pad(formatV(v), spec, v.kind === 'int' || v.kind === 'float');
  if (v.kind === 'int' && 'dxXob'.includes(verb)) return pad(formatInt(v.value, spec), spec, true);
  if (v.kind === 'int' && verb === 'c') return pad(String.fromCodePoint(v.value), spec, false);
  if (v.kind === 'float' && 'fFeEgG'.includes(verb)) return pad(formatFloat(v.value, spec), spec, true);
  if (v.kind === 'string') {
    const s = spec.prec === undefined ? v.value : Array.from(v.value).slice(0, spec.prec).join('');
    if (verb === 's') return pad(s, spec, false);
    if (verb === 'q') return pad(quote(s), spec, false);
    if (verb === 'x' || verb === 'X') {
      const hex = [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, '0')).join('');
      return pad(verb === 'X' ? hex.toUpperCase() : hex, spec, false);
    }
  }
  if (v.kind === 'bool' && verb === 't') return pad(v.value ? 'true' : 'false', spec, false);
  return bad(spec, v);
}

/** `fmt.Sprintf` for the verbs names use: v d s q t x X o b c f F e E g G and `%%`. */
export function goSprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct === -1) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    specRe.lastIndex = pct;
    const m = specRe.exec(format);
    const flags = m?.[1] ?? '';
    const verb = m?.[4];
    i = specRe.lastIndex;
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    const spec: Spec = {
      minus: flags.includes('-'),
      plus: flags.includes('+'),
      zero: flags.includes('0') && !flags.includes('-'),
      space: flags.includes(' '),
      sharp: flags.includes('#'),
      ...(m?.[2] !== undefined ? { width: Number(m[2]) } : {}),
      ...(m?.[3] !== undefined ? { prec: Number(m[3] || '0') } : {}),
      verb,
    };
    const arg = args[argi++];
    out += arg === undefined ? `%!${verb}(MISSING)` : formatOne(spec, arg);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => `${goTypeName(a)}=${formatV(a)}`)
      .join(', ')})`;
  }
  return out;
}

/**
 * The value model of the evaluator: what a field or literal is at run time, how two values compare
 * in a condition (three-valued, like SQL) and how they sort.
 *
 * Rules:
 * - `undefined`, `null` and `NaN` are all null. A comparison with a null operand is UNKNOWN (null).
 * - Same-type comparisons: numbers numerically, strings by Unicode code point (the same order as
 *   SQLite's BINARY collation on UTF-8), booleans with `false < true`.
 * - Different types: `=` is false and `!=` true; `<`, `>` … are UNKNOWN. A numeric string is a
 *   string: `'8192' = 8192` is false.
 * - A time literal (`2024-05-01`, `2024-05-01T10:00:00Z`) compares with a JS `Date` or a string
 *   holding an ISO 8601 date/time (no zone means UTC); a date-only literal stands for that whole
 *   UTC day, so `created = 2024-05-01` holds all day and `created <= 2024-05-01` includes it.
 */

/** A time literal's value: an instant, or (date-only) the UTC day `[ms, end)`. */
export class TimeValue {
  /** Instant, or start of the day, in ms since the epoch. */
  readonly ms: number;
  /** End of the day (exclusive) for a date-only value; undefined for an instant. */
  readonly dayEnd: number | undefined;

  constructor(ms: number, dayEnd?: number) {
    this.ms = ms;
    this.dayEnd = dayEnd;
  }

  /** ISO 8601 text: `2024-05-01` for a day, `2024-05-01T10:00:00.000Z` for an instant. */
  toJSON(): string {
    const iso = new Date(this.ms).toISOString();
    return this.dayEnd === undefined ? iso : iso.slice(0, 10);
  }
}

/** The kinds of run-time value. */
export type ValueKind = 'null' | 'boolean' | 'number' | 'string' | 'time' | 'array' | 'object';

/** The kind of a run-time value (a JS `Date` is a time; `NaN` is null). */
export function kindOf(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isNaN(v) ? 'null' : 'number';
    case 'string':
      return 'string';
    default:
      if (v instanceof TimeValue || v instanceof Date) return 'time';
      return Array.isArray(v) ? 'array' : 'object';
  }
}

/** True for null, undefined and NaN. */
export function isNull(v: unknown): v is null | undefined {
  return kindOf(v) === 'null';
}

/** Three-valued truth of a value: a boolean is itself, anything else is UNKNOWN (null). */
export function truth(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

/** Compares strings by Unicode code point (= UTF-8 byte order = SQLite BINARY); -1, 0 or 1. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && x <= 0xdfff) x += 0x10000;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x10000;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Milliseconds since the epoch of a UTC date and time (years 0–99 are not shifted to 19xx). */
export function utcMs(year: number, month: number, day: number, h = 0, m = 0, sec = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  t.setUTCHours(h, m, sec, ms);
  return t.getTime();
}

/** Number of days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month, 0);
  return t.getUTCDate();
}

const isoTime =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/** Milliseconds of a time-like value: a `TimeValue`, a `Date`, or an ISO 8601 string; else undefined. */
export function timeOf(v: unknown): number | undefined {
  if (v instanceof TimeValue) return v.ms;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v !== 'string') return undefined;
  const m = isoTime.exec(v.trim());
  if (!m) return undefined;
  const n = (i: number): number => Number(m[i] ?? '0');
  const offset = (m[9] === '-' ? -1 : 1) * (n(10) * 60 + n(11));
  const fraction = m[7] ? Number(`${m[7].slice(1)}00`.slice(0, 3)) : 0;
  const ms = utcMs(n(1), n(2), n(3), n(4), n(5), n(6), fraction) - offset * 60_000;
  return Number.isNaN(ms) ? undefined : ms;
}

const flip: Readonly<Record<string, string>> = {
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
  '=': '=',
  '!=': '!=',
};

function orderResult(op: string, c: number): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

/** `x op day` where the day is `[start, end)`. */
function compareToDay(op: string, x: number, start: number, end: number): boolean {
  switch (op) {
    case '=':
      return x >= start && x < end;
    case '!=':
      return x < start || x >= end;
    case '<':
      return x < start;
    case '<=':
      return x < end;
    case '>':
      return x >= end;
    default:
      return x >= start;
  }
}

function compareTimes(op: string, a: unknown, b: unknown): boolean | null {
  if (!(b instanceof TimeValue) && a instanceof TimeValue) return compareTimes(flip[op] ?? op, b, a);
  const x = timeOf(a);
  const y = timeOf(b);
  if (x === undefined || y === undefined) return op === '=' ? false : op === '!=' ? true : null;
  if (b instanceof TimeValue && b.dayEnd !== undefined) return compareToDay(op, x, b.ms, b.dayEnd);
  return orderResult(op, x < y ? -1 : x > y ? 1 : 0);
}

/** Deep equality of JSON-like values (objects by own keys). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}

/**
 * `a op b` for two non-list values, three-valued: true, false, or null (UNKNOWN) when an operand is
 * null or the types cannot be ordered. `op` is one of `= != < <= > >=`.
 */
export function compareValues(op: string, a: unknown, b: unknown): boolean | null {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'null' || kb === 'null') return null;
  if (ka === 'time' || kb === 'time') return compareTimes(op, a, b);
  if (ka !== kb) return op === '=' ? false : op === '!=' ? true : null;
  switch (ka) {
    case 'number':
      return orderResult(op, (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
    case 'string':
      return orderResult(op, compareStrings(a as string, b as string));
    case 'boolean':
      return orderResult(op, Number(a) - Number(b));
    default:
      if (op === '=') return deepEqual(a, b);
      if (op === '!=') return !deepEqual(a, b);
      return null;
  }
}

const numericString = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function sortRank(v: unknown): { rank: number; key: unknown } {
  const k = kindOf(v);
  switch (k) {
    case 'null':
      return { rank: 0, key: null };
    case 'boolean':
      return { rank: 1, key: Number(v) };
    case 'number':
      return { rank: 2, key: v };
    case 'string':
      return numericString.test(v as string) ? { rank: 2, key: Number(v) } : { rank: 4, key: v };
    case 'time':
      return { rank: 3, key: timeOf(v) };
    default:
      return { rank: k === 'array' ? 5 : 6, key: JSON.stringify(v) };
  }
}

/**
 * Total order used by ORDER BY, min() and max(): null < booleans < numbers (numeric strings sort
 * as their number) < times < strings < lists < objects. Returns -1, 0 or 1.
 */
export function compareForSort(a: unknown, b: unknown): number {
  const x = sortRank(a);
  const y = sortRank(b);
  if (x.rank !== y.rank) return x.rank < y.rank ? -1 : 1;
  if (typeof x.key === 'string' && typeof y.key === 'string') return compareStrings(x.key, y.key);
  if (typeof x.key === 'number' && typeof y.key === 'number')
    return x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
  return 0;
}

/** A result value as plain data: times become ISO text, undefined and NaN become null. */
export function toPlain(v: unknown): unknown {
  if (v instanceof TimeValue) return v.toJSON();
  if (isNull(v)) return null;
  return v;
}

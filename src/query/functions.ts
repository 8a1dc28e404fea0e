/**
 * The query functions: per-row `len`, `any`, `all`, `sum`, and the aggregates `count`, `sum`,
 * `avg`, `min`, `max` (one value per group).
 */
import { compareForSort, isNull, kindOf, truth } from './values.js';

/** How a function is evaluated: per row, over a group of rows, or either (sum). */
export type FunctionKind = 'row' | 'aggregate' | 'both';

/** One function of the language. */
export interface FunctionInfo {
  kind: FunctionKind;
  /** Usage shown in errors and help. */
  usage: string;
}

/** Every function, by lower-case name. */
export const functions: Readonly<Record<string, FunctionInfo>> = {
  len: { kind: 'row', usage: 'len(list | string | object)' },
  any: { kind: 'row', usage: 'any(condition over a list)' },
  all: { kind: 'row', usage: 'all(condition over a list)' },
  sum: { kind: 'both', usage: 'sum(list) per row, sum(x) over a group' },
  count: { kind: 'aggregate', usage: 'count(*) or count(x)' },
  avg: { kind: 'aggregate', usage: 'avg(x)' },
  min: { kind: 'aggregate', usage: 'min(x)' },
  max: { kind: 'aggregate', usage: 'max(x)' },
};

/** Length of a list, string (in characters) or object (in keys); null otherwise. */
export function lenOf(v: unknown): number | null {
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'string') return Array.from(v).length;
  if (kindOf(v) === 'object') return Object.keys(v as object).length;
  return null;
}

/**
 * Per-row sum: a number is itself, a list sums its numbers (nulls skipped, `[]` is 0); any other
 * element, or any other value, gives null.
 */
export function sumOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (!Array.isArray(v)) return null;
  let total = 0;
  for (const x of v) {
    if (isNull(x)) continue;
    if (typeof x !== 'number') return null;
    total += x;
  }
  return total;
}

/** Three-valued OR over a list (`any([])` is false); a boolean is itself; else null. */
export function anyOf(v: unknown): boolean | null {
  if (!Array.isArray(v)) return truth(v);
  let unknown = false;
  for (const x of v) {
    const t = truth(x);
    if (t === true) return true;
    if (t === null) unknown = true;
  }
  return unknown ? null : false;
}

/** Three-valued AND over a list (`all([])` is true); a boolean is itself; else null. */
export function allOf(v: unknown): boolean | null {
  if (!Array.isArray(v)) return truth(v);
  let unknown = false;
  for (const x of v) {
    const t = truth(x);
    if (t === false) return false;
    if (t === null) unknown = true;
  }
  return unknown ? null : true;
}

/** The values of an aggregate's argument over a group, lists flattened, nulls dropped. */
function flatValues(values: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (Array.isArray(v)) {
      for (const x of v) if (!isNull(x)) out.push(x);
    } else if (!isNull(v)) out.push(v);
  }
  return out;
}

/**
 * An aggregate over one group: `values` holds the argument's value for each row (`count(*)` passes
 * one `true` per row). Lists are flattened into the group's values; nulls are skipped.
 * - `count`: number of values; `sum`: their total (0 for none; null if one is not a number);
 *   `avg`: their mean (null for none); `min`/`max`: by the ORDER BY order (null for none).
 */
export function aggregate(name: string, values: readonly unknown[]): unknown {
  const flat = flatValues(values);
  switch (name) {
    case 'count':
      return flat.length;
    case 'sum':
    case 'avg': {
      const total = sumOf(flat);
      if (name === 'sum' || total === null) return total;
      return flat.length === 0 ? null : total / flat.length;
    }
    case 'min':
    case 'max': {
      let best: unknown = null;
      for (const v of flat) {
        const c = compareForSort(v, best);
        if (best === null || (name === 'min' ? c < 0 : c > 0)) best = v;
      }
      return best;
    }
    default:
      return null;
  }
}

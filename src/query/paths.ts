/**
 * Field path resolution: `a.b`, `a[2]`, `a[*].b`, `labels[app.kubernetes.io/name]`.
 *
 * - A missing step gives `undefined` (null to the evaluator); only own properties are read.
 * - `[*]` maps the rest of the path over a list's elements and gives a list (nested `[*]` flatten).
 * - `.name` applied to a list does the same as `[*].name` (kubectl-mtv's implicit traversal);
 *   a name of digits applied to a list indexes it (`disks.0`).
 */
import type { PathSegment } from './ast.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(v: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(v, key) ? v[key] : undefined;
}

interface Step {
  value: unknown;
  /** True when the value is a list made by `[*]` (or implicit traversal). */
  list: boolean;
}

function spread(items: readonly unknown[], path: readonly PathSegment[], i: number): Step {
  const out: unknown[] = [];
  for (const item of items) {
    const r = step(item, path, i);
    if (r.list) out.push(...(r.value as unknown[]));
    else out.push(r.value ?? null);
  }
  return { value: out, list: true };
}

function step(value: unknown, path: readonly PathSegment[], i: number): Step {
  const seg = path[i];
  if (seg === undefined) return { value, list: false };
  if (value === null || value === undefined) return { value: undefined, list: false };
  switch (seg.kind) {
    case 'name':
      if (Array.isArray(value)) {
        return /^\d+$/.test(seg.name) ? step(value[Number(seg.name)], path, i + 1) : spread(value, path, i);
      }
      return isRecord(value) ? step(own(value, seg.name), path, i + 1) : { value: undefined, list: false };
    case 'key':
      return isRecord(value) ? step(own(value, seg.key), path, i + 1) : { value: undefined, list: false };
    case 'index':
      return Array.isArray(value) ? step(value[seg.index], path, i + 1) : { value: undefined, list: false };
    case 'wildcard':
      return Array.isArray(value) ? spread(value, path, i + 1) : { value: undefined, list: false };
  }
}

/**
 * The value at `path` in `root`, starting at segment `from`; `undefined` when a step is missing.
 * @default from 0
 */
export function resolvePath(root: unknown, path: readonly PathSegment[], from = 0): unknown {
  return step(root, path, from).value;
}

/**
 * True when `path` exists in `root` (every step is an own property or element; the final value may
 * be null). Through `[*]` and lists, true when it exists in some element.
 */
export function pathExists(root: unknown, path: readonly PathSegment[], from = 0): boolean {
  if (from >= path.length) return true;
  const seg = path[from];
  if (seg === undefined || root === null || root === undefined) return false;
  if (Array.isArray(root)) {
    if (seg.kind === 'index') return seg.index < root.length && pathExists(root[seg.index], path, from + 1);
    if (seg.kind === 'name' && /^\d+$/.test(seg.name))
      return pathExists(root[Number(seg.name)], path, from + 1);
    const next = seg.kind === 'wildcard' ? from + 1 : from;
    return root.some((e) => pathExists(e, path, next));
  }
  if (!isRecord(root) || seg.kind === 'index' || seg.kind === 'wildcard') return false;
  const key = seg.kind === 'name' ? seg.name : seg.key;
  return Object.hasOwn(root, key) && pathExists(root[key], path, from + 1);
}

/**
 * The objects reached by `path[0..upTo)` in `root`, lists flattened; adds their own keys to
 * `into` (for "did you mean") and returns how many there were.
 */
export function objectsAt(
  root: unknown,
  path: readonly PathSegment[],
  upTo: number,
  into: Set<string>,
): number {
  const value = upTo === 0 ? root : resolvePath(root, path.slice(0, upTo));
  let count = 0;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isRecord(v)) {
      count++;
      for (const k of Object.keys(v)) into.add(k);
    }
  };
  visit(value);
  return count;
}

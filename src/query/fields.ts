/**
 * Field names of a query, and the "unknown field" check: a field that no row has (and that is not
 * a known, computed or alias name) is almost always a typo, so it is an error with suggestions
 * instead of a query that silently matches nothing.
 */
import { fieldPathText, walk } from './ast.js';
import type { Expression, Field, PathSegment, Query } from './ast.js';
import { analyzeQuery } from './analyze.js';
import type { AnalyzedQuery } from './analyze.js';
import { QueryIssueCode } from './errors.js';
import type { QueryIssue } from './errors.js';
import { objectsAt, pathExists } from './paths.js';
import { suggest } from './suggest.js';

function fieldNodes(analyzed: AnalyzedQuery): Field[] {
  const roots: Expression[] = [
    ...(analyzed.select ?? []).map((s) => s.expr),
    ...(analyzed.where ? [analyzed.where] : []),
    ...(analyzed.groupBy ?? []),
    ...(analyzed.orderBy ?? []).map((o) => o.expr),
  ];
  const out: Field[] = [];
  for (const r of roots) walk(r, (n) => n.type === 'Field' && out.push(n));
  return out;
}

/**
 * The field paths a query reads, printed (`name`, `disks[*].capacity`), each once, in query order.
 * Alias references are replaced by what they stand for; computed names are included.
 * @throws QueryError when the query fails analysis (see `analyzeQuery`).
 */
export function fieldsOf(query: Query): string[] {
  return [...new Set(fieldNodes(analyzeQuery(query)).map((f) => fieldPathText(f.path)))];
}

/** The part of a path that names fields: up to the first `[key]` (map keys are data). */
function checkable(path: readonly PathSegment[]): PathSegment[] {
  const end = path.findIndex((s) => s.kind === 'key');
  return end === -1 ? [...path] : path.slice(0, end);
}

/** `disks[*].capacity` → `disks.capacity`: names only. */
function dotted(path: readonly PathSegment[]): string {
  return path
    .filter((s) => s.kind === 'name')
    .map((s) => s.name)
    .join('.');
}

function vouched(path: readonly PathSegment[], known: ReadonlySet<string>): boolean {
  const names = dotted(path).split('.');
  for (let i = names.length; i > 0; i--) if (known.has(names.slice(0, i).join('.'))) return true;
  return false;
}

/** Options of {@link unknownFieldIssues}. */
export interface FieldCheckOptions {
  /** Field paths that exist even when no row has them (`memoryMB`, `disks.capacity`). */
  knownFields?: readonly string[];
  /** Names of computed (virtual) fields. */
  computed?: readonly string[];
}

/** Where a path fails: the first segment no row (or known name) has, and close names for it. */
interface Failure {
  depth: number;
  candidates: Set<string>;
}

/**
 * Why `path` is unknown, or undefined when it is known or cannot be judged: some row has it, a
 * known name vouches for it, or the failing step is an index or `[*]` (data, not a name), or no
 * row has an object at the failing step (e.g. every list there is empty).
 */
function failure(
  path: readonly PathSegment[],
  rows: readonly object[],
  known: ReadonlySet<string>,
): Failure | undefined {
  if (vouched(path, known)) return undefined;
  let depth = path.length;
  const candidates = new Set<string>();
  if (rows.length > 0) {
    while (depth > 0 && !rows.some((r) => pathExists(r, path.slice(0, depth)))) depth--;
    if (depth === path.length) return undefined;
    let objects = 0;
    for (const r of rows) objects += objectsAt(r, path, depth, candidates);
    if (objects === 0) return undefined;
  } else {
    depth = 0;
    while (depth < path.length - 1 && known.has(dotted(path.slice(0, depth + 1)))) depth++;
  }
  if (path[depth]?.kind !== 'name') return undefined;
  const prefix = dotted(path.slice(0, depth));
  for (const n of known) {
    const parts = n.split('.');
    if (parts.slice(0, -1).join('.') === prefix) candidates.add(parts[parts.length - 1] ?? n);
  }
  return { depth, candidates };
}

/**
 * Issues for the fields of `analyzed` that no row has and that are not vouched for by
 * `knownFields` (the path or an ancestor listed), computed names or aliases. Only the part of a
 * path before a `[key]` is checked. With no rows and no `knownFields`, nothing is checked.
 */
export function unknownFieldIssues(
  analyzed: AnalyzedQuery,
  rows: readonly object[],
  options: FieldCheckOptions = {},
): QueryIssue[] {
  if (rows.length === 0 && options.knownFields === undefined) return [];
  const known = new Set((options.knownFields ?? []).map((k) => k.replace(/\[[^\]]*\]/g, '')));
  const computed = new Set(options.computed ?? []);
  const aliases = (analyzed.query.select ?? []).flatMap((s) => (s.alias === undefined ? [] : [s.alias]));
  const issues: QueryIssue[] = [];
  const verdicts = new Map<string, Failure | undefined>();
  for (const field of fieldNodes(analyzed)) {
    const root = field.path[0];
    if (root?.kind === 'name' && computed.has(root.name)) continue;
    const path = checkable(field.path);
    const key = fieldPathText(path);
    if (!verdicts.has(key)) verdicts.set(key, failure(path, rows, known));
    const failed = verdicts.get(key);
    if (!failed) continue;
    const seg = field.path[failed.depth];
    const names =
      failed.depth === 0 ? [...failed.candidates, ...computed, ...aliases] : [...failed.candidates];
    const suggestions = seg?.kind === 'name' ? suggest(seg.name, names) : [];
    issues.push({
      code: QueryIssueCode.UnknownField,
      message: `unknown field ${fieldPathText(field.path)}: no row has it`,
      start: field.start,
      end: field.end,
      suggestions: suggestions.map((name) =>
        fieldPathText(field.path.map((s, i) => (i === failed.depth ? { kind: 'name', name } : s))),
      ),
    });
  }
  return issues;
}

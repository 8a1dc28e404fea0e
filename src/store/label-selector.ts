/**
 * Kubernetes label selectors, parsed and matched (the local store evaluates them; the Kubernetes
 * store passes the text to the API server, after the same syntax check).
 *
 * Grammar: requirements separated by commas, each one of `key`, `!key`, `key=value`,
 * `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
import { UsageError } from '../api/index.js';

/** One parsed requirement. */
export type LabelRequirement =
  { key: string; op: 'exists' | 'notexists' } | { key: string; op: 'in' | 'notin'; values: string[] };

/** Signature of {@link matchesLabels}' predicate. */
export type LabelPredicate = (labels: Readonly<Record<string, string>> | undefined) => boolean;

/** Label (and annotation) key: optional DNS-subdomain prefix and `/`, then a name of ≤63 characters. */
export const keyPattern = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** Label value: empty, or ≤63 alphanumerics, '-', '_', '.', alphanumeric at both ends. */
export const valuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/**
 * Parses a selector.
 * @throws UsageError naming the requirement and the rule when the text is not a valid selector.
 */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const out: LabelRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const req = part.trim();
    if (!req) continue;
    out.push(parseRequirement(req, text));
  }
  return out;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

function fail(req: string, selector: string, rule: string): never {
  throw new UsageError({
    field: '--selector',
    message: `requirement "${req}" ${rule}`,
    value: selector,
    hint: 'write requirements as key=value, key!=value, key in (a,b), key notin (a,b), key or !key, separated by commas',
  });
}

function checkKey(key: string, req: string, selector: string): string {
  if (!keyPattern.test(key) || key.length > 316) fail(req, selector, `has an invalid label key "${key}"`);
  return key;
}

function checkValues(values: string[], req: string, selector: string): string[] {
  for (const v of values)
    if (!valuePattern.test(v) || v.length > 63) fail(req, selector, `has an invalid label value "${v}"`);
  return values;
}

function parseRequirement(req: string, selector: string): LabelRequirement {
  if (req.startsWith('!')) return { key: checkKey(req.slice(1).trim(), req, selector), op: 'notexists' };
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(req);
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    return {
      key: checkKey(set[1] ?? '', req, selector),
      op: set[2] as 'in' | 'notin',
      values: checkValues(values, req, selector),
    };
  }
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(req);
  if (eq) {
    const key = checkKey(eq[1] ?? '', req, selector);
    const values = checkValues([(eq[3] ?? '').trim()], req, selector);
    return { key, op: eq[2] === '!=' ? 'notin' : 'in', values };
  }
  if (/^\S+$/.test(req)) return { key: checkKey(req, req, selector), op: 'exists' };
  return fail(req, selector, 'is not a label requirement');
}

/** Compiles a selector to a predicate over an object's labels. An empty selector matches all. */
export function matchesLabels(selector: string | undefined): LabelPredicate {
  const reqs = selector ? parseLabelSelector(selector) : [];
  return (labels) =>
    reqs.every((r) => {
      const v = labels?.[r.key];
      switch (r.op) {
        case 'exists':
          return v !== undefined;
        case 'notexists':
          return v === undefined;
        case 'in':
          return v !== undefined && r.values.includes(v);
        case 'notin':
          return v === undefined || !r.values.includes(v);
      }
    });
}

/**
 * LIKE patterns and regular expressions, compiled once and cached.
 *
 * LIKE: anchored; `%` matches any run of characters (newlines included), `_` exactly one character
 * (one Unicode code point); `\` makes the next character literal (`'100\%'`). LIKE is
 * case-sensitive; ILIKE ignores case by Unicode simple case folding (JS RegExp `iu`).
 *
 * `~=` / `~!` take JavaScript regular expressions (unanchored, `u` flag). A leading inline flag
 * group as RE2 users write it, `(?i)`, `(?s)`, `(?m)` or a combination such as `(?is)`, becomes the
 * RegExp's flags.
 */

type LikePart = { wildcard: '%' | '_' } | { literal: string };

/** Splits a LIKE pattern into literal characters (code points) and wildcards. */
export function likeParts(pattern: string): LikePart[] {
  const parts: LikePart[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === '\\' && i + 1 < chars.length) {
      parts.push({ literal: chars[++i] ?? '' });
    } else if (c === '%' || c === '_') {
      parts.push({ wildcard: c });
    } else {
      parts.push({ literal: c });
    }
  }
  return parts;
}

const cacheLimit = 500;
const likeCache = new Map<string, RegExp>();
const regexCache = new Map<string, RegExp>();

function remember(cache: Map<string, RegExp>, key: string, re: RegExp): RegExp {
  if (cache.size >= cacheLimit) cache.clear();
  cache.set(key, re);
  return re;
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** The RegExp equivalent of a LIKE (`caseInsensitive` false) or ILIKE pattern. */
export function likeRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 'c'}${pattern}`;
  const hit = likeCache.get(key);
  if (hit) return hit;
  const body = likeParts(pattern)
    .map((p) => ('literal' in p ? escapeRegExp(p.literal) : p.wildcard === '%' ? '.*' : '.'))
    .join('');
  return remember(likeCache, key, new RegExp(`^${body}$`, caseInsensitive ? 'isu' : 'su'));
}

/**
 * Compiles a `~=` pattern: JavaScript syntax with the `u` flag, plus a leading RE2-style flag group
 * `(?i)`, `(?m)`, `(?s)` (or combined, `(?im)`).
 * @throws SyntaxError (from RegExp) when the pattern is not valid.
 */
export function compileRegex(pattern: string): RegExp {
  const hit = regexCache.get(pattern);
  if (hit) return hit;
  const m = /^\(\?([ims]+)\)/.exec(pattern);
  const flags = new Set(['u', ...Array.from(m?.[1] ?? '')]);
  const body = m ? pattern.slice(m[0].length) : pattern;
  return remember(regexCache, pattern, new RegExp(body, [...flags].join('')));
}

/** Characters other than ASCII letters that case-fold onto them (JS `iu`): KELVIN SIGN, LONG S. */
const foldExtras: Readonly<Record<string, string>> = { k: '\u212a', s: '\u017f' };

function globLiteral(c: string, caseInsensitive: boolean): string | undefined {
  if (caseInsensitive) {
    if ((c.codePointAt(0) ?? 0) > 0x7f) return undefined;
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if (lower !== upper) return `[${lower}${upper}${foldExtras[lower] ?? ''}]`;
  }
  return c === '*' || c === '?' || c === '[' ? `[${c}]` : c;
}

/** A LIKE pattern as an SQLite GLOB (exact equivalent), with the facts an index can use. */
export interface GlobPattern {
  /** The GLOB pattern (SQLite GLOB is case-sensitive and `?` is one code point). */
  glob: string;
  /** Literal text before the first wildcard (case-sensitive patterns only; '' otherwise). */
  prefix: string;
  /** True when the pattern has no wildcard: a LIKE of it is plain equality with `prefix`. */
  exact: boolean;
}

/**
 * Translates a LIKE/ILIKE pattern to an SQLite GLOB with the same meaning, or undefined when there
 * is none: ILIKE with a non-ASCII literal character (SQLite cannot fold those the way JS does).
 */
export function likeToGlob(pattern: string, caseInsensitive: boolean): GlobPattern | undefined {
  let glob = '';
  let prefix = '';
  let inPrefix = !caseInsensitive;
  let exact = true;
  for (const part of likeParts(pattern)) {
    if ('wildcard' in part) {
      glob += part.wildcard === '%' ? '*' : '?';
      inPrefix = false;
      exact = false;
      continue;
    }
    const g = globLiteral(part.literal, caseInsensitive);
    if (g === undefined) return undefined;
    glob += g;
    if (inPrefix) prefix += part.literal;
  }
  return { glob, prefix, exact: exact && !caseInsensitive };
}

/**
 * The smallest string greater than every string that starts with `prefix` (code-point order), or
 * undefined when there is none. `x >= prefix AND x < upper` then bounds an index range scan.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const cps = Array.from(prefix);
  while (cps.length > 0) {
    const last = cps.pop()?.codePointAt(0) ?? 0;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return cps.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

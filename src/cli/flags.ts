/**
 * Flag conventions shared by all commands: booleans written `--flag` or `--flag true|false`,
 * names given positionally or with `--name/-M`, `@file` values, integers and key=value lists.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../api/index.js';
import { checkObjectName } from '../api/index.js';

const truthy = new Set(['true', 'yes', '1', 'on']);
const falsy = new Set(['false', 'no', '0', 'off']);

/**
 * Rewrites boolean flags so commander sees `--flag` or `--no-flag`:
 * `--flag`, `--flag true`, `--flag=yes` → `--flag`; `--flag false`, `--flag=0` → `--no-flag`.
 * A following word that is not a boolean is left alone (it is a positional argument), so
 * `--flag false` can never turn into true, which kubectl-mtv once did.
 * @throws UsageError for `--flag=value` with a value that is not a boolean.
 */
export function normalizeBooleanFlags(
  argv: readonly string[],
  booleans: ReadonlySet<string>,
  shortNames: ReadonlyMap<string, string> = new Map(),
): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const s = /^-([A-Za-z])(?:=(.*))?$/.exec(arg);
    const m = s
      ? shortNames.has(s[1] ?? '')
        ? ['', shortNames.get(s[1] ?? ''), s[2]]
        : null
      : /^--([a-z0-9][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    const name = m?.[1];
    if (!m || !name || !booleans.has(name)) {
      out.push(arg);
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      const next = (argv[i + 1] ?? '').toLowerCase();
      if (truthy.has(next) || falsy.has(next)) {
        value = next;
        i++;
      }
    }
    if (value === undefined || truthy.has(value.toLowerCase())) out.push(`--${name}`);
    else if (falsy.has(value.toLowerCase())) out.push(`--no-${name}`);
    else throw new UsageError({ field: `--${name}`, message: 'must be true or false', value });
  }
  return out;
}

/**
 * The one name of a single-object verb: positional or `--name/-M`, not both.
 * @throws UsageError when missing, doubled, or not a DNS-1123 name.
 */
export function singleName(positional: readonly string[], flag: string | undefined, what: string): string {
  if (positional.length && flag) {
    throw new UsageError({
      field: '--name',
      message: 'give the name either as an argument or with --name, not both',
      value: [...positional, flag],
    });
  }
  const name = positional[0] ?? flag;
  if (!name)
    throw new UsageError({
      field: 'NAME',
      message: `a ${what} name is required`,
      hint: `pass it as an argument or with --name`,
    });
  const p = checkObjectName(name, 'NAME');
  if (p) throw new UsageError(p);
  return name;
}

/**
 * The names of a bulk verb: positional names and/or `-M a,b` (several times allowed).
 * @throws UsageError for an invalid name.
 */
export function manyNames(positional: readonly string[], flag: readonly string[] | undefined): string[] {
  const names = [...positional, ...(flag ?? []).flatMap((f) => f.split(','))]
    .map((n) => n.trim())
    .filter(Boolean);
  const problems = names.map((n) => checkObjectName(n, 'NAME')).filter((p) => p !== undefined);
  if (problems.length) throw new UsageError(problems);
  return [...new Set(names)];
}

/** Commander collector for repeatable string options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Reads an `@file` value relative to `cwd`, or returns the value itself.
 * @throws UsageError naming the flag and the path when the file cannot be read.
 */
export function fileOrValue(value: string, flag: string, cwd: string): string {
  if (!value.startsWith('@')) return value;
  const file = path.resolve(cwd, value.slice(1));
  try {
    return readFileSync(file, 'utf8');
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError({
      field: flag,
      message: code === 'ENOENT' ? 'file does not exist' : `cannot read the file (${code ?? 'error'})`,
      value: value,
      hint: `check the path; @ paths are relative to ${cwd}`,
    });
  }
}

/**
 * Parses a whole non-negative integer flag.
 * @throws UsageError naming the flag and value.
 */
export function parseInteger(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
    throw new UsageError({
      field: flag,
      message: `must be a whole number${min > 0 ? ` ≥ ${min}` : ''}`,
      value,
    });
  }
  return Number(value);
}

/** The `-o/--output` flag: kubectl's formats plus markdown. */
import { UsageError } from '../../api/index.js';
import { checkJsonPath } from './jsonpath.js';

/** A parsed output format. */
export type OutputFormat =
  | { kind: 'table' | 'wide' | 'json' | 'yaml' | 'markdown' | 'name' }
  | { kind: 'jsonpath'; template: string }
  | { kind: 'custom-columns'; columns: { header: string; expr: string }[] };

/** Formats `get` accepts. */
export const listFormats = [
  'table',
  'wide',
  'json',
  'yaml',
  'markdown',
  'name',
  'jsonpath',
  'custom-columns',
] as const;

/**
 * Parses `-o` (`table` when absent).
 * @param allowed format names the command supports.
 * @throws UsageError naming the flag, the value and the accepted formats.
 */
export function parseOutputFormat(value: string | undefined, allowed: readonly string[]): OutputFormat {
  const v = value ?? 'table';
  const [name, arg] = splitOnce(v, '=');
  if (!allowed.includes(name)) {
    throw new UsageError({
      field: '--output',
      message: `must be one of ${allowed.map((a) => (a === 'jsonpath' || a === 'custom-columns' ? `${a}=…` : a)).join(', ')}`,
      value: v,
    });
  }
  if (name === 'jsonpath') {
    if (!arg)
      throw new UsageError({
        field: '--output',
        message: 'jsonpath needs a template, e.g. -o jsonpath={.items[*].metadata.name}',
        value: v,
      });
    checkJsonPath(arg);
    return { kind: 'jsonpath', template: arg };
  }
  if (name === 'custom-columns') {
    const columns = (arg ?? '').split(',').map((spec) => {
      const [header, expr] = splitOnce(spec, ':');
      if (!header || !expr) {
        throw new UsageError({
          field: '--output',
          message:
            'custom-columns takes HEADER:EXPR pairs separated by commas, e.g. custom-columns=NAME:.metadata.name,TYPE:.spec.type',
          value: v,
        });
      }
      return { header, expr };
    });
    return { kind: 'custom-columns', columns };
  }
  if (arg !== undefined)
    throw new UsageError({ field: '--output', message: `${name} takes no argument`, value: v });
  return { kind: name as 'table' };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

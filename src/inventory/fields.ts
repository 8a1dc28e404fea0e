/**
 * How a document field of the inventory is written in SQL: a column for the fields the `objects`
 * table keeps apart, else `json_extract` over the JSON document. Queries must write a field exactly
 * as {@link fieldExpression} does for SQLite to use the expression indexes the database declares.
 */
import { UsageError } from '../api/index.js';

/** Fields kept as columns of `objects` (`parent.kind` and `parent.id` as `parent_kind`, `parent_id`). */
export const ColumnFields: Readonly<Record<string, string>> = {
  id: 'id',
  name: 'name',
  path: 'path',
  revision: 'revision',
  'parent.kind': 'parent_kind',
  'parent.id': 'parent_id',
};

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** True when `field` is a dotted path of identifiers (`powerState`, `host.cluster`). */
export function isSimpleField(field: string): boolean {
  return field.split('.').every((s) => identifier.test(s));
}

/**
 * The SQL expression of a document field: a column name (see {@link ColumnFields}) or
 * `json_extract(doc, '$.a.b')`. Segments that are not identifiers are quoted (`$."cpu-count"`).
 * JSON booleans read as 1 and 0.
 *
 * @param field dotted path, e.g. `powerState`, `parent.id`, `host.cluster`.
 * @throws UsageError when a segment is empty or contains `"` or `'`.
 */
export function fieldExpression(field: string): string {
  const column = ColumnFields[field];
  if (column !== undefined) return column;
  const segments = field.split('.');
  const bad = segments.find((s) => s === '' || s.includes('"') || s.includes("'"));
  if (bad !== undefined) {
    throw new UsageError({
      field: 'field',
      message: 'must be a dotted path of non-empty names without quotes',
      value: field,
    });
  }
  const jsonPath = segments.map((s) => (identifier.test(s) ? `.${s}` : `."${s}"`)).join('');
  return `json_extract(doc, '$${jsonPath}')`;
}

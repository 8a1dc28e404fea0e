import { describe, expect, it } from 'vitest';
import { UsageError } from '../api/index.js';
import { fieldExpression, isSimpleField } from './fields.js';

describe('fieldExpression', () => {
  it.each([
    ['name', 'name'],
    ['parent.id', 'parent_id'],
    ['powerState', "json_extract(doc, '$.powerState')"],
    ['host.cluster', "json_extract(doc, '$.host.cluster')"],
    ['cpu-count', `json_extract(doc, '$."cpu-count"')`],
  ])('%s → %s', (field, sql) => {
    expect(fieldExpression(field)).toBe(sql);
  });

  it.each(["a'b", 'a."b', 'a..b', ''])('rejects %j', (field) => {
    expect(() => fieldExpression(field)).toThrow(UsageError);
  });
});

describe('isSimpleField', () => {
  it('accepts dotted identifiers only', () => {
    expect([isSimpleField('host.cluster'), isSimpleField('cpu-count'), isSimpleField('a.')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

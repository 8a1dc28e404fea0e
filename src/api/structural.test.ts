import { describe, expect, it } from 'vitest';
import { applyStructuralSchema, type StructuralSchema } from './structural.js';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', maxLength: 5 },
        mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
        count: { type: 'integer', format: 'int32', minimum: 1 },
        when: { type: 'string', format: 'date-time' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        items: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } },
      },
    },
  },
};

describe('structural schema (what the API server does)', () => {
  it('prunes unknown fields, at every depth', () => {
    const r = applyStructuralSchema(schema, {
      spec: { name: 'x', bogus: 1, items: [{ id: 'i', extra: true }] },
      top: 1,
    });
    expect(r.value).toEqual({ spec: { name: 'x', mode: 'a', items: [{ id: 'i' }] } });
    expect(r.problems).toEqual([]);
  });

  it('treats null like absent: pruned, then defaulted', () => {
    const r = applyStructuralSchema(schema, { spec: { name: 'x', mode: null, labels: { a: 'b', c: null } } });
    expect(r.value).toEqual({ spec: { name: 'x', mode: 'a', labels: { a: 'b' } } });
  });

  it('reports every violation with its path', () => {
    const r = applyStructuralSchema(schema, {
      spec: { mode: 'z', count: 0.5, when: 'yesterday', labels: { k: 3 }, items: 'no' },
    });
    expect(r.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'spec.mode: must be one of "a", "b"',
      'spec.count: must be of type integer',
      'spec.when: must be an RFC 3339 date-time such as 2026-01-02T15:04:05Z',
      'spec.labels[k]: must be of type string',
      'spec.items: must be of type array',
      'spec.name: is required',
    ]);
  });

  it('checks lengths and ranges', () => {
    const r = applyStructuralSchema(schema, { spec: { name: 'toolong', count: 0 } });
    expect(r.problems.map((p) => p.field)).toEqual(['spec.name', 'spec.count']);
  });

  it('returns a copy sharing nothing with the input, preserved and untyped subtrees included', () => {
    const schema: StructuralSchema = {
      type: 'object',
      properties: {
        kept: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        untyped: {},
        list: { type: 'array' },
        typed: { type: 'object', properties: { a: { type: 'array', items: { type: 'string' } } } },
      },
    };
    const input = { kept: { x: { y: 1 } }, untyped: { z: [1] }, list: [{ w: 2 }], typed: { a: ['s'] } };
    const before = structuredClone(input);
    const out = applyStructuralSchema(schema, input, 'status').value as typeof input;
    expect(out).toEqual(input);
    out.kept.x.y = 9;
    out.untyped.z.push(2);
    (out.list[0] as { w: number }).w = 9;
    out.typed.a.push('t');
    expect(input).toEqual(before);
  });

  it('names problems under the given path when the schema is a subtree’s', () => {
    const r = applyStructuralSchema(
      { type: 'object', properties: { phase: { type: 'string' } } },
      { phase: 3 },
      'status',
    );
    expect(r.problems.map((p) => p.field)).toEqual(['status.phase']);
  });
});

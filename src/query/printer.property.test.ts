import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompareOp, Expression, OrderItem, PathSegment, Query, SelectItem } from './ast.js';
import { keywords, unitSuffixes } from './lexer.js';
import { parseExpression, parseQuery } from './parser.js';
import { printExpression, printQuery } from './printer.js';

/** Property: any tree the parser can produce prints to text that parses back to the same tree. */

const at = { start: 0, end: 0 };

function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'start' && k !== 'end' && k !== 'source')
      .map(([k, v]) => [k, strip(v)]),
  );
}

const identifier = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/)
  .filter((s) => !keywords.has(s.toLowerCase()));
const segment: fc.Arbitrary<PathSegment> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_]{1,5}$/).map((name) => ({ kind: 'name' as const, name })),
  fc.nat(999).map((index) => ({ kind: 'index' as const, index })),
  fc.constant({ kind: 'wildcard' as const }),
  fc.string({ maxLength: 6, unit: 'binary' }).map((key) => ({ kind: 'key' as const, key })),
);
const fieldArb = fc
  .tuple(identifier, fc.array(segment, { maxLength: 3 }))
  .map(([name, rest]): Expression => ({ type: 'Field', path: [{ kind: 'name', name }, ...rest], ...at }));

const suffixes = Object.keys(unitSuffixes);
const numberArb: fc.Arbitrary<Expression> = fc.oneof(
  fc.nat().map((v) => ({ type: 'Number' as const, value: v, text: String(v), ...at })),
  fc
    .double({ min: 0, noNaN: true, noDefaultInfinity: true })
    .filter((v) => !Object.is(v, -0))
    .map((v) => ({ type: 'Number' as const, value: v, text: String(v), ...at })),
  fc.tuple(fc.nat(4096), fc.constantFrom(...suffixes)).map(([n, s]) => ({
    type: 'Number' as const,
    value: n * (unitSuffixes[s] ?? 1),
    text: `${n}${s}`,
    ...at,
  })),
);

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

const dateArb: fc.Arbitrary<Expression> = fc
  .tuple(
    fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-30T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom('date', 'utc', 'offset'),
    fc.integer({ min: -14 * 4, max: 14 * 4 }),
  )
  .map(([d, kind, quarter]) => {
    const ms = d.getTime();
    if (kind === 'date') {
      const text = d.toISOString().slice(0, 10);
      return { type: 'Date', text, ms: Date.parse(`${text}T00:00:00Z`), dateOnly: true, ...at };
    }
    if (kind === 'utc') return { type: 'Date', text: d.toISOString(), ms, dateOnly: false, ...at };
    const offset = quarter * 15;
    const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
    const zone = `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
    return { type: 'Date', text: `${local}${zone}`, ms, dateOnly: false, ...at };
  });

const literal: fc.Arbitrary<Expression> = fc.oneof(
  fc.string({ maxLength: 8, unit: 'binary' }).map((value) => ({ type: 'String' as const, value, ...at })),
  numberArb,
  fc.boolean().map((value) => ({ type: 'Boolean' as const, value, ...at })),
  fc.constant({ type: 'Null' as const, ...at }),
  dateArb,
);

const callName = fc.oneof(
  fc.constantFrom('len', 'any', 'all', 'sum', 'count', 'avg', 'min', 'max'),
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/).filter((s) => !keywords.has(s)),
);
const compareOp = fc.constantFrom<CompareOp>('=', '!=', '<', '<=', '>', '>=');

const { expr } = fc.letrec<{ expr: Expression }>((tie) => {
  const e = tie('expr');
  return {
    expr: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'expr' },
      literal,
      fieldArb,
      fc.array(e, { maxLength: 3 }).map((items): Expression => ({ type: 'Array', items, ...at })),
      fc
        .tuple(
          callName,
          fc.oneof(fc.array(e, { maxLength: 3 }), fc.constant<Expression[]>([{ type: 'Star', ...at }])),
        )
        .map(([name, args]): Expression => ({ type: 'Call', name, args, ...at })),
      fc
        .tuple(fc.constantFrom<'-' | '+'>('-', '+'), e)
        .map(([op, operand]): Expression => ({ type: 'Unary', op, operand, ...at })),
      fc
        .tuple(fc.constantFrom<'+' | '-' | '*' | '/' | '%'>('+', '-', '*', '/', '%'), e, e)
        .map(([op, left, right]): Expression => ({ type: 'Arithmetic', op, left, right, ...at })),
      fc
        .tuple(compareOp, e, e)
        .map(([op, left, right]): Expression => ({ type: 'Compare', op, left, right, ...at })),
      fc
        .tuple(fc.boolean(), e, e)
        .map(([negated, left, pattern]): Expression => ({ type: 'Regex', negated, left, pattern, ...at })),
      fc
        .tuple(fc.boolean(), fc.boolean(), e, e)
        .map(([negated, caseInsensitive, left, pattern]): Expression => ({
          type: 'Like',
          negated,
          caseInsensitive,
          left,
          pattern,
          ...at,
        })),
      fc
        .tuple(fc.boolean(), e, e)
        .map(([negated, left, list]): Expression => ({ type: 'In', negated, left, list, ...at })),
      fc.tuple(fc.boolean(), e, e, e).map(([negated, value, low, high]): Expression => ({
        type: 'Between',
        negated,
        value,
        low,
        high,
        ...at,
      })),
      fc
        .tuple(fc.boolean(), e)
        .map(([negated, operand]): Expression => ({ type: 'IsNull', negated, operand, ...at })),
      e.map((operand): Expression => ({ type: 'Not', operand, ...at })),
      fc
        .tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), e, e)
        .map(([op, left, right]): Expression => ({ type: 'Logical', op, left, right, ...at })),
    ),
  };
});

const selectItem = fc
  .tuple(expr, fc.option(identifier, { nil: undefined }))
  .map(([e, alias]): SelectItem => ({
    type: 'SelectItem',
    expr: e,
    ...(alias === undefined ? {} : { alias }),
    ...at,
  }));
const orderItem = fc
  .tuple(expr, fc.constantFrom<'asc' | 'desc' | undefined>('asc', 'desc', undefined))
  .map(([e, direction]): OrderItem => ({
    type: 'OrderItem',
    expr: e,
    ...(direction ? { direction } : {}),
    ...at,
  }));
const queryArb = fc
  .record(
    {
      select: fc.array(selectItem, { minLength: 1, maxLength: 3 }),
      where: expr,
      groupBy: fc.array(expr, { minLength: 1, maxLength: 2 }),
      orderBy: fc.array(orderItem, { minLength: 1, maxLength: 2 }),
      limit: fc
        .nat(1000)
        .map((v): Expression & { type: 'Number' } => ({ type: 'Number', value: v, text: String(v), ...at })),
    },
    { requiredKeys: [] },
  )
  .map((clauses): Query => ({ type: 'Query', ...clauses, ...at }));

describe('printer round trip', () => {
  it('parseExpression(printExpression(e)) equals e for generated expressions', () => {
    fc.assert(
      fc.property(expr, (e) => {
        const text = printExpression(e);
        expect(strip(parseExpression(text)), text).toEqual(strip(e));
      }),
      { numRuns: 2000 },
    );
  });

  it('parseQuery(printQuery(q)) equals q for generated queries', () => {
    fc.assert(
      fc.property(queryArb, (q) => {
        const text = printQuery(q);
        expect(strip(parseQuery(text)), text).toEqual(strip(q));
      }),
      { numRuns: 1000 },
    );
  });
});

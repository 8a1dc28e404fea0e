import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompareOp, Expression } from './ast.js';
import { evaluateWhere } from './evaluator.js';
import { printExpression } from './printer.js';
import { translateWhere } from './translate-where.js';
import type { SqlColumn, SqlSchema } from './translate-where.js';

/**
 * Property: for generated rows and WHERE expressions, the ids SQLite selects with the translated
 * SQL, filtered by the residual in memory, are exactly the ids the in-memory evaluator selects.
 *
 * Rows: `s`, `t` strings (`t` is a real TEXT column), `n`, `m` numbers, `b` boolean, `u` a string
 * the schema does not map; each may be missing or null. Strings use characters that stress case
 * folding (K, KELVIN SIGN, ſ), GLOB metacharacters, escapes, and code points beyond the BMP.
 */

const at = { start: 0, end: 0 };
const chars = [
  'a',
  'b',
  'A',
  'k',
  'K',
  '\u212a',
  's',
  'S',
  '\u017f',
  '%',
  '_',
  '\\',
  '*',
  '?',
  '[',
  ']',
  'é',
  'É',
  '😀',
  '\uff5a',
  '-',
];
const str = fc
  .oneof(
    fc.array(fc.constantFrom(...chars), { maxLength: 4 }),
    // few characters, so that strings often share prefixes and differ where code-point order matters
    fc.array(fc.constantFrom('a', '😀', '\uff5a', 'K', 'k'), { maxLength: 3 }),
  )
  .map((cs) => cs.join(''));
const num = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.5, -0, 1e21),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });

const rowArb = fc.record(
  { s: maybe(str), t: maybe(str), n: maybe(num), m: maybe(num), b: maybe(fc.boolean()), u: maybe(str) },
  { requiredKeys: [] },
);

const columns: Readonly<Record<string, SqlColumn>> = {
  s: { sql: "json_extract(doc, '$.s')", type: 'string' },
  t: { sql: 't', type: 'string' },
  n: { sql: "json_extract(doc, '$.n')", type: 'number' },
  m: { sql: "json_extract(doc, '$.m')", type: 'number' },
  b: { sql: "json_extract(doc, '$.b')", type: 'boolean' },
};
const schema: SqlSchema = { column: (path) => columns[path] };

const field = (name: string): Expression => ({ type: 'Field', path: [{ kind: 'name', name }], ...at });
const strLit = str.map((value): Expression => ({ type: 'String', value, ...at }));
const numLit = num.map((value): Expression =>
  value < 0 || Object.is(value, -0)
    ? {
        type: 'Unary',
        op: '-',
        operand: { type: 'Number', value: -value, text: String(-value), ...at },
        ...at,
      }
    : { type: 'Number', value, text: String(value), ...at },
);
const boolLit = fc.boolean().map((value): Expression => ({ type: 'Boolean', value, ...at }));
const nullLit = fc.constant<Expression>({ type: 'Null', ...at });
const stringField = fc.constantFrom('s', 't', 'u').map(field);
const numberField = fc.constantFrom('n', 'm').map(field);
const anyField = fc.constantFrom('s', 't', 'u', 'n', 'm', 'b').map(field);
const anyLit = fc.oneof(strLit, numLit, boolLit);
const typedPair: fc.Arbitrary<[Expression, Expression]> = fc.oneof(
  fc.tuple(stringField, strLit),
  fc.tuple(numberField, numLit),
  fc.tuple(fc.constant(field('b')), boolLit),
  fc.tuple(stringField, stringField),
  fc.tuple(numberField, numberField),
  fc.tuple(anyField, anyLit),
);
const compareOp = fc.constantFrom<CompareOp>('=', '!=', '<', '<=', '>', '>=');

const comparison = fc.oneof(
  fc.tuple(compareOp, typedPair, fc.boolean()).map(([op, [l, r], flip]): Expression => ({
    type: 'Compare',
    op,
    left: flip ? r : l,
    right: flip ? l : r,
    ...at,
  })),
  fc
    .tuple(fc.constantFrom<CompareOp>('=', '!='), anyField)
    .map(([op, left]): Expression => ({ type: 'Compare', op, left, right: { type: 'Null', ...at }, ...at })),
  fc
    .tuple(stringField, str, fc.boolean(), fc.boolean())
    .map(([left, p, negated, caseInsensitive]): Expression => ({
      type: 'Like',
      negated,
      caseInsensitive,
      left,
      pattern: { type: 'String', value: p, ...at },
      ...at,
    })),
  fc
    .tuple(typedPair, fc.array(fc.oneof(anyLit, nullLit), { maxLength: 3 }), fc.boolean(), fc.boolean())
    .map(([[left, lit], more, negated, single]): Expression => ({
      type: 'In',
      negated,
      left,
      list: single ? lit : { type: 'Array', items: [lit, ...more], ...at },
      ...at,
    })),
  fc.tuple(typedPair, typedPair, fc.boolean()).map(([[value, low], [, high], negated]): Expression => ({
    type: 'Between',
    negated,
    value,
    low,
    high,
    ...at,
  })),
  fc
    .tuple(anyField, fc.boolean())
    .map(([operand, negated]): Expression => ({ type: 'IsNull', negated, operand, ...at })),
  fc.constant(field('b')),
  boolLit,
  nullLit,
  fc.tuple(stringField, fc.constantFrom('a', '^k', '(?i)k', 'é$')).map(([left, p]): Expression => ({
    type: 'Regex',
    negated: false,
    left,
    pattern: { type: 'String', value: p, ...at },
    ...at,
  })),
  fc.tuple(stringField, fc.integer({ min: 0, max: 3 })).map(([s, k]): Expression => ({
    type: 'Compare',
    op: '>',
    left: { type: 'Call', name: 'len', args: [s], ...at },
    right: { type: 'Number', value: k, text: String(k), ...at },
    ...at,
  })),
);

const { condition } = fc.letrec<{ condition: Expression }>((tie) => ({
  condition: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'cond' },
    comparison,
    tie('condition').map((operand): Expression => ({ type: 'Not', operand, ...at })),
    fc
      .tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), tie('condition'), tie('condition'))
      .map(([op, left, right]): Expression => ({ type: 'Logical', op, left, right, ...at })),
  ),
}));

describe('SQL translation equals in-memory evaluation', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE r (id INTEGER PRIMARY KEY, t TEXT, doc TEXT NOT NULL)');
  db.exec("CREATE INDEX r_s ON r (json_extract(doc, '$.s'))");
  const clear = db.prepare('DELETE FROM r');
  const insert = db.prepare('INSERT INTO r (id, t, doc) VALUES (?, ?, ?)');
  afterAll(() => db.close());

  it('ids(SQL + residual) = ids(memory) for generated rows and WHERE expressions', () => {
    let translatedSome = 0;
    let translatedAll = 0;
    const runs = 3000;
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 20 }), condition, (rows, expr) => {
        clear.run();
        rows.forEach((row, id) => insert.run(id, row.t ?? null, JSON.stringify(row)));
        const t = translateWhere(expr, schema);
        if (t.sql !== undefined) translatedSome++;
        if (t.complete) translatedAll++;
        const sql = `SELECT id FROM r WHERE ${t.sql ?? '1'} ORDER BY id`;
        const selected = db
          .prepare<unknown[], { id: number }>(sql)
          .all(...t.params)
          .map((r) => r.id);
        const viaSql = selected.filter((id) => !t.residual || evaluateWhere(t.residual, rows[id] ?? {}));
        const inMemory = rows.flatMap((row, id) => (evaluateWhere(expr, row) ? [id] : []));
        expect(viaSql, `${printExpression(expr)}\n${sql}\n${JSON.stringify(t.params)}`).toEqual(inMemory);
      }),
      { numRuns: runs },
    );
    // The property is not vacuous: most generated conditions reach SQL, many entirely.
    expect(translatedSome).toBeGreaterThan(runs / 2);
    expect(translatedAll).toBeGreaterThan(runs / 4);
  });
});

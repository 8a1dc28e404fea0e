import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KarlProgram, KarlRule, KarlSelector } from './karl-ast.js';
import { parseKarl } from './karl-parser.js';
import { printKarl, printKarlProgram } from './karl-printer.js';
import { karlToAffinity } from './karl.js';

/** Properties: every rule the parser accepts prints back to itself, and every Affinity KARL can say prints back to itself. */

const at = { start: 0, end: 0 };

function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'start' && k !== 'end')
      .map(([k, v]) => [k, strip(v)]),
  );
}

// Keys include words the grammar also uses as keywords.
const key = fc.oneof(
  fc.constantFrom(
    'app',
    'tier',
    'has',
    'not',
    'in',
    'notin',
    'on',
    'weight',
    'node',
    'example.com/role',
    'kubernetes.io/hostname',
    '1',
  ),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/),
);
const value = fc.oneof(
  fc.constant(''),
  fc.constantFrom('web', 'true', 'in', 'a.b_c-d'),
  fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,6}[A-Za-z0-9])?$/),
);
const values = fc.array(value, { minLength: 1, maxLength: 3 });

const selector: fc.Arbitrary<KarlSelector> = fc.oneof(
  fc.tuple(key, value).map(([k, v]) => ({ key: k, operator: 'Equals' as const, values: [v], ...at })),
  fc.tuple(key, values).map(([k, vs]) => ({ key: k, operator: 'In' as const, values: vs, ...at })),
  fc.tuple(key, values).map(([k, vs]) => ({ key: k, operator: 'NotIn' as const, values: vs, ...at })),
  key.map((k) => ({ key: k, operator: 'Exists' as const, values: [], ...at })),
  key.map((k) => ({ key: k, operator: 'DoesNotExist' as const, values: [], ...at })),
);

const ruleType = fc.constantFrom('REQUIRE', 'PREFER', 'AVOID', 'REPEL' as const);
const weight = fc.option(fc.integer({ min: 1, max: 99 }), { nil: undefined });

const podRule: fc.Arbitrary<KarlRule> = fc
  .record({
    rule: ruleType,
    selectors: fc.array(selector, { minLength: 1, maxLength: 3 }),
    topology: fc.constantFrom('node', 'zone', 'region', 'rack' as const),
    weight,
  })
  .map(({ rule, selectors, topology, weight: w }) => ({
    type: 'Rule' as const,
    rule,
    target: 'pods' as const,
    selectors,
    topology,
    ...(w !== undefined && (rule === 'PREFER' || rule === 'REPEL') ? { weight: w } : {}),
    ...at,
  }));

const nodeRule: fc.Arbitrary<KarlRule> = fc
  .record({
    rule: ruleType,
    selectors: fc.array(selector, { minLength: 1, maxLength: 3 }),
    onNode: fc.boolean(),
    weight,
  })
  .map(({ rule, selectors, onNode, weight: w }) => ({
    type: 'Rule' as const,
    rule,
    target: 'nodes' as const,
    selectors: rule === 'REPEL' ? selectors.slice(0, 1) : selectors,
    ...(onNode ? { topology: 'node' as const } : {}),
    ...(w !== undefined && (rule === 'PREFER' || rule === 'REPEL') ? { weight: w } : {}),
    ...at,
  }));

const program: fc.Arbitrary<KarlProgram> = fc
  .array(fc.oneof(podRule, nodeRule), { maxLength: 5 })
  .map((rules) => ({ rules }));

describe('KARL round trips', () => {
  it('parseKarl(printKarlProgram(p)) equals p', () => {
    fc.assert(
      fc.property(program, (p) => {
        const text = printKarlProgram(p);
        expect(strip(parseKarl(text)), text).toEqual(strip(p));
      }),
      { numRuns: 300 },
    );
  });

  it('an Affinity from at most one hard node rule prints, and the print converts back to it', () => {
    fc.assert(
      fc.property(program, (p) => {
        const hardNodeRules = p.rules.filter(
          (r) => r.target === 'nodes' && (r.rule === 'REQUIRE' || r.rule === 'AVOID'),
        );
        const affinity = karlToAffinity(p);
        const printed = printKarl(affinity);
        if (hardNodeRules.length <= 1) expect(printed).toBeDefined();
        if (printed !== undefined) expect(karlToAffinity(parseKarl(printed)), printed).toEqual(affinity);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but KarlSyntaxError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          parseKarl(text);
        } catch (e: unknown) {
          expect((e as Error).name).toBe('KarlSyntaxError');
        }
      }),
      { numRuns: 300 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { UsageError, type Affinity } from '../api/index.js';
import { KarlSyntaxError } from './karl-ast.js';
import { parseKarl } from './karl-parser.js';
import { printKarl, printKarlProgram } from './karl-printer.js';
import { karlAffinity } from './karl.js';

function karlError(text: string): KarlSyntaxError {
  try {
    karlAffinity(text, '--target-affinity');
  } catch (e: unknown) {
    if (e instanceof KarlSyntaxError) return e;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

const hostname = 'kubernetes.io/hostname';
const zone = 'topology.kubernetes.io/zone';

describe('karlAffinity: pods(…)', () => {
  it.each<[string, Affinity]>([
    [
      'REQUIRE pods(app=database) on node',
      {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'database' } }, topologyKey: hostname },
          ],
        },
      },
    ],
    [
      'PREFER pods(app=web) on zone weight=80',
      {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 80,
              podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: zone },
            },
          ],
        },
      },
    ],
    [
      'AVOID pods(has debug) on node',
      {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              labelSelector: { matchExpressions: [{ key: 'debug', operator: 'Exists' }] },
              topologyKey: hostname,
            },
          ],
        },
      },
    ],
    [
      'REPEL pods(app in [web,api],not has debug) on zone weight=80',
      {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 80,
              podAffinityTerm: {
                labelSelector: {
                  matchExpressions: [
                    { key: 'app', operator: 'In', values: ['web', 'api'] },
                    { key: 'debug', operator: 'DoesNotExist' },
                  ],
                },
                topologyKey: zone,
              },
            },
          ],
        },
      },
    ],
    [
      'repel pods(type not in [production,critical]) on region',
      {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                labelSelector: {
                  matchExpressions: [{ key: 'type', operator: 'NotIn', values: ['production', 'critical'] }],
                },
                topologyKey: 'topology.kubernetes.io/region',
              },
            },
          ],
        },
      },
    ],
    [
      'REQUIRE pods(app.kubernetes.io/name==db, tier!=cache, env notin (dev, test), !legacy, monitored) on rack',
      {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              labelSelector: {
                matchLabels: { 'app.kubernetes.io/name': 'db' },
                matchExpressions: [
                  { key: 'tier', operator: 'NotIn', values: ['cache'] },
                  { key: 'env', operator: 'NotIn', values: ['dev', 'test'] },
                  { key: 'legacy', operator: 'DoesNotExist' },
                  { key: 'monitored', operator: 'Exists' },
                ],
              },
              topologyKey: 'topology.kubernetes.io/rack',
            },
          ],
        },
      },
    ],
  ])('%s', (text, want) => {
    expect(karlAffinity(text)).toEqual(want);
  });

  it('accepts the topology without "on" (as KARL\'s README writes it) and a repeated key', () => {
    expect(karlAffinity('REPEL pods(app=a, app=b) zone weight=5')).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 5,
            podAffinityTerm: {
              labelSelector: {
                matchLabels: { app: 'a' },
                matchExpressions: [{ key: 'app', operator: 'In', values: ['b'] }],
              },
              topologyKey: zone,
            },
          },
        ],
      },
    });
  });
});

describe('karlAffinity: nodes(…)', () => {
  it.each<[string, Affinity]>([
    [
      'REQUIRE nodes(storage=nvme, zone in [a,b])',
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'storage', operator: 'In', values: ['nvme'] },
                  { key: 'zone', operator: 'In', values: ['a', 'b'] },
                ],
              },
            ],
          },
        },
      },
    ],
    [
      'PREFER nodes(topology.kubernetes.io/zone=us-east-1a)',
      {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              preference: { matchExpressions: [{ key: zone, operator: 'In', values: ['us-east-1a'] }] },
            },
          ],
        },
      },
    ],
    [
      'AVOID nodes(special-workload=true)',
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'special-workload', operator: 'NotIn', values: ['true'] }] },
            ],
          },
        },
      },
    ],
    [
      // NOT (gpu=true AND legacy exists) = gpu not in [true] OR legacy does not exist.
      'AVOID nodes(gpu=true, has legacy)',
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['true'] }] },
              { matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }] },
            ],
          },
        },
      },
    ],
    [
      'REPEL nodes(role notin [infra]) weight=30 ; PREFER nodes(!tainted) weight=1',
      {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 30,
              preference: { matchExpressions: [{ key: 'role', operator: 'In', values: ['infra'] }] },
            },
            { weight: 1, preference: { matchExpressions: [{ key: 'tainted', operator: 'DoesNotExist' }] } },
          ],
        },
      },
    ],
  ])('%s', (text, want) => {
    expect(karlAffinity(text)).toEqual(want);
  });

  it('ANDs several hard node rules by combining their OR-ed terms', () => {
    const a = karlAffinity('REQUIRE nodes(disk=ssd)\nAVOID nodes(a=1, b=2)');
    expect(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      {
        matchExpressions: [
          { key: 'disk', operator: 'In', values: ['ssd'] },
          { key: 'a', operator: 'NotIn', values: ['1'] },
        ],
      },
      {
        matchExpressions: [
          { key: 'disk', operator: 'In', values: ['ssd'] },
          { key: 'b', operator: 'NotIn', values: ['2'] },
        ],
      },
    ]);
  });
});

describe('parseKarl: programs', () => {
  it('separates rules with ";" or newlines, skips comments and blank lines, and keeps order', () => {
    const text =
      '# placement\nREQUIRE pods(app=db) on node;\n\n  PREFER nodes(disk=ssd) weight=50 # fast disks\nAVOID pods(\n  app=batch\n) on zone;';
    const p = parseKarl(text);
    expect(p.rules.map((r) => `${r.rule} ${r.target}`)).toEqual([
      'REQUIRE pods',
      'PREFER nodes',
      'AVOID pods',
    ]);
    expect(p.rules[1]).toMatchObject({ start: 45, end: 77, weight: 50 });
  });

  it('accepts empty text as no rules', () => {
    expect(parseKarl('  \n# nothing\n;').rules).toEqual([]);
    expect(karlAffinity('')).toEqual({});
  });

  it('locates selectors', () => {
    const [rule] = parseKarl('AVOID pods(a in [x, y], has b) on node').rules;
    expect(rule?.selectors.map((s) => [s.start, s.end])).toEqual([
      [11, 22],
      [24, 29],
    ]);
  });
});

describe('KarlSyntaxError', () => {
  it.each([
    ['INVALID pods(app=web) on node', 0, 'expected REQUIRE, PREFER, AVOID or REPEL but found "INVALID"'],
    [
      'REQUIRE pods(app=web)',
      21,
      'expected "on node", "on zone", "on region" or "on rack" but found end of rule',
    ],
    ['REQUIRE pods(app=web) on invalid', 25, 'expected node, zone, region or rack but found "invalid"'],
    [
      'REQUIRE services(my-service) on node',
      8,
      'unsupported target type "services": use pods(…) or nodes(…)',
    ],
    ['REQUIRE pods() on node', 13, 'expected a label key but found ")"'],
    ['REQUIRE pods(app=web on node', 21, 'expected "," or ")" but found "on"'],
    ['REQUIRE pods(app in [a,) on node', 23, 'expected a label value but found ")"'],
    ['REQUIRE pods(app in web) on node', 20, 'expected "[" but found "web"'],
    ['REQUIRE pods(app not web) on node', 21, 'expected "in" but found "web"'],
    [
      'REQUIRE pods(app=web) on node weight=50',
      30,
      'weight applies only to PREFER and REPEL rules, not REQUIRE',
    ],
    ['PREFER pods(app=web) on zone weight=150', 36, 'weight must be from 1 to 100, not 150'],
    ['REPEL pods(app=web) on zone weight=0', 35, 'weight must be from 1 to 100, not 0'],
    ['PREFER pods(app=web) on zone weight=high', 36, 'expected a weight from 1 to 100 but found "high"'],
    [
      'PREFER pods(app=web) on zone extra',
      29,
      'expected "on", "weight=N", ";" or end of rule but found "extra"',
    ],
    ['REQUIRE nodes(a=1) on zone', 22, 'nodes(…) selects nodes by their labels; "on zone" does not apply'],
    ['REPEL nodes(a=1, b=2)', 0, 'REPEL nodes(…) takes one selector'],
    ['REQUIRE pods(-bad=1) on node', 13, '"-bad" is not a label key'],
    ['REQUIRE pods(app=bad value) on node', 21, 'expected "," or ")" but found "value"'],
    ['REQUIRE pods(app="-x") on node', 17, '"-x" is not a label value'],
    ['REQUIRE pods(app="x) on node', 17, 'unterminated quoted value'],
    ['REQUIRE pods(app@x) on node', 16, 'unexpected character "@"'],
    [
      'REQUIRE pods(a=1) on node\nPREFER pods(b=2) on moon',
      46,
      'expected node, zone, region or rack but found "moon"',
    ],
  ])('%s', (text, offset, reason) => {
    const e = karlError(text);
    expect(e).toBeInstanceOf(UsageError);
    expect(e.exitCode).toBe(2);
    expect(e.offset).toBe(offset);
    expect(e.summary).toContain(reason);
  });

  it('gives line, column, the rule with a caret, and a hint', () => {
    const e = karlError('REQUIRE pods(a=1) on node\nPREFER pods(b=2) on zone weight=500');
    expect(e.line).toBe(2);
    expect(e.column).toBe(33);
    expect(e.message).toBe(
      '--target-affinity: affinity rule error at line 2, column 33: weight must be from 1 to 100, not 500\n' +
        '  PREFER pods(b=2) on zone weight=500\n' +
        '                                  ^^^',
    );
    expect(karlError('AVOID pods(a=1) on node weight=5').hint).toContain('drop the weight');
  });
});

describe('printers', () => {
  it.each([
    ['require pods( app = db ) ON Node', 'REQUIRE pods(app=db) on node'],
    [
      'REPEL pods(app in [web,api],!debug) zone weight=100',
      'REPEL pods(app in [web, api], not has debug) on zone',
    ],
    ["PREFER nodes(disk!=hdd, x='') weight=7", 'PREFER nodes(disk not in [hdd], x="") weight=7'],
  ])('%s prints as %s', (text, want) => {
    expect(printKarlProgram(parseKarl(text))).toBe(want);
  });

  it('prints an Affinity back to KARL that converts to the same Affinity', () => {
    const text =
      'REQUIRE nodes(disk=ssd, zone in [a, b]); PREFER nodes(gpu=true) weight=50; REQUIRE pods(app=db) on node; ' +
      'PREFER pods(tier in [web]) on zone weight=10; AVOID pods(has debug) on rack; REPEL pods(app=batch) on region';
    const affinity = karlAffinity(text);
    const printed = printKarl(affinity);
    expect(printed).toBe(text);
    expect(karlAffinity(printed ?? '')).toEqual(affinity);
  });

  it('prints AVOID for negated single-requirement terms', () => {
    const affinity = karlAffinity('AVOID nodes(a=1, has b)');
    expect(printKarl(affinity)).toBe('AVOID nodes(a=1, has b)');
  });

  it('returns undefined for what KARL cannot say', () => {
    const term = { labelSelector: { matchLabels: { app: 'x' } }, topologyKey: hostname };
    expect(
      printKarl({
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term, namespaces: ['other'] }] },
      }),
    ).toBeUndefined();
    expect(
      printKarl({
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ ...term, topologyKey: 'example.com/pdu' }],
        },
      }),
    ).toBeUndefined();
    expect(
      printKarl({
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'cpu', operator: 'Gt', values: ['8'] }] }],
          },
        },
      }),
    ).toBeUndefined();
    expect(printKarl(karlAffinity('REQUIRE nodes(a=1); AVOID nodes(b=1, c=1)'))).toBeUndefined();
    expect(printKarl({})).toBe('');
  });
});

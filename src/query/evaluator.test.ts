import { describe, expect, it } from 'vitest';
import { QueryError } from './errors.js';
import { evaluateWhere } from './evaluator.js';
import { parseExpression } from './parser.js';
import { runQuery } from './run-query.js';
import { vms } from './test-vms.fixture.js';

function ids(query: string): number[] {
  return runQuery(query, vms).rows.map((r) => (r as { id: number }).id);
}

describe('conditions over inventory rows', () => {
  const cases: [string, number[]][] = [
    // comparisons
    ["name = 'prod-web-1'", [1]],
    ["name == 'prod-web-1'", [1]],
    ["name != 'prod-web-1'", [2, 3, 4, 5]],
    ["name <> 'prod-web-1'", [2, 3, 4, 5]],
    ['memoryMB > 4096', [1, 2]],
    ['memoryMB >= 4Ki', [1, 2, 5]],
    ['memoryMB < 4096', [3]],
    ['memoryMB <= 2048', [3]],
    ["memoryMB > 4096 and powerState = 'poweredOff'", [2]],
    ["cluster = 'prod' or cpuCount = 1", [1, 2, 3, 4]],
    ["name = 'where-vm'", [5]],
    ['name = "where-vm"', [5]],
    ['name = `where-vm`', [5]],
    ["name > 'test'", [3, 5]],
    // missing values: three-valued logic
    ["powerState != 'poweredOn'", [2, 3]],
    ["not powerState = 'poweredOn'", [2, 3]],
    ["not (powerState = 'poweredOn') or powerState is null", [2, 3, 4]],
    ["len(nics) > 0 or name = 'test-vm'", [1, 3]],
    ['guestId is null', [3, 4, 5]],
    ['guestId is not null', [1, 2]],
    ['guestId = null', [3, 4, 5]],
    ['guestId != null', [1, 2]],
    ['memoryMB is null', [4]],
    ['memoryMB = null', [4]],
    // booleans
    ['isTemplate', [4]],
    ['isTemplate = true', [4]],
    ['not isTemplate', [1]],
    ['isTemplate = false', [1]],
    ['true', [1, 2, 3, 4, 5]],
    ['false', []],
    ['null', []],
    // types do not mix
    ['memStr = 8192', []],
    ['memStr != 8192', [4]],
    ["memStr = '8192'", [4]],
    ["cpuCount > 'a'", []],
    // arithmetic
    ['memoryMB / 1024 >= 8', [1, 2]],
    ['cpuCount * 2 = 8', [1]],
    ['cpuCount % 2 = 1', [3]],
    ['cpuCount + 1 = 3', [4, 5]],
    ['cpuCount - 1 = 0', [3]],
    ['-cpuCount < -8', [2]],
    ['memoryMB / 0 > 1', []],
    ['memoryMB >= 8Gi / 1Mi', [1, 2]],
    // LIKE / ILIKE
    ["name like 'prod-%'", [1, 2]],
    ["name ilike 'prod-%'", [1, 2, 4]],
    ["name ilike 'PROD-%'", [1, 2, 4]],
    ["name not like 'prod-%'", [3, 4, 5]],
    ["name not ilike 'prod-%'", [3, 5]],
    ["name like 'test-__'", [3]],
    ["name like 'test-_'", []],
    ["name like '%-1'", [1, 2]],
    ["name like 'prod'", []],
    ["notes like 'line1%'", [5]],
    ["guestId like '%\\_64%'", [1, 2]],
    // regular expressions
    ["name ~= 'db'", [2]],
    ["name ~= '^prod'", [1, 2]],
    ["name ~= '(?i)^prod'", [1, 2, 4]],
    ["name ~! 'prod'", [3, 4, 5]],
    ["name ~= '\\d$'", [1, 2]],
    ["name ~= 'web|db'", [1, 2]],
    // IN
    ["cluster in ['prod', 'staging']", [1, 2, 4]],
    ["cluster in ('test')", [3, 5]],
    ["cluster not in ['prod']", [3, 5]],
    ['cluster in []', []],
    ['cluster not in []', [1, 2, 3, 4, 5]],
    ["powerState in ['poweredOn', null]", [1, 4, 5]],
    ["powerState not in ['poweredOn']", [2, 3]],
    ['cpuCount in [1, 16]', [2, 3]],
    ["'web' in tags", [1]],
    ["'db' not in tags", [1, 3]],
    // BETWEEN
    ['cpuCount between 2 and 4', [1, 4, 5]],
    ['cpuCount not between 2 and 4', [2, 3]],
    ["name between 'p' and 'q'", [1, 2]],
    // dates: unquoted literals; a date-only literal is the whole UTC day
    ['created between 2024-01-01 and 2024-01-31', [1]],
    ['created = 2024-02-01', [2]],
    ['created != 2024-02-01', [1, 3]],
    ['created < 2024-01-01', [3]],
    ['created <= 2024-01-31', [1, 3]],
    ['created > 2024-01-31', [2]],
    ['created >= 2024-02-01T00:00:00Z', [2]],
    ['created > 2024-01-31T12:00:00+02:00', [1, 2]],
    ['2024-01-01 > created', [3]],
    ["created > '2024-01-01'", [1, 2]],
    // functions
    ['len(disks) > 1', [1]],
    ['len(nics) = 0', [2]],
    ['len(name) = 7', [3]],
    ['len(labels) = 2', [1]],
    ['sum(disks[*].capacity) > 300Gi', [2]],
    ['sum(disks[*].capacity) = 0', [3]],
    ['any(disks[*].capacity > 100Gi)', [1, 2]],
    ['not any(disks[*].capacity > 100Gi)', [3, 4, 5]],
    ['all(disks[*].thin)', [2, 3, 5]],
    ['all(disks[*].thin = true)', [2, 3, 5]],
    ['any(disks[*].capacity > 100Gi and disks[*].thin)', [2]],
    ['any(disks[*].capacity / 1Gi in [10, 50])', [1, 4]],
    ["any(tags like 'w%')", [1]],
    ['any(disks.capacity >= 500Gi)', [2]],
    // paths
    ['disks[0].capacity = 50Gi', [1]],
    ['disks.0.capacity = 50Gi', [1]],
    ['disks[1].capacity > 0', [1]],
    ["labels[app.kubernetes.io/name] = 'web'", [1]],
    ["labels['app.kubernetes.io/name'] = 'db'", [2]],
    ["labels.tier = 'front'", [1]],
    ["labels['tier'] = 'front'", [1]],
    ["tags[0] = 'db'", [2]],
  ];
  for (const [query, expected] of cases) {
    it(query, () => {
      expect(ids(query)).toEqual(expected);
    });
  }
});

describe('evaluateWhere', () => {
  it('memoryGB > 4 (a computed field)', () => {
    const computed = { memoryGB: (r: Readonly<Record<string, unknown>>) => Number(r.memoryMB) / 1024 };
    const expr = parseExpression('memoryGB > 4');
    expect(vms.filter((vm) => evaluateWhere(expr, vm, { computed })).map((vm) => vm.id)).toEqual([1, 2]);
  });

  it('boom = 1 (a computed field that throws is null for that row)', () => {
    const computed = {
      boom: (r: Readonly<Record<string, unknown>>) => {
        if (r.id === 2) throw new Error('no');
        return 1;
      },
    };
    const expr = parseExpression('boom = 1 or boom is null');
    expect(vms.filter((vm) => evaluateWhere(expr, vm, { computed })).map((vm) => vm.id)).toEqual([
      1, 2, 3, 4, 5,
    ]);
  });

  it("name = 'x' on a row with no fields", () => {
    expect(evaluateWhere(parseExpression("name = 'x'"), {})).toBe(false);
    expect(evaluateWhere(parseExpression("not name = 'x'"), {})).toBe(false);
  });

  it('constructor is null (only own properties are fields)', () => {
    expect(evaluateWhere(parseExpression('constructor is null'), {})).toBe(true);
  });

  it("disks.capacity > 100Gi (a list found at run time is an error, not 'no match')", () => {
    expect(() => evaluateWhere(parseExpression('disks.capacity > 100Gi'), vms[0] ?? {})).toThrow(QueryError);
    expect(() => evaluateWhere(parseExpression('disks.capacity > 100Gi'), vms[0] ?? {})).toThrow(
      /any\(…\) or all/,
    );
  });

  it('any(disks[*].capacity = disks[*].size) (element-wise lists must have the same length)', () => {
    const row = { disks: [{ capacity: 1, size: 1 }, { capacity: 2 }] };
    expect(evaluateWhere(parseExpression('any(disks[*].capacity = disks[*].size)'), row)).toBe(true);
    const uneven = { disks: [{ capacity: 1 }], other: [1, 2] };
    expect(() => evaluateWhere(parseExpression('any(disks[*].capacity = other)'), uneven)).toThrow(
      /different lengths/,
    );
  });

  it('created = 2024-05-01 (a JS Date in the row)', () => {
    const row = { created: new Date('2024-05-01T13:00:00Z') };
    expect(evaluateWhere(parseExpression('created = 2024-05-01'), row)).toBe(true);
    expect(evaluateWhere(parseExpression('created < 2024-05-01T12:00:00Z'), row)).toBe(false);
  });

  it("name ~= '(?is)^A.B$' (combined RE2-style flags)", () => {
    expect(evaluateWhere(parseExpression("name ~= '(?is)^A.B$'"), { name: 'a\nb' })).toBe(true);
    expect(evaluateWhere(parseExpression("name ~= '^A.B$'"), { name: 'a\nb' })).toBe(false);
  });

  it("name like 'a_c' (_ is one character, even outside the BMP)", () => {
    expect(evaluateWhere(parseExpression("name like 'a_c'"), { name: 'a😀c' })).toBe(true);
  });

  it("name ilike 'é%' (Unicode case folding)", () => {
    expect(evaluateWhere(parseExpression("name ilike 'é%'"), { name: 'École' })).toBe(true);
  });
});

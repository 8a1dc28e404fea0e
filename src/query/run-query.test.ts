import { describe, expect, it } from 'vitest';
import { QueryError, QueryIssueCode, QuerySyntaxError } from './errors.js';
import { fieldsOf } from './fields.js';
import { parseQuery } from './parser.js';
import { checkQuery, runQuery } from './run-query.js';
import type { RunQueryOptions } from './run-query.js';
import { vms } from './test-vms.fixture.js';

const GiB = 1024 ** 3;

function ids(query: string): number[] {
  return runQuery(query, vms).rows.map((r) => (r as { id: number }).id);
}

function queryError(query: string, rows: readonly object[] = vms, options: RunQueryOptions = {}): QueryError {
  try {
    runQuery(query, rows as Readonly<Record<string, unknown>>[], options);
  } catch (e: unknown) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error(`no QueryError for ${query}`);
}

describe('order and limit', () => {
  it('(empty query) keeps input order', () => {
    expect(ids('')).toEqual([1, 2, 3, 4, 5]);
  });

  it("where cluster = 'prod' keeps input order", () => {
    expect(ids("where cluster = 'prod'")).toEqual([1, 2, 4]);
  });

  it('order by cluster (a stable sort: ties keep input order)', () => {
    expect(ids('order by cluster')).toEqual([1, 2, 4, 3, 5]);
  });

  it('sort by cluster desc, memoryMB', () => {
    expect(ids('sort by cluster desc, memoryMB')).toEqual([3, 5, 4, 1, 2]);
  });

  it('order by memoryMB (nulls first)', () => {
    expect(ids('order by memoryMB')).toEqual([4, 3, 5, 1, 2]);
  });

  it('order by memoryMB desc (nulls last)', () => {
    expect(ids('order by memoryMB desc')).toEqual([2, 1, 5, 3, 4]);
  });

  it('order by memStr (numeric strings sort as numbers)', () => {
    const rows = [{ v: '10' }, { v: '9' }, { v: 'b' }, { v: 8 }, { v: 'a' }];
    expect(runQuery('order by v', rows).rows.map((r) => r.v)).toEqual([8, '9', '10', 'a', 'b']);
  });

  it('limit 2 (the first two in input order, every time)', () => {
    expect(ids('limit 2')).toEqual([1, 2]);
    expect(ids('where cpuCount > 1 limit 2')).toEqual([1, 2]);
  });

  it('order by cpuCount desc limit 3', () => {
    expect(ids('order by cpuCount desc limit 3')).toEqual([2, 1, 4]);
  });

  it('limit 0', () => {
    expect(ids('limit 0')).toEqual([]);
  });

  it('returns the input row objects when there is no SELECT', () => {
    const r = runQuery("name = 'test-vm'", vms);
    expect(r.columns).toBeUndefined();
    expect(r.rows[0]).toBe(vms[2]);
  });
});

describe('select', () => {
  it('select name, memoryMB / 1024 as memoryGB where memoryGB > 4 order by memoryGB desc', () => {
    expect(
      runQuery('select name, memoryMB / 1024 as memoryGB where memoryGB > 4 order by memoryGB desc', vms),
    ).toEqual({
      columns: ['name', 'memoryGB'],
      rows: [
        { name: 'prod-db-1', memoryGB: 64 },
        { name: 'prod-web-1', memoryGB: 8 },
      ],
    });
  });

  it('select name, sum(disks[*].capacity) as total where total > 30e9 order by total desc limit 3', () => {
    const r = runQuery(
      'select name, sum(disks[*].capacity) as total where total > 30e9 order by total desc limit 3',
      vms,
    );
    expect(r.rows).toEqual([
      { name: 'prod-db-1', total: 500 * GiB },
      { name: 'prod-web-1', total: 250 * GiB },
      { name: 'where-vm', total: 100 * GiB },
    ]);
  });

  it('select name, len(disks), disks[*].capacity, labels[tier] (columns are the printed expressions)', () => {
    const r = runQuery(
      "select name, len(disks), disks[*].capacity, labels[tier] where name = 'prod-web-1'",
      vms,
    );
    expect(r.columns).toEqual(['name', 'len(disks)', 'disks[*].capacity', 'labels[tier]']);
    expect(r.rows).toEqual([
      {
        name: 'prod-web-1',
        'len(disks)': 2,
        'disks[*].capacity': [50 * GiB, 200 * GiB],
        'labels[tier]': 'front',
      },
    ]);
  });

  it('select name, name (duplicate columns get a suffix)', () => {
    expect(runQuery('select name, name limit 1', vms).columns).toEqual(['name', 'name_2']);
  });

  it('select name, guestId where id = 3 (missing values are null)', () => {
    expect(runQuery('select name, guestId where id = 3', vms).rows).toEqual([
      { name: 'test-vm', guestId: null },
    ]);
  });

  it('select name, memoryGB order by memoryGB desc limit 1 (computed fields)', () => {
    const computed = { memoryGB: (r: Readonly<Record<string, unknown>>) => Number(r.memoryMB) / 1024 };
    expect(runQuery('select name, memoryGB order by memoryGB desc limit 1', vms, { computed }).rows).toEqual([
      { name: 'prod-db-1', memoryGB: 64 },
    ]);
  });

  it('select memoryMB / 1024 as memoryMB where memoryMB > 4 (an alias may hide the field it uses)', () => {
    expect(runQuery('select memoryMB / 1024 as memoryMB where memoryMB > 4', vms).rows).toEqual([
      { memoryMB: 8 },
      { memoryMB: 64 },
    ]);
  });

  it('select 2024-05-01 as day limit 1 (times are ISO text in results)', () => {
    expect(runQuery('select 2024-05-01 as day limit 1', vms).rows).toEqual([{ day: '2024-05-01' }]);
  });
});

describe('group by and aggregates', () => {
  it('select cluster, count(*) as vms, sum(memoryMB) as memory group by cluster order by memory desc', () => {
    const r = runQuery(
      'select cluster, count(*) as vms, sum(memoryMB) as memory group by cluster order by memory desc',
      vms,
    );
    expect(r).toEqual({
      columns: ['cluster', 'vms', 'memory'],
      rows: [
        { cluster: 'prod', vms: 3, memory: 73728 },
        { cluster: 'test', vms: 2, memory: 6144 },
      ],
    });
  });

  it('select cluster, avg(cpuCount), min(name), max(memoryMB), count(memoryMB) group by cluster', () => {
    expect(
      runQuery(
        'select cluster, avg(cpuCount), min(name), max(memoryMB), count(memoryMB) group by cluster',
        vms,
      ).rows,
    ).toEqual([
      {
        cluster: 'prod',
        'avg(cpuCount)': 22 / 3,
        'min(name)': 'Prod-Legacy',
        'max(memoryMB)': 65536,
        'count(memoryMB)': 2,
      },
      {
        cluster: 'test',
        'avg(cpuCount)': 1.5,
        'min(name)': 'test-vm',
        'max(memoryMB)': 4096,
        'count(memoryMB)': 2,
      },
    ]);
  });

  it('select sum(memoryMB) (no [*]: the aggregate over all rows)', () => {
    expect(runQuery('select sum(memoryMB)', vms).rows).toEqual([{ 'sum(memoryMB)': 79872 }]);
  });

  it('select count(*) where cluster = "none" (one row, even with no input)', () => {
    expect(runQuery("select count(*) where cluster = 'none'", vms).rows).toEqual([{ 'count(*)': 0 }]);
  });

  it('select cluster, sum(disks[*].capacity) as capacity group by cluster (lists flatten into the total)', () => {
    expect(runQuery('select cluster, sum(disks[*].capacity) as capacity group by cluster', vms).rows).toEqual(
      [
        { cluster: 'prod', capacity: 760 * GiB },
        { cluster: 'test', capacity: 100 * GiB },
      ],
    );
  });

  it('select cluster, max(sum(disks[*].capacity)) as biggest group by cluster (per-row sum inside)', () => {
    expect(
      runQuery('select cluster, max(sum(disks[*].capacity)) as biggest group by cluster', vms).rows,
    ).toEqual([
      { cluster: 'prod', biggest: 500 * GiB },
      { cluster: 'test', biggest: 100 * GiB },
    ]);
  });

  it('group by powerState (without SELECT: the groups and a count; null is a group)', () => {
    expect(runQuery('group by powerState', vms)).toEqual({
      columns: ['powerState', 'count'],
      rows: [
        { powerState: 'poweredOn', count: 2 },
        { powerState: 'poweredOff', count: 1 },
        { powerState: 'suspended', count: 1 },
        { powerState: null, count: 1 },
      ],
    });
  });

  it('select powerState as state, count(*) as n group by state order by n desc, state limit 2', () => {
    expect(
      runQuery('select powerState as state, count(*) as n group by state order by n desc, state limit 2', vms)
        .rows,
    ).toEqual([
      { state: 'poweredOn', n: 2 },
      { state: null, n: 1 },
    ]);
  });

  it('select cluster, count(*) where memoryMB > 3000 group by cluster order by count(*)', () => {
    expect(
      runQuery('select cluster, count(*) where memoryMB > 3000 group by cluster order by count(*)', vms).rows,
    ).toEqual([
      { cluster: 'test', 'count(*)': 1 },
      { cluster: 'prod', 'count(*)': 2 },
    ]);
  });

  it('select memoryMB / 1024 as gb, count(*) group by memoryMB / 1024 (group expressions)', () => {
    expect(
      runQuery('select memoryMB / 1024 as gb, count(*) as n group by memoryMB / 1024 order by gb', vms).rows,
    ).toEqual([
      { gb: null, n: 1 },
      { gb: 2, n: 1 },
      { gb: 4, n: 1 },
      { gb: 8, n: 1 },
      { gb: 64, n: 1 },
    ]);
  });
});

describe('errors name the problem, point at it, and suggest a fix', () => {
  it('where memorymb > 1 (did you mean memoryMB?)', () => {
    const e = queryError('where memorymb > 1');
    expect(e.issues).toEqual([
      expect.objectContaining({
        code: QueryIssueCode.UnknownField,
        start: 6,
        end: 14,
        suggestions: ['memoryMB'],
      }),
    ]);
    expect(e.message).toBe(
      'query error: unknown field memorymb: no row has it (did you mean memoryMB?)\n' +
        '  where memorymb > 1\n' +
        '        ^^^^^^^^',
    );
  });

  it('any(disks[*].capcity > 1) (nested fields are checked too)', () => {
    expect(queryError('any(disks[*].capcity > 1)').issues[0]?.suggestions).toEqual(['disks[*].capacity']);
  });

  it('select nmae, cpus where powerstate = 1 (every unknown field is reported)', () => {
    const e = queryError('select nmae, cpus where powerstate = 1');
    expect(e.issues.map((i) => [i.message, i.suggestions])).toEqual([
      ['unknown field nmae: no row has it', ['name']],
      ['unknown field cpus: no row has it', ['cpuCount']],
      ['unknown field powerstate: no row has it', ['powerState']],
    ]);
  });

  it('where memoryGB > 4 (a computed field is known)', () => {
    expect(() => runQuery('where memoryGB > 4', vms, { computed: { memoryGB: () => 1 } })).not.toThrow();
  });

  it("where labels[anything] = 'x' (map keys are data, not field names)", () => {
    expect(ids("where labels[anything] = 'x'")).toEqual([]);
  });

  it('where datastore = 1 (a known field no row has is not an error)', () => {
    expect(runQuery('where datastore = 1', vms, { knownFields: ['datastore'] }).rows).toEqual([]);
    expect(runQuery('where host.id = 1', vms, { knownFields: ['host'] }).rows).toEqual([]);
  });

  it('where nme = 1 (with no rows, knownFields still catch typos)', () => {
    expect(
      queryError('where nme = 1', [], { knownFields: ['name', 'memoryMB'] }).issues[0]?.suggestions,
    ).toEqual(['name']);
  });

  it('where anything = 1 (no rows and no knownFields: nothing to check against)', () => {
    expect(runQuery('where anything = 1', []).rows).toEqual([]);
  });

  it('where disks[7].capacity > 0 (an index past every list is data, not a typo)', () => {
    expect(ids('where disks[7].capacity > 0')).toEqual([]);
  });

  it('any(disks[*].capcity > 1) over rows whose lists are all empty (nothing to judge by)', () => {
    expect(runQuery('any(disks[*].capcity > 1)', [{ disks: [] }]).rows).toEqual([]);
  });

  it('where nmae = 1 (checkFields: false)', () => {
    expect(runQuery('where nmae = 1', vms, { checkFields: false }).rows).toEqual([]);
  });

  it('disks[*].capacity > 100Gi (a list compared as one value)', () => {
    const e = queryError('disks[*].capacity > 100Gi');
    expect(e.code).toBe(QueryIssueCode.ArrayComparison);
    expect(e.message).toContain('any(');
    expect(e.message).toContain('\n  disks[*].capacity > 100Gi\n  ^^^^^^^^^^^^^^^^^');
  });

  it('disks.capacity > 100Gi (found at run time, still located)', () => {
    const e = queryError('where disks.capacity > 100Gi');
    expect(e.code).toBe(QueryIssueCode.ArrayComparison);
    expect(e.message).toContain('\n  where disks.capacity > 100Gi\n        ^^^^^^^^^^^^^^');
  });

  it("tags = ['a'] (a list literal outside IN)", () => {
    expect(queryError("tags = ['a']").code).toBe(QueryIssueCode.ArrayComparison);
  });

  it('lenn(disks) > 1 (unknown function, did you mean len()?)', () => {
    const e = queryError('lenn(disks) > 1');
    expect(e.issues[0]).toMatchObject({
      code: QueryIssueCode.UnknownFunction,
      suggestions: ['len()'],
      start: 0,
    });
  });

  it('len(disks, nics) > 1 / sum(*) > 1', () => {
    expect(queryError('len(disks, nics) > 1').code).toBe(QueryIssueCode.Arity);
    expect(queryError('sum(*) > 1').code).toBe(QueryIssueCode.Arity);
  });

  it('where count(*) > 1 (aggregates are not allowed in WHERE)', () => {
    expect(queryError('where count(*) > 1').code).toBe(QueryIssueCode.Aggregate);
  });

  it('select max(count(*)) (no nested aggregates)', () => {
    expect(queryError('select max(count(*))').code).toBe(QueryIssueCode.Aggregate);
  });

  it('select name, count(*) (not grouped)', () => {
    const e = queryError('select name, count(*)');
    expect(e.issues[0]).toMatchObject({ code: QueryIssueCode.NotGrouped, start: 7, end: 11 });
  });

  it('select name, sum(disks.capacity) as total (sum without [*] groups; the hint says so)', () => {
    expect(queryError('select name, sum(disks.capacity) as total').issues[0]?.hint).toMatch(
      /sum\(list\[\*\]\.x\)/,
    );
  });

  it("name ~= '(' (invalid regular expression)", () => {
    const e = queryError("name ~= '('");
    expect(e.issues[0]).toMatchObject({ code: QueryIssueCode.Regex, start: 8, end: 11 });
  });

  it('name ~= pattern (a regular expression from a field is checked when used)', () => {
    expect(queryError('name ~= pattern', [{ name: 'a', pattern: '[' }]).code).toBe(QueryIssueCode.Regex);
  });

  it('memoryMB > null / name like 5', () => {
    expect(queryError('memoryMB > null').code).toBe(QueryIssueCode.Type);
    expect(queryError('name like 5').code).toBe(QueryIssueCode.Type);
  });

  it('select name as x, cpuCount as x', () => {
    expect(queryError('select name as x, cpuCount as x').code).toBe(QueryIssueCode.DuplicateAlias);
  });

  it("where name = 'x' and (a syntax error is a QuerySyntaxError)", () => {
    expect(() => runQuery("where name = 'x' and", vms)).toThrow(QuerySyntaxError);
  });

  it('where nmae = 1 (a parsed Query keeps its text for the caret)', () => {
    const e = queryError('where nmae = 1');
    expect(e.format()).toContain('^^^^');
    expect(() => runQuery(parseQuery('where nmae = 1'), vms)).toThrow(/\n {2}where nmae = 1\n {8}\^{4}/);
  });
});

describe('checkQuery and fieldsOf', () => {
  it('select name, total where memoryMB > 1 (checkQuery without rows checks everything but fields)', () => {
    expect(() => checkQuery('select name, sum(disks[*].capacity) as total where total > 1')).not.toThrow();
    expect(() => checkQuery('where count(*) > 1')).toThrow(QueryError);
    expect(() => checkQuery('where nmae = 1', [], { knownFields: ['name'] })).toThrow(/did you mean name/);
  });

  it('select name, sum(disks[*].capacity) as total where total > 30e9 order by cluster', () => {
    expect(
      fieldsOf(
        parseQuery('select name, sum(disks[*].capacity) as total where total > 30e9 order by cluster'),
      ),
    ).toEqual(['name', 'disks[*].capacity', 'cluster']);
  });
});

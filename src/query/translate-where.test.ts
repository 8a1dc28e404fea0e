import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateWhere } from './evaluator.js';
import { parseExpression, parseQuery } from './parser.js';
import { printExpression } from './printer.js';
import { runQuery } from './run-query.js';
import { vms } from './test-vms.fixture.js';
import { translateQuery, translateWhere } from './translate-where.js';
import type { SqlColumn, SqlSchema } from './translate-where.js';

const json = (path: string, type: SqlColumn['type']): SqlColumn => ({
  sql: `json_extract(doc, '$.${path}')`,
  type,
});

const columns: Readonly<Record<string, SqlColumn>> = {
  id: { sql: 'id', type: 'number' },
  name: json('name', 'string'),
  powerState: json('powerState', 'string'),
  memoryMB: json('memoryMB', 'number'),
  cpuCount: json('cpuCount', 'number'),
  cluster: { sql: 'cluster', type: 'string' },
  guestId: json('guestId', 'string'),
  isTemplate: json('isTemplate', 'boolean'),
  memStr: json('memStr', 'string'),
  created: json('created', 'string'),
  notes: json('notes', 'string'),
};
const schema: SqlSchema = { column: (path) => columns[path] };

function translated(where: string) {
  const t = translateWhere(parseExpression(where), schema);
  return {
    sql: t.sql,
    params: t.params,
    residual: t.residual && printExpression(t.residual),
    complete: t.complete,
  };
}

describe('what translates, and to what', () => {
  it("powerState = 'poweredOn'", () => {
    expect(translated("powerState = 'poweredOn'")).toEqual({
      sql: "json_extract(doc, '$.powerState') = ?",
      params: ['poweredOn'],
      residual: undefined,
      complete: true,
    });
  });

  it("memoryMB > 60000 and powerState = 'poweredOff'", () => {
    expect(translated("memoryMB > 60000 and powerState = 'poweredOff'").sql).toBe(
      "json_extract(doc, '$.memoryMB') > ? AND json_extract(doc, '$.powerState') = ?",
    );
  });

  it("name ~= 'db' and cpuCount >= 2 and len(name) > 3 (the rest is residual)", () => {
    expect(translated("name ~= 'db' and cpuCount >= 2 and len(name) > 3")).toEqual({
      sql: "json_extract(doc, '$.cpuCount') >= ?",
      params: [2],
      residual: "name ~= 'db' and len(name) > 3",
      complete: false,
    });
  });

  it("name like 'prod-%' (an index range plus an exact GLOB)", () => {
    expect(translated("name like 'prod-%'")).toMatchObject({
      sql: "(json_extract(doc, '$.name') >= ? AND json_extract(doc, '$.name') < ? AND json_extract(doc, '$.name') GLOB ?)",
      params: ['prod-', 'prod.', 'prod-*'],
    });
  });

  it("name like 'prod' (no wildcard: equality)", () => {
    expect(translated("name like 'prod'")).toMatchObject({
      sql: "json_extract(doc, '$.name') = ?",
      params: ['prod'],
    });
  });

  it("name like '%a*b?[c]%' (GLOB metacharacters are escaped)", () => {
    expect(translated("name like '%a*b?[c]%'").params).toEqual(['*a[*]b[?][[]c]*']);
  });

  it("name ilike 'Sk-%' (ILIKE as GLOB with case classes, KELVIN SIGN and LONG S included)", () => {
    expect(translated("name ilike 'Sk-%'")).toMatchObject({
      sql: "json_extract(doc, '$.name') GLOB ?",
      params: ['[sS\u017f][kK\u212a]-*'],
    });
  });

  it("name ilike 'é%' (non-ASCII ILIKE stays in memory)", () => {
    expect(translated("name ilike 'é%'").complete).toBe(false);
  });

  it("not (powerState = 'poweredOn')", () => {
    expect(translated("not (powerState = 'poweredOn')").sql).toBe(
      "NOT (json_extract(doc, '$.powerState') = ?)",
    );
  });

  it("cluster in ['a', 'b', null] / cluster not in ['a'] / cluster in [] / cluster in ('a')", () => {
    expect(translated("cluster in ['a', 'b', null]")).toMatchObject({
      sql: '(cluster IN (?, ?) OR cluster IS NULL)',
      params: ['a', 'b'],
    });
    expect(translated("cluster not in ['a']").sql).toBe('NOT (cluster IN (?))');
    expect(translated('cluster in []').sql).toBe('0');
    expect(translated('cluster not in []').sql).toBe('1');
    expect(translated("cluster in ('a')").sql).toBe('cluster IN (?)');
  });

  it('cpuCount between 2 and 4 / cpuCount not between -1 and 4', () => {
    expect(translated('cpuCount between 2 and 4')).toMatchObject({
      sql: "json_extract(doc, '$.cpuCount') BETWEEN ? AND ?",
      params: [2, 4],
    });
    expect(translated('cpuCount not between -1 and 4').params).toEqual([-1, 4]);
  });

  it('guestId is null / guestId = null / guestId != null', () => {
    expect(translated('guestId is null').sql).toBe("json_extract(doc, '$.guestId') IS NULL");
    expect(translated('guestId = null').sql).toBe("json_extract(doc, '$.guestId') IS NULL");
    expect(translated('guestId != null').sql).toBe("json_extract(doc, '$.guestId') IS NOT NULL");
  });

  it('isTemplate / isTemplate = true (booleans as 1/0)', () => {
    expect(translated('isTemplate').sql).toBe("json_extract(doc, '$.isTemplate') = 1");
    expect(translated('isTemplate = true')).toMatchObject({ params: [1] });
  });

  it("memStr = 8192 / cpuCount > '2' (another type than the column's stays in memory)", () => {
    expect(translated('memStr = 8192').complete).toBe(false);
    expect(translated("cpuCount > '2'").complete).toBe(false);
  });

  it('created > 2024-01-01 / any(disks[*].capacity > 1) / unmapped = 1 (not translated)', () => {
    expect(translated('created > 2024-01-01').sql).toBeUndefined();
    expect(translated('any(disks[*].capacity > 1)').sql).toBeUndefined();
    expect(translated('unmapped = 1').sql).toBeUndefined();
  });

  it("powerState = 'on' or name ~= 'x' (an OR is translated whole or not at all)", () => {
    expect(translated("powerState = 'on' or name ~= 'x'").sql).toBeUndefined();
    expect(translated("powerState = 'on' or cpuCount = 1").sql).toBe(
      "(json_extract(doc, '$.powerState') = ? OR json_extract(doc, '$.cpuCount') = ?)",
    );
  });

  it('select memoryMB / 1024 as memoryMB where memoryMB > 4 and cluster = "prod" (translateQuery resolves aliases)', () => {
    const q = parseQuery("select memoryMB / 1024 as memoryMB where memoryMB > 4 and cluster = 'prod'");
    const t = translateQuery(q, schema);
    expect(t.sql).toBe('cluster = ?');
    expect(t.query.where && printExpression(t.query.where)).toBe('memoryMB > 4');
    expect(
      runQuery(
        t.query,
        vms.filter((vm) => vm.cluster === 'prod'),
      ).rows,
    ).toEqual(runQuery(q, vms).rows);
  });

  it('select cpuCount as c where c = 2 (an alias translates to its expression)', () => {
    const t = translateQuery(parseQuery('select cpuCount as c where c = 2'), schema);
    expect(t).toMatchObject({ sql: "json_extract(doc, '$.cpuCount') = ?", complete: true });
    expect(t.query.where).toBeUndefined();
  });
});

describe('SQL plus residual selects what memory selects (inventory fixture in SQLite)', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE vm (id INTEGER PRIMARY KEY, cluster TEXT, doc TEXT NOT NULL)');
  db.exec("CREATE INDEX vm_name ON vm (json_extract(doc, '$.name'))");
  const insert = db.prepare('INSERT INTO vm (id, cluster, doc) VALUES (?, ?, ?)');
  for (const vm of vms) insert.run(vm.id, vm.cluster, JSON.stringify(vm));
  afterAll(() => db.close());

  const queries = [
    "name = 'prod-web-1'",
    "powerState != 'poweredOn'",
    "not powerState = 'poweredOn'",
    "not (powerState = 'poweredOn') or powerState is null",
    'memoryMB > 4096 and cpuCount < 16',
    "name like 'prod-%'",
    "name not like 'prod-%'",
    "name ilike 'PROD-%'",
    "name not ilike 'prod-%'",
    "name like 'test-__'",
    "notes like 'line1%'",
    "guestId like '%\\_64%'",
    "cluster in ['prod', 'staging']",
    "powerState in ['poweredOn', null]",
    "powerState not in ['poweredOn']",
    'cpuCount between 2 and 4',
    'cpuCount not between 2 and 4',
    'guestId is null',
    'guestId != null',
    'memoryMB = null',
    'isTemplate',
    'not isTemplate',
    'isTemplate = false',
    'memStr = 8192',
    "memStr = '8192'",
    "name > 'test'",
    "(cluster = 'prod' or cpuCount = 1) and not (memoryMB >= 8192)",
    "name ~= '^prod' and cpuCount > 2",
    'created between 2024-01-01 and 2024-01-31',
  ];
  for (const where of queries) {
    it(where, () => {
      const expr = parseExpression(where);
      const t = translateWhere(expr, schema);
      const sql = `SELECT id FROM vm WHERE ${t.sql ?? '1'} ORDER BY id`;
      const selected = new Set(
        db
          .prepare<unknown[], { id: number }>(sql)
          .all(...t.params)
          .map((r) => r.id),
      );
      const viaSql = vms.filter(
        (vm) => selected.has(vm.id) && (!t.residual || evaluateWhere(t.residual, vm)),
      );
      const inMemory = vms.filter((vm) => evaluateWhere(expr, vm));
      expect(viaSql.map((vm) => vm.id)).toEqual(inMemory.map((vm) => vm.id));
    });
  }

  it("name < '\uff5a' (strings order by code point in memory, as SQLite's BINARY orders UTF-8)", () => {
    const rows = ['a', '😀', '\uff5a', 'ｚz'].map((name, id) => ({ id, name }));
    const dbx = new Database(':memory:');
    dbx.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, doc TEXT)');
    for (const r of rows) dbx.prepare('INSERT INTO t VALUES (?, ?)').run(r.id, JSON.stringify(r));
    for (const where of [
      "name < '\uff5a'",
      "name > '\uff5a'",
      "name >= '😀'",
      "name between 'a' and '\uff5a'",
    ]) {
      const expr = parseExpression(where);
      const t = translateWhere(expr, schema);
      expect(t.complete).toBe(true);
      const viaSql = dbx
        .prepare<unknown[], { id: number }>(`SELECT id FROM t WHERE ${t.sql ?? '1'} ORDER BY id`)
        .all(...t.params);
      expect(
        viaSql.map((r) => r.id),
        where,
      ).toEqual(rows.filter((r) => evaluateWhere(expr, r)).map((r) => r.id));
    }
    expect(
      rows.filter((r) => evaluateWhere(parseExpression("name > '\uff5a'"), r)).map((r) => r.name),
    ).toEqual(['😀', 'ｚz']);
    dbx.close();
  });

  it("name = 'prod-web-1' uses the expression index", () => {
    const t = translateWhere(parseExpression("name = 'prod-web-1'"), schema);
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM vm WHERE ${t.sql ?? '1'}`).all(...t.params);
    expect(JSON.stringify(plan)).toMatch(/SEARCH vm USING (COVERING )?INDEX vm_name/);
  });
});

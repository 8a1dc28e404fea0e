/**
 * Benchmark: a selective WHERE over 100,000 inventory-like VM rows, evaluated in memory
 * (`runQuery`) versus pushed down to SQLite through `translateQuery` (JSON documents with
 * expression indexes), residual evaluated in memory. Prints figures from one run; asserts nothing.
 *
 * Run: npx tsx scripts/bench/query-eval.ts [rows]
 */
import Database from 'better-sqlite3';
import { parseQuery, runQuery, translateQuery } from '../../src/query/index.js';
import type { SqlColumn, SqlSchema } from '../../src/query/index.js';

const count = Number(process.argv[2] ?? 100_000);
const repeats = 15;
const GiB = 1024 ** 3;

/** Deterministic pseudo-random numbers (mulberry32), so every run sees the same inventory. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildVms(n: number): Record<string, unknown>[] {
  const rnd = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  return Array.from({ length: n }, (_, i) => ({
    id: `vm-${i}`,
    name: `vm-${String(i).padStart(5, '0')}`,
    powerState: pick(['poweredOn', 'poweredOn', 'poweredOn', 'poweredOff', 'suspended']),
    memoryMB: pick([1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072]),
    cpuCount: pick([1, 2, 4, 8, 16, 32]),
    cluster: `cluster-${i % 20}`,
    host: `host-${i % 400}`,
    guestId: pick(['rhel9_64Guest', 'windows2019srv_64Guest', 'ubuntu64Guest', 'centos7_64Guest']),
    isTemplate: rnd() < 0.02,
    disks: Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, d) => ({
      key: 2000 + d,
      capacity: pick([10, 20, 50, 100, 200, 500]) * GiB,
      datastore: `ds-${Math.floor(rnd() * 30)}`,
      thin: rnd() < 0.7,
    })),
    nics: Array.from({ length: 1 + Math.floor(rnd() * 2) }, (_, k) => ({
      mac: `00:50:56:${(i >> 8) & 0xff}:${i & 0xff}:${k}`,
      network: `net-${Math.floor(rnd() * 10)}`,
    })),
  }));
}

const json = (path: string, type: SqlColumn['type']): SqlColumn => ({
  sql: `json_extract(doc, '$.${path}')`,
  type,
});
const columns: Readonly<Record<string, SqlColumn>> = {
  name: json('name', 'string'),
  powerState: json('powerState', 'string'),
  memoryMB: json('memoryMB', 'number'),
  cpuCount: json('cpuCount', 'number'),
  cluster: json('cluster', 'string'),
  isTemplate: json('isTemplate', 'boolean'),
};
const schema: SqlSchema = { column: (path) => columns[path] };

function median(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function time<T>(fn: () => T): { ms: number; result: T } {
  const samples: number[] = [];
  let result = fn(); // warm-up
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    result = fn();
    samples.push(performance.now() - t0);
  }
  return { ms: median(samples), result };
}

function main(): void {
  let t0 = performance.now();
  const vms = buildVms(count);
  console.log(`built ${count} VM rows in ${(performance.now() - t0).toFixed(0)} ms`);

  const db = new Database(':memory:');
  db.exec('CREATE TABLE vm (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)');
  t0 = performance.now();
  const insert = db.prepare('INSERT INTO vm (id, doc) VALUES (?, ?)');
  db.transaction(() => vms.forEach((vm, i) => insert.run(i, JSON.stringify(vm))))();
  console.log(`loaded into SQLite in ${(performance.now() - t0).toFixed(0)} ms`);
  t0 = performance.now();
  db.exec(`CREATE INDEX vm_name ON vm (${columns.name?.sql ?? ''})`);
  db.exec(
    `CREATE INDEX vm_power_memory ON vm (${columns.powerState?.sql ?? ''}, ${columns.memoryMB?.sql ?? ''})`,
  );
  db.exec(`CREATE INDEX vm_cluster ON vm (${columns.cluster?.sql ?? ''})`);
  db.exec('ANALYZE');
  console.log(`built expression indexes in ${(performance.now() - t0).toFixed(0)} ms\n`);

  const queries = [
    "name = 'vm-04217'",
    "memoryMB > 60000 and powerState = 'poweredOff'",
    "name like 'vm-042%'",
    "cluster in ['cluster-3', 'cluster-7'] and cpuCount >= 16 and name ~= '7$'",
  ];
  console.log(
    'query | matches | in memory (ms) | SQLite + residual (ms) | memory/SQL | SQLite ids only (ms) | same rows | SQL',
  );
  console.log('--- | --: | --: | --: | --: | --: | --- | ---');
  for (const text of queries) {
    const query = parseQuery(text);
    const memory = time(() => runQuery(query, vms).rows);
    const plan = translateQuery(query, schema);
    const stmt = db.prepare<unknown[], { doc: string }>(
      `SELECT doc FROM vm WHERE ${plan.sql ?? '1'} ORDER BY id`,
    );
    const sql = time(() => {
      const rows = stmt.all(...plan.params).map((r) => JSON.parse(r.doc) as Record<string, unknown>);
      return plan.complete ? rows : runQuery(plan.query, rows, { checkFields: false }).rows;
    });
    const ids = db.prepare<unknown[], { id: number }>(
      `SELECT id FROM vm WHERE ${plan.sql ?? '1'} ORDER BY id`,
    );
    const idsOnly = time(() => ids.all(...plan.params));
    const same =
      memory.result.length === sql.result.length && memory.result.every((r, i) => r.id === sql.result[i]?.id);
    const ratio = memory.ms / sql.ms;
    console.log(
      `${text} | ${memory.result.length} | ${memory.ms.toFixed(2)} | ${sql.ms.toFixed(2)} | ${ratio.toFixed(1)}× | ${idsOnly.ms.toFixed(2)} | ${same ? 'yes' : 'NO'} | ${plan.sql ?? '(none)'}${plan.complete ? '' : ' + residual'}`,
    );
  }
  console.log(
    `\nmedian of ${repeats} runs after a warm-up; Node ${process.version}; SQLite in memory.` +
      '\n"SQLite + residual" includes JSON.parse of the returned documents and the in-memory residual;' +
      '\n"ids only" is the SQL statement alone.',
  );
  db.close();
}

main();

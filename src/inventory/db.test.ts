import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { InternalError, NotFoundError } from '../api/index.js';
import { InventoryDb, type ChangeEvent, type InventoryDbOptions } from './db.js';
import { fieldExpression } from './fields.js';

interface TestVM {
  id: string;
  name: string;
  path: string;
  parent: { kind: string; id: string };
  revision?: number;
  revisionValidated?: number;
  powerState: string;
  isTemplate: boolean;
  memoryMB: number;
  datastore?: string;
  concerns?: string[];
}
interface TestDatastore {
  id: string;
  name: string;
  path: string;
  revision?: number;
}
type Model = { VM: TestVM; Datastore: TestDatastore };

const dirs: string[] = [];
const opened: InventoryDb<Model>[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtv-inventory-'));
  dirs.push(dir);
  return path.join(dir, 'provider.db');
}

function open(file = tempFile(), options: InventoryDbOptions<Model> = {}): InventoryDb<Model> {
  const db = InventoryDb.open<Model>(file, {
    indexes: { VM: ['powerState', 'isTemplate', 'memoryMB'] },
    ...options,
  });
  opened.push(db);
  return db;
}

function vm(id: string, over: Partial<TestVM> = {}): TestVM {
  return {
    id,
    name: id,
    path: `/DC1/vm/${id}`,
    parent: { kind: 'Folder', id: 'group-v3' },
    powerState: 'poweredOn',
    isTemplate: false,
    memoryMB: 2048,
    ...over,
  };
}

const upsert = (...vms: TestVM[]) => ({ upserts: vms.map((o) => ({ kind: 'VM' as const, object: o })) });
const names = (list: { name: string }[]) => list.map((o) => o.name);

describe('InventoryDb.apply', () => {
  it('stores objects with the revision of their transaction', () => {
    const db = open();
    expect(db.revision).toBe(0);
    const e = db.apply(upsert(vm('vm-1'), vm('vm-2')));
    expect(e.revision).toBe(1);
    expect(e.created.map((c) => c.object.id)).toEqual(['vm-1', 'vm-2']);
    expect(db.revision).toBe(1);
    expect(db.get('VM', 'vm-2')).toEqual({ ...vm('vm-2'), revision: 1 });
    expect(db.get('VM', 'vm-9')).toBeUndefined();
  });

  it('bumps only objects whose document changed; an unchanged upsert is a no-op', () => {
    const db = open();
    db.apply(upsert(vm('vm-1'), vm('vm-2')));
    // Same content, keys in another order, a stale revision: no change at all.
    const { memoryMB, ...rest } = vm('vm-1');
    const reordered = { memoryMB, ...rest, revision: 99 };
    const none = db.apply(upsert(reordered));
    expect(none).toEqual({ revision: 1, created: [], updated: [], deleted: [] });
    expect(db.revision).toBe(1);

    const e = db.apply(upsert(vm('vm-1'), vm('vm-2', { powerState: 'poweredOff' })));
    expect(e.revision).toBe(2);
    expect(e.updated.map((c) => c.object.id)).toEqual(['vm-2']);
    expect(db.get('VM', 'vm-1')?.revision).toBe(1);
    expect(db.get('VM', 'vm-2')?.revision).toBe(2);
  });

  it('deletes, ignoring absent objects; the last operation on a key wins', () => {
    const db = open();
    db.apply(upsert(vm('vm-1'), vm('vm-2')));
    const e = db.apply({
      upserts: [{ kind: 'VM', object: vm('vm-3') }],
      deletes: [
        { kind: 'VM', id: 'vm-1' },
        { kind: 'VM', id: 'vm-404' },
        { kind: 'VM', id: 'vm-3' },
      ],
    });
    expect(e.deleted.map((c) => c.object.id)).toEqual(['vm-1']);
    expect(e.created).toEqual([]);
    expect(names(db.list('VM'))).toEqual(['vm-2']);
  });

  it('writes nothing when the input is malformed', () => {
    const db = open();
    const bad = { kind: 'VM' as const, object: { ...vm('vm-2'), id: '' } };
    expect(() => db.apply({ upserts: [{ kind: 'VM', object: vm('vm-1') }, bad] })).toThrow(InternalError);
    expect(() => db.apply({ upserts: [{ kind: 'VM', object: vm('vm-1') }, bad] })).toThrow(
      /upserts\[1\]\.object\.id/,
    );
    expect(db.count('VM')).toBe(0);
    expect(db.revision).toBe(0);
  });

  it('rolls the whole transaction back when a validator throws', () => {
    const db = open();
    db.apply(upsert(vm('vm-1')));
    const events: ChangeEvent<Model>[] = [];
    db.onChange((e) => events.push(e));
    db.setValidator('VM', (o) => {
      if (o.id === 'vm-bad') throw new Error('validator failed');
      return o;
    });
    expect(() =>
      db.apply({
        upserts: [
          { kind: 'Datastore', object: { id: 'ds-1', name: 'ds1', path: '/DC1/datastore/ds1' } },
          { kind: 'VM', object: vm('vm-2') },
          { kind: 'VM', object: vm('vm-bad') },
        ],
        deletes: [{ kind: 'VM', id: 'vm-1' }],
      }),
    ).toThrow('validator failed');
    expect(db.counts()).toEqual({ VM: 1 });
    expect(db.get('VM', 'vm-1')?.revision).toBe(1);
    expect(db.revision).toBe(1);
    expect(events).toEqual([]);
  });

  it('clears everything for a rebuild, in one revision, and drops parity', () => {
    const db = open();
    db.apply(upsert(vm('vm-1'), vm('vm-2')));
    db.setParity(true);
    const e = db.deleteAll();
    expect(e.deleted.map((c) => c.object.id)).toEqual(['vm-1', 'vm-2']);
    expect(db.revision).toBe(2);
    expect(db.count('VM')).toBe(0);
    expect(db.parity).toBe(false);
  });
});

describe('InventoryDb validators', () => {
  function withValidator(db: InventoryDb<Model>): void {
    db.setValidator('VM', (o, reader) => ({
      ...o,
      concerns: o.datastore && reader.get('Datastore', o.datastore) ? [] : ['datastore.missing'],
    }));
  }

  it('validates against the same transaction and stamps revisionValidated', () => {
    const db = open();
    withValidator(db);
    db.apply({
      upserts: [
        { kind: 'VM', object: vm('vm-1', { datastore: 'ds-1' }) },
        { kind: 'Datastore', object: { id: 'ds-1', name: 'ds1', path: '/DC1/datastore/ds1' } },
      ],
    });
    expect(db.get('VM', 'vm-1')).toMatchObject({ concerns: [], revision: 1, revisionValidated: 1 });
    // The collector sends the VM again without concerns: same content once validated, no change.
    expect(db.apply(upsert(vm('vm-1', { datastore: 'ds-1' }))).updated).toEqual([]);
  });

  it('revalidates after a change the validator depends on', () => {
    const db = open();
    withValidator(db);
    db.apply({
      upserts: [
        { kind: 'Datastore', object: { id: 'ds-1', name: 'ds1', path: '/DC1/datastore/ds1' } },
        { kind: 'VM', object: vm('vm-1', { datastore: 'ds-1' }) },
        { kind: 'VM', object: vm('vm-2') },
      ],
    });
    db.apply({ deletes: [{ kind: 'Datastore', id: 'ds-1' }] });
    expect(db.get('VM', 'vm-1')?.concerns).toEqual([]);
    const e = db.revalidate('VM');
    expect(e.updated.map((c) => c.object.id)).toEqual(['vm-1']);
    expect(db.get('VM', 'vm-1')).toMatchObject({
      concerns: ['datastore.missing'],
      revision: 3,
      revisionValidated: 3,
    });
    expect(db.get('VM', 'vm-2')).toMatchObject({ revision: 1, revisionValidated: 1 });
  });

  it('marks unvalidated objects validated without a new revision when nothing changes', () => {
    const db = open();
    db.apply(
      upsert(
        vm('vm-1', { concerns: ['datastore.missing'] }),
        vm('vm-2', { concerns: ['datastore.missing'] }),
      ),
    );
    withValidator(db);
    const e = db.revalidate('VM', ['vm-1', 'vm-404']);
    expect(e.updated).toEqual([]);
    expect(db.get('VM', 'vm-1')).toMatchObject({ revision: 1, revisionValidated: 1 });
    expect(db.get('VM', 'vm-2')?.revisionValidated).toBeUndefined(); // not among the ids
    expect(db.revision).toBe(1);
  });

  it('refuses to revalidate a kind without validator', () => {
    expect(() => open().revalidate('Datastore')).toThrow(InternalError);
  });
});

describe('InventoryDb.list', () => {
  function seeded(): InventoryDb<Model> {
    const db = open();
    db.apply(
      upsert(
        vm('web', { path: '/DC1/vm/prod/web' }),
        vm('db', { path: '/DC1/vm/prod/db', powerState: 'poweredOff' }),
        vm('web', { id: 'vm-3', path: '/DC2/vm/web' }),
        vm('tpl', { path: '/DC1/vm/tpl', isTemplate: true, memoryMB: 8192 }),
      ),
    );
    return db;
  }

  it('matches a name, or a path ending when the name has slashes', () => {
    const db = seeded();
    expect(db.list('VM', { name: 'web' }).map((o) => o.path)).toEqual(['/DC1/vm/prod/web', '/DC2/vm/web']);
    expect(db.list('VM', { name: '/DC1/vm/prod/web' }).map((o) => o.id)).toEqual(['web']);
    expect(db.list('VM', { name: 'prod/web' }).map((o) => o.id)).toEqual(['web']);
    expect(db.list('VM', { name: '/DC2/vm/web' }).map((o) => o.id)).toEqual(['vm-3']);
    expect(db.list('VM', { name: '/X/DC1/vm/prod/web' })).toEqual([]);
    expect(db.list('VM', { name: 'rod/web' })).toEqual([]);
  });

  it('matches the datacenter only in root mode', () => {
    const db = seeded();
    expect(db.list('VM', { name: '/DC2/elsewhere/web', pathMatch: 'root' }).map((o) => o.id)).toEqual([
      'vm-3',
    ]);
    expect(db.list('VM', { name: '/DC2/elsewhere/web' })).toEqual([]);
  });

  it('selects an exact path', () => {
    expect(
      seeded()
        .list('VM', { path: '/DC1/vm/tpl' })
        .map((o) => o.id),
    ).toEqual(['tpl']);
  });

  it('keeps inventory order across updates, and pages it', () => {
    const db = seeded();
    db.apply(upsert(vm('web', { path: '/DC1/vm/prod/web', memoryMB: 1 })));
    expect(db.list('VM').map((o) => o.id)).toEqual(['web', 'db', 'vm-3', 'tpl']);
    expect(db.list('VM', { limit: 2 }).map((o) => o.id)).toEqual(['web', 'db']);
    expect(db.list('VM', { limit: 2, offset: 2 }).map((o) => o.id)).toEqual(['vm-3', 'tpl']);
    expect(db.list('VM', { offset: 3 }).map((o) => o.id)).toEqual(['tpl']);
    db.apply({ deletes: [{ kind: 'VM', id: 'web' }] });
    db.apply(upsert(vm('web')));
    expect(db.list('VM').map((o) => o.id)).toEqual(['db', 'vm-3', 'tpl', 'web']);
  });

  it('filters with SQL over document fields, booleans bound as 1/0', () => {
    const db = seeded();
    const where = (sql: string, ...params: unknown[]) =>
      db.list('VM', { where: { sql, params } }).map((o) => o.id);
    expect(where(`${fieldExpression('isTemplate')} = ?`, true)).toEqual(['tpl']);
    expect(
      where(`${fieldExpression('memoryMB')} > ? AND ${fieldExpression('parent.id')} = ?`, 4096, 'group-v3'),
    ).toEqual(['tpl']);
    expect(db.count('VM', { sql: `${fieldExpression('powerState')} = ?`, params: ['poweredOn'] })).toBe(3);
  });

  it('counts per kind', () => {
    const db = seeded();
    db.apply({ upserts: [{ kind: 'Datastore', object: { id: 'ds-1', name: 'ds1', path: '' } }] });
    expect(db.counts()).toEqual({ Datastore: 1, VM: 4 });
    expect(db.count('VM')).toBe(4);
  });

  it('uses the declared expression indexes', () => {
    const db = seeded();
    const plan = db.queryPlan('VM', {
      where: { sql: `${fieldExpression('powerState')} = ?`, params: ['poweredOn'] },
    });
    expect(plan.join('\n')).toMatch(/USING INDEX objects_by_powerState/);
    const byName = db.queryPlan('VM', { name: 'web' });
    expect(byName.join('\n')).toMatch(/USING INDEX objects_by_name/);
    const undeclared = db.queryPlan('VM', {
      where: { sql: `${fieldExpression('guestId')} = ?`, params: ['x'] },
    });
    expect(undeclared.join('\n')).not.toMatch(/objects_by_guestId/);
  });
});

describe('InventoryDb listeners and meta', () => {
  it('reports created, updated (with the previous document) and deleted objects per transaction', () => {
    const db = open();
    const events: ChangeEvent<Model>[] = [];
    const stop = db.onChange((e) => events.push(e));
    db.apply(upsert(vm('vm-1'), vm('vm-2')));
    db.apply(upsert(vm('vm-1')));
    db.apply({
      upserts: [{ kind: 'VM', object: vm('vm-1', { memoryMB: 1 }) }],
      deletes: [{ kind: 'VM', id: 'vm-2' }],
    });
    stop();
    db.apply({ deletes: [{ kind: 'VM', id: 'vm-1' }] });
    expect(events.map((e) => [e.revision, e.created.length, e.updated.length, e.deleted.length])).toEqual([
      [1, 2, 0, 0],
      [2, 0, 1, 1],
    ]);
    const update = events[1]?.updated[0];
    expect(update?.object).toMatchObject({ memoryMB: 1, revision: 2 });
    expect(update?.previous).toMatchObject({ memoryMB: 2048, revision: 1 });
    expect(events[1]?.deleted[0]?.object.id).toBe('vm-2');
  });

  it('keeps meta values and parity, and guards its own keys', () => {
    const file = tempFile();
    const db = open(file);
    const parity: boolean[] = [];
    db.onParity((p) => parity.push(p));
    db.setMeta('about', { product: 'VMware vCenter Server', apiVersion: '8.0.3.0' });
    db.setParity(true);
    db.setParity(true);
    expect(db.getMeta('about')).toEqual({ product: 'VMware vCenter Server', apiVersion: '8.0.3.0' });
    expect(db.getMeta('lastError')).toBeUndefined();
    expect(parity).toEqual([true]);
    expect(() => db.setMeta('revision', 7)).toThrow(InternalError);
    db.close();
    const again = open(file);
    expect([again.parity, again.getMeta('about')]).toEqual([
      true,
      { product: 'VMware vCenter Server', apiVersion: '8.0.3.0' },
    ]);
  });
});

describe('InventoryDb files', () => {
  it('lets a read-only reader in another connection read while the writer holds a transaction', () => {
    const file = tempFile();
    const writer = open(file);
    writer.apply(upsert(vm('vm-1')));
    const reader = open(file, { readonly: true });
    expect(reader.get('VM', 'vm-1')?.revision).toBe(1);

    // A second writer connection holds an open write transaction (as the collector does mid-update).
    const raw = new Database(file);
    raw.pragma('busy_timeout = 100');
    raw.exec('BEGIN IMMEDIATE');
    raw.prepare("UPDATE objects SET name = 'renamed' WHERE id = 'vm-1'").run();
    raw.prepare("UPDATE meta SET value = '2' WHERE key = 'revision'").run();
    expect(reader.get('VM', 'vm-1')?.name).toBe('vm-1');
    expect(reader.list('VM', { name: 'renamed' })).toEqual([]);
    expect(reader.revision).toBe(1);
    raw.exec('COMMIT');
    raw.close();
    expect(reader.revision).toBe(2);
    expect(reader.list('VM', { name: 'renamed' }).map((o) => o.id)).toEqual(['vm-1']);

    // And it sees the writer's later transactions.
    writer.apply(upsert(vm('vm-2')));
    expect(reader.count('VM')).toBe(2);
    expect(() => reader.apply(upsert(vm('vm-3')))).toThrow(InternalError);
  });

  it('refuses to open for reading a file that does not exist', () => {
    expect(() => InventoryDb.open(path.join(tempFile(), 'absent.db'), { readonly: true })).toThrow(
      NotFoundError,
    );
  });

  it('rebuilds a file of another schema version when opened for writing', () => {
    const file = tempFile();
    const db = open(file);
    db.apply(upsert(vm('vm-1')));
    db.close();
    const raw = new Database(file);
    raw.prepare("UPDATE meta SET value = '0' WHERE key = 'schemaVersion'").run();
    raw.close();
    expect(() => open(file, { readonly: true })).toThrow(/schema version 0/);
    const rebuilt = open(file);
    expect([rebuilt.count('VM'), rebuilt.revision]).toEqual([0, 0]);
  });

  it('rejects index fields that are not identifier paths', () => {
    expect(() => InventoryDb.open(tempFile(), { indexes: { VM: ["a') --"] } })).toThrow(InternalError);
  });

  it('works in memory', () => {
    const db = InventoryDb.open<Model>(':memory:');
    db.apply(upsert(vm('vm-1')));
    expect(db.count('VM')).toBe(1);
    db.close();
    db.close();
  });

  it('is not confused by a non-database file at the path', () => {
    const file = tempFile();
    writeFileSync(file, 'not a database');
    expect(() => InventoryDb.open(file)).toThrow();
  });
});

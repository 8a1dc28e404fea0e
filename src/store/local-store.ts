/**
 * The local backend of {@link ObjectStore}: objects in an embedded SQLite database under
 * `$MTV_HOME`, with the API server's semantics (see ADR 0002 and ADR 0003).
 *
 * - resourceVersion is a store-wide revision, bumped by every write (like etcd's), so a watch can
 *   resume from any version still retained in the events table.
 * - Several processes may use one database at once: WAL mode, `BEGIN IMMEDIATE` writes, a busy
 *   timeout; watchers poll the events table, so they see writes of other processes.
 * - No garbage collector runs locally, so cascading deletion of dependents (ownerReferences) happens
 *   inside the delete's transaction.
 * - Forklift kinds are pruned, defaulted and validated against the same generated schemas the CRDs
 *   carry (`api/structural.ts`).
 * - The database file is created with mode 0600 (it holds Secrets) in a 0700 directory.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  NotFoundError,
  UsageError,
  type Problem,
} from '../api/index.js';
import { crdName, ForkliftKinds, Resources, type ForkliftKind, type ResourceType } from '../api/index.js';
import type { KubeObject, ObjectMeta, Secret } from '../api/index.js';
import { checkNamespaceName, checkObjectName } from '../api/index.js';
import { applyStructuralSchema, forkliftSchema, generatedCrdVersion } from '../api/index.js';
import { keyPattern, matchesLabels, valuePattern } from './label-selector.js';
import { applyMergePatch } from './merge-patch.js';
import type {
  DeleteOptions,
  ListOptions,
  MergePatch,
  ObjectList,
  ObjectStore,
  PatchOptions,
  StoreInfo,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './object-store.js';

/** Options of {@link LocalStore.open}. */
export interface LocalStoreOptions {
  /** Directory of the store (`$MTV_HOME`); created with mode 0700 when missing. */
  home: string;
  /** How often watchers look for writes of other processes, in milliseconds. @default 100 */
  pollIntervalMs?: number;
  /** How many watch events are retained for resuming watches. @default 10000 */
  retainedEvents?: number;
  /**
   * How many bytes of watch events (object bodies) this process keeps for resuming watches: after
   * writing that many it drops the events older than its writes' last `retainedEventBytes`, so
   * between 1× and 1.5× of it stays. Big objects written often (a 1,000-VM plan's status is
   * ≈ 680 KiB) would otherwise grow the store by gigabytes before `retainedEvents` is reached.
   * A watcher resuming from a dropped version gets ExpiredError and relists.
   * @default 67108864 (64 MiB)
   */
  retainedEventBytes?: number;
}

type Row = { body: string };
type EventRow = { rv: number; type: WatchEvent<KubeObject>['type']; body: string };

/** Thrown inside a transaction to roll back a dry run while returning its result. */
class DryRun extends Error {
  readonly result: unknown;
  constructor(result: unknown) {
    super('dry run');
    this.result = result;
  }
}

const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

function resourceKey(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** Runs `fn` and returns its result as a promise; a throw becomes a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e: unknown) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function forkliftKindOf(type: ResourceType): ForkliftKind | undefined {
  return type.group === 'forklift.konveyor.io' ? ForkliftKinds.find((k) => k === type.kind) : undefined;
}

function objectPayload(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o as KubeObject & { status?: unknown };
  return JSON.stringify(rest);
}

/** The SQLite-backed object store. */
export class LocalStore implements ObjectStore {
  readonly mode = 'local' as const;
  /** Path of the database file. */
  readonly path: string;
  private readonly db: Database.Database;
  private readonly pollMs: number;
  private readonly retained: number;
  private readonly retainedBytes: number;
  /** Event bytes this process wrote since its last byte mark. */
  private bytesSinceMark = 0;
  /** Revisions at which this process's event bytes crossed half of `retainedBytes` (last two). */
  private readonly byteMarks: number[] = [];
  private readonly writes = new EventEmitter();
  private readonly closing = new AbortController();

  private constructor(file: string, db: Database.Database, opts: LocalStoreOptions) {
    this.path = file;
    this.db = db;
    this.pollMs = opts.pollIntervalMs ?? 100;
    this.retained = opts.retainedEvents ?? 10_000;
    this.retainedBytes = opts.retainedEventBytes ?? 64 * 1024 * 1024;
    this.writes.setMaxListeners(0);
  }

  /**
   * Opens (creating when needed) the store in `options.home`.
   * @throws ApiError-free: filesystem errors propagate as they are (they are environment problems).
   */
  static open(options: LocalStoreOptions): LocalStore {
    mkdirSync(options.home, { recursive: true, mode: 0o700 });
    const file = path.join(options.home, 'mtv.db');
    closeSync(openSync(file, 'a', 0o600)); // create with 0600 before SQLite does (it keeps the mode for -wal/-shm)
    chmodSync(file, 0o600);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 15000');
    db.pragma('synchronous = NORMAL');
    db.exec(`
      CREATE TABLE IF NOT EXISTS objects (
        resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
        uid TEXT NOT NULL UNIQUE, rv INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (resource, namespace, name)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS owners (
        owner_uid TEXT NOT NULL, uid TEXT NOT NULL, PRIMARY KEY (owner_uid, uid)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS owners_by_uid ON owners (uid);
      CREATE TABLE IF NOT EXISTS events (
        rv INTEGER PRIMARY KEY AUTOINCREMENT, resource TEXT NOT NULL, namespace TEXT NOT NULL,
        type TEXT NOT NULL, body TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS events_by_resource ON events (resource, rv);
    `);
    return new LocalStore(file, db, options);
  }

  /** The latest revision (0 for an empty store). */
  private revision(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as
      { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  /** The stored JSON of an object, if it exists. */
  private body(type: ResourceType, namespace: string, name: string): string | undefined {
    const row = this.db
      .prepare('SELECT body FROM objects WHERE resource = ? AND namespace = ? AND name = ?')
      .get(resourceKey(type), type.namespaced ? namespace : '', name) as Row | undefined;
    return row?.body;
  }

  private mustRead(type: ResourceType, namespace: string, name: string): KubeObject {
    return this.mustReadRaw(type, namespace, name).object;
  }

  /** The stored object and its JSON as stored (`JSON.stringify` of the object gives the same text). */
  private mustReadRaw(
    type: ResourceType,
    namespace: string,
    name: string,
  ): { object: KubeObject; body: string } {
    const body = this.body(type, namespace, name);
    if (body === undefined) throw new NotFoundError(type.kind, name, type.namespaced ? namespace : undefined);
    return { object: JSON.parse(body) as KubeObject, body };
  }

  /** Runs `fn` in an IMMEDIATE transaction; a dry run rolls it back and returns its result. */
  private tx<R>(dryRun: boolean | undefined, fn: () => R): R {
    try {
      return this.db
        .transaction(() => {
          const r = fn();
          if (dryRun) throw new DryRun(r);
          return r;
        })
        .immediate();
    } catch (e: unknown) {
      if (e instanceof DryRun) return e.result as R;
      throw e;
    } finally {
      if (!dryRun) this.writes.emit('write');
    }
  }

  /** Appends a watch event for `obj` and returns the object stamped with the event's revision. */
  private appendEvent(
    type: ResourceType,
    obj: KubeObject,
    event: WatchEvent<KubeObject>['type'],
  ): { stored: KubeObject; body: string; rv: number } {
    const ns = type.namespaced ? (obj.metadata.namespace ?? '') : '';
    const rv = Number(
      this.db
        .prepare("INSERT INTO events (resource, namespace, type, body) VALUES (?, ?, ?, '')")
        .run(resourceKey(type), ns, event).lastInsertRowid,
    );
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    const body = JSON.stringify(stored);
    this.db.prepare('UPDATE events SET body = ? WHERE rv = ?').run(body, rv);
    if (rv % 1000 === 0) this.db.prepare('DELETE FROM events WHERE rv <= ?').run(rv - this.retained);
    this.bytesSinceMark += body.length;
    if (this.bytesSinceMark >= this.retainedBytes / 2) {
      this.bytesSinceMark = 0;
      this.byteMarks.push(rv);
      const cut = this.byteMarks.length > 2 ? this.byteMarks.shift() : undefined;
      if (cut !== undefined) this.db.prepare('DELETE FROM events WHERE rv <= ?').run(cut);
    }
    return { stored, body, rv };
  }

  /** Appends an event, stores the object with the new revision, returns the stored object. */
  private persist(type: ResourceType, obj: KubeObject, event: 'ADDED' | 'MODIFIED'): KubeObject {
    const ns = type.namespaced ? (obj.metadata.namespace ?? '') : '';
    const { stored, body, rv } = this.appendEvent(type, obj, event);
    this.db
      .prepare(
        `INSERT INTO objects (resource, namespace, name, uid, rv, body) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (resource, namespace, name) DO UPDATE SET uid = excluded.uid, rv = excluded.rv, body = excluded.body`,
      )
      .run(resourceKey(type), ns, stored.metadata.name, stored.metadata.uid, rv, body);
    const uid = stored.metadata.uid ?? '';
    this.db.prepare('DELETE FROM owners WHERE uid = ?').run(uid);
    for (const ref of stored.metadata.ownerReferences ?? [])
      this.db.prepare('INSERT OR IGNORE INTO owners (owner_uid, uid) VALUES (?, ?)').run(ref.uid, uid);
    return stored;
  }

  /**
   * Validates the object's identity and schema; returns the normalized object.
   * @param only `status` for a status write: the rest is the stored object, already normalized, so
   *   only the status is pruned, defaulted and validated (a 1,000-VM plan's spec is not walked
   *   and copied again on every progress write).
   */
  private normalize(type: ResourceType, obj: KubeObject, only?: 'status'): KubeObject {
    const problems: Problem[] = [];
    if (obj.apiVersion !== type.apiVersion || obj.kind !== type.kind) {
      problems.push({
        field: 'apiVersion/kind',
        message: `must be ${type.apiVersion}/${type.kind}`,
        value: `${obj.apiVersion}/${obj.kind}`,
      });
    }
    if (type.namespaced) {
      const ns = obj.metadata.namespace ?? '';
      const p = ns
        ? checkNamespaceName(ns, 'metadata.namespace')
        : { field: 'metadata.namespace', message: 'is required' };
      if (p) problems.push(p);
    }
    const nameProblem = obj.metadata.name
      ? checkObjectName(obj.metadata.name, 'metadata.name')
      : obj.metadata.generateName
        ? checkObjectName(`${obj.metadata.generateName}x`, 'metadata.generateName')
        : undefined;
    if (nameProblem) problems.push(nameProblem);
    for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
      if (!keyPattern.test(k) || k.length > 316)
        problems.push({ field: `metadata.labels[${k}]`, message: 'is not a valid label key' });
      if (typeof v !== 'string' || !valuePattern.test(v) || v.length > 63) {
        problems.push({
          field: `metadata.labels[${k}]`,
          message:
            'must be at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric',
          value: v,
        });
      }
    }
    for (const k of Object.keys(obj.metadata.annotations ?? {})) {
      if (!keyPattern.test(k) || k.length > 316)
        problems.push({ field: `metadata.annotations[${k}]`, message: 'is not a valid annotation key' });
    }
    let out = obj;
    const fk = forkliftKindOf(type);
    const statusSchema = fk ? forkliftSchema(fk).properties?.status : undefined;
    const status = (obj as KubeObject & { status?: unknown }).status;
    if (fk && only === 'status' && statusSchema) {
      if (status !== undefined) {
        const r = applyStructuralSchema(statusSchema, status, 'status');
        problems.push(...r.problems);
        out = { ...obj, status: r.value } as KubeObject;
      }
    } else if (fk) {
      const r = applyStructuralSchema(forkliftSchema(fk), { ...obj, metadata: {} });
      problems.push(...r.problems);
      out = { ...(r.value as KubeObject), metadata: obj.metadata };
    } else if (type.kind === 'Secret') {
      out = normalizeSecret(obj, problems);
    }
    if (problems.length) {
      throw new UsageError(problems, {
        hint: `${type.kind} "${obj.metadata.name ?? obj.metadata.generateName ?? ''}" is invalid`,
      });
    }
    return out;
  }

  private generateName(type: ResourceType, namespace: string, prefix: string): string {
    for (;;) {
      let suffix = '';
      for (let i = 0; i < 5; i++)
        suffix += generateNameAlphabet.charAt(Math.floor(Math.random() * generateNameAlphabet.length));
      const name = `${prefix}${suffix}`;
      if (this.body(type, namespace, name) === undefined) return name;
    }
  }

  /** {@inheritDoc ObjectStore.get} */
  get<T extends KubeObject>(type: ResourceType, namespace: string, name: string): Promise<T> {
    return settle(() => this.mustRead(type, namespace, name) as T);
  }

  /** {@inheritDoc ObjectStore.list} */
  list<T extends KubeObject>(type: ResourceType, options: ListOptions = {}): Promise<ObjectList<T>> {
    return settle(() => {
      const match = matchesLabels(options.labelSelector);
      return this.db
        .transaction(() => {
          const rows = (
            options.namespace !== undefined && type.namespaced
              ? this.db
                  .prepare(
                    'SELECT body FROM objects WHERE resource = ? AND namespace = ? ORDER BY namespace, name',
                  )
                  .all(resourceKey(type), options.namespace)
              : this.db
                  .prepare('SELECT body FROM objects WHERE resource = ? ORDER BY namespace, name')
                  .all(resourceKey(type))
          ) as Row[];
          const items = rows.map((r) => JSON.parse(r.body) as T).filter((o) => match(o.metadata.labels));
          return { items, resourceVersion: String(this.revision()) };
        })
        .deferred();
    });
  }

  /** {@inheritDoc ObjectStore.create} */
  create<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions = {}): Promise<T> {
    return settle(() => {
      const normalized = this.normalize(type, object);
      if (!normalized.metadata.name && !normalized.metadata.generateName) {
        throw new UsageError({ field: 'metadata.name', message: 'is required (or metadata.generateName)' });
      }
      return this.tx(options.dryRun, () => {
        const ns = type.namespaced ? (normalized.metadata.namespace ?? '') : '';
        const name =
          normalized.metadata.name || this.generateName(type, ns, normalized.metadata.generateName ?? '');
        if (this.body(type, ns, name) !== undefined)
          throw new AlreadyExistsError(type.kind, name, type.namespaced ? ns : undefined);
        const { status: _status, ...rest } = normalized as KubeObject & { status?: unknown };
        const fresh = {
          ...(type.statusSubresource ? rest : normalized),
          metadata: {
            ...normalized.metadata,
            name,
            ...(type.namespaced ? { namespace: ns } : {}),
            uid: randomUUID(),
            creationTimestamp: now(),
            ...(type.statusSubresource ? { generation: 1 } : {}),
          } satisfies ObjectMeta,
        };
        delete fresh.metadata.resourceVersion;
        delete fresh.metadata.deletionTimestamp;
        return this.persist(type, fresh, 'ADDED') as T;
      });
    });
  }

  /** Common path of update, updateStatus and patch: checks, merges server-owned fields, writes. */
  private replace(
    type: ResourceType,
    incoming: KubeObject,
    part: 'object' | 'status',
    dryRun: boolean | undefined,
  ): KubeObject {
    return this.tx(dryRun, () => {
      const ns = type.namespaced ? (incoming.metadata.namespace ?? '') : '';
      const name = incoming.metadata.name ?? '';
      const { object: current, body: currentBody } = this.mustReadRaw(type, ns, name);
      const rv = incoming.metadata.resourceVersion;
      if (!rv && forkliftKindOf(type)) {
        // As the API server does for custom resources: an update must say which version it replaces.
        throw new UsageError({
          field: 'metadata.resourceVersion',
          message: 'must be specified for an update',
        });
      }
      if (rv && rv !== current.metadata.resourceVersion) {
        throw new ConflictError(
          `Operation cannot be fulfilled on ${resourceKey(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      }
      if (incoming.metadata.uid && incoming.metadata.uid !== current.metadata.uid) {
        throw new ConflictError(`${type.kind} "${name}" was deleted and re-created (uid changed)`);
      }
      let next: KubeObject;
      if (part === 'status') {
        const status = (incoming as KubeObject & { status?: unknown }).status;
        next = { ...current, ...(status === undefined ? {} : { status }) };
        if (status === undefined) delete (next as { status?: unknown }).status;
        next = this.normalize(type, next, 'status');
      } else {
        const keep = type.statusSubresource ? { status: (current as { status?: unknown }).status } : {};
        const merged = { ...incoming, ...keep } as KubeObject;
        if (keep.status === undefined) delete (merged as { status?: unknown }).status;
        next = this.normalize(type, merged);
        next.metadata = {
          ...current.metadata,
          labels: incoming.metadata.labels,
          annotations: incoming.metadata.annotations,
          ownerReferences: incoming.metadata.ownerReferences,
          finalizers: incoming.metadata.finalizers,
        };
        for (const k of ['labels', 'annotations', 'ownerReferences', 'finalizers'] as const)
          if (next.metadata[k] === undefined) delete next.metadata[k];
        if (type.statusSubresource && objectPayload(next) !== objectPayload(current)) {
          next.metadata.generation = (current.metadata.generation ?? 0) + 1;
        }
      }
      if (JSON.stringify(next) === currentBody) return current; // no-op writes keep the version
      if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
        this.remove(type, next, 'Background');
        return next;
      }
      return this.persist(type, next, 'MODIFIED');
    });
  }

  /** {@inheritDoc ObjectStore.update} */
  update<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions = {}): Promise<T> {
    return settle(() => this.replace(type, object, 'object', options.dryRun) as T);
  }

  /** {@inheritDoc ObjectStore.updateStatus} */
  updateStatus<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions = {}): Promise<T> {
    return settle(() => this.replace(type, object, 'status', options.dryRun) as T);
  }

  /** {@inheritDoc ObjectStore.patch} */
  patch<T extends KubeObject>(
    type: ResourceType,
    namespace: string,
    name: string,
    patch: MergePatch,
    options: PatchOptions = {},
  ): Promise<T> {
    return settle(() =>
      this.tx(options.dryRun, () => {
        const current = this.mustRead(type, namespace, name);
        const patched = applyMergePatch(current, patch) as KubeObject;
        const precondition = (patch.metadata as ObjectMeta | undefined)?.resourceVersion;
        patched.metadata = {
          ...patched.metadata,
          name,
          ...(type.namespaced ? { namespace } : {}),
          resourceVersion: precondition ?? current.metadata.resourceVersion ?? '',
        };
        return this.replace(
          type,
          patched,
          options.subresource === 'status' ? 'status' : 'object',
          false,
        ) as T;
      }),
    );
  }

  /** {@inheritDoc ObjectStore.delete} */
  delete(type: ResourceType, namespace: string, name: string, options: DeleteOptions = {}): Promise<void> {
    return settle(() => {
      this.tx(options.dryRun, () => {
        const current = this.mustRead(type, namespace, name);
        const pre = options.preconditions;
        if (
          (pre?.uid && pre.uid !== current.metadata.uid) ||
          (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
        ) {
          throw new ConflictError(`Precondition failed for ${resourceKey(type)} "${name}"`);
        }
        if (current.metadata.finalizers?.length) {
          if (!current.metadata.deletionTimestamp) {
            this.persist(
              type,
              { ...current, metadata: { ...current.metadata, deletionTimestamp: now() } },
              'MODIFIED',
            );
          }
          return;
        }
        this.remove(type, current, options.propagationPolicy ?? 'Background');
      });
    });
  }

  /** Removes an object and handles its dependents, inside the caller's transaction. */
  private remove(type: ResourceType, obj: KubeObject, policy: 'Background' | 'Foreground' | 'Orphan'): void {
    const ns = type.namespaced ? (obj.metadata.namespace ?? '') : '';
    this.appendEvent(type, obj, 'DELETED');
    this.db
      .prepare('DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?')
      .run(resourceKey(type), ns, obj.metadata.name);
    const uid = obj.metadata.uid ?? '';
    this.db.prepare('DELETE FROM owners WHERE uid = ?').run(uid);
    const dependents = this.db.prepare('SELECT uid FROM owners WHERE owner_uid = ?').all(uid) as {
      uid: string;
    }[];
    for (const { uid: depUid } of dependents) this.releaseDependent(depUid, uid, policy);
  }

  private releaseDependent(
    depUid: string,
    ownerUid: string,
    policy: 'Background' | 'Foreground' | 'Orphan',
  ): void {
    const row = this.db.prepare('SELECT resource, body FROM objects WHERE uid = ?').get(depUid) as
      { resource: string; body: string } | undefined;
    if (!row) return;
    const dep = JSON.parse(row.body) as KubeObject;
    const depType = resourceTypeOf(row.resource);
    const remaining = (dep.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
    const ownersAlive = remaining.some((r) =>
      this.db.prepare('SELECT 1 FROM objects WHERE uid = ?').get(r.uid),
    );
    if (policy === 'Orphan' || ownersAlive) {
      const metadata = { ...dep.metadata, ownerReferences: remaining };
      if (!remaining.length) delete (metadata as ObjectMeta).ownerReferences;
      this.persist(depType, { ...dep, metadata }, 'MODIFIED');
    } else if (dep.metadata.finalizers?.length) {
      this.persist(depType, { ...dep, metadata: { ...dep.metadata, deletionTimestamp: now() } }, 'MODIFIED');
    } else {
      this.remove(depType, dep, policy);
    }
  }

  /** {@inheritDoc ObjectStore.watch} */
  async *watch<T extends KubeObject>(
    type: ResourceType,
    options: WatchOptions = {},
  ): AsyncIterable<WatchEvent<T>> {
    const match = matchesLabels(options.labelSelector);
    const signal = AbortSignal.any([this.closing.signal, ...(options.signal ? [options.signal] : [])]);
    const nsFilter = type.namespaced ? options.namespace : undefined;
    let since: number;
    // "" and "0" mean "any version": the current objects as ADDED, then changes (as Kubernetes).
    if (
      options.resourceVersion !== undefined &&
      options.resourceVersion !== '' &&
      options.resourceVersion !== '0'
    ) {
      since = Number(options.resourceVersion);
      if (!Number.isInteger(since))
        throw new UsageError({
          field: 'resourceVersion',
          message: 'must be a resourceVersion from this store',
          value: options.resourceVersion,
        });
      this.checkRetained(since);
    } else {
      const initial = await this.list<T>(type, { ...options });
      for (const object of initial.items) yield { type: 'ADDED', object };
      since = Number(initial.resourceVersion);
    }
    const query = this.db.prepare(
      `SELECT rv, type, body FROM events WHERE resource = ? AND rv > ?${nsFilter !== undefined ? ' AND namespace = ?' : ''} ORDER BY rv LIMIT 500`,
    );
    while (!signal.aborted) {
      const args: unknown[] = [resourceKey(type), since];
      if (nsFilter !== undefined) args.push(nsFilter);
      const rows = query.all(...args) as EventRow[];
      this.checkRetained(since); // a watcher that fell behind compaction must relist, not skip events
      for (const row of rows) {
        since = row.rv;
        const object = JSON.parse(row.body) as T;
        if (match(object.metadata.labels)) yield { type: row.type, object };
        if (isAborted(signal)) return; // the consumer may have aborted while the yield was pending
      }
      if (rows.length === 0) await this.waitForWrite(signal);
    }
  }

  /** @throws ExpiredError when events after `since` have been compacted away. */
  private checkRetained(since: number): void {
    const oldest = (this.db.prepare('SELECT min(rv) AS rv FROM events').get() as { rv: number | null }).rv;
    if (oldest !== null && since < oldest - 1) {
      throw new ExpiredError(`too old resource version: ${since} (${oldest - 1})`, {
        hint: 'list again and watch from the new resourceVersion',
      });
    }
  }

  /** Resolves on the next write of this process, after the poll interval, or on abort. */
  private waitForWrite(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.writes.off('write', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.writes.on('write', done);
      signal.addEventListener('abort', done);
    });
  }

  /** {@inheritDoc ObjectStore.info} */
  info(): Promise<StoreInfo> {
    return Promise.resolve({
      mode: 'local',
      endpoint: this.path,
      crds: ForkliftKinds.map((k) => ({ name: crdName(k), installed: true, version: generatedCrdVersion })),
    });
  }

  /** {@inheritDoc ObjectStore.close} */
  close(): Promise<void> {
    this.closing.abort();
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}

/** Reads `signal.aborted` through a call, so control-flow narrowing does not assume it is unchanged. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** The ResourceType of a stored row's resource key (`providers.forklift.konveyor.io`, `secrets`). */
function resourceTypeOf(resource: string): ResourceType {
  const type = Object.values(Resources).find((r) => resourceKey(r) === resource);
  if (!type) throw new Error(`the local store holds objects of an unknown resource ${resource}`);
  return type;
}

const secretKey = /^[-._a-zA-Z0-9]+$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Folds `stringData` into `data` (base64) and checks keys and values, as the API server does. */
function normalizeSecret(secret: Secret, problems: Problem[]): Secret {
  const data: Record<string, string> = { ...(secret.data ?? {}) };
  for (const [k, v] of Object.entries(secret.stringData ?? {}))
    data[k] = Buffer.from(v, 'utf8').toString('base64');
  for (const [k, v] of Object.entries(data)) {
    if (!secretKey.test(k))
      problems.push({ field: `data[${k}]`, message: 'key must consist of alphanumerics, "-", "_" or "."' });
    if (typeof v !== 'string' || !base64.test(v))
      problems.push({ field: `data[${k}]`, message: 'must be base64-encoded' });
  }
  const { stringData: _s, ...rest } = secret;
  return { ...rest, type: secret.type ?? 'Opaque', ...(Object.keys(data).length ? { data } : {}) };
}

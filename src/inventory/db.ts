/**
 * The inventory database of one provider: a SQLite file of JSON documents (VMs, hosts, networks…)
 * that the provider's collector writes and the inventory server, planner and CLI read. Generic over
 * provider types: a kind is a string, a document any object with an `id` and a `name`.
 *
 * - `objects(kind, id, name, path, parent_kind, parent_id, revision, digest, doc)`, one row per
 *   object, in inventory order (`rowid`): the order of first insertion, which updates keep.
 * - `meta(key, value)`: JSON values — the database revision, parity, and whatever the collector
 *   records (provider, about, last error).
 * - Expression indexes `ON objects(kind, json_extract(doc, '$.<field>'))` for the fields declared
 *   at open (see `fields.ts` for how queries must write them to use the indexes).
 * - Every {@link InventoryDb.apply} is one transaction and one database revision; an object whose
 *   document did not change (compared without `revision` and `revisionValidated`) keeps its
 *   revision and raises no event.
 * - WAL mode: other processes read the file (`{readonly: true}`) while the collector writes; a
 *   reader sees each transaction whole or not at all. Change listeners are in-process only; other
 *   processes poll {@link InventoryDb.revision}.
 *
 * The file is a cache of the source: a file with another schema version is rebuilt by a writer.
 *
 * @see https://github.com/kubev2v/forklift/tree/main/pkg/lib/inventory/model (Forklift's model DB)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { InternalError, NotFoundError, formatProblem, type Problem } from '../api/index.js';
import { ColumnFields, fieldExpression, isSimpleField } from './fields.js';
import { nameCondition, type PathMatchMode, type SqlCondition } from './name-match.js';

/** Version of the tables' layout; a writer rebuilds a file of another version. */
export const InventorySchemaVersion = 1;

/** A reference to an object: `{kind, id}`. */
export interface ObjectRef {
  kind: string;
  id: string;
}

/** What every stored document has. Other fields are the provider model's. */
export interface InventoryEntity {
  /** Unique within its kind (a vSphere moRef, an oVirt UUID…). */
  id: string;
  /** Object name; `name` queries match it. */
  name: string;
  /** Inventory path, e.g. `/DC1/vm/web-1`; empty when the provider has none. */
  path?: string;
  /** The containing object. */
  parent?: ObjectRef | null;
  /** Set by the database: the database revision of the object's last change. */
  revision?: number;
}

/** Document type by kind: the type argument of {@link InventoryDb} (e.g. `VsphereModel`). */
export type KindMap = Record<string, InventoryEntity>;

/** A kind of `M`. */
export type KindOf<M extends KindMap> = keyof M & string;

/** A document with its kind, as {@link InventoryDb.apply} takes it. */
export type InventoryObject<M extends KindMap = KindMap> = {
  [K in KindOf<M>]: { kind: K; object: M[K] };
}[KindOf<M>];

/** A changed object in a {@link ChangeEvent}: for updates, `previous` is the replaced document. */
export type InventoryChange<M extends KindMap = KindMap> = {
  [K in KindOf<M>]: { kind: K; object: M[K]; previous?: M[K] };
}[KindOf<M>];

/** The changes of one transaction. Deleted entries carry the deleted document. */
export interface ChangeEvent<M extends KindMap = KindMap> {
  /** Database revision after the transaction (unchanged when nothing changed). */
  revision: number;
  created: InventoryChange<M>[];
  updated: InventoryChange<M>[];
  deleted: InventoryChange<M>[];
}

/** Input of {@link InventoryDb.apply}: applied in order, upserts first, as one transaction. */
export interface InventoryUpdate<M extends KindMap = KindMap> {
  upserts?: readonly InventoryObject<M>[];
  deletes?: readonly { kind: KindOf<M>; id: string }[];
}

/** Options of {@link InventoryDb.list}. */
export interface ListOptions {
  /** Forklift's `name` parameter: a name, or a path when it contains `/` (see `name-match.ts`). */
  name?: string;
  /** How a `name` with `/` matches paths. @default 'suffix' */
  pathMatch?: PathMatchMode;
  /** Exact inventory path. */
  path?: string;
  /**
   * An extra SQL condition over the columns `id`, `name`, `path`, `parent_kind`, `parent_id`,
   * `revision` and `doc` (write fields with `fieldExpression`). Boolean parameters bind as 1/0.
   */
  where?: SqlCondition;
  /** At most this many objects. */
  limit?: number;
  /** Skip this many objects first. @default 0 */
  offset?: number;
}

/** Read access, as validators receive it (inside the transaction, seeing its writes). */
export interface InventoryReader<M extends KindMap = KindMap> {
  get<K extends KindOf<M>>(kind: K, id: string): M[K] | undefined;
  list<K extends KindOf<M>>(kind: K, options?: ListOptions): M[K][];
  count(kind: KindOf<M>, where?: SqlCondition): number;
}

/**
 * Computes a document's derived fields (e.g. a VM's `concerns`) from the document and the rest of
 * the inventory. Must be pure over its inputs; it runs inside the writing transaction.
 */
export type Validator<M extends KindMap, K extends KindOf<M>> = (
  object: M[K],
  reader: InventoryReader<M>,
) => M[K];

/** Options of {@link InventoryDb.open}. */
export interface InventoryDbOptions<M extends KindMap = KindMap> {
  /**
   * Document fields to index, per kind (e.g. `{VM: ['powerState', 'host']}`): dotted identifier
   * paths. Column fields (`name`, `path`, `id`…) are always indexed. Ignored when read-only.
   */
  indexes?: { readonly [K in keyof NoInfer<M>]?: readonly string[] };
  /** Open an existing file for reading only (another process writes it). @default false */
  readonly?: boolean;
  /** How long to wait for a lock, milliseconds. @default 15000 */
  busyTimeoutMs?: number;
}

/** Meta keys. `revision`, `parity` and `schemaVersion` belong to the database. */
export const MetaKey = {
  Revision: 'revision',
  Parity: 'parity',
  SchemaVersion: 'schemaVersion',
  /** The provider (`namespace/name`) the file belongs to. */
  Provider: 'provider',
  /** The provider's uid. */
  ProviderUid: 'providerUid',
  /** What the source reports about itself (product, version, API version). */
  About: 'about',
  /** The collector's last error, while it retries. */
  LastError: 'lastError',
} as const;
/** One of {@link MetaKey}'s values. */
export type MetaKey = (typeof MetaKey)[keyof typeof MetaKey];

const reservedMeta: ReadonlySet<string> = new Set([MetaKey.Revision, MetaKey.Parity, MetaKey.SchemaVersion]);

interface Row {
  rowid: number;
  kind: string;
  id: string;
  revision: number;
  digest: string;
  doc: string;
}

interface Pending {
  kind: string;
  id: string;
  old: Row | undefined;
  doc: InventoryEntity | undefined;
  validated: boolean;
}

/** JSON with object keys sorted, so equal documents give equal strings. */
function canonical(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value); // documents are JSON data: no functions or symbols
}

/** Digest of a document's content, without the fields the database sets. */
function digestOf(doc: InventoryEntity): string {
  const {
    revision: _r,
    revisionValidated: _v,
    ...content
  } = doc as InventoryEntity & { revisionValidated?: unknown };
  return createHash('sha256').update(canonical(content)).digest('base64url');
}

function bindable(v: unknown): unknown {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

function checkEntity(o: InventoryObject, at: string): Problem[] {
  const problems: Problem[] = [];
  if (typeof o.kind !== 'string' || o.kind === '')
    problems.push({ field: `${at}.kind`, message: 'must be a non-empty string', value: o.kind });
  const obj = o.object as Partial<InventoryEntity> | null;
  if (obj === null || typeof obj !== 'object')
    return [...problems, { field: `${at}.object`, message: 'must be an object' }];
  if (typeof obj.id !== 'string' || obj.id === '')
    problems.push({ field: `${at}.object.id`, message: 'must be a non-empty string', value: obj.id });
  if (typeof obj.name !== 'string')
    problems.push({ field: `${at}.object.name`, message: 'must be a string', value: obj.name });
  if (obj.path !== undefined && typeof obj.path !== 'string')
    problems.push({ field: `${at}.object.path`, message: 'must be a string', value: obj.path });
  const p = obj.parent;
  if (p !== undefined && p !== null && (typeof p.kind !== 'string' || typeof p.id !== 'string'))
    problems.push({
      field: `${at}.object.parent`,
      message: 'must be {kind, id} of strings, or null',
      value: p,
    });
  return problems;
}

function indexName(field: string): string {
  return `objects_by_${field.replace(/\./g, '__')}`;
}

/** Runs listeners; one that throws is a defect, surfaced asynchronously without undoing the write. */
function notify<E>(listeners: Iterable<(e: E) => void>, event: E): void {
  for (const l of listeners) {
    try {
      l(event);
    } catch (e: unknown) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

/** A provider's inventory database. */
export class InventoryDb<M extends KindMap = KindMap> implements InventoryReader<M> {
  /** Path of the file (`:memory:` for an in-memory database). */
  readonly file: string;
  /** Opened with `{readonly: true}`. */
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly validators = new Map<
    string,
    (o: InventoryEntity, r: InventoryReader<M>) => InventoryEntity
  >();
  private readonly changeListeners = new Set<(e: ChangeEvent<M>) => void>();
  private readonly parityListeners = new Set<(parity: boolean) => void>();

  private constructor(file: string, db: Database.Database, readonly: boolean) {
    this.file = file;
    this.db = db;
    this.readonly = readonly;
  }

  /**
   * Opens (creating when needed) a provider's inventory database.
   * @param file path of the SQLite file, `:memory:` for tests; its directory is created.
   * @throws NotFoundError when opening read-only a file that does not exist (nothing collected yet).
   * @throws InternalError for an index field that is not a dotted identifier path, or when opening
   *   read-only a file of another schema version.
   */
  static open<M extends KindMap = KindMap>(
    file: string,
    options: InventoryDbOptions<M> = {},
  ): InventoryDb<M> {
    const readonly = options.readonly ?? false;
    if (readonly && (file === ':memory:' || !existsSync(file)))
      throw new NotFoundError('inventory database', file, undefined, {
        hint: 'the provider has not been collected yet',
      });
    if (!readonly && file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file, readonly ? { readonly: true, fileMustExist: true } : {});
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 15_000))}`);
      if (readonly) InventoryDb.checkSchema(db, file);
      else
        InventoryDb.createSchema(
          db,
          Object.values(options.indexes ?? {}).flatMap((f) => f ?? []),
        );
    } catch (e: unknown) {
      db.close();
      throw e;
    }
    return new InventoryDb<M>(file, db, readonly);
  }

  private static checkSchema(db: Database.Database, file: string): void {
    const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(MetaKey.SchemaVersion) as
      { value: string } | undefined;
    const version = row ? (JSON.parse(row.value) as unknown) : undefined;
    if (version !== InventorySchemaVersion)
      throw new InternalError(
        `inventory database ${file} has schema version ${String(version)}, expected ${InventorySchemaVersion}; restart the collector to rebuild it`,
      );
  }

  private static createSchema(db: Database.Database, fields: readonly string[]): void {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    const version = hasMeta
      ? (db.prepare('SELECT value FROM meta WHERE key = ?').get(MetaKey.SchemaVersion) as
          { value: string } | undefined)
      : undefined;
    if (hasMeta && version?.value !== String(InventorySchemaVersion))
      db.exec('DROP TABLE IF EXISTS objects; DROP TABLE meta;');
    db.exec(`
      CREATE TABLE IF NOT EXISTS objects (
        kind TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,
        parent_kind TEXT, parent_id TEXT, revision INTEGER NOT NULL, digest TEXT NOT NULL,
        doc TEXT NOT NULL, PRIMARY KEY (kind, id));
      CREATE INDEX IF NOT EXISTS objects_by_kind ON objects (kind);
      CREATE INDEX IF NOT EXISTS objects_by_name ON objects (kind, name);
      CREATE INDEX IF NOT EXISTS objects_by_path ON objects (kind, path);
      CREATE INDEX IF NOT EXISTS objects_by_parent ON objects (parent_kind, parent_id);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `);
    db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(
      MetaKey.SchemaVersion,
      String(InventorySchemaVersion),
    );
    db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(MetaKey.Revision, '0');
    for (const field of new Set(fields)) {
      if (field in ColumnFields) continue;
      if (!isSimpleField(field))
        throw new InternalError(`inventory index field "${field}" is not a dotted path of identifiers`);
      db.exec(`CREATE INDEX IF NOT EXISTS ${indexName(field)} ON objects (kind, ${fieldExpression(field)})`);
    }
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= 256) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private writable(): void {
    if (this.readonly) throw new InternalError(`inventory database ${this.file} is open read-only`);
  }

  // ---- reading

  /** The database revision: the number of transactions that changed something. */
  get revision(): number {
    return Number(this.getMeta(MetaKey.Revision) ?? 0);
  }

  /** Whether the collector has reached parity with the source (first full load done). */
  get parity(): boolean {
    return this.getMeta(MetaKey.Parity) === true;
  }

  /** A meta value (parsed JSON), `undefined` when unset. */
  getMeta(key: string): unknown {
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  }

  /** One object, `undefined` when absent. */
  get<K extends KindOf<M>>(kind: K, id: string): M[K] | undefined {
    const row = this.stmt('SELECT doc FROM objects WHERE kind = ? AND id = ?').get(kind, id) as
      { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as M[K]) : undefined;
  }

  private listSql(kind: string, options: ListOptions): { sql: string; params: unknown[] } {
    const conditions = ['kind = ?'];
    const params: unknown[] = [kind];
    if (options.name !== undefined && options.name !== '') {
      const c = nameCondition(options.name, options.pathMatch);
      conditions.push(`(${c.sql})`);
      params.push(...c.params);
    }
    if (options.path !== undefined) {
      conditions.push('path = ?');
      params.push(options.path);
    }
    if (options.where) {
      conditions.push(`(${options.where.sql})`);
      params.push(...options.where.params.map(bindable));
    }
    let sql = `SELECT doc FROM objects WHERE ${conditions.join(' AND ')} ORDER BY rowid`;
    if (options.limit !== undefined || options.offset !== undefined) {
      sql += ' LIMIT ? OFFSET ?';
      params.push(options.limit ?? -1, options.offset ?? 0);
    }
    return { sql, params };
  }

  /**
   * Objects of a kind in inventory order (first insertion), filtered and paged.
   * @throws SqliteError for an invalid `where`.
   */
  list<K extends KindOf<M>>(kind: K, options: ListOptions = {}): M[K][] {
    const { sql, params } = this.listSql(kind, options);
    const rows = this.stmt(sql).all(...params) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as M[K]);
  }

  /**
   * SQLite's plan for the {@link list} query with these options (`EXPLAIN QUERY PLAN` details),
   * to check that a query uses the indexes.
   */
  queryPlan(kind: KindOf<M>, options: ListOptions = {}): string[] {
    const { sql, params } = this.listSql(kind, options);
    const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    return rows.map((r) => r.detail);
  }

  /** Number of objects of a kind, optionally matching a condition (as in {@link ListOptions.where}). */
  count(kind: KindOf<M>, where?: SqlCondition): number {
    const sql = `SELECT count(*) AS n FROM objects WHERE kind = ?${where ? ` AND (${where.sql})` : ''}`;
    const row = this.stmt(sql).get(kind, ...(where?.params.map(bindable) ?? [])) as { n: number };
    return row.n;
  }

  /** Number of objects per kind (kinds without objects are absent). */
  counts(): Partial<Record<KindOf<M>, number>> {
    const rows = this.stmt('SELECT kind, count(*) AS n FROM objects GROUP BY kind ORDER BY kind').all() as {
      kind: KindOf<M>;
      n: number;
    }[];
    const out: Partial<Record<KindOf<M>, number>> = {};
    for (const r of rows) out[r.kind] = r.n;
    return out;
  }

  // ---- listening

  /**
   * Calls `listener` after each committed transaction that changed objects, in this process.
   * Listeners must not throw (a throw is rethrown asynchronously, as a defect).
   * @returns a function that removes the listener.
   */
  onChange(listener: (event: ChangeEvent<M>) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Calls `listener` when parity changes, in this process. @returns a function that removes it. */
  onParity(listener: (parity: boolean) => void): () => void {
    this.parityListeners.add(listener);
    return () => this.parityListeners.delete(listener);
  }

  // ---- writing

  /**
   * Sets a meta value (any JSON value).
   * @throws InternalError for the database's own keys (`revision`, `parity`, `schemaVersion`) or
   *   when read-only.
   */
  setMeta(key: string, value: unknown): void {
    this.writable();
    if (reservedMeta.has(key)) throw new InternalError(`inventory meta key "${key}" is set by the database`);
    this.writeMeta(key, value);
  }

  private writeMeta(key: string, value: unknown): void {
    this.stmt(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, JSON.stringify(value ?? null));
  }

  /** Records whether the collector has parity with the source; notifies parity listeners on change. */
  setParity(parity: boolean): void {
    this.writable();
    if (this.parity === parity) return;
    this.writeMeta(MetaKey.Parity, parity);
    notify(this.parityListeners, parity);
  }

  /**
   * Registers the validator of a kind: it runs inside {@link apply} on every created or updated
   * object of the kind (after all writes of the transaction, so lookups see them) and on
   * {@link revalidate}; the database then stamps `revisionValidated` = `revision`.
   */
  setValidator<K extends KindOf<M>>(kind: K, validator: Validator<M, K>): void {
    this.validators.set(
      kind,
      validator as unknown as (o: InventoryEntity, r: InventoryReader<M>) => InventoryEntity,
    );
  }

  private readRow(kind: string, id: string): Row | undefined {
    return this.stmt(
      'SELECT rowid, kind, id, revision, digest, doc FROM objects WHERE kind = ? AND id = ?',
    ).get(kind, id) as Row | undefined;
  }

  private writeRow(kind: string, doc: InventoryEntity, revision: number, digest: string): void {
    this.stmt(
      `INSERT INTO objects (kind, id, name, path, parent_kind, parent_id, revision, digest, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, path = excluded.path,
         parent_kind = excluded.parent_kind, parent_id = excluded.parent_id,
         revision = excluded.revision, digest = excluded.digest, doc = excluded.doc`,
    ).run(
      kind,
      doc.id,
      doc.name,
      doc.path ?? '',
      doc.parent?.kind ?? null,
      doc.parent?.id ?? null,
      revision,
      digest,
      JSON.stringify(doc),
    );
  }

  private restoreRow(old: Row): void {
    this.writeRow(old.kind, JSON.parse(old.doc) as InventoryEntity, old.revision, old.digest);
  }

  /** Collects the transaction's objects: the last upsert or delete of each key wins. */
  private pending(update: InventoryUpdate<M>): Map<string, Pending> {
    const out = new Map<string, Pending>();
    const touch = (kind: string, id: string, doc: InventoryEntity | undefined): void => {
      const key = `${kind}\u0000${id}`;
      const old = out.has(key) ? out.get(key)?.old : this.readRow(kind, id);
      out.set(key, { kind, id, old, doc, validated: false });
    };
    for (const u of update.upserts ?? []) touch(u.kind, u.object.id, u.object);
    for (const d of update.deletes ?? []) touch(d.kind, d.id, undefined);
    return out;
  }

  /** Stages the writes, runs validators, then keeps what changed; returns the event. */
  private commit(items: Iterable<Pending>, next: number): ChangeEvent<M> {
    const list = [...items];
    for (const p of list) {
      if (p.doc) this.writeRow(p.kind, p.doc, p.old?.revision ?? next, '');
      else this.stmt('DELETE FROM objects WHERE kind = ? AND id = ?').run(p.kind, p.id);
    }
    for (const p of list) {
      const validate = p.doc && this.validators.get(p.kind);
      if (p.doc && validate) {
        p.doc = validate(p.doc, this);
        p.validated = true;
      }
    }
    const event: ChangeEvent<M> = { revision: next, created: [], updated: [], deleted: [] };
    for (const p of list) this.settle(p, next, event);
    const changed = event.created.length + event.updated.length + event.deleted.length > 0;
    if (changed) this.writeMeta(MetaKey.Revision, next);
    else event.revision = next - 1;
    return event;
  }

  private settle(p: Pending, next: number, event: ChangeEvent<M>): void {
    const previous = p.old ? (JSON.parse(p.old.doc) as InventoryEntity) : undefined;
    if (!p.doc) {
      if (previous) event.deleted.push({ kind: p.kind, object: previous } as InventoryChange<M>);
      return;
    }
    const digest = digestOf(p.doc);
    if (p.old && previous && p.old.digest === digest) {
      // Same content: keep the stored document, only marking it validated at its revision.
      const stale =
        p.validated && (previous as { revisionValidated?: unknown }).revisionValidated !== p.old.revision;
      if (stale)
        this.writeRow(
          p.kind,
          { ...previous, revisionValidated: p.old.revision } as InventoryEntity,
          p.old.revision,
          digest,
        );
      else this.restoreRow(p.old);
      return;
    }
    const doc = { ...p.doc, revision: next, ...(p.validated ? { revisionValidated: next } : {}) };
    this.writeRow(p.kind, doc, next, digest);
    if (previous) event.updated.push({ kind: p.kind, object: doc, previous } as InventoryChange<M>);
    else event.created.push({ kind: p.kind, object: doc } as InventoryChange<M>);
  }

  private transact(fn: (next: number) => ChangeEvent<M>): ChangeEvent<M> {
    this.writable();
    const event = this.db.transaction(() => fn(this.revision + 1)).immediate();
    if (event.created.length + event.updated.length + event.deleted.length > 0)
      notify(this.changeListeners, event);
    return event;
  }

  /**
   * Applies upserts and deletes as one transaction and one database revision. Objects whose
   * document changed get `revision` = the new database revision (and, when a validator is
   * registered for their kind, validated fields and `revisionValidated`); unchanged upserts and
   * deletes of absent objects are no-ops. When nothing changed the revision stays.
   *
   * @returns the changes (also sent to {@link onChange} listeners after the commit).
   * @throws InternalError for malformed input (nothing is written), or when read-only; a throwing
   *   validator rolls the whole transaction back.
   */
  apply(update: InventoryUpdate<M>): ChangeEvent<M> {
    const problems = (update.upserts ?? []).flatMap((u, i) =>
      checkEntity(u as InventoryObject, `upserts[${i}]`),
    );
    (update.deletes ?? []).forEach((d, i) => {
      if (typeof d.kind !== 'string' || typeof d.id !== 'string')
        problems.push({ field: `deletes[${i}]`, message: 'must be {kind, id} of strings', value: d });
    });
    if (problems.length > 0)
      throw new InternalError(`invalid inventory update:\n${problems.map(formatProblem).join('\n')}`);
    return this.transact((next) => this.commit(this.pending(update).values(), next));
  }

  /**
   * Runs the kind's validator again over its objects (all, or those of `ids`), as one transaction;
   * objects whose document changes get a new revision. Use after changes the validator depends on
   * (a datastore or cluster changed) and when the validation rules change.
   * @throws InternalError when no validator is registered for the kind.
   */
  revalidate(kind: KindOf<M>, ids?: readonly string[]): ChangeEvent<M> {
    if (!this.validators.has(kind)) throw new InternalError(`no inventory validator for kind "${kind}"`);
    return this.transact((next) => {
      const rows = ids
        ? ids.map((id) => this.readRow(kind, id)).filter((r): r is Row => r !== undefined)
        : (this.stmt(
            'SELECT rowid, kind, id, revision, digest, doc FROM objects WHERE kind = ? ORDER BY rowid',
          ).all(kind) as Row[]);
      return this.commit(
        rows.map((old) => ({
          kind,
          id: old.id,
          old,
          doc: JSON.parse(old.doc) as InventoryEntity,
          validated: false,
        })),
        next,
      );
    });
  }

  /**
   * Deletes every object (a collector rebuilding from scratch) and clears parity, as one
   * transaction; listeners receive every deleted object.
   */
  deleteAll(): ChangeEvent<M> {
    const event = this.transact((next) => {
      const rows = this.stmt(
        'SELECT rowid, kind, id, revision, digest, doc FROM objects ORDER BY rowid',
      ).all() as Row[];
      return this.commit(
        rows.map((old) => ({ kind: old.kind, id: old.id, old, doc: undefined, validated: false })),
        next,
      );
    });
    this.setParity(false);
    return event;
  }

  /** Closes the file. Idempotent. */
  close(): void {
    if (!this.db.open) return;
    if (!this.readonly) this.db.pragma('optimize');
    this.statements.clear();
    this.db.close();
  }
}

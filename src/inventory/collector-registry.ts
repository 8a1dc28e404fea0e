/**
 * The running collectors, one per provider, each writing its own inventory database
 * (`<dir>/<provider uid>.db`). A provider whose spec or Secret changed gets a fresh collector and
 * an emptied database, so objects of a previous endpoint never linger.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Collector, CollectorOptions, Connection, ProviderAdapter } from '../providers/adapter.js';
import { InventoryDb } from './db.js';
import { indexesFor } from './indexes.js';

interface Entry {
  uid: string;
  hash: string;
  db: InventoryDb;
  collector: Collector;
}

/** Path of a provider's inventory database. */
export function inventoryDbPath(dir: string, uid: string): string {
  return path.join(dir, `${uid}.db`);
}

/** Collectors by provider key (`namespace/name`). */
export class CollectorRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly dir: string;
  private readonly log: CollectorOptions['log'];

  /** @param dir where the databases live (`$MTV_HOME/inventory` in local mode). */
  constructor(dir: string, log: CollectorOptions['log']) {
    this.dir = dir;
    this.log = log;
  }

  /**
   * Returns the provider's collector, starting one (or replacing one started for another
   * `hash` — the digest of URL, settings and Secret) as needed.
   */
  async ensure(
    key: string,
    uid: string,
    hash: string,
    adapter: ProviderAdapter,
    connection: Connection,
    onStateChange: () => void,
  ): Promise<Collector> {
    const current = this.entries.get(key);
    if (current && current.uid === uid && current.hash === hash) return current.collector;
    if (current) await this.stop(key, current.uid !== uid);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const db = InventoryDb.open(inventoryDbPath(this.dir, uid), { indexes: indexesFor(adapter.type) });
    if (current?.uid === uid) db.deleteAll();
    db.setMeta('provider', key);
    const collector = adapter.startCollector({ connection, db, onStateChange, log: this.log });
    this.entries.set(key, { uid, hash, db, collector });
    return collector;
  }

  /** The provider's collector, if one runs. */
  get(key: string): Collector | undefined {
    return this.entries.get(key)?.collector;
  }

  /** Stops the provider's collector; with `remove`, deletes its database too. */
  async stop(key: string, remove = false): Promise<void> {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    await e.collector.stop();
    e.db.close();
    if (remove) this.removeDb(e.uid);
  }

  /** Deletes a provider's database files (the provider is gone). */
  removeDb(uid: string): void {
    const file = inventoryDbPath(this.dir, uid);
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }

  /** Stops every collector (controller shutdown); databases stay for the next start. */
  async stopAll(): Promise<void> {
    for (const key of [...this.entries.keys()]) await this.stop(key);
  }
}

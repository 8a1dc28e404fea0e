/**
 * One controller per local store: an exclusive lock on `$MTV_HOME/controller.lock`, plus a small
 * state file (`controller.json`) saying which process holds it.
 *
 * The lock is an SQLite `BEGIN EXCLUSIVE` transaction held open for the controller's lifetime.
 * SQLite takes it with POSIX advisory locks, which the kernel drops when the process dies, however
 * it dies: a crashed controller never leaves a stale lock behind (a pid file would).
 *
 * @see https://www.sqlite.org/lockingv3.html
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** What `controller.json` records about the running controller. */
export interface ControllerState {
  pid: number;
  /** RFC 3339. */
  startedAt: string;
  /** mtv version of the controller process. */
  version: string;
  /** The controller's log file (JSON lines). */
  logFile: string;
  /** Seconds without work after which it exits; 0 = never. */
  idleExitSeconds: number;
  /** The in-process inventory server's address, when it listens on a port. */
  inventoryUrl?: string;
}

/** Paths of the controller's files under `$MTV_HOME`. */
export function controllerPaths(home: string): { lock: string; state: string; log: string } {
  return {
    lock: path.join(home, 'controller.lock'),
    state: path.join(home, 'controller.json'),
    log: path.join(home, 'controller.log'),
  };
}

/** A held controller lock; {@link LocalLock.release} (or process exit) frees it. */
export class LocalLock {
  private readonly db: Database.Database;
  private readonly home: string;

  private constructor(db: Database.Database, home: string) {
    this.db = db;
    this.home = home;
  }

  /**
   * Takes the lock, or returns undefined when another process holds it.
   * @param options.waitMs how long to keep trying while it is held (blocking this thread): a
   *   controller starting waits out the instant {@link LocalLock.isHeld} of a `controller status`
   *   or an auto-start holds it, instead of exiting as if another controller ran. @default 0
   */
  static tryAcquire(home: string, options: { waitMs?: number } = {}): LocalLock | undefined {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const db = new Database(controllerPaths(home).lock, { timeout: options.waitMs ?? 0 });
    try {
      db.pragma('journal_mode = DELETE');
      db.exec('BEGIN EXCLUSIVE');
      return new LocalLock(db, home);
    } catch (e: unknown) {
      db.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY') return undefined;
      throw e;
    }
  }

  /**
   * True when some process holds the lock (checked by taking it for an instant, never waiting; a
   * controller starting meanwhile waits that instant out, see {@link LocalLock.tryAcquire}).
   */
  static isHeld(home: string): boolean {
    const lock = LocalLock.tryAcquire(home);
    lock?.release({ keepState: true });
    return lock === undefined;
  }

  /** Records who holds the lock. */
  writeState(state: ControllerState): void {
    writeFileSync(controllerPaths(this.home).state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  }

  /** Frees the lock and (unless `keepState`) removes the state file. */
  release(options: { keepState?: boolean } = {}): void {
    if (!this.db.open) return;
    if (!options.keepState) rmSync(controllerPaths(this.home).state, { force: true });
    this.db.exec('ROLLBACK');
    this.db.close();
  }
}

/** The state file's content, if present and readable. */
export function readControllerState(home: string): ControllerState | undefined {
  try {
    return JSON.parse(readFileSync(controllerPaths(home).state, 'utf8')) as ControllerState;
  } catch {
    return undefined;
  }
}

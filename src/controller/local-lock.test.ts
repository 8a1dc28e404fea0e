import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { controllerPaths, LocalLock, readControllerState } from './local-lock.js';

const home = () => mkdtempSync(path.join(tmpdir(), 'mtv-lock-'));

describe('LocalLock', () => {
  it('lets one holder in at a time and records who holds it', () => {
    const h = home();
    const first = LocalLock.tryAcquire(h);
    expect(first).toBeDefined();
    expect(LocalLock.tryAcquire(h)).toBeUndefined();
    expect(LocalLock.isHeld(h)).toBe(true);
    first?.writeState({
      pid: process.pid,
      startedAt: new Date(0).toISOString(),
      version: 't',
      logFile: controllerPaths(h).log,
      idleExitSeconds: 0,
    });
    expect(readControllerState(h)?.pid).toBe(process.pid);
    first?.release();
    expect(readControllerState(h)).toBeUndefined();
    expect(LocalLock.isHeld(h)).toBe(false);
    const second = LocalLock.tryAcquire(h);
    expect(second).toBeDefined();
    second?.release();
  });

  it('is freed by the kernel when the holding process is killed', async () => {
    const h = home();
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(sqlite)}); const db = new D(process.argv[1], { timeout: 0 });
         db.pragma('journal_mode = DELETE'); db.exec('BEGIN EXCLUSIVE'); console.log('locked'); setInterval(() => {}, 1000);`,
        controllerPaths(h).lock,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(LocalLock.tryAcquire(h)).toBeUndefined();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const lock = LocalLock.tryAcquire(h);
    expect(lock).toBeDefined();
    lock?.release();
  });

  it('a controller starting waits out a short probe (controller status) instead of giving up', async () => {
    const h = home();
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    // Another process holds the lock for 300 ms, as a probe would for an instant.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(sqlite)}); const db = new D(process.argv[1], { timeout: 0 });
         db.pragma('journal_mode = DELETE'); db.exec('BEGIN EXCLUSIVE'); console.log('locked');
         setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, 300);`,
        controllerPaths(h).lock,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(LocalLock.tryAcquire(h)).toBeUndefined(); // no wait: held
    const lock = LocalLock.tryAcquire(h, { waitMs: 5000 });
    expect(lock).toBeDefined();
    lock?.release();
    await new Promise((r) => child.once('exit', r));
  });
});

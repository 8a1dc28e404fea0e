/**
 * The local mode's background controller: commands that need reconciling call
 * {@link ensureLocalController}, which starts `mtv controller run --idle-exit N` detached when no
 * controller holds the store's lock, and records activity so a running one stays up. The
 * controller exits by itself after `N` seconds without activity.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../api/index.js';
import { controllerPaths, LocalLock, readControllerState, type ControllerState } from './local-lock.js';

/** Seconds a background controller waits without activity before it exits. @default 600 */
export function idleExitSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const n = Number(env.MTV_CONTROLLER_IDLE_EXIT ?? '600');
  return Number.isFinite(n) && n >= 0 ? n : 600;
}

/** The file whose modification time is the last CLI activity. */
export function activityFile(home: string): string {
  return path.join(home, 'controller.activity');
}

/** Records CLI activity (keeps a running background controller alive). */
export function touchActivity(home: string): void {
  const f = activityFile(home);
  const now = new Date();
  try {
    utimesSync(f, now, now);
  } catch {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(f, '', { mode: 0o600 });
  }
}

/** Options of {@link ensureLocalController}. */
export interface EnsureOptions {
  home: string;
  /** `[node, script]` of this program. */
  self: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** How long to wait for a started controller to take the lock. @default 10000 (ms) */
  timeoutMs?: number;
}

/**
 * Makes sure a controller runs for the local store in `home`; starts one in the background if
 * not. Returns its state and whether this call started it.
 * @throws ApiError when a started controller did not come up (with the end of its log).
 */
export async function ensureLocalController(
  options: EnsureOptions,
): Promise<{ state: ControllerState | undefined; started: boolean }> {
  const { home, self, env } = options;
  touchActivity(home);
  if (LocalLock.isHeld(home)) return { state: readControllerState(home), started: false };
  const { log } = controllerPaths(home);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const fd = openSync(log, 'a', 0o600);
  const [exe = process.execPath, ...args] = self;
  const child = spawn(
    exe,
    [...args, 'controller', 'run', '--store', 'local', '--idle-exit', String(idleExitSeconds(env))],
    { detached: true, stdio: ['ignore', fd, fd], env: { ...env, MTV_HOME: home } },
  );
  closeSync(fd);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    const state = readControllerState(home);
    if (state && LocalLock.isHeld(home)) return { state, started: state.pid === child.pid };
    if (exited !== undefined && !LocalLock.isHeld(home)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new ApiError(`the background controller did not start (see ${log})`, 0, {
    hint: `last log lines:\n${tail(log, 5)}`,
  });
}

/** The last `n` lines of a file ('' if unreadable). */
export function tail(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

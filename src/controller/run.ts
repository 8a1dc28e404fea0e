/**
 * `mtv controller run`: one controller per store. In local mode it holds `$MTV_HOME`'s lock (and
 * may exit after a quiet period); in cluster mode it leads through a Lease. It runs the
 * reconcilers and, when asked, the inventory REST service.
 */
import { statSync } from 'node:fs';
import { ApiError } from '../api/index.js';
import type { ObjectStore, StoreMode } from '../store/index.js';
import { activityFile } from './background.js';
import { LeaderElector } from './leader-election.js';
import { controllerPaths, LocalLock, readControllerState } from './local-lock.js';
import type { Logger } from './log.js';
import { errorText, Manager, type Reconciler } from './manager.js';

/** What the controller needs from its host process. */
export interface ControllerRuntime {
  store: ObjectStore;
  mode: StoreMode;
  /** `$MTV_HOME` (lock, state, inventory databases). */
  home: string;
  log: Logger;
  version: string;
  /** Ends the controller (Ctrl-C, SIGTERM, `controller stop`). */
  signal: AbortSignal;
}

/** Options of {@link runController}. */
export interface RunOptions {
  /** Exit after this many seconds without activity; 0 = run until stopped. @default 0 */
  idleExitSeconds?: number;
  /** Namespace of the leader-election Lease (cluster mode). */
  leaseNamespace?: string;
  /** Builds the reconcilers once this process leads. */
  reconcilers(manager: () => Manager): Reconciler[];
  /** True while work runs outside the queue (VM migrations): the controller does not idle out. */
  busy?: () => boolean;
  /** Extra services started with the reconcilers (e.g. the inventory server); stopped on exit. */
  services?: { start(): Promise<void>; stop(): Promise<void> }[];
}

/**
 * Runs until the signal aborts, the idle period passes, or leadership is lost.
 * @returns why it stopped
 * @throws ApiError when another controller already runs on this local store
 */
export async function runController(rt: ControllerRuntime, options: RunOptions): Promise<string> {
  const stop = new AbortController();
  rt.signal.addEventListener('abort', () => stop.abort('stopped'), { once: true });
  let lock: LocalLock | undefined;
  let elector: LeaderElector | undefined;
  let holding: Promise<void> | undefined;
  if (rt.mode === 'local') {
    // Waits out a `controller status` probe holding the lock for an instant (2 s is plenty).
    lock = LocalLock.tryAcquire(rt.home, { waitMs: 2000 });
    if (!lock) {
      const other = readControllerState(rt.home);
      throw new ApiError(
        `a controller already runs on the local store in ${rt.home}${other ? ` (pid ${String(other.pid)})` : ''}`,
        0,
        { hint: 'see it with: mtv controller status; stop it with: mtv controller stop' },
      );
    }
    lock.writeState({
      pid: process.pid,
      startedAt: new Date().toISOString(),
      version: rt.version,
      logFile: controllerPaths(rt.home).log,
      idleExitSeconds: options.idleExitSeconds ?? 0,
    });
  } else {
    elector = new LeaderElector({ store: rt.store, namespace: options.leaseNamespace ?? 'default' });
    rt.log.info({ identity: elector.identity }, 'waiting for leadership');
    const leads = await elector.acquire(stop.signal, (e) =>
      rt.log.warn({ err: errorText(e) }, 'leader election failed'),
    );
    if (!leads) return 'stopped';
    rt.log.info({ identity: elector.identity }, 'leading');
    holding = elector.hold(
      stop.signal,
      () => stop.abort('leadership lost'),
      (e) => rt.log.warn({ err: errorText(e) }, 'lease renewal failed'),
    );
  }
  const holder: { manager?: Manager } = {};
  const reconcilers = options.reconcilers(() => holder.manager as Manager);
  const manager = new Manager({ store: rt.store, reconcilers, log: rt.log });
  holder.manager = manager;
  try {
    for (const s of options.services ?? []) await s.start();
    manager.start();
    rt.log.info({ mode: rt.mode, home: rt.home, reconcilers: reconcilers.map((r) => r.name) }, 'started');
    await waitUntilDone(
      stop,
      () => manager.busy > 0 || (options.busy?.() ?? false),
      rt.home,
      options.idleExitSeconds ?? 0,
    );
  } finally {
    await manager.stop();
    for (const s of options.services ?? []) await s.stop().catch(() => undefined);
    if (!stop.signal.aborted) stop.abort('done');
    await holding;
    lock?.release();
  }
  const reason = String(stop.signal.reason);
  rt.log.info({ reason }, 'stopped');
  return reason;
}

async function waitUntilDone(
  stop: AbortController,
  busy: () => boolean,
  home: string,
  idleSeconds: number,
): Promise<void> {
  while (!stop.signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.min(1000, idleSeconds > 0 ? idleSeconds * 250 : 1000));
      stop.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
    if (idleSeconds > 0 && !busy()) {
      // Only users count as activity: the controller's own periodic work (connection re-tests,
      // collectors) must not keep an unused background controller alive.
      if (Date.now() - lastCliActivity(home) > idleSeconds * 1000)
        stop.abort(`idle for ${String(idleSeconds)} s`);
    }
  }
}

function lastCliActivity(home: string): number {
  try {
    return statSync(activityFile(home)).mtimeMs;
  } catch {
    return 0;
  }
}

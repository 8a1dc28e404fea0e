/**
 * `mtv controller run|status|logs|stop`: the controller in the foreground, and management of the
 * local mode's background controller.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, rmSync, statSync, watch } from 'node:fs';
import path from 'node:path';
import { ApiError, Resources, UsageError, type Provider } from '../../api/index.js';
import { LeaderElector } from '../../controller/leader-election.js';
import { controllerPaths, LocalLock, readControllerState } from '../../controller/local-lock.js';
import { createLogger, type Logger } from '../../controller/log.js';
import { MapReconciler } from '../../controller/map-reconciler.js';
import { MigrationReconciler } from '../../controller/migration-reconciler.js';
import type { TransferExecutor } from '../../executor/kube-target.js';
import type { TransferJobSettings } from '../../executor/transfer-job.js';
import { PlanReconciler } from '../../controller/plan-reconciler.js';
import { ProviderReconciler } from '../../controller/provider-reconciler.js';
import { InventoryAccess } from '../../controller/target-facts.js';
import { normalizeVmName } from '../../planner/naming.js';
import { runController } from '../../controller/run.js';
import { CollectorRegistry } from '../../inventory/collector-registry.js';
import { providerAdapters } from '../../providers/registry.js';
import type { Session } from '../context.js';
import type { CommandResult } from '../result.js';

/** Options of `controller run`. */
export interface RunOptions {
  /** Seconds without CLI activity before exiting; 0 = never. */
  idleExit: number;
  /** Namespace of the leader-election Lease (cluster mode). */
  leaseNamespace?: string;
  /** Log level. */
  logLevel?: string;
  version: string;
  /** `HOST:PORT` for the inventory service; default `0.0.0.0:8443` in cluster mode, none locally. */
  inventoryListen?: string;
  /** PEM files of the inventory service's TLS certificate and key. */
  tlsCert?: string;
  tlsKey?: string;
  /** Serve the inventory over plain HTTP (explicit opt-out of TLS). */
  plainHttp?: boolean;
}

/** Parses `HOST:PORT`. @throws UsageError */
function parseListen(value: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || port > 65535) {
    throw new UsageError({
      field: '--inventory-listen',
      message: 'must be HOST:PORT',
      value,
      hint: 'e.g. 0.0.0.0:8443',
    });
  }
  return { host: m[1] || '0.0.0.0', port };
}

/** The inventory REST service as a controller service (cluster mode, or `--inventory-listen`). */
async function inventoryService(
  session: Session,
  o: RunOptions,
  dir: string,
  log: Logger,
): Promise<{ start(): Promise<void>; stop(): Promise<void> } | undefined> {
  const listen = o.inventoryListen ?? (session.mode === 'kube' ? '0.0.0.0:8443' : undefined);
  if (!listen) return undefined;
  const { host, port } = parseListen(listen);
  if (!o.plainHttp && !(o.tlsCert && o.tlsKey)) {
    throw new UsageError({
      field: '--tls-cert',
      message: 'the inventory service needs a TLS certificate and key (--tls-cert, --tls-key)',
      hint: 'or pass --inventory-plain-http to serve without TLS (not for production)',
    });
  }
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  if (session.mode === 'local' && !loopback) {
    throw new UsageError({
      field: '--inventory-listen',
      message: 'local mode serves the inventory without authentication, so only on a loopback address',
      value: listen,
      hint: 'use 127.0.0.1:PORT',
    });
  }
  const { buildInventoryApp } = await import('../../inventory/server.js');
  let authorizer;
  if (session.mode === 'kube') {
    const { KubeAuthorizer } = await import('../../inventory/auth.js');
    const { KubeStore } = await import('../../store/kube-store.js');
    if (session.store instanceof KubeStore) authorizer = new KubeAuthorizer(session.store);
  }
  const https = o.plainHttp
    ? undefined
    : { cert: readFileSync(o.tlsCert ?? ''), key: readFileSync(o.tlsKey ?? '') };
  if (!https) log.warn({ listen }, 'the inventory service runs without TLS (--inventory-plain-http)');
  const app = buildInventoryApp({
    store: session.store,
    dir,
    ...(authorizer ? { authorizer } : {}),
    ...(https ? { https } : {}),
  });
  return {
    start: async () => {
      const address = await app.listen({ host, port });
      log.info({ address }, 'inventory service listening');
    },
    stop: () => app.close(),
  };
}

/** Deletes inventory databases whose provider no longer exists (deleted while no controller ran). */
async function pruneInventories(session: Session, dir: string, log: Logger): Promise<void> {
  const { items } = await session.store.list<Provider>(Resources.Provider);
  const live = new Set(items.map((p) => p.metadata.uid));
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const f of names) {
    const m = /^(.+)\.db(-wal|-shm)?$/.exec(f);
    if (m && !live.has(m[1])) {
      rmSync(path.join(dir, f), { force: true });
      if (!m[2]) log.info({ uid: m[1] }, 'removed the inventory of a deleted provider');
    }
  }
}

/**
 * Cluster-mode transfer settings from the environment: `MTV_TRANSFER_EXECUTOR` (`job`, the
 * default, or `in-process`), `MTV_TRANSFER_IMAGE` and `MTV_TRANSFER_SERVICE_ACCOUNT` for the Jobs.
 * @throws UsageError for an unknown executor
 */
export function transferSettings(env: Readonly<Record<string, string | undefined>>): {
  executor?: TransferExecutor;
  transferJob?: TransferJobSettings;
} {
  const executor = env.MTV_TRANSFER_EXECUTOR;
  if (executor !== undefined && executor !== 'job' && executor !== 'in-process')
    throw new UsageError({
      field: 'MTV_TRANSFER_EXECUTOR',
      message: `must be job or in-process, not ${JSON.stringify(executor)}`,
    });
  return {
    ...(executor ? { executor } : {}),
    ...(env.MTV_TRANSFER_IMAGE
      ? {
          transferJob: {
            image: env.MTV_TRANSFER_IMAGE,
            ...(env.MTV_TRANSFER_SERVICE_ACCOUNT ? { serviceAccount: env.MTV_TRANSFER_SERVICE_ACCOUNT } : {}),
          },
        }
      : {}),
  };
}

/**
 * Warm migration's precopy interval: `MTV_PRECOPY_INTERVAL` in minutes (Forklift's
 * `PRECOPY_INTERVAL`, default 60); fractions are allowed (`0.1` = 6 s, for tests and demos).
 * @throws UsageError naming the variable when it is not a positive number
 */
export function precopySettings(env: Readonly<Record<string, string | undefined>>): {
  precopyIntervalMs?: number;
} {
  const text = env.MTV_PRECOPY_INTERVAL;
  if (text === undefined || text === '') return {};
  const minutes = Number(text);
  if (!Number.isFinite(minutes) || minutes <= 0)
    throw new UsageError({
      field: 'MTV_PRECOPY_INTERVAL',
      value: text,
      message: 'must be a positive number of minutes',
      hint: 'e.g. MTV_PRECOPY_INTERVAL=60 (the default)',
    });
  return { precopyIntervalMs: Math.round(minutes * 60_000) };
}

/** Runs the controller until stopped. */
export async function run(session: Session, o: RunOptions): Promise<CommandResult> {
  const log = createLogger({ level: o.logLevel ?? 'info' });
  const signal = session.signal ?? new AbortController().signal;
  const inventoryDir = path.join(session.home, 'inventory');
  const collectors = new CollectorRegistry(inventoryDir, (level, message, fields) =>
    log[level]({ ...fields, component: 'collector' }, message),
  );
  const inventory = await inventoryService(session, o, inventoryDir, log);
  const access = new InventoryAccess(inventoryDir);
  let enqueueMigration: (key: string) => void = () => undefined;
  const migrations = new MigrationReconciler({
    store: session.store,
    inventory: access,
    home: session.home,
    log,
    enqueue: (key) => enqueueMigration(key),
    ...(session.env.MTV_MAX_VM_INFLIGHT ? { maxInFlight: Number(session.env.MTV_MAX_VM_INFLIGHT) } : {}),
    ...precopySettings(session.env),
    ...transferSettings(session.env),
  });
  const reason = await runController(
    { store: session.store, mode: session.mode, home: session.home, log, version: o.version, signal },
    {
      idleExitSeconds: o.idleExit,
      services: [
        { start: () => pruneInventories(session, inventoryDir, log), stop: () => Promise.resolve() },
        ...(inventory ? [inventory] : []),
      ],
      leaseNamespace: o.leaseNamespace ?? session.namespace,
      reconcilers: (manager) => {
        enqueueMigration = (key) => manager().enqueue('migration', key);
        return [
          new ProviderReconciler({
            store: session.store,
            log,
            adapters: providerAdapters,
            collectors,
            enqueue: (key, delay) => manager().enqueue('provider', key, delay),
            ...(session.env.MTV_PROVIDER_RETEST_SECONDS
              ? { retestSeconds: Number(session.env.MTV_PROVIDER_RETEST_SECONDS) }
              : {}),
          }),
          new MapReconciler('NetworkMap', { store: session.store, inventory: access }),
          new MapReconciler('StorageMap', { store: session.store, inventory: access }),
          new PlanReconciler({ store: session.store, inventory: access, normalizeName: normalizeVmName }),
          migrations,
        ];
      },
      busy: () => migrations.active > 0,
    },
  );
  access.close();
  return { kind: 'text', text: `controller stopped: ${reason}\n` };
}

/** `controller status`: whether a controller runs for this store, and which. */
export async function status(session: Session): Promise<CommandResult> {
  if (session.mode === 'kube') {
    const holder = await new LeaderElector({ store: session.store, namespace: session.namespace }).holder();
    const data = { mode: 'kube', namespace: session.namespace, leader: holder ?? null, running: !!holder };
    return {
      kind: 'data',
      data,
      text: holder
        ? `controller: leading in namespace ${session.namespace} (holder ${holder})\n`
        : `controller: no leader in namespace ${session.namespace} (Lease mtv-controller absent or released)\n`,
    };
  }
  const running = LocalLock.isHeld(session.home);
  const state = running ? readControllerState(session.home) : undefined;
  const data = { mode: 'local', home: session.home, running, ...(state ?? {}) };
  const text = running
    ? `controller: running (pid ${String(state?.pid ?? '?')}, since ${state?.startedAt ?? '?'}, version ${state?.version ?? '?'})\n` +
      `  store: ${session.home}\n  log:   ${state?.logFile ?? controllerPaths(session.home).log}\n` +
      (state?.idleExitSeconds ? `  exits after ${String(state.idleExitSeconds)} s without activity\n` : '')
    : `controller: not running (store ${session.home})\n`;
  return { kind: 'data', data, text };
}

/** Options of `controller logs`. */
export interface LogsOptions {
  follow: boolean;
  /** Lines from the end; undefined = all. */
  tail?: number;
  write: (text: string) => void;
}

/** `controller logs`: prints the background controller's log, optionally following it. */
export async function logs(session: Session, o: LogsOptions): Promise<CommandResult> {
  if (session.mode === 'kube') {
    throw new UsageError({
      field: 'controller logs',
      message: 'reads the local controller log; in cluster mode the controller logs to its pod',
      hint: 'use: kubectl logs deploy/mtv-controller -n <namespace>',
    });
  }
  const file = controllerPaths(session.home).log;
  if (!existsSync(file)) return { kind: 'text', text: `no controller log yet (${file})\n` };
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  for (const l of o.tail === undefined ? lines : lines.slice(-o.tail)) o.write(`${formatLogLine(l)}\n`);
  if (o.follow) await follow(file, statSync(file).size, o.write, session.signal);
  return { kind: 'text', text: '' };
}

async function follow(
  file: string,
  from: number,
  write: (t: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  let offset = from;
  let partial = '';
  const drain = async () => {
    const size = statSync(file).size;
    if (size <= offset) return;
    for await (const chunk of createReadStream(file, { start: offset, end: size - 1, encoding: 'utf8' })) {
      partial += chunk as string;
    }
    offset = size;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (l) write(`${formatLogLine(l)}\n`);
  };
  const watcher = watch(file);
  try {
    await new Promise<void>((resolve) => {
      watcher.on('change', () => void drain());
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    watcher.close();
  }
}

/** One JSON log line as `TIME LEVEL message key=value…` (non-JSON lines unchanged). */
export function formatLogLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const levels: Record<number, string> = {
    10: 'TRACE',
    20: 'DEBUG',
    30: 'INFO',
    40: 'WARN',
    50: 'ERROR',
    60: 'FATAL',
  };
  const { time, level, msg, pid: _pid, hostname: _h, ...rest } = rec;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(time)} ${levels[level as number] ?? String(level)} ${String(msg)}${fields ? ` ${fields}` : ''}`;
}

/** `controller stop`: stops the local background controller and waits for it to exit. */
export async function stop(session: Session): Promise<CommandResult> {
  if (session.mode === 'kube') {
    throw new UsageError({
      field: 'controller stop',
      message: 'stops the local controller; in cluster mode the controller is a Deployment',
      hint: 'use: kubectl scale deploy/mtv-controller --replicas 0 -n <namespace>',
    });
  }
  const state = readControllerState(session.home);
  if (!LocalLock.isHeld(session.home)) return { kind: 'text', text: 'controller: not running\n' };
  if (!state) throw new ApiError(`a controller holds ${session.home} but left no state file`, 0);
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (LocalLock.isHeld(session.home)) {
    if (Date.now() > deadline) {
      throw new ApiError(`the controller (pid ${String(state.pid)}) did not stop within 15 s`, 0, {
        hint: `kill it with: kill -9 ${String(state.pid)}`,
      });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { kind: 'text', text: `controller: stopped (pid ${String(state.pid)})\n` };
}

/**
 * Chooses and opens the store a command uses. The choice is never a guess (ADR 0003):
 * `--store kube|local`, else `MTV_STORE`, else kube when a kubeconfig is configured, else local with
 * a one-line notice. An unreachable cluster is an error, never a switch to local.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiError, UsageError } from '../api/index.js';
import type { ObjectStore, StoreMode } from './object-store.js';

/** Inputs of {@link openStore}; commands pass them explicitly (no globals). */
export interface OpenStoreOptions {
  /** `--store`. */
  store?: string | undefined;
  /** `--kubeconfig`. */
  kubeconfig?: string | undefined;
  /** `--context`. */
  context?: string | undefined;
  /** Environment (MTV_STORE, MTV_HOME, KUBECONFIG, XDG_DATA_HOME…). */
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory. */
  homeDir: string;
  /** Request log for `-v 6` and above. */
  log?: (line: string) => void;
  /** Aborts requests in flight (Ctrl-C). */
  signal?: AbortSignal;
}

/** An opened store and what the command needs to know about it. */
export interface OpenedStore {
  store: ObjectStore;
  mode: StoreMode;
  /** The namespace to use when none is given: the context's, else `default`. */
  defaultNamespace: string;
  /** A line for stderr when local mode was chosen implicitly. */
  notice?: string;
}

const inClusterToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** `$MTV_HOME`, else `$XDG_DATA_HOME/mtv`, else `~/.local/share/mtv`. */
export function resolveMtvHome(env: OpenStoreOptions['env'], homeDir: string): string {
  if (env.MTV_HOME) return path.resolve(env.MTV_HOME);
  return path.join(env.XDG_DATA_HOME || path.join(homeDir, '.local', 'share'), 'mtv');
}

/** Where a kubeconfig would come from, or undefined when none is configured. */
export function findKubeconfig(
  opts: Pick<OpenStoreOptions, 'kubeconfig' | 'env' | 'homeDir'>,
): string | undefined {
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) {
      throw new UsageError({ field: '--kubeconfig', message: 'file does not exist', value: opts.kubeconfig });
    }
    return opts.kubeconfig;
  }
  const fromEnv = (opts.env.KUBECONFIG ?? '').split(path.delimiter).filter((p) => p && existsSync(p));
  if (fromEnv.length) return fromEnv.join(path.delimiter);
  const home = path.join(opts.homeDir, '.kube', 'config');
  if (existsSync(home)) return home;
  if (opts.env.KUBERNETES_SERVICE_HOST && existsSync(inClusterToken)) return 'in-cluster';
  return undefined;
}

/**
 * Loads the kubeconfig file list `files` (the first file's current context wins, as with kubectl).
 * A file that cannot be parsed is reported by path and line only: its text may hold tokens.
 * @throws UsageError naming the file.
 */
export function loadKubeconfig(kc: KubeConfig, files: string, fresh: () => KubeConfig, field: string): void {
  files.split(path.delimiter).forEach((file, i) => {
    const target = i === 0 ? kc : fresh();
    try {
      target.loadFromFile(file);
    } catch (e: unknown) {
      const where = /\((\d+):(\d+)\)/.exec(e instanceof Error ? e.message : '');
      throw new UsageError({
        field,
        message: `cannot be read as a kubeconfig${where ? ` (YAML error at line ${where[1] ?? ''}, column ${where[2] ?? ''})` : ''}`,
        value: file,
        hint: 'check the file with: kubectl config view --kubeconfig FILE',
      });
    }
    if (i > 0) kc.mergeConfig(target, true);
  });
}

/** Decides the mode without opening anything. */
export function chooseStoreMode(opts: OpenStoreOptions): {
  mode: StoreMode;
  kubeconfig?: string;
  implicit: boolean;
} {
  const explicit = opts.store ?? opts.env.MTV_STORE;
  if (explicit !== undefined && explicit !== '' && explicit !== 'kube' && explicit !== 'local') {
    throw new UsageError({
      field: opts.store !== undefined ? '--store' : 'MTV_STORE',
      message: 'must be kube or local',
      value: explicit,
    });
  }
  const kubeconfig = explicit === 'local' ? undefined : findKubeconfig(opts);
  if (explicit === 'kube' || explicit === 'local') {
    if (explicit === 'kube' && !kubeconfig) {
      throw new UsageError({
        field: opts.store !== undefined ? '--store' : 'MTV_STORE',
        message:
          'kube mode needs a kubeconfig, and none was found (--kubeconfig, KUBECONFIG, ~/.kube/config)',
        value: 'kube',
        hint: 'pass --kubeconfig PATH, or use --store local',
      });
    }
    return { mode: explicit, ...(kubeconfig ? { kubeconfig } : {}), implicit: false };
  }
  return kubeconfig ? { mode: 'kube', kubeconfig, implicit: true } : { mode: 'local', implicit: true };
}

/**
 * Opens the store the options select. Backends are imported lazily so that commands which never
 * touch a store (help, completion) start fast.
 * @throws UsageError for a bad --store/MTV_STORE, a missing kubeconfig or an unknown --context.
 */
export async function openStore(opts: OpenStoreOptions): Promise<OpenedStore> {
  const choice = chooseStoreMode(opts);
  if (choice.mode === 'local') {
    const { LocalStore } = await import('./local-store.js');
    const home = resolveMtvHome(opts.env, opts.homeDir);
    let store: ObjectStore;
    try {
      store = LocalStore.open({ home });
    } catch (e: unknown) {
      throw new ApiError(
        `cannot open the local store in ${home}: ${e instanceof Error ? e.message : String(e)}`,
        0,
        {
          hint: 'set MTV_HOME to a writable directory',
          cause: e,
        },
      );
    }
    return {
      store,
      mode: 'local',
      defaultNamespace: 'default',
      ...(choice.implicit
        ? {
            notice: `mtv: no kubeconfig found; using the local store in ${home} (choose with --store kube|local)`,
          }
        : {}),
    };
  }
  const [{ KubeConfig }, { KubeStore }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('./kube-store.js'),
  ]);
  const kc = new KubeConfig();
  if (choice.kubeconfig === 'in-cluster') kc.loadFromCluster();
  else
    loadKubeconfig(
      kc,
      choice.kubeconfig ?? '',
      () => new KubeConfig(),
      opts.kubeconfig ? '--kubeconfig' : 'KUBECONFIG',
    );
  if (!kc.getCurrentCluster()) {
    throw new UsageError({
      field: '--context',
      message: 'the kubeconfig selects no cluster (no current-context, or it names no cluster)',
      hint: `choose one with --context (available: ${
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none'
      })`,
    });
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      throw new UsageError({
        field: '--context',
        message: 'no such context in the kubeconfig',
        value: opts.context,
        hint: `available contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        }`,
      });
    }
    kc.setCurrentContext(opts.context);
  }
  const store = KubeStore.fromKubeConfig(kc, {
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { store, mode: 'kube', defaultNamespace: KubeStore.contextNamespace(kc) ?? 'default' };
}

/**
 * What a command runs with: the opened store, the namespace, the working directory, the clock.
 * Built by the CLI from global flags; the MCP server builds the same thing from its inputs.
 */
import { UsageError } from '../api/index.js';
import { checkNamespaceName } from '../api/index.js';
import type { ObjectStore, StoreMode } from '../store/index.js';
import { openStore, resolveMtvHome } from '../store/index.js';
import type { Io } from './io.js';

/** kubectl-style global flags. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  store?: string;
  /** False with `--no-color`. */
  color?: boolean;
  /** `-v N`: 6 and above log API requests to stderr. */
  verbose?: string;
}

/** An opened store and the namespace commands act in. */
export interface Session {
  store: ObjectStore;
  mode: StoreMode;
  /** `-n`, else the kubeconfig context's namespace, else `default`. */
  namespace: string;
  /** `-A`. */
  allNamespaces: boolean;
  /** Directory `@file` arguments are relative to. */
  cwd: string;
  now(): Date;
  /** `$MTV_HOME`: the local store, the local controller's lock and log, inventory databases. */
  home: string;
  /** The environment (MTV_INVENTORY_URL, MTV_CONTROLLER_IDLE_EXIT…). */
  env: Readonly<Record<string, string | undefined>>;
  /** How to start this program again (`[node, script]`), for the background controller. */
  self?: readonly string[];
  /** Aborts long operations (Ctrl-C). */
  signal?: AbortSignal;
}

/** Everything a CLI invocation has: IO, environment, flags, and a lazily opened session. */
export interface CommandContext {
  io: Io;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  homeDir: string;
  global: GlobalOptions;
  /** Aborts requests in flight and watches (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** How to start this program again (`[node, script]`); absent when not run from a binary. */
  self?: readonly string[] | undefined;
  /** Opens the store on first call (commands such as help never open one). */
  session(): Promise<Session>;
  /** Closes the store if it was opened. */
  close(): Promise<void>;
}

/** Parses `-v`. */
export function verbosity(global: GlobalOptions): number {
  if (global.verbose === undefined) return 0;
  const n = Number(global.verbose);
  if (!Number.isInteger(n) || n < 0 || n > 10) {
    throw new UsageError({ field: '--v', message: 'must be an integer from 0 to 10', value: global.verbose });
  }
  return n;
}

/** Creates the context of one invocation. */
export function createContext(init: Omit<CommandContext, 'session' | 'close'>): CommandContext {
  let opened: Promise<Session> | undefined;
  const ctx: CommandContext = {
    ...init,
    session: () => (opened ??= open()),
    close: async () => {
      if (opened) await (await opened.catch(() => undefined))?.store.close();
    },
  };
  async function open(): Promise<Session> {
    const g = init.global;
    if (g.namespace !== undefined) {
      const p = checkNamespaceName(g.namespace, '--namespace');
      if (p) throw new UsageError(p);
    }
    const level = verbosity(g);
    const o = await openStore({
      store: g.store,
      kubeconfig: g.kubeconfig,
      context: g.context,
      env: init.env,
      homeDir: init.homeDir,
      ...(init.signal ? { signal: init.signal } : {}),
      ...(level >= 6 ? { log: (line: string) => init.io.err(`I ${line}\n`) } : {}),
    });
    if (o.notice) init.io.err(`${o.notice}\n`);
    return {
      store: o.store,
      mode: o.mode,
      namespace: g.namespace ?? o.defaultNamespace,
      allNamespaces: g.allNamespaces ?? false,
      cwd: init.cwd,
      now: () => new Date(),
      home: resolveMtvHome(init.env, init.homeDir),
      env: init.env,
      ...(init.self ? { self: init.self } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    };
  }
  return ctx;
}

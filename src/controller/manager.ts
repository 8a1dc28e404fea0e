/**
 * Runs reconcilers: watches each one's kind (and the kinds it depends on) through the store,
 * feeds `namespace/name` keys into one serialized {@link WorkQueue} per reconciler, and restarts
 * watches that end or expire. Works on either store backend.
 */
import { ExpiredError } from '../api/index.js';
import type { KubeObject, ResourceType } from '../api/index.js';
import type { ObjectStore } from '../store/index.js';
import type { Logger } from './log.js';
import { WorkQueue } from './work-queue.js';
import type { HandlerResult } from './work-queue.js';

/** A dependency watch: changes of `type` objects enqueue the keys `map` returns. */
export interface Dependency {
  type: ResourceType;
  /** Keys (`namespace/name`) of primary objects affected by this object. */
  map: (obj: KubeObject) => Promise<string[]> | string[];
}

/** One reconciler: brings objects of `type` towards their spec. */
export interface Reconciler {
  /** Short name for logs, e.g. `provider`. */
  readonly name: string;
  readonly type: ResourceType;
  readonly dependencies?: readonly Dependency[];
  /** Reconciles one object (which may be gone). Must be idempotent. */
  reconcile(namespace: string, name: string, signal: AbortSignal): Promise<HandlerResult | undefined>;
  /** Frees what the reconciler started (collectors, timers). */
  stop?(): Promise<void>;
}

/** Splits a `namespace/name` key. */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** Options of {@link Manager}. */
export interface ManagerOptions {
  store: ObjectStore;
  reconcilers: readonly Reconciler[];
  log: Logger;
  /** Keys reconciled at once per reconciler. @default 4 */
  concurrency?: number;
}

/** Watches, queues and reconciles until stopped. */
export class Manager {
  private readonly queues = new Map<string, WorkQueue>();
  private readonly abort = new AbortController();
  private readonly watches: Promise<void>[] = [];

  private readonly options: ManagerOptions;

  constructor(options: ManagerOptions) {
    this.options = options;
  }

  private stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Starts every watch; returns at once. */
  start(): void {
    const { reconcilers, log } = this.options;
    for (const r of reconcilers) {
      const queue = new WorkQueue(
        async (key, signal) => {
          const [ns, name] = splitKey(key);
          return r.reconcile(ns, name, signal);
        },
        {
          concurrency: this.options.concurrency ?? 4,
          onError: (key, e) => log.warn({ reconciler: r.name, key, err: errorText(e) }, 'reconcile failed'),
        },
      );
      this.queues.set(r.name, queue);
      this.watches.push(this.watchLoop(r.type, (o) => [keyOf(o)], queue));
      for (const d of r.dependencies ?? []) this.watches.push(this.watchLoop(d.type, d.map, queue));
    }
  }

  /** Enqueues a key of the named reconciler (e.g. when a collector reaches parity). */
  enqueue(reconciler: string, key: string, delayMs = 0): void {
    this.queues.get(reconciler)?.add(key, delayMs);
  }

  /** Keys queued or running across reconcilers. */
  get busy(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.depth;
    return n;
  }

  /** Stops watches, drains running reconciles and stops the reconcilers. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.watches);
    await Promise.all([...this.queues.values()].map((q) => q.shutdown()));
    for (const r of this.options.reconcilers) await r.stop?.();
  }

  private async watchLoop(
    type: ResourceType,
    map: (o: KubeObject) => Promise<string[]> | string[],
    queue: WorkQueue,
  ): Promise<void> {
    const { store, log } = this.options;
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        for await (const ev of store.watch(type, { signal })) {
          failures = 0;
          for (const key of await map(ev.object)) queue.add(key);
        }
      } catch (e: unknown) {
        if (this.stopped()) return;
        if (!(e instanceof ExpiredError)) {
          failures++;
          log.warn({ kind: type.kind, err: errorText(e) }, 'watch failed; restarting');
        }
      }
      await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** failures)).unref());
    }
  }
}

/** `namespace/name` of an object. */
export function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/** An error's message for logs (never its stack: user mistakes are not crashes). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

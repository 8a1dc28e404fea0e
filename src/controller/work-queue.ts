/**
 * A keyed work queue: one key is never processed by two workers at once, a key enqueued while it is
 * being processed runs once more afterwards, and a key enqueued many times while waiting runs once.
 * Delayed enqueues (requeue after N ms) keep the earliest due time.
 *
 * This is the shape of client-go's workqueue (dirty set + processing set), which controllers rely
 * on so that a reconcile always sees the latest state and never races itself.
 *
 * @see https://pkg.go.dev/k8s.io/client-go/util/workqueue
 */

/** What a handler asks for after processing a key. */
export interface HandlerResult {
  /** Process the key again after this many milliseconds (e.g. a periodic re-test). */
  requeueAfterMs?: number;
}

/** Processes one key; a thrown error requeues the key with exponential backoff. */
export type KeyHandler = (key: string, signal: AbortSignal) => Promise<HandlerResult | undefined>;

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Keys processed at the same time (different keys). @default 4 */
  concurrency?: number;
  /** First retry delay after an error, doubled per consecutive failure. @default 500 (ms) */
  baseBackoffMs?: number;
  /** Upper bound of the retry delay. @default 60000 (ms) */
  maxBackoffMs?: number;
  /** Called with every handler error (after which the key is retried). */
  onError?: (key: string, error: unknown) => void;
}

/** The keyed, serialized queue. */
export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly timers = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly abort = new AbortController();
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;

  /** @param handler reconciles one key. */
  private readonly handler: KeyHandler;
  private readonly options: WorkQueueOptions;

  constructor(handler: KeyHandler, options: WorkQueueOptions = {}) {
    this.handler = handler;
    this.options = options;
    this.concurrency = options.concurrency ?? 4;
    this.baseBackoffMs = options.baseBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
  }

  /** Adds a key now, or after `delayMs` (the earliest pending due time wins). */
  add(key: string, delayMs = 0): void {
    if (this.abort.signal.aborted) return;
    if (delayMs > 0) {
      const due = Date.now() + delayMs;
      const existing = this.timers.get(key);
      if (existing && existing.due <= due) return;
      if (existing) clearTimeout(existing.timer);
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, delayMs);
      timer.unref();
      this.timers.set(key, { due, timer });
      return;
    }
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push(key);
    this.pump();
  }

  /** Keys waiting or in progress (delayed keys excluded). */
  get depth(): number {
    return this.ready.length + this.processing.size;
  }

  /** Resolves when nothing is queued or running (delayed keys do not count). */
  async idle(): Promise<void> {
    if (this.depth === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work, aborts running handlers' signal, and waits for them to finish. */
  async shutdown(): Promise<void> {
    this.abort.abort();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.queued.clear();
    while (this.processing.size > 0) await this.idle();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0 && !this.abort.signal.aborted) {
      const key = this.ready.shift() as string;
      this.queued.delete(key);
      this.processing.add(key);
      this.running++;
      void this.process(key);
    }
    if (this.depth === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async process(key: string): Promise<void> {
    let requeueAfterMs: number | undefined;
    try {
      requeueAfterMs = (await this.handler(key, this.abort.signal))?.requeueAfterMs;
      this.failures.delete(key);
    } catch (e: unknown) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      requeueAfterMs = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (n - 1));
      this.options.onError?.(key, e);
    } finally {
      this.processing.delete(key);
      this.running--;
    }
    if (this.dirtyWhileProcessing.delete(key)) this.add(key);
    else if (requeueAfterMs !== undefined) this.add(key, requeueAfterMs);
    this.pump();
  }
}

/**
 * Coalesced status writes: one writer per object, so many concurrent writers of the same status
 * (a plan's VM runners, each recording phases and disk progress) do not each rewrite the whole
 * object and fight over its resourceVersion.
 *
 * Mutations queue per object. When no write of that object is in flight, the queue is written at
 * once (no added delay when idle); mutations arriving while a write is in flight are applied
 * together in the next one — one read-modify-write for the whole batch. A big plan's status
 * (≈ 680 KiB at 1,000 VMs) is thus written as often as the store can take it, not once per
 * runner event.
 */
import { ConflictError, type KubeObject, type ResourceType } from '../api/index.js';
import type { ObjectStore } from '../store/index.js';

/** An object with a status. */
type WithStatus<S> = KubeObject & { status?: S };

interface Queued<S, T> {
  mutate: (status: S) => void;
  /** Set when `mutate` threw (the caller's promise is rejected; the batch goes on without it). */
  failed?: boolean;
  resolve: (obj: T) => void;
  reject: (e: unknown) => void;
}

interface Slot<S, T> {
  queue: Queued<S, T>[];
  writing: boolean;
}

/** Options of {@link StatusBatcher}. */
export interface StatusBatcherOptions {
  /** Attempts per batch when another writer changed the object meanwhile. @default 20 */
  maxAttempts?: number;
}

/**
 * Coalesces status mutations per object of one resource type.
 *
 * @typeParam S - the status shape
 * @typeParam T - the object type
 */
export class StatusBatcher<S extends object, T extends WithStatus<S>> {
  private readonly slots = new Map<string, Slot<S, T>>();
  private readonly store: ObjectStore;
  private readonly type: ResourceType;
  private readonly maxAttempts: number;
  /** Store writes made (batches written), for benchmarks and tests. */
  writes = 0;
  /** Conflicts retried. */
  conflicts = 0;

  /**
   * @param store - where the objects live
   * @param type - their resource type (its status subresource is written)
   */
  constructor(store: ObjectStore, type: ResourceType, options: StatusBatcherOptions = {}) {
    this.store = store;
    this.type = type;
    this.maxAttempts = options.maxAttempts ?? 20;
  }

  /**
   * Applies `mutate` to the object's current status (a private copy) in the next write.
   *
   * @returns the object as written by the batch that carried this mutation
   * @throws what `mutate` throws (only this caller's promise rejects; the rest of the batch is
   *   written), NotFoundError when the object is gone, ConflictError after `maxAttempts` conflicts
   */
  update(namespace: string, name: string, mutate: (status: S) => void): Promise<T> {
    const key = `${namespace}/${name}`;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { queue: [], writing: false };
      this.slots.set(key, slot);
    }
    const queued = new Promise<T>((resolve, reject) => slot.queue.push({ mutate, resolve, reject }));
    if (!slot.writing) void this.drain(key, namespace, name, slot);
    return queued;
  }

  private async drain(key: string, namespace: string, name: string, slot: Slot<S, T>): Promise<void> {
    slot.writing = true;
    try {
      while (slot.queue.length > 0) {
        const batch = slot.queue.splice(0);
        await this.write(namespace, name, batch);
      }
    } finally {
      slot.writing = false;
      if (slot.queue.length === 0) this.slots.delete(key);
      else void this.drain(key, namespace, name, slot);
    }
  }

  /** One read-modify-write of the whole batch, retried on conflicts; settles every caller. */
  private async write(namespace: string, name: string, batch: Queued<S, T>[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const obj = await this.store.get<T>(this.type, namespace, name);
        const status = this.apply(obj, batch);
        if (!status) return;
        this.writes++;
        const written = await this.store.updateStatus<T>(this.type, { ...obj, status });
        for (const q of batch) if (!q.failed) q.resolve(written);
        return;
      } catch (e: unknown) {
        if (e instanceof ConflictError && attempt < this.maxAttempts) {
          this.conflicts++;
          await new Promise((r) => setTimeout(r, Math.random() * 25 * attempt));
          continue;
        }
        for (const q of batch) if (!q.failed) q.reject(e);
        return;
      }
    }
  }

  /**
   * The object's status with the batch's mutations applied to a private copy. A mutation that
   * throws is rejected and the others are applied again to a fresh copy, so nothing it half-did
   * is written. Undefined when every mutation threw.
   */
  private apply(obj: T, batch: Queued<S, T>[]): S | undefined {
    for (;;) {
      const live = batch.filter((q) => !q.failed);
      if (live.length === 0) return undefined;
      const status = structuredClone(obj.status ?? {}) as S;
      const bad = live.find((q) => {
        try {
          q.mutate(status);
          return false;
        } catch (e: unknown) {
          q.failed = true;
          q.reject(e);
          return true;
        }
      });
      if (!bad) return status;
    }
  }
}

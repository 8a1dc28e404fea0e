/**
 * sha256 on a worker thread, so that hashing a disk (≈ 1 GB/s on one core) does not hold up the
 * main thread, which receives the network data and issues the writes.
 */
import { Worker } from 'node:worker_threads';
import { InternalError } from '../api/errors.js';

/** The worker: a CommonJS script (eval), so it needs no file of its own in the bundle. */
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
parentPort.on('message', (m) => {
  if (m.data) hash.update(m.data);
  if (m.shared) hash.update(new Uint8Array(m.shared, m.offset, m.length));
  parentPort.postMessage({ seq: m.seq, digest: m.digest ? hash.copy().digest('hex') : undefined });
});
`;

interface Reply {
  seq: number;
  digest: string | undefined;
}

/**
 * A running sha256 fed in order from the main thread; at most `maxQueuedBytes` wait in the worker.
 * @see https://nodejs.org/api/worker_threads.html
 */
export class Sha256Worker {
  readonly #worker: Worker;
  readonly #maxQueuedBytes: number;
  readonly #waiting = new Map<number, { bytes: number; done: (digest: string | undefined) => void }>();
  #seq = 0;
  #queuedBytes = 0;
  #failure: Error | undefined;
  #roomWaiters: (() => void)[] = [];

  /** @param maxQueuedBytes bytes handed over but not hashed yet, at most. @default 64 MiB */
  constructor(maxQueuedBytes = 64 * 1024 * 1024) {
    this.#maxQueuedBytes = maxQueuedBytes;
    this.#worker = new Worker(workerSource, { eval: true });
    this.#worker.on('message', (r: Reply) => this.#settle(r));
    this.#worker.on('error', (e: Error) =>
      this.#fail(new InternalError(`the sha256 worker failed: ${e.message}`)),
    );
    this.#worker.on('exit', () => this.#fail(new InternalError('the sha256 worker exited')));
  }

  /**
   * Adds bytes to the hash (in call order). Resolves once there is room for more. A buffer over a
   * `SharedArrayBuffer` is hashed in place, without a copy: it must not change until `onHashed`;
   * any other buffer is copied at once.
   * @param onHashed called once the worker has hashed `buf` (the buffer may then be reused), or
   * when the worker died.
   * @throws {@link InternalError} when the worker died.
   */
  async update(buf: Buffer, onHashed?: () => void): Promise<void> {
    this.#check();
    const done = (): void => onHashed?.();
    if (buf.buffer instanceof SharedArrayBuffer) {
      this.#send({ shared: buf.buffer, offset: buf.byteOffset, length: buf.length }, buf.length, [], done);
    } else {
      const data = new Uint8Array(buf); // a copy, whose memory moves to the worker
      this.#send({ data }, buf.length, [data.buffer], done);
    }
    while (this.#queuedBytes > this.#maxQueuedBytes) {
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
      this.#check();
    }
  }

  /**
   * The hex sha256 of everything added so far; the hash goes on.
   * @throws {@link InternalError} when the worker died.
   */
  digest(): Promise<string> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<string>((resolve, reject) => {
      this.#send({ digest: true }, 0, [], (d) => {
        if (d === undefined) reject(this.#failure ?? new InternalError('no digest from the sha256 worker'));
        else resolve(d);
      });
    });
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.#failure ??= new InternalError('the sha256 worker was closed');
    await this.#worker.terminate();
  }

  #send(
    msg: {
      data?: Uint8Array;
      shared?: SharedArrayBuffer;
      offset?: number;
      length?: number;
      digest?: boolean;
    },
    bytes: number,
    transfer: ArrayBuffer[],
    done: (digest: string | undefined) => void = () => undefined,
  ): void {
    const seq = ++this.#seq;
    this.#queuedBytes += bytes;
    this.#waiting.set(seq, { bytes, done });
    this.#worker.postMessage({ ...msg, seq }, transfer);
  }

  #settle(r: Reply): void {
    const w = this.#waiting.get(r.seq);
    this.#waiting.delete(r.seq);
    this.#queuedBytes -= w?.bytes ?? 0;
    w?.done(r.digest);
    if (this.#queuedBytes <= this.#maxQueuedBytes) this.#wake();
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    for (const w of this.#waiting.values()) w.done(undefined);
    this.#waiting.clear();
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const w of waiters) w();
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
  }
}

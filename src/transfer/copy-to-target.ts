/**
 * The copy loop: ranged reads of a source into a target file or block device, in order, with
 * read-ahead, holes for all-zero blocks, a sha256 of the logical content, bounded-rate progress,
 * and checkpoints to resume from (see `checkpoint.ts` for how the hash survives a restart).
 */
import { stat } from 'node:fs/promises';
import { appendHint, MtvError, UsageError } from '../api/errors.js';
import {
  checkpointKind,
  checkpointMatches,
  defaultCheckpointPath,
  readCheckpoint,
  removeCheckpoint,
  writeCheckpoint,
  type TransferCheckpoint,
} from './checkpoint.js';
import { ProgressMeter, TransferPhase, type ProgressCallback } from './progress.js';
import { clearTail, hashTarget, openTarget, writeAt, type Target } from './target.js';
import { Sha256Worker } from './hash-worker.js';
import { dataSpans, type Span } from './zero-blocks.js';

/**
 * Something to copy: a fixed-size byte sequence readable at any offset.
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-range-requests
 */
export interface RangeSource {
  /** Size in bytes. */
  readonly size: number;
  /**
   * A string that changes when the content may have changed (e.g. path, size, Last-Modified); a
   * checkpoint of another identity is not resumed.
   */
  readonly identity: string;
  /**
   * Reads `length` bytes (> 0) at `offset`; `offset + length <= size`.
   * @param into a buffer of at least `length` bytes to read into (pooled by the copy loop); a source
   * may ignore it and return a buffer of its own.
   * @returns exactly `length` bytes.
   */
  read(offset: number, length: number, signal: AbortSignal, into?: Buffer): Promise<Buffer>;
}

/**
 * Options of {@link copyToTarget}.
 * @see https://github.com/kubevirt/containerized-data-importer (CDI, whose importer Forklift uses for disk copies)
 */
export interface CopyOptions {
  /** The checkpoint file. @default `<target>.mtv-checkpoint.json` (required for a block device) */
  checkpointPath?: string;
  /**
   * Bytes per ranged read. Each GET costs the server a fixed amount of work (vcsim: about 2 ms of
   * CPU), so larger reads cost it less per byte; the copy holds about `readAhead + writeBehind + 1`
   * chunks in memory (more while the hash lags, up to 64 MiB). @default 16 MiB
   */
  chunkBytes?: number;
  /** Reads in flight at once, ahead of the one being written. @default 4 */
  readAhead?: number;
  /** Writes in flight at once (each one chunk). @default 4 */
  writeBehind?: number;
  /** Granularity of hole detection, bytes. @default 4096 */
  zeroBlockBytes?: number;
  /**
   * Leave all-zero blocks unwritten (holes). @default true for a regular file (which is truncated
   * and extended first, so it reads as zeros); false for a block device, whose old content must be
   * overwritten — set it true only for a device known to read as zeros.
   */
  skipZeroBlocks?: boolean;
  /** Bytes between two checkpoints. @default 256 MiB */
  checkpointEveryBytes?: number;
  /**
   * Bytes handed to writes between two background fdatasyncs of the target, which start its
   * writeback while the copy goes on, so that the fdatasync before the copy is declared complete
   * has little left to flush; 0 leaves it all to that one. @default 256 MiB
   */
  syncEveryBytes?: number;
  /** Receives progress, at most every {@link CopyOptions.progressIntervalMs} and once at the end. */
  onProgress?: ProgressCallback;
  /** Milliseconds between two progress reports at least. @default 1000 */
  progressIntervalMs?: number;
  /** The phase named in progress reports. @default "copy" */
  phase?: TransferPhase;
  /** Stops the copy; it saves a checkpoint at the last written chunk and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * What a copy did.
 * @see https://github.com/kubevirt/containerized-data-importer (CDI, whose importer Forklift uses for disk copies)
 */
export interface CopyResult {
  /** sha256 (hex) of the disk's logical content: all `bytes`, zeros included, in order. */
  sha256: string;
  /** The disk's size in bytes. */
  bytes: number;
  /** Bytes left as holes (all-zero blocks not written), over the whole copy including resumed parts. */
  sparseBytes: number;
  /** Offset the copy resumed from, bytes: 0 for a fresh copy, `bytes` when a complete copy was found. */
  resumedFrom: number;
  /** Bytes read from the source by this call (`bytes - resumedFrom`). */
  copiedBytes: number;
  /** Wall time of this call, milliseconds. */
  durationMs: number;
}

const MiB = 1024 * 1024;

interface Settings {
  checkpointPath: string;
  chunkBytes: number;
  readAhead: number;
  writeBehind: number;
  zeroBlockBytes: number;
  skipZeroBlocks: boolean;
  checkpointEveryBytes: number;
  syncEveryBytes: number;
  signal: AbortSignal | undefined;
}

/** Where the copy stands. */
interface State {
  /** Bytes hashed and handed to writes. */
  offset: number;
  hash: Sha256Worker;
  /** Bytes of all-zero blocks left unwritten, up to `offset`. */
  sparseBytes: number;
}

/**
 * Copies a source into a target file or block device, resumably and idempotently.
 *
 * - A complete copy with a matching checkpoint returns at once (`resumedFrom === bytes`).
 * - A partial one resumes from the checkpoint's offset after re-hashing the target's prefix; when
 *   that digest does not match the checkpoint (the target was changed), the copy starts over.
 * - A regular file target is truncated and extended to the disk's size (sparse); a block device is
 *   never truncated and must be at least as large as the disk.
 *
 * Three things overlap: ranged reads (`readAhead` in flight), writes (`writeBehind` in flight, on
 * libuv's thread pool) and sha256 (on a worker thread).
 *
 * @param target path of a regular file (created with its folders when missing) or a block device.
 * @throws {@link UsageError} for a block device without `checkpointPath`, or one that is too small;
 * the source's errors; write errors; the signal's reason when aborted (after saving a checkpoint);
 * a failed fdatasync's error (after removing the checkpoint), or, when the copy failed otherwise
 * meanwhile, that error with the fdatasync's as its `cause` (and in its hint for an `MtvError`).
 * @see https://github.com/kubevirt/containerized-data-importer (CDI, whose importer Forklift uses for disk copies)
 */
export async function copyToTarget(
  source: RangeSource,
  target: string,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const started = performance.now();
  const t = await openTarget(target, source.size);
  try {
    const s = settingsFor(t, options);
    const key = { source: source.identity, size: source.size, target: t.path };
    const found = await readCheckpoint(s.checkpointPath);
    const cp = found && checkpointMatches(found, key) ? found : undefined;
    const finished = cp && (await completedCopy(t, cp));
    if (finished) return { ...finished, durationMs: performance.now() - started };
    const result = await resumeAndCopy(source, t, cp, s, options);
    return { ...result, durationMs: performance.now() - started };
  } finally {
    await t.fh.close();
  }
}

async function resumeAndCopy(
  source: RangeSource,
  t: Target,
  cp: TransferCheckpoint | undefined,
  s: Settings,
  options: CopyOptions,
): Promise<Omit<CopyResult, 'durationMs'>> {
  const key: CheckpointKey = { source: source.identity, size: source.size, target: t.path };
  const state = await resumeState(t, cp, source.size, s, options);
  try {
    return await copyFrom(source, t, state, key, s, options);
  } finally {
    await state.hash.close();
  }
}

async function copyFrom(
  source: RangeSource,
  t: Target,
  state: State,
  key: CheckpointKey,
  s: Settings,
  options: CopyOptions,
): Promise<Omit<CopyResult, 'durationMs'>> {
  const resumedFrom = state.offset;
  const phase = options.phase ?? TransferPhase.Copy;
  const meter = new ProgressMeter(phase, source.size, resumedFrom, options.onProgress, {
    intervalMs: options.progressIntervalMs,
  });
  const checkpoints = new Checkpointer(t, s.checkpointPath, key, state.hash);
  await copyLoop(source, t, state, s, meter, checkpoints);
  const sha256 = await checkpoints.save(Promise.resolve(), state.offset, state.sparseBytes, true);
  meter.finish(source.size);
  return {
    sha256,
    bytes: source.size,
    sparseBytes: state.sparseBytes,
    resumedFrom,
    copiedBytes: source.size - resumedFrom,
  };
}

function settingsFor(t: Target, o: CopyOptions): Settings {
  if (t.blockDevice && o.checkpointPath === undefined) {
    throw new UsageError({
      field: 'checkpointPath',
      message: 'is required when the target is a block device (it cannot go beside /dev/…)',
      value: t.path,
      hint: "give a path on a writable file system, e.g. in the migration's work directory",
    });
  }
  const positive = (v: number | undefined, fallback: number): number =>
    v !== undefined && v > 0 ? v : fallback;
  return {
    checkpointPath: o.checkpointPath ?? defaultCheckpointPath(t.path),
    chunkBytes: positive(o.chunkBytes, 16 * MiB),
    readAhead: positive(o.readAhead, 4),
    writeBehind: positive(o.writeBehind, 4),
    zeroBlockBytes: positive(o.zeroBlockBytes, 4096),
    skipZeroBlocks: o.skipZeroBlocks ?? !t.blockDevice,
    checkpointEveryBytes: positive(o.checkpointEveryBytes, 256 * MiB),
    syncEveryBytes: o.syncEveryBytes === 0 ? 0 : positive(o.syncEveryBytes, 256 * MiB),
    signal: o.signal,
  };
}

/** The result of a complete copy found in the checkpoint, when the target still has its size. */
async function completedCopy(
  t: Target,
  cp: TransferCheckpoint,
): Promise<Omit<CopyResult, 'durationMs'> | undefined> {
  if (!cp.complete || cp.sha256 === undefined || cp.offset !== cp.size) return undefined;
  if (!t.blockDevice && (await stat(t.path)).size !== cp.size) return undefined;
  return {
    sha256: cp.sha256,
    bytes: cp.size,
    sparseBytes: cp.sparseBytes,
    resumedFrom: cp.size,
    copiedBytes: 0,
  };
}

/**
 * Where to start: the checkpoint's offset when the target's prefix still hashes to its digest (the
 * state's hash then holds that prefix), else 0 with a fresh hash.
 */
async function resumeState(
  t: Target,
  cp: TransferCheckpoint | undefined,
  size: number,
  s: Settings,
  o: CopyOptions,
): Promise<State> {
  if (cp && cp.offset > 0 && !cp.complete) {
    await clearTail(t, cp.offset, size);
    const hash = new Sha256Worker();
    try {
      if ((await hashPrefix(t, cp.offset, hash, s, o)) === cp.prefixSha256) {
        return { offset: cp.offset, hash, sparseBytes: cp.sparseBytes };
      }
    } catch (e: unknown) {
      await hash.close();
      throw e;
    }
    await hash.close();
  }
  await clearTail(t, 0, size);
  return { offset: 0, hash: new Sha256Worker(), sparseBytes: 0 };
}

/** Feeds the target's first `length` bytes into `hash`, reporting progress as "verify". */
async function hashPrefix(
  t: Target,
  length: number,
  hash: Sha256Worker,
  s: Settings,
  o: CopyOptions,
): Promise<string> {
  const meter = new ProgressMeter(TransferPhase.Verify, length, 0, o.onProgress, {
    intervalMs: o.progressIntervalMs,
  });
  await hashTarget(t, length, (b) => hash.update(b), { signal: s.signal, onBytes: (n) => meter.update(n) });
  meter.finish(length);
  return hash.digest();
}

/**
 * Reads, hashes and writes chunk after chunk from `state.offset` to the end, starting a background
 * checkpoint every `checkpointEveryBytes` and a background fdatasync every `syncEveryBytes`; on
 * failure saves one at the last chunk handed over (when no write failed), then rethrows. A failed
 * fdatasync removes the checkpoint instead (what it covered may not be on disk) and is reported
 * with whatever else failed (see {@link withSyncFailure}).
 */
async function copyLoop(
  source: RangeSource,
  t: Target,
  state: State,
  s: Settings,
  meter: ProgressMeter,
  checkpoints: Checkpointer,
): Promise<void> {
  const pool = new BufferPool(s.chunkBytes, s.readAhead + s.writeBehind + 10);
  const reads = new ReadAhead(source, state.offset, s, pool);
  const writes = new WriteBehind(s.writeBehind);
  const writeback = new Writeback(t, s.syncEveryBytes);
  let unsaved = 0;
  try {
    for (let next = reads.next(); next; next = reads.next()) {
      const chunk = await next;
      s.signal?.throwIfAborted(); // a read that finished before the abort is not written
      await handOver(t, chunk, state, s, writes);
      writeback.add(chunk.buf.length);
      unsaved += chunk.buf.length;
      meter.update(state.offset);
      if (unsaved >= s.checkpointEveryBytes && state.offset < source.size) {
        await checkpoints.begin(writes.all(), state.offset, state.sparseBytes);
        unsaved = 0;
      }
    }
    await writes.drain();
    await writeback.idle();
  } catch (e: unknown) {
    await checkpoints.idle().catch(() => undefined);
    const written = await writes.settle();
    const syncFailure = await writeback.settle();
    if (syncFailure) {
      await checkpoints.discard().catch(() => undefined);
      throw withSyncFailure(e, syncFailure.error);
    }
    if (written) {
      // keep what was written, unless a write failed (then the last saved checkpoint stands)
      await checkpoints
        .save(Promise.resolve(), state.offset, state.sparseBytes, false)
        .catch(() => undefined);
    }
    throw e;
  } finally {
    reads.cancel();
  }
}

/**
 * Hands a chunk to the hash and to a write (only its non-zero blocks when leaving holes), and
 * counts it: `state.offset` is what both were given. The buffer goes back to the pool after both.
 */
async function handOver(
  t: Target,
  chunk: Chunk,
  state: State,
  s: Settings,
  writes: WriteBehind,
): Promise<void> {
  const { buf, release } = chunk;
  const spans = s.skipZeroBlocks ? dataSpans(buf, s.zeroBlockBytes) : [{ start: 0, end: buf.length }];
  const hashed = state.hash.update(buf, release);
  const written = writes.add(writeSpans(t, buf, state.offset, spans).then(release));
  state.offset += buf.length;
  state.sparseBytes += buf.length - spans.reduce((n, span) => n + span.end - span.start, 0);
  await Promise.all([hashed, written]);
}

/** Writes the given spans of a chunk at their offsets. */
async function writeSpans(t: Target, buf: Buffer, position: number, spans: readonly Span[]): Promise<void> {
  for (const span of spans) await writeAt(t, buf.subarray(span.start, span.end), position + span.start);
}

/** What a checkpoint must match to be resumed. */
interface CheckpointKey {
  source: string;
  size: number;
  target: string;
}

/**
 * Saves checkpoints: each one waits for the writes up to its offset and records the offset with the
 * sha256 of the prefix; the final one first syncs the target (fdatasync). A periodic one runs in
 * the background while the copy goes on; one at a time.
 */
class Checkpointer {
  readonly #t: Target;
  readonly #path: string;
  readonly #key: CheckpointKey;
  readonly #hash: Sha256Worker;
  #running: Promise<unknown> | undefined;

  constructor(t: Target, path: string, key: CheckpointKey, hash: Sha256Worker) {
    this.#t = t;
    this.#path = path;
    this.#key = key;
    this.#hash = hash;
  }

  /**
   * Starts saving `offset` in the background (after the previous save finished). Must be called
   * with nothing handed to the hash beyond `offset`.
   * @param writesDone resolves when every write below `offset` completed.
   */
  async begin(writesDone: Promise<void>, offset: number, sparseBytes: number): Promise<void> {
    await this.idle();
    const running = this.#save(writesDone, offset, sparseBytes, false);
    running.catch(() => undefined); // reported by the next idle()
    this.#running = running;
  }

  /** Saves `offset` now (after a background save finished). @returns the sha256 of the prefix. */
  async save(
    writesDone: Promise<void>,
    offset: number,
    sparseBytes: number,
    complete: boolean,
  ): Promise<string> {
    await this.idle();
    return this.#save(writesDone, offset, sparseBytes, complete);
  }

  /** Removes the checkpoint file (after a background save finished), so that the next call starts over. */
  async discard(): Promise<void> {
    await this.idle().catch(() => undefined);
    await removeCheckpoint(this.#path);
  }

  /** Waits for the background save; rethrows its failure. */
  async idle(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    await running;
  }

  async #save(
    writesDone: Promise<void>,
    offset: number,
    sparseBytes: number,
    complete: boolean,
  ): Promise<string> {
    const digest = this.#hash.digest(); // asked before anything past `offset` is handed over
    digest.catch(() => undefined);
    await writesDone;
    if (complete) {
      // see "Durability" in checkpoint.ts; a failure may have dropped written pages, which a
      // resumed copy's prefix check could still read from the page cache: start over instead
      await this.#t.fh.datasync().catch(async (e: unknown) => {
        await removeCheckpoint(this.#path).catch(() => undefined);
        throw e;
      });
    }
    const prefixSha256 = await digest;
    await writeCheckpoint(this.#path, {
      kind: checkpointKind,
      ...this.#key,
      offset,
      prefixSha256,
      sparseBytes,
      complete,
      ...(complete ? { sha256: prefixSha256 } : {}),
      savedAt: new Date().toISOString(),
    });
    return prefixSha256;
  }
}

/**
 * fdatasyncs of the target in the background, one at a time, each once `everyBytes` more were
 * handed to writes since the last one started. They only start writeback early (a kernel keeps
 * dirty pages for tens of seconds, then the final fdatasync flushes all of them while the copy
 * waits); checkpoints do not rely on them. A failure is kept and thrown by the next call: the
 * kernel reports a lost write to one fdatasync only.
 * @see https://man7.org/linux/man-pages/man2/fdatasync.2.html
 */
class Writeback {
  readonly #t: Target;
  readonly #everyBytes: number;
  #since = 0;
  #running: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;

  constructor(t: Target, everyBytes: number) {
    this.#t = t;
    this.#everyBytes = everyBytes;
  }

  /** Counts bytes handed to writes; starts an fdatasync when due. @throws a failed fdatasync's error. */
  add(bytes: number): void {
    if (this.#failure) throw this.#failure.error;
    this.#since += bytes;
    if (this.#everyBytes <= 0 || this.#running || this.#since < this.#everyBytes) return;
    this.#since = 0;
    this.#running = this.#t.fh.datasync().then(
      () => {
        this.#running = undefined;
      },
      (e: unknown) => {
        this.#running = undefined;
        this.#failure ??= { error: e };
      },
    );
  }

  /** Waits for the fdatasync in flight. @throws the error of a failed one. */
  async idle(): Promise<void> {
    await this.#running;
    if (this.#failure) throw this.#failure.error;
  }

  /** Waits for the fdatasync in flight. @returns the failure of one, if any failed. */
  async settle(): Promise<{ error: unknown } | undefined> {
    await this.#running;
    return this.#failure;
  }
}

/**
 * The copy's error `e`, made to report the failed fdatasync `syncError` too (which would otherwise
 * go unseen: the kernel reports a lost write once): as `e`'s `cause` when it has none, and in its
 * hint when it is an {@link MtvError}; anything else is wrapped with it in an `AggregateError`.
 */
function withSyncFailure(e: unknown, syncError: unknown): unknown {
  if (e === syncError) return e;
  const note = `a background fdatasync of the target failed too (${errorText(syncError)}); the checkpoint was removed, so the next copy starts over`;
  if (!(e instanceof Error)) return new AggregateError([e, syncError], `${errorText(e)}; ${note}`);
  if (e.cause === undefined) e.cause = syncError;
  if (e instanceof MtvError) appendHint(e, note);
  else if (e.cause !== syncError) return new AggregateError([e, syncError], `${e.message}; ${note}`);
  return e;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Up to `depth` writes in flight; positional writes may complete in any order. */
class WriteBehind {
  readonly #depth: number;
  #pending: Promise<void>[] = [];
  #failed = false;

  constructor(depth: number) {
    this.#depth = depth;
  }

  /** Adds a write; waits for the oldest while `depth` are in flight. Rejects with a write's failure. */
  async add(write: Promise<void>): Promise<void> {
    write.catch(() => {
      this.#failed = true; // also marks it handled until drain, settle, all or add awaits it
    });
    this.#pending.push(write);
    while (this.#pending.length >= this.#depth) await this.#pending.shift();
  }

  /** Resolves when the writes in flight now have completed (the later ones do not count). */
  all(): Promise<void> {
    return Promise.all(this.#pending).then(() => undefined);
  }

  /** Waits for every write; rejects with the first failure. */
  async drain(): Promise<void> {
    const all = this.#pending;
    this.#pending = [];
    await Promise.all(all);
  }

  /** Waits for every write; true when none ever failed. */
  async settle(): Promise<boolean> {
    const all = this.#pending;
    this.#pending = [];
    await Promise.allSettled(all);
    return !this.#failed;
  }
}

/**
 * Chunk-sized buffers over shared memory, reused: no page faults and no garbage per chunk, and the
 * hash worker reads them in place. Keeps at most `maxFree` idle buffers; never blocks.
 */
class BufferPool {
  readonly #bytes: number;
  readonly #maxFree: number;
  readonly #free: Buffer[] = [];

  constructor(bytes: number, maxFree: number) {
    this.#bytes = bytes;
    this.#maxFree = maxFree;
  }

  take(): Buffer {
    return this.#free.pop() ?? Buffer.from(new SharedArrayBuffer(this.#bytes));
  }

  give(buf: Buffer): void {
    if (this.#free.length < this.#maxFree) this.#free.push(buf);
  }
}

/** A chunk read, and how to give its pooled buffer back once the hash and the write are done with it. */
interface Chunk {
  buf: Buffer;
  /** Call twice (after the hash, after the write); the second call returns the buffer to the pool. */
  release: () => void;
}

/** Keeps up to `readAhead` ranged reads in flight and hands out their buffers in order. */
class ReadAhead {
  readonly #source: RangeSource;
  readonly #settings: Settings;
  readonly #pool: BufferPool;
  readonly #cancel = new AbortController();
  readonly #signal: AbortSignal;
  readonly #queue: Promise<Chunk>[] = [];
  #next: number;

  constructor(source: RangeSource, from: number, settings: Settings, pool: BufferPool) {
    this.#source = source;
    this.#settings = settings;
    this.#pool = pool;
    this.#next = from;
    this.#signal = settings.signal
      ? AbortSignal.any([settings.signal, this.#cancel.signal])
      : this.#cancel.signal;
  }

  /** The next chunk, or undefined at the end of the source. */
  next(): Promise<Chunk> | undefined {
    this.#fill();
    const head = this.#queue.shift();
    this.#fill();
    return head;
  }

  /** Aborts the reads still in flight (their failures are ignored; their buffers are dropped). */
  cancel(): void {
    this.#cancel.abort();
  }

  #fill(): void {
    while (this.#queue.length < this.#settings.readAhead && this.#next < this.#source.size) {
      const length = Math.min(this.#settings.chunkBytes, this.#source.size - this.#next);
      const p = this.#read(this.#next, length);
      p.catch(() => undefined); // awaited in order by the loop; this only marks it handled meanwhile
      this.#queue.push(p);
      this.#next += length;
    }
  }

  async #read(offset: number, length: number): Promise<Chunk> {
    const pooled = this.#pool.take();
    const buf = await this.#source.read(offset, length, this.#signal, pooled);
    if (buf.buffer !== pooled.buffer) {
      this.#pool.give(pooled); // the source used a buffer of its own
      return { buf, release: () => undefined };
    }
    let uses = 2;
    const release = (): void => {
      uses -= 1;
      if (uses === 0) this.#pool.give(pooled);
    };
    return { buf, release };
  }
}

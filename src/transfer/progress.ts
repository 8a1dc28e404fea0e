/** Progress of a transfer, reported at a bounded rate with a recent throughput and an ETA. */

/**
 * What a transfer is doing.
 * @see https://github.com/kubev2v/forklift (per-disk progress in a Plan's status)
 */
export const TransferPhase = {
  /** Ranged reads of raw extents into the target. */
  Copy: 'copy',
  /** Downloading sparse VMDK files before conversion. */
  Download: 'download',
  /** `qemu-img convert` into the target. */
  Convert: 'convert',
  /** Reading a target back to compute its sha256 (after conversion, or of the written prefix on resume). */
  Verify: 'verify',
} as const;
/** One of {@link TransferPhase}'s values. */
export type TransferPhase = (typeof TransferPhase)[keyof typeof TransferPhase];

/**
 * One progress report.
 * @see https://github.com/kubev2v/forklift (per-disk progress in a Plan's status)
 */
export interface TransferProgress {
  phase: TransferPhase;
  /** Bytes of the phase done (including a resumed prefix). */
  bytesDone: number;
  /** Bytes of the phase in all. */
  bytesTotal: number;
  /** Recent rate in MiB/s (over the last few seconds); 0 until known. */
  throughputMiBps: number;
  /** Seconds left at that rate; undefined while the rate is 0. */
  etaSeconds: number | undefined;
}

/**
 * Receives progress reports; must not throw.
 * @see https://github.com/kubev2v/forklift (per-disk progress in a Plan's status)
 */
export type ProgressCallback = (p: TransferProgress) => void;

/**
 * Options of {@link ProgressMeter}.
 * @see https://github.com/kubev2v/forklift (per-disk progress in a Plan's status)
 */
export interface ProgressMeterOptions {
  /** Milliseconds between two reports at least (the last report is always sent). @default 1000 */
  intervalMs?: number;
  /** Milliseconds of history the throughput is computed over. @default 5000 */
  windowMs?: number;
  /** Clock in milliseconds. @default performance.now */
  now?: () => number;
}

const MiB = 1024 * 1024;

/**
 * Turns a stream of "bytes done" updates into rate-limited {@link TransferProgress} reports.
 * @see https://github.com/kubev2v/forklift (per-disk progress in a Plan's status)
 */
export class ProgressMeter {
  readonly #phase: TransferPhase;
  readonly #total: number;
  readonly #report: ProgressCallback | undefined;
  readonly #intervalMs: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #samples: { t: number; bytes: number }[];
  #lastReport = Number.NEGATIVE_INFINITY;

  /**
   * @param bytesTotal bytes of the phase in all.
   * @param bytesStart bytes already done when the phase starts (a resumed prefix); they do not count
   * towards the throughput.
   */
  constructor(
    phase: TransferPhase,
    bytesTotal: number,
    bytesStart: number,
    onProgress: ProgressCallback | undefined,
    options: ProgressMeterOptions = {},
  ) {
    this.#phase = phase;
    this.#total = bytesTotal;
    this.#report = onProgress;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#windowMs = options.windowMs ?? 5000;
    this.#now = options.now ?? (() => performance.now());
    this.#samples = [{ t: this.#now(), bytes: bytesStart }];
  }

  /** Records progress; reports it when the interval has passed since the last report. */
  update(bytesDone: number): void {
    if (!this.#report) return;
    const t = this.#now();
    this.#samples.push({ t, bytes: bytesDone });
    while (this.#samples.length > 2 && (this.#samples[1]?.t ?? t) <= t - this.#windowMs)
      this.#samples.shift();
    if (t - this.#lastReport >= this.#intervalMs) this.#emit(t, bytesDone);
  }

  /** Records the final figure and reports it, whatever the interval. */
  finish(bytesDone: number): void {
    if (!this.#report) return;
    const t = this.#now();
    this.#samples.push({ t, bytes: bytesDone });
    this.#emit(t, bytesDone);
  }

  #emit(t: number, bytesDone: number): void {
    this.#lastReport = t;
    const first = this.#samples[0] ?? { t, bytes: bytesDone };
    const seconds = (t - first.t) / 1000;
    const rate = seconds > 0 ? (bytesDone - first.bytes) / seconds : 0; // bytes per second
    const left = Math.max(0, this.#total - bytesDone);
    this.#report?.({
      phase: this.#phase,
      bytesDone,
      bytesTotal: this.#total,
      throughputMiBps: Math.round((rate / MiB) * 10) / 10,
      etaSeconds: left === 0 ? 0 : rate > 0 ? Math.ceil(left / rate) : undefined,
    });
  }
}

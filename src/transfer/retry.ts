/** Retries with exponential backoff and jitter, for transient failures of the datastore HTTP interface. */

/**
 * How often and how patiently to retry.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export interface RetryPolicy {
  /** Retries after the first attempt (so `retries + 1` attempts in all). @default 5 */
  retries: number;
  /** Delay before the first retry, milliseconds; doubles each time. @default 500 */
  baseDelayMs: number;
  /** Upper bound of one delay, milliseconds. @default 15000 */
  maxDelayMs: number;
}

/**
 * The policy used where none is given: 5 retries, 0.5 s doubling up to 15 s (≈ 24 s of waiting at most).
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export const defaultRetryPolicy: Readonly<RetryPolicy> = { retries: 5, baseDelayMs: 500, maxDelayMs: 15_000 };

/**
 * The delay before retry number `attempt` (0-based): `min(maxDelayMs, baseDelayMs · 2^attempt)`, scaled by
 * a random factor in [0.5, 1) so that parallel readers do not retry in lockstep.
 *
 * @param random a number in [0, 1); `Math.random()` by default.
 * @returns milliseconds.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: number = Math.random()): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random / 2));
}

/**
 * Options of {@link withRetry}.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export interface WithRetryOptions {
  /** @default {@link defaultRetryPolicy} */
  policy?: Partial<RetryPolicy>;
  /** Says whether a failure is worth another attempt. */
  isTransient: (e: unknown) => boolean;
  /** Stops retrying (and waiting) at once; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log; `delayMs` in milliseconds. */
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Calls `fn` until it succeeds, the failure is not transient, the retries are used up, or the
 * signal aborts.
 *
 * @param fn receives the 0-based attempt number.
 * @throws the last failure of `fn`; the signal's reason when aborted.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: WithRetryOptions,
): Promise<T> {
  const policy = { ...defaultRetryPolicy, ...options.policy };
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (e: unknown) {
      options.signal?.throwIfAborted();
      if (attempt >= policy.retries || !options.isTransient(e)) throw e;
      const delayMs = backoffDelayMs(attempt, policy);
      options.onRetry?.(e, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

/**
 * Resolves after `ms` milliseconds.
 * @throws the signal's reason when it aborts first.
 * @see https://nodejs.org/api/globals.html#class-abortsignal
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waiting for eventually-consistent state (controllers reconcile in the background). */

/** Options of {@link until}. */
export interface UntilOptions {
  /** @default 30000 (ms) */
  timeoutMs?: number;
  /** Treat a thrown probe as "not yet" (and name its last error on timeout) instead of failing. */
  retryErrors?: boolean;
  /** @default 200 (ms) */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than undefined.
 * @throws Error naming `what` on timeout (with the probe's last error when retrying errors)
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: UntilOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e: unknown) {
      if (!options.retryErrors) throw e;
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}

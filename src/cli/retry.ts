/** Retrying read-modify-write cycles that lost a race. */
import { ConflictError } from '../api/index.js';

/**
 * Runs `fn` again when it fails with a ConflictError (another writer changed the object between
 * our read and our write), up to `attempts` times, with a short randomized pause.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e: unknown) {
      if (!(e instanceof ConflictError) || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * i));
    }
  }
}

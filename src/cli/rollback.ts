/**
 * Writes several objects so that a failure leaves nothing behind: each step registers how to undo
 * itself, and a failure undoes the finished steps in reverse order.
 */
import { MtvError } from '../api/errors.js';

/** Registers an undo action for a finished step. */
export type AddUndo = (description: string, undo: () => Promise<void>) => void;

/**
 * Runs `fn`; if it throws, runs the registered undo actions (newest first) and rethrows. When an
 * undo fails too, the error's hint names what is left behind.
 */
export async function withRollback<T>(fn: (addUndo: AddUndo) => Promise<T>): Promise<T> {
  const undos: { description: string; undo: () => Promise<void> }[] = [];
  try {
    return await fn((description, undo) => undos.push({ description, undo }));
  } catch (e: unknown) {
    const leftovers: string[] = [];
    for (const u of undos.reverse()) {
      try {
        await u.undo();
      } catch {
        leftovers.push(u.description);
      }
    }
    if (leftovers.length && e instanceof MtvError) {
      throw new MtvError(e.message, {
        hint: `could not clean up ${leftovers.join(', ')}: delete by hand`,
        cause: e,
      });
    }
    throw e;
  }
}

/** Retries `fn` when it fails with a ConflictError (a concurrent writer), up to `attempts` times. */
export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  const { ConflictError } = await import('../api/errors.js');
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e: unknown) {
      if (!(e instanceof ConflictError) || i >= attempts) throw e;
    }
  }
}

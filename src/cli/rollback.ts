/**
 * Writes several objects so that a failure leaves nothing behind: each step registers how to undo
 * itself, and a failure undoes the finished steps in reverse order.
 */
import { appendHint, InternalError, MtvError, NotFoundError } from '../api/index.js';

/** Registers an undo action for a finished step. */
export type AddUndo = (description: string, undo: () => Promise<void>) => void;

/**
 * Runs `fn`; if it throws, runs the registered undo actions (newest first) and rethrows the
 * original error. When an undo fails too, the error's hint names what is left behind.
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
      } catch (undoError: unknown) {
        if (!(undoError instanceof NotFoundError)) leftovers.push(u.description); // already gone is fine
      }
    }
    if (!leftovers.length) throw e;
    const line = `could not remove ${leftovers.join(', ')} after the failure: delete by hand`;
    if (e instanceof MtvError) throw appendHint(e, line);
    throw new InternalError(`${e instanceof Error ? e.message : String(e)}; ${line}`, { cause: e });
  }
}

import { describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../api/index.js';
import { withRollback } from './rollback.js';

describe('withRollback', () => {
  it('undoes finished steps newest first and rethrows the original error', async () => {
    const undone: string[] = [];
    const failure = new UsageError({ field: '--x', message: 'refused' });
    await expect(
      withRollback(async (undo) => {
        undo('a', () => Promise.resolve(void undone.push('a')));
        undo('b', () => Promise.resolve(void undone.push('b')));
        return Promise.reject(failure);
      }),
    ).rejects.toBe(failure);
    expect(undone).toEqual(['b', 'a']);
  });

  it('names what it could not remove, keeping the error’s class and exit code', async () => {
    const failure = new UsageError({ field: '--x', message: 'refused' });
    const err = await withRollback(async (undo) => {
      undo('secret/s', () => Promise.reject(new Error('network down')));
      undo('provider/p', () => Promise.reject(new NotFoundError('provider', 'p'))); // already gone: fine
      return Promise.reject(failure);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as UsageError).hint).toBe('could not remove secret/s after the failure: delete by hand');
  });
});

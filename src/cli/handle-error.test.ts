import { describe, expect, it } from 'vitest';
import { ApiError, NotFoundError, UsageError } from '../api/index.js';
import { handleError } from './handle-error.js';
import type { Io } from './io.js';

function io(): Io & { text: () => string } {
  let e = '';
  return { out: () => undefined, err: (t) => (e += t), isTTY: false, color: false, text: () => e };
}

describe('handleError', () => {
  it('exits 2 for usage errors, listing every problem and the hint', () => {
    const o = io();
    const code = handleError(
      new UsageError(
        [
          { field: '--a', message: 'is bad', value: 'x' },
          { field: '--b', message: 'is missing' },
        ],
        { hint: 'see --help' },
      ),
      o,
      0,
    );
    expect(code).toBe(2);
    expect(o.text()).toBe('error: --a: is bad (got "x")\nerror: --b: is missing\n  hint: see --help\n');
  });

  it('exits 1 for failures, with their hint', () => {
    const o = io();
    expect(handleError(new NotFoundError('provider', 'vc', 'ns', { hint: 'list them' }), o, 0)).toBe(1);
    expect(o.text()).toBe('error: provider "vc" not found in namespace "ns"\n  hint: list them\n');
    expect(handleError(new ApiError('forbidden', 403), io(), 0)).toBe(1);
  });

  it('reports system errors plainly and defects as defects, first line only', () => {
    const sys = Object.assign(new Error("EACCES: permission denied, open '/x'"), { code: 'EACCES' });
    const o = io();
    expect(handleError(sys, o, 0)).toBe(1);
    expect(o.text()).toBe("error: EACCES: permission denied, open '/x'\n");
    const d = io();
    expect(handleError(new Error('bad indentation (6:38)\n 6 | token: sha256~secret'), d, 0)).toBe(1);
    expect(d.text()).toMatch(/^internal error: bad indentation \(6:38\)\n {2}this is a defect in mtv/);
    expect(d.text()).not.toContain('sha256~secret');
  });
});

import { describe, expect, it } from 'vitest';
import { UsageError } from '../api/index.js';
import { matchesLabels, parseLabelSelector } from './label-selector.js';

describe('label selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'db' }, false],
    ['app!=web', {}, true],
    ['tier in (a, b),!legacy', { tier: 'b' }, true],
    ['tier notin (a,b)', { tier: 'a' }, false],
    ['app.kubernetes.io/name', { 'app.kubernetes.io/name': 'x' }, true],
    ['', undefined, true],
  ])('%s matches %j: %s', (sel, labels, expected) => {
    expect(matchesLabels(sel)(labels)).toBe(expected);
  });

  it('rejects malformed requirements, naming the requirement and the fix', () => {
    expect(() => parseLabelSelector('app=web,in (x')).toThrow(UsageError);
    expect(() => parseLabelSelector('app=web,in (x')).toThrow(
      /requirement "in \(x" is not a label requirement/,
    );
    expect(() => parseLabelSelector('app=bad value!')).toThrow(/invalid label value/);
  });
});

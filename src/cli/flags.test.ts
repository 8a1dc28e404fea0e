import { describe, expect, it } from 'vitest';
import { UsageError } from '../api/index.js';
import { manyNames, normalizeBooleanFlags, singleName } from './flags.js';

const bools = new Set(['dry-run', 'provider-insecure-skip-tls']);

describe('boolean flags', () => {
  it.each([
    [['--dry-run'], ['--dry-run']],
    [['--dry-run', 'true'], ['--dry-run']],
    [['--dry-run', 'false'], ['--no-dry-run']],
    [['--dry-run=FALSE'], ['--no-dry-run']],
    [
      ['--dry-run', 'no', 'name'],
      ['--no-dry-run', 'name'],
    ],
    [
      ['--provider-insecure-skip-tls', 'vc1'],
      ['--provider-insecure-skip-tls', 'vc1'],
    ],
    [['--dry-run', '0'], ['--no-dry-run']],
    [
      ['--url', 'false'],
      ['--url', 'false'],
    ],
    [
      ['--', '--dry-run', 'false'],
      ['--', '--dry-run', 'false'],
    ],
  ])('%j → %j', (argv, expected) => {
    expect(normalizeBooleanFlags(argv, bools)).toEqual(expected);
  });

  it('refuses --flag=value that is not a boolean', () => {
    expect(() => normalizeBooleanFlags(['--dry-run=maybe'], bools)).toThrow(
      /--dry-run: must be true or false \(got "maybe"\)/,
    );
  });
});

describe('names', () => {
  it('takes the name as an argument or --name, not both', () => {
    expect(singleName(['vc1'], undefined, 'provider')).toBe('vc1');
    expect(singleName([], 'vc1', 'provider')).toBe('vc1');
    expect(() => singleName(['a'], 'b', 'provider')).toThrow(UsageError);
    expect(() => singleName([], undefined, 'provider')).toThrow(/a provider name is required/);
  });

  it('collects several names from arguments and -M lists', () => {
    expect(manyNames(['a'], ['b,c', 'd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(() => manyNames(['Bad'], undefined)).toThrow(/DNS-1123/);
  });
});

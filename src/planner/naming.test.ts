import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDns1123Label, isDns1123Subdomain } from '../api/index.js';
import { labelSafeName, normalizeVmName, uniqueName } from './naming.js';

/** A deterministic source of numbers in [0, 1). */
function seeded(values: readonly number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('normalizeVmName', () => {
  // Cases from Forklift's own tests of ChangeVmName / SanitizeLabel.
  it.each([
    [
      "----------------Vm!@#$%^&*()_+-Name/.is,';[]-CorREct-<>123----------------------",
      'vm-name.is-correct-123',
    ],
    ['mtv.func.-.rhel.-...8.8', 'mtv.func.rhel.8.8'],
    ['.....mtv.func..-...............rhel.-...8.8', 'mtv.func.rhel.8.8'],
    ['vm with spaces in name', 'vm-with-spaces-in-name'],
    ['vm+with+plus+signs', 'vm-with-plus-signs'],
    ['vm---with----multiple-----dashes', 'vm-with-multiple-dashes'],
    ['vm   +++with   ---mixed+++   ---characters', 'vm-with-mixed-characters'],
    ['vm*with*asterisk*characters', 'vm-with-asterisk-characters'],
    ['a/b\\c*d+e f_g', 'a-b-c-d-e-f-g'],
    ['Web-01', 'web-01'],
    ['db01.Prod.example', 'db01.prod.example'],
    ['Ünïcode™ VM', 'ncode-vm'],
  ])('%j → %j', (name, want) => {
    expect(normalizeVmName(name)).toBe(want);
  });

  it('falls back to "vm" when nothing is left (Forklift adds a random suffix; uniqueName does that)', () => {
    expect(normalizeVmName('.__.')).toBe('vm');
    expect(normalizeVmName('')).toBe('vm');
    expect(normalizeVmName('***')).toBe('vm');
  });

  it('cuts long names to 63 characters without a trailing separator', () => {
    expect(normalizeVmName('a'.repeat(73))).toBe('a'.repeat(63));
    const cut = normalizeVmName(`${'a'.repeat(62)}-b`);
    expect(cut).toBe('a'.repeat(62));
    expect(normalizeVmName(`${'a'.repeat(40)}.${'b'.repeat(40)}`)).toBe(
      `${'a'.repeat(40)}.${'b'.repeat(22)}`,
    );
  });

  it('always returns a DNS-1123 subdomain of at most 63 characters made of labels, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120, unit: 'binary' }), (name) => {
        const out = normalizeVmName(name);
        expect(out.length).toBeLessThanOrEqual(63);
        expect(isDns1123Subdomain(out)).toBe(true);
        for (const part of out.split('.')) expect(isDns1123Label(part)).toBe(true);
        expect(normalizeVmName(out)).toBe(out);
      }),
    );
  });
});

describe('uniqueName', () => {
  it('keeps a free name', () => {
    expect(uniqueName('web-1', new Set(['web-2']), seeded([0.5]))).toBe('web-1');
  });

  it('adds a 4-character [a-z0-9] suffix to a taken name', () => {
    // 0 → 'a', 0.999 → '9' (the last of 36 characters).
    expect(uniqueName('web-1', new Set(['web-1']), seeded([0, 0.999, 0, 0.999]))).toBe('web-1-a9a9');
  });

  it('draws again when the suffixed name is taken too', () => {
    const taken = new Set(['web-1', 'web-1-aaaa']);
    expect(uniqueName('web-1', taken, seeded([0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5]))).toBe('web-1-ssss');
  });

  it('cuts the base so the result stays within 63 characters', () => {
    const base = 'x'.repeat(63);
    const out = uniqueName(base, new Set([base]), seeded([0.1]));
    expect(out).toHaveLength(63);
    expect(out).toBe(`${'x'.repeat(58)}-dddd`);
    expect(isDns1123Label(out)).toBe(true);
  });

  it('gives up when every draw collides', () => {
    const taken = new Set(['a', 'a-aaaa']);
    expect(() => uniqueName('a', taken, () => 0)).toThrow(/no free name for "a"/);
  });
});

describe('labelSafeName', () => {
  it.each([
    ['web-1', 'web-1'],
    ['db01.prod', 'db01-prod'],
    ['a'.repeat(70), 'a'.repeat(63)],
  ])('%j → %j', (name, want) => {
    expect(labelSafeName(name)).toBe(want);
  });
});

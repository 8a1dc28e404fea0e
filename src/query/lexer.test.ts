import { describe, expect, it } from 'vitest';
import { tokenize } from './lexer.js';
import type { Token } from './lexer.js';

function only(text: string): Token {
  const [t, eof] = tokenize(text);
  expect(eof?.kind).toBe('eof');
  if (!t) throw new Error('no token');
  return t;
}

describe('numbers', () => {
  const cases: [string, number][] = [
    ['42', 42],
    ['1.5', 1.5],
    ['2e9', 2e9],
    ['1.5E-3', 0.0015],
    ['4k', 4000],
    ['4K', 4000],
    ['4M', 4e6],
    ['4m', 4e6],
    ['4G', 4e9],
    ['4T', 4e12],
    ['4P', 4e15],
    ['4Ki', 4096],
    ['4Mi', 4 * 1024 ** 2],
    ['100Gi', 100 * 1024 ** 3],
    ['1.5Ti', 1.5 * 1024 ** 4],
    ['2Pi', 2 * 1024 ** 5],
  ];
  for (const [text, value] of cases) {
    it(text, () => {
      expect(only(text)).toMatchObject({ kind: 'number', value, text, start: 0, end: text.length });
    });
  }
});

describe('strings', () => {
  const cases: [string, string][] = [
    ["'where-vm'", 'where-vm'],
    ['"double"', 'double'],
    ['`back`', 'back'],
    ["'it\\'s'", "it's"],
    ['"say \\"hi\\""', 'say "hi"'],
    ['`a\\`b`', 'a`b'],
    ["'a\\nb\\tc\\rd\\be\\ff'", 'a\nb\tc\rd\be\ff'],
    ["'back\\\\slash'", 'back\\slash'],
    ["'\\d+'", '\\d+'],
    ["'select * from where'", 'select * from where'],
  ];
  for (const [text, value] of cases) {
    it(text, () => {
      expect(only(text)).toMatchObject({ kind: 'string', value });
    });
  }
});

describe('dates', () => {
  const cases: [string, number, boolean][] = [
    ['2024-05-31', Date.UTC(2024, 4, 31), true],
    ['2024-05-31T12:30:00Z', Date.UTC(2024, 4, 31, 12, 30), false],
    ['2024-05-31t12:30:00z', Date.UTC(2024, 4, 31, 12, 30), false],
    ['2024-05-31T12:30:00.029Z', Date.UTC(2024, 4, 31, 12, 30, 0, 29), false],
    ['2024-05-31T12:30:00+02:00', Date.UTC(2024, 4, 31, 10, 30), false],
    ['2024-05-31T00:30:00-01:30', Date.UTC(2024, 4, 31, 2, 0), false],
    ['2024-02-29', Date.UTC(2024, 1, 29), true],
    ['0050-01-01', Date.parse('0050-01-01T00:00:00Z'), true],
  ];
  for (const [text, ms, dateOnly] of cases) {
    it(text, () => {
      expect(only(text)).toMatchObject({ kind: 'date', ms, dateOnly, text });
    });
  }
});

describe('identifiers, keywords and symbols', () => {
  it('memoryMB', () => {
    expect(only('memoryMB')).toMatchObject({ kind: 'ident', path: [{ kind: 'name', name: 'memoryMB' }] });
  });

  it("disks[*].capacity / disks[0] / labels[app.kubernetes.io/name] / labels['a]b']", () => {
    expect(only('disks[*].capacity')).toMatchObject({
      path: [{ kind: 'name', name: 'disks' }, { kind: 'wildcard' }, { kind: 'name', name: 'capacity' }],
    });
    expect(only('disks[0]')).toMatchObject({
      path: [
        { kind: 'name', name: 'disks' },
        { kind: 'index', index: 0 },
      ],
    });
    expect(only('labels[app.kubernetes.io/name]')).toMatchObject({
      path: [
        { kind: 'name', name: 'labels' },
        { kind: 'key', key: 'app.kubernetes.io/name' },
      ],
    });
    expect(only("labels['a]b']")).toMatchObject({
      path: [
        { kind: 'name', name: 'labels' },
        { kind: 'key', key: 'a]b' },
      ],
    });
  });

  it('WHERE Where where (keywords are case-insensitive)', () => {
    expect(
      tokenize('WHERE Where where')
        .slice(0, 3)
        .map((t) => (t.kind === 'keyword' ? t.word : t.kind)),
    ).toEqual(['where', 'where', 'where']);
  });

  it('x in[1] (a keyword never takes a path)', () => {
    expect(tokenize('x in[1]').map((t) => t.kind)).toEqual([
      'ident',
      'keyword',
      'symbol',
      'number',
      'symbol',
      'eof',
    ]);
  });

  it('power-state (a minus, not part of the name)', () => {
    expect(tokenize('power-state').map((t) => t.kind)).toEqual(['ident', 'symbol', 'ident', 'eof']);
  });

  it('= == != <> < <= > >= ~= ~! + - * / %', () => {
    const symbols = tokenize('= == != <> < <= > >= ~= ~! + - * / %').flatMap((t) =>
      t.kind === 'symbol' ? [t.symbol] : [],
    );
    expect(symbols).toEqual([
      '=',
      '==',
      '!=',
      '<>',
      '<',
      '<=',
      '>',
      '>=',
      '~=',
      '~!',
      '+',
      '-',
      '*',
      '/',
      '%',
    ]);
  });
});

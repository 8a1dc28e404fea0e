import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineColumn, QueryError, QuerySyntaxError } from './errors.js';
import { parseQuery } from './parser.js';
import { runQuery } from './run-query.js';
import { vms } from './test-vms.fixture.js';

/**
 * Properties: whatever the text, parsing either succeeds or throws a QuerySyntaxError located
 * inside the text; and whatever parses runs over the fixture rows or throws a QueryError, never
 * anything else.
 */

const seeds = [
  "select name, memoryMB / 1024 as gb where gb > 4 and powerState = 'poweredOn' order by gb desc limit 5",
  "where name like 'prod-%' or name ~= '(?i)^db' and not (cluster in ['a', 'b'])",
  'select cluster, count(*), sum(disks[*].capacity) group by cluster sort by cluster',
  'any(disks[*].capacity > 100Gi) and created between 2024-01-01 and 2024-01-31T10:00:00Z',
  "labels[app.kubernetes.io/name] = \"web\" and `x` != 'it\\'s' and memStr is not null",
  'len(nics) >= 2 or -cpuCount * 3 % 2 <> 1.5e3 and isTemplate = false',
];
const tokens = [
  ' ',
  "'",
  '"',
  '`',
  '\\',
  '(',
  ')',
  '[',
  ']',
  ',',
  '*',
  '=',
  '!',
  '~',
  '<',
  '>',
  '-',
  '.',
  '%',
  '_',
  'select',
  'where',
  'and',
  'or',
  'not',
  'in',
  'like',
  'is',
  'null',
  'between',
  'order',
  'by',
  'limit',
  '2024-01-01',
  '1Gi',
  '12',
  'name',
  'disks[*]',
  '\n',
  '😀',
  '\u0000',
];

function checkParse(text: string): void {
  try {
    parseQuery(text);
  } catch (e: unknown) {
    if (!(e instanceof QuerySyntaxError)) throw e;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(text.length);
    expect(e.end).toBeGreaterThan(e.offset);
    expect({ line: e.line, column: e.column }).toEqual(lineColumn(text, e.offset));
    expect(e.message).toContain('^');
  }
}

const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat(6),
        fc.constantFrom(...tokens),
        fc.constantFrom('insert', 'delete', 'replace'),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([seed, edits]) => {
    let text = seed;
    for (const [pos, len, token, kind] of edits) {
      const i = pos % (text.length + 1);
      if (kind === 'insert') text = text.slice(0, i) + token + text.slice(i);
      else if (kind === 'delete') text = text.slice(0, i) + text.slice(i + len);
      else text = text.slice(0, i) + token + text.slice(i + len);
    }
    return text;
  });

describe('the parser never fails badly', () => {
  it('random text: a tree or a QuerySyntaxError located in the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: 'binary' }), (text) => checkParse(text)),
      {
        numRuns: 3000,
      },
    );
  });

  it('random token soup: a tree or a QuerySyntaxError located in the text', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 15 }), (parts) =>
        checkParse(parts.join(' ')),
      ),
      { numRuns: 3000 },
    );
  });

  it('mutated queries: a tree or a QuerySyntaxError; what parses runs or throws a QueryError', () => {
    let ran = 0;
    fc.assert(
      fc.property(mutated, (text) => {
        checkParse(text);
        try {
          runQuery(text, vms, { checkFields: false });
          ran++;
        } catch (e: unknown) {
          if (!(e instanceof QuerySyntaxError) && !(e instanceof QueryError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
    expect(ran).toBeGreaterThan(100); // the run step is exercised, not only the parser
  });
});

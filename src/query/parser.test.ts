import { describe, expect, it } from 'vitest';
import type { Expression, Query } from './ast.js';
import { QuerySyntaxError } from './errors.js';
import { parseExpression, parseQuery } from './parser.js';
import { printExpression, printQuery } from './printer.js';

/** The tree without locations and source text. */
function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'start' && k !== 'end' && k !== 'source')
      .map(([k, v]) => [k, strip(v)]),
  );
}

function syntaxError(text: string, parse: (t: string) => unknown = parseQuery): QuerySyntaxError {
  try {
    parse(text);
  } catch (e: unknown) {
    if (e instanceof QuerySyntaxError) return e;
    throw e;
  }
  throw new Error(`no syntax error for ${text}`);
}

const f = (name: string) => ({ type: 'Field', path: [{ kind: 'name', name }] });
const s = (value: string) => ({ type: 'String', value });
const n = (value: number, text = String(value)) => ({ type: 'Number', value, text });

describe('every form parses and round-trips through the printer', () => {
  const forms = [
    "name = 'vm-1'",
    "name == 'vm-1'",
    "name != 'vm-1'",
    "name <> 'vm-1'",
    'cpuCount < 4',
    'cpuCount <= 4',
    'cpuCount > 4',
    'cpuCount >= 4',
    "name ~= '^db-\\d+'",
    "name ~! '(?i)test'",
    "name like 'prod-%'",
    "name not like 'prod-_'",
    "name ilike 'PROD-%'",
    "name not ilike '%tmp%'",
    "cluster in ['a', 'b']",
    "cluster not in ['a', 'b',]",
    "cluster in ('a', 'b')",
    'cluster in []',
    "'web' in tags",
    'cpuCount between 2 and 8',
    'cpuCount not between 2 and 8',
    'created between 2024-01-01 and 2024-01-31',
    'created > 2024-05-01T10:00:00Z',
    'created < 2024-05-01T10:00:00.250+02:00',
    'host is null',
    'host is not null',
    'host = null',
    "not powerState = 'poweredOn'",
    'not (a and b)',
    'not not a',
    'a and b or c',
    'a and (b or c)',
    '(a or b) and c',
    'a or b or c',
    'a or (b or c)',
    'memoryMB / 1024 > 4',
    'a + b * c - d % e = 1',
    '(a + b) * c = 1',
    'a - (b - c) = 0',
    '-a < -5',
    '+a = 1',
    '- -a = 1',
    'memoryMB >= 16Gi / 1Mi',
    'capacity > 1.5T',
    'capacity > 2e9',
    'capacity > 4k and capacity < 4Ki',
    'flag = true and other = false',
    'len(disks) > 1',
    'LEN(disks) > 1',
    'any(disks[*].capacity > 100Gi)',
    'all(disks[*].thin = true)',
    'sum(disks[*].capacity) > 30e9',
    'disks[0].capacity > 1',
    'disks.0.capacity > 1',
    "labels[app.kubernetes.io/name] = 'web'",
    "labels['a b'] = 'x'",
    "labels['0'] = 'x'",
    "labels['*'] = 'x'",
    "a.b.c[*].d[2]['e]'].f = 1",
    '"double" = `backtick`',
    "'it\\'s' = 'tab\\there'",
    '(a = b) = c',
    '(x is null) is null',
    'x in (tags)',
    "x in ('a')",
    'x in (a or b)',
  ];
  for (const text of forms) {
    it(text, () => {
      const expr = parseExpression(text);
      const printed = printExpression(expr);
      expect(strip(parseExpression(printed))).toEqual(strip(expr));
      expect(strip(parseQuery(text).where)).toEqual(strip(expr));
    });
  }

  const queries = [
    '',
    '   ',
    "where name = 'where-vm'",
    "name = 'web-select' order by name",
    "where name = 'were'",
    "where name = 'limit 5 order by x'",
    'select name',
    'select name, memoryMB / 1024 as memoryGB where memoryGB > 4 order by memoryGB desc limit 10',
    'select name, sum(disks[*].capacity) as total where total > 30e9 order by total desc limit 3',
    'select cluster, count(*) as n, avg(memoryMB) group by cluster order by n desc',
    'SELECT name WHERE x = 1 GROUP BY name ORDER BY name ASC, x DESC LIMIT 0',
    'sort by name',
    'order by name asc',
    'limit 5',
    'group by powerState',
    'select min(memoryMB), max(memoryMB), count(name)',
  ];
  for (const text of queries) {
    it(text || '(empty query)', () => {
      const q = parseQuery(text);
      expect(strip(parseQuery(printQuery(q)))).toEqual(strip(q));
    });
  }
});

describe('the tree', () => {
  it("not powerState = 'poweredOn'", () => {
    expect(strip(parseExpression("not powerState = 'poweredOn'"))).toEqual({
      type: 'Not',
      operand: { type: 'Compare', op: '=', left: f('powerState'), right: s('poweredOn') },
    });
  });

  it('a or b and c', () => {
    expect(strip(parseExpression('a or b and c'))).toEqual({
      type: 'Logical',
      op: 'or',
      left: f('a'),
      right: { type: 'Logical', op: 'and', left: f('b'), right: f('c') },
    });
  });

  it('memoryMB/1024 as memoryGB (slash is division, not part of the name)', () => {
    const q = parseQuery('select memoryMB/1024 as memoryGB');
    expect(strip(q.select)).toEqual([
      {
        type: 'SelectItem',
        expr: { type: 'Arithmetic', op: '/', left: f('memoryMB'), right: n(1024) },
        alias: 'memoryGB',
      },
    ]);
  });

  it("where name = 'where-vm' (keywords inside strings are text)", () => {
    const q = parseQuery("where name = 'where-vm' order by name");
    expect(strip(q.where)).toEqual({ type: 'Compare', op: '=', left: f('name'), right: s('where-vm') });
    expect(q.orderBy).toHaveLength(1);
  });

  it('sort by x, == and <> normalize to order by, = and !=', () => {
    const a = parseQuery('where a == 1 and b <> 2 sort by a');
    const b = parseQuery('where a = 1 and b != 2 order by a');
    expect(strip(a)).toEqual(strip(b));
  });

  it("x in ('a', 'b') is the list ['a', 'b']; x in ('a') is the value 'a'", () => {
    expect(strip(parseExpression("x in ('a', 'b')"))).toEqual(strip(parseExpression("x in ['a', 'b']")));
    expect((parseExpression("x in ('a')") as Expression & { type: 'In' }).list.type).toBe('String');
  });

  it('disks[*].capacity and labels[app.kubernetes.io/name]', () => {
    expect(strip(parseExpression('disks[*].capacity'))).toEqual({
      type: 'Field',
      path: [{ kind: 'name', name: 'disks' }, { kind: 'wildcard' }, { kind: 'name', name: 'capacity' }],
    });
    expect(strip(parseExpression('labels[app.kubernetes.io/name]'))).toEqual({
      type: 'Field',
      path: [
        { kind: 'name', name: 'labels' },
        { kind: 'key', key: 'app.kubernetes.io/name' },
      ],
    });
  });

  it('every node carries its source location', () => {
    const text = 'select name as n where cpuCount between 2 and 8 order by n desc';
    const q: Query = parseQuery(text);
    const item = q.select?.[0];
    expect(text.slice(item?.start, item?.end)).toBe('name as n');
    expect(text.slice(q.where?.start, q.where?.end)).toBe('cpuCount between 2 and 8');
    const order = q.orderBy?.[0];
    expect(text.slice(order?.start, order?.end)).toBe('n desc');
    const where = q.where as Expression & { type: 'Between' };
    expect(text.slice(where.high.start, where.high.end)).toBe('8');
  });

  it('function names are case-insensitive, field names are not', () => {
    expect(strip(parseExpression('COUNT(*)'))).toEqual({
      type: 'Call',
      name: 'count',
      args: [{ type: 'Star' }],
    });
    expect(strip(parseExpression('Name'))).toEqual(f('Name'));
  });

  it('limit 1k', () => {
    expect(parseQuery('limit 1k').limit?.value).toBe(1000);
  });
});

describe('syntax errors carry the position, what was expected, and a caret', () => {
  it('where name =', () => {
    const e = syntaxError('where name =');
    expect(e).toMatchObject({ offset: 12, line: 1, column: 13, found: 'end of query' });
    expect(e.expected).toContain('an expression');
    expect(e.message).toBe(
      'query syntax error at line 1, column 13: expected an expression but found end of query\n' +
        '  where name =\n' +
        '              ^',
    );
    expect(e.format()).toBe(e.message);
  });

  it("where name = 'x' foo", () => {
    const e = syntaxError("where name = 'x' foo");
    expect(e).toMatchObject({ offset: 17, column: 18, found: "'foo'" });
    expect(e.expected).toEqual(['AND', 'OR', 'GROUP BY', 'ORDER BY', 'LIMIT', 'end of query']);
    expect(e.message).toContain("  where name = 'x' foo\n                   ^^^");
  });

  it('multi-line: where a = 1\\n  and b = (2', () => {
    const e = syntaxError('where a = 1\n  and b = (2');
    expect(e).toMatchObject({ line: 2, column: 13, offset: 24 });
    expect(e.expected).toContain("')'");
    expect(e.message).toContain(`\n    and b = (2\n  ${' '.repeat(12)}^`);
  });

  it("x = 'abc (unterminated string)", () => {
    const e = syntaxError("x = 'abc");
    expect(e).toMatchObject({ offset: 4, column: 5, expected: ["a closing '"] });
    expect(e.message).toContain('unterminated string');
  });

  it('a = b = c (comparisons do not chain)', () => {
    const e = syntaxError('a = b = c');
    expect(e.offset).toBe(6);
    expect(e.hint).toMatch(/do not chain/);
  });

  it('selct name (did you mean SELECT?)', () => {
    expect(syntaxError('selct name, cpu').hint).toMatch(/did you mean SELECT\?/);
  });

  it('sorted = 1 x (no keyword hint for a field that merely looks like one)', () => {
    expect(syntaxError('sorted = 1 x').hint).toBeUndefined();
  });

  it('where x = 1 oder by x (did you mean ORDER?)', () => {
    expect(syntaxError('where x = 1 oder by x').hint).toMatch(/did you mean ORDER\?/);
  });

  it('where x = 1 where y = 2 (a clause twice)', () => {
    expect(syntaxError('where x = 1 where y = 2')).toMatchObject({ offset: 12, found: 'WHERE' });
  });

  it('limit 5 where x = 1 (clauses out of order)', () => {
    expect(syntaxError('limit 5 where x = 1')).toMatchObject({ offset: 8, expected: ['end of query'] });
  });

  it('limit 2.5', () => {
    expect(syntaxError('limit 2.5').expected).toEqual(['a whole number']);
  });

  it('x not y', () => {
    expect(syntaxError('x not y').expected).toEqual(['LIKE', 'ILIKE', 'IN', 'BETWEEN']);
  });

  it('x is y', () => {
    expect(syntaxError('x is y').expected).toEqual(['NULL', 'NOT']);
  });

  it('x between 1 or 2', () => {
    expect(syntaxError('x between 1 or 2')).toMatchObject({ offset: 12, found: 'OR' });
  });

  it('select name as order', () => {
    expect(syntaxError('select name as order').expected).toEqual(['an alias name']);
  });

  it('x = 10x', () => {
    const e = syntaxError('x = 10x');
    expect(e).toMatchObject({ offset: 4 });
    expect(e.message).toMatch(/invalid number '10x'/);
  });

  it('x > 2024-02-30', () => {
    expect(syntaxError('x > 2024-02-30').message).toMatch(/invalid date '2024-02-30'/);
  });

  it('x > 2024-02-01T10:00:00 (no zone)', () => {
    expect(syntaxError('x > 2024-02-01T10:00:00').hint).toMatch(/with a zone/);
  });

  it('x ! y', () => {
    const e = syntaxError('x ! y');
    expect(e).toMatchObject({ offset: 2 });
    expect(e.hint).toMatch(/!=/);
  });

  it('labels[ = 1', () => {
    expect(syntaxError('labels[ = 1').message).toMatch(/unterminated '\['/);
  });

  it('name = 1 (parseExpression rejects clauses)', () => {
    expect(syntaxError('name = 1 order by x', parseExpression).expected).toContain('end of expression');
  });

  it('select * (hint: leave out SELECT)', () => {
    expect(syntaxError('select *').hint).toMatch(/leave out SELECT/);
  });

  it('f(a, *)', () => {
    expect(syntaxError('f(a, *)').offset).toBe(5);
  });
});

import { describe, expect, it } from 'vitest';
import { isVmQuery, parseVmsArgument, parseVmsFile, resolveVms } from './vms.js';

const inventory = [
  { id: 'vm-1', name: 'web-1', path: '/DC/vm/web-1' },
  { id: 'vm-2', name: 'web-2', path: '/DC/vm/web-2' },
  { id: 'vm-3', name: 'dup', path: '/DC/vm/a/dup' },
  { id: 'vm-4', name: 'dup', path: '/DC/vm/b/dup' },
];

describe('--vms', () => {
  it.each([
    "where name = 'x'",
    "WHERE powerState = 'poweredOn'",
    'Select name where x > 1',
    'order by name limit 2',
    ' limit 3',
  ])('recognises the query %s in any keyword case', (q) => {
    expect(isVmQuery(q)).toBe(true);
    expect(parseVmsArgument(q).selection).toEqual({ kind: 'query', query: q.trim() });
  });

  it('treats names that merely start like keywords as names', () => {
    expect(isVmQuery('whereabouts,select-db')).toBe(false);
    expect(parseVmsArgument('whereabouts,select-db').selection).toMatchObject({
      kind: 'list',
      entries: [{ name: 'whereabouts' }, { name: 'select-db' }],
    });
  });

  it('reports empty items with their position', () => {
    expect(parseVmsArgument('a,,b').problems).toEqual([
      { field: '--vms', message: 'item 2 is empty', value: 'a,,b' },
    ]);
  });

  it('reads the planvms output shape and the hand-written shape', () => {
    const out = parseVmsFile(
      'vms.yaml',
      '- id: vm-1\n  name: web-1\n- name: web-2\n  targetName: web-two\n- web-3\n',
    );
    expect(out.problems).toEqual([]);
    expect(out.selection).toMatchObject({
      kind: 'list',
      entries: [
        { id: 'vm-1', name: 'web-1' },
        { name: 'web-2', extra: { targetName: 'web-two' } },
        { name: 'web-3' },
      ],
    });
  });

  it('reads JSON, inventory rows (extra keys with an id) and a plan fragment with vms:', () => {
    expect(
      parseVmsFile('v.json', '[{"id":"vm-1","name":"web-1","powerState":"poweredOn"}]').selection,
    ).toMatchObject({ entries: [{ id: 'vm-1' }] });
    expect(parseVmsFile('plan.yaml', 'vms:\n  - name: web-1\n').selection).toMatchObject({
      entries: [{ name: 'web-1' }],
    });
  });

  it('refuses unknown keys on hand-written entries and entries without id or name', () => {
    const out = parseVmsFile('vms.yaml', '- name: a\n  tagetName: typo\n- {}\n- 42\n');
    expect(out.problems.map((p) => p.message)).toEqual([
      'vms.yaml entry 1 has unknown keys: tagetName',
      'vms.yaml entry 2 has neither id nor name',
      'vms.yaml entry 3 must be a name or an object with id/name',
    ]);
  });

  it('says when the file is not YAML or not a list', () => {
    expect(parseVmsFile('v.yaml', 'a: [').problems[0]?.message).toMatch(/^v\.yaml is not YAML or JSON/);
    expect(parseVmsFile('v.yaml', 'a: 1').problems[0]?.message).toMatch(/must hold a list/);
  });
});

describe('resolveVms', () => {
  it('matches by id, name or path and keeps per-VM settings', () => {
    const r = resolveVms(
      [
        { id: 'vm-2', extra: {}, origin: 'a' },
        { name: 'web-1', extra: { targetName: 'one' }, origin: 'b' },
        { name: '/DC/vm/b/dup', extra: {}, origin: 'c' },
      ],
      inventory,
    );
    expect(r.vms).toEqual([
      { id: 'vm-2', name: 'web-2' },
      { id: 'vm-1', name: 'web-1', targetName: 'one' },
      { id: 'vm-4', name: 'dup' },
    ]);
    expect(r.missing).toEqual([]);
  });

  it('reports missing, ambiguous and duplicate entries', () => {
    const r = resolveVms(
      [
        { name: 'nope', extra: {}, origin: 'x' },
        { name: 'dup', extra: {}, origin: 'y' },
        { name: 'web-1', extra: {}, origin: 'z' },
        { id: 'vm-1', extra: {}, origin: 'w' },
      ],
      inventory,
    );
    expect(r.missing.map((e) => e.name)).toEqual(['nope']);
    expect(r.ambiguous).toEqual([{ entry: { name: 'dup', extra: {}, origin: 'y' }, ids: ['vm-3', 'vm-4'] }]);
    expect(r.duplicates).toEqual(['web-1']);
    expect(r.vms).toHaveLength(1);
  });
});

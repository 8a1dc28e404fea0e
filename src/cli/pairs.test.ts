import { describe, expect, it } from 'vitest';
import { formatProblem } from '../api/index.js';
import { checkStorageDefaults, parseNetworkPairs, parseStoragePairs } from './pairs.js';

const problems = (p: { problems: Parameters<typeof formatProblem>[0][] }): string =>
  p.problems.map(formatProblem).join('\n');

describe('network pairs', () => {
  it.each([
    ['VM Network:default', [{ source: { name: 'VM Network' }, destination: { type: 'pod' } }]],
    [
      'prod@100:ns1/vlan100',
      [
        {
          source: { name: 'prod', vlan: '100' },
          destination: { type: 'multus', namespace: 'ns1', name: 'vlan100' },
        },
      ],
    ],
    [
      'a:nad-a, b:ignored ,c:ignored',
      [
        { source: { name: 'a' }, destination: { type: 'multus', namespace: 'maps', name: 'nad-a' } },
        { source: { name: 'b' }, destination: { type: 'ignored' } },
        { source: { name: 'c' }, destination: { type: 'ignored' } },
      ],
    ],
    ['web@dmz:default', [{ source: { name: 'web@dmz' }, destination: { type: 'pod' } }]],
    ['fw:01:ignored', [{ source: { name: 'fw:01' }, destination: { type: 'ignored' } }]],
  ])('%s', (text, expected) => {
    const r = parseNetworkPairs(text, '--network-pairs', 'maps');
    expect(problems(r)).toBe('');
    expect(r.pairs).toEqual(expected);
  });

  it.each([
    [
      'VM Network',
      /pair 1 "VM Network": has no target\n {2}hint: write SOURCE:TARGET, e.g. "VM Network:default"/,
    ],
    [
      'a:default,b:default',
      /pair 2 "b:default": maps a second source to the pod network \(pair "a:default" already does\)/,
    ],
    ['a@0:ignored', /VLAN 0 is outside 1–4094/],
    ['a@4095:ignored', /VLAN 4095 is outside 1–4094/],
    ['a@:ignored', /has "@" but no VLAN/],
    ['a:Bad_NAD', /target "Bad_NAD" is not default, ignored/],
    [':default', /empty source network name/],
    ['a:ignored,a:default', /source "a" is mapped twice \(pairs 1 and 2\)/],
  ])('rejects %s', (text, message) => {
    expect(problems(parseNetworkPairs(text, '--network-pairs', 'maps'))).toMatch(message);
  });

  it('reports every bad pair, not only the first', () => {
    expect(parseNetworkPairs('x,y,z:default', '--network-pairs', 'maps').problems).toHaveLength(2);
  });
});

describe('storage pairs', () => {
  it.each([
    ['ds1:standard', [{ source: { name: 'ds1' }, destination: { storageClass: 'standard' } }]],
    [
      'ds1:fast;volumeMode=block;accessMode=ReadWriteMany',
      [
        {
          source: { name: 'ds1' },
          destination: { storageClass: 'fast', volumeMode: 'Block', accessMode: 'ReadWriteMany' },
        },
      ],
    ],
    [
      'ds1:fast;offloadPlugin=vsphere;offloadSecret=arr;offloadVendor=ontap',
      [
        {
          source: { name: 'ds1' },
          destination: { storageClass: 'fast' },
          offloadPlugin: { vsphereXcopyConfig: { secretRef: 'arr', storageVendorProduct: 'ontap' } },
        },
      ],
    ],
  ])('%s', (text, expected) => {
    const r = parseStoragePairs(text, '--storage-pairs');
    expect(problems(r)).toBe('');
    expect(r.pairs).toEqual(expected);
  });

  it.each([
    ['ds1:fast;volumeMode=Blok', /volumeMode must be Filesystem or Block \(got "Blok"\)/],
    ['ds1', /has no storage class/],
    ['ds1:ns/fast', /storage classes are cluster-wide/],
    ['ds1:fast;color=red', /option "color=red" is not KEY=VALUE/],
    [
      'ds1:fast;offloadPlugin=vsphere',
      /copy offload needs offloadPlugin=vsphere, offloadSecret=SECRET and offloadVendor=VENDOR together/,
    ],
    ['ds1:fast;accessMode=RWO', /accessMode must be ReadWriteOnce/],
  ])('rejects %s', (text, message) => {
    expect(problems(parseStoragePairs(text, '--storage-pairs'))).toMatch(message);
  });

  it('applies defaults where a pair is silent, and checks the defaults', () => {
    const { defaults, problems: p } = checkStorageDefaults({
      volumeMode: 'filesystem',
      accessMode: 'ReadWriteOnce',
    });
    expect(p).toEqual([]);
    const r = parseStoragePairs('a:x,b:y;volumeMode=Block', '--storage-pairs', defaults);
    expect(r.pairs.map((x) => x.destination)).toEqual([
      { storageClass: 'x', volumeMode: 'Filesystem', accessMode: 'ReadWriteOnce' },
      { storageClass: 'y', volumeMode: 'Block', accessMode: 'ReadWriteOnce' },
    ]);
    expect(checkStorageDefaults({ volumeMode: 'Tape' }).problems[0]?.field).toBe('--default-volume-mode');
  });
});

import { describe, expect, it } from 'vitest';
import { autoMap } from './auto-map.js';

const networks = [
  { id: 'net-1', name: 'VM Network' },
  { id: 'net-2', name: 'DMZ' },
];
const datastores = [{ id: 'ds-1', name: 'datastore1' }];
const vms = [
  { id: 'vm-1', name: 'a', networks: [{ id: 'net-1' }], disks: [{ datastore: { id: 'ds-1' } }] },
  {
    id: 'vm-2',
    name: 'b',
    networks: [{ id: 'net-1' }, { id: 'net-2' }],
    disks: [{ datastore: { id: 'ds-1' } }],
  },
];

describe('autoMap', () => {
  it('maps the only network to the pod network and datastores to the given class, explaining each', () => {
    const r = autoMap({ vms: vms.slice(0, 1), networks, datastores, storageClass: 'fast' });
    expect(r.problems).toEqual([]);
    expect(r.network).toEqual([
      { source: { id: 'net-1', name: 'VM Network' }, destination: { type: 'pod' } },
    ]);
    expect(r.storage).toEqual([
      { source: { id: 'ds-1', name: 'datastore1' }, destination: { storageClass: 'fast' } },
    ]);
    expect(r.notes).toEqual([
      'network VM Network (net-1) → the pod network (the default; VMs: a)',
      'datastore datastore1 (ds-1) → storage class fast (--default-target-storage-class; VMs: a)',
    ]);
  });

  it('refuses to put a second network on the pod network unless told to ignore it', () => {
    const r = autoMap({ vms, networks, datastores, storageClass: 'fast' });
    expect(r.problems[0]?.message).toMatch(
      /only one can be the pod network; no destination for: DMZ \(net-2\)/,
    );
    const ok = autoMap({ vms, networks, datastores, storageClass: 'fast', ignoreExtraNetworks: true });
    expect(ok.problems).toEqual([]);
    expect(ok.network.map((p) => [p.source.name, p.destination.type])).toEqual([
      ['VM Network', 'pod'],
      ['DMZ', 'ignored'],
    ]);
  });

  it('sends every network to a Multus default network', () => {
    const r = autoMap({
      vms,
      networks,
      datastores,
      storageClass: 'x',
      defaultNetwork: { type: 'multus', namespace: 'ns', name: 'br' },
    });
    expect(r.problems).toEqual([]);
    expect(r.network.every((p) => p.destination.type === 'multus')).toBe(true);
  });

  it("uses the cluster's default virtualization class, then its default class, and says so when neither exists", () => {
    expect(
      autoMap({
        vms,
        networks,
        datastores,
        ignoreExtraNetworks: true,
        clusterStorageClasses: { virtDefault: 'v', default: 'd' },
      }).storage[0]?.destination.storageClass,
    ).toBe('v');
    expect(
      autoMap({
        vms,
        networks,
        datastores,
        ignoreExtraNetworks: true,
        clusterStorageClasses: { default: 'd' },
      }).storage[0]?.destination.storageClass,
    ).toBe('d');
    expect(
      autoMap({ vms, networks, datastores, ignoreExtraNetworks: true, clusterStorageClasses: {} }).problems[0]
        ?.message,
    ).toMatch(/no default storage class/);
    expect(autoMap({ vms, networks, datastores, ignoreExtraNetworks: true }).problems[0]?.message).toMatch(
      /local mode/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { Condition, NetworkMap, Plan, Provider, StorageMap } from '../api/index.js';
import { resolveRef, validateMap, validatePlan, type PlanInput } from './validate.js';

const ready: Condition[] = [
  { type: 'Ready', status: 'True', category: 'Required', lastTransitionTime: '2026-01-01T00:00:00Z' },
];
const provider = (name: string, type: string, conditions = ready): Provider => ({
  apiVersion: 'forklift.konveyor.io/v1beta1',
  kind: 'Provider',
  metadata: { name, namespace: 'ns', uid: name },
  spec: { type, secret: {} },
  status: { conditions },
});
const pair = { source: { name: 'vc', namespace: 'ns' }, destination: { name: 'host', namespace: 'ns' } };
const netMap: NetworkMap = {
  apiVersion: 'forklift.konveyor.io/v1beta1',
  kind: 'NetworkMap',
  metadata: { name: 'net', namespace: 'ns' },
  spec: {
    provider: pair,
    map: [
      { source: { name: 'VM Network' }, destination: { type: 'pod' } },
      { source: { id: 'net-2' }, destination: { type: 'pod' } },
    ],
  },
  status: { conditions: ready },
};
const stoMap: StorageMap = {
  apiVersion: 'forklift.konveyor.io/v1beta1',
  kind: 'StorageMap',
  metadata: { name: 'sto', namespace: 'ns' },
  spec: { provider: pair, map: [{ source: { name: 'ds1' }, destination: { storageClass: 'fast' } }] },
  status: { conditions: ready },
};
const networks = [
  { id: 'net-1', name: 'VM Network' },
  { id: 'net-2', name: 'DMZ' },
  { id: 'net-3', name: 'Backup' },
];
const datastores = [
  { id: 'ds-1', name: 'ds1' },
  { id: 'ds-2', name: 'ds2' },
];
const vm = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  networks: [{ id: 'net-1' }],
  nics: [{ network: { id: 'net-1' }, mac: `00:50:56:00:00:${id.slice(-1)}` }],
  disks: [{ datastore: { id: 'ds-1' } }],
  concerns: [],
  ...extra,
});

function input(
  vms: Plan['spec']['vms'],
  inventory: ReturnType<typeof vm>[],
  extra: Partial<PlanInput> = {},
): PlanInput {
  return {
    plan: {
      apiVersion: 'forklift.konveyor.io/v1beta1',
      kind: 'Plan',
      metadata: { name: 'p', namespace: 'ns' },
      spec: {
        provider: pair,
        map: { network: { name: 'net', namespace: 'ns' }, storage: { name: 'sto', namespace: 'ns' } },
        targetNamespace: 'ns',
        vms,
      },
    },
    source: provider('vc', 'vsphere'),
    destination: provider('host', 'openshift'),
    networkMap: netMap,
    storageMap: stoMap,
    vms: new Map(inventory.map((v) => [v.id, v])),
    networks,
    datastores,
    hooks: new Map(),
    target: {},
    normalizeName: (n) => n.toLowerCase().replace(/_/g, '-'),
    ...extra,
  };
}

const types = (fs: { type: string }[]) => fs.map((f) => f.type);

describe('validatePlan', () => {
  it('a plan whose VMs are all mapped has no findings', () => {
    expect(validatePlan(input([{ id: 'vm-1' }], [vm('vm-1', 'web-1')]))).toEqual([]);
  });

  it('lists every affected VM in one condition per problem', () => {
    const inv = [
      vm('vm-1', 'Web_1', { networks: [{ id: 'net-3' }] }),
      vm('vm-2', 'web-2', { disks: [{ datastore: { id: 'ds-2' } }], snapshot: { id: 'snap-1' } }),
      vm('vm-3', 'web-3', {
        nics: [
          { network: { id: 'net-1' }, mac: 'a' },
          { network: { id: 'net-2' }, mac: 'b' },
        ],
        concerns: [{ id: 'x', category: 'Critical', label: 'x' }],
      }),
    ];
    const f = validatePlan(
      input(
        [
          { id: 'vm-1', name: 'Web_1' },
          { id: 'vm-2', name: 'web-2' },
          { id: 'vm-3', name: 'web-3' },
          { id: 'vm-9', name: 'gone' },
          { id: 'vm-2', name: 'web-2' },
        ],
        inv,
      ),
    );
    const by = Object.fromEntries(f.map((x) => [x.type, x]));
    expect(by.VMNotFound?.items).toEqual(['gone']);
    expect(by.DuplicateVM?.items).toEqual(['web-2']);
    expect(by.TargetNameNotValid).toMatchObject({ category: 'Warn', items: ['Web_1 → web-1'] });
    expect(by.VMNetworksNotMapped?.items).toEqual(['Web_1']);
    expect(by.VMStorageNotMapped?.items).toEqual(['web-2', 'web-2']);
    expect(by.VMMultiplePodNetworkMappings?.items).toEqual(['web-3']);
    expect(by.VMCriticalConcerns?.items).toEqual(['web-3']);
    expect(by.VMHasSnapshots?.category).toBe('Warn');
  });

  it('stops at a source provider that is not ready', () => {
    const f = validatePlan(
      input([{ id: 'vm-1' }], [vm('vm-1', 'a')], { source: provider('vc', 'vsphere', []) }),
    );
    expect(types(f)).toEqual(['SourceProviderNotReady']);
  });

  it('reports missing and unready maps, a bad namespace, unsupported types, MAC conflicts and warm without CBT', () => {
    const base = input(
      [{ id: 'vm-1' }, { id: 'vm-2' }],
      [
        vm('vm-1', 'a'),
        { ...vm('vm-2', 'b'), nics: [{ network: { id: 'net-1' }, mac: '00:50:56:00:00:1' }] },
      ],
    );
    base.plan.spec.targetNamespace = 'Bad_NS';
    base.plan.spec.type = 'warm';
    const f = validatePlan({ ...base, storageMap: undefined, networkMap: { ...netMap, status: {} } });
    expect(types(f)).toEqual(
      expect.arrayContaining([
        'NamespaceNotValid',
        'StorageRefNotValid',
        'NetworkMapNotReady',
        'MacConflicts',
        'VMMissingChangedBlockTracking',
      ]),
    );
    base.plan.spec.type = 'live';
    expect(types(validatePlan(base))).toContain('MigrationTypeNotValid');
  });

  it('local mode: target checks become one Advisory', () => {
    const f = validatePlan(input([{ id: 'vm-1' }], [vm('vm-1', 'a')], { target: undefined }));
    expect(f).toEqual([expect.objectContaining({ type: 'TargetNotChecked', category: 'Advisory' })]);
  });

  it('cluster mode: existing target VMs and a missing namespace block', () => {
    const f = validatePlan(
      input([{ id: 'vm-1' }], [vm('vm-1', 'a')], {
        target: { namespaceExists: false, existingVms: new Set(['a']) },
      }),
    );
    expect(types(f)).toEqual(['NamespaceNotValid', 'VMAlreadyExists']);
  });
});

describe('validateMap', () => {
  it('resolves sources by name or id, and reports the ones the inventory lacks', () => {
    expect(resolveRef({ name: 'DMZ' }, networks)).toBe('net-2');
    const f = validateMap({
      map: {
        ...netMap,
        spec: {
          ...netMap.spec,
          map: [...netMap.spec.map, { source: { name: 'Nope' }, destination: { type: 'ignored' } }],
        },
      },
      source: provider('vc', 'vsphere'),
      destination: provider('host', 'openshift'),
      inventory: networks,
    });
    expect(f).toEqual([expect.objectContaining({ type: 'SourceNetworkNotValid', items: ['Nope'] })]);
  });

  it('checks storage classes against the cluster when it can', () => {
    const f = validateMap({
      map: stoMap,
      source: provider('vc', 'vsphere'),
      destination: provider('host', 'openshift'),
      inventory: datastores,
      target: { storageClasses: new Set(['slow']) },
    });
    expect(f).toEqual([expect.objectContaining({ type: 'DestinationStorageNotValid', items: ['fast'] })]);
  });
});

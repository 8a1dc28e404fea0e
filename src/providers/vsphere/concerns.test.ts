import { describe, expect, it } from 'vitest';
import { InventoryDb } from '../../inventory/index.js';
import {
  ConcernRules,
  MaxDiskCount,
  RulesVersion,
  contextFromLookup,
  validateVM,
  withConcerns,
  type ValidationContext,
} from './concerns.js';
import {
  NoRef,
  type Cluster,
  type Datastore,
  type Disk,
  type Host,
  type VM,
  type VsphereModel,
} from './model.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function disk(over: Partial<Disk> = {}): Disk {
  return {
    key: 2000,
    unitNumber: 0,
    controllerKey: 1000,
    file: '[ds1] web-1/web-1.vmdk',
    datastore: { kind: 'Datastore', id: 'datastore-1' },
    capacity: 20 * GiB,
    shared: false,
    rdm: false,
    bus: 'scsi',
    mode: 'persistent',
    serial: '6000c29a-0000-0000-0000-000000000001',
    changeTrackingEnabled: true,
    ...over,
  };
}

/** A VM without any concern. */
function cleanVM(): VM {
  return {
    id: 'vm-1',
    parent: { kind: 'Folder', id: 'group-v3' },
    path: '/DC1/vm/web-1',
    revision: 3,
    name: 'web-1',
    revisionValidated: 0,
    policyVersion: 0,
    isTemplate: false,
    powerState: 'poweredOn',
    connectionState: 'connected',
    host: 'host-1',
    cluster: 'domain-c1',
    datacenter: 'datacenter-1',
    networks: [{ kind: 'Network', id: 'network-1' }],
    disks: [disk()],
    concerns: [],
    uuid: '42301234-0000-0000-0000-000000000001',
    instanceUuid: '50301234-0000-0000-0000-000000000001',
    firmware: 'bios',
    secureBoot: false,
    tpmEnabled: false,
    cpuCount: 2,
    coresPerSocket: 1,
    memoryMB: 4096,
    cpuAffinity: [],
    cpuHotAddEnabled: false,
    cpuHotRemoveEnabled: false,
    memoryHotAddEnabled: false,
    faultToleranceEnabled: false,
    numaNodeAffinity: [],
    nestedHVEnabled: false,
    drsEnabled: false,
    guestName: 'Red Hat Enterprise Linux 9 (64-bit)',
    guestNameFromVmwareTools: 'Red Hat Enterprise Linux 9.4 (64-bit)',
    guestId: 'rhel9_64Guest',
    hostName: 'web-1.example.com',
    ipAddress: '10.0.0.10',
    toolsStatus: 'toolsOk',
    toolsRunningStatus: 'guestToolsRunning',
    toolsVersionStatus2: 'guestToolsCurrent',
    balloonedMemory: 0,
    changeTrackingEnabled: true,
    snapshot: { ...NoRef },
    consolidationNeeded: false,
    storageUsed: 8 * GiB,
    diskEnableUuid: false,
    nics: [
      { network: { kind: 'Network', id: 'network-1' }, mac: '00:50:56:00:00:01', order: 0, deviceKey: 4000 },
    ],
    devices: [{ kind: 'VirtualVmxnet3' }],
    guestNetworks: [
      {
        device: '0',
        deviceConfigId: 4000,
        mac: '00:50:56:00:00:01',
        ip: '10.0.0.10',
        origin: 'manual',
        prefix: 24,
        dns: ['10.0.0.2'],
        network: 'VM Network',
      },
    ],
    guestIpStacks: [],
    guestDisks: [
      { key: 2000, diskPath: '/', capacity: 20 * GiB, freeSpace: 10 * GiB, filesystemType: 'xfs' },
    ],
  };
}

/** The inventory around the VM: one datastore, one host, one cluster. */
interface Env {
  datastores: Map<string, Datastore>;
  hosts: Map<string, Host>;
  clusters: Map<string, Cluster>;
}

function cleanEnv(): Env {
  const base = { parent: NoRef, revision: 1 };
  const datastore: Datastore = {
    ...base,
    id: 'datastore-1',
    name: 'ds1',
    path: '/DC1/datastore/ds1',
    type: 'VMFS',
    capacity: 1024 * GiB,
    free: 512 * GiB,
    maintenance: 'normal',
    backingDevicesNames: [],
  };
  const host = {
    ...base,
    id: 'host-1',
    name: 'esx1',
    path: '/DC1/host/c1/esx1',
    cluster: 'domain-c1',
  } as Host;
  const cluster = {
    ...base,
    id: 'domain-c1',
    name: 'c1',
    path: '/DC1/host/c1',
    drsEnabled: false,
    dpmEnabled: false,
    hostAffinityVms: [],
  } as unknown as Cluster;
  return {
    datastores: new Map([[datastore.id, datastore]]),
    hosts: new Map([[host.id, host]]),
    clusters: new Map([[cluster.id, cluster]]),
  };
}

function contextOf(env: Env): ValidationContext {
  return {
    datastore: (id) => env.datastores.get(id),
    host: (id) => env.hosts.get(id),
    cluster: (id) => env.clusters.get(id),
    network: () => undefined,
  };
}

function idsFor(vm: VM, env: Env = cleanEnv()): string[] {
  return validateVM(vm, contextOf(env)).map((c) => c.id);
}

/** Per rule: a change of the clean VM (or its inventory) that triggers it, and a near miss that does not. */
interface Case {
  id: string;
  fires: (vm: VM, env: Env) => void;
  nearMiss: (vm: VM, env: Env) => void;
}

const cases: Case[] = [
  {
    id: 'vmware.datastore.missing',
    fires: (vm) => (vm.disks = [disk({ datastore: { kind: 'Datastore', id: 'datastore-404' } })]),
    nearMiss: (vm, env) => {
      vm.disks = [disk({ datastore: { kind: 'Datastore', id: 'datastore-2' } })];
      env.datastores.set('datastore-2', {
        ...(env.datastores.get('datastore-1') as Datastore),
        id: 'datastore-2',
      });
    },
  },
  {
    id: 'vmware.disk.capacity.invalid',
    fires: (vm) => (vm.disks = [disk({ capacity: 0 })]),
    nearMiss: (vm) => (vm.disks = [disk({ capacity: 1 })]),
  },
  {
    id: 'vmware.guestDisks.freespace',
    fires: (vm) => (vm.guestDisks = [{ key: 2000, diskPath: '/boot', freeSpace: 50 * MiB - 1 }]),
    nearMiss: (vm) => (vm.guestDisks = [{ key: 2000, diskPath: '/boot', freeSpace: 50 * MiB }]),
  },
  {
    id: 'vmware.passthrough_device.detected',
    fires: (vm) => vm.devices.push({ kind: 'VirtualPCIPassthrough' }),
    nearMiss: (vm) => vm.devices.push({ kind: 'VirtualE1000e' }),
  },
  {
    id: 'vmware.changed_block_tracking.disabled',
    fires: (vm) => (vm.changeTrackingEnabled = false),
    nearMiss: (vm) => (vm.disks = [disk({ changeTrackingEnabled: undefined })]),
  },
  {
    id: 'vmware.changed_block_tracking.disk.disabled',
    fires: (vm) => (vm.disks = [disk({ changeTrackingEnabled: false })]),
    nearMiss: (vm) => (vm.disks = [disk({ changeTrackingEnabled: undefined })]),
  },
  {
    id: 'vmware.cpu_affinity.detected',
    fires: (vm) => (vm.cpuAffinity = [0, 1]),
    nearMiss: (vm) => (vm.cpuCount = 8),
  },
  {
    id: 'vmware.cpu_memory.hotplug.enabled',
    fires: (vm) => (vm.memoryHotAddEnabled = true),
    nearMiss: (vm) => (vm.nestedHVEnabled = true),
  },
  {
    id: 'vmware.device.sriov.detected',
    fires: (vm) => vm.devices.push({ kind: 'VirtualSriovEthernetCard' }),
    nearMiss: (vm) => vm.devices.push({ kind: 'VirtualVmxnet3' }),
  },
  {
    id: 'vmware.disk.count.exceeds.limit',
    fires: (vm) => (vm.disks = Array.from({ length: MaxDiskCount + 1 }, (_, i) => disk({ key: 2000 + i }))),
    nearMiss: (vm) => (vm.disks = Array.from({ length: MaxDiskCount }, (_, i) => disk({ key: 2000 + i }))),
  },
  {
    id: 'vmware.disk.rdm.detected',
    fires: (vm) => (vm.disks = [disk({ rdm: true, physicalMode: true })]),
    nearMiss: (vm) => (vm.disks = [disk({ rdm: false, physicalMode: false })]),
  },
  {
    id: 'vmware.disk.shared.detected',
    fires: (vm) => (vm.disks = [disk({ shared: true })]),
    nearMiss: (vm) => (vm.disks = [disk(), disk({ key: 2001, unitNumber: 1 })]),
  },
  {
    id: 'vmware.disk_mode.independent',
    fires: (vm) => (vm.disks = [disk({ mode: 'independent_nonpersistent' })]),
    nearMiss: (vm) => (vm.disks = [disk({ mode: 'nonpersistent' })]),
  },
  {
    id: 'vmware.guestDisks.btrfs.unsupported',
    fires: (vm) => (vm.guestDisks = [{ key: 2000, diskPath: '/', freeSpace: GiB, filesystemType: 'BTRFS' }]),
    nearMiss: (vm) =>
      (vm.guestDisks = [{ key: 2000, diskPath: '/', freeSpace: GiB, filesystemType: 'ext4' }]),
  },
  {
    id: 'vmware.host_affinity.detected',
    fires: (vm, env) =>
      ((env.clusters.get('domain-c1') as Cluster).hostAffinityVms = [{ kind: 'VM', id: vm.id }]),
    nearMiss: (_vm, env) =>
      ((env.clusters.get('domain-c1') as Cluster).hostAffinityVms = [{ kind: 'VM', id: 'vm-2' }]),
  },
  {
    id: 'vmware.hostname.default',
    fires: (vm) => (vm.hostName = 'localhost.localdomain'),
    nearMiss: (vm) => (vm.hostName = 'localhost.example.com'),
  },
  {
    id: 'vmware.hostname.empty',
    fires: (vm) => (vm.hostName = ''),
    nearMiss: (vm) => (vm.hostName = 'x'),
  },
  {
    id: 'vmware.numa_affinity.detected',
    fires: (vm) => (vm.numaNodeAffinity = ['0']),
    nearMiss: (vm) => (vm.cpuAffinity = []),
  },
  {
    id: 'vmware.os.unsupported',
    fires: (vm) => (vm.guestNameFromVmwareTools = 'VMware Photon OS (64-bit)'),
    nearMiss: (vm) => (vm.guestId = 'rhel7_64Guest'),
  },
  {
    id: 'vmware.tpm.detected',
    fires: (vm) => (vm.tpmEnabled = true),
    nearMiss: (vm) => (vm.secureBoot = true),
  },
  {
    id: 'vmware.usb_controller.detected',
    fires: (vm) => vm.devices.push({ kind: 'VirtualUSBController' }),
    nearMiss: (vm) => vm.devices.push({ kind: 'VirtualE1000' }),
  },
  {
    id: 'vmware.vm.name.invalid',
    fires: (vm) => (vm.name = 'Web_01'),
    nearMiss: (vm) => (vm.name = 'a'.repeat(63)),
  },
  {
    id: 'vmware.vm_missing_ip.detected',
    fires: (vm) => (vm.guestNetworks = []),
    nearMiss: (vm) => (vm.ipAddress = ''),
  },
  {
    id: 'vmware.consolidation_needed',
    fires: (vm) => (vm.consolidationNeeded = true),
    nearMiss: (vm) => (vm.snapshot = { ...NoRef }),
  },
  {
    id: 'vmware.disk_serial.truncated',
    fires: (vm) => (vm.diskEnableUuid = true),
    nearMiss: (vm) => {
      vm.diskEnableUuid = true;
      vm.disks = [disk({ bus: 'sata' })];
    },
  },
  {
    id: 'vmware.dpm.enabled',
    fires: (_vm, env) => ((env.clusters.get('domain-c1') as Cluster).dpmEnabled = true),
    nearMiss: (vm, env) => {
      (env.clusters.get('domain-c1') as Cluster).dpmEnabled = true;
      vm.cluster = 'domain-c404';
      vm.host = 'host-404';
    },
  },
  {
    id: 'vmware.drs.enabled',
    fires: (vm, env) => {
      // Found through the host when the VM does not name its cluster.
      vm.cluster = '';
      (env.clusters.get('domain-c1') as Cluster).drsEnabled = true;
    },
    nearMiss: (vm) => (vm.drsEnabled = true), // the cluster, when known, decides
  },
  {
    id: 'vmware.fault_tolerance.enabled',
    fires: (vm) => (vm.faultToleranceEnabled = true),
    nearMiss: (vm) => (vm.cpuHotRemoveEnabled = false),
  },
  {
    id: 'vmware.guestDisks.key.not_found',
    fires: (vm) => {
      vm.guestId = 'windows2019srv_64Guest';
      vm.guestDisks = [{ key: 0, diskPath: 'C:\\', freeSpace: 10 * GiB }];
    },
    nearMiss: (vm) => (vm.guestDisks = [{ key: 0, diskPath: '/', freeSpace: 10 * GiB }]),
  },
  {
    id: 'vmware.snapshot.detected',
    fires: (vm) => (vm.snapshot = { kind: 'VirtualMachineSnapshot', id: 'snapshot-7' }),
    nearMiss: (vm) => (vm.snapshot = { kind: '', id: '' }),
  },
];

describe('validateVM', () => {
  it('finds nothing on a clean VM', () => {
    expect(validateVM(cleanVM(), contextOf(cleanEnv()))).toEqual([]);
  });

  it('has a case for every rule, and every case names a rule', () => {
    expect(cases.map((c) => c.id).sort()).toEqual(ConcernRules.map((r) => r.id).sort());
  });

  describe.each(cases)('$id', ({ id, fires, nearMiss }) => {
    it('fires, alone', () => {
      const vm = cleanVM();
      const env = cleanEnv();
      fires(vm, env);
      expect(new Set(idsFor(vm, env))).toEqual(new Set([id]));
    });

    it('does not fire on the near miss', () => {
      const vm = cleanVM();
      const env = cleanEnv();
      nearMiss(vm, env);
      expect(idsFor(vm, env)).toEqual([]);
    });
  });

  it('reports with the rule category, and in table order', () => {
    const vm = cleanVM();
    vm.tpmEnabled = true;
    vm.snapshot = { kind: 'VirtualMachineSnapshot', id: 'snapshot-1' };
    vm.disks = [disk({ datastore: { ...NoRef } })];
    const found = validateVM(vm, contextOf(cleanEnv()));
    expect(found.map((c) => [c.id, c.category])).toEqual([
      ['vmware.datastore.missing', 'Critical'],
      ['vmware.tpm.detected', 'Warning'],
      ['vmware.snapshot.detected', 'Information'],
    ]);
  });

  it('orders the table Critical, Warning, Information, each by id', () => {
    const rank = { Critical: 0, Warning: 1, Information: 2 };
    const keys = ConcernRules.map((r) => `${rank[r.category]} ${r.id}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('names each offending disk with Forklift texts', () => {
    const vm = cleanVM();
    vm.disks = [
      disk({
        file: '[ds1] a.vmdk',
        capacity: 0,
        changeTrackingEnabled: false,
        controllerKey: 1001,
        unitNumber: 3,
      }),
      disk({ key: 2001, file: '[ds1] b.vmdk', capacity: -1 }),
    ];
    const found = validateVM(vm, contextOf(cleanEnv()));
    expect(found.filter((c) => c.id === 'vmware.disk.capacity.invalid').map((c) => c.label)).toEqual([
      "Disk '[ds1] a.vmdk' has an invalid capacity of 0 bytes",
      "Disk '[ds1] b.vmdk' has an invalid capacity of -1 bytes",
    ]);
    expect(found.find((c) => c.id === 'vmware.changed_block_tracking.disk.disabled')?.label).toBe(
      'Disk - scsi1:3 does not have CBT enabled',
    );
  });

  it('states free and required space of a filesystem in MB', () => {
    const vm = cleanVM();
    vm.guestDisks = [
      { key: 2000, diskPath: '/', freeSpace: 30 * MiB },
      { key: 2000, diskPath: 'C:\\', freeSpace: 99 * MiB },
      { key: 2000, diskPath: '/data', freeSpace: 10 * MiB },
    ];
    const found = validateVM(vm, contextOf(cleanEnv())).filter((c) => c.id === 'vmware.guestDisks.freespace');
    expect(found.map((c) => c.label)).toEqual([
      "Insufficient free space for conversion on '/'",
      "Insufficient free space for conversion on 'C:\\'",
    ]);
    expect(found[0]?.assessment).toContain(
      "'/' has 30 MB of free space, but a minimum of 100 MB is required",
    );
  });

  it('flags a disk whose datastore id is empty', () => {
    const vm = cleanVM();
    vm.disks = [disk({ datastore: { ...NoRef } })];
    expect(idsFor(vm)).toEqual(['vmware.datastore.missing']);
  });
});

describe('withConcerns', () => {
  it('sets concerns and the rules version, leaving the input alone', () => {
    const vm = cleanVM();
    vm.tpmEnabled = true;
    const out = withConcerns(vm, contextOf(cleanEnv()));
    expect(out.concerns.map((c) => c.id)).toEqual(['vmware.tpm.detected']);
    expect(out.policyVersion).toBe(RulesVersion);
    expect(vm.concerns).toEqual([]);
  });
});

describe('contextFromLookup', () => {
  it('looks objects up by kind and id', () => {
    const env = cleanEnv();
    const seen: string[] = [];
    const ctx = contextFromLookup((kind, id) => {
      seen.push(`${kind}/${id}`);
      return kind === 'Datastore' ? env.datastores.get(id) : undefined;
    });
    expect(ctx.datastore('datastore-1')?.name).toBe('ds1');
    expect(ctx.cluster('domain-c1')).toBeUndefined();
    expect(seen).toEqual(['Datastore/datastore-1', 'Cluster/domain-c1']);
  });
});

describe('as the inventory database validator', () => {
  it('validates VMs against the datastores of the same inventory', () => {
    const db = InventoryDb.open<VsphereModel>(':memory:');
    try {
      db.setValidator('VM', (vm, reader) =>
        withConcerns(
          vm,
          contextFromLookup((kind, id) => reader.get(kind, id)),
        ),
      );
      const env = cleanEnv();
      db.apply({
        upserts: [
          { kind: 'Datastore', object: env.datastores.get('datastore-1') as Datastore },
          { kind: 'Host', object: env.hosts.get('host-1') as Host },
          { kind: 'Cluster', object: env.clusters.get('domain-c1') as Cluster },
          { kind: 'VM', object: cleanVM() },
        ],
      });
      expect(db.get('VM', 'vm-1')).toMatchObject({
        concerns: [],
        policyVersion: RulesVersion,
        revisionValidated: 1,
      });
      db.apply({ deletes: [{ kind: 'Datastore', id: 'datastore-1' }] });
      db.revalidate('VM');
      expect(db.get('VM', 'vm-1')?.concerns.map((c) => c.id)).toEqual(['vmware.datastore.missing']);
    } finally {
      db.close();
    }
  });
});

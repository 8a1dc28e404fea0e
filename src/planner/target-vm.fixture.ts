/**
 * Plain-data fixtures for the planner's tests: a vSphere inventory VM, its disks and NICs, and a
 * plan. Test support only (not exported from the planner's index).
 */
import type { Plan, PlanSpec } from '../api/index.js';
import type { Disk, NIC, VM } from '../providers/vsphere/model.js';

/** 1 GiB in bytes. */
export const GiB = 1024 ** 3;

/** A SCSI disk on controller 1000 (overridable). */
export function sourceDisk(over: Partial<Disk> = {}): Disk {
  const unit = over.unitNumber ?? 0;
  return {
    key: 2000 + unit,
    unitNumber: unit,
    controllerKey: 1000,
    file: `[ds1] web-1/web-1${unit ? `_${unit}` : ''}.vmdk`,
    datastore: { kind: 'Datastore', id: 'datastore-1' },
    capacity: 20 * GiB,
    shared: false,
    rdm: false,
    bus: 'scsi',
    mode: 'persistent',
    serial: `6000C29${unit}-aaaa-bbbb-cccc-dddddddddddd`,
    ...over,
  };
}

/** A NIC on `network-1` (overridable). */
export function sourceNic(over: Partial<NIC> = {}): NIC {
  return {
    network: { kind: 'Network', id: 'network-1' },
    mac: '00:50:56:00:00:01',
    order: 0,
    deviceKey: 4000,
    startConnected: true,
    ...over,
  };
}

/** A powered-on BIOS VM `web-1` with one disk and one NIC (overridable). */
export function sourceVm(over: Partial<VM> = {}): VM {
  return {
    id: 'vm-1',
    parent: { kind: 'Folder', id: 'group-v3' },
    path: '/DC1/vm/web-1',
    revision: 3,
    name: 'web-1',
    revisionValidated: 3,
    policyVersion: 5,
    isTemplate: false,
    powerState: 'poweredOn',
    connectionState: 'connected',
    host: 'host-1',
    cluster: 'domain-c1',
    datacenter: 'datacenter-1',
    networks: [{ kind: 'Network', id: 'network-1' }],
    disks: [sourceDisk()],
    concerns: [],
    uuid: '42301234-0000-0000-0000-000000000001',
    instanceUuid: '50301234-0000-0000-0000-000000000001',
    firmware: 'bios',
    secureBoot: false,
    tpmEnabled: false,
    cpuCount: 4,
    coresPerSocket: 2,
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
    snapshot: { kind: '', id: '' },
    consolidationNeeded: false,
    storageUsed: 8 * GiB,
    diskEnableUuid: true,
    nics: [sourceNic()],
    devices: [{ kind: 'VirtualVmxnet3' }],
    guestNetworks: [],
    guestIpStacks: [],
    guestDisks: [],
    ...over,
  };
}

/** A plan `plan1` in `mtv` migrating `vm-1` into `apps` (spec overridable). */
export function samplePlan(spec: Partial<PlanSpec> = {}): Pick<Plan, 'metadata' | 'spec'> {
  return {
    metadata: { name: 'plan1', namespace: 'mtv', uid: '11111111-2222-3333-4444-555555555555' },
    spec: {
      provider: {
        source: { name: 'vcenter', namespace: 'mtv' },
        destination: { name: 'host', namespace: 'mtv' },
      },
      map: {
        network: { name: 'net-map', namespace: 'mtv' },
        storage: { name: 'storage-map', namespace: 'mtv' },
      },
      targetNamespace: 'apps',
      vms: [{ id: 'vm-1' }],
      ...spec,
    },
  };
}

/**
 * Maps the raw properties the collector retrieves (per managed object) to mtv's vSphere inventory
 * model (Forklift's JSON names). Pure functions over a {@link RawInventory}: the collector keeps
 * the raw properties of every object and re-maps what an update touched.
 *
 * @see https://github.com/kubev2v/forklift/tree/main/pkg/controller/provider/container/vsphere
 */
import type { PropertySpec } from './property-collector.js';
import {
  asArray,
  asBoolean,
  asNumber,
  asString,
  isMoRef,
  isVimObject,
  type MoRef,
  type VimObject,
  type VimValue,
} from './values.js';
import {
  NoRef,
  type Cluster,
  type Datacenter,
  type Datastore,
  type Device,
  type Disk,
  type Folder,
  type GuestDisk,
  type GuestNetwork,
  type Host,
  type NIC,
  type Network,
  type Ref,
  type ResourcePool,
  type VM,
} from './model.js';

/** One managed object's type and its retrieved properties. */
export interface RawObject {
  type: string;
  props: Record<string, VimValue>;
}

/** Raw objects by moRef value. */
export type RawInventory = ReadonlyMap<string, RawObject>;

/** A mapped object, as the inventory database stores it. */
export type MappedObject =
  | { kind: 'VM'; object: VM }
  | { kind: 'Host'; object: Host }
  | { kind: 'Cluster'; object: Cluster }
  | { kind: 'Datacenter'; object: Datacenter }
  | { kind: 'Datastore'; object: Datastore }
  | { kind: 'Network'; object: Network }
  | { kind: 'Folder'; object: Folder }
  | { kind: 'ResourcePool'; object: ResourcePool };

const common = ['name', 'parent'];

/** The properties retrieved per type (one PropertyCollector filter over the whole tree). */
export const PropertySet: readonly PropertySpec[] = [
  { type: 'Folder', pathSet: [...common, 'childEntity'] },
  { type: 'Datacenter', pathSet: [...common, 'vmFolder', 'hostFolder', 'datastoreFolder', 'networkFolder'] },
  {
    type: 'ClusterComputeResource',
    pathSet: [
      ...common,
      'host',
      'network',
      'datastore',
      'configuration.dasConfig.enabled',
      'configuration.drsConfig',
    ],
  },
  { type: 'ComputeResource', pathSet: [...common, 'host', 'network', 'datastore'] },
  {
    type: 'HostSystem',
    pathSet: [
      ...common,
      'overallStatus',
      'runtime.inMaintenanceMode',
      'summary.config.sslThumbprint',
      'summary.hardware.numCpuPkgs',
      'summary.hardware.numCpuCores',
      'config.product',
      'config.network.vnic',
      'config.network.pnic',
      'config.network.portgroup',
      'network',
      'datastore',
    ],
  },
  {
    type: 'Datastore',
    pathSet: [...common, 'summary.type', 'summary.capacity', 'summary.freeSpace', 'summary.maintenanceMode'],
  },
  { type: 'Network', pathSet: [...common] },
  {
    type: 'DistributedVirtualPortgroup',
    pathSet: [...common, 'key', 'config.distributedVirtualSwitch', 'config.defaultPortConfig'],
  },
  { type: 'DistributedVirtualSwitch', pathSet: [...common, 'uuid'] },
  { type: 'OpaqueNetwork', pathSet: [...common, 'summary'] },
  { type: 'ResourcePool', pathSet: [...common] },
  { type: 'VirtualApp', pathSet: [...common] },
  {
    type: 'VirtualMachine',
    pathSet: [
      ...common,
      'config.uuid',
      'config.instanceUuid',
      'config.firmware',
      'config.bootOptions',
      'config.template',
      'config.hardware.numCPU',
      'config.hardware.numCoresPerSocket',
      'config.hardware.memoryMB',
      'config.hardware.device',
      'config.cpuAffinity',
      'config.cpuHotAddEnabled',
      'config.cpuHotRemoveEnabled',
      'config.memoryHotAddEnabled',
      'config.ftInfo',
      'config.nestedHVEnabled',
      'config.extraConfig',
      'config.changeTrackingEnabled',
      'config.guestId',
      'config.guestFullName',
      'runtime.powerState',
      'runtime.connectionState',
      'runtime.host',
      'runtime.consolidationNeeded',
      'guest.hostName',
      'guest.ipAddress',
      'guest.guestId',
      'guest.guestFullName',
      'guest.toolsStatus',
      'guest.toolsRunningStatus',
      'guest.toolsVersionStatus2',
      'guest.net',
      'guest.disk',
      'summary.storage.committed',
      'summary.quickStats.balloonedMemory',
      'snapshot',
      'network',
    ],
  },
];

/** Inventory kind of a managed object type, or undefined for types the inventory skips. */
export function kindOfType(type: string): MappedObject['kind'] | undefined {
  switch (type) {
    case 'Folder':
      return 'Folder';
    case 'Datacenter':
      return 'Datacenter';
    case 'ClusterComputeResource':
    case 'ComputeResource':
      return 'Cluster';
    case 'HostSystem':
      return 'Host';
    case 'Datastore':
      return 'Datastore';
    case 'Network':
    case 'DistributedVirtualPortgroup':
    case 'DistributedVirtualSwitch':
    case 'VmwareDistributedVirtualSwitch':
    case 'OpaqueNetwork':
      return 'Network';
    case 'ResourcePool':
    case 'VirtualApp':
      return 'ResourcePool';
    case 'VirtualMachine':
      return 'VM';
    default:
      return undefined;
  }
}

const str = (v: VimValue | undefined): string => asString(v) ?? '';
const num = (v: VimValue | undefined): number => asNumber(v) ?? 0;
const bool = (v: VimValue | undefined): boolean => asBoolean(v) ?? false;
const obj = (v: VimValue | undefined): VimObject => (isVimObject(v) ? v : {});
const moref = (v: VimValue | undefined): MoRef | undefined => (isMoRef(v) ? v : undefined);

/** A reference to another object of the inventory, by its moRef. */
function refTo(v: VimValue | undefined): Ref {
  const m = moref(v);
  const kind = m ? kindOfType(m.type) : undefined;
  return m && kind ? { kind, id: m.value } : { ...NoRef };
}

const refs = (v: VimValue | undefined): Ref[] =>
  asArray(v)
    .map(refTo)
    .filter((r) => r.id !== '');

/** Derived facts the mapping of one object needs from the others. */
export class InventoryIndex {
  private readonly raw: RawInventory;
  constructor(raw: RawInventory) {
    this.raw = raw;
  }

  /** The object's name (vSphere escapes `%`, `/` and `\` in names as `%25`, `%2f`, `%5c`). */
  name(id: string): string {
    const n = str(this.raw.get(id)?.props.name);
    try {
      return decodeURIComponent(n);
    } catch {
      return n;
    }
  }

  /** Ids from the object up to (excluding) the root folder. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    let cur: string | undefined = id;
    const seen = new Set<string>();
    while (cur && !seen.has(cur)) {
      seen.add(cur);
      const o = this.raw.get(cur);
      if (!o) break;
      const parent = moref(o.props.parent);
      if (!parent) break; // the root folder has no parent and no path segment
      out.push(cur);
      cur = parent.value;
    }
    return out.reverse();
  }

  /** Inventory path: `/DC0/vm/folder/vm1`. */
  path(id: string): string {
    return `/${this.ancestors(id)
      .map((a) => this.name(a))
      .join('/')}`;
  }

  /** The nearest ancestor of a type. */
  ancestorOfType(id: string, types: readonly string[]): string {
    for (const a of this.ancestors(id).reverse()) if (types.includes(this.raw.get(a)?.type ?? '')) return a;
    return '';
  }

  type(id: string): string {
    return this.raw.get(id)?.type ?? '';
  }
}

/** Maps one raw object; undefined for types the inventory skips. */
export function mapObject(id: string, raw: RawObject, index: InventoryIndex): MappedObject | undefined {
  const kind = kindOfType(raw.type);
  if (!kind) return undefined;
  const p = raw.props;
  const base = { id, name: index.name(id), parent: refTo(p.parent), path: index.path(id), revision: 0 };
  switch (kind) {
    case 'VM':
      return { kind, object: mapVm(base, p, index) };
    case 'Host':
      return { kind, object: mapHost(base, p) };
    case 'Cluster': {
      const drs = obj(p['configuration.drsConfig']);
      return {
        kind,
        object: {
          ...base,
          ...(raw.type === 'ComputeResource' ? { variant: 'ComputeResource' } : {}),
          datacenter: index.ancestorOfType(id, ['Datacenter']),
          hosts: refs(p.host),
          networks: refs(p.network),
          datastores: refs(p.datastore),
          dasEnabled: bool(p['configuration.dasConfig.enabled']),
          dasVms: [],
          drsEnabled: bool(drs.enabled),
          drsBehavior: str(drs.defaultVmBehavior),
          drsVms: [],
        },
      };
    }
    case 'Datacenter':
      return {
        kind,
        object: {
          ...base,
          clusters: refTo(p.hostFolder),
          networks: refTo(p.networkFolder),
          datastores: refTo(p.datastoreFolder),
          vms: refTo(p.vmFolder),
        },
      };
    case 'Datastore':
      return {
        kind,
        object: {
          ...base,
          type: str(p['summary.type']),
          capacity: num(p['summary.capacity']),
          free: num(p['summary.freeSpace']),
          maintenance: str(p['summary.maintenanceMode']),
          backingDevicesNames: [],
        },
      };
    case 'Network':
      return { kind, object: mapNetwork(base, raw) };
    case 'Folder':
      return {
        kind,
        object: {
          ...base,
          folder: '',
          datacenter: index.ancestorOfType(id, ['Datacenter']),
          children: refs(p.childEntity),
        },
      };
    case 'ResourcePool':
      return { kind, object: base };
  }
}

type Base = { id: string; name: string; parent: Ref; path: string; revision: number };

function mapNetwork(base: Base, raw: RawObject): Network {
  const p = raw.props;
  switch (raw.type) {
    case 'DistributedVirtualPortgroup': {
      const vlan = obj(obj(p['config.defaultPortConfig']).vlan);
      const vlanId = vlan.vlanId;
      return {
        ...base,
        variant: 'DvPortGroup',
        key: str(p.key),
        dvSwitch: refTo(p['config.distributedVirtualSwitch']),
        vlanId: typeof vlanId === 'number' || typeof vlanId === 'string' ? String(vlanId) : '',
      };
    }
    case 'DistributedVirtualSwitch':
    case 'VmwareDistributedVirtualSwitch':
      return { ...base, variant: 'DvSwitch', vlanId: '', host: [] };
    case 'OpaqueNetwork':
      return { ...base, variant: 'OpaqueNetwork', vlanId: '', key: str(obj(p.summary).opaqueNetworkId) };
    default:
      return { ...base, variant: 'Standard', vlanId: '' };
  }
}

function mapHost(base: Base, p: Record<string, VimValue>): Host {
  const product = obj(p['config.product']);
  const vnics = asArray(p['config.network.vnic']).map((n) => {
    const o = obj(n);
    const spec = obj(o.spec);
    const ip = obj(spec.ip);
    return {
      key: str(o.key),
      device: str(o.device),
      portGroup: str(o.portgroup),
      dPortGroup: str(obj(spec.distributedVirtualPort).portgroupKey),
      ipAddress: str(ip.ipAddress),
      subnetMask: str(ip.subnetMask),
      mtu: num(spec.mtu),
    };
  });
  return {
    ...base,
    cluster: refTo(p.parent).id,
    status: str(p.overallStatus),
    inMaintenance: bool(p['runtime.inMaintenanceMode']),
    managementServerIp: '',
    thumbprint: str(p['summary.config.sslThumbprint']),
    timezone: '',
    cpuSockets: num(p['summary.hardware.numCpuPkgs']),
    cpuCores: num(p['summary.hardware.numCpuCores']),
    productName: str(product.name),
    productVersion: str(product.version),
    networking: {
      pNICs: asArray(p['config.network.pnic']).map((n) => {
        const o = obj(n);
        return { key: str(o.key), linkSpeed: num(obj(o.linkSpeed).speedMb) };
      }),
      vNICs: vnics,
      portGroups: asArray(p['config.network.portgroup']).map((g) => {
        const spec = obj(obj(g).spec);
        return {
          key: str(obj(g).key),
          name: str(spec.name),
          vSwitch: str(spec.vswitchName),
          vlanId: num(spec.vlanId),
        };
      }),
      switches: [],
    },
    networks: refs(p.network),
    datastores: refs(p.datastore),
    hostScsiDisks: [],
    advancedOptions: [],
    // The VMkernel adapters by port group, as kubectl-mtv's --network-adapter names them.
    networkAdapters: vnics.map((v) => ({
      name: v.portGroup || v.device,
      ipAddress: v.ipAddress,
      subnetMask: v.subnetMask,
      linkSpeed: 0,
      mtu: v.mtu,
    })),
  };
}

/** `config.extraConfig` as a map. */
function extraConfig(v: VimValue | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of asArray(v)) {
    const e = obj(o);
    m.set(str(e.key), str(e.value));
  }
  return m;
}

const busOf: Record<string, Disk['bus']> = {
  ParaVirtualSCSIController: 'scsi',
  VirtualLsiLogicController: 'scsi',
  VirtualLsiLogicSASController: 'scsi',
  VirtualBusLogicController: 'scsi',
  VirtualAHCIController: 'sata',
  VirtualIDEController: 'ide',
  VirtualNVMEController: 'nvme',
};

const nicTypes = new Set([
  'VirtualE1000',
  'VirtualE1000e',
  'VirtualVmxnet',
  'VirtualVmxnet2',
  'VirtualVmxnet3',
  'VirtualVmxnet3Vrdma',
  'VirtualPCNet32',
  'VirtualSriovEthernetCard',
]);
const recordedDevices = new Set([
  ...nicTypes,
  'VirtualPCIPassthrough',
  'VirtualSCSIPassthrough',
  'VirtualUSBController',
  'VirtualUSBXHCIController',
]);

function mapDevices(
  devices: readonly VimValue[],
  extra: Map<string, string>,
  net: readonly VimValue[],
): { disks: Disk[]; nics: NIC[]; devices: Device[] } {
  const controllers = new Map<number, Disk['bus']>();
  for (const d of devices) {
    const o = obj(d);
    const bus = busOf[o._type ?? ''];
    if (bus) controllers.set(num(o.key), bus);
  }
  const disks: Disk[] = [];
  const nics: NIC[] = [];
  const out: Device[] = [];
  const macOrder = new Map(asArray(net).map((n, i) => [str(obj(n).macAddress).toLowerCase(), i]));
  for (const d of devices) {
    const o = obj(d);
    const type = o._type ?? '';
    if (recordedDevices.has(type))
      out.push({ kind: type === 'VirtualUSBXHCIController' ? 'VirtualUSBController' : type });
    if (type === 'VirtualDisk') disks.push(mapDisk(o, controllers, extra));
    if (nicTypes.has(type)) {
      const backing = obj(o.backing);
      const network = backing.network
        ? refTo(backing.network)
        : backing.port
          ? { kind: 'Network', id: str(obj(backing.port).portgroupKey) }
          : backing.opaqueNetworkId
            ? { kind: 'Network', id: str(backing.opaqueNetworkId) }
            : { ...NoRef };
      const mac = str(o.macAddress).toLowerCase();
      nics.push({
        network,
        mac,
        order: macOrder.get(mac) ?? nics.length,
        deviceKey: num(o.key),
        startConnected: bool(obj(o.connectable).startConnected),
      });
    }
  }
  return { disks, nics, devices: out };
}

function mapDisk(o: VimObject, controllers: Map<number, Disk['bus']>, extra: Map<string, string>): Disk {
  const backing = obj(o.backing);
  const controllerKey = num(o.controllerKey);
  const unitNumber = num(o.unitNumber);
  const bus = controllers.get(controllerKey) ?? '';
  const rdm = (backing._type ?? '').startsWith('VirtualDiskRawDiskMapping');
  const sharing = str(backing.sharing);
  const ctk = extra.get(`${bus}${String(controllerKey % 100)}:${String(unitNumber)}.ctkEnabled`);
  const parent = obj(backing.parent);
  return {
    key: num(o.key),
    unitNumber,
    controllerKey,
    file: str(backing.fileName),
    datastore: refTo(backing.datastore),
    capacity: num(o.capacityInBytes) || num(o.capacityInKB) * 1024,
    shared: sharing !== '' && sharing !== 'sharingNone',
    rdm,
    ...(rdm ? { physicalMode: str(backing.compatibilityMode) === 'physicalMode' } : {}),
    bus,
    mode: str(backing.diskMode),
    serial: str(backing.uuid),
    ...(ctk !== undefined ? { changeTrackingEnabled: ctk.toLowerCase() === 'true' } : {}),
    ...(parent.fileName ? { parent: str(parent.fileName) } : {}),
  };
}

function mapGuestNetworks(net: readonly VimValue[]): GuestNetwork[] {
  const out: GuestNetwork[] = [];
  net.forEach((n, i) => {
    const o = obj(n);
    const dns = asArray(obj(o.dnsConfig).ipAddress).map(str);
    for (const a of asArray(obj(o.ipConfig).ipAddress)) {
      const ip = obj(a);
      out.push({
        device: String(i),
        deviceConfigId: num(o.deviceConfigId),
        mac: str(o.macAddress).toLowerCase(),
        ip: str(ip.ipAddress),
        origin: str(ip.origin),
        prefix: num(ip.prefixLength),
        dns,
        network: str(o.network),
      });
    }
  });
  return out;
}

function mapGuestDisks(disks: readonly VimValue[]): GuestDisk[] {
  return disks.map((d) => {
    const o = obj(d);
    const mapping = obj(asArray(o.mappings)[0]);
    return {
      key: num(mapping.key),
      diskPath: str(o.diskPath),
      capacity: num(o.capacity),
      freeSpace: num(o.freeSpace),
      filesystemType: str(o.filesystemType),
    };
  });
}

function mapVm(base: Base, p: Record<string, VimValue>, index: InventoryIndex): VM {
  const extra = extraConfig(p['config.extraConfig']);
  const net = asArray(p['guest.net']);
  const { disks, nics, devices } = mapDevices(asArray(p['config.hardware.device']), extra, net);
  const host = refTo(p['runtime.host']).id;
  const clusterId = host ? index.ancestorOfType(host, ['ClusterComputeResource', 'ComputeResource']) : '';
  const ctkExtra = extra.get('ctkEnabled');
  const boot = obj(p['config.bootOptions']);
  const snapshot = obj(p.snapshot);
  const numa = extra.get('numa.nodeAffinity');
  return {
    ...base,
    revisionValidated: 0,
    policyVersion: 0,
    isTemplate: bool(p['config.template']),
    powerState: (str(p['runtime.powerState']) || 'poweredOff') as VM['powerState'],
    connectionState: str(p['runtime.connectionState']),
    host,
    cluster: clusterId,
    datacenter: index.ancestorOfType(base.id, ['Datacenter']),
    networks: refs(p.network),
    disks,
    concerns: [],
    uuid: str(p['config.uuid']),
    instanceUuid: str(p['config.instanceUuid']),
    firmware: (str(p['config.firmware']) || 'bios') as VM['firmware'],
    secureBoot: bool(boot.efiSecureBootEnabled),
    tpmEnabled: asArray(p['config.hardware.device']).some((d) => obj(d)._type === 'VirtualTPM'),
    cpuCount: num(p['config.hardware.numCPU']),
    coresPerSocket: num(p['config.hardware.numCoresPerSocket']),
    memoryMB: num(p['config.hardware.memoryMB']),
    cpuAffinity: asArray(obj(p['config.cpuAffinity']).affinitySet).map(num),
    cpuHotAddEnabled: bool(p['config.cpuHotAddEnabled']),
    cpuHotRemoveEnabled: bool(p['config.cpuHotRemoveEnabled']),
    memoryHotAddEnabled: bool(p['config.memoryHotAddEnabled']),
    faultToleranceEnabled: p['config.ftInfo'] !== undefined,
    numaNodeAffinity: numa
      ? numa
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
    nestedHVEnabled: bool(p['config.nestedHVEnabled']),
    drsEnabled: false,
    guestName: str(p['config.guestFullName']),
    guestNameFromVmwareTools: str(p['guest.guestFullName']),
    guestId: str(p['guest.guestId']) || str(p['config.guestId']),
    hostName: str(p['guest.hostName']),
    ipAddress: str(p['guest.ipAddress']),
    toolsStatus: str(p['guest.toolsStatus']),
    toolsRunningStatus: str(p['guest.toolsRunningStatus']),
    toolsVersionStatus2: str(p['guest.toolsVersionStatus2']),
    balloonedMemory: num(p['summary.quickStats.balloonedMemory']),
    changeTrackingEnabled:
      ctkExtra !== undefined ? ctkExtra.toLowerCase() === 'true' : bool(p['config.changeTrackingEnabled']),
    snapshot: moref(snapshot.currentSnapshot)
      ? { kind: 'VirtualMachineSnapshot', id: moref(snapshot.currentSnapshot)?.value ?? '' }
      : { ...NoRef },
    consolidationNeeded: bool(p['runtime.consolidationNeeded']),
    storageUsed: num(p['summary.storage.committed']),
    diskEnableUuid: (extra.get('disk.EnableUUID') ?? '').toLowerCase() === 'true',
    nics,
    devices,
    guestNetworks: mapGuestNetworks(net),
    guestIpStacks: [],
    guestDisks: mapGuestDisks(asArray(p['guest.disk'])),
  };
}

/**
 * The vSphere inventory model: the documents the vSphere collector stores in a provider's
 * inventory database and the inventory server returns, with Forklift's JSON field names.
 *
 * Every type mirrors what Forklift's REST API returns for the kind
 * (`pkg/controller/provider/web/vsphere/*.go`), minus `selfLink`, which the server adds. Fields
 * Forklift does not have are marked **mtv** in their documentation. Each field names the vSphere
 * property the collector derives it from (as Forklift's collector does, in
 * `pkg/controller/provider/container/vsphere/model.go`).
 *
 * Conventions: sizes are bytes unless the name says otherwise (`memoryMB` is MiB); a reference is
 * `{kind, id}` where `id` is the vSphere managed object reference value (moRef, e.g. `vm-42`);
 * lists are always arrays, never `null` (Forklift's Go server sends `null` for empty lists).
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/provider/model/vsphere/model.go
 * @see https://github.com/kubev2v/forklift/tree/main/pkg/controller/provider/web/vsphere
 */

/** Kinds of the vSphere inventory (Forklift's model type names, used in {@link Ref.kind}). */
export const VsphereKind = {
  Folder: 'Folder',
  Datacenter: 'Datacenter',
  Cluster: 'Cluster',
  Host: 'Host',
  Network: 'Network',
  Datastore: 'Datastore',
  VM: 'VM',
  ResourcePool: 'ResourcePool',
} as const;
/** One of {@link VsphereKind}'s values. */
export type VsphereKind = (typeof VsphereKind)[keyof typeof VsphereKind];

/**
 * A reference to another inventory object: Forklift's `model.Ref`.
 *
 * `kind` is a {@link VsphereKind} for objects of the inventory; other managed objects keep their
 * vSphere type (`VirtualMachineSnapshot`). An empty reference `{kind: '', id: ''}` means "none"
 * (see {@link NoRef}), as Forklift serves it.
 */
export interface Ref {
  /** {@link VsphereKind}, or the vSphere type of a managed object outside the inventory. */
  kind: string;
  /** moRef value, e.g. `datastore-12`. */
  id: string;
}

/** The empty reference Forklift serves for "none" (e.g. a VM without snapshot). */
export const NoRef: Readonly<Ref> = Object.freeze({ kind: '', id: '' });

/** True when `ref` designates an object (its id is not empty). */
export function hasRef(ref: Ref | null | undefined): ref is Ref {
  return ref !== null && ref !== undefined && ref.id !== '';
}

/**
 * Fields every inventory object has: Forklift's REST `Resource` (what `detail=0` returns, with
 * `selfLink`, which the server adds).
 */
export interface Resource {
  /** moRef value, e.g. `vm-42`, `host-10`, `datastore-12`. */
  id: string;
  /**
   * Sub-type: for networks `Standard`, `DvPortGroup`, `OpaqueNetwork`, `DvSwitch`; for clusters
   * `ComputeResource` (a standalone host's compute resource). Omitted otherwise.
   */
  variant?: string;
  /** The containing object (`parent` property): a folder, datacenter, cluster, resource pool. */
  parent: Ref;
  /**
   * Inventory path built from names, e.g. `/DC1/vm/prod/web-1`, `/DC1/host/cluster1/esx1`,
   * `/DC1/network/VM Network`, `/DC1/datastore/ds1`.
   */
  path: string;
  /** Inventory revision of the last change to this object (set by the inventory database). */
  revision: number;
  /** Object name (`name`, URL-decoded). */
  name: string;
}

/** A validation finding on a VM: Forklift's `model.Concern`. */
export interface Concern {
  /** Stable id, e.g. `vmware.datastore.missing`. */
  id: string;
  /** One-line summary. */
  label: string;
  /** `Critical` blocks migration; `Warning` and `Information` do not. */
  category: ConcernCategory;
  /** What it means and what to do. */
  assessment: string;
}

/** Concern categories, from most to least severe. */
export const ConcernCategory = {
  Critical: 'Critical',
  Warning: 'Warning',
  Information: 'Information',
} as const;
/** One of {@link ConcernCategory}'s values. */
export type ConcernCategory = (typeof ConcernCategory)[keyof typeof ConcernCategory];

/** VM firmware (`config.firmware`). */
export const Firmware = { Bios: 'bios', Efi: 'efi' } as const;
/** One of {@link Firmware}'s values. */
export type Firmware = (typeof Firmware)[keyof typeof Firmware];

/** VM power states (`runtime.powerState`). */
export const PowerState = {
  PoweredOn: 'poweredOn',
  PoweredOff: 'poweredOff',
  Suspended: 'suspended',
} as const;
/** One of {@link PowerState}'s values. */
export type PowerState = (typeof PowerState)[keyof typeof PowerState];

/** Disk buses, from the disk's controller; empty when the controller is unknown. */
export const DiskBus = { Scsi: 'scsi', Sata: 'sata', Ide: 'ide', Nvme: 'nvme' } as const;
/** One of {@link DiskBus}'s values. */
export type DiskBus = (typeof DiskBus)[keyof typeof DiskBus];

/** Disk modes (`backing.diskMode`). */
export const DiskMode = {
  Persistent: 'persistent',
  Nonpersistent: 'nonpersistent',
  Undoable: 'undoable',
  IndependentPersistent: 'independent_persistent',
  IndependentNonpersistent: 'independent_nonpersistent',
  Append: 'append',
} as const;
/** One of {@link DiskMode}'s values. */
export type DiskMode = (typeof DiskMode)[keyof typeof DiskMode];

/**
 * Device kinds Forklift records in {@link VM.devices}: the vSphere device type names of
 * passthrough, SR-IOV and USB devices, and of every network card.
 */
export const DeviceKind = {
  SriovEthernetCard: 'VirtualSriovEthernetCard',
  PCIPassthrough: 'VirtualPCIPassthrough',
  SCSIPassthrough: 'VirtualSCSIPassthrough',
  USBController: 'VirtualUSBController',
  E1000: 'VirtualE1000',
  E1000e: 'VirtualE1000e',
  Vmxnet: 'VirtualVmxnet',
  Vmxnet2: 'VirtualVmxnet2',
  Vmxnet3: 'VirtualVmxnet3',
  PCNet32: 'VirtualPCNet32',
} as const;
/** One of {@link DeviceKind}'s values. */
export type DeviceKind = (typeof DeviceKind)[keyof typeof DeviceKind];

/** A virtual disk: one `VirtualDisk` of `config.hardware.device`. */
export interface Disk {
  /** Device key (`key`), e.g. 2000. */
  key: number;
  /** Unit on its controller (`unitNumber`). */
  unitNumber: number;
  /** Key of its controller (`controllerKey`), e.g. 1000. */
  controllerKey: number;
  /** Backing file (`backing.fileName`), e.g. `[ds1] web-1/web-1.vmdk`. */
  file: string;
  /** Datastore of the backing (`backing.datastore`); {@link NoRef} when the backing has none. */
  datastore: Ref;
  /** Capacity (`capacityInBytes`), bytes. */
  capacity: number;
  /** Multi-writer sharing (`backing.sharing` is set and not `sharingNone`). */
  shared: boolean;
  /** Raw device mapping (an RDM backing). */
  rdm: boolean;
  /** **mtv**: RDM in physical compatibility mode (`backing.compatibilityMode` = `physicalMode`). */
  physicalMode?: boolean;
  /** Bus of the controller; empty when the controller is unknown. */
  bus: DiskBus | '';
  /** Disk mode (`backing.diskMode`), e.g. `persistent`, `independent_persistent`. */
  mode?: string;
  /** Disk UUID (`backing.uuid`), the guest-visible serial when `disk.EnableUUID` is set. */
  serial?: string;
  /** Windows drive letter (lowercase) from `guest.disk` mapped to this disk, e.g. `c`. */
  winDriveLetter?: string;
  /** Per-disk CBT (`config.extraConfig["<bus><n>:<unit>.ctkEnabled"]`); unknown when absent. */
  changeTrackingEnabled?: boolean;
  /** Parent (snapshot delta base) file (`backing.parent.fileName`), when the disk has one. */
  parent?: string;
}

/** A network card: one `VirtualEthernetCard` of `config.hardware.device`. */
export interface NIC {
  /**
   * Network: a standard network (`backing.network`), a distributed port group
   * (`backing.port.portgroupKey`) or an opaque network (`backing.opaqueNetworkId`).
   */
  network: Ref;
  /** MAC address (`macAddress`), lowercase. */
  mac: string;
  /** Position among the VM's NICs (guest order when `guest.net` reports it, else device order). */
  order: number;
  /** Device key (`key`), e.g. 4000. */
  deviceKey: number;
  /** **mtv**: connected at power on (`connectable.startConnected`). */
  startConnected?: boolean;
  /** PCI slot number (`slotInfo.pciSlotNumber`), when known. */
  pciAddress?: string;
}

/** A device Forklift records (see {@link DeviceKind}). */
export interface Device {
  /** vSphere device type name, e.g. `VirtualPCIPassthrough`. */
  kind: string;
}

/** One IP address the guest reports: one entry per address of each `guest.net` NIC. */
export interface GuestNetwork {
  /** Index of the NIC in `guest.net`, as a string (`"0"`). */
  device: string;
  /** Device key of the virtual NIC (`deviceConfigId`), -1 when not backed by one. */
  deviceConfigId: number;
  /** MAC address, lowercase. */
  mac: string;
  /** IP address (`ipConfig.ipAddress[].ipAddress`). */
  ip: string;
  /** How it was configured (`origin`): `dhcp`, `manual`, `linklayer`, `random`, `other`. */
  origin: string;
  /** Prefix length (`prefixLength`). */
  prefix: number;
  /** DNS servers of the NIC (`dnsConfig.ipAddress`). */
  dns: string[];
  /** Port group name the guest reports (`network`). */
  network: string;
}

/** A default route the guest reports (`guest.ipStack[].ipRouteConfig.ipRoute` with a gateway). */
export interface GuestIpStack {
  /** Index of the NIC (`gateway.device`). */
  device: string;
  /** Gateway address. */
  gateway: string;
  /** Route destination network. */
  network: string;
  /** Route prefix length. */
  prefix: number;
  /** DNS servers of the stack (`dnsConfig.ipAddress`). */
  dns: string[];
}

/** A mounted guest filesystem (`guest.disk[]`): Forklift's `DiskMountPoint`. */
export interface GuestDisk {
  /** Key of the virtual disk holding it (`mappings[0].key`), 0 when the guest reports none. */
  key: number;
  /** Mount point or drive (`diskPath`), e.g. `/`, `/boot`, `C:\`. */
  diskPath?: string;
  /** Filesystem size (`capacity`), bytes. */
  capacity?: number;
  /** Free space (`freeSpace`), bytes. */
  freeSpace?: number;
  /** Filesystem type (`filesystemType`), e.g. `ext4`, `NTFS`. */
  filesystemType?: string;
}

/**
 * A virtual machine (or template): the full Forklift REST VM (`detail=all`).
 *
 * `detail=1` returns {@link Resource} plus `revisionValidated`, `isTemplate`, `powerState`,
 * `host`, `networks`, `disks` and `concerns` (see {@link DetailFields}).
 */
export interface VM extends Resource {
  /** Inventory revision the concerns were computed for (equal to `revision` when current). */
  revisionValidated: number;
  /** Version of the validation rules that produced `concerns` (see concerns' `RulesVersion`). */
  policyVersion: number;
  /** A template, not a VM (`config.template`). */
  isTemplate: boolean;
  /** `runtime.powerState`: `poweredOn`, `poweredOff` or `suspended`. */
  powerState: PowerState;
  /** `runtime.connectionState`: `connected`, `disconnected`, `orphaned`, `inaccessible`, `invalid`. */
  connectionState: string;
  /** Id of the ESXi host running it (`runtime.host`). */
  host: string;
  /** **mtv**: id of the cluster (compute resource) of its host. */
  cluster: string;
  /** **mtv**: id of its datacenter. */
  datacenter: string;
  /** Networks of the VM (`network`). */
  networks: Ref[];
  /** Virtual disks. */
  disks: Disk[];
  /** Validation findings (see `concerns.ts`). */
  concerns: Concern[];
  /** BIOS UUID (`config.uuid`). */
  uuid: string;
  /** **mtv**: vCenter-unique instance UUID (`config.instanceUuid`). */
  instanceUuid: string;
  /** `config.firmware`: `bios` or `efi`. */
  firmware: Firmware | '';
  /** UEFI secure boot (`config.bootOptions.efiSecureBootEnabled`). */
  secureBoot: boolean;
  /** Has a vTPM (`summary.config.tpmPresent`). */
  tpmEnabled: boolean;
  /** vCPUs (`config.hardware.numCPU`). */
  cpuCount: number;
  /** Cores per socket (`config.hardware.numCoresPerSocket`). */
  coresPerSocket: number;
  /** Memory (`config.hardware.memoryMB`), MiB. */
  memoryMB: number;
  /** Scheduling affinity to physical CPUs (`config.cpuAffinity.affinitySet`); empty when none. */
  cpuAffinity: number[];
  /** `config.cpuHotAddEnabled`. */
  cpuHotAddEnabled: boolean;
  /** `config.cpuHotRemoveEnabled`. */
  cpuHotRemoveEnabled: boolean;
  /** `config.memoryHotAddEnabled`. */
  memoryHotAddEnabled: boolean;
  /** Fault tolerance configured (`config.ftInfo` is set). */
  faultToleranceEnabled: boolean;
  /** NUMA nodes (`config.extraConfig["numa.nodeAffinity"]`, split on commas); empty when none. */
  numaNodeAffinity: string[];
  /** Nested virtualization (`config.nestedHVEnabled`). */
  nestedHVEnabled: boolean;
  /** DRS enabled on its cluster (`configuration.drsConfig.enabled` of the cluster). */
  drsEnabled: boolean;
  /** Configured guest OS name (`summary.config.guestFullName`). */
  guestName: string;
  /** Guest OS name reported by VMware Tools (`guest.guestFullName`). */
  guestNameFromVmwareTools: string;
  /** Guest OS id (`summary.guest.guestId`), e.g. `rhel9_64Guest`; kept while the VM is off. */
  guestId: string;
  /** Guest host name (`guest.hostName`). */
  hostName: string;
  /** Primary guest IP address (`summary.guest.ipAddress`). */
  ipAddress: string;
  /** `guest.toolsStatus` (deprecated by VMware, kept for compatibility). */
  toolsStatus: string;
  /** `guest.toolsRunningStatus`, e.g. `guestToolsRunning`. */
  toolsRunningStatus: string;
  /** `guest.toolsVersionStatus2`, e.g. `guestToolsCurrent` (Forklift's JSON name). */
  toolsVersionStatus2: string;
  /** Ballooned memory (`summary.quickStats.balloonedMemory`), MiB. */
  balloonedMemory: number;
  /** Changed block tracking (`config.changeTrackingEnabled`, or `extraConfig["ctkEnabled"]`). */
  changeTrackingEnabled: boolean;
  /** Current snapshot (`snapshot.currentSnapshot`, kind `VirtualMachineSnapshot`); {@link NoRef} when none. */
  snapshot: Ref;
  /** **mtv**: snapshot files need consolidation (`runtime.consolidationNeeded`). */
  consolidationNeeded: boolean;
  /** Storage used by the VM's files (`summary.storage.committed`), bytes. */
  storageUsed: number;
  /** `config.extraConfig["disk.EnableUUID"]`: disks expose their UUID as serial. */
  diskEnableUuid: boolean;
  /** Network cards. */
  nics: NIC[];
  /** Passthrough, SR-IOV and USB devices and network cards (see {@link DeviceKind}). */
  devices: Device[];
  /** IP addresses the guest reports (kept from the last report while the VM is off). */
  guestNetworks: GuestNetwork[];
  /** Default routes the guest reports. */
  guestIpStacks: GuestIpStack[];
  /** Guest filesystems. */
  guestDisks: GuestDisk[];
}

/** A physical NIC of a host (`config.network.pnic`). */
export interface HostPNIC {
  /** `key`, e.g. `key-vim.host.PhysicalNic-vmnic0`. */
  key: string;
  /** Link speed (`linkSpeed.speedMb`), Mb/s; 0 when down. */
  linkSpeed: number;
}

/** A VMkernel NIC of a host (`config.network.vnic`). */
export interface HostVNIC {
  /** `key`. */
  key: string;
  /** Device, e.g. `vmk0`. */
  device: string;
  /** Standard port group name (`portgroup`). */
  portGroup: string;
  /** Distributed port group key (`spec.distributedVirtualPort.portgroupKey`). */
  dPortGroup: string;
  /** IPv4 address (`spec.ip.ipAddress`). */
  ipAddress: string;
  /** IPv6 addresses (`spec.ip.ipV6Config.ipV6Address`). */
  ipv6Address?: string[];
  /** IPv4 netmask (`spec.ip.subnetMask`). */
  subnetMask: string;
  /** MTU (`spec.mtu`), bytes. */
  mtu: number;
}

/** A standard port group of a host (`config.network.portgroup`). */
export interface HostPortGroup {
  /** `key`. */
  key: string;
  /** `spec.name`. */
  name: string;
  /** Key of its virtual switch (`vswitch`); Forklift's JSON name. */
  vSwitch: string;
  /** VLAN (`spec.vlanId`); 0 for none, 4095 for trunk. */
  vlanId: number;
}

/** A standard virtual switch of a host (`config.network.vswitch`). */
export interface HostSwitch {
  /** `key`. */
  key: string;
  /** `name`, e.g. `vSwitch0`. */
  name: string;
  /** Keys of its port groups. */
  portGroups: string[];
  /** Keys of its physical NICs. */
  pNICs: string[];
}

/** A host's networking (`config.network`), served as `networking`. */
export interface HostNetwork {
  pNICs: HostPNIC[];
  vNICs: HostVNIC[];
  portGroups: HostPortGroup[];
  switches: HostSwitch[];
}

/** A host SCSI disk (`config.storageDevice.scsiLun` of type `HostScsiDisk`). */
export interface HostScsiDisk {
  /** `canonicalName`, e.g. `naa.600…`. */
  canonicalName: string;
  /** `vendor`, trimmed. */
  vendor: string;
  /** `model`. */
  model?: string;
  /** `key`. */
  key: string;
}

/** A host advanced option (`configManager.advancedOption` → `setting`). */
export interface HostAdvancedOption {
  key: string;
  value: string;
}

/** A host's VMkernel adapter as the server presents it (computed from `networking`). */
export interface HostNetworkAdapter {
  /** Port group or distributed switch name. */
  name: string;
  ipAddress: string;
  subnetMask: string;
  /** Mb/s. */
  linkSpeed: number;
  /** Bytes. */
  mtu: number;
}

/** An ESXi host. */
export interface Host extends Resource {
  /** Id of its cluster or standalone compute resource (`parent`). */
  cluster: string;
  /** `overallStatus`: `green`, `yellow`, `red`, `gray`. */
  status: string;
  /** `summary.runtime.inMaintenanceMode`. */
  inMaintenance: boolean;
  /** vCenter address managing it (`summary.managementServerIp`). */
  managementServerIp: string;
  /** SHA-1 certificate thumbprint (`summary.config.sslThumbprint`). */
  thumbprint: string;
  /** Time zone (`config.dateTimeInfo.timeZone.name`). */
  timezone: string;
  /** CPU packages (`summary.hardware.numCpuPkgs`). */
  cpuSockets: number;
  /** CPU cores (`summary.hardware.numCpuCores`). */
  cpuCores: number;
  /** `config.product.name`, e.g. `VMware ESXi`. */
  productName: string;
  /** `config.product.version`, e.g. `8.0.3`. */
  productVersion: string;
  /** Host networking (`config.network`). */
  networking: HostNetwork;
  /** Networks available on the host (`network`). */
  networks: Ref[];
  /** Datastores mounted on the host (`datastore`). */
  datastores: Ref[];
  /** SCSI disks (`config.storageDevice.scsiLun`). */
  hostScsiDisks: HostScsiDisk[];
  /** Advanced options, when collected. */
  advancedOptions: HostAdvancedOption[];
  /** VMkernel adapters; computed by the server from `networking`, not stored. */
  networkAdapters?: HostNetworkAdapter[];
}

/** A cluster (`ClusterComputeResource`) or a standalone host's `ComputeResource` (variant). */
export interface Cluster extends Resource {
  /** **mtv**: id of its datacenter. */
  datacenter: string;
  /** Hosts (`host`). */
  hosts: Ref[];
  /** Networks (`network`). */
  networks: Ref[];
  /** Datastores (`datastore`). */
  datastores: Ref[];
  /** vSphere HA (`configuration.dasConfig.enabled`). */
  dasEnabled: boolean;
  /** VMs with HA overrides (`configuration.dasVmConfig[].key`). */
  dasVms: Ref[];
  /** DRS (`configuration.drsConfig.enabled`). */
  drsEnabled: boolean;
  /** DRS automation level (`configuration.drsConfig.defaultVmBehavior`), e.g. `fullyAutomated`. */
  drsBehavior: string;
  /** VMs with DRS overrides (`configuration.drsVmConfig[].key`). */
  drsVms: Ref[];
  /** **mtv**: power management (`configurationEx.dpmConfigInfo.enabled`). */
  dpmEnabled?: boolean;
  /**
   * **mtv**: VMs bound to hosts by a VM-Host rule (`configurationEx.rule` of type
   * `ClusterVmHostRuleInfo`, VMs of its `vmGroupName`); the field Forklift's policy reads.
   */
  hostAffinityVms?: Ref[];
}

/** A datacenter; its four root folders. */
export interface Datacenter extends Resource {
  /** `hostFolder`. */
  clusters: Ref;
  /** `networkFolder`. */
  networks: Ref;
  /** `datastoreFolder`. */
  datastores: Ref;
  /** `vmFolder`. */
  vms: Ref;
}

/** A datastore. */
export interface Datastore extends Resource {
  /** `summary.type`, e.g. `VMFS`, `NFS`, `NFS41`, `vsan`, `VVOL`. */
  type: string;
  /** `summary.capacity`, bytes. */
  capacity: number;
  /** `summary.freeSpace`, bytes. */
  free: number;
  /** `summary.maintenanceMode`: `normal`, `enteringMaintenance`, `inMaintenance`. */
  maintenance: string;
  /** VMFS extents' disk names (`info.vmfs.extent[].diskName`). */
  backingDevicesNames: string[];
}

/** Network variants (`variant` of a {@link Network}), from the vSphere type. */
export const NetworkVariant = {
  /** `Network`. */
  Standard: 'Standard',
  /** `DistributedVirtualPortgroup`. */
  DvPortGroup: 'DvPortGroup',
  /** `OpaqueNetwork` (NSX). */
  OpaqueNetwork: 'OpaqueNetwork',
  /** `VmwareDistributedVirtualSwitch`. */
  DvSwitch: 'DvSwitch',
} as const;
/** One of {@link NetworkVariant}'s values. */
export type NetworkVariant = (typeof NetworkVariant)[keyof typeof NetworkVariant];

/** A host member of a distributed switch; Go's default (capitalized) JSON names, as Forklift serves. */
export interface DVSHost {
  /** The host (`config.host[].config.host`). */
  Host: Ref;
  /** Its uplinks (`backing.pnicSpec[].pnicDevice`), e.g. `vmnic1`. */
  PNIC: string[];
}

/**
 * A network: a standard network, a distributed port group, an opaque network or a distributed
 * switch (see `variant`). Fields depend on the variant, as Forklift serves them.
 */
export interface Network extends Resource {
  variant: NetworkVariant;
  /** DvPortGroup: its switch (`config.distributedVirtualSwitch`). */
  dvSwitch?: Ref;
  /**
   * DvPortGroup: VLAN (`config.defaultPortConfig.vlan`), a number (`"100"`) or trunk ranges
   * (`"0-4094"`, `"10-20,30-40"`); empty for none.
   */
  vlanId: string;
  /** DvSwitch: member hosts and their uplinks (`config.host`). */
  host?: DVSHost[];
  /** Standard: the `tag` property. */
  tag?: string;
  /** DvPortGroup: the port group `key`; OpaqueNetwork: `summary.opaqueNetworkId`. */
  key?: string;
}

/** A folder. */
export interface Folder extends Resource {
  /** Id of the parent folder, when the parent is a folder. */
  folder: string;
  /** Id of the parent datacenter, when the parent is a datacenter. */
  datacenter: string;
  /** Children (`childEntity`). */
  children: Ref[];
}

/** A resource pool (vApps are resource pools). */
export type ResourcePool = Resource;

/** The document type of each vSphere kind (type argument of the inventory database). */
export type VsphereModel = {
  Folder: Folder;
  Datacenter: Datacenter;
  Cluster: Cluster;
  Host: Host;
  Network: Network;
  Datastore: Datastore;
  VM: VM;
  ResourcePool: ResourcePool;
};

/**
 * Collections of the vSphere inventory REST API (`/providers/vsphere/<uid>/<collection>`) and the
 * kind each lists. `workloads` serves a VM with its host, cluster and datacenter nested
 * (`host.cluster.datacenter`); the `tree/host` and `tree/vm` views are not collections of a kind.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/provider/web/vsphere/workload.go
 */
export const VsphereCollections = {
  vms: VsphereKind.VM,
  workloads: VsphereKind.VM,
  hosts: VsphereKind.Host,
  clusters: VsphereKind.Cluster,
  datacenters: VsphereKind.Datacenter,
  datastores: VsphereKind.Datastore,
  networks: VsphereKind.Network,
  folders: VsphereKind.Folder,
  resourcepools: VsphereKind.ResourcePool,
} as const;
/** One of {@link VsphereCollections}' keys. */
export type VsphereCollection = keyof typeof VsphereCollections;

/**
 * How a `name` query containing `/` is matched against paths, per kind, as Forklift's handlers do:
 * `suffix` (VMs) keeps objects whose path ends with the given segments; `root` (hosts, clusters,
 * networks, datastores) keeps objects in the same datacenter (first segment). In both cases the
 * last segment must equal the object's name.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/provider/web/vsphere/base.go
 */
export const NamePathMatch: Readonly<Record<VsphereKind, 'suffix' | 'root'>> = {
  Folder: 'suffix',
  Datacenter: 'suffix',
  Cluster: 'root',
  Host: 'root',
  Network: 'root',
  Datastore: 'root',
  VM: 'suffix',
  ResourcePool: 'suffix',
};

/** Fields of every `detail=0` answer, in Forklift's order (`selfLink` is added by the server). */
export const BaseFields = ['id', 'variant', 'parent', 'path', 'revision', 'name', 'selfLink'] as const;

/**
 * Fields each kind adds to {@link BaseFields} at `detail=1`, when that level differs from the full
 * object. Kinds not listed return the full object from `detail=1` on; VMs only from `detail=2`.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/provider/web/vsphere/vm.go
 */
export const DetailFields: Readonly<Partial<Record<VsphereKind, readonly string[]>>> = {
  VM: ['revisionValidated', 'isTemplate', 'powerState', 'host', 'networks', 'disks', 'concerns'],
};

/** The highest detail level that still differs from the full object, per kind. */
function maxPartialDetail(kind: string): number {
  return kind in DetailFields ? 1 : 0;
}

function pick(object: Readonly<Record<string, unknown>>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in object) out[f] = object[f];
  return out;
}

/**
 * Projects an object to what Forklift's REST API returns at a `detail` level: 0 gives
 * {@link BaseFields}; 1 adds the kind's {@link DetailFields} (VMs) or gives the full object (other
 * kinds); 2 and above (`detail=all`) give the full object. Fields absent from the object stay
 * absent. The input is not modified.
 *
 * @param kind a {@link VsphereKind}; unknown kinds are treated like kinds without detail-1 fields.
 * @param detail level, an integer ≥ 0; `Infinity` for `all`.
 * @returns a new object (a shallow copy for the full level).
 */
export function projectDetail<T extends object>(kind: string, object: T, detail: number): Partial<T> {
  const o = object as Readonly<Record<string, unknown>>;
  if (detail > maxPartialDetail(kind)) return { ...object };
  if (detail <= 0) return pick(o, BaseFields) as Partial<T>;
  return pick(o, [...BaseFields, ...(DetailFields[kind as VsphereKind] ?? [])]) as Partial<T>;
}

/**
 * Fields of each kind worth an index in the inventory database (what people filter and sort by).
 * `name` and `path` are columns of the database; the others are document fields.
 */
export const VsphereIndexes: Readonly<Partial<Record<VsphereKind, readonly string[]>>> = {
  VM: [
    'name',
    'path',
    'powerState',
    'host',
    'cluster',
    'datacenter',
    'isTemplate',
    'memoryMB',
    'cpuCount',
    'guestId',
    'firmware',
  ],
  Host: ['name', 'path', 'cluster'],
  Network: ['name', 'path', 'variant'],
  Datastore: ['name', 'path', 'type'],
};

/**
 * The subset of KubeVirt (`kubevirt.io/v1`), CDI (`cdi.kubevirt.io/v1beta1`) and core
 * `PersistentVolumeClaim` that mtv writes for a migrated VM, typed structurally after KubeVirt's
 * published OpenAPI definitions (`v1.VirtualMachine`, `v1beta1.DataVolumeSpec`, …). Field names
 * and nesting are KubeVirt's; only fields mtv sets are declared.
 *
 * Quantities (`memory.guest`, `resources.requests.storage`) are Kubernetes quantity strings such
 * as `4Gi`.
 *
 * @see https://kubevirt.io/api-reference/main/definitions.html
 * @see https://github.com/kubevirt/containerized-data-importer/blob/main/doc/datavolumes.md
 */
import type { Affinity, KubeObject, ObjectMeta } from '../api/index.js';

/** API versions and kinds of the objects this module describes. */
export const KubevirtKinds = {
  VirtualMachine: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' },
  DataVolume: { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume' },
  PersistentVolumeClaim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
} as const;

/** A Kubernetes quantity string, e.g. `4Gi`, `10737418240`. */
export type Quantity = string;

/** VM run strategies mtv sets (`spec.runStrategy`). */
export const RunStrategy = { Always: 'Always', Halted: 'Halted' } as const;
/** One of {@link RunStrategy}'s values. */
export type RunStrategy = (typeof RunStrategy)[keyof typeof RunStrategy];

/** Disk buses mtv uses: virtio by default, SATA in compatibility mode, SCSI for LUNs. */
export const KubevirtDiskBus = { Virtio: 'virtio', Sata: 'sata', Scsi: 'scsi' } as const;
/** One of {@link KubevirtDiskBus}'s values. */
export type KubevirtDiskBus = (typeof KubevirtDiskBus)[keyof typeof KubevirtDiskBus];

/** NIC models mtv uses: virtio by default, e1000e in compatibility mode. */
export const InterfaceModel = { Virtio: 'virtio', E1000e: 'e1000e' } as const;
/** One of {@link InterfaceModel}'s values. */
export type InterfaceModel = (typeof InterfaceModel)[keyof typeof InterfaceModel];

/** `v1.CPUFeature`: a CPU flag and its policy (`optional`, `disable`, `require`, …). */
export interface CpuFeature {
  name: string;
  policy?: string;
}

/** `v1.CPU`: topology; vCPUs = sockets × cores × threads. */
export interface Cpu {
  sockets?: number;
  cores?: number;
  threads?: number;
  features?: CpuFeature[];
}

/** `v1.Memory`. */
export interface Memory {
  /** Memory the guest sees. */
  guest?: Quantity;
}

/** `v1.Firmware`. */
export interface Firmware {
  /** SMBIOS system serial number (mtv: the source VM's BIOS UUID). */
  serial?: string;
  bootloader?: { bios?: { useSerial?: boolean }; efi?: { secureBoot?: boolean; persistent?: boolean } };
}

/** `v1.Features` (the one mtv sets). */
export interface Features {
  /** System Management Mode, needed by UEFI Secure Boot. */
  smm?: { enabled?: boolean };
}

/** `v1.Clock`: the guest clock's time zone, e.g. `Europe/Paris`. */
export interface Clock {
  timezone?: string;
}

/** `v1.Disk`: how a volume is presented to the guest. */
export interface Disk {
  /** Name of the volume it presents. */
  name: string;
  disk?: { bus?: KubevirtDiskBus };
  lun?: { bus?: KubevirtDiskBus; reservation?: boolean };
  /** 1 for the boot disk; lower boots first. */
  bootOrder?: number;
  /** Disk serial the guest sees. */
  serial?: string;
  /** Attached to several VMs at once. */
  shareable?: boolean;
  /** Cache mode; `none` for shareable disks. */
  cache?: 'none' | 'writethrough' | 'writeback';
}

/** `v1.Interface`: a NIC and how it binds to its network. */
export interface Interface {
  /** Name of the network it attaches to. */
  name: string;
  model?: InterfaceModel;
  macAddress?: string;
  /** PCI address on the guest bus, e.g. `0000:81:01.0`. */
  pciAddress?: string;
  /** `down` keeps the link down (the source NIC was not connected at power on). */
  state?: 'up' | 'down';
  masquerade?: Record<string, never>;
  bridge?: Record<string, never>;
}

/** `v1.Input`: mtv adds a tablet for an absolute pointer. */
export interface Input {
  name: string;
  type: 'tablet';
  bus?: 'virtio' | 'usb';
}

/** `v1.TPMDevice`. */
export interface TpmDevice {
  enabled?: boolean;
  persistent?: boolean;
}

/** `v1.Devices`. */
export interface Devices {
  disks?: Disk[];
  interfaces?: Interface[];
  inputs?: Input[];
  tpm?: TpmDevice;
}

/** `v1.DomainSpec`. */
export interface DomainSpec {
  cpu?: Cpu;
  memory?: Memory;
  firmware?: Firmware;
  features?: Features;
  clock?: Clock;
  devices: Devices;
}

/** `v1.Volume` (the PVC form mtv writes). */
export interface Volume {
  name: string;
  persistentVolumeClaim: { claimName: string; readOnly?: boolean };
}

/** `v1.Network`: the pod network or a Multus NetworkAttachmentDefinition (`ns/name`). */
export interface Network {
  name: string;
  pod?: Record<string, never>;
  multus?: { networkName: string; default?: boolean };
}

/** `v1.VirtualMachineInstanceSpec`. */
export interface VirtualMachineInstanceSpec {
  domain: DomainSpec;
  volumes?: Volume[];
  networks?: Network[];
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
}

/** `v1.VirtualMachineInstanceTemplateSpec`. */
export interface VirtualMachineInstanceTemplateSpec {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations'>;
  spec: VirtualMachineInstanceSpec;
}

/** `v1.InstancetypeMatcher` / `v1.PreferenceMatcher`. */
export interface Matcher {
  name: string;
  /** `virtualmachineinstancetype` or `virtualmachineclusterinstancetype` (… `preference`). */
  kind?: string;
}

/** `v1.VirtualMachineSpec`. */
export interface VirtualMachineSpec {
  runStrategy?: RunStrategy;
  instancetype?: Matcher;
  preference?: Matcher;
  template: VirtualMachineInstanceTemplateSpec;
}

/** A KubeVirt VirtualMachine. */
export interface VirtualMachine extends KubeObject {
  apiVersion: 'kubevirt.io/v1';
  kind: 'VirtualMachine';
  spec: VirtualMachineSpec;
}

/** `resources` of a PVC or DataVolume storage spec. */
export interface StorageResources {
  requests: { storage: Quantity };
}

/** Fields shared by a PVC spec and a DataVolume's `storage` spec. */
export interface ClaimSpec {
  storageClassName?: string;
  accessModes?: ('ReadWriteOnce' | 'ReadWriteMany' | 'ReadOnlyMany')[];
  volumeMode?: 'Filesystem' | 'Block';
  resources: StorageResources;
}

/** `v1beta1.DataVolumeSource` (the forms mtv writes). */
export interface DataVolumeSource {
  /** An empty disk that mtv (or virt-v2v) fills. */
  blank?: Record<string, never>;
  /** CDI's VDDK importer copies from vSphere. */
  vddk?: {
    backingFile?: string;
    uuid?: string;
    url?: string;
    secretRef?: string;
    thumbprint?: string;
    initImageURL?: string;
  };
}

/** `v1beta1.DataVolumeSpec`. */
export interface DataVolumeSpec {
  source: DataVolumeSource;
  /** CDI's storage API: sizes are adjusted by CDI for filesystem overhead. */
  storage: ClaimSpec;
}

/** A CDI DataVolume. */
export interface DataVolume extends KubeObject {
  apiVersion: 'cdi.kubevirt.io/v1beta1';
  kind: 'DataVolume';
  spec: DataVolumeSpec;
}

/** A core PersistentVolumeClaim. */
export interface PersistentVolumeClaim extends KubeObject {
  apiVersion: 'v1';
  kind: 'PersistentVolumeClaim';
  spec: ClaimSpec;
}

/**
 * Plan: a group of VMs to migrate from a source provider with a network map and a storage map,
 * plus every knob of how the target VMs are built.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/plan.go
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/plan/vm.go
 */
import type { Affinity } from './affinity.js';
import type { Condition } from './condition.js';
import type { Int64, Integer, KubeObject, ObjectReference, Time } from './meta.js';
import type { ProviderPair } from './mapping.js';
import type { Ref } from './ref.js';

/** Migration types (`spec.type`). */
export const MigrationType = { Cold: 'cold', Warm: 'warm', Live: 'live', Conversion: 'conversion' } as const;
/** One of {@link MigrationType}'s values. */
export type MigrationType = (typeof MigrationType)[keyof typeof MigrationType];

/** Target power states (`targetPowerState`); `auto` follows the source. */
export const TargetPowerState = { On: 'on', Off: 'off', Auto: 'auto' } as const;
/** One of {@link TargetPowerState}'s values. */
export type TargetPowerState = (typeof TargetPowerState)[keyof typeof TargetPowerState];

/** Hook steps. */
export const HookStep = { PreHook: 'PreHook', PostHook: 'PostHook' } as const;
/** One of {@link HookStep}'s values. */
export type HookStep = (typeof HookStep)[keyof typeof HookStep];

/** Summary plan phases (`status.phase`, an mtv extension scripts can read). */
export const PlanPhase = {
  Pending: 'Pending',
  Ready: 'Ready',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Canceled: 'Canceled',
  Archived: 'Archived',
} as const;
/** One of {@link PlanPhase}'s values. */
export type PlanPhase = (typeof PlanPhase)[keyof typeof PlanPhase];

/** A hook to run for a VM at a step. */
export interface HookRef {
  /** PreHook or PostHook. */
  step: string;
  /** The Hook to run. */
  hook: ObjectReference;
}

/** The NetworkMap and StorageMap of a plan. */
export interface PlanMaps {
  /** The NetworkMap. */
  network: ObjectReference;
  /** The StorageMap. */
  storage: ObjectReference;
}

/** vSphere tags → target VM labels. */
export interface TagMapping {
  /** No tag becomes a label. */
  disabled?: boolean;
  /** Only these tags become labels. */
  labelTags?: string[];
}

/**
 * One VM of a plan: the source reference (inlined Ref) and per-VM overrides of plan settings.
 * Unset tri-state booleans inherit the plan's value.
 */
export interface PlanVM extends Ref {
  /** Hooks to run for this VM. */
  hooks?: HookRef[];
  /** Secret with LUKS passphrases to unlock the guest's disks. */
  luks?: ObjectReference;
  /** Unlock LUKS disks with Clevis/Tang (takes precedence over `luks`). */
  nbdeClevis?: boolean;
  /** Boot disk selector, e.g. `/dev/sda`. */
  rootDisk?: string;
  /** KubeVirt instancetype for the target VM (replaces CPU/memory mapping). */
  instanceType?: string;
  /** Exact target VM name (DNS-1123); otherwise the normalised source name. */
  targetName?: string;
  /** on | off | auto, overriding the plan's. */
  targetPowerState?: 'on' | 'off' | 'auto';
  /** PVC name template, overriding the plan's. */
  pvcNameTemplate?: string;
  /** Volume name template, overriding the plan's. */
  volumeNameTemplate?: string;
  /** Network interface name template, overriding the plan's. */
  networkNameTemplate?: string;
  /** Delete the target VM when its migration fails (overrides the plan). */
  deleteVmOnFailMigration?: boolean;
  /** Migrate disks shared with other VMs (overrides the plan). */
  migrateSharedDisks?: boolean;
  /** Expose vmx/svm to the guest (overrides the plan; unset follows the source). */
  enableNestedVirtualization?: boolean;
  /** Attach RDM disks as LUNs (overrides the plan). */
  rdmAsLun?: boolean;
  /** SCSI persistent reservation on shared LUNs (overrides the plan). */
  scsiReservation?: boolean;
  /** Relabel SELinux contexts at first boot (overrides the plan). */
  selinuxRelabelAtBoot?: boolean;
  /** Guest paths left out of the SELinux relabel (overrides the plan). */
  selinuxRelabelExclude?: string[];
  /** Disks to skip, by bus address such as `scsi0:1`. */
  excludeDisks?: string[];
}

/** Desired state of a Plan. */
export interface PlanSpec {
  /** Free text. */
  description?: string;
  /** Source and destination providers. */
  provider: ProviderPair;
  /** Network and storage maps. */
  map: PlanMaps;
  /** Namespace the target VMs are created in. */
  targetNamespace: string;
  /** The VMs to migrate. */
  vms: PlanVM[];
  /** cold | warm | live | conversion; takes precedence over `warm`. */
  type?: 'cold' | 'warm' | 'live' | 'conversion';
  /**
   * Warm migration flag.
   * @deprecated use `type: warm`.
   */
  warm?: boolean;
  /** Archived plans are cleaned up and no longer run. */
  archived?: boolean;
  /** NetworkAttachmentDefinition for disk transfer traffic. */
  transferNetwork?: ObjectReference;
  /**
   * Keep guest static IPs.
   * @default true
   */
  preserveStaticIPs?: boolean;
  /** Keep the oVirt cluster CPU model. */
  preserveClusterCpuModel?: boolean;
  /** Go template for PVC names. */
  pvcNameTemplate?: string;
  /** Use the PVC template's output as generateName (true) or exact name (false). */
  pvcNameTemplateUseGenerateName?: boolean;
  /** Go template for volume names. */
  volumeNameTemplate?: string;
  /** Go template for network interface names. */
  networkNameTemplate?: string;
  /**
   * Migrate disks shared between VMs.
   * @default true
   */
  migrateSharedDisks?: boolean;
  /**
   * Raw copy without virt-v2v guest conversion.
   * @default false
   */
  skipGuestConversion?: boolean;
  /**
   * With skipGuestConversion: SATA, e1000e and a USB tablet (true) or VirtIO (false).
   * @default true
   */
  useCompatibilityMode?: boolean;
  /** on | off | auto (follow the source). */
  targetPowerState?: 'on' | 'off' | 'auto';
  targetLabels?: Record<string, string>;
  targetNodeSelector?: Record<string, string>;
  targetAffinity?: Affinity;
  convertorLabels?: Record<string, string>;
  convertorNodeSelector?: Record<string, string>;
  convertorAffinity?: Affinity;
  /**
   * Delete the target VM, PVCs and DataVolumes when a VM's migration fails.
   * @default true
   */
  deleteVmOnFailMigration?: boolean;
  /**
   * ServiceAccount for migration pods in the target namespace.
   * @maxLength 253
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   */
  serviceAccount?: string;
  /** StorageClass of virt-v2v's scratch PVC. */
  conversionTempStorageClass?: string;
  /** Size (quantity, e.g. `100Gi`) of virt-v2v's scratch PVC. */
  conversionTempStorageSize?: string;
  /** Do not add a zone node selector (EC2). */
  skipZoneNodeSelector?: boolean;
  /**
   * Target disk bus.
   * @deprecated
   */
  diskBus?: string;
  rdmAsLun?: boolean;
  scsiReservation?: boolean;
  deleteGuestConversionPod?: boolean;
  installLegacyDrivers?: boolean;
  enableNestedVirtualization?: boolean;
  /**
   * vSphere warm: inspect the guest from the first snapshot.
   * @default true
   */
  runPreflightInspection?: boolean;
  /** ConfigMap with virt-customize scripts. */
  customizationScripts?: ObjectReference;
  /** virt-v2v image override. */
  virtV2vImage?: string;
  /**
   * Use the XFSv4-compatible virt-v2v image.
   * @default false
   */
  xfsCompatibility?: boolean;
  tagMapping?: TagMapping;
  selinuxRelabelAtBoot?: boolean;
  selinuxRelabelExclude?: string[];
}

/** An error or warning recorded on a VM, step or task. */
export interface PhaseMessages {
  /** The phase it happened in. */
  phase: string;
  /** What happened. */
  reasons: string[];
}

/** Progress of a step or task, in the unit of its `unit` annotation (MB for disks). */
export interface Progress {
  /** Units done. */
  completed: Int64;
  /** Units in all. */
  total: Int64;
}

/** A task of a pipeline step (e.g. one disk). */
export interface Task {
  /** Step or task name (a disk's file name for disk tasks). */
  name: string;
  /** Human-readable description. */
  description?: string;
  /** Pending | Running | Completed. */
  phase?: string;
  /** Why it is in its phase. */
  reason?: string;
  /** Progress, in the unit of the `unit` annotation (MB for disks). */
  progress: Progress;
  /** e.g. `unit: MB`. */
  annotations?: Record<string, string>;
  /** When it started. */
  started?: Time;
  /** When it completed. */
  completed?: Time;
  /** The error that failed it. */
  error?: PhaseMessages;
  /** Warnings that did not fail it. */
  warning?: PhaseMessages;
}

/** A pipeline step: Initialize, DiskTransfer, ImageConversion, VirtualMachineCreation… */
export interface Step extends Task {
  /** Its tasks, e.g. one per disk. */
  tasks?: Task[];
}

/** A warm-migration precopy's per-disk change id. */
export interface PrecopyDelta {
  disk: string;
  deltaId: string;
}

/** One warm-migration precopy. */
export interface Precopy {
  start?: Time;
  end?: Time;
  snapshot?: string;
  createTaskId?: string;
  removeTaskId?: string;
  deltas?: PrecopyDelta[];
}

/** Warm-migration bookkeeping of a VM. */
export interface Warm {
  successes: Integer;
  failures: Integer;
  consecutiveFailures: Integer;
  nextPrecopyAt?: Time;
  precopies?: Precopy[];
}

/** Status of one VM of a migration run: the plan VM plus its itinerary state. */
export interface VMStatus extends PlanVM {
  /** Current itinerary phase, e.g. CopyDisks, Completed. */
  phase: string;
  pipeline: Step[];
  /** When it started. */
  started?: Time;
  /** When it completed. */
  completed?: Time;
  error?: PhaseMessages;
  /** Forklift conditions (see condition.ts). */
  conditions?: Condition[];
  warm?: Warm;
  /** Source power state before the migration: On, Off or Unknown. */
  restorePowerState?: string;
  /** Firmware detected by virt-v2v (bios | efi). */
  firmware?: string;
  /** Operating system detected by virt-v2v. */
  operatingSystem?: string;
  /** Boot disk index detected by virt-v2v. */
  detectedBootDisk?: Integer;
  /** The DNS-1123 target name when the source name was normalised. */
  newName?: string;
  /** All disk transfers finished. */
  disksCopied?: boolean;
  /** CopyAppliance serving this VM's disks. */
  copyAppliance?: ObjectReference;
}

/** A pinned reference to an object as it was when a migration ran. */
export interface SnapshotRef {
  /** Namespace of the object. */
  namespace: string;
  /** Name of the object. */
  name: string;
  /** UID of the object then. */
  uid: string;
  /** Generation of the object then. */
  generation: Int64;
}

/** Snapshot of the references of one migration run. */
export interface Snapshot {
  /** Forklift conditions (see condition.ts). */
  conditions?: Condition[];
  provider: { source: SnapshotRef; destination: SnapshotRef };
  plan: SnapshotRef;
  map: { network: SnapshotRef; storage: SnapshotRef };
  migration: SnapshotRef;
}

/** State of the active (or last) migration run of a plan. */
export interface PlanMigrationStatus {
  /** When it started. */
  started?: Time;
  /** When it completed. */
  completed?: Time;
  history?: Snapshot[];
  vms?: VMStatus[];
}

/** Observed state of a Plan. */
export interface PlanStatus {
  /**
   * Summary phase: Pending, Ready, Running, Succeeded, Failed, Canceled or Archived.
   * @mtvExtension
   */
  phase?: 'Pending' | 'Ready' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled' | 'Archived';
  /** Forklift conditions (see condition.ts). */
  conditions?: Condition[];
  migration?: PlanMigrationStatus;
  /** The storage map targets a NetApp Shift StorageClass. */
  netAppShiftDestination?: boolean;
  /** metadata.generation the controller last reconciled. */
  observedGeneration?: Int64;
}

/** A Plan object. */
export interface Plan extends KubeObject {
  spec: PlanSpec;
  status?: PlanStatus;
}

/**
 * The migration type of a plan: `spec.type`, else `warm` for the deprecated `spec.warm: true`
 * (plans written for older Forklift releases), else `cold`.
 */
export function planMigrationType(spec: Pick<PlanSpec, 'type' | 'warm'>): MigrationType {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- read for compatibility only
  return spec.type ?? (spec.warm ? 'warm' : 'cold');
}

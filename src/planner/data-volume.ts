/**
 * The claim each source disk is copied into: a CDI DataVolume (cluster mode, the way Forklift
 * does it) or a plain PersistentVolumeClaim (when mtv copies the data itself), with Forklift's
 * names, labels, annotations and sizes.
 *
 * Sizes: the disk capacity is first rounded up to 1 MiB (Forklift's alignment, a multiple of every
 * block size in use). A DataVolume asks for exactly that through CDI's `storage` API, and CDI adds
 * its filesystem overhead itself. A plain PVC has nobody to do that, so in Filesystem mode mtv asks
 * for `ceil(aligned / (1 - overhead))` with CDI's default overhead of 5.5 % (Forklift's own knob,
 * `controller_filesystem_overhead`, defaults to 10 %; pass `filesystemOverhead` to match it); in
 * Block mode it asks for the aligned size plus `blockOverhead` (default 0). When the storage pair
 * leaves the volume mode to the StorageProfile, the PVC is sized as Filesystem (never too small).
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/adapter/vsphere/builder.go (DataVolumes)
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/util/utils.go (CalculateSpaceWithOverhead)
 * @see https://github.com/kubevirt/containerized-data-importer/blob/main/doc/datavolumes.md
 */
import type { DestinationStorage, Plan, PlanVM } from '../api/index.js';
import { planMigrationType } from '../api/plan.js';
import type { Disk, VM } from '../providers/vsphere/model.js';
import { baseVolume, diskFileName, rootDiskIndex } from './disk-order.js';
import {
  KubevirtKinds,
  type ClaimSpec,
  type DataVolume,
  type DataVolumeSource,
  type PersistentVolumeClaim,
} from './kubevirt-types.js';
import {
  labelSafeName,
  pvcNameMetadata,
  renderObjectName,
  resolveNameTemplate,
  type TemplateVars,
} from './naming.js';

/** Annotations and labels Forklift puts on disk claims. */
export const DiskClaimAnnotation = {
  /** The source disk's backing file (snapshot suffix stripped in warm mode). */
  DiskSource: 'forklift.konveyor.io/disk-source',
  /** The disk's index in target order, which matches the claim to its VM disk. */
  DiskIndex: 'forklift.konveyor.io/disk-index',
  /** Keep the DataVolume after the import completes (Forklift tracks progress on it). */
  DeleteAfterCompletion: 'cdi.kubevirt.io/storage.deleteAfterCompletion',
} as const;

/** 1 MiB: the alignment of claim sizes. */
export const ClaimAlignment = 1024 * 1024;

/** CDI's default filesystem overhead (5.5 %), a fraction in [0, 1). */
export const DefaultFilesystemOverhead = 0.055;

const binarySuffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

/**
 * A byte count as a canonical Kubernetes binary quantity: the largest suffix that divides it
 * exactly (`4294967296` → `4Gi`, `1536 MiB` → `1536Mi`, `1000` → `1000`).
 * @throws RangeError for a negative or non-integral count, or one beyond 2^53.
 */
export function formatQuantity(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`not a byte count: ${bytes}`);
  let n = bytes;
  let i = 0;
  while (n !== 0 && n % 1024 === 0 && i < binarySuffixes.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n}${binarySuffixes[i] ?? ''}`;
}

/** `bytes` rounded up to a multiple of `alignment` (default 1 MiB). */
export function alignBytes(bytes: number, alignment = ClaimAlignment): number {
  return alignment <= 0 ? bytes : Math.ceil(bytes / alignment) * alignment;
}

/** Overheads for sizing a plain PVC. */
export interface ClaimOverhead {
  /**
   * Fraction of a Filesystem-mode volume lost to the filesystem, in [0, 1).
   * @default 0.055 (CDI's default)
   */
  filesystemOverhead?: number;
  /**
   * Bytes added to a Block-mode volume.
   * @default 0
   */
  blockOverhead?: number;
}

/**
 * The size (bytes) of a plain PVC that holds a disk of `capacity` bytes: aligned to 1 MiB, plus
 * the filesystem overhead (Filesystem mode or unknown) or the block overhead (Block mode).
 * @throws RangeError when `filesystemOverhead` is outside [0, 1).
 */
export function claimSize(
  capacity: number,
  volumeMode: 'Filesystem' | 'Block' | undefined,
  overhead: ClaimOverhead = {},
): number {
  const aligned = alignBytes(capacity);
  if (volumeMode === 'Block') return aligned + (overhead.blockOverhead ?? 0);
  const fs = overhead.filesystemOverhead ?? DefaultFilesystemOverhead;
  if (!(fs >= 0 && fs < 1)) throw new RangeError(`filesystem overhead must be in [0, 1), got ${fs}`);
  return Math.ceil(aligned / (1 - fs));
}

/** What a disk claim is built from. */
export interface DiskClaimInput {
  /** The source VM (inventory). */
  vm: Pick<VM, 'id' | 'name' | 'uuid'>;
  /** The source disk. */
  disk: Pick<Disk, 'file' | 'capacity' | 'shared' | 'winDriveLetter'>;
  /** The disk's 0-based index in target order (see `sortDisks`). */
  diskIndex: number;
  /** The plan: its name, namespace and uid, and its spec (target namespace, name templates, warm). */
  plan: Pick<Plan, 'metadata' | 'spec'>;
  /** The plan's entry for this VM (name template overrides, rootDisk). */
  planVM?: PlanVM;
  /** Where the disk's datastore maps to. */
  storage: DestinationStorage;
  /** The target VM name (normalised or `targetName`). */
  targetVmName: string;
  /** UID of the Migration running, for the `migration` label. */
  migrationUid?: string;
}

function isWarm(plan: Pick<Plan, 'spec'>): boolean {
  return planMigrationType(plan.spec) === 'warm';
}

/** Labels Forklift puts on a VM's claims (and pods): plan, migration and VM identity. */
export function diskClaimLabels(
  input: Pick<DiskClaimInput, 'vm' | 'plan' | 'migrationUid'> & { shared?: boolean },
): Record<string, string> {
  const { metadata } = input.plan;
  return {
    ...(input.migrationUid ? { migration: input.migrationUid } : {}),
    ...(metadata.uid ? { plan: metadata.uid } : {}),
    ...(metadata.name ? { 'plan-name': metadata.name } : {}),
    ...(metadata.namespace ? { 'plan-namespace': metadata.namespace } : {}),
    vmID: input.vm.id,
    ...(input.vm.uuid ? { vmUUID: input.vm.uuid } : {}),
    ...(input.shared ? { shareable: 'true' } : {}),
  };
}

/** The data the PVC name template sees for one disk. */
export function pvcTemplateVars(input: DiskClaimInput): TemplateVars {
  return {
    VmName: input.vm.name,
    TargetVmName: labelSafeName(input.targetVmName),
    PlanName: input.plan.metadata.name ?? '',
    DiskIndex: input.diskIndex,
    RootDiskIndex: rootDiskIndex(input.planVM?.rootDisk) ?? 0,
    Shared: input.disk.shared,
    FileName: diskFileName(input.disk.file),
    WinDriveLetter: input.disk.winDriveLetter ?? '',
  };
}

/**
 * The claim's `name` or `generateName`: the PVC name template (VM's, plan's, or Forklift's
 * default) rendered for this disk; a `generateName` prefix unless the plan sets
 * `pvcNameTemplateUseGenerateName: false`. When Forklift's default renders to something that is
 * not a DNS-1123 label (a plan name with dots), the claim falls back to Forklift's own
 * `generateName` of `<plan>-<vmID>-`.
 * @throws {@link NameTemplateError} when a user-written template fails or renders an invalid name.
 */
export function diskClaimName(input: DiskClaimInput): { name: string } | { generateName: string } {
  const { template, source } = resolveNameTemplate('pvc', input.planVM, input.plan.spec);
  const field = source === 'vm' ? `spec.vms[${input.vm.id}].pvcNameTemplate` : 'spec.pvcNameTemplate';
  const useGenerateName = input.plan.spec.pvcNameTemplateUseGenerateName ?? true;
  try {
    return pvcNameMetadata(renderObjectName(template, pvcTemplateVars(input), field), useGenerateName);
  } catch (e: unknown) {
    if (source !== 'default') throw e;
    return { generateName: `${input.plan.metadata.name ?? 'plan'}-${input.vm.id}-` };
  }
}

function claimMetadata(input: DiskClaimInput): DataVolume['metadata'] {
  return {
    ...diskClaimName(input),
    namespace: input.plan.spec.targetNamespace,
    labels: diskClaimLabels({ ...input, shared: input.disk.shared }),
    annotations: {
      [DiskClaimAnnotation.DiskSource]: baseVolume(input.disk.file, isWarm(input.plan)),
      [DiskClaimAnnotation.DiskIndex]: String(input.diskIndex),
      [DiskClaimAnnotation.DeleteAfterCompletion]: 'false',
    },
  };
}

function claimSpec(storage: DestinationStorage, bytes: number): ClaimSpec {
  return {
    storageClassName: storage.storageClass,
    ...(storage.accessMode ? { accessModes: [storage.accessMode] } : {}),
    ...(storage.volumeMode ? { volumeMode: storage.volumeMode } : {}),
    resources: { requests: { storage: formatQuantity(bytes) } },
  };
}

/**
 * A CDI DataVolume for one disk: Forklift's name, labels and annotations; `storage` with the
 * mapped storage class and, when the storage pair sets them, access and volume modes (else CDI's
 * StorageProfile decides); the capacity aligned to 1 MiB (CDI adds filesystem overhead).
 *
 * @param source where CDI gets the data; default `{ blank: {} }` (mtv or virt-v2v fills it).
 * @throws {@link NameTemplateError} when a user-written PVC name template fails.
 */
export function buildDataVolume(input: DiskClaimInput, source: DataVolumeSource = { blank: {} }): DataVolume {
  return {
    ...KubevirtKinds.DataVolume,
    metadata: claimMetadata(input),
    spec: { source, storage: claimSpec(input.storage, alignBytes(input.disk.capacity)) },
  };
}

/**
 * A plain PersistentVolumeClaim for one disk (for when mtv writes the data itself): same name,
 * labels and annotations as {@link buildDataVolume}; size from {@link claimSize}.
 * @throws {@link NameTemplateError} when a user-written PVC name template fails.
 */
export function buildPersistentVolumeClaim(
  input: DiskClaimInput,
  overhead: ClaimOverhead = {},
): PersistentVolumeClaim {
  const bytes = claimSize(input.disk.capacity, input.storage.volumeMode, overhead);
  const meta = claimMetadata(input);
  const annotations = { ...meta.annotations };
  delete annotations[DiskClaimAnnotation.DeleteAfterCompletion];
  return {
    ...KubevirtKinds.PersistentVolumeClaim,
    metadata: { ...meta, annotations },
    spec: claimSpec(input.storage, bytes),
  };
}

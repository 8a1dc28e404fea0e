/**
 * One VM's cold migration from vSphere, phase by phase, resumable: [PreHook] → StorePowerState →
 * PowerOffSource → WaitForPowerOff → CreateDataVolumes → CopyDisks (the transfer library,
 * checkpointed) → CreateVM → [PostHook] → Completed. Where volumes and the VirtualMachine go is the
 * {@link VmTarget}'s business: local files (`local-target.ts`) or PVCs, transfer Jobs and a
 * VirtualMachine in a cluster (`kube-target.ts`). The Migration reconciler calls it with the
 * phase the VM's status records, so a killed controller resumes where it stopped; every phase is
 * idempotent.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/migrator/base (cold itinerary)
 */
import { createHash } from 'node:crypto';
import type { DestinationNetwork, DestinationStorage, Hook, Plan, PlanVM } from '../api/index.js';
import { buildPersistentVolumeClaim, diskClaimName, type DiskClaimInput } from '../planner/data-volume.js';
import { sortDisks } from '../planner/disk-order.js';
import type { PersistentVolumeClaim, VirtualMachine } from '../planner/kubevirt-types.js';
import { normalizeVmName } from '../planner/naming.js';
import { buildTargetVirtualMachine } from '../planner/target-vm.js';
import type { Connection } from '../providers/adapter.js';
import type { VSphereClient } from '../providers/vsphere/client.js';
import { connectVsphere } from '../providers/vsphere/connect.js';
import type { Disk, VM } from '../providers/vsphere/model.js';
import { requestPowerOff, waitForPowerOff } from '../providers/vsphere/power.js';
import type { MoRef } from '../providers/vsphere/values.js';
import type { CopyDiskInput } from './disk-copy.js';
import type { TransferProgress } from '../transfer/progress.js';

/** Phases this runner executes, in order (Forklift's cold names). */
export const ColdPhases = [
  'PreHook',
  'StorePowerState',
  'PowerOffSource',
  'WaitForPowerOff',
  'CreateDataVolumes',
  'CopyDisks',
  'CreateVM',
  'PostHook',
  'Completed',
] as const;
/** One of {@link ColdPhases}. */
export type ColdPhase = (typeof ColdPhases)[number];

/** One disk to migrate: its source, its claim's builder input and its concrete claim name. */
export interface DiskWork {
  /** The source disk (inventory). */
  disk: Disk;
  /** The claim builder's input. */
  claim: DiskClaimInput;
  /** The claim's name (stable across runs). */
  name: string;
}

/** What copying needs from the run: the source session and where to report. */
export interface CopyContext {
  connection: Connection;
  /** Inventory path of the VM's datacenter (the datastore URL's `dcPath`), e.g. `DC0`. */
  datacenterPath: string;
  /** The logged-in vSphere session (its cookie authenticates datastore reads). */
  client: VSphereClient;
  signal?: AbortSignal;
  onDiskProgress?: (diskKey: number, progress: TransferProgress) => void;
  /** A warm migration's precopy round; absent for a cold copy. */
  precopy?: PrecopyRound;
}

/** A warm migration's precopy round, as the disk copies need it. */
export interface PrecopyRound {
  /** 1 for the first round (a full copy), then 2, 3, … (deltas), the final one included. */
  round: number;
  vm: MoRef;
  /** The round's snapshot. */
  snapshot: MoRef;
  /** Each disk's descriptor to read, by device key: the snapshot's base file. */
  files: Readonly<Record<number, string>>;
  /** Each disk's `changeId` at the previous round's snapshot, by device key; absent in round 1. */
  previous?: Readonly<Record<number, string>>;
}

/**
 * What to copy for a disk in this context: its file, and for a delta round what changed.
 * @throws Error when a delta round has no previous change id for the disk
 */
export function diskCopyInput(
  d: DiskWork,
  context: Pick<CopyContext, 'precopy'>,
): Pick<CopyDiskInput, 'file' | 'delta' | 'round' | 'snapshot'> {
  const p = context.precopy;
  if (!p) return { file: d.disk.file };
  const file = p.files[d.disk.key] ?? d.disk.file;
  if (!p.previous) return { file, round: p.round, snapshot: p.snapshot.value };
  const changeId = p.previous[d.disk.key];
  if (!changeId)
    throw new Error(
      `disk ${d.disk.file} (key ${String(d.disk.key)}) has no change id in the previous precopy's status.migration.vms[].warm.precopies[].deltas; Changed Block Tracking must stay on during a warm migration: turn it on (config.changeTrackingEnabled) and restart the plan, or migrate the VM cold`,
    );
  return {
    file,
    round: p.round,
    snapshot: p.snapshot.value,
    delta: {
      vm: p.vm,
      snapshot: p.snapshot,
      deviceKey: d.disk.key,
      changeId,
      capacityBytes: d.disk.capacity,
    },
  };
}

/** A copied disk. */
export interface CopiedDisk {
  key: number;
  claim: string;
  /** The local raw image, when the copy wrote one this process can read. */
  path?: string;
  sha256: string;
  bytes: number;
  /** Bytes left as holes (0 when unknown). */
  sparseBytes: number;
  /** Where this run resumed the copy: 0 for a fresh copy, `bytes` when it was already complete. */
  resumedFrom: number;
  /** Bytes this run read from the source (a warm delta round: the changed areas only). */
  copiedBytes: number;
  /** Wall time of this run's copy, milliseconds (0 when nothing was copied). */
  durationMs: number;
  /** Mean rate of this run's copy in MiB/s (0 when nothing was copied). */
  throughputMiBps: number;
}

/**
 * Where a VM's disks and VirtualMachine go. Every method is idempotent: a resumed run calls it
 * again and must find the earlier run's work.
 */
export interface VmTarget {
  /** CreateDataVolumes: makes each disk's volume. */
  createVolumes(disks: readonly DiskWork[], claims: readonly PersistentVolumeClaim[]): Promise<void>;
  /** CopyDisks: fills each volume with its source disk (finished disks return at once). */
  copyDisks(disks: readonly DiskWork[], context: CopyContext): Promise<CopiedDisk[]>;
  /**
   * CreateVM: creates the VirtualMachine (with its claims' final form).
   * @returns where it is: a manifest path, or `namespace/name` in a cluster
   */
  createVm(claims: readonly PersistentVolumeClaim[], vm: VirtualMachine): Promise<string>;
  /**
   * PreHook / PostHook: runs the hook for the VM and waits for it.
   * @throws when the hook fails, or when this target cannot run hooks
   */
  runHook(step: HookStep, hook: Hook, context: HookContext): Promise<void>;
  /** Removes what runs for this VM created (volumes, transfer objects, VirtualMachine). */
  remove(disks: readonly DiskWork[], vmName: string): Promise<void>;
}

/** A hook step. */
export type HookStep = 'PreHook' | 'PostHook';

/** What a hook is given: the plan and the source VM (its `plan.yml` and `workload.yml`). */
export interface HookContext {
  plan: Plan;
  vm: VM;
  signal?: AbortSignal;
}

/** Inputs of {@link runColdVm}. */
export interface ColdVmInput {
  connection: Connection;
  /** The source VM (inventory, full detail). */
  vm: VM;
  /** Inventory path of the VM's datacenter (the datastore URL's `dcPath`), e.g. `DC0`. */
  datacenterPath: string;
  plan: Plan;
  planVM: PlanVM;
  /** UID of the running Migration (the `migration` label of what the run creates). */
  migrationUid?: string;
  /** Destination of each source network, by network id. */
  networks: Readonly<Record<string, DestinationNetwork>>;
  /** Destination of each datastore, by datastore id. */
  storage: Readonly<Record<string, DestinationStorage>>;
  /** Where volumes and the VirtualMachine go. */
  target: VmTarget;
  /** The VM's hooks by step (resolved Hook objects); a step without one is skipped. */
  hooks?: Partial<Record<HookStep, Hook>>;
  /** Resume from this phase (the VM status's). @default 'PreHook' */
  from?: ColdPhase;
  /** The power state recorded by an earlier run (needed when resuming after StorePowerState). */
  restorePowerState?: string;
  signal?: AbortSignal;
  /** Called when a phase starts (the reconciler records it in the VM status). */
  onPhase?: (phase: ColdPhase, facts: { restorePowerState?: string }) => Promise<void> | void;
  /** Per-disk copy progress. */
  onDiskProgress?: (diskKey: number, progress: TransferProgress) => void;
}

/** What {@link runColdVm} produced. */
export interface ColdVmResult {
  /** `On` or `Off`: the source's state before the migration. */
  restorePowerState: string;
  disks: CopiedDisk[];
  /** Where the VirtualMachine is: the manifest file (local) or `namespace/name` (cluster). */
  vmLocation: string;
}

/** What names a VM's target objects: the VM, the plan (name, uid, templates) and the storage map. */
export type ClaimSource = Pick<ColdVmInput, 'vm' | 'plan' | 'planVM' | 'storage' | 'migrationUid'>;

/** The VM's namespace in KubeVirt: the plan's `targetNamespace`, else the plan's own. */
export function targetNamespace(plan: Pick<Plan, 'metadata' | 'spec'>): string {
  return plan.spec.targetNamespace || plan.metadata.namespace || 'default';
}

/** The VM's name in KubeVirt: the plan's `targetName`, else the source name made DNS-1123. */
export function targetVmName(input: Pick<ColdVmInput, 'vm' | 'planVM'>): string {
  return input.planVM.targetName ?? normalizeVmName(input.vm.name);
}

/**
 * Each disk, in target order, with its claim: the builders' input and the concrete claim name
 * (the template's, with a stable suffix where the template asks for `generateName`: a rerun must
 * find the same claim, and the VirtualMachine must name it before the server would).
 */
export function diskWork(input: ClaimSource): DiskWork[] {
  return sortDisks(input.vm.disks).map((disk, diskIndex) => {
    const claim: DiskClaimInput = {
      vm: input.vm,
      disk,
      diskIndex,
      plan: input.plan,
      planVM: input.planVM,
      storage: input.storage[disk.datastore.id] ?? { storageClass: '' },
      targetVmName: targetVmName(input),
      ...(input.migrationUid ? { migrationUid: input.migrationUid } : {}),
    };
    const meta = diskClaimName(claim);
    if ('name' in meta) return { disk, claim, name: meta.name };
    const suffix = createHash('sha256')
      .update(
        `${input.plan.metadata.uid ?? input.plan.metadata.name ?? ''}/${input.vm.id}/${String(disk.key)}`,
      )
      .digest('hex')
      .slice(0, 5);
    return { disk, claim, name: `${meta.generateName}${suffix}` };
  });
}

/** The claims of the disks, named (no `generateName`) and in the target namespace. */
export function diskClaims(disks: readonly DiskWork[], namespace: string): PersistentVolumeClaim[] {
  return disks.map((d) => {
    const pvc = buildPersistentVolumeClaim(d.claim);
    const { generateName: _generated, ...metadata } = pvc.metadata as typeof pvc.metadata & {
      generateName?: string;
    };
    return { ...pvc, metadata: { ...metadata, name: d.name, namespace } };
  });
}

/**
 * CreateVM: builds the VirtualMachine for the disks' claims and has the target create it (or find
 * the one an earlier run created).
 * @returns where it is: a manifest path, or `namespace/name` in a cluster
 */
export async function createTargetVm(
  input: Pick<ColdVmInput, 'vm' | 'plan' | 'planVM' | 'networks' | 'migrationUid' | 'target'>,
  disks: readonly DiskWork[],
  claims: readonly PersistentVolumeClaim[],
  restorePowerState: string,
): Promise<string> {
  const vm: VirtualMachine = buildTargetVirtualMachine({
    vm: input.vm,
    plan: input.plan,
    planVM: input.planVM,
    networks: input.networks,
    claims: Object.fromEntries(disks.map((d) => [d.disk.key, d.name])),
    name: targetVmName(input),
    restorePowerState,
    ...(input.migrationUid ? { migrationUid: input.migrationUid } : {}),
  });
  return input.target.createVm(claims, vm);
}

/**
 * Runs the VM's remaining phases.
 * @throws vSphere, transfer, target and builder errors (the reconciler records them on the VM and fails it)
 */
export async function runColdVm(input: ColdVmInput): Promise<ColdVmResult> {
  const start = ColdPhases.indexOf(input.from ?? 'PreHook');
  const reached = (p: ColdPhase) => ColdPhases.indexOf(p) >= start;
  const client = await connectVsphere(input.connection, { signal: input.signal });
  try {
    const vmRef = { type: 'VirtualMachine', value: input.vm.id };
    let restorePowerState = input.restorePowerState ?? '';
    const hook = async (step: HookStep) => {
      const h = input.hooks?.[step];
      if (!h || !reached(step)) return;
      await input.onPhase?.(step, { restorePowerState });
      await input.target.runHook(step, h, {
        plan: input.plan,
        vm: input.vm,
        ...(input.signal ? { signal: input.signal } : {}),
      });
    };
    await hook('PreHook');
    if (reached('StorePowerState')) {
      const state = await client.vmPowerState(vmRef);
      restorePowerState = state.powerState === 'poweredOn' ? 'On' : 'Off';
      await input.onPhase?.('StorePowerState', { restorePowerState });
    }
    if (reached('PowerOffSource')) {
      await input.onPhase?.('PowerOffSource', { restorePowerState });
      await requestPowerOff(client, vmRef, { ...(input.signal ? { signal: input.signal } : {}) });
    }
    if (reached('WaitForPowerOff')) {
      await input.onPhase?.('WaitForPowerOff', { restorePowerState });
      await waitForPowerOff(client, vmRef, { ...(input.signal ? { signal: input.signal } : {}) });
    }
    const disks = diskWork(input);
    const claims = diskClaims(disks, targetNamespace(input.plan));
    if (reached('CreateDataVolumes')) {
      await input.onPhase?.('CreateDataVolumes', { restorePowerState });
      await input.target.createVolumes(disks, claims);
    }
    if (reached('CopyDisks')) await input.onPhase?.('CopyDisks', { restorePowerState });
    const copied = await input.target.copyDisks(disks, {
      connection: input.connection,
      datacenterPath: input.datacenterPath,
      client,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onDiskProgress ? { onDiskProgress: input.onDiskProgress } : {}),
    });
    if (reached('CreateVM')) await input.onPhase?.('CreateVM', { restorePowerState });
    // Idempotent: a run resumed at PostHook finds the VirtualMachine it created.
    const vmLocation = await createTargetVm(input, disks, claims, restorePowerState);
    await hook('PostHook');
    await input.onPhase?.('Completed', { restorePowerState });
    return { restorePowerState, disks: copied, vmLocation };
  } finally {
    await client.close().catch(() => undefined);
  }
}

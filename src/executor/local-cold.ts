/**
 * One VM's cold migration in local mode, phase by phase, resumable: StorePowerState →
 * PowerOffSource/WaitForPowerOff → CreateDataVolumes (a directory per claim) → CopyDisks (the
 * transfer library, checkpointed) → CreateVM (KubeVirt manifests written as YAML beside the
 * volumes). The Migration reconciler calls it with the phase the VM's status records, so a killed
 * controller resumes where it stopped; every phase is idempotent.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { DestinationNetwork, DestinationStorage, Plan, PlanVM } from '../api/index.js';
import { buildPersistentVolumeClaim, diskClaimName, type DiskClaimInput } from '../planner/data-volume.js';
import { sortDisks } from '../planner/disk-order.js';
import type { PersistentVolumeClaim, VirtualMachine } from '../planner/kubevirt-types.js';
import { normalizeVmName } from '../planner/naming.js';
import { buildTargetVirtualMachine } from '../planner/target-vm.js';
import type { Connection } from '../providers/adapter.js';
import { connectVsphere } from '../providers/vsphere/connect.js';
import type { VM } from '../providers/vsphere/model.js';
import { powerOffSource } from '../providers/vsphere/power.js';
import { copyVmdk } from '../transfer/vmdk-copy.js';
import { DatastoreReader } from '../transfer/datastore-reader.js';
import type { TransferProgress } from '../transfer/progress.js';

/** Phases this runner executes, in order (Forklift's cold names). */
export const LocalColdPhases = [
  'StorePowerState',
  'PowerOffSource',
  'CreateDataVolumes',
  'CopyDisks',
  'CreateVM',
  'Completed',
] as const;
/** One of {@link LocalColdPhases}. */
export type LocalColdPhase = (typeof LocalColdPhases)[number];

/** Inputs of {@link runColdVm}. */
export interface ColdVmInput {
  connection: Connection;
  /** The source VM (inventory, full detail). */
  vm: VM;
  /** Inventory path of the VM's datacenter (the datastore URL's `dcPath`), e.g. `DC0`. */
  datacenterPath: string;
  plan: Plan;
  planVM: PlanVM;
  /** Destination of each source network, by network id. */
  networks: Readonly<Record<string, DestinationNetwork>>;
  /** Destination of each datastore, by datastore id. */
  storage: Readonly<Record<string, DestinationStorage>>;
  /** `$MTV_HOME`: volumes go to `volumes/<ns>/<claim>/disk.img`, manifests to `manifests/<ns>/`. */
  home: string;
  /** Resume from this phase (the VM status's). @default 'StorePowerState' */
  from?: LocalColdPhase;
  /** The power state recorded by an earlier run (needed when resuming after StorePowerState). */
  restorePowerState?: string;
  signal?: AbortSignal;
  /** Called when a phase starts (the reconciler records it in the VM status). */
  onPhase?: (phase: LocalColdPhase, facts: { restorePowerState?: string }) => Promise<void> | void;
  /** Per-disk copy progress. */
  onDiskProgress?: (diskKey: number, progress: TransferProgress) => void;
}

/** A copied disk. */
export interface CopiedDisk {
  key: number;
  claim: string;
  /** The local image, raw. */
  path: string;
  sha256: string;
  bytes: number;
  /** Bytes left as holes. */
  sparseBytes: number;
  /** Where this run resumed the copy: 0 for a fresh copy, `bytes` when it was already complete. */
  resumedFrom: number;
}

/** What {@link runColdVm} produced. */
export interface ColdVmResult {
  /** `On` or `Off`: the source's state before the migration. */
  restorePowerState: string;
  disks: CopiedDisk[];
  /** The YAML file with the PersistentVolumeClaims and the VirtualMachine. */
  manifest: string;
}

type ClaimSource = Pick<ColdVmInput, 'vm' | 'plan' | 'planVM' | 'storage'>;

/**
 * Each disk, in target order, with its claim: the builders' input and the concrete claim name
 * (the template's, with a stable suffix where the template asks for `generateName`: nothing
 * generates names locally, and a rerun must find the same directory).
 */
function diskClaims(
  input: ClaimSource,
): { disk: VM['disks'][number]; claim: DiskClaimInput; name: string }[] {
  return sortDisks(input.vm.disks).map((disk, diskIndex) => {
    const claim: DiskClaimInput = {
      vm: input.vm,
      disk,
      diskIndex,
      plan: input.plan,
      planVM: input.planVM,
      storage: input.storage[disk.datastore.id] ?? { storageClass: '' },
      targetVmName: targetName(input),
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

/** The VM's manifest file: `<home>/manifests/<target namespace>/<target name>.yaml`. */
function manifestPath(input: Pick<ColdVmInput, 'vm' | 'plan' | 'planVM' | 'home'>): string {
  const ns = input.plan.spec.targetNamespace || input.plan.metadata.namespace || 'default';
  return path.join(input.home, 'manifests', ns, `${targetName(input)}.yaml`);
}

/** The VM's name in KubeVirt: the plan's `targetName`, else the source name made DNS-1123. */
function targetName(input: Pick<ColdVmInput, 'vm' | 'planVM'>): string {
  return input.planVM.targetName ?? normalizeVmName(input.vm.name);
}

/** Writes a file atomically (rename), so a crash never leaves half a manifest. */
function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/**
 * What the run writes for this VM: each claim's directory (image and checkpoint) and the manifest.
 * A canceled VM's partial target is removed with this.
 */
export function coldVmTargets(input: ClaimSource & Pick<ColdVmInput, 'home'>): {
  volumeDirs: string[];
  manifest: string;
} {
  const ns = input.plan.spec.targetNamespace || input.plan.metadata.namespace || 'default';
  return {
    volumeDirs: diskClaims(input).map((d) => path.join(input.home, 'volumes', ns, d.name)),
    manifest: manifestPath(input),
  };
}

/**
 * Runs the VM's remaining phases.
 * @throws vSphere, transfer and builder errors (the reconciler records them on the VM and fails it)
 */
export async function runColdVm(input: ColdVmInput): Promise<ColdVmResult> {
  const ns = input.plan.spec.targetNamespace || input.plan.metadata.namespace || 'default';
  const start = LocalColdPhases.indexOf(input.from ?? 'StorePowerState');
  const reached = (p: LocalColdPhase) => LocalColdPhases.indexOf(p) >= start;
  const c = input.connection;
  const client = await connectVsphere(c, { signal: input.signal });
  try {
    const vmRef = { type: 'VirtualMachine', value: input.vm.id };
    let restorePowerState = input.restorePowerState ?? '';
    if (reached('StorePowerState')) {
      const state = await client.vmPowerState(vmRef);
      restorePowerState = state.powerState === 'poweredOn' ? 'On' : 'Off';
      await input.onPhase?.('StorePowerState', { restorePowerState });
    }
    if (reached('PowerOffSource')) {
      await input.onPhase?.('PowerOffSource', { restorePowerState });
      await powerOffSource(client, vmRef, { ...(input.signal ? { signal: input.signal } : {}) });
    }
    const disks = diskClaims(input).map((d) => ({
      ...d,
      file: path.join(input.home, 'volumes', ns, d.name, 'disk.img'),
    }));
    if (reached('CreateDataVolumes')) {
      await input.onPhase?.('CreateDataVolumes', { restorePowerState });
      for (const d of disks) mkdirSync(path.dirname(d.file), { recursive: true, mode: 0o700 });
    }
    await input.onPhase?.('CopyDisks', { restorePowerState });
    const reader = new DatastoreReader({
      url: c.url,
      datacenterPath: input.datacenterPath,
      ...(c.caCert ? { caCert: c.caCert } : {}),
      insecureSkipVerify: c.insecureSkipVerify,
      sessionCookie: () => client.sessionCookie,
    });
    const copied: CopiedDisk[] = [];
    try {
      // Finished disks return at once from their checkpoint: re-running CopyDisks is cheap.
      for (const d of disks) {
        const r = await copyVmdk(reader, d.disk.file, d.file, {
          checkpointPath: `${d.file}.checkpoint.json`,
          ...(input.signal ? { signal: input.signal } : {}),
          onProgress: (p) => input.onDiskProgress?.(d.disk.key, p),
        });
        copied.push({
          key: d.disk.key,
          claim: d.name,
          path: d.file,
          sha256: r.sha256,
          bytes: r.bytes,
          sparseBytes: r.sparseBytes,
          resumedFrom: r.resumedFrom,
        });
      }
    } finally {
      reader.close();
    }
    await input.onPhase?.('CreateVM', { restorePowerState });
    const manifest = manifestPath(input);
    const claims: PersistentVolumeClaim[] = disks.map((d) => {
      const pvc = buildPersistentVolumeClaim(d.claim);
      const { generateName: _generated, ...metadata } = pvc.metadata as typeof pvc.metadata & {
        generateName?: string;
      };
      return {
        ...pvc,
        metadata: {
          ...metadata,
          name: d.name,
          annotations: { ...metadata.annotations, 'mtv.konveyor.io/local-image': d.file },
        },
      };
    });
    const vm: VirtualMachine = buildTargetVirtualMachine({
      vm: input.vm,
      plan: input.plan,
      planVM: input.planVM,
      networks: input.networks,
      claims: Object.fromEntries(disks.map((d) => [d.disk.key, d.name])),
      name: targetName(input),
      restorePowerState,
    });
    writeAtomic(manifest, [...claims, vm].map((o) => YAML.stringify(o)).join('---\n'));
    await input.onPhase?.('Completed', { restorePowerState });
    return { restorePowerState, disks: copied, manifest };
  } finally {
    await client.close().catch(() => undefined);
  }
}

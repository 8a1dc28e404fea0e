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
import { buildPersistentVolumeClaim, diskClaimName } from '../planner/data-volume.js';
import { sortDisks } from '../planner/disk-order.js';
import type { PersistentVolumeClaim, VirtualMachine } from '../planner/kubevirt-types.js';
import { normalizeVmName } from '../planner/naming.js';
import { buildTargetVirtualMachine } from '../planner/target-vm.js';
import type { Connection } from '../providers/adapter.js';
import { VSphereClient } from '../providers/vsphere/client.js';
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

/** The concrete claim name of a disk: the template's, with a stable suffix for `generateName`. */
function claimName(input: ColdVmInput, diskIndex: number, disk: VM['disks'][number]): string {
  const meta = diskClaimName({
    vm: input.vm,
    disk,
    diskIndex,
    plan: input.plan,
    planVM: input.planVM,
    storage: input.storage[disk.datastore.id] ?? { storageClass: '' },
    targetVmName: targetName(input),
  });
  if ('name' in meta) return meta.name;
  const suffix = createHash('sha256')
    .update(`${input.plan.metadata.uid ?? input.plan.metadata.name ?? ''}/${input.vm.id}/${String(disk.key)}`)
    .digest('hex')
    .slice(0, 5);
  return `${meta.generateName}${suffix}`;
}

/** The VM's name in KubeVirt: the plan's `targetName`, else the source name made DNS-1123. */
function targetName(input: ColdVmInput): string {
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
export function coldVmTargets(input: Pick<ColdVmInput, 'vm' | 'plan' | 'planVM' | 'storage' | 'home'>): {
  volumeDirs: string[];
  manifest: string;
} {
  const full = input as ColdVmInput;
  const ns = input.plan.spec.targetNamespace || input.plan.metadata.namespace || 'default';
  return {
    volumeDirs: sortDisks(input.vm.disks).map((disk, i) =>
      path.join(input.home, 'volumes', ns, claimName(full, i, disk)),
    ),
    manifest: path.join(input.home, 'manifests', ns, `${targetName(full)}.yaml`),
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
  const client = await VSphereClient.connect({
    url: c.url,
    username: c.username,
    password: c.password,
    ...(c.caCert ? { caCert: c.caCert } : {}),
    insecureSkipVerify: c.insecureSkipVerify,
    ...(input.signal ? { signal: input.signal } : {}),
  });
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
    const disks = sortDisks(input.vm.disks).map((disk, i) => {
      const claim = claimName(input, i, disk);
      return { disk, index: i, claim, file: path.join(input.home, 'volumes', ns, claim, 'disk.img') };
    });
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
          claim: d.claim,
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
    const manifest = path.join(input.home, 'manifests', ns, `${targetName(input)}.yaml`);
    const claims: PersistentVolumeClaim[] = disks.map((d) => {
      const pvc = buildPersistentVolumeClaim({
        vm: input.vm,
        disk: d.disk,
        diskIndex: d.index,
        plan: input.plan,
        planVM: input.planVM,
        storage: input.storage[d.disk.datastore.id] ?? { storageClass: '' },
        targetVmName: targetName(input),
      });
      return {
        ...pvc,
        metadata: {
          ...pvc.metadata,
          name: d.claim,
          annotations: { ...pvc.metadata.annotations, 'mtv.konveyor.io/local-image': d.file },
        },
      };
    });
    for (const p of claims) delete (p.metadata as { generateName?: string }).generateName;
    const vm: VirtualMachine = buildTargetVirtualMachine({
      vm: input.vm,
      plan: input.plan,
      planVM: input.planVM,
      networks: input.networks,
      claims: Object.fromEntries(disks.map((d) => [d.disk.key, d.claim])),
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

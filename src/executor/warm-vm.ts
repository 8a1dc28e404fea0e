/**
 * One VM's warm migration from vSphere, phase by phase, resumable. The source keeps running while
 * precopies fill the target: a snapshot, a full copy, then every precopy interval a new snapshot
 * and a copy of only what Changed Block Tracking reports as changed. At cutover the source is
 * powered off, a final snapshot's changes are copied, and the VirtualMachine is created.
 *
 * Forklift's warm phase names, in order (the `Wait…` phases Forklift polls between are part of the
 * phase before them here, since this runner waits for the vSphere task itself):
 *
 *   [PreHook] → CreateInitialSnapshot → StoreInitialSnapshotDeltas → CreateDataVolumes →
 *   CopyDisks → CopyingPaused → (RemovePreviousSnapshot → CreateSnapshot → StoreSnapshotDeltas →
 *   AddCheckpoint → CopyDisks → CopyingPaused)… → StorePowerState → PowerOffSource →
 *   WaitForPowerOff → RemovePenultimateSnapshot → CreateFinalSnapshot → AddFinalCheckpoint → Finalize →
 *   RemoveFinalSnapshot → CreateVM → [PostHook] → Completed
 *
 * The VM status's `warm` records every precopy (its snapshot, start, end, and each disk's
 * `changeId` as `deltas`): a resumed runner continues from the phase and precopies recorded.
 * Snapshots carry a description naming the migration, the VM and the round, so a snapshot created
 * just before a crash is found again rather than taken twice.
 *
 * Reads go through the datastore `/folder` interface on the disk's base file: while a precopy's
 * snapshot is the VM's only one, the base file holds exactly the snapshot's content (the running
 * VM writes into the delta). A host that refuses reads of a running VM's base disk cannot be
 * migrated warm this way (Forklift reads through VDDK/NBD instead).
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/migrator/base/migrator.go (warmItinerary)
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/migration.go (CopyingPaused, precopies)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { toTime, type Warm } from '../api/index.js';
import type { VSphereClient } from '../providers/vsphere/client.js';
import { connectVsphere } from '../providers/vsphere/connect.js';
import { requestPowerOff, waitForPowerOff } from '../providers/vsphere/power.js';
import {
  ensureSnapshot,
  listSnapshots,
  removeSnapshot,
  snapshotDisks,
  type SnapshotDisk,
} from '../providers/vsphere/snapshots.js';
import type { MoRef } from '../providers/vsphere/values.js';
import {
  createTargetVm,
  diskClaims,
  diskWork,
  targetNamespace,
  type ColdVmInput,
  type ColdVmResult,
  type CopiedDisk,
  type DiskWork,
} from './cold-vm.js';

/** Warm phases this runner records, in itinerary order (the precopy loop repeats the middle). */
export const WarmPhases = [
  'PreHook',
  'CreateInitialSnapshot',
  'StoreInitialSnapshotDeltas',
  'CreateDataVolumes',
  'CopyDisks',
  'CopyingPaused',
  'RemovePreviousSnapshot',
  'CreateSnapshot',
  'StoreSnapshotDeltas',
  'AddCheckpoint',
  'StorePowerState',
  'PowerOffSource',
  'WaitForPowerOff',
  'RemovePenultimateSnapshot',
  'CreateFinalSnapshot',
  'AddFinalCheckpoint',
  'Finalize',
  'RemoveFinalSnapshot',
  'CreateVM',
  'PostHook',
  'Completed',
] as const;
/** One of {@link WarmPhases}. */
export type WarmPhase = (typeof WarmPhases)[number];

/** Inputs of {@link runWarmVm}: the cold runner's, plus the precopy schedule and cutover. */
export interface WarmVmInput extends Omit<ColdVmInput, 'from' | 'onPhase'> {
  /** Resume from this phase (the VM status's). @default 'PreHook' */
  from?: WarmPhase;
  /** The `warm` status recorded by an earlier run. */
  warm?: Warm;
  /** Time between the end of a precopy and the next one, ms (Forklift: 60 minutes). */
  precopyIntervalMs: number;
  /** When this VM cuts over (the Migration's `vmCutover` or `cutover`, read fresh); undefined: not set. */
  cutover: () => Promise<Date | undefined>;
  /** How often CopyingPaused looks at the cutover time, ms. @default 1000 */
  pollMs?: number;
  /** Called when a phase starts, with the `warm` status to record. */
  onPhase?: (phase: WarmPhase, facts: { restorePowerState?: string; warm: Warm }) => Promise<void> | void;
  /** Called when a round's copies finished (round 1 is the full copy), with their results. */
  onCopied?: (round: number, disks: readonly CopiedDisk[]) => Promise<void> | void;
}

/** The description of the VM's precopy snapshot of `round`, which finds it again after a crash. */
export function precopySnapshotDescription(migrationKey: string, vmId: string, round: number): string {
  return `${snapshotPrefix(migrationKey, vmId)}${String(round)}`;
}

function snapshotPrefix(migrationKey: string, vmId: string): string {
  return `mtv warm migration ${migrationKey} of ${vmId}: precopy #`;
}

/**
 * Removes every precopy snapshot this migration took of the VM (after a failure or a cancel: a
 * snapshot left behind grows its delta for ever). Snapshots of anyone else stay.
 * @throws vSphere faults; the signal's reason
 */
export async function removePrecopySnapshots(
  client: VSphereClient,
  vm: MoRef,
  migrationKey: string,
  signal?: AbortSignal,
): Promise<number> {
  const prefix = snapshotPrefix(migrationKey, vm.value);
  const ours = (await listSnapshots(client, vm, signal ? { signal } : {})).filter((s) =>
    s.description.startsWith(prefix),
  );
  for (const s of ours) await removeSnapshot(client, s.snapshot, signal ? { signal } : {});
  return ours.length;
}

/** Where each phase goes next, unless its work decides otherwise (CopyingPaused). */
const nextPhase: Readonly<Record<Exclude<WarmPhase, 'Completed' | 'CopyingPaused'>, WarmPhase>> = {
  PreHook: 'CreateInitialSnapshot',
  CreateInitialSnapshot: 'StoreInitialSnapshotDeltas',
  StoreInitialSnapshotDeltas: 'CreateDataVolumes',
  CreateDataVolumes: 'CopyDisks',
  CopyDisks: 'CopyingPaused',
  RemovePreviousSnapshot: 'CreateSnapshot',
  CreateSnapshot: 'StoreSnapshotDeltas',
  StoreSnapshotDeltas: 'AddCheckpoint',
  AddCheckpoint: 'CopyDisks',
  StorePowerState: 'PowerOffSource',
  PowerOffSource: 'WaitForPowerOff',
  WaitForPowerOff: 'RemovePenultimateSnapshot',
  RemovePenultimateSnapshot: 'CreateFinalSnapshot',
  CreateFinalSnapshot: 'AddFinalCheckpoint',
  AddFinalCheckpoint: 'Finalize',
  Finalize: 'RemoveFinalSnapshot',
  RemoveFinalSnapshot: 'CreateVM',
  CreateVM: 'PostHook',
  PostHook: 'Completed',
};

/**
 * Runs the VM's remaining warm phases.
 * @throws vSphere faults, a disk without a `changeId` (CBT off), transfer, target and builder
 * errors (the reconciler records them, fails the VM and removes the precopy snapshots)
 */
export async function runWarmVm(input: WarmVmInput): Promise<ColdVmResult> {
  const run = new WarmRun(
    input,
    await connectVsphere(input.connection, input.signal ? { signal: input.signal } : {}),
  );
  try {
    let phase: WarmPhase = input.from ?? 'PreHook';
    while (phase !== 'Completed') {
      input.signal?.throwIfAborted();
      phase = await run.step(phase);
    }
    return await run.complete();
  } finally {
    await run.close();
  }
}

/** One VM's warm run: its state, and the work of each phase. */
class WarmRun {
  private readonly vmRef: MoRef;
  private readonly warm: Warm;
  private readonly precopies: NonNullable<Warm['precopies']>;
  private readonly migrationKey: string;
  private readonly disks: DiskWork[];
  private readonly claims: ReturnType<typeof diskClaims>;
  private readonly signalOpt: { signal?: AbortSignal };
  private restorePowerState: string;
  private copied: CopiedDisk[] = [];
  private vmLocation: string | undefined;
  private readonly input: WarmVmInput;
  /** The vSphere session; replaced after each pause (a vCenter session idles out in 30 minutes). */
  private client: VSphereClient;

  constructor(input: WarmVmInput, client: VSphereClient) {
    this.input = input;
    this.client = client;
    this.vmRef = { type: 'VirtualMachine', value: input.vm.id };
    this.warm = structuredClone(
      input.warm ?? { successes: 0, failures: 0, consecutiveFailures: 0, precopies: [] },
    );
    this.precopies = this.warm.precopies ??= [];
    this.migrationKey = input.migrationUid ?? input.plan.metadata.uid ?? input.plan.metadata.name ?? '';
    this.restorePowerState = input.restorePowerState ?? '';
    this.disks = diskWork(input);
    this.claims = diskClaims(this.disks, targetNamespace(input.plan));
    this.signalOpt = input.signal ? { signal: input.signal } : {};
  }

  /** Ends the vSphere session. */
  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  /** A fresh session after a pause: the old one may have idled out on vCenter meanwhile. */
  private async reconnect(): Promise<void> {
    await this.close();
    this.client = await connectVsphere(this.input.connection, this.signalOpt);
  }

  private async record(phase: WarmPhase): Promise<void> {
    const power = this.restorePowerState ? { restorePowerState: this.restorePowerState } : {};
    await this.input.onPhase?.(phase, { ...power, warm: this.warm });
  }

  /** The latest precopy's snapshot. */
  private current(): MoRef {
    const snapshot = this.precopies.at(-1)?.snapshot;
    if (!snapshot)
      throw new Error(
        `VM ${this.input.vm.name}: status.migration.vms[].warm.precopies records no snapshot for this phase; the status was changed by hand or lost: restart the plan`,
      );
    return { type: 'VirtualMachineSnapshot', value: snapshot };
  }

  /** Runs one phase (recording it first); returns the next. */
  async step(phase: Exclude<WarmPhase, 'Completed'>): Promise<WarmPhase> {
    const { input, client, signalOpt } = this;
    if (phase === 'PreHook' || phase === 'PostHook') {
      const hook = input.hooks?.[phase];
      if (hook) {
        await this.record(phase);
        await input.target.runHook(phase, hook, { plan: input.plan, vm: input.vm, ...signalOpt });
      }
      return nextPhase[phase];
    }
    if (phase === 'StorePowerState') {
      const state = await client.vmPowerState(this.vmRef, signalOpt);
      this.restorePowerState = state.powerState === 'poweredOn' ? 'On' : 'Off';
    }
    await this.record(phase);
    switch (phase) {
      case 'CreateInitialSnapshot':
      case 'CreateSnapshot':
      case 'CreateFinalSnapshot': {
        const description = precopySnapshotDescription(
          this.migrationKey,
          input.vm.id,
          this.precopies.length + 1,
        );
        await this.refuseForeignSnapshots();
        // Not aborted midway: a canceled run must not leave a snapshot its cleanup cannot see yet.
        const snapshot = await ensureSnapshot(client, this.vmRef, description);
        this.precopies.push({ start: toTime(new Date()), snapshot: snapshot.value });
        break;
      }
      case 'StoreInitialSnapshotDeltas':
      case 'StoreSnapshotDeltas':
      case 'AddFinalCheckpoint': {
        const found = await snapshotDisks(client, this.current(), signalOpt);
        const last = this.precopies.at(-1);
        if (last)
          last.deltas = this.disks.map((d) => ({
            disk: baseFile(d, found),
            deltaId: changeIdOf(d, found, input.vm.name),
          }));
        break;
      }
      case 'CreateDataVolumes':
        await input.target.createVolumes(this.disks, this.claims);
        break;
      case 'CopyDisks':
      case 'Finalize':
        await this.copy(phase);
        break;
      case 'CopyingPaused': {
        const next = await pause(input, this.warm);
        await this.reconnect();
        return next;
      }
      case 'RemovePreviousSnapshot':
      case 'RemovePenultimateSnapshot':
      case 'RemoveFinalSnapshot':
        await removeSnapshot(client, this.current(), signalOpt);
        break;
      case 'PowerOffSource':
        await requestPowerOff(client, this.vmRef, signalOpt);
        break;
      case 'WaitForPowerOff':
        await waitForPowerOff(client, this.vmRef, signalOpt);
        break;
      case 'CreateVM':
        this.vmLocation = await createTargetVm(input, this.disks, this.claims, this.restorePowerState);
        break;
      case 'AddCheckpoint':
      case 'StorePowerState':
        break;
    }
    return nextPhase[phase];
  }

  /** CopyDisks / Finalize: the latest precopy's copies, then the loop's bookkeeping. */
  private async copy(phase: 'CopyDisks' | 'Finalize'): Promise<void> {
    const round = this.precopies.length;
    this.copied = await copyRound(
      this.input,
      this.client,
      this.vmRef,
      this.current(),
      this.disks,
      this.precopies,
      round,
    );
    const last = this.precopies.at(-1);
    if (last) last.end = toTime(new Date());
    this.warm.successes += 1;
    this.warm.consecutiveFailures = 0;
    if (phase === 'CopyDisks')
      this.warm.nextPrecopyAt = toTime(new Date(Date.now() + this.input.precopyIntervalMs));
    else delete this.warm.nextPrecopyAt;
    await this.input.onCopied?.(round, this.copied);
  }

  /**
   * Fails when the VM has snapshots other than this migration's: reads go to the base disk, which
   * then holds an older snapshot's content, and the changes before ours would be lost.
   * @throws Error naming the snapshots and the fix
   */
  private async refuseForeignSnapshots(): Promise<void> {
    const prefix = snapshotPrefix(this.migrationKey, this.input.vm.id);
    const foreign = (await listSnapshots(this.client, this.vmRef, this.signalOpt)).filter(
      (s) => !s.description.startsWith(prefix),
    );
    if (foreign.length)
      throw new Error(
        `VM ${this.input.vm.name} has snapshots besides this migration's (${foreign.map((s) => `"${s.name}"`).join(', ')}); a warm migration reads the base disk, which would hold the oldest snapshot's content: remove or consolidate them in vSphere and restart the plan, or migrate the VM cold`,
      );
  }

  /** Completed: the result (a run resumed after CreateVM finds the VirtualMachine again). */
  async complete(): Promise<ColdVmResult> {
    this.vmLocation ??= await createTargetVm(this.input, this.disks, this.claims, this.restorePowerState);
    // A snapshot a crash left behind (created twice, or after a cleanup listed) goes too.
    await removePrecopySnapshots(this.client, this.vmRef, this.migrationKey, this.input.signal);
    await this.record('Completed');
    return { restorePowerState: this.restorePowerState, disks: this.copied, vmLocation: this.vmLocation };
  }
}

/** The base file of a disk in a snapshot (its precopy `deltas[].disk`). */
function baseFile(d: DiskWork, found: readonly SnapshotDisk[]): string {
  return found.find((s) => s.key === d.disk.key)?.baseFileName || d.disk.file;
}

/** @throws Error naming the VM and disk when the snapshot carries no change id (CBT off). */
function changeIdOf(d: DiskWork, found: readonly SnapshotDisk[], vmName: string): string {
  const id = found.find((s) => s.key === d.disk.key)?.changeId;
  if (!id)
    throw new Error(
      `VM ${vmName}: disk ${d.disk.file} has no change id in the precopy snapshot; warm migration needs Changed Block Tracking (enable config.changeTrackingEnabled on the VM, or migrate it cold)`,
    );
  return id;
}

/** One precopy round's copies: the full copy in round 1, the changes since the previous round after. */
async function copyRound(
  input: WarmVmInput,
  client: VSphereClient,
  vm: MoRef,
  snapshot: MoRef,
  disks: readonly DiskWork[],
  precopies: NonNullable<Warm['precopies']>,
  round: number,
): Promise<CopiedDisk[]> {
  const found = await snapshotDisks(client, snapshot, input.signal ? { signal: input.signal } : {});
  const files = Object.fromEntries(disks.map((d) => [d.disk.key, baseFile(d, found)]));
  const before = precopies.at(-2);
  const previous = before
    ? Object.fromEntries(
        disks.map((d) => [
          d.disk.key,
          before.deltas?.find((x) => x.disk === files[d.disk.key])?.deltaId ?? '',
        ]),
      )
    : undefined;
  return input.target.copyDisks(disks, {
    connection: input.connection,
    datacenterPath: input.datacenterPath,
    client,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.onDiskProgress ? { onDiskProgress: input.onDiskProgress } : {}),
    precopy: { round, vm, snapshot, files, ...(previous ? { previous } : {}) },
  });
}

/**
 * CopyingPaused: waits until the cutover is due (→ StorePowerState) or the next precopy is
 * (→ RemovePreviousSnapshot), whichever comes first.
 */
async function pause(input: WarmVmInput, warm: Warm): Promise<WarmPhase> {
  const next = warm.nextPrecopyAt ? Date.parse(warm.nextPrecopyAt) : 0;
  for (;;) {
    input.signal?.throwIfAborted();
    const cutover = await input.cutover();
    if (cutover && cutover.getTime() <= Date.now()) return 'StorePowerState';
    if (Date.now() >= next) return 'RemovePreviousSnapshot';
    const wait = Math.min(input.pollMs ?? 1000, Math.max(0, next - Date.now()));
    await sleep(wait, undefined, input.signal ? { signal: input.signal } : {}).catch(() => undefined);
  }
}

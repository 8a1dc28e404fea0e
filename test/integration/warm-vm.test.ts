/**
 * One VM's warm migration to the local target against vcsim, killed at every phase boundary: the
 * runner is stopped the moment it would record a phase (so the status holds the phase before and
 * its `warm` state, as after a controller crash), then resumed from what was recorded. Every run
 * must end with the target byte-identical to the source as the guest last wrote it, the source
 * off, and no precopy snapshot left. The guest writes between precopies, so delta rounds carry
 * real changes.
 *
 * vcsim has snapshots but no Changed Block Tracking: the wrapper's `--fake-cbt` test double answers
 * QueryChangedDiskAreas.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, Warm } from '../../src/api/index.js';
import type { CopiedDisk } from '../../src/executor/cold-vm.js';
import { LocalTarget } from '../../src/executor/local-target.js';
import { runWarmVm, WarmPhases, type WarmPhase, type WarmVmInput } from '../../src/executor/warm-vm.js';
import { InventoryDb } from '../../src/inventory/db.js';
import { indexesFor } from '../../src/inventory/indexes.js';
import { vsphereAdapter } from '../../src/providers/vsphere/adapter.js';
import type { VM } from '../../src/providers/vsphere/model.js';
import type { VSphereClient } from '../../src/providers/vsphere/index.js';
import { restorePowerState } from '../../src/providers/vsphere/power.js';
import { ensureSnapshot, listSnapshots, removeSnapshot } from '../../src/providers/vsphere/snapshots.js';
import {
  datastoreDirectory,
  guestWrites,
  ext4Image,
  placeDiskImage,
  sha256File,
} from '../support/disk-images.js';
import {
  enableChangeTracking,
  startVcsim,
  vcsimConnection,
  vcsimClient,
  type Vcsim,
} from '../support/vcsim.js';
import { until } from '../support/wait.js';

let vc: Vcsim;
let vm: VM;
let client: VSphereClient;
let flat: string;
let bytes: number;
let home: string;
const MiB = 1024 * 1024;

beforeAll(async () => {
  vc = await startVcsim({ vmsPerHost: 1, fakeCbt: true });
  client = await vcsimClient(vc);
  const inventoryVm = async (): Promise<VM> => {
    const db = InventoryDb.open(':memory:', { indexes: indexesFor('vsphere') });
    const collector = vsphereAdapter.startCollector({
      connection: vcsimConnection(vc),
      db,
      onStateChange: () => undefined,
      log: () => undefined,
    });
    await until('inventory parity', () => (collector.state.parity ? true : undefined));
    await collector.stop();
    return db.list('VM', { name: 'DC0_H0_VM0' })[0] as unknown as VM;
  };
  // CBT on, then the inventory read again (vcsim sends no property update for the change).
  await enableChangeTracking(client, (await inventoryVm()).id);
  vm = await inventoryVm();
  expect(vm.changeTrackingEnabled).toBe(true);
  home = mkdtempSync(path.join(tmpdir(), 'mtv-warm-vm-'));
  const image = await ext4Image(home, 'root', 16, 6);
  flat = await placeDiskImage(vc, await datastoreDirectory(vc), vm.disks[0]?.file ?? '', image);
  bytes = image.bytes;
}, 600_000);

afterAll(async () => {
  await client.close();
  await vc.stop();
});

/** What a controller would have recorded in the VM's status. */
interface Recorded {
  phase: WarmPhase;
  warm?: Warm;
  restorePowerState?: string;
}

/**
 * A warm run of the VM that cuts over after two precopies (the guest writes after each), killed
 * the first time it is about to record `killAt` (if given), then resumed from what was recorded.
 */
async function killedAndResumed(killAt: WarmPhase | undefined, run: number) {
  const plan: Plan = {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'Plan',
    metadata: {
      name: `warm-${String(run)}`,
      namespace: 'default',
      uid: `0000000${String(run)}-aaaa-4bbb-8ccc-dddddddddddd`,
    },
    spec: {
      provider: { source: { name: 'vc' }, destination: { name: 'host' } },
      map: { network: { name: 'n' }, storage: { name: 's' } },
      targetNamespace: 'apps',
      type: 'warm',
      vms: [{ id: vm.id, name: vm.name }],
    },
  };
  const recorded: Recorded = { phase: 'PreHook' };
  let killed = false;
  let copies = 0;
  let last: readonly CopiedDisk[] = [];
  const wrote = new Set<number>();
  const input = (): WarmVmInput => ({
    connection: vcsimConnection(vc),
    vm,
    datacenterPath: 'DC0',
    plan,
    planVM: { id: vm.id, name: vm.name },
    networks: Object.fromEntries(vm.nics.map((n) => [n.network.id, { type: 'pod' as const }])),
    storage: Object.fromEntries(vm.disks.map((d) => [d.datastore.id, { storageClass: 'standard' }])),
    target: new LocalTarget(path.join(home, String(run)), 'apps'),
    migrationUid: plan.metadata.uid ?? '',
    from: recorded.phase,
    ...(recorded.warm ? { warm: recorded.warm } : {}),
    ...(recorded.restorePowerState ? { restorePowerState: recorded.restorePowerState } : {}),
    precopyIntervalMs: 0,
    pollMs: 20,
    cutover: () => Promise.resolve(copies >= 2 ? new Date(0) : undefined),
    onPhase: (phase, facts) => {
      if (phase === killAt && !killed) {
        killed = true;
        throw new Error(`killed before recording ${phase}`);
      }
      recorded.phase = phase;
      recorded.warm = structuredClone(facts.warm);
      if (facts.restorePowerState) recorded.restorePowerState = facts.restorePowerState;
    },
    onCopied: (round, disks) => {
      copies = Math.max(copies, round);
      last = disks; // what the controller records in the disk's task
      // The guest goes on writing after each precopy (once per round, also when a round reruns).
      if (round <= 2 && !wrote.has(round)) {
        wrote.add(round);
        guestWrites(flat, round * 3 * MiB + 77, 70_000);
      }
    },
  });
  if (killAt) await expect(runWarmVm(input())).rejects.toThrow(`killed before recording ${killAt}`);
  const result = await runWarmVm(input());
  return { result, recorded, last };
}

describe('warm runner killed at every phase (vcsim with fake CBT, real disk)', () => {
  const killPoints = WarmPhases.filter((p) => p !== 'PreHook' && p !== 'PostHook');
  it.each(killPoints.map((p, i) => [p, i + 1] as const))(
    'killed before recording %s, resumed: identical disk, source off, no snapshot left',
    async (killAt, run) => {
      await restorePowerState(client, { type: 'VirtualMachine', value: vm.id }, 'poweredOn');
      const { result, recorded, last } = await killedAndResumed(killAt, run);
      const sha = await sha256File(flat, bytes);
      // The last round's result (recorded as it finished; a run resumed after it copies nothing).
      expect(last[0]?.sha256).toBe(sha);
      expect(await sha256File(last[0]?.path ?? '')).toBe(sha);
      expect(result.vmLocation).toMatch(/manifests\/apps\/dc0-h0-vm0\.yaml$/);
      expect(recorded.phase).toBe('Completed');
      expect(recorded.warm?.precopies?.length).toBe(3); // two precopies and the final one
      expect((await client.vmPowerState({ type: 'VirtualMachine', value: vm.id })).powerState).toBe(
        'poweredOff',
      );
      expect(await listSnapshots(client, { type: 'VirtualMachine', value: vm.id })).toEqual([]);
    },
    60_000,
  );

  it('refuses a VM that has a snapshot of its own: its base disk would hold that older content', async () => {
    await restorePowerState(client, { type: 'VirtualMachine', value: vm.id }, 'poweredOn');
    const vmRef = { type: 'VirtualMachine', value: vm.id };
    const theirs = await ensureSnapshot(client, vmRef, 'nightly backup');
    try {
      await expect(killedAndResumed(undefined, 99)).rejects.toThrow(
        /has snapshots besides this migration's \("forklift-migration-precopy"\).*remove or consolidate them in vSphere and restart the plan, or migrate the VM cold/,
      );
      expect((await listSnapshots(client, vmRef)).map((x) => x.description)).toEqual(['nightly backup']);
    } finally {
      await removeSnapshot(client, theirs);
    }
  });
});

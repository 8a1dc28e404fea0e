/**
 * Warm migration in local mode against vcsim with real disk content: precopies while the source
 * runs (a snapshot, a full copy, then changed areas only), a cutover that powers the source off and
 * copies the last changes, a controller killed during the precopy loop, and a VM canceled mid-loop.
 *
 * vcsim implements snapshots but not Changed Block Tracking: the wrapper's `--fake-cbt` test double
 * (scripts/vcsim/fake_cbt.go) answers QueryChangedDiskAreas and stamps change ids on snapshot
 * disks; everything else is vcsim's.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Resources, type Plan, type VMStatus } from '../../src/api/index.js';
import type { PersistentVolumeClaim, VirtualMachine } from '../../src/planner/kubevirt-types.js';
import type { VSphereClient } from '../../src/providers/vsphere/index.js';
import { inventoryFilterSpec } from '../../src/providers/vsphere/index.js';
import { asArray, asObject, asString } from '../../src/providers/vsphere/values.js';
import { listSnapshots } from '../../src/providers/vsphere/snapshots.js';
import { ok, runCli, startCli, type CliTarget } from '../support/cli.js';
import {
  datastoreDirectory,
  guestWrites,
  ext4Image,
  placeDiskImage,
  sha256File,
} from '../support/disk-images.js';
import { TestSecrets } from '../support/secrets.js';
import { enableChangeTracking, startVcsim, vcsimClient, type Vcsim } from '../support/vcsim.js';
import { until } from '../support/wait.js';
import { planPhase, providerPhase, vsphereProviderArgs } from '../support/vcsim-provider.js';
import { createStorageClass, startKubeController } from '../support/kube-controller.js';
import { createNamespace, kubeStoreFor } from '../support/testbed.js';

let vc: Vcsim;
let client: VSphereClient;
let t: CliTarget;
let home: string;
let dsDir: string;
/** Source VMs by name: id, the flat extent's local path and the disk's size. */
const sources = new Map<string, { id: string; flat: string; bytes: number }>();
const mtv = (...args: string[]) => ok(t, args);
const plan = async (name: string) => JSON.parse(await mtv('get', 'plan', name, '-o', 'json')) as Plan;
const vmStatus = (p: Plan, name: string) => p.status?.migration?.vms?.find((v) => v.name === name);
const disk = (v: VMStatus | undefined) => v?.pipeline.find((s) => s.name === 'DiskTransfer')?.tasks?.[0];
const vmRef = (name: string) => ({ type: 'VirtualMachine', value: sources.get(name)?.id ?? '' });
const ourSnapshots = async (name: string) =>
  (await listSnapshots(client, vmRef(name))).filter((s) => s.description.startsWith('mtv warm migration'));
const MiB = 1024 * 1024;

/** Checks a completed warm VM: target = source now, precopies recorded, snapshots gone, source off. */
async function expectMigrated(p: Plan, name: string, minPrecopies: number): Promise<VMStatus> {
  const v = vmStatus(p, name);
  const src = sources.get(name);
  expect(v?.conditions?.map((c) => c.type)).toEqual(['Succeeded']);
  const sha = await sha256File(src?.flat ?? '', src?.bytes);
  expect(disk(v)?.annotations?.['mtv.konveyor.io/sha256']).toBe(sha);
  const claim = readdirClaim(v);
  expect(await sha256File(claim)).toBe(sha);
  const precopies = v?.warm?.precopies ?? [];
  expect(precopies.length).toBeGreaterThanOrEqual(minPrecopies);
  for (const pc of precopies) {
    expect(pc.snapshot).toMatch(/^snapshot-\d+$/);
    expect(pc.end).toBeTruthy();
    expect(pc.deltas?.[0]?.deltaId).toMatch(/^[0-9a-f ]+-[0-9a-f ]+\/\d+$/);
  }
  expect(v?.warm?.successes).toBe(precopies.length);
  expect(v?.pipeline.map((s) => [s.name, s.phase])).toEqual([
    ['Initialize', 'Completed'],
    ['DiskTransfer', 'Completed'],
    ['Cutover', 'Completed'],
    ['VirtualMachineCreation', 'Completed'],
  ]);
  expect(v?.restorePowerState).toBe('On');
  expect((await client.vmPowerState(vmRef(name))).powerState).toBe('poweredOff');
  expect(await ourSnapshots(name)).toEqual([]);
  return v as VMStatus;
}

/** The local volume of a VM's (only) disk. */
function readdirClaim(v: VMStatus | undefined): string {
  const manifest = readFileSync(
    path.join(home, 'manifests', 'warm', `${(v?.name ?? '').toLowerCase().replace(/_/g, '-')}.yaml`),
    'utf8',
  );
  const image = /mtv\.konveyor\.io\/local-image: (\S+)/.exec(manifest)?.[1];
  if (!image) throw new Error(`no local image in the manifest of ${v?.name ?? ''}`);
  return image;
}

async function restartController(env: Record<string, string>): Promise<void> {
  await runCli(t, ['controller', 'stop']);
  t = { ...t, env: { ...t.env, ...env } };
}

beforeAll(async () => {
  vc = await startVcsim({ password: TestSecrets.vspherePassword, vmsPerHost: 5, fakeCbt: true });
  client = await vcsimClient(vc);
  home = mkdtempSync(path.join(tmpdir(), 'mtv-warm-'));
  t = {
    mode: 'local',
    env: {
      MTV_HOME: home,
      HOME: home,
      MTV_AUTO_CONTROLLER: '1',
      MTV_CONTROLLER_IDLE_EXIT: '120',
      MTV_PRECOPY_INTERVAL: '0.03', // 1.8 s between precopies
    },
    namespace: 'default',
  };
  writeFileSync(path.join(home, 'pw'), vc.password, { mode: 0o600 });
  dsDir = await datastoreDirectory(vc);
  // CBT is turned on before the provider exists: vcsim's ReconfigVM sends no property update for
  // config.changeTrackingEnabled, so a running inventory would not see it (a real vCenter does).
  const found = await client.retrieveProperties(
    inventoryFilterSpec(client.serviceContent.rootFolder, [
      { type: 'VirtualMachine', pathSet: ['name', 'config.hardware.device'] },
    ]),
  );
  for (const o of found) {
    const name = asString(o.props.name) ?? '';
    if (!name.startsWith('DC0_H0_')) continue;
    const backing = asArray(o.props['config.hardware.device'])
      .map((d) => asObject(d))
      .find((d) => d?._type === 'VirtualDisk')?.backing;
    const file = asString(asObject(backing)?.fileName) ?? '';
    const image = await ext4Image(home, name, 16, 6);
    sources.set(name, {
      id: o.obj.value,
      flat: await placeDiskImage(vc, dsDir, file, image),
      bytes: image.bytes,
    });
    await enableChangeTracking(client, o.obj.value);
  }
  expect(sources.size).toBe(5);
  await mtv('create', 'provider', 'host', '--type', 'openshift');
  await mtv(...vsphereProviderArgs('vc', vc, path.join(home, 'pw')));
  await providerPhase(t, 'vc', 'Ready');
  const cbt = await mtv(
    'get',
    'inventory',
    'vm',
    'vc',
    '-q',
    "select name, changeTrackingEnabled where name like 'DC0_H0%' order by name",
  );
  expect(cbt.match(/\btrue\b/g)).toHaveLength(5);
}, 600_000);

afterAll(async () => {
  await runCli(t, ['controller', 'stop']);
  await client.close();
  await vc.stop();
});

describe('warm migration in local mode (vcsim with fake CBT, real disks)', () => {
  it('precopies while the source runs, then cuts over: identical disks, snapshots removed, source off', async () => {
    await mtv(
      'create',
      'plan',
      'loop',
      '--source',
      'vc',
      '--migration-type',
      'warm',
      '--vms',
      'DC0_H0_VM0,DC0_H0_VM1',
      '--default-target-storage-class',
      'standard',
      '--target-namespace',
      'warm',
    );
    await planPhase(t, 'loop', 'Ready');
    const before = Date.now();
    const started = await mtv('start', 'plan', 'loop');
    const at = /cutover at (\S+)\)/.exec(started)?.[1] ?? '';
    // Forklift's default cutover for a warm plan: one hour from now.
    expect(Date.parse(at) - before).toBeGreaterThan(3_590_000);
    expect(Date.parse(at) - before).toBeLessThan(3_700_000);
    // Three precopies each (a full copy, then two delta rounds) while the sources keep running.
    await until(
      'three precopies per VM',
      async () => {
        const p = await plan('loop');
        if (p.status?.phase === 'Failed')
          throw new Error(JSON.stringify(p.status.migration?.vms?.map((v) => v.error)));
        return p.status?.migration?.vms?.every((v) => (v.warm?.successes ?? 0) >= 3) ? p : undefined;
      },
      { timeoutMs: 120_000 },
    );
    expect((await client.vmPowerState(vmRef('DC0_H0_VM0'))).powerState).toBe('poweredOn');
    // At most one precopy snapshot per VM exists at any time (the previous is removed first).
    expect((await ourSnapshots('DC0_H0_VM0')).length).toBeLessThanOrEqual(1);
    guestWrites(sources.get('DC0_H0_VM0')?.flat ?? '', 5 * MiB + 10, 100_000);
    expect(await mtv('cutover', 'plan', 'loop')).toMatch(
      /^migration\/loop-\w+ patched \(plan\/loop cuts over at \S+\)\n$/,
    );
    const done = await planPhase(t, 'loop', 'Succeeded', 180_000);
    await expectMigrated(done, 'DC0_H0_VM0', 4);
    const untouched = await expectMigrated(done, 'DC0_H0_VM1', 4);
    // Nothing wrote VM1's disk after the first copy: its last round read nothing.
    expect(disk(untouched)?.annotations?.['mtv.konveyor.io/copied-bytes']).toBe('0');
  });

  it('a controller killed in the precopy loop resumes; the final round copies only what changed; cancel cleans up', async () => {
    // A long interval: only the first (full) precopy runs before the cutover.
    await restartController({ MTV_PRECOPY_INTERVAL: '60' });
    await mtv(
      'create',
      'plan',
      'once',
      '--source',
      'vc',
      '--migration-type',
      'warm',
      '--vms',
      'DC0_H0_VM2,DC0_H0_VM3',
      '--default-target-storage-class',
      'standard',
      '--target-namespace',
      'warm',
    );
    await planPhase(t, 'once', 'Ready');
    await mtv('start', 'plan', 'once', '--cutover', '2099-01-01T00:00:00Z');
    await until(
      'first precopy done',
      async () => {
        const p = await plan('once');
        return p.status?.migration?.vms?.every((v) => v.phase === 'CopyingPaused') ? p : undefined;
      },
      { timeoutMs: 120_000 },
    );
    await runCli(t, ['controller', 'stop']);
    // While no controller runs, the guest writes 100,000 bytes from 5 MiB + 10: two 64 KiB blocks.
    guestWrites(sources.get('DC0_H0_VM2')?.flat ?? '', 5 * MiB + 10, 100_000);
    await mtv('cancel', 'plan', 'once', '--vms', 'DC0_H0_VM3'); // starts a controller again
    await until(
      'VM3 canceled',
      async () => {
        const v = vmStatus(await plan('once'), 'DC0_H0_VM3');
        return v?.conditions?.some((c) => c.type === 'Canceled') ? v : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(await ourSnapshots('DC0_H0_VM3')).toEqual([]);
    expect((await client.vmPowerState(vmRef('DC0_H0_VM3'))).powerState).toBe('poweredOn');
    // get plans -w shows the CUTOVER of the running Migration, and follows `cutover plan`.
    const watching = startCli(t, ['get', 'plans', '-w']);
    await watching.waitFor(/once\s.*2099-01-01T00:00:00Z/);
    const moved = /cuts over at (\S+)\)/.exec(await mtv('cutover', 'plan', 'once'))?.[1] ?? 'none';
    await watching.waitFor(new RegExp(`once\\s.*${moved}`), 30_000);
    watching.child.kill();
    const done = await planPhase(t, 'once', 'Succeeded', 180_000);
    const v = await expectMigrated(done, 'DC0_H0_VM2', 2);
    expect(v.warm?.precopies).toHaveLength(2);
    expect(disk(v)?.annotations?.['mtv.konveyor.io/copied-bytes']).toBe(String(2 * 65536));
  });

  it('refuses --cutover on a cold plan and a malformed time, naming the flag', async () => {
    await mtv(
      'create',
      'plan',
      'cold',
      '--source',
      'vc',
      '--vms',
      'DC0_H0_VM0',
      '--target-namespace',
      'warm',
      '--default-target-storage-class',
      'standard',
    );
    const cold = await runCli(t, ['start', 'plan', 'cold', '--cutover', '2099-01-01T00:00:00Z']);
    expect(cold.code).not.toBe(0);
    expect(cold.stderr).toMatch(/plan cold is cold: --cutover applies to warm plans/);
    const bad = await runCli(t, ['cutover', 'plan', 'loop', '--cutover', 'tomorrow']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--cutover.*must be an RFC 3339 time with a zone/);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('warm migration in cluster mode (real API server; the controller copies in-process)', () => {
  it('precopies, cuts over: the claim holds the final round, the VirtualMachine exists', async () => {
    const kubeconfig = inject('kubeconfig');
    const ns = await createNamespace(kubeconfig, 'warm');
    const kubeHome = mkdtempSync(path.join(tmpdir(), 'mtv-warm-kube-'));
    const controller = await startKubeController(kubeconfig, ns, kubeHome, { MTV_PRECOPY_INTERVAL: '0.03' });
    const k = controller.target;
    const kmtv = (...args: string[]) => ok(k, args);
    const kplan = async () => JSON.parse(await kmtv('get', 'plan', 'kwarm', '-o', 'json')) as Plan;
    try {
      await createStorageClass(kubeconfig, `std-${ns}`);
      writeFileSync(path.join(kubeHome, 'pw'), vc.password, { mode: 0o600 });
      await kmtv('create', 'provider', 'host', '--type', 'openshift');
      await kmtv(...vsphereProviderArgs('vc', vc, path.join(kubeHome, 'pw')));
      await providerPhase(k, 'vc', 'Ready');
      await kmtv(
        'create',
        'plan',
        'kwarm',
        '--source',
        'vc',
        '--migration-type',
        'warm',
        '--vms',
        'DC0_H0_VM4',
        '--default-target-storage-class',
        `std-${ns}`,
      );
      await planPhase(k, 'kwarm', 'Ready', 60_000);
      await kmtv('start', 'plan', 'kwarm');
      await until(
        'two precopies',
        async () => {
          const p = await kplan();
          if (p.status?.phase === 'Failed')
            throw new Error(JSON.stringify(p.status.migration?.vms?.map((v) => v.error)));
          return (vmStatus(p, 'DC0_H0_VM4')?.warm?.successes ?? 0) >= 2 ? p : undefined;
        },
        { timeoutMs: 120_000 },
      );
      guestWrites(sources.get('DC0_H0_VM4')?.flat ?? '', 7 * MiB + 5, 50_000);
      await kmtv('cutover', 'plan', 'kwarm');
      const done = await planPhase(k, 'kwarm', 'Succeeded', 180_000);
      const v = vmStatus(done, 'DC0_H0_VM4');
      const src = sources.get('DC0_H0_VM4');
      const sha = await sha256File(src?.flat ?? '', src?.bytes);
      expect(disk(v)?.annotations?.['mtv.konveyor.io/sha256']).toBe(sha);
      const store = kubeStoreFor(kubeconfig);
      const claims = (
        await store.list<PersistentVolumeClaim>(Resources.PersistentVolumeClaim, { namespace: ns })
      ).items;
      expect(claims).toHaveLength(1);
      const claim = claims[0] as PersistentVolumeClaim;
      const precopies = v?.warm?.precopies ?? [];
      expect(
        JSON.parse(claim.metadata.annotations?.['mtv.konveyor.io/transfer-result'] ?? '{}'),
      ).toMatchObject({
        sha256: sha,
        round: precopies.length,
        snapshot: precopies.at(-1)?.snapshot,
      });
      expect(
        await sha256File(path.join(kubeHome, 'volumes', ns, claim.metadata.name ?? '', 'disk.img')),
      ).toBe(sha);
      const vms = (await store.list<VirtualMachine>(Resources.VirtualMachine, { namespace: ns })).items;
      expect(vms.map((x) => x.metadata.name)).toEqual(['dc0-h0-vm4']);
      expect(await ourSnapshots('DC0_H0_VM4')).toEqual([]);
      expect((await client.vmPowerState(vmRef('DC0_H0_VM4'))).powerState).toBe('poweredOff');
    } finally {
      controller.stop();
    }
  });
});

/**
 * The Job executor of cluster mode against the real API server and vcsim: a transfer Job per disk
 * whose pod runs `mtv transfer disk`. The test control plane runs no pods, so the test plays the
 * kubelet and the Job controller — a test double for the two components the control plane lacks,
 * named as such: it runs the Job's own command line with the Secret and the claim mounted as
 * directories, then writes the Pod and Job status those components would write. Everything the
 * executor itself reads and writes is a real API object. (The whole migration in cluster mode,
 * with the in-process executor, is in main-job.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NotFoundError, Resources, type Hook, type Plan, type Secret } from '../../src/api/index.js';
import YAML from 'yaml';
import { secretStrings } from '../../src/controller/connection.js';
import { diskClaims, diskWork, type DiskWork } from '../../src/executor/cold-vm.js';
import { KubeTarget, TransferResultAnnotation } from '../../src/executor/kube-target.js';
import { transferJobName, TransferPaths, type Job } from '../../src/executor/transfer-job.js';
import { hookJobName, type ConfigMap } from '../../src/executor/hook-job.js';
import { InventoryDb } from '../../src/inventory/db.js';
import { indexesFor } from '../../src/inventory/indexes.js';
import { diskClaimLabels } from '../../src/planner/data-volume.js';
import type { PersistentVolumeClaim } from '../../src/planner/kubevirt-types.js';
import { vsphereAdapter } from '../../src/providers/vsphere/adapter.js';
import type { VM } from '../../src/providers/vsphere/model.js';
import type { VSphereClient } from '../../src/providers/vsphere/index.js';
import { ensureSnapshot, removeSnapshot, snapshotDisks } from '../../src/providers/vsphere/snapshots.js';
import type { MoRef } from '../../src/providers/vsphere/values.js';
import {
  datastoreDirectory,
  fillVmDisks,
  flatExtentPath,
  sha256File,
  type DiskImage,
  guestWrites,
} from '../support/disk-images.js';
import { createNamespace, kubeStoreFor, repoRoot } from '../support/testbed.js';
import {
  enableChangeTracking,
  startVcsim,
  vcsimConnection,
  vcsimClient,
  type Vcsim,
} from '../support/vcsim.js';
import { until } from '../support/wait.js';

const run = promisify(execFile);
const bin = path.join(repoRoot, 'dist/mtv.js');

let vc: Vcsim;
let kubeconfig: string;
let ns: string;
let home: string;
let images: Map<string, DiskImage>;
let inventory: VM[];

beforeAll(async () => {
  kubeconfig = inject('kubeconfig');
  ns = await createNamespace(kubeconfig, 'xfer');
  home = mkdtempSync(path.join(tmpdir(), 'mtv-kube-job-'));
  vc = await startVcsim({ vmsPerHost: 1, disksPerVm: 2, fakeCbt: true });
  const db = InventoryDb.open(':memory:', { indexes: indexesFor('vsphere') });
  const collector = vsphereAdapter.startCollector({
    connection: vcsimConnection(vc),
    db,
    onStateChange: () => undefined,
    log: () => undefined,
  });
  await until('inventory parity', () => (collector.state.parity ? true : undefined));
  inventory = db.list('VM', { name: 'DC0_H0_VM0' }) as unknown as VM[];
  await collector.stop();
  images = await fillVmDisks(vc, home, inventory);
}, 600_000);

afterAll(async () => {
  await vc.stop();
});

/**
 * Kubelet and Job-controller stand-in (the test control plane runs neither): creates the Job's pod
 * with its container terminated as given, then writes the Job's status as the Job controller would.
 */
async function finishJob(
  namespace: string,
  job: string,
  container: string,
  terminated: { exitCode: number; message?: string },
): Promise<void> {
  const store = kubeStoreFor(kubeconfig);
  const ok = terminated.exitCode === 0;
  const pod = await store.create(Resources.Pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${job}-${ok ? 'ok' : 'failed'}`, namespace, labels: { 'job-name': job } },
    spec: { containers: [{ name: container, image: 'stand-in' }] },
  });
  await store.updateStatus(Resources.Pod, {
    ...pod,
    status: {
      phase: ok ? 'Succeeded' : 'Failed',
      containerStatuses: [
        {
          name: container,
          image: 'stand-in',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated },
        },
      ],
    },
  });
  const current = await store.get<Job>(Resources.Job, namespace, job);
  const now = new Date().toISOString();
  await store.updateStatus(Resources.Job, {
    ...current,
    status: {
      ...(ok ? { succeeded: 1, completionTime: now } : { failed: 1 }),
      startTime: now,
      conditions: ok
        ? [
            { type: 'SuccessCriteriaMet', status: 'True' },
            { type: 'Complete', status: 'True' },
          ]
        : [
            { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' },
            { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' },
          ],
    },
  });
}

/**
 * A one-VM plan in the test namespace, its disks' work, and a KubeTarget with the Job executor
 * (labels of migration `migrationUid`; transfer image `registry.example/mtv:test`).
 */
function jobExecutor(
  vm: VM,
  o: { name: string; uid: string; migrationUid: string; spec: Partial<Plan['spec']> },
): { plan: Plan; disks: DiskWork[]; target: KubeTarget } {
  const plan: Plan = {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'Plan',
    metadata: { name: o.name, namespace: ns, uid: o.uid },
    spec: {
      provider: { source: { name: 'vc' }, destination: { name: 'host' } },
      map: { network: { name: 'n' }, storage: { name: 's' } },
      targetNamespace: ns,
      pvcNameTemplateUseGenerateName: false,
      vms: [{ id: vm.id, name: vm.name }],
      ...o.spec,
    },
  };
  const disks = diskWork({
    vm,
    plan,
    planVM: { id: vm.id },
    storage: Object.fromEntries(vm.disks.map((d) => [d.datastore.id, { storageClass: `std-${ns}` }])),
  });
  const target = new KubeTarget({
    store: kubeStoreFor(kubeconfig),
    namespace: ns,
    labels: diskClaimLabels({ vm, plan, migrationUid: o.migrationUid }),
    executor: 'job',
    volumesDir: path.join(home, 'unused'),
    job: { image: 'registry.example/mtv:test' },
    pollMs: 100,
  });
  return { plan, disks, target };
}

/**
 * Kubelet stand-in: mounts the Job's Secret and `claimDir` (the claim) as directories and runs the
 * container's own args with the built CLI.
 * @returns its stdout and termination message
 */
async function runTransferPod(
  store: ReturnType<typeof kubeStoreFor>,
  job: Job,
  claimDir: string,
): Promise<{ stdout: string; termination: string; args: string[] }> {
  const pod = (job.spec.template as { spec: PodSpec }).spec;
  const container = pod.containers[0] as PodSpec['containers'][number];
  const secretName = pod.volumes.find((v) => v.secret)?.secret?.secretName ?? '';
  const secret = await store.get<Secret>(Resources.Secret, job.metadata.namespace ?? '', secretName);
  const root = mkdtempSync(path.join(tmpdir(), 'mtv-pod-'));
  const mounts: Record<string, string> = {
    [TransferPaths.credentials]: path.join(root, 'source'),
    [TransferPaths.filesystem]: claimDir,
    '/dev/termination-log': path.join(root, 'termination-log'),
  };
  mkdirSync(path.join(root, 'source'));
  for (const [k, v] of Object.entries(secretStrings(secret))) writeFileSync(path.join(root, 'source', k), v);
  const args = container.args.map((a) =>
    Object.entries(mounts).reduce((s, [from, to]) => (s.startsWith(from) ? to + s.slice(from.length) : s), a),
  );
  const out = await run(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' } });
  return {
    stdout: out.stdout,
    termination: readFileSync(path.join(root, 'termination-log'), 'utf8'),
    args: container.args,
  };
}

describe('the Job executor (the test plays kubelet and Job controller)', () => {
  it('creates a transfer Job per disk whose own command copies the disk; records the result and cleans up', async () => {
    const store = kubeStoreFor(kubeconfig);
    const vm = inventory[0] as VM;
    const { plan, disks, target } = jobExecutor(vm, {
      name: 'jobs',
      uid: '0b5e7a52-0000-4000-8000-00000000a0b5',
      migrationUid: 'm-1',
      spec: { pvcNameTemplate: '{{.PlanName}}-{{.VmName | lower | replace "_" "-"}}-{{.DiskIndex}}' },
    });
    await target.createVolumes(disks, diskClaims(disks, ns));
    const client = await vcsimClient(vc);
    const copying = target.copyDisks(disks, {
      connection: vcsimConnection(vc),
      datacenterPath: 'DC0',
      client,
    });
    for (const d of disks) {
      const job = await until('the transfer Job', () =>
        store.get<Job>(Resources.Job, ns, transferJobName(d.name)).catch((e: unknown) => {
          if (e instanceof NotFoundError) return undefined;
          throw e;
        }),
      );
      expect(job.metadata.labels).toMatchObject({ plan: plan.metadata.uid, migration: 'm-1', vmID: vm.id });
      const pod = (job.spec.template as { spec: PodSpec }).spec;
      const container = pod.containers[0] as PodSpec['containers'][number];
      expect(container.image).toBe('registry.example/mtv:test');
      expect(JSON.stringify(job)).not.toContain(vc.password);
      const claimDir = mkdtempSync(path.join(tmpdir(), 'mtv-claim-'));
      const out = await runTransferPod(store, job, claimDir);
      expect(out.stdout).toMatch(/"bytesDone":\d+/);
      const image = images.get(`${vm.id}/${String(d.disk.key)}`);
      expect(await sha256File(path.join(claimDir, 'disk.img'))).toBe(image?.sha256);
      // Job-controller stand-in: the pod and the Job's status as they would report success.
      await finishJob(ns, job.metadata.name ?? '', 'transfer', { exitCode: 0, message: out.termination });
    }
    const copied = await copying;
    await client.close();
    for (const c of copied) expect(c.sha256).toBe(images.get(`${vm.id}/${String(c.key)}`)?.sha256);
    for (const d of disks) {
      const pvc = await store.get<PersistentVolumeClaim>(Resources.PersistentVolumeClaim, ns, d.name);
      expect(JSON.parse(pvc.metadata.annotations?.[TransferResultAnnotation] ?? '{}')).toMatchObject({
        sha256: images.get(`${vm.id}/${String(d.disk.key)}`)?.sha256,
      });
      await expect(store.get(Resources.Job, ns, transferJobName(d.name))).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
    const secrets = await store.list<Secret>(Resources.Secret, {
      namespace: ns,
      labelSelector: 'mtv.konveyor.io/transfer',
    });
    expect(secrets.items).toEqual([]);
    // A rerun reads the results from the claims: no Job again.
    const again = await target.copyDisks(disks, {
      connection: { url: vc.url, username: '', password: '', insecureSkipVerify: false, settings: {} },
      datacenterPath: 'DC0',
      client: undefined as unknown as VSphereClient,
    });
    expect(again.map((c) => c.resumedFrom)).toEqual(again.map((c) => c.bytes));
    await target.remove(disks, 'unused');
    // Claims carry the pvc-protection finalizer, which no controller here removes: deleted means
    // gone or marked for deletion.
    for (const d of disks) {
      const left = await store
        .get<PersistentVolumeClaim>(Resources.PersistentVolumeClaim, ns, d.name)
        .catch((e: unknown) => {
          if (e instanceof NotFoundError) return undefined;
          throw e;
        });
      expect(left === undefined || !!left.metadata.deletionTimestamp).toBe(true);
    }
  });
});

describe('warm precopy rounds with the Job executor (the test plays kubelet and Job controller)', () => {
  it('runs a delta round as its own Job: the pod queries the changed areas and writes only those', async () => {
    const store = kubeStoreFor(kubeconfig);
    const vm = inventory[0] as VM;
    const vmRef = { type: 'VirtualMachine', value: vm.id };
    const client = await vcsimClient(vc);
    await enableChangeTracking(client, vm.id);
    const { disks, target } = jobExecutor(vm, {
      name: 'warmjobs',
      uid: '0b5e7a52-0000-4000-8000-00000000c0b7',
      migrationUid: 'm-2',
      spec: { type: 'warm', pvcNameTemplate: '{{.PlanName}}-{{.DiskIndex}}' },
    });
    await target.createVolumes(disks, diskClaims(disks, ns));
    const connection = vcsimConnection(vc);
    const claimDirs = new Map(disks.map((d) => [d.name, mkdtempSync(path.join(tmpdir(), 'mtv-claim-'))]));
    /** One precopy round: the executor's Jobs, each run by the kubelet stand-in. */
    const round = async (n: number, snapshot: MoRef, previous?: Record<number, string>) => {
      const found = await snapshotDisks(client, snapshot);
      const copying = target.copyDisks(disks, {
        connection,
        datacenterPath: 'DC0',
        client,
        precopy: {
          round: n,
          vm: vmRef,
          snapshot,
          files: Object.fromEntries(found.map((f) => [f.key, f.baseFileName])),
          ...(previous ? { previous } : {}),
        },
      });
      const args: string[][] = [];
      for (const d of disks) {
        const job = await until('the transfer Job', () =>
          store.get<Job>(Resources.Job, ns, transferJobName(d.name, n)).catch((e: unknown) => {
            if (e instanceof NotFoundError) return undefined;
            throw e;
          }),
        );
        expect(JSON.stringify(job)).not.toContain(vc.password);
        const out = await runTransferPod(store, job, claimDirs.get(d.name) ?? '');
        args.push(out.args);
        await finishJob(ns, job.metadata.name ?? '', 'transfer', { exitCode: 0, message: out.termination });
      }
      return { copied: await copying, args, found };
    };
    const snap1 = await ensureSnapshot(client, vmRef, 'mtv test round 1');
    const r1 = await round(1, snap1);
    for (const c of r1.copied) expect(c.sha256).toBe(images.get(`${vm.id}/${String(c.key)}`)?.sha256);
    // The guest writes 100,000 bytes into its first disk at 5 MiB + 10: two 64 KiB blocks.
    const first = disks[0] as DiskWork;
    const flat = flatExtentPath(await datastoreDirectory(vc), first.disk.file);
    guestWrites(flat, 5 * 1024 * 1024 + 10, 100_000);
    await removeSnapshot(client, snap1);
    const snap2 = await ensureSnapshot(client, vmRef, 'mtv test round 2');
    const previous = Object.fromEntries(r1.found.map((f) => [f.key, f.changeId]));
    const r2 = await round(2, snap2, previous);
    expect(r2.args[0]).toEqual(
      expect.arrayContaining([
        '--round',
        '2',
        '--snapshot',
        snap2.value,
        '--change-id',
        previous[first.disk.key],
      ]),
    );
    const byKey = new Map(r2.copied.map((c) => [c.key, c]));
    const size = images.get(`${vm.id}/${String(first.disk.key)}`)?.bytes;
    expect(byKey.get(first.disk.key)?.copiedBytes).toBe(2 * 65536);
    expect(byKey.get(first.disk.key)?.sha256).toBe(await sha256File(flat, size));
    expect(await sha256File(path.join(claimDirs.get(first.name) ?? '', 'disk.img'))).toBe(
      await sha256File(flat, size),
    );
    const second = disks[1] as DiskWork;
    expect(byKey.get(second.disk.key)?.copiedBytes).toBe(0);
    expect(byKey.get(second.disk.key)?.sha256).toBe(
      images.get(`${vm.id}/${String(second.disk.key)}`)?.sha256,
    );
    for (const d of disks) {
      const pvc = await store.get<PersistentVolumeClaim>(Resources.PersistentVolumeClaim, ns, d.name);
      expect(JSON.parse(pvc.metadata.annotations?.[TransferResultAnnotation] ?? '{}')).toMatchObject({
        round: 2,
      });
    }
    // The same round again (a resumed controller): the claims' results of round 2 count, no new Job.
    const files = Object.fromEntries(r2.found.map((f) => [f.key, f.baseFileName]));
    const again = await target.copyDisks(disks, {
      connection,
      datacenterPath: 'DC0',
      client,
      precopy: { round: 2, vm: vmRef, snapshot: snap2, files, previous },
    });
    expect(again.map((c) => c.sha256)).toEqual(r2.copied.map((c) => c.sha256));
    const jobs = await store.list<Job>(Resources.Job, {
      namespace: ns,
      labelSelector: 'mtv.konveyor.io/transfer=disk',
    });
    expect(jobs.items.map((j) => j.metadata.name)).toEqual([]);
    await removeSnapshot(client, snap2);
    await target.remove(disks, 'unused');
    await client.close();
  });
});

interface PodSpec {
  containers: { image: string; args: string[] }[];
  volumes: { name: string; secret?: { secretName: string } }[];
}

describe('hooks in cluster mode (the test plays the Job controller)', () => {
  it('runs a PreHook as a Job with the plan, workload and playbook mounted; its failure fails the step', async () => {
    const store = kubeStoreFor(kubeconfig);
    const vm = inventory[0] as VM;
    const plan: Plan = {
      apiVersion: 'forklift.konveyor.io/v1beta1',
      kind: 'Plan',
      metadata: { name: 'hooked', namespace: ns, uid: '0b5e7a52-0000-4000-8000-00000000h00k' },
      spec: {
        provider: { source: { name: 'vc' }, destination: { name: 'host' } },
        map: { network: { name: 'n' }, storage: { name: 's' } },
        targetNamespace: ns,
        vms: [{ id: vm.id, name: vm.name, hooks: [{ hook: { name: 'quiesce' }, step: 'PreHook' }] }],
      },
    };
    const playbook = '- hosts: localhost\n  tasks:\n    - debug: { msg: quiescing }\n';
    const hook: Hook = {
      apiVersion: 'forklift.konveyor.io/v1beta1',
      kind: 'Hook',
      metadata: { name: 'quiesce', namespace: ns },
      spec: {
        image: 'quay.io/kubev2v/hook-runner',
        playbook: Buffer.from(playbook).toString('base64'),
        serviceAccount: 'hook-runner',
        deadline: 300,
      },
    };
    const target = new KubeTarget({
      store,
      namespace: ns,
      labels: diskClaimLabels({ vm, plan, migrationUid: 'm-2' }),
      executor: 'in-process',
      volumesDir: path.join(home, 'unused'),
      pollMs: 100,
    });
    const name = hookJobName(plan.metadata.uid ?? '', vm.id, 'PreHook');
    const finish = async (outcome: 'Complete' | 'Failed') => {
      const job = await until('the hook Job', () =>
        store.get<Job>(Resources.Job, ns, name).catch((e: unknown) => {
          if (e instanceof NotFoundError) return undefined;
          throw e;
        }),
      );
      await finishJob(
        ns,
        name,
        'hook',
        outcome === 'Complete'
          ? { exitCode: 0 }
          : { exitCode: 2, message: 'TASK [quiesce the database] fatal: connection refused' },
      );
      return job;
    };
    const failing = target.runHook('PreHook', hook, { plan, vm });
    const job = await finish('Failed');
    await expect(failing).rejects.toThrow(
      'PreHook quiesce failed: TASK [quiesce the database] fatal: connection refused',
    );
    const spec = job.spec as {
      activeDeadlineSeconds?: number;
      template: { spec: { serviceAccountName?: string; containers: { image: string }[] } };
    };
    expect(spec.activeDeadlineSeconds).toBe(300);
    expect(spec.template.spec.serviceAccountName).toBe('hook-runner');
    expect(job.metadata.labels).toMatchObject({ plan: plan.metadata.uid, vmID: vm.id, step: 'PreHook' });
    const cm = await store.get<ConfigMap>(Resources.ConfigMap, ns, name);
    expect(cm.data['playbook.yml']).toBe(playbook);
    expect((YAML.parse(cm.data['workload.yml'] ?? '') as VM).id).toBe(vm.id);
    expect((YAML.parse(cm.data['plan.yml'] ?? '') as Plan).metadata.name).toBe('hooked');
    // A retry after the user fixed things: the failed Job is replaced by a fresh run once removed.
    await target.remove([], 'none');
    await until('the failed Job gone', () =>
      store.get(Resources.Job, ns, name).then(
        () => undefined,
        (e: unknown) => (e instanceof NotFoundError ? true : undefined),
      ),
    );
    const passing = target.runHook('PreHook', hook, { plan, vm });
    await finish('Complete');
    await passing;
    await expect(store.get(Resources.ConfigMap, ns, name)).rejects.toBeInstanceOf(NotFoundError);
  });
});

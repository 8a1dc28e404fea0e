/**
 * Plan progress through the built CLI, in local mode and against the real kube-apiserver: a plan
 * whose status is written as mtv's controller writes it mid-run (no controller runs here), read
 * by `get plans`, `get plan --vms/--disk`, `describe plan [--vm]`, and followed with `-w` while
 * the status changes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Resources } from '../../src/api/index.js';
import type { Migration, Plan } from '../../src/api/index.js';
import {
  networkMap,
  runningMigration,
  runningPlan,
  storageMap,
} from '../../src/cli/resources/plan.fixture.js';
import { LocalStore } from '../../src/store/local-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { ok, runCli, startCli, type CliTarget } from '../support/cli.js';
import { createNamespace, kubeStoreFor } from '../support/testbed.js';

interface Mode {
  name: 'local' | 'kube';
  setup(): Promise<{ target: CliTarget; store: ObjectStore }>;
}

const modes: Mode[] = [
  {
    name: 'local',
    setup: () => {
      const home = mkdtempSync(path.join(tmpdir(), 'mtv-progress-'));
      return Promise.resolve({
        target: { mode: 'local', env: { MTV_HOME: home, HOME: home }, namespace: 'demo' },
        store: LocalStore.open({ home }),
      });
    },
  },
  {
    name: 'kube',
    setup: async () => {
      const kubeconfig = inject('kubeconfig');
      const namespace = await createNamespace(kubeconfig, 'progress');
      return {
        target: { mode: 'kube', env: { KUBECONFIG: kubeconfig }, namespace },
        store: kubeStoreFor(kubeconfig),
      };
    },
  },
];

describe.each(modes)('plan progress ($name mode)', (mode) => {
  let t: CliTarget;
  let store: ObjectStore;
  const mtv = (...args: string[]): Promise<string> => ok(t, args);

  /** Writes the plan's status with `change` applied to the fixture's. */
  async function writeStatus(change: (p: Plan) => void = () => undefined): Promise<void> {
    const current = await store.get<Plan>(Resources.Plan, t.namespace, 'web');
    const migration = await store.get<Migration>(Resources.Migration, t.namespace, 'web-abcde');
    const next = runningPlan();
    const h = next.status?.migration?.history?.[0];
    if (h) {
      h.plan = { ...h.plan, namespace: t.namespace, uid: current.metadata.uid ?? '' };
      h.migration = { ...h.migration, namespace: t.namespace, uid: migration.metadata.uid ?? '' };
    }
    change(next);
    await store.updateStatus(Resources.Plan, { ...current, status: next.status });
  }

  beforeAll(async () => {
    ({ target: t, store } = await mode.setup());
    const ns = t.namespace;
    const fixture = runningPlan();
    const plan = await store.create<Plan>(Resources.Plan, {
      apiVersion: fixture.apiVersion,
      kind: fixture.kind,
      metadata: { name: 'web', namespace: ns },
      spec: {
        ...fixture.spec,
        provider: {
          source: { name: 'vcenter', namespace: ns },
          destination: { name: 'host', namespace: ns },
        },
      },
    });
    for (const m of [networkMap(), storageMap()])
      await store.create(m.kind === 'NetworkMap' ? Resources.NetworkMap : Resources.StorageMap, {
        ...m,
        metadata: { name: m.metadata.name, namespace: ns },
      });
    const mig = runningMigration();
    const created = await store.create<Migration>(Resources.Migration, {
      apiVersion: mig.apiVersion,
      kind: mig.kind,
      metadata: { name: 'web-abcde', namespace: ns },
      spec: { plan: { name: 'web', namespace: ns, uid: plan.metadata.uid ?? '' } },
    });
    await store.updateStatus(Resources.Migration, { ...created, status: mig.status });
    await writeStatus();
  });
  afterAll(async () => {
    await store.close();
  });

  it('get plans shows VMs by result and progress with throughput and ETA, as plain text off a terminal', async () => {
    const out = await mtv('get', 'plans');
    expect(out.split('\n')[0]).toMatch(
      /^NAME\s+READY\s+STATUS\s+SOURCE\s+TARGET\s+VMS\s+PROGRESS\s+CUTOVER\s+ARCHIVED\s+AGE$/,
    );
    expect(out).toMatch(
      /\nweb\s+True\s+Running\s+vcenter\s+host\s+2\/4 \(S:1\/F:1\/C:0\)\s+38% \(2960\/7768 MiB\) 48\.3 MiB\/s ETA 8m20s\s+cold\s+false\s+\S+\n/,
    );
    expect(out).not.toContain('[#');
  });

  it('get plan --vms and --disk show each VM’s transfer and each disk’s rate and ETA', async () => {
    const vms = await mtv('get', 'plan', 'web', '--vms');
    expect(vms).toMatch(
      /\nweb-2\s+vm-102\s+CopyDisks\s+DiskTransfer\s+11% \(612\/5120 MiB\) 48\.3 MiB\/s ETA 8m20s\s+running\n/,
    );
    expect(vms).toMatch(/\ndb-2\s+vm-104\s+Started\s+-\s+waiting: host host-1 already has 2 VMs in flight/);
    const disks = await mtv('get', 'plan', 'web', '--disk');
    expect(disks).toMatch(/\nweb-2\s+2001\s+Running\s+2% \(100\/4096 MiB\)\s+8\.0 MiB\/s\s+8m20s\n/);
    const json = JSON.parse(await mtv('get', 'plan', 'web', '--disk', '-o', 'json')) as {
      disk: string;
      throughputMiBps?: number;
    }[];
    expect(json.map((d) => d.throughputMiBps)).toEqual([96.5, 40.25, 8, undefined]);
  });

  it('describe plan shows mappings, pipeline, errors and history', async () => {
    const d = await mtv('describe', 'plan', 'web');
    expect(d).toMatch(/Disk transfer:\s+38% \(2960\/7768 MiB\) 48\.3 MiB\/s ETA 8m20s/);
    expect(d).toMatch(
      /Mappings:\n\s+KIND\s+SOURCE\s+DESTINATION\n\s+network\s+VM Network \(network-7\)\s+pod\n/,
    );
    expect(d).toMatch(/Pipeline:\n[\s\S]*DiskTransfer\s+1\/4\s+1\s+38%/);
    expect(d).toMatch(/Errors:\n[\s\S]*db-1\s+CopyDisks\s+reading disk 2000: connection reset by peer/);
    expect(d).toMatch(/History:\n[\s\S]*1\s+web-abcde\s+\d+\s+2026-03-01T10:00:00Z\s+-\s+Running/);
  });

  it('describe plan --vm shows one VM’s pipeline and disks; an unknown VM is a usage error listing the VMs', async () => {
    const d = await mtv('describe', 'plan', 'web', '--vm', 'web-2');
    expect(d).toMatch(/Target name:\s+web-two\n/);
    expect(d).toMatch(/\n\s+2000\s+Running\s+50% \(512\/1024 MiB\)\s+40\.3 MiB\/s\s+13s\s+64 MiB\n/);
    const byId = await mtv('describe', 'plan', 'web', '--vm', 'vm-103');
    expect(byId).toMatch(/VM \(in CopyDisks\):\s+reading disk 2000/);
    const r = await runCli(t, ['describe', 'plan', 'web', '--vm', 'web-9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--vm: plan "web" has no VM "web-9"\n\s+hint: its VMs: web-1 \(vm-101\), web-2 \(vm-102\)/,
    );
  });

  it('get plan --disk -w prints a new table when the store reports a change', async () => {
    const watcher = startCli(t, ['get', 'plan', 'web', '--disk', '-w']);
    await watcher.waitFor(/2001\s+Running\s+2% \(100\/4096 MiB\)/);
    await writeStatus((p) => {
      const task = p.status?.migration?.vms?.[1]?.pipeline[1]?.tasks?.[1];
      if (!task?.annotations) throw new Error('fixture changed');
      task.progress.completed = 2048;
      task.annotations['mtv.konveyor.io/eta-seconds'] = '256';
    });
    await watcher.waitFor(/2001\s+Running\s+50% \(2048\/4096 MiB\)\s+8\.0 MiB\/s\s+4m16s/);
    const r = await watcher.stop();
    expect(r.stdout.match(/^VM\s+DISK/gm)).toHaveLength(2);
    expect(r.stdout).not.toContain('\u001b[');
  });
});

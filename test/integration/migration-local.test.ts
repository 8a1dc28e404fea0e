/**
 * The main job end to end in local mode: create a plan for vcsim VMs whose disks hold real
 * filesystem images, start it, and watch it to Succeeded; the copied disks must be byte-identical
 * and the KubeVirt manifests valid.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { Resources, type Migration, type Plan } from '../../src/api/index.js';
import { LocalStore } from '../../src/store/local-store.js';
import { validateAgainst, type OpenApiDocument } from '../../src/planner/testing/openapi-schema.js';
import { ok, runCli, type CliTarget } from '../support/cli.js';
import {
  datastoreDirectory,
  ext4Image,
  placeFlatDisk,
  zeroRunImage,
  type DiskImage,
} from '../support/disk-images.js';
import { TestSecrets } from '../support/secrets.js';
import { startVcsim, type Vcsim } from '../support/vcsim.js';
import { until } from '../support/wait.js';
import { planPhase, providerPhase, vsphereProviderArgs } from '../support/vcsim-provider.js';

let vc: Vcsim;
let t: CliTarget;
let home: string;
const images = new Map<string, DiskImage>();
const mtv = (...args: string[]) => ok(t, args);
const schema = JSON.parse(
  readFileSync(new URL('../../../shared/schemas/kubevirt-openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;
const plan = async (name: string) => JSON.parse(await mtv('get', 'plan', name, '-o', 'json')) as Plan;

beforeAll(async () => {
  vc = await startVcsim({ password: TestSecrets.vspherePassword, vmsPerHost: 4 });
  home = mkdtempSync(path.join(tmpdir(), 'mtv-migrate-'));
  t = {
    mode: 'local',
    env: {
      MTV_HOME: home,
      HOME: home,
      MTV_AUTO_CONTROLLER: '1',
      MTV_CONTROLLER_IDLE_EXIT: '120',
      MTV_MAX_VM_INFLIGHT: '1',
    },
    namespace: 'default',
  };
  writeFileSync(path.join(home, 'pw'), vc.password, { mode: 0o600 });
  await mtv('create', 'provider', 'host', '--type', 'openshift');
  await mtv(...vsphereProviderArgs('vc', vc, path.join(home, 'pw')));
  await providerPhase(t, 'vc', 'Ready');
  const dsDir = await datastoreDirectory(vc);
  const vms = JSON.parse(
    await mtv('get', 'inventory', 'vm', 'vc', '-q', "where name like 'DC0_H0%'", '-o', 'json'),
  ) as { id: string; name: string; disks: { file: string }[] }[];
  for (const vm of vms) {
    const image = await ext4Image(home, vm.name, 24, 8);
    const [folder, file] = (vm.disks[0]?.file ?? '').replace(/^\[[^\]]+\] /, '').split('/');
    await placeFlatDisk(vc, dsDir, folder ?? '', (file ?? '').replace(/\.vmdk$/, ''), image);
    images.set(vm.id, image);
  }
}, 600_000);

afterAll(async () => {
  await runCli(t, ['controller', 'stop']);
  await vc.stop();
});

describe('cold migration in local mode (vcsim, real disks)', () => {
  it('start plan migrates the VMs: byte-identical disks, valid manifests, sources off', async () => {
    await mtv(
      'create',
      'plan',
      'web',
      '--source',
      'vc',
      '--vms',
      "where name like 'DC0_H0%'",
      '--default-target-storage-class',
      'standard',
      '--target-namespace',
      'apps',
    );
    await planPhase(t, 'web', 'Ready');
    const started = await mtv('start', 'plan', 'web');
    expect(started).toMatch(/^migration\/web-\w+ created \(plan\/web started\)\n$/);
    // maxInFlight is 1 here, and the four VMs share one host: the others wait, and say why.
    const pending = await until(
      'a VM waiting for its host',
      async () =>
        (await plan('web')).status?.migration?.vms
          ?.flatMap((v) => v.conditions ?? [])
          .find((c) => c.type === 'Pending'),
      { intervalMs: 20, timeoutMs: 10_000 },
    );
    expect(pending.message).toMatch(/^host host-\d+ already has 1 VMs in flight \(maxInFlight 1\)$/);
    const done = await until(
      'plan Succeeded',
      async () => {
        const p = await plan('web');
        if (p.status?.phase === 'Failed')
          throw new Error(
            JSON.stringify(
              p.status.migration?.vms?.map((v) => v.error),
              null,
              1,
            ),
          );
        return p.status?.phase === 'Succeeded' ? p : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const vms = done.status?.migration?.vms ?? [];
    expect(vms).toHaveLength(images.size);
    for (const v of vms) {
      expect(v.phase).toBe('Completed');
      expect(v.conditions?.map((c) => c.type)).toEqual(['Succeeded']);
      expect(v.restorePowerState).toBe('On');
      const transfer = v.pipeline.find((s) => s.name === 'DiskTransfer');
      expect(transfer?.phase).toBe('Completed');
      expect(transfer?.tasks?.[0]?.annotations?.['mtv.konveyor.io/sha256']).toBe(
        images.get(v.id ?? '')?.sha256,
      );
      const manifest = path.join(
        home,
        'manifests',
        'apps',
        `${(v.name ?? '').toLowerCase().replace(/_/g, '-')}.yaml`,
      );
      expect(existsSync(manifest)).toBe(true);
      const docs = YAML.parseAllDocuments(readFileSync(manifest, 'utf8')).map(
        (d) => d.toJSON() as Record<string, unknown>,
      );
      expect(
        validateAgainst(
          schema,
          'v1.VirtualMachine',
          docs.find((d) => d.kind === 'VirtualMachine'),
        ),
      ).toEqual([]);
    }
    const inv = JSON.parse(
      await mtv('get', 'inventory', 'vm', 'vc', '-q', "where name like 'DC0_H0%'", '-o', 'json'),
    ) as { powerState: string }[];
    await until('sources off in the inventory', async () => {
      const now = JSON.parse(
        await mtv('get', 'inventory', 'vm', 'vc', '-q', "where name like 'DC0_H0%'", '-o', 'json'),
      ) as { powerState: string }[];
      return now.every((v) => v.powerState === 'poweredOff') ? true : undefined;
    });
    expect(inv.length).toBe(images.size);
  });

  it('get plans shows the VMs done and the transfer progress', async () => {
    expect(await mtv('get', 'plans')).toMatch(
      /\nweb\s+True\s+Succeeded\s+vc\s+host\s+4\/4 \(S:4\/F:0\/C:0\)\s+100% \(\d+\/\d+ MiB\)\s+cold/,
    );
  });

  it('get plan --vms and --disk show each VM and each disk', async () => {
    const vms = await mtv('get', 'plan', 'web', '--vms');
    expect(vms.split('\n')[0]).toMatch(/^VM\s+ID\s+PHASE\s+STEP\s+TRANSFER\s+RESULT$/);
    expect(vms).toMatch(/\nDC0_H0_VM0\s+vm-\d+\s+Completed\s+-\s+100% \(\d+\/\d+ MiB\)\s+Succeeded/);
    const disks = await mtv('get', 'plan', 'web', '--disk');
    for (const image of images.values()) expect(disks).toContain(image.sha256);
    await mtv(
      'create',
      'plan',
      'idle',
      '--source',
      'vc',
      '--vms',
      'DC0_H0_VM0',
      '--default-target-storage-class',
      'standard',
    );
    const none = await runCli(t, ['get', 'plan', 'idle', '--vms']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--vms: plan idle has not started/);
  });

  it('a succeeded plan cannot start again, and says why', async () => {
    const r = await runCli(t, ['start', 'plan', 'web']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plan web cannot start: it has already succeeded/);
  });
});

describe('killing the controller during CopyDisks', () => {
  it('a new controller finishes the copy from its checkpoint, with no duplicate objects', async () => {
    const inv = JSON.parse(
      await mtv('get', 'inventory', 'vm', 'vc', '-q', "where name = 'DC0_C0_RP0_VM0'", '-o', 'json'),
    ) as { disks: { file: string }[] }[];
    const image = await zeroRunImage(home, 'big', 1024 * 1024 * 1024, 0.9);
    const [folder, file] = (inv[0]?.disks[0]?.file ?? '').replace(/^\[[^\]]+\] /, '').split('/');
    await placeFlatDisk(
      vc,
      await datastoreDirectory(vc),
      folder ?? '',
      (file ?? '').replace(/\.vmdk$/, ''),
      image,
      true,
    );
    await mtv(
      'create',
      'plan',
      'big',
      '--source',
      'vc',
      '--vms',
      'DC0_C0_RP0_VM0',
      '--default-target-storage-class',
      'standard',
    );
    await planPhase(t, 'big', 'Ready');
    await mtv('start', 'plan', 'big');
    const transferred = async () =>
      (await plan('big')).status?.migration?.vms?.[0]?.pipeline.find((s) => s.name === 'DiskTransfer')
        ?.progress.completed ?? 0;
    await until('300 MiB copied', async () => ((await transferred()) >= 300 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    const state = JSON.parse(readFileSync(path.join(home, 'controller.json'), 'utf8')) as { pid: number };
    process.kill(state.pid, 'SIGKILL');
    await until('the lock to be free', async () =>
      (await mtv('controller', 'status')).includes('not running') ? true : undefined,
    );
    const before = await transferred();
    expect(before).toBeLessThan(1024);
    // Any command that needs reconciling starts a new background controller.
    await mtv('get', 'inventory', 'vm', 'vc', '-q', 'limit 1');
    const done = await until(
      'plan big Succeeded',
      async () => {
        const p = await plan('big');
        if (p.status?.phase === 'Failed')
          throw new Error(JSON.stringify(p.status.migration?.vms?.[0]?.error));
        return p.status?.phase === 'Succeeded' ? p : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const task = done.status?.migration?.vms?.[0]?.pipeline.find((s) => s.name === 'DiskTransfer')
      ?.tasks?.[0];
    expect(task?.annotations?.['mtv.konveyor.io/sha256']).toBe(image.sha256);
    expect(Number(task?.annotations?.['mtv.konveyor.io/resumed-from'])).toBeGreaterThanOrEqual(
      256 * 1024 * 1024,
    );
    const store = LocalStore.open({ home });
    try {
      const migrations = (await store.list<Migration>(Resources.Migration, { namespace: 'default' })).items;
      expect(migrations.filter((m) => m.spec.plan.name === 'big')).toHaveLength(1);
    } finally {
      await store.close();
    }
    expect(
      readdirSync(path.join(home, 'manifests', 'default')).filter((f) => f.startsWith('dc0-c0-rp0-vm0')),
    ).toEqual(['dc0-c0-rp0-vm0.yaml']);
  });
});

describe('cancelling one VM mid-copy', () => {
  it('stops its copy, powers its source back on and removes its partial target; the other VM finishes', async () => {
    const ds = await datastoreDirectory(vc);
    const rows = JSON.parse(
      await mtv(
        'get',
        'inventory',
        'vm',
        'vc',
        '-q',
        "where name in ['DC0_C0_RP0_VM1', 'DC0_C0_RP0_VM2'] order by name",
        '-o',
        'json',
      ),
    ) as { id: string; name: string; disks: { file: string }[] }[];
    const big = await zeroRunImage(home, 'cancel-big', 1024 * 1024 * 1024, 0.9);
    const small = await ext4Image(home, 'cancel-small', 24, 8);
    for (const [row, img] of [
      [rows[0], big],
      [rows[1], small],
    ] as const) {
      const [folder, file] = (row?.disks[0]?.file ?? '').replace(/^\[[^\]]+\] /, '').split('/');
      await placeFlatDisk(vc, ds, folder ?? '', (file ?? '').replace(/\.vmdk$/, ''), img, img === big);
    }
    await mtv(
      'create',
      'plan',
      'two',
      '--source',
      'vc',
      '--vms',
      'DC0_C0_RP0_VM1,DC0_C0_RP0_VM2',
      '--default-target-storage-class',
      'standard',
    );
    await planPhase(t, 'two', 'Ready');
    await mtv('start', 'plan', 'two');
    const bigStatus = async () =>
      (await plan('two')).status?.migration?.vms?.find((v) => v.name === 'DC0_C0_RP0_VM1');
    await until(
      'the big disk to be copying',
      async () => {
        const v = await bigStatus();
        return (v?.pipeline.find((s) => s.name === 'DiskTransfer')?.progress.completed ?? 0) >= 100
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    expect(await mtv('cancel', 'plan', 'two', '--vms', 'DC0_C0_RP0_VM1')).toMatch(
      /^migration\/two-\w+ patched \(canceling DC0_C0_RP0_VM1\)\n$/,
    );
    const done = await until(
      'plan two to finish',
      async () => {
        const p = await plan('two');
        return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
      },
      { timeoutMs: 120_000 },
    );
    expect(done.status?.phase).toBe('Succeeded');
    const [canceled, finished] = ['DC0_C0_RP0_VM1', 'DC0_C0_RP0_VM2'].map((n) =>
      done.status?.migration?.vms?.find((v) => v.name === n),
    );
    expect(canceled?.conditions?.map((c) => c.type)).toEqual(['Canceled']);
    expect(finished?.conditions?.map((c) => c.type)).toEqual(['Succeeded']);
    expect(existsSync(path.join(home, 'manifests', 'default', 'dc0-c0-rp0-vm1.yaml'))).toBe(false);
    expect(existsSync(path.join(home, 'manifests', 'default', 'dc0-c0-rp0-vm2.yaml'))).toBe(true);
    const images = readdirSync(path.join(home, 'volumes', 'default')).filter((d) =>
      d.includes('dc0-c0-rp0-vm1'),
    );
    expect(images).toEqual([]);
    // The same naming finds the finished VM's volume, so the check above can fail.
    expect(
      readdirSync(path.join(home, 'volumes', 'default')).filter((d) => d.includes('dc0-c0-rp0-vm2')),
    ).toHaveLength(1);
    await until('the canceled source powered on again', async () => {
      const [v] = JSON.parse(
        await mtv('get', 'inventory', 'vm', 'vc', '-q', "where name = 'DC0_C0_RP0_VM1'", '-o', 'json'),
      ) as { powerState: string }[];
      return v?.powerState === 'poweredOn' ? true : undefined;
    });
    const r = await runCli(t, ['cancel', 'plan', 'two', '--vms', 'DC0_C0_RP0_VM2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plan two is not running: nothing to cancel/);
  });
});

describe('restarting a failed plan', () => {
  it('re-runs only the VMs that did not succeed, after restoring the failed source', async () => {
    // DC0_C0_RP0_VM3 still has vcsim's empty disk: its copy fails. DC0_H0_VM0 has a real one.
    await mtv(
      'create',
      'plan',
      'retry',
      '--source',
      'vc',
      '--vms',
      'DC0_H0_VM0,DC0_C0_RP0_VM3',
      '--default-target-storage-class',
      'standard',
    );
    await planPhase(t, 'retry', 'Ready');
    await mtv('start', 'plan', 'retry');
    const failed = await planPhase(t, 'retry', 'Failed', 60_000);
    const first = new Map(failed.status?.migration?.vms?.map((v) => [v.name, v]));
    expect(first.get('DC0_H0_VM0')?.conditions?.map((c) => c.type)).toEqual(['Succeeded']);
    expect(first.get('DC0_C0_RP0_VM3')?.conditions?.map((c) => c.type)).toEqual(['Failed']);
    expect(first.get('DC0_C0_RP0_VM3')?.error?.reasons[0]).toBeTruthy();
    await until('the failed source powered on again', async () => {
      const [v] = JSON.parse(
        await mtv('get', 'inventory', 'vm', 'vc', '-q', "where name = 'DC0_C0_RP0_VM3'", '-o', 'json'),
      ) as { powerState: string }[];
      return v?.powerState === 'poweredOn' ? true : undefined;
    });
    const [row] = JSON.parse(
      await mtv('get', 'inventory', 'vm', 'vc', '-q', "where name = 'DC0_C0_RP0_VM3'", '-o', 'json'),
    ) as { disks: { file: string }[] }[];
    const image = await ext4Image(home, 'retry', 24, 8);
    const [folder, file] = (row?.disks[0]?.file ?? '').replace(/^\[[^\]]+\] /, '').split('/');
    await placeFlatDisk(
      vc,
      await datastoreDirectory(vc),
      folder ?? '',
      (file ?? '').replace(/\.vmdk$/, ''),
      image,
    );
    await mtv('start', 'plan', 'retry');
    const done = await planPhase(t, 'retry', 'Succeeded', 60_000);
    const second = new Map(done.status?.migration?.vms?.map((v) => [v.name, v]));
    expect(second.get('DC0_H0_VM0')?.completed).toBe(first.get('DC0_H0_VM0')?.completed);
    expect(second.get('DC0_C0_RP0_VM3')?.conditions?.map((c) => c.type)).toEqual(['Succeeded']);
    expect(
      second.get('DC0_C0_RP0_VM3')?.pipeline.find((s) => s.name === 'DiskTransfer')?.tasks?.[0]
        ?.annotations?.['mtv.konveyor.io/sha256'],
    ).toBe(image.sha256);
    expect(done.status?.migration?.history).toHaveLength(2);
  });
});

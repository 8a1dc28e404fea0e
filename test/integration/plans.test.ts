/**
 * Plans in local mode against vcsim: `create plan` with names, files and queries, automatic and
 * inline mappings, and the plan, map and provider reconcilers validating them to Ready.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { NetworkMap, Plan, StorageMap } from '../../src/api/index.js';
import { ok, runCli, type CliTarget } from '../support/cli.js';
import { planPhase, providerPhase, vsphereProviderArgs } from '../support/vcsim-provider.js';
import { TestSecrets } from '../support/secrets.js';
import { startVcsim, type Vcsim } from '../support/vcsim.js';

let vc: Vcsim;
let t: CliTarget;
let home: string;
const mtv = (...args: string[]) => ok(t, args);

const plan = async (name: string) => JSON.parse(await mtv('get', 'plan', name, '-o', 'json')) as Plan;
const phase = (name: string, want: string) => planPhase(t, name, want);

beforeAll(async () => {
  vc = await startVcsim({ password: TestSecrets.vspherePassword, vmsPerHost: 3 });
  home = mkdtempSync(path.join(tmpdir(), 'mtv-plans-'));
  t = {
    mode: 'local',
    env: { MTV_HOME: home, HOME: home, MTV_AUTO_CONTROLLER: '1', MTV_CONTROLLER_IDLE_EXIT: '120' },
    namespace: 'default',
  };
  writeFileSync(path.join(home, 'pw'), vc.password, { mode: 0o600 });
  await mtv('create', 'provider', 'host', '--type', 'openshift');
  await mtv(...vsphereProviderArgs('vc', vc, path.join(home, 'pw')));
  await providerPhase(t, 'vc', 'Ready');
}, 600_000);

afterAll(async () => {
  await runCli(t, ['controller', 'stop']);
  await vc.stop();
});

describe('plans (local mode, vcsim)', () => {
  it('create plan --vms "WHERE …" selects by query, auto-maps and explains, and the plan becomes Ready', async () => {
    const r = await runCli(t, [
      'create',
      'plan',
      'by-query',
      '--source',
      'vc',
      '--vms',
      "WHERE name like 'DC0_H0%'",
      '--default-target-storage-class',
      'standard',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/networkmap\/by-query-network created \(owned by plan\/by-query\)/);
    expect(r.stdout).toMatch(/storagemap\/by-query-storage created/);
    expect(r.stdout).toMatch(/plan\/by-query created \(3 VMs, cold\)/);
    expect(r.stderr).toMatch(/auto-mapped network .* → the pod network/);
    expect(r.stderr).toMatch(/auto-mapped datastore LocalDS_0 \(datastore-\d+\) → storage class standard/);
    const p = await phase('by-query', 'Ready');
    expect(p.spec.vms.map((v) => v.name).sort()).toEqual(['DC0_H0_VM0', 'DC0_H0_VM1', 'DC0_H0_VM2']);
    expect(p.status?.conditions?.find((c) => c.type === 'TargetNotChecked')?.category).toBe('Advisory');
    expect(p.status?.conditions?.find((c) => c.type === 'TargetNameNotValid')?.items).toHaveLength(3);
    const net = JSON.parse(
      await mtv('get', 'mapping', 'network', 'by-query-network', '-o', 'json'),
    ) as NetworkMap;
    expect(net.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Plan',
      name: 'by-query',
      controller: true,
    });
    expect(await mtv('get', 'plans')).toMatch(/by-query\s+True\s+Ready\s+vc\s+host\s+3\s+-\s+cold/);
  });

  it('create plan --vms @file reads the planvms output back; inline pairs create owned maps', async () => {
    const planvms = await mtv(
      'get',
      'inventory',
      'vm',
      'vc',
      '-q',
      "where name like 'DC0_C0%' order by name limit 2",
      '-o',
      'planvms',
    );
    writeFileSync(path.join(home, 'vms.yaml'), planvms);
    await mtv(
      'create',
      'plan',
      'from-file',
      '--source',
      'vc',
      '--vms',
      `@${path.join(home, 'vms.yaml')}`,
      '--network-pairs',
      'DC0_DVPG0:default',
      '--storage-pairs',
      'LocalDS_0:standard',
    );
    const p = await phase('from-file', 'Ready');
    expect(p.spec.vms.map((v) => v.id)).toEqual((YAML.parse(planvms) as { id: string }[]).map((v) => v.id));
    const sto = JSON.parse(
      await mtv('get', 'mapping', 'storage', 'from-file-storage', '-o', 'json'),
    ) as StorageMap;
    expect(sto.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('a hand-written list with targetName, and names given by hand', async () => {
    writeFileSync(path.join(home, 'hand.yaml'), '- name: DC0_H0_VM0\n  targetName: web-zero\n');
    await mtv(
      'create',
      'plan',
      'by-hand',
      '--source',
      'vc',
      '--vms',
      `@${path.join(home, 'hand.yaml')}`,
      '--default-target-storage-class',
      'standard',
    );
    const p = await phase('by-hand', 'Ready');
    expect(p.spec.vms[0]).toMatchObject({ name: 'DC0_H0_VM0', targetName: 'web-zero' });
    expect(p.status?.conditions?.find((c) => c.type === 'TargetNameNotValid')).toBeUndefined();
  });

  it('unknown VMs are an error listing them (nothing created), or skipped with --skip-missing', async () => {
    const r = await runCli(t, [
      'create',
      'plan',
      'missing',
      '--source',
      'vc',
      '--vms',
      'DC0_H0_VM0,nope-1,nope-2',
      '--default-target-storage-class',
      'standard',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not in the inventory of provider vc: nope-1, nope-2/);
    expect((await runCli(t, ['get', 'plan', 'missing'])).code).toBe(1);
    expect((await runCli(t, ['get', 'mapping', 'network', 'missing-network'])).code).toBe(1);
    const s = await runCli(t, [
      'create',
      'plan',
      'missing',
      '--source',
      'vc',
      '--vms',
      'DC0_H0_VM0,nope-1',
      '--default-target-storage-class',
      'standard',
      '--skip-missing',
    ]);
    expect(s.code).toBe(0);
    expect(s.stderr).toMatch(/skipping VMs not in the inventory of vc: nope-1/);
  });

  it('local mode needs a storage class for auto-mapping, and says so', async () => {
    const r = await runCli(t, ['create', 'plan', 'noclass', '--source', 'vc', '--vms', 'DC0_H0_VM1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--default-target-storage-class: is needed: .*local mode/);
  });

  it('a plan whose map misses a network is not Ready and names the VM', async () => {
    await mtv(
      'create',
      'plan',
      'unmapped',
      '--source',
      'vc',
      '--vms',
      'DC0_H0_VM2',
      '--network-pairs',
      'VM Network:default',
      '--storage-pairs',
      'LocalDS_0:standard',
    );
    const p = await phase('unmapped', 'Pending');
    expect(p.status?.conditions?.find((c) => c.type === 'VMNetworksNotMapped')?.items).toEqual([
      'DC0_H0_VM2',
    ]);
  });

  it('patch plan takes KARL affinity (nodes() too) and checks naming templates before writing', async () => {
    await mtv(
      'patch',
      'plan',
      'by-query',
      '--target-affinity',
      'REQUIRE nodes(disktype=ssd)',
      '--pvc-name-template',
      '{{.TargetVmName}}-d{{.DiskIndex}}',
    );
    const p = await plan('by-query');
    expect(
      p.spec.targetAffinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        ?.nodeSelectorTerms[0]?.matchExpressions,
    ).toEqual([{ key: 'disktype', operator: 'In', values: ['ssd'] }]);
    expect(p.spec.pvcNameTemplate).toBe('{{.TargetVmName}}-d{{.DiskIndex}}');
    const karl = await runCli(t, ['patch', 'plan', 'by-query', '--target-affinity', 'REQUIRE nodez(a=b)']);
    expect(karl.code).toBe(2);
    expect(karl.stderr).toContain('^');
    const tpl = await runCli(t, ['patch', 'plan', 'by-query', '--pvc-name-template', '{{.VmNmae}}-disk']);
    expect(tpl.code).toBe(2);
    expect(tpl.stderr).toMatch(/--pvc-name-template: .*VmNmae/);
    expect((await plan('by-query')).spec.pvcNameTemplate).toBe('{{.TargetVmName}}-d{{.DiskIndex}}');
  });

  it('patch planvm changes one VM: target name, root disk, hooks', async () => {
    await mtv('create', 'hook', 'quiesce', '--playbook', '- hosts: localhost\n  tasks: []\n');
    await mtv(
      'patch',
      'planvm',
      'by-hand',
      'DC0_H0_VM0',
      '--target-name',
      'web-zero-b',
      '--root-disk',
      '/dev/sdb',
      '--add-pre-hook',
      'quiesce',
    );
    const vm = (await plan('by-hand')).spec.vms[0];
    expect(vm).toMatchObject({
      targetName: 'web-zero-b',
      rootDisk: '/dev/sdb',
      hooks: [{ step: 'PreHook', hook: { name: 'quiesce', namespace: 'default' } }],
    });
    const bad = await runCli(t, ['patch', 'planvm', 'by-hand', 'nope', '--target-name', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/plan by-hand has no VM nope/);
    await mtv('patch', 'planvm', 'by-hand', 'DC0_H0_VM0', '--clear-hooks');
    expect((await plan('by-hand')).spec.vms[0]?.hooks).toEqual([]);
  });

  it('archive and unarchive plans; an archived plan has phase Archived', async () => {
    expect(await mtv('archive', 'plan', 'by-hand')).toBe('plan/by-hand patched (archived)\n');
    await phase('by-hand', 'Archived');
    expect(await mtv('unarchive', 'plan', 'by-hand')).toBe('plan/by-hand patched (unarchived)\n');
    await phase('by-hand', 'Ready');
  });

  it('patch plan --archived sets phase Archived; describe shows VMs and conditions', async () => {
    await mtv('patch', 'plan', 'by-hand', '--archived');
    await phase('by-hand', 'Archived');
    const d = await mtv('describe', 'plan', 'by-query');
    expect(d).toMatch(/Phase:\s+Ready/);
    expect(d).toMatch(/VMs \(3\)/);
    expect(d).toMatch(/TargetNotChecked/);
  });

  it('delete plan archives first, then deletes the plan and the maps it owns', async () => {
    expect(await mtv('delete', 'plan', 'from-file')).toBe('plan/from-file deleted\n');
    expect((await runCli(t, ['get', 'plan', 'from-file'])).code).toBe(1);
    expect((await runCli(t, ['get', 'mapping', 'network', 'from-file-network'])).code).toBe(1);
    expect(await mtv('delete', 'plan', 'unmapped', '--skip-archive')).toBe('plan/unmapped deleted\n');
  });
});

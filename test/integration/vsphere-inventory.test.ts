/**
 * The vSphere provider and its inventory, end to end in local mode: the built CLI, the background
 * controller it starts, the collector and the inventory service, against vcsim.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/api/index.js';
import { VSphereClient } from '../../src/providers/vsphere/index.js';
import { ok, runCli, startCli, type CliTarget } from '../support/cli.js';
import { until } from '../support/wait.js';
import { providerPhase, vsphereProviderArgs } from '../support/vcsim-provider.js';
import { startVcsim, type Vcsim } from '../support/vcsim.js';
import { TestSecrets } from '../support/secrets.js';

let vc: Vcsim;
let t: CliTarget;
let home: string;
const mtv = (...args: string[]) => ok(t, args);

const provider = async (name: string): Promise<Provider> =>
  JSON.parse(await mtv('get', 'provider', name, '-o', 'json')) as Provider;
const condition = (p: Provider, type: string) => p.status?.conditions?.find((c) => c.type === type);
const rows = async (...args: string[]) =>
  JSON.parse(await mtv('get', 'inventory', ...args, '-o', 'json')) as Record<string, unknown>[];

beforeAll(async () => {
  vc = await startVcsim({ password: TestSecrets.vspherePassword });
  home = mkdtempSync(path.join(tmpdir(), 'mtv-vsphere-'));
  t = {
    mode: 'local',
    env: { MTV_HOME: home, HOME: home, MTV_AUTO_CONTROLLER: '1', MTV_CONTROLLER_IDLE_EXIT: '120' },
    namespace: 'default',
  };
  writeFileSync(path.join(home, 'pw'), vc.password, { mode: 0o600 });
  writeFileSync(path.join(home, 'wrong'), 'not-the-password', { mode: 0o600 });
}, 600_000);

afterAll(async () => {
  await runCli(t, ['controller', 'stop']);
  await vc.stop();
});

describe('vSphere provider and inventory (local mode, vcsim)', () => {
  it('creating a provider starts the background controller, which makes it Ready', async () => {
    const r = await runCli(t, vsphereProviderArgs('vc', vc, path.join(home, 'pw')));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/started a background controller \(pid \d+\)/);
    const p = await providerPhase(t, 'vc', 'Ready');
    expect(condition(p, 'ConnectionTestSucceeded')?.status).toBe('True');
    expect(condition(p, 'InventoryCreated')?.status).toBe('True');
    expect(condition(p, 'Ready')?.status).toBe('True');
    expect(condition(p, 'ConnectionInsecure')).toBeUndefined();
    expect(p.status?.fingerprint).toBe(vc.fingerprint);
    expect(await mtv('controller', 'status')).toMatch(/controller: running \(pid \d+/);
  });

  it('inventory counts equal what vcsim serves', async () => {
    expect(await rows('vm', 'vc')).toHaveLength(vc.counts.vms);
    expect(await rows('host', 'vc')).toHaveLength(vc.counts.hosts);
    expect(await rows('datastore', 'vc')).toHaveLength(vc.counts.datastores);
    expect(await rows('datacenter', 'vc')).toHaveLength(vc.counts.datacenters);
    // Forklift's Cluster kind holds clusters and the compute resources of standalone hosts.
    const clusters = await rows('cluster', 'vc');
    expect(clusters.filter((c) => c.variant !== 'ComputeResource')).toHaveLength(vc.counts.clusters);
    const table = await mtv('get', 'provider', 'vc');
    expect(table).toMatch(/^NAME\s+TYPE\s+URL\s+READY\s+PHASE\s+VMS\s+HOSTS\s+AGE/);
    expect(table).toMatch(
      new RegExp(`vc\\s+vsphere\\s+\\S+\\s+True\\s+Ready\\s+${vc.counts.vms}\\s+${vc.counts.hosts}\\s`),
    );
  });

  it('a VM powered off through the vSphere API shows up in get inventory within seconds', async () => {
    const [vm] = await rows('vm', 'vc', '-q', "where powerState = 'poweredOn' order by name limit 1");
    expect(vm?.powerState).toBe('poweredOn');
    const client = await VSphereClient.connect({
      url: vc.url,
      username: vc.username,
      password: vc.password,
      caCert: vc.caCert,
    });
    try {
      await client.waitForTask(await client.powerOffVm({ type: 'VirtualMachine', value: String(vm?.id) }));
    } finally {
      await client.close();
    }
    const started = Date.now();
    const seen = await until(
      'the power-off in the inventory',
      async () => {
        const [now] = await rows('vm', 'vc', '-q', `where id = '${String(vm?.id)}'`);
        return now?.powerState === 'poweredOff' ? now : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(seen.name).toBe(vm?.name);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('get inventory -w prints the table, then a line for each VM that changes', async () => {
    const [off] = await rows('vm', 'vc', '-q', "where powerState = 'poweredOff' limit 1");
    expect(off).toBeDefined();
    const watch = startCli(t, ['get', 'inventory', 'vm', 'vc', '-w']);
    try {
      await watch.waitFor(/^NAME\s+POWER/m);
      await watch.waitFor(new RegExp(`^${String(off?.name)}\\s+poweredOff`, 'm'));
      const client = await VSphereClient.connect({
        url: vc.url,
        username: vc.username,
        password: vc.password,
        caCert: vc.caCert,
      });
      try {
        await client.waitForTask(await client.powerOnVm({ type: 'VirtualMachine', value: String(off?.id) }));
      } finally {
        await client.close();
      }
      await watch.waitFor(new RegExp(`\\n${String(off?.name)}\\s+poweredOn`), 15_000);
      expect(watch.output().match(/^NAME\s+POWER/gm)).toHaveLength(1);
    } finally {
      await watch.stop();
    }
  });

  it('queries run in the inventory service: SELECT, GROUP BY, ORDER BY, LIMIT', async () => {
    const all = await rows('vm', 'vc');
    const on = all.filter((v) => v.powerState === 'poweredOn').length;
    expect(await rows('vm', 'vc', '-q', "where powerState = 'poweredOn'")).toHaveLength(on);
    const grouped = await rows(
      'vm',
      'vc',
      '-q',
      'select powerState, count(*) as n group by powerState order by powerState',
    );
    expect(grouped).toEqual([
      ...(all.length - on ? [{ powerState: 'poweredOff', n: all.length - on }] : []),
      ...(on ? [{ powerState: 'poweredOn', n: on }] : []),
    ]);
    const table = await mtv(
      'get',
      'inventory',
      'vm',
      'vc',
      '-q',
      'select name, memoryGB order by name desc limit 2',
    );
    expect(table.split('\n')[0]).toMatch(/^NAME\s+MEMORYGB$/);
    expect(table.trim().split('\n')).toHaveLength(3);
    const planvms = await mtv('get', 'inventory', 'vm', 'vc', '-q', 'order by name limit 1', '-o', 'planvms');
    expect(planvms).toMatch(/^- id: vm-\d+\n {2}name: \S+\n$/);
  });

  it('a bad query is a usage error with a caret, an unknown field suggests names', async () => {
    const syntax = await runCli(t, ['get', 'inventory', 'vm', 'vc', '-q', "where name = 'x' and"]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain('^');
    const unknown = await runCli(t, ['get', 'inventory', 'vm', 'vc', '-q', "where powerstate = 'poweredOn'"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('powerState');
  });

  it('create host takes the IP of --network-adapter from the host inventory, and checks host ids', async () => {
    const [host] = await rows('host', 'vc', '-q', 'order by name limit 1');
    const nic = (host?.networking as { vNICs: { device: string; ipAddress: string }[] }).vNICs[0];
    expect(nic?.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const out = await mtv(
      'create',
      'host',
      '--host-id',
      String(host?.id),
      '--provider',
      'vc',
      '--network-adapter',
      String(nic?.device),
      '-u',
      'root',
      '--password-file',
      path.join(home, 'pw'),
    );
    expect(out).toContain(`(ESXi host ${String(host?.id)} at ${String(nic?.ipAddress)})`);
    const unknown = await runCli(t, [
      'create',
      'host',
      '--host-id',
      'host-404',
      '--provider',
      'vc',
      '--ip-address',
      '10.0.0.9',
      '-u',
      'root',
      '--password-file',
      path.join(home, 'pw'),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--host-id: not in the inventory of provider vc/);
    expect(unknown.stderr).toContain('host-404');
    const noNic = await runCli(t, [
      'create',
      'host',
      '--host-id',
      String(host?.id),
      '--provider',
      'vc',
      '--network-adapter',
      'vmk9',
      '-u',
      'root',
      '--password-file',
      path.join(home, 'pw'),
    ]);
    expect(noNic.code).toBe(2);
    expect(noNic.stderr).toContain('has no adapter "vmk9"');
  });

  it('wrong credentials give ConnectionAuthFailed', async () => {
    await mtv(...vsphereProviderArgs('vc-badpw', vc, path.join(home, 'wrong')));
    const p = await until('ConnectionAuthFailed', async () => {
      const p = await provider('vc-badpw');
      return condition(p, 'ConnectionAuthFailed') ? p : undefined;
    });
    expect(p.status?.phase).toBe('ConnectionFailed');
    expect(condition(p, 'ConnectionAuthFailed')?.category).toBe('Critical');
    expect(condition(p, 'Ready')).toBeUndefined();
  });

  it('an untrusted certificate without the insecure flag is a TLS error naming the fingerprint', async () => {
    await mtv(...vsphereProviderArgs('vc-untrusted', vc, path.join(home, 'pw'), { cacert: false }));
    const p = await until('ConnectionTestFailed', async () => {
      const p = await provider('vc-untrusted');
      return condition(p, 'ConnectionTestFailed') ? p : undefined;
    });
    expect(condition(p, 'ConnectionTestFailed')?.message).toContain(vc.fingerprint);
    expect(condition(p, 'ConnectionTestFailed')?.message).toMatch(/cacert/);
    expect(p.status?.phase).toBe('ConnectionFailed');
  });

  it('insecureSkipVerify connects, with a ConnectionInsecure warning', async () => {
    await mtv(
      ...vsphereProviderArgs('vc-insecure', vc, path.join(home, 'pw'), {
        cacert: false,
        extra: ['--provider-insecure-skip-tls'],
      }),
    );
    const p = await providerPhase(t, 'vc-insecure', 'Ready');
    expect(condition(p, 'ConnectionInsecure')?.category).toBe('Warn');
  });

  it('fixing the Secret of a failing provider makes it Ready', async () => {
    await mtv('patch', 'provider', 'vc-badpw', '--password-file', path.join(home, 'pw'));
    const p = await providerPhase(t, 'vc-badpw', 'Ready');
    expect(condition(p, 'ConnectionAuthFailed')).toBeUndefined();
  });

  it('deleting a provider removes its inventory', async () => {
    const p = await provider('vc-insecure');
    await mtv('delete', 'provider', 'vc-insecure');
    await until('the inventory database to go', async () => {
      const { existsSync } = await import('node:fs');
      return existsSync(path.join(home, 'inventory', `${p.metadata.uid ?? ''}.db`)) ? undefined : true;
    });
  });

  it('losing the vCenter takes the provider out of Ready, and the collector keeps retrying', async () => {
    await vc.stop();
    const p = await until('the provider to leave Ready', async () => {
      const p = await provider('vc');
      return p.status?.phase !== 'Ready' ? p : undefined;
    });
    expect(condition(p, 'Ready')).toBeUndefined();
    expect(condition(p, 'LoadInventory')?.message).toMatch(/retrying after: .*127\.0\.0\.1/);
    // The inventory stays readable while the source is away (206: not at parity).
    const r = await runCli(t, ['get', 'inventory', 'vm', 'vc']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/is still loading/);
  });

  it('controller logs and stop', async () => {
    expect(await mtv('controller', 'logs', '--tail', '200')).toMatch(/INFO inventory loaded/);
    expect(await mtv('controller', 'logs')).toMatch(/WARN inventory collection failed; reconnecting/);
    expect(await mtv('controller', 'stop')).toMatch(/controller: stopped \(pid \d+\)/);
    expect(await mtv('controller', 'status')).toMatch(/controller: not running/);
  });
});

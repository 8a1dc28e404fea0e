/**
 * mtv's vSphere client against a real peer: govmomi's vcsim (scripts/vcsim-testbed.sh), over HTTPS
 * with a self-signed certificate and enforced credentials.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  asArray,
  asNumber,
  containerViewFilterSpec,
  InvalidLoginFault,
  InvalidStateFault,
  inventoryFilterSpec,
  isVimObject,
  ManagedObjectNotFoundFault,
  NotAuthenticatedFault,
  probeCertificate,
  RequestCanceledFault,
  VSphereClient,
  VSphereTimeoutError,
  VSphereTlsError,
  VSphereUnreachableError,
  type ConnectOptions,
  type MoRef,
  type ObjectContent,
  type PropertySpec,
} from '../../src/providers/vsphere/index.js';
import { startVcsim, type Vcsim } from '../support/vcsim.js';

let sim: Vcsim;
const clients: VSphereClient[] = [];

beforeAll(async () => {
  sim = await startVcsim({ vmsPerHost: 3 }); // 1 standalone host + 1 cluster pool, 3 VMs each
}, 300_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sim.stop();
});

async function connect(extra: Partial<ConnectOptions> = {}): Promise<VSphereClient> {
  const c = await VSphereClient.connect({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
    ...extra,
  });
  clients.push(c);
  return c;
}

const vmProps: PropertySpec = {
  type: 'VirtualMachine',
  pathSet: ['name', 'runtime.powerState', 'config.hardware.numCPU', 'config.hardware.device'],
};

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function allVms(c: VSphereClient): Promise<ObjectContent[]> {
  return c.retrieveProperties(
    inventoryFilterSpec(c.serviceContent.rootFolder, [
      { type: 'VirtualMachine', pathSet: ['name', 'runtime.powerState'] },
    ]),
  );
}

describe('session', () => {
  it('logs in with the CA; the fingerprint is the one the script printed', async () => {
    const c = await connect();
    expect(c.fingerprint).toBe(sim.fingerprint);
    expect(c.about.apiType).toBe('VirtualCenter');
    expect(c.about.apiVersion).not.toBe('');
    expect(c.session?.userName).toBe(sim.username);
    expect(await c.sessionIsActive()).toBe(true);
    expect(Math.abs((await c.currentTime()).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('a wrong password → InvalidLoginFault, and no message names the password', async () => {
    const wrong = 'not-the-password-1234';
    const e: unknown = await VSphereClient.connect({
      url: sim.url,
      username: sim.username,
      password: wrong,
      caCert: sim.caCert,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidLoginFault);
    const err = e as InvalidLoginFault;
    expect(err.faultName).toBe('InvalidLogin');
    expect(`${err.message} ${err.hint ?? ''} ${JSON.stringify(err)}`).not.toContain(wrong);
    expect(err.message).not.toContain('vmware_soap_session');
  });

  it('after logout the next call fails with NotAuthenticated', async () => {
    const c = await VSphereClient.connect({
      url: sim.url,
      username: sim.username,
      password: sim.password,
      caCert: sim.caCert,
    });
    await c.logout();
    await expect(c.currentTime()).rejects.toBeInstanceOf(NotAuthenticatedFault);
    await expect(allVms(c)).rejects.toBeInstanceOf(NotAuthenticatedFault); // vcsim reports it per property
    await c.logout(); // idempotent
    await c.close();
  });
});

describe('RetrievePropertiesEx', () => {
  it('pages with small maxObjects and returns exactly the VMs vcsim has, with their properties', async () => {
    const c = await connect();
    const invoke = vi.spyOn(c, 'invoke');
    const vms = await c.retrieveProperties(inventoryFilterSpec(c.serviceContent.rootFolder, [vmProps]), {
      maxObjects: 2,
    });
    const pages = invoke.mock.calls.filter(([method]) => method === 'ContinueRetrievePropertiesEx').length;
    invoke.mockRestore();
    expect(pages).toBe(Math.ceil(sim.counts.vms / 2) - 1);
    expect(vms).toHaveLength(sim.counts.vms);
    expect(new Set(vms.map((v) => v.obj.value)).size).toBe(sim.counts.vms);
    for (const vm of vms) {
      expect(vm.obj.type).toBe('VirtualMachine');
      expect(typeof vm.props.name).toBe('string');
      expect(['poweredOn', 'poweredOff', 'suspended']).toContain(vm.props['runtime.powerState']);
      expect(vm.props['config.hardware.numCPU']).toBeGreaterThan(0);
      const devices = asArray(vm.props['config.hardware.device']);
      const disk = devices.find((d) => isVimObject(d) && d._type === 'VirtualDisk');
      expect(isVimObject(disk) && asNumber(disk.capacityInBytes)).toBeGreaterThan(0);
    }
  });

  it('a ContainerView reaches the same VMs and all hosts', async () => {
    const c = await connect();
    const view = await c.createContainerView(c.serviceContent.rootFolder, ['VirtualMachine', 'HostSystem']);
    try {
      const objects = await c.retrieveProperties(
        containerViewFilterSpec(view, [
          { type: 'VirtualMachine', pathSet: ['name'] },
          { type: 'HostSystem', pathSet: ['name'] },
        ]),
        { maxObjects: 3 },
      );
      expect(objects.filter((o) => o.obj.type === 'VirtualMachine')).toHaveLength(sim.counts.vms);
      expect(objects.filter((o) => o.obj.type === 'HostSystem')).toHaveLength(sim.counts.hosts);
    } finally {
      await c.destroyView(view);
    }
  });

  it('the inventory traversal also reaches hosts, datastores and networks', async () => {
    const c = await connect();
    const objects = await c.retrieveProperties(
      inventoryFilterSpec(
        c.serviceContent.rootFolder,
        ['HostSystem', 'Datastore', 'Network', 'Datacenter', 'ClusterComputeResource'].map((type) => ({
          type,
          pathSet: ['name'],
        })),
      ),
    );
    const count = (type: string): number => objects.filter((o) => o.obj.type === type).length;
    expect(count('HostSystem')).toBe(sim.counts.hosts);
    expect(count('Datastore')).toBe(sim.counts.datastores);
    expect(count('Datacenter')).toBe(sim.counts.datacenters);
    expect(count('ClusterComputeResource')).toBe(sim.counts.clusters);
    expect(count('Network')).toBeGreaterThan(0);
  });

  it('an unknown property path is reported as missing with InvalidProperty', async () => {
    const c = await connect();
    const [first] = await c.retrieveProperties(
      inventoryFilterSpec(c.serviceContent.rootFolder, [
        { type: 'VirtualMachine', pathSet: ['no.such.property'] },
      ]),
    );
    expect(first?.missing[0]?.fault.faultName).toBe('InvalidProperty');
  });
});

describe('WaitForUpdatesEx', () => {
  it('sends the full set first, then the power-off done through our client', async () => {
    const c = await connect();
    const collector = await c.createPropertyCollector();
    try {
      await c.createFilter(
        inventoryFilterSpec(c.serviceContent.rootFolder, [
          { type: 'VirtualMachine', pathSet: ['name', 'runtime.powerState'] },
        ]),
        { collector },
      );
      const initial = await c.waitForUpdates('', { collector, maxWaitSeconds: 10 });
      const entered = initial?.filterSet.flatMap((f) => f.objectSet) ?? [];
      expect(entered).toHaveLength(sim.counts.vms);
      expect(entered.every((u) => u.kind === 'enter')).toBe(true);
      const on = entered.find((u) =>
        u.changeSet.some((ch) => ch.name === 'runtime.powerState' && ch.val === 'poweredOn'),
      );
      if (!on) throw new Error('no powered-on VM in the model');

      await c.waitForTask(await c.powerOffVm(on.obj), { timeoutMs: 30_000 });
      let version = initial?.version ?? '';
      let seen: string | undefined;
      for (let i = 0; i < 10 && seen === undefined; i++) {
        const update = await c.waitForUpdates(version, { collector, maxWaitSeconds: 5 });
        if (!update) continue;
        version = update.version;
        const mine = update.filterSet
          .flatMap((f) => f.objectSet)
          .find((u) => u.obj.value === on.obj.value && u.kind === 'modify');
        seen = mine?.changeSet.find((ch) => ch.name === 'runtime.powerState')?.val as string | undefined;
      }
      expect(seen).toBe('poweredOff');
      await c.waitForTask(await c.powerOnVm(on.obj), { timeoutMs: 30_000 });
    } finally {
      await c.destroyPropertyCollector(collector);
    }
  });

  it('returns null when maxWaitSeconds passes without changes', async () => {
    const c = await connect();
    const collector = await c.createPropertyCollector();
    try {
      await c.createFilter(
        {
          propSet: [{ type: 'Folder', pathSet: ['name'] }],
          objectSet: [{ obj: c.serviceContent.rootFolder }],
        },
        { collector },
      );
      let update = await c.waitForUpdates('', { collector, maxWaitSeconds: 0 });
      expect(update?.filterSet[0]?.objectSet[0]?.obj).toEqual(c.serviceContent.rootFolder);
      for (let i = 0; i < 3 && update !== null; i++)
        update = await c.waitForUpdates(update.version, { collector, maxWaitSeconds: 1 });
      expect(update).toBeNull();
    } finally {
      await c.destroyPropertyCollector(collector);
    }
  });

  it('CancelWaitForUpdates interrupts a long wait with RequestCanceled', async () => {
    const c = await connect();
    const collector = await c.createPropertyCollector();
    try {
      await c.createFilter(
        {
          propSet: [{ type: 'Folder', pathSet: ['name'] }],
          objectSet: [{ obj: c.serviceContent.rootFolder }],
        },
        { collector },
      );
      const initial = await c.waitForUpdates('', { collector, maxWaitSeconds: 0 });
      const started = Date.now();
      // Take the outcome at once: the rejection may land before cancelWaitForUpdates returns, and an
      // unobserved rejection would be reported as an unhandled error.
      const outcome = c.waitForUpdates(initial?.version ?? '', { collector, maxWaitSeconds: 120 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 500)); // let the server start waiting
      await c.cancelWaitForUpdates(collector);
      expect(await outcome).toBeInstanceOf(RequestCanceledFault);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await c.destroyPropertyCollector(collector);
    }
  });

  it('an abort signal ends a pending wait on our side', async () => {
    const c = await connect();
    const collector = await c.createPropertyCollector();
    try {
      await c.createFilter(
        {
          propSet: [{ type: 'Folder', pathSet: ['name'] }],
          objectSet: [{ obj: c.serviceContent.rootFolder }],
        },
        { collector },
      );
      const initial = await c.waitForUpdates('', { collector, maxWaitSeconds: 0 });
      const controller = new AbortController();
      const pending = c.waitForUpdates(initial?.version ?? '', {
        collector,
        maxWaitSeconds: 120,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 200);
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await c.cancelWaitForUpdates(collector);
    } finally {
      await c.destroyPropertyCollector(collector);
    }
  });
});

describe('tasks and faults', () => {
  it("waitForTask throws the task's fault typed", async () => {
    const c = await connect();
    const [vm] = await allVms(c);
    if (!vm) throw new Error('no VM');
    if (vm.props['runtime.powerState'] !== 'poweredOn') await c.waitForTask(await c.powerOnVm(vm.obj));
    const e: unknown = await c.waitForTask(await c.powerOnVm(vm.obj)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidStateFault);
    expect((e as InvalidStateFault).faultName).toBe('InvalidPowerState');
    expect((e as InvalidStateFault).detail).toMatchObject({ existingState: 'poweredOn' });
  });

  it('a moRef that does not exist → ManagedObjectNotFoundFault', async () => {
    const c = await connect();
    const missing: MoRef = { type: 'VirtualMachine', value: 'vm-does-not-exist' };
    const e: unknown = await c.powerOffVm(missing).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ManagedObjectNotFoundFault);
    expect((e as ManagedObjectNotFoundFault).detail).toEqual({ obj: missing });
  });
});

describe('TLS and transport', () => {
  it('without the CA → VSphereTlsError naming the fingerprint the script printed', async () => {
    const e: unknown = await VSphereClient.connect({
      url: sim.url,
      username: sim.username,
      password: sim.password,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VSphereTlsError);
    const tls = e as VSphereTlsError;
    expect(tls.fingerprint).toBe(sim.fingerprint);
    expect(tls.message).toContain(sim.fingerprint);
    expect(tls.message).toMatch(/cacert/);
    expect(tls.message).toMatch(/insecureSkipVerify/);
    expect(tls.message).not.toContain(sim.password);
  });

  it('insecureSkipVerify → connects, and still records the fingerprint', async () => {
    const c = await connect({ caCert: undefined, insecureSkipVerify: true });
    expect(c.fingerprint).toBe(sim.fingerprint);
  });

  it('probeCertificate reports the fingerprint and whether it verifies, without logging in', async () => {
    const untrusted = await probeCertificate(sim.url);
    expect(untrusted).toMatchObject({
      fingerprint: sim.fingerprint,
      trusted: false,
      reason: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    const trusted = await probeCertificate(sim.url, { caCert: sim.caCert });
    expect(trusted).toMatchObject({ fingerprint: sim.fingerprint, trusted: true, reason: undefined });
    expect(trusted.pem).toContain('BEGIN CERTIFICATE');
  });

  it('connection refused → VSphereUnreachableError naming host:port', async () => {
    const port = await closedPort();
    const url = `https://127.0.0.1:${port}/sdk`;
    await expect(VSphereClient.connect({ url, username: 'u', password: 'p' })).rejects.toThrow(
      VSphereUnreachableError,
    );
    await expect(VSphereClient.connect({ url, username: 'u', password: 'p' })).rejects.toThrow(
      `127.0.0.1:${port} (ECONNREFUSED`,
    );
    await expect(probeCertificate(url)).rejects.toThrow(VSphereUnreachableError);
  });

  it('a server that never answers → VSphereTimeoutError', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const e: unknown = await VSphereClient.connect({
        url: `https://127.0.0.1:${port}/sdk`,
        username: 'u',
        password: 'p',
        timeoutMs: 300,
      }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(VSphereTimeoutError);
      expect((e as VSphereTimeoutError).message).toBe(
        `RetrieveServiceContent: no reply within 300 ms (vSphere at 127.0.0.1:${port})`,
      );
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('source power for cold migration (vcsim VMs run no VMware Tools: the hard path)', () => {
  it('powers a running VM off, is a no-op the second time, and restores the recorded state', async () => {
    const c = await connect();
    const [vm] = await c.retrieveProperties(
      containerViewFilterSpec(await c.createContainerView(c.serviceContent.rootFolder, ['VirtualMachine']), [
        vmProps,
      ]),
    );
    const ref = vm?.obj as MoRef;
    if ((await c.vmPowerState(ref)).powerState !== 'poweredOn') await c.waitForTask(await c.powerOnVm(ref));
    expect(await c.vmPowerState(ref)).toEqual({ powerState: 'poweredOn', toolsRunning: false });
    const { powerOffSource, restorePowerState } = await import('../../src/providers/vsphere/power.js');
    expect(await powerOffSource(c, ref)).toEqual({ previous: 'poweredOn', method: 'hard' });
    expect((await c.vmPowerState(ref)).powerState).toBe('poweredOff');
    expect(await powerOffSource(c, ref)).toEqual({ previous: 'poweredOff', method: 'none' });
    expect(await restorePowerState(c, ref, 'poweredOn')).toBe('powered-on');
    expect((await c.vmPowerState(ref)).powerState).toBe('poweredOn');
    expect(await restorePowerState(c, ref, 'poweredOn')).toBe('unchanged');
  });

  it('exposes the session cookie for the datastore interface, and drops it at logout', async () => {
    const c = await connect();
    expect(c.sessionCookie).toMatch(/^vmware_soap_session=/);
    await c.logout();
    expect(c.sessionCookie).toBeUndefined();
  });
});

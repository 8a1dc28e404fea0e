/**
 * Starts govmomi's vCenter simulator (scripts/vcsim-testbed.sh) for integration tests: HTTPS on a
 * free loopback port, a fresh self-signed certificate, enforced credentials, a model of the size
 * asked for. The script stops the simulator when {@link Vcsim.stop} is called or this process dies.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '../../src/providers/adapter.js';
import { VSphereClient } from '../../src/providers/vsphere/client.js';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/vcsim-testbed.sh');

/** Size of the simulated inventory and credentials; unset fields keep the script's defaults. */
export interface VcsimOptions {
  /** @default 1 */
  datacenters?: number;
  /** Clusters per datacenter. @default 1 */
  clusters?: number;
  /** Hosts per cluster. @default 3 */
  hostsPerCluster?: number;
  /** Standalone hosts per datacenter. @default 1 */
  standaloneHosts?: number;
  /** VMs per standalone host and per cluster resource pool. @default 2 */
  vmsPerHost?: number;
  /** @default 1 */
  datastores?: number;
  /** Child resource pools per cluster. @default 0 */
  pools?: number;
  /** Distributed port groups per datacenter. @default 1 */
  portgroups?: number;
  /** Virtual disks per VM; the ones beyond the model's first are added through the API. @default 1 */
  disksPerVm?: number;
  /** NICs per VM; added ones go to the datacenter's other networks in turn. @default 1 */
  nicsPerVm?: number;
  /** Capacity of each added disk in MiB. @default 64 */
  addedDiskMiB?: number;
  /**
   * Runs fakeCBT, the wrapper's test double for Changed Block Tracking, which vcsim lacks
   * (`--fake-cbt`, scripts/vcsim/fake_cbt.go). A snapshot of a VM with `config.changeTrackingEnabled`
   * sets `backing.changeId` (`"52 00 00 00 00 00 00 cc-<disk>/<N>"`) on the snapshot's and the VM's
   * flat disks, and `QueryChangedDiskAreas` answers with the 64 KiB blocks that differ since that
   * changeId (`"*"`: the non-zero ones), at most 2,000 extents per call: loop on `startOffset`.
   * Reads through `/folder` still see the live disk, so write a disk only between copy rounds; each
   * snapshot's content is kept in {@link Vcsim.fakeCbtDir}.
   * @default false
   * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.VirtualMachine.html
   */
  fakeCbt?: boolean;
  /** @default "mtv" */
  username?: string;
  /** @default random */
  password?: string;
  /** Milliseconds to wait until it listens (building the model takes ~37 ms per VM). @default 600000 */
  timeoutMs?: number;
}

/** A running simulator. */
export interface Vcsim {
  /** SDK URL, `https://127.0.0.1:PORT/sdk`. */
  url: string;
  username: string;
  password: string;
  /** Path of the server certificate (PEM), which is its own CA. */
  caCertPath: string;
  /** The PEM text of {@link Vcsim.caCertPath}. */
  caCert: string;
  /** SHA-1 fingerprint of the certificate, `AA:BB:…`. */
  fingerprint: string;
  /**
   * With {@link VcsimOptions.fakeCbt}: the directory (outside every datastore) where the double keeps
   * what each snapshot held, `<vm>/<snapshot>-<deviceKey>.raw` (sparse, the disk's capacity in bytes).
   */
  fakeCbtDir?: string;
  /** Object counts of the model, as the simulator reports them. */
  counts: { datacenters: number; clusters: number; hosts: number; vms: number; datastores: number };
  /** Stops the simulator and removes its files. */
  stop(): Promise<void>;
}

const flagNames: Readonly<Record<string, string>> = {
  datacenters: '--datacenters',
  clusters: '--clusters',
  hostsPerCluster: '--hosts-per-cluster',
  standaloneHosts: '--standalone-hosts',
  vmsPerHost: '--vms-per-host',
  datastores: '--datastores',
  pools: '--pools',
  portgroups: '--portgroups',
  disksPerVm: '--disks-per-vm',
  nicsPerVm: '--nics-per-vm',
  addedDiskMiB: '--added-disk-mib',
  fakeCbt: '--fake-cbt',
  username: '--username',
  password: '--password',
};

const requiredKeys = [
  'VCSIM_URL',
  'VCSIM_USERNAME',
  'VCSIM_PASSWORD',
  'VCSIM_CACERT',
  'VCSIM_FINGERPRINT',
  'VCSIM_VMS',
  'VCSIM_DATASTORES',
];

/** Starts the simulator and resolves once it listens. */
export async function startVcsim(options: VcsimOptions = {}): Promise<Vcsim> {
  const args = ['start'];
  for (const [key, flag] of Object.entries(flagNames)) {
    const value = options[key as keyof VcsimOptions];
    if (value !== undefined) args.push(`${flag}=${String(value)}`);
  }
  const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  try {
    const facts = await readFacts(child, options.timeoutMs ?? 600_000);
    const fact = (k: string): string => facts.get(k) ?? '';
    const count = (k: string): number => Number(facts.get(k) ?? 0);
    return {
      url: fact('VCSIM_URL'),
      username: fact('VCSIM_USERNAME'),
      password: fact('VCSIM_PASSWORD'),
      caCertPath: fact('VCSIM_CACERT'),
      caCert: readFileSync(fact('VCSIM_CACERT'), 'utf8'),
      fingerprint: fact('VCSIM_FINGERPRINT'),
      fakeCbtDir: facts.get('VCSIM_FAKE_CBT_DIR'),
      counts: {
        datacenters: count('VCSIM_DATACENTERS'),
        clusters: count('VCSIM_CLUSTERS'),
        hosts: count('VCSIM_HOSTS'),
        vms: count('VCSIM_VMS'),
        datastores: count('VCSIM_DATASTORES'),
      },
      stop,
    };
  } catch (e: unknown) {
    await stop();
    throw e;
  }
}

/** Collects the script's `KEY=value` lines until every required key is there. */
function readFacts(child: ReturnType<typeof spawn>, timeoutMs: number): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const facts = new Map<string, string>();
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`vcsim-testbed.sh not ready after ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const i = line.indexOf('=');
        if (i > 0) facts.set(line.slice(0, i), line.slice(i + 1));
      }
      if (requiredKeys.every((k) => facts.has(k))) {
        clearTimeout(timer);
        resolve(facts);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`vcsim-testbed.sh exited (${signal ?? String(code)}) before it was ready`));
    });
  });
}

/** The simulator as a provider connection (TLS verified against its own certificate). */
export function vcsimConnection(sim: Vcsim): Connection {
  return {
    url: sim.url,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
    insecureSkipVerify: false,
    settings: {},
  };
}

/** A client logged in to the simulator (close it when done). */
export function vcsimClient(sim: Vcsim): Promise<VSphereClient> {
  return VSphereClient.connect({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
  });
}

/**
 * Turns Changed Block Tracking on for a VM (ReconfigVM_Task), as an admin does before a warm
 * migration. vcsim sends no property update for it: load inventories after this.
 */
export async function enableChangeTracking(client: VSphereClient, vmId: string): Promise<void> {
  const task = await client.invoke(
    'ReconfigVM_Task',
    { type: 'VirtualMachine', value: vmId },
    { spec: { _type: 'VirtualMachineConfigSpec', changeTrackingEnabled: true } },
  );
  await client.waitForTask(task as { type: string; value: string });
}

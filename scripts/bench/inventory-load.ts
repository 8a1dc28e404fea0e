/**
 * Benchmark (not a test): how long mtv's collector takes to load a vCenter inventory of 5,000 VMs
 * from vcsim into the inventory database — connect, one PropertyCollector filter over the whole
 * tree, map, validate (concerns), write — against govc (same govmomi version) retrieving the VMs'
 * same properties from the same vcsim with `object.collect -json`. Prints figures and the ratio.
 *
 *   npx tsx scripts/bench/inventory-load.ts [--vms-per-host 500] [--runs 3]
 *
 * Starting a 5,000-VM vcsim takes about 3 minutes (the simulator builds its model first).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InventoryDb } from '../../src/inventory/db.js';
import { indexesFor } from '../../src/inventory/indexes.js';
import { vsphereAdapter } from '../../src/providers/vsphere/adapter.js';
import { PropertySet } from '../../src/providers/vsphere/mapper.js';
import { startVcsim } from '../../test/support/vcsim.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const vmsPerHost = arg('vms-per-host', 500);
const runs = arg('runs', 3);
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;

const started = Date.now();
const vc = await startVcsim({
  clusters: 5,
  hostsPerCluster: 4,
  standaloneHosts: 5,
  vmsPerHost,
  timeoutMs: 1_800_000,
});
console.log(
  `vcsim: ${vc.counts.vms} VMs, ${vc.counts.hosts} hosts, started in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
try {
  const connection = {
    url: vc.url,
    username: vc.username,
    password: vc.password,
    caCert: vc.caCert,
    insecureSkipVerify: false,
    settings: {},
  };
  const ours: number[] = [];
  let objects = 0;
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtv-bench-'));
    const db = InventoryDb.open(path.join(dir, 'inv.db'), { indexes: indexesFor('vsphere') });
    const t0 = performance.now();
    let resolveParity!: () => void;
    const parity = new Promise<void>((r) => (resolveParity = r));
    const c = vsphereAdapter.startCollector({
      connection,
      db,
      onStateChange: () => {
        if (c.state.parity) resolveParity();
      },
      log: (level, message, fields) => console.error(level, message, JSON.stringify(fields ?? {})),
    });
    await parity;
    ours.push(performance.now() - t0);
    objects = Object.values(db.counts()).reduce<number>((n, k) => n + (k ?? 0), 0);
    if (db.count('VM') !== vc.counts.vms)
      throw new Error(`loaded ${db.count('VM')} VMs, vcsim has ${vc.counts.vms}`);
    await c.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const govc = execFileSync('bash', [path.join(import.meta.dirname, '../vcsim-testbed.sh'), 'build-govc'], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .find((l) => l.startsWith('GOVC='))
    ?.slice(5);
  if (!govc) throw new Error('vcsim-testbed.sh build-govc printed no GOVC=');
  const u = new URL(vc.url);
  u.username = encodeURIComponent(vc.username);
  u.password = encodeURIComponent(vc.password);
  const env = {
    ...process.env,
    GOVC_URL: u.toString(),
    GOVC_TLS_CA_CERTS: vc.caCertPath,
    GOVC_PERSIST_SESSION: 'false',
  };
  const vmProps = PropertySet.find((p) => p.type === 'VirtualMachine')?.pathSet ?? [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(govc, ['object.collect', '-json', '-type', 'm', '/', ...vmProps], {
      env,
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(`govc failed: ${r.stderr.toString()}`);
    theirs.push(performance.now() - t0);
  }
  const a = median(ours);
  const b = median(theirs);
  console.log(
    `mtv collector, full inventory (${objects} objects incl. ${vc.counts.vms} VMs, ${vmProps.length} VM properties, concerns, SQLite): median ${a.toFixed(0)} ms of ${runs} runs [${ours.map((x) => x.toFixed(0)).join(', ')}]`,
  );
  console.log(
    `govc object.collect -json, VMs only, same ${vmProps.length} properties: median ${b.toFixed(0)} ms of ${runs} runs [${theirs.map((x) => x.toFixed(0)).join(', ')}]`,
  );
  console.log(`ratio mtv / govc: ${(a / b).toFixed(2)}`);
} finally {
  await vc.stop();
}

/**
 * Benchmark (not a test): `where name = 'x'` over 50,000 VMs evaluated in the inventory service
 * (indexed SQL) against what kubectl-mtv does — download the full `detail=all` list and filter on
 * the client. Both go over real HTTP to the real fastify service on loopback; the inventory is a
 * synthetic database of 50,000 VM documents shaped like the collector's.
 *
 *   npx tsx scripts/bench/inventory-query.ts [--vms 50000] [--runs 7]
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Resources, type Provider } from '../../src/api/index.js';
import { inventoryDbPath } from '../../src/inventory/collector-registry.js';
import { InventoryDb } from '../../src/inventory/db.js';
import { indexesFor } from '../../src/inventory/indexes.js';
import { buildInventoryApp } from '../../src/inventory/server.js';
import { evaluateWhere, parseExpression } from '../../src/query/index.js';
import { LocalStore } from '../../src/store/local-store.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const count = arg('vms', 50_000);
const runs = arg('runs', 7);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function vm(i: number): Record<string, unknown> {
  const id = `vm-${String(i)}`;
  const name = `vm-${String(i).padStart(5, '0')}`;
  return {
    id,
    name,
    parent: { kind: 'Folder', id: 'group-4' },
    path: `/DC0/vm/${name}`,
    revision: 1,
    powerState: i % 3 ? 'poweredOn' : 'poweredOff',
    host: `host-${String(i % 50)}`,
    cluster: `domain-c${String(i % 5)}`,
    datacenter: 'datacenter-1',
    isTemplate: false,
    cpuCount: 1 + (i % 16),
    coresPerSocket: 1,
    memoryMB: 1024 * (1 + (i % 64)),
    guestId: 'rhel9_64Guest',
    firmware: i % 2 ? 'efi' : 'bios',
    uuid: `4231${String(i).padStart(28, '0')}`,
    disks: [0, 1].map((d) => ({
      key: 2000 + d,
      unitNumber: d,
      controllerKey: 1000,
      file: `[ds${String(i % 8)}] ${name}/${name}_${String(d)}.vmdk`,
      datastore: { kind: 'Datastore', id: `datastore-${String(i % 8)}` },
      capacity: (20 + (i % 200)) * 1024 ** 3,
      shared: false,
      rdm: false,
      bus: 'scsi',
      mode: 'persistent',
      serial: `6000C29${String(i).padStart(9, '0')}${String(d)}`,
    })),
    nics: [
      {
        network: { kind: 'Network', id: 'network-7' },
        mac: `00:50:56:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
        order: 0,
        deviceKey: 4000,
      },
    ],
    concerns: [
      {
        id: 'vmware.changed_block_tracking.disabled',
        label: 'Changed Block Tracking (CBT) not enabled',
        category: 'Warning',
        assessment: 'For VM warm migration, Changed Block Tracking (CBT) must be enabled in VMware.',
      },
    ],
    guestNetworks: [
      {
        device: '0',
        mac: '00:50:56:00:00:01',
        ip: `10.${String((i >> 16) & 255)}.${String((i >> 8) & 255)}.${String(i & 255)}`,
        origin: 'dhcp',
        prefix: 16,
        dns: ['10.0.0.2'],
      },
    ],
  };
}

function get(port: number, p: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      })
      .on('error', reject);
  });
}

const home = mkdtempSync(path.join(tmpdir(), 'mtv-bench-q-'));
const store = LocalStore.open({ home });
try {
  const provider = await store.create<Provider>(Resources.Provider, {
    apiVersion: Resources.Provider.apiVersion,
    kind: 'Provider',
    metadata: { name: 'vc', namespace: 'default' },
    spec: {
      type: 'vsphere',
      url: 'https://vc.example.com/sdk',
      secret: { name: 'vc', namespace: 'default' },
    },
  });
  const dir = path.join(home, 'inventory');
  const db = InventoryDb.open(inventoryDbPath(dir, provider.metadata.uid ?? ''), {
    indexes: indexesFor('vsphere'),
  });
  const t0 = performance.now();
  for (let start = 0; start < count; start += 5000) {
    const upserts = [];
    for (let i = start; i < Math.min(count, start + 5000); i++)
      upserts.push({ kind: 'VM', object: vm(i) as never });
    db.apply({ upserts });
  }
  db.setParity(true);
  db.close();
  console.log(`inventory: ${String(count)} VMs written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const app = buildInventoryApp({ store, dir });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const target = `vm-${String(Math.floor(count * 0.4217)).padStart(5, '0')}`;
  const base = `/providers/vsphere/${provider.metadata.uid ?? ''}/vms`;
  const where = `name = '${target}'`;
  const server: number[] = [];
  const client: number[] = [];
  let fullBytes = 0;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const r = await get(port, `${base}?detail=all&q=${encodeURIComponent(`where ${where}`)}`);
    const rows = JSON.parse(r.text) as unknown[];
    server.push(performance.now() - t);
    if (r.status !== 200 || rows.length !== 1)
      throw new Error(`server query: ${String(r.status)}, ${String(rows.length)} rows`);
    t = performance.now();
    const all = await get(port, `${base}?detail=all`);
    const expr = parseExpression(where);
    const hits = (JSON.parse(all.text) as Record<string, unknown>[]).filter((row) =>
      evaluateWhere(expr, row),
    );
    client.push(performance.now() - t);
    fullBytes = all.text.length;
    if (hits.length !== 1) throw new Error(`client filter found ${String(hits.length)} rows`);
  }
  await app.close();
  const a = median(server);
  const b = median(client);
  console.log(
    `server-side  q=where ${where}: median ${a.toFixed(1)} ms of ${String(runs)} [${server.map((x) => x.toFixed(1)).join(', ')}]`,
  );
  console.log(
    `client-side  detail=all download (${(fullBytes / 1024 / 1024).toFixed(0)} MiB) + filter: median ${b.toFixed(0)} ms of ${String(runs)} [${client.map((x) => x.toFixed(0)).join(', ')}]`,
  );
  console.log(`ratio client-side / server-side: ${(b / a).toFixed(0)}x`);
} finally {
  await store.close();
  rmSync(home, { recursive: true, force: true });
}

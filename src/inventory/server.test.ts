import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resources, type Provider } from '../api/index.js';
import { LocalStore } from '../store/local-store.js';
import { inventoryDbPath } from './collector-registry.js';
import { InventoryDb } from './db.js';
import { indexesFor } from './indexes.js';
import { buildInventoryApp } from './server.js';

let store: LocalStore;
let dir: string;
let uid: string;
let db: InventoryDb;
const app = () => buildInventoryApp({ store, dir });

const vm = (i: number, power: string, memoryMB: number) => ({
  kind: 'VM',
  object: {
    id: `vm-${String(i)}`,
    name: `web-${String(i)}`,
    parent: { kind: 'Folder', id: 'group-4' },
    path: `/DC0/vm/${i % 2 ? 'prod' : 'test'}/web-${String(i)}`,
    revision: 0,
    powerState: power,
    memoryMB,
    isTemplate: false,
    host: 'host-1',
    disks: [{ key: 204, capacity: 1024 ** 3 }],
    concerns: [{ id: 'x', category: 'Critical', label: 'x', assessment: 'x' }],
    uuid: `u-${String(i)}`,
  },
});

beforeAll(async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'mtv-inv-srv-'));
  store = LocalStore.open({ home });
  const p = await store.create<Provider>(Resources.Provider, {
    apiVersion: Resources.Provider.apiVersion,
    kind: 'Provider',
    metadata: { name: 'vc', namespace: 'ns1' },
    spec: { type: 'vsphere', url: 'https://vc/sdk', secret: { name: 's', namespace: 'ns1' } },
  });
  uid = p.metadata.uid ?? '';
  dir = path.join(home, 'inventory');
  db = InventoryDb.open(inventoryDbPath(dir, uid), { indexes: indexesFor('vsphere') });
  db.apply({
    upserts: [
      vm(1, 'poweredOn', 4096),
      vm(2, 'poweredOff', 2048),
      vm(3, 'poweredOn', 8192),
      {
        kind: 'Host',
        object: {
          id: 'host-1',
          name: 'esx1',
          parent: { kind: 'Cluster', id: 'c1' },
          path: '/DC0/host/c1/esx1',
          revision: 0,
        },
      },
    ],
  });
});

afterAll(async () => {
  db.close();
  await store.close();
});

const getJson = async (url: string) => {
  const r = await app().inject({ method: 'GET', url });
  return { status: r.statusCode, headers: r.headers, body: JSON.parse(r.body) as unknown };
};

describe('inventory REST service', () => {
  it('answers 206 until the collector reaches parity, then 200', async () => {
    db.setParity(false);
    expect((await getJson(`/providers/vsphere/${uid}/vms`)).status).toBe(206);
    db.setParity(true);
    expect((await getJson(`/providers/vsphere/${uid}/vms`)).status).toBe(200);
  });

  it('lists providers by type with object counts', async () => {
    const { body } = await getJson('/providers');
    const [vc] = (body as { vsphere: Record<string, unknown>[] }).vsphere;
    expect(vc).toMatchObject({
      uid,
      name: 'vc',
      namespace: 'ns1',
      type: 'vsphere',
      vmCount: 3,
      hostCount: 1,
    });
    expect(vc?.object).toBeUndefined();
    const detailed = (await getJson(`/providers/vsphere/${uid}?detail=1`)).body as { object?: Provider };
    expect(detailed.object?.metadata.name).toBe('vc');
  });

  it('projects detail levels as Forklift: 0 base fields, 1 adds VM essentials, all is everything', async () => {
    const base = `/providers/vsphere/${uid}/vms`;
    const [d0] = (await getJson(base)).body as Record<string, unknown>[];
    expect(Object.keys(d0 ?? {}).sort()).toEqual(['id', 'name', 'parent', 'path', 'revision', 'selfLink']);
    expect(d0?.selfLink).toBe(`providers/vsphere/${uid}/vms/vm-1`);
    const [d1] = (await getJson(`${base}?detail=1`)).body as Record<string, unknown>[];
    expect(d1).toHaveProperty('powerState', 'poweredOn');
    expect(d1).toHaveProperty('concerns');
    expect(d1).not.toHaveProperty('memoryMB');
    const [all] = (await getJson(`${base}?detail=all`)).body as Record<string, unknown>[];
    expect(all).toHaveProperty('memoryMB', 4096);
    const one = (await getJson(`${base}/vm-2`)).body as Record<string, unknown>;
    expect(one).toMatchObject({ id: 'vm-2', memoryMB: 2048 });
  });

  it('filters by name (last segment or path), and pages with limit and offset', async () => {
    const base = `/providers/vsphere/${uid}/vms`;
    const names = async (q: string) =>
      ((await getJson(`${base}?${q}`)).body as { name: string }[]).map((v) => v.name);
    expect(await names('name=web-2')).toEqual(['web-2']);
    expect(await names(`name=${encodeURIComponent('/DC0/vm/prod/web-3')}`)).toEqual(['web-3']);
    expect(await names('limit=2')).toEqual(['web-1', 'web-2']);
    expect(await names('limit=2&offset=2')).toEqual(['web-3']);
    expect((await getJson(`${base}?limit=x`)).status).toBe(400);
  });

  it('runs q= in the server: WHERE, SELECT with computed fields, GROUP BY', async () => {
    const base = `/providers/vsphere/${uid}/vms?detail=all&q=`;
    const q = async (text: string) =>
      (await getJson(base + encodeURIComponent(text))).body as Record<string, unknown>[];
    expect((await q("where powerState = 'poweredOn' and memoryMB > 4096")).map((v) => v.name)).toEqual([
      'web-3',
    ]);
    expect(await q('select name, memoryGB, criticalConcerns where memoryMB < 4096')).toEqual([
      { name: 'web-2', memoryGB: 2, criticalConcerns: 1 },
    ]);
    expect(await q('select powerState, count(*) as n group by powerState order by n desc')).toEqual([
      { powerState: 'poweredOn', n: 2 },
      { powerState: 'poweredOff', n: 1 },
    ]);
  });

  it('rejects a bad query with 400 and a position, an unknown field with suggestions', async () => {
    const bad = await getJson(
      `/providers/vsphere/${uid}/vms?q=${encodeURIComponent("where name = 'x' and")}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toHaveProperty('position');
    const unknown = await getJson(
      `/providers/vsphere/${uid}/vms?q=${encodeURIComponent("where powerstate = 'on'")}`,
    );
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('powerState');
  });

  it('answers 404 with X-Reason ProviderNotFound for an unknown provider, 404 for unknown collections', async () => {
    const r = await getJson('/providers/vsphere/no-such-uid/vms');
    expect(r.status).toBe(404);
    expect(r.headers['x-reason']).toBe('ProviderNotFound');
    expect((await getJson(`/providers/vsphere/${uid}/teapots`)).status).toBe(404);
    expect((await getJson(`/providers/vsphere/${uid}/vms/vm-404`)).status).toBe(404);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, Resources, type Plan, type PlanStatus } from '../api/index.js';
import { LocalStore } from '../store/local-store.js';
import { StatusBatcher } from './status-batcher.js';

const opened: LocalStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function planStore(): Promise<{ store: LocalStore; plan: Plan }> {
  const store = LocalStore.open({ home: mkdtempSync(path.join(tmpdir(), 'mtv-batch-')), pollIntervalMs: 10 });
  opened.push(store);
  const plan = await store.create<Plan>(Resources.Plan, {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'Plan',
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      provider: { source: { name: 'vc' }, destination: { name: 'host' } },
      map: { network: { name: 'n' }, storage: { name: 's' } },
      targetNamespace: 'default',
      vms: [],
    },
  });
  return { store, plan };
}

/** Appends `i` to the plan's `status.migration.vms` as a VM id (a mutation that must not be lost). */
const addVm = (i: number) => (s: PlanStatus) => {
  s.migration = {
    ...s.migration,
    vms: [...(s.migration?.vms ?? []), { id: `vm-${i}`, phase: 'Started', pipeline: [] }],
  };
};

describe('StatusBatcher', () => {
  it('applies every concurrent mutation, in fewer writes than mutations', async () => {
    const { store } = await planStore();
    const batcher = new StatusBatcher<PlanStatus, Plan>(store, Resources.Plan);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => batcher.update('default', 'p', addVm(i))),
    );
    const stored = await store.get<Plan>(Resources.Plan, 'default', 'p');
    expect(stored.status?.migration?.vms?.map((v) => v.id)).toEqual(
      Array.from({ length: 50 }, (_, i) => `vm-${i}`),
    );
    // The first mutation is written alone (no added delay when idle); the 49 queued meanwhile go together.
    expect(batcher.writes).toBe(2);
    expect(results[0]?.metadata.resourceVersion).not.toBe(results[49]?.metadata.resourceVersion);
    expect(results[49]?.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
  });

  it('rejects only the mutation that throws; the rest of its batch is written', async () => {
    const { store } = await planStore();
    const batcher = new StatusBatcher<PlanStatus, Plan>(store, Resources.Plan);
    const first = batcher.update('default', 'p', addVm(0));
    const bad = batcher.update('default', 'p', (s) => {
      addVm(1)(s); // half done, then throws: nothing of it may be written
      throw new Error('bad mutation');
    });
    const good = batcher.update('default', 'p', addVm(2));
    await expect(bad).rejects.toThrow('bad mutation');
    await first;
    await good;
    const stored = await store.get<Plan>(Resources.Plan, 'default', 'p');
    expect(stored.status?.migration?.vms?.map((v) => v.id)).toEqual(['vm-0', 'vm-2']);
  });

  it('re-applies the batch on the fresh status after another writer changed the object', async () => {
    const { store, plan } = await planStore();
    // Another writer (the plan reconciler) writes between our read and our write: the store
    // answers Conflict once; the batch is applied again to the status that writer left.
    const realGet = store.get.bind(store);
    let raced = false;
    store.get = (async (...args: Parameters<typeof store.get>) => {
      const obj = await realGet(...args);
      if (!raced) {
        raced = true;
        await store.updateStatus<Plan>(Resources.Plan, {
          ...plan,
          status: {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                category: 'Required',
                lastTransitionTime: '2026-11-22T00:00:00Z',
              },
            ],
          },
        });
      }
      return obj;
    }) as typeof store.get;
    const batcher = new StatusBatcher<PlanStatus, Plan>(store, Resources.Plan);
    await batcher.update('default', 'p', addVm(1));
    const stored = await realGet<Plan>(Resources.Plan, 'default', 'p');
    expect(batcher.conflicts).toBe(1);
    expect(stored.status?.conditions?.map((c) => c.type)).toEqual(['Ready']);
    expect(stored.status?.migration?.vms?.map((v) => v.id)).toEqual(['vm-1']);
  });

  it('rejects every caller when the object is gone', async () => {
    const { store } = await planStore();
    const batcher = new StatusBatcher<PlanStatus, Plan>(store, Resources.Plan);
    await expect(batcher.update('default', 'missing', addVm(0))).rejects.toBeInstanceOf(NotFoundError);
  });
});

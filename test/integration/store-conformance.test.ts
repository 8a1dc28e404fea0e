/**
 * One behaviour, two backends: the same ObjectStore tests run against the local SQLite store and
 * against the real kube-apiserver with mtv's CRDs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AlreadyExistsError, ConflictError, NotFoundError, UsageError } from '../../src/api/index.js';
import { Resources } from '../../src/api/index.js';
import type { KubeObject, Secret } from '../../src/api/index.js';
import type { NetworkMap } from '../../src/api/index.js';
import type { Provider } from '../../src/api/index.js';
import { LocalStore } from '../../src/store/local-store.js';
import type { ObjectStore, WatchEvent } from '../../src/store/object-store.js';
import { createNamespace, kubeStoreFor } from '../support/testbed.js';

interface Backend {
  name: 'local' | 'kube';
  open(): Promise<{ store: ObjectStore; namespace: string }>;
}

const backends: Backend[] = [
  {
    name: 'local',
    open: () =>
      Promise.resolve({
        store: LocalStore.open({ home: mkdtempSync(path.join(tmpdir(), 'mtv-store-')), pollIntervalMs: 20 }),
        namespace: `conf-${Math.random().toString(36).slice(2, 8)}`,
      }),
  },
  {
    name: 'kube',
    open: async () => {
      const kubeconfig = inject('kubeconfig');
      return { store: kubeStoreFor(kubeconfig), namespace: await createNamespace(kubeconfig, 'conf') };
    },
  },
];

function provider(ns: string, name: string, extra: Partial<Provider['spec']> = {}): Provider {
  return {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'Provider',
    metadata: { name, namespace: ns },
    spec: {
      type: 'vsphere',
      url: 'https://vc.example.com/sdk',
      secret: { name: 's', namespace: ns },
      ...extra,
    },
  };
}

describe.each(backends)('ObjectStore conformance: $name', (backend) => {
  let store: ObjectStore;
  let ns: string;
  beforeAll(async () => {
    ({ store, namespace: ns } = await backend.open());
  });
  afterAll(async () => {
    await store.close();
  });

  it('creates, reads and lists with server-set metadata', async () => {
    const created = await store.create(Resources.Provider, provider(ns, 'p1'));
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(0);
    const got = await store.get<Provider>(Resources.Provider, ns, 'p1');
    expect(got).toEqual(created);
    const inNs = await store.list<Provider>(Resources.Provider, { namespace: ns });
    expect(inNs.items.map((p) => p.metadata.name)).toContain('p1');
    const all = await store.list<Provider>(Resources.Provider);
    expect(all.items.some((p) => p.metadata.namespace === ns && p.metadata.name === 'p1')).toBe(true);
  });

  it('generates names from generateName', async () => {
    const a = await store.create<Secret>(Resources.Secret, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { generateName: 'gen-', namespace: ns },
      stringData: { user: 'u' },
    });
    const b = await store.create<Secret>(Resources.Secret, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { generateName: 'gen-', namespace: ns },
    });
    expect(a.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(b.metadata.name).not.toBe(a.metadata.name);
    expect(a.data).toEqual({ user: Buffer.from('u').toString('base64') });
  });

  it('refuses a duplicate name and reports a missing object', async () => {
    await expect(store.create(Resources.Provider, provider(ns, 'p1'))).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    const missing = store.get(Resources.Provider, ns, 'nope');
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    await expect(missing).rejects.toThrow(/Provider "nope" not found/);
  });

  it('detects conflicts on stale resourceVersions and bumps generation on spec changes only', async () => {
    const p = await store.create(Resources.Provider, provider(ns, 'p-conflict'));
    const v2 = await store.update(Resources.Provider, { ...p, spec: { ...p.spec, url: 'https://b/sdk' } });
    expect(v2.metadata.generation).toBe(2);
    await expect(
      store.update(Resources.Provider, { ...p, spec: { ...p.spec, url: 'https://c/sdk' } }),
    ).rejects.toBeInstanceOf(ConflictError);
    const { resourceVersion: _rv, ...withoutVersion } = v2.metadata;
    await expect(store.update(Resources.Provider, { ...v2, metadata: withoutVersion })).rejects.toThrow(
      /metadata\.resourceVersion: .*must be specified for an update/,
    );
    const labelled = await store.update(Resources.Provider, {
      ...v2,
      metadata: { ...v2.metadata, labels: { team: 'a' } },
    });
    expect(labelled.metadata.generation).toBe(2);
    expect(labelled.metadata.labels).toEqual({ team: 'a' });
  });

  it('keeps status and spec apart (status subresource)', async () => {
    const p = await store.create(Resources.Provider, {
      ...provider(ns, 'p-status'),
      status: { phase: 'Ready' },
    });
    expect(p.status).toBeUndefined(); // status is ignored on create
    const s = await store.updateStatus<Provider>(Resources.Provider, {
      ...p,
      spec: { ...p.spec, url: 'https://ignored/sdk' },
      status: {
        phase: 'Staging',
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            category: 'Required',
            lastTransitionTime: '2026-11-21T10:00:00Z',
          },
        ],
      },
    });
    expect(s.status?.phase).toBe('Staging');
    expect(s.spec.url).toBe('https://vc.example.com/sdk');
    expect(s.metadata.generation).toBe(1);
    const u = await store.update<Provider>(Resources.Provider, { ...s, status: { phase: 'Bogus' } });
    expect(u.status?.phase).toBe('Staging'); // update ignores status
  });

  it('applies JSON merge patches with resourceVersion preconditions', async () => {
    const p = await store.create(
      Resources.Provider,
      provider(ns, 'p-patch', { settings: { a: '1', b: '2' } }),
    );
    const patched = await store.patch<Provider>(Resources.Provider, ns, 'p-patch', {
      spec: { settings: { a: null, c: '3' } },
    });
    expect(patched.spec.settings).toEqual({ b: '2', c: '3' });
    await expect(
      store.patch(Resources.Provider, ns, 'p-patch', {
        metadata: { resourceVersion: p.metadata.resourceVersion },
        spec: { url: 'https://x/sdk' },
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    const status = await store.patch<Provider>(
      Resources.Provider,
      ns,
      'p-patch',
      { status: { phase: 'Ready' } },
      { subresource: 'status' },
    );
    expect(status.status?.phase).toBe('Ready');
  });

  it('filters lists by label selector', async () => {
    const mk = (name: string, labels?: Record<string, string>): Promise<Provider> =>
      store.create(Resources.Provider, {
        ...provider(ns, name),
        metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
      });
    await mk('l-a', { app: 'a', tier: 'x' });
    await mk('l-b', { app: 'b' });
    await mk('l-none');
    const names = async (sel: string): Promise<string[]> =>
      (await store.list(Resources.Provider, { namespace: ns, labelSelector: sel })).items
        .map((o) => o.metadata.name ?? '')
        .filter((n) => n.startsWith('l-'));
    expect(await names('app=a')).toEqual(['l-a']);
    expect(await names('app in (a,b)')).toEqual(['l-a', 'l-b']);
    expect(await names('!app')).toEqual(['l-none']);
    expect(await names('app!=a')).toEqual(['l-b', 'l-none']);
    expect(await names('app,tier')).toEqual(['l-a']);
  });

  it('validates against the CRD schema, naming the field, and prunes unknown fields', async () => {
    const bad = { ...provider(ns, 'p-bad'), spec: { type: 'vsphere' } } as unknown as Provider;
    await expect(store.create(Resources.Provider, bad)).rejects.toBeInstanceOf(UsageError);
    await expect(store.create(Resources.Provider, bad)).rejects.toThrow(/spec\.secret/);
    const map: NetworkMap = {
      apiVersion: 'forklift.konveyor.io/v1beta1',
      kind: 'NetworkMap',
      metadata: { name: 'nm-bad', namespace: ns },
      spec: {
        provider: { source: { name: 'a' }, destination: { name: 'b' } },
        map: [{ source: { name: 'VM Network' }, destination: { type: 'bogus' as 'pod' } }],
      },
    };
    await expect(store.create(Resources.NetworkMap, map)).rejects.toThrow(
      /spec\.map\[0\]\.destination\.type/,
    );
    const pruned = await store.create(Resources.Provider, {
      ...provider(ns, 'p-pruned'),
      spec: { ...provider(ns, 'p-pruned').spec, bogus: 'x' },
    } as Provider);
    expect(pruned.spec).not.toHaveProperty('bogus');
    const nothing = await store.list(Resources.Provider, { namespace: ns });
    expect(nothing.items.map((o) => o.metadata.name)).not.toContain('p-bad');
  });

  it('rejects invalid label keys and values', async () => {
    const labelled = (labels: Record<string, string>): Provider => ({
      ...provider(ns, 'p-labels'),
      metadata: { name: 'p-labels', namespace: ns, labels },
    });
    await expect(store.create(Resources.Provider, labelled({ 'bad key!': 'x' }))).rejects.toThrow(
      /metadata\.labels/,
    );
    await expect(store.create(Resources.Provider, labelled({ app: 'not ok!' }))).rejects.toThrow(
      /metadata\.labels/,
    );
    const ok = await store.create(
      Resources.Provider,
      labelled({ 'app.kubernetes.io/name': 'mtv', tier: '' }),
    );
    expect(ok.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'mtv', tier: '' });
  });

  it('dry runs validate without writing', async () => {
    const r = await store.create(Resources.Provider, provider(ns, 'p-dry'), { dryRun: true });
    expect(r.metadata.name).toBe('p-dry');
    await expect(store.get(Resources.Provider, ns, 'p-dry')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deletes, honouring finalizers', async () => {
    await store.create(Resources.Provider, {
      ...provider(ns, 'p-final'),
      metadata: { name: 'p-final', namespace: ns, finalizers: ['mtv.konveyor.io/test'] },
    });
    await store.delete(Resources.Provider, ns, 'p-final');
    const marked = await store.get<Provider>(Resources.Provider, ns, 'p-final');
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    await store.patch(Resources.Provider, ns, 'p-final', { metadata: { finalizers: null } });
    await expect(store.get(Resources.Provider, ns, 'p-final')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.delete(Resources.Provider, ns, 'p-final')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records owner references; dependents go with their last owner where a garbage collector runs', async () => {
    const owner = await store.create(Resources.Provider, provider(ns, 'p-owner'));
    const ref = {
      apiVersion: owner.apiVersion,
      kind: 'Provider',
      name: 'p-owner',
      uid: owner.metadata.uid ?? '',
    };
    await store.create(Resources.Secret, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'owned', namespace: ns, ownerReferences: [ref] },
    });
    await store.delete(Resources.Provider, ns, 'p-owner');
    if (backend.name === 'local') {
      await expect(store.get(Resources.Secret, ns, 'owned')).rejects.toBeInstanceOf(NotFoundError);
    } else {
      // The test control plane runs no controller-manager, hence no garbage collector.
      const kept = await store.get<Secret>(Resources.Secret, ns, 'owned');
      expect(kept.metadata.ownerReferences?.[0]?.uid).toBe(owner.metadata.uid);
    }
  });

  it('watches from a resourceVersion: added, modified, deleted, in order', async () => {
    const start = await store.list(Resources.Provider, { namespace: ns });
    const controller = new AbortController();
    const seen: WatchEvent<KubeObject>[] = [];
    const done = (async () => {
      for await (const e of store.watch(Resources.Provider, {
        namespace: ns,
        resourceVersion: start.resourceVersion,
        signal: controller.signal,
      })) {
        if (e.object.metadata.name !== 'p-watch') continue;
        seen.push(e);
        if (e.type === 'DELETED') break;
      }
    })();
    await store.create(Resources.Provider, provider(ns, 'p-watch'));
    await store.patch(Resources.Provider, ns, 'p-watch', { spec: { url: 'https://w/sdk' } });
    await store.delete(Resources.Provider, ns, 'p-watch');
    await Promise.race([
      done,
      new Promise((_, rej) => setTimeout(() => rej(new Error('watch timed out')), 15_000)),
    ]);
    controller.abort();
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    const versions = seen.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });

  it('a watch without a resourceVersion first reports existing objects', async () => {
    const controller = new AbortController();
    const names: string[] = [];
    for await (const e of store.watch(Resources.Provider, { namespace: ns, signal: controller.signal })) {
      expect(e.type).toBe('ADDED');
      names.push(e.object.metadata.name ?? '');
      if (names.includes('p1')) break;
    }
    controller.abort();
    expect(names).toContain('p1');
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resources, type Provider, type Secret } from '../api/index.js';
import { CollectorRegistry } from '../inventory/collector-registry.js';
import { providerAdapters } from '../providers/registry.js';
import { LocalStore } from '../store/local-store.js';
import { silentLogger } from './log.js';
import { ProviderReconciler } from './provider-reconciler.js';

// Validation happens before any connection: these cases never reach a vCenter (the connection
// itself is covered against vcsim in test/integration/vsphere-inventory.test.ts).
let store: LocalStore;
let reconciler: ProviderReconciler;
const ns = 'default';

async function provider(name: string, spec: Partial<Provider['spec']>, secretData?: Record<string, string>) {
  if (secretData) {
    await store.create<Secret>(Resources.Secret, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-secret`, namespace: ns },
      data: Object.fromEntries(
        Object.entries(secretData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
    });
  }
  await store.create<Provider>(Resources.Provider, {
    apiVersion: Resources.Provider.apiVersion,
    kind: 'Provider',
    metadata: { name, namespace: ns },
    spec: { type: 'vsphere', secret: { name: `${name}-secret`, namespace: ns }, ...spec },
  });
  await reconciler.reconcile(ns, name, new AbortController().signal);
  const p = await store.get<Provider>(Resources.Provider, ns, name);
  return {
    phase: p.status?.phase,
    conditions: p.status?.conditions ?? [],
    generation: p.status?.observedGeneration,
  };
}

beforeAll(() => {
  const home = mkdtempSync(path.join(tmpdir(), 'mtv-prov-rec-'));
  store = LocalStore.open({ home });
  reconciler = new ProviderReconciler({
    store,
    log: silentLogger(),
    adapters: providerAdapters,
    collectors: new CollectorRegistry(path.join(home, 'inventory'), () => undefined),
    enqueue: () => undefined,
  });
});

afterAll(async () => {
  await reconciler.stop();
  await store.close();
});

const types = (cs: { type: string }[]) => cs.map((c) => c.type);

describe('ProviderReconciler validation', () => {
  it('the local cluster (openshift without URL) is Ready at once', async () => {
    const r = await provider('host', { type: 'openshift', secret: {} });
    expect(r.phase).toBe('Ready');
    expect(types(r.conditions)).toEqual(['Ready', 'Validated']);
    expect(r.generation).toBe(1);
  });

  it('a missing URL is UrlNotValid (Critical, NotSet)', async () => {
    const r = await provider('nourl', {}, { user: 'u', password: 'p' });
    expect(r.phase).toBe('ValidationFailed');
    expect(r.conditions.find((c) => c.type === 'UrlNotValid')).toMatchObject({
      category: 'Critical',
      reason: 'NotSet',
    });
    expect(types(r.conditions)).not.toContain('Ready');
  });

  it('a malformed URL and unknown settings are reported together', async () => {
    const r = await provider(
      'bad',
      { url: 'vc.example.com', settings: { sdkEndpoint: 'cloud', vddkBogus: 'x' } },
      { user: 'u', password: 'p' },
    );
    expect(r.conditions.find((c) => c.type === 'UrlNotValid')?.reason).toBe('Malformed');
    const settings = r.conditions.find((c) => c.type === 'SettingsNotValid');
    expect(settings?.items).toEqual(['spec.settings.vddkBogus', 'spec.settings.sdkEndpoint']);
    expect(settings?.message).toMatch(/sdkEndpoint must be one of vcenter, esxi \(got "cloud"\)/);
  });

  it('a missing Secret, missing keys and a non-PEM cacert are SecretNotValid with their reasons', async () => {
    const absent = await provider('nosecret', { url: 'https://vc/sdk' });
    expect(absent.conditions.find((c) => c.type === 'SecretNotValid')?.reason).toBe('NotFound');
    const keys = await provider('nokeys', { url: 'https://vc/sdk' }, { user: 'u' });
    expect(keys.conditions.find((c) => c.type === 'SecretNotValid')).toMatchObject({
      reason: 'DataErr',
      items: ['password'],
    });
    const pem = await provider(
      'badpem',
      { url: 'https://vc/sdk' },
      { user: 'u', password: 'p', cacert: 'not a certificate' },
    );
    expect(pem.conditions.find((c) => c.type === 'SecretNotValid')).toMatchObject({
      reason: 'Malformed',
      items: ['cacert'],
    });
    for (const r of [absent, keys, pem]) expect(r.phase).toBe('ValidationFailed');
  });

  it('types without an adapter are ProviderTypeNotSupported; ignored fields are an Advisory', async () => {
    const r = await provider(
      'ov',
      { type: 'ovirt', url: 'https://engine/ovirt-engine/api' },
      { user: 'u', password: 'p' },
    );
    expect(r.phase).toBe('ValidationFailed');
    expect(r.conditions.find((c) => c.type === 'ProviderTypeNotSupported')?.category).toBe('Critical');
    const v = await provider(
      'vddk',
      { url: 'vc', settings: { vddkInitImage: 'quay.io/x/vddk:8' } },
      { user: 'u', password: 'p' },
    );
    expect(v.conditions.find((c) => c.type === 'FieldsNotSupported')).toMatchObject({
      category: 'Advisory',
      items: ['spec.settings.vddkInitImage'],
    });
  });

  it('an unchanged outcome writes no new status (no reconcile loops)', async () => {
    const before = await store.get<Provider>(Resources.Provider, ns, 'nourl');
    await reconciler.reconcile(ns, 'nourl', new AbortController().signal);
    const after = await store.get<Provider>(Resources.Provider, ns, 'nourl');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});

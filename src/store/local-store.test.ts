import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExpiredError, NotFoundError } from '../api/index.js';
import { Resources } from '../api/index.js';
import type { OwnerReference, Secret } from '../api/index.js';
import type { Host } from '../api/index.js';
import { LocalStore } from './local-store.js';

const opened: LocalStore[] = [];
function open(home = mkdtempSync(path.join(tmpdir(), 'mtv-local-')), retainedEvents?: number): LocalStore {
  const s = LocalStore.open({ home, pollIntervalMs: 10, ...(retainedEvents ? { retainedEvents } : {}) });
  opened.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function host(name: string): Host {
  return {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'Host',
    metadata: { name, namespace: 'default' },
    spec: { id: name, ipAddress: '10.0.0.1', provider: { name: 'vc' }, secret: { name: 'hs' } },
  };
}

function secret(name: string, owners: OwnerReference[]): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default', ownerReferences: owners },
  };
}

function refTo(h: Host): OwnerReference {
  return { apiVersion: h.apiVersion, kind: 'Host', name: h.metadata.name ?? '', uid: h.metadata.uid ?? '' };
}

describe('LocalStore', () => {
  it('keeps its database private: file mode 0600 in a 0700 directory', () => {
    const home = path.join(mkdtempSync(path.join(tmpdir(), 'mtv-local-')), 'home');
    const s = open(home);
    expect(statSync(s.path).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it('deletes a dependent only when its last owner is gone', async () => {
    const s = open();
    const a = await s.create(Resources.Host, host('a'));
    const b = await s.create(Resources.Host, host('b'));
    await s.create(Resources.Secret, secret('shared', [refTo(a), refTo(b)]));
    await s.delete(Resources.Host, 'default', 'a');
    const kept = await s.get<Secret>(Resources.Secret, 'default', 'shared');
    expect(kept.metadata.ownerReferences?.map((r) => r.name)).toEqual(['b']);
    await s.delete(Resources.Host, 'default', 'b');
    await expect(s.get(Resources.Secret, 'default', 'shared')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('orphans dependents on request', async () => {
    const s = open();
    const a = await s.create(Resources.Host, host('a'));
    await s.create(Resources.Secret, secret('mine', [refTo(a)]));
    await s.delete(Resources.Host, 'default', 'a', { propagationPolicy: 'Orphan' });
    const kept = await s.get<Secret>(Resources.Secret, 'default', 'mine');
    expect(kept.metadata.ownerReferences).toBeUndefined();
  });

  it('a watcher sees writes made through another connection (another process)', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'mtv-local-'));
    const watcher = open(home);
    const writer = open(home);
    const start = await watcher.list(Resources.Host);
    const controller = new AbortController();
    const got = (async () => {
      for await (const e of watcher.watch<Host>(Resources.Host, {
        resourceVersion: start.resourceVersion,
        signal: controller.signal,
      })) {
        return `${e.type} ${e.object.metadata.name ?? ''}`;
      }
      return 'aborted';
    })();
    await writer.create(Resources.Host, host('remote'));
    expect(await got).toBe('ADDED remote');
    controller.abort();
  });

  it('reports a compacted resourceVersion as expired', async () => {
    const s = open(undefined, 10);
    const first = await s.create(Resources.Host, host('h0'));
    for (let i = 1; i < 1001; i++)
      await s.patch(Resources.Host, 'default', 'h0', { metadata: { labels: { i: String(i) } } });
    const iterate = async (): Promise<void> => {
      for await (const _ of s.watch(Resources.Host, {
        resourceVersion: first.metadata.resourceVersion ?? '',
      }))
        break;
    };
    await expect(iterate()).rejects.toBeInstanceOf(ExpiredError);
  });

  it('keeps at most about retainedEventBytes of event bodies, however few the events', async () => {
    const s = LocalStore.open({
      home: mkdtempSync(path.join(tmpdir(), 'mtv-local-')),
      pollIntervalMs: 10,
      retainedEventBytes: 64 * 1024,
    });
    opened.push(s);
    const big = 'x'.repeat(8 * 1024); // each event body ≈ 8 KiB: 64 KiB is ≈ 8 events
    const first = await s.create(Resources.Host, {
      ...host('h0'),
      metadata: { ...host('h0').metadata, annotations: { big } },
    });
    let last: Host = first;
    for (let i = 1; i <= 40; i++)
      last = await s.patch<Host>(Resources.Host, 'default', 'h0', { metadata: { labels: { i: String(i) } } });
    const resume = (rv: string) => async (): Promise<string> => {
      for await (const e of s.watch(Resources.Host, { resourceVersion: rv })) return e.type;
      return 'none';
    };
    await expect(resume(first.metadata.resourceVersion ?? '')()).rejects.toBeInstanceOf(ExpiredError);
    // The newest ≈ 64 KiB are kept: a watcher 4 events behind resumes without relisting.
    const recent = String(Number(last.metadata.resourceVersion) - 4);
    await expect(resume(recent)()).resolves.toBe('MODIFIED');
  });

  it('leaves nothing behind when a write is invalid', async () => {
    const s = open();
    const before = (await s.list(Resources.Host)).resourceVersion;
    await expect(
      s.create(Resources.Host, { ...host('x'), spec: { id: 'x' } } as unknown as Host),
    ).rejects.toThrow(/spec\.ipAddress: is required/);
    const after = await s.list(Resources.Host);
    expect(after.items).toEqual([]);
    expect(after.resourceVersion).toBe(before);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/index.js';
import { Resources, type ResourceType } from '../../../api/index.js';
import type { KubeObject } from '../../../api/index.js';
import { LocalStore } from '../../../store/local-store.js';
import type { ObjectStore } from '../../../store/object-store.js';
import type { Session } from '../../context.js';
import { planProvider, run } from './provider.js';

/**
 * Failure-injection double: a real LocalStore whose create of one kind fails, standing in for an
 * API refusal (the kube suite shows the same with a real RBAC denial).
 */
function storeFailingCreateOf(kind: string, inner: ObjectStore): ObjectStore {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'create') {
        return (type: ResourceType, obj: KubeObject, opts?: { dryRun?: boolean }) =>
          type.kind === kind && !opts?.dryRun
            ? Promise.reject(new ApiError('injected failure', 500))
            : target.create(type, obj, opts);
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

function session(store: ObjectStore): Session {
  return {
    store,
    mode: 'local',
    namespace: 'default',
    allNamespaces: false,
    cwd: '/',
    now: () => new Date(),
    home: '/nonexistent',
    env: {},
  };
}

describe('create provider', () => {
  it('removes the Secret it created when the Provider cannot be created', async () => {
    const local = LocalStore.open({ home: mkdtempSync(path.join(tmpdir(), 'mtv-rb-')) });
    const s = session(storeFailingCreateOf('Provider', local));
    await expect(
      run(s, { name: 'vc', type: 'vsphere', url: 'https://vc/sdk', username: 'u', password: 'p' }),
    ).rejects.toThrow('injected failure');
    expect((await local.list(Resources.Secret)).items).toEqual([]);
    expect((await local.list(Resources.Provider)).items).toEqual([]);
    await local.close();
  });

  it('plans Forklift’s keys per provider type', () => {
    const data = (type: string, extra: object = {}): string[] =>
      Object.keys(
        planProvider('ns', { name: 'p', type, url: type === 'ova' ? 'nfs:/x' : 'https://h/sdk', ...extra })
          .secret?.data ?? {},
      ).sort();
    expect(data('vsphere', { username: 'u', password: 'p' })).toEqual(['password', 'url', 'user']);
    expect(
      data('openstack', {
        username: 'u',
        password: 'p',
        domainName: 'd',
        projectName: 'pr',
        regionName: 'r',
      }),
    ).toEqual(['domainName', 'password', 'projectName', 'regionName', 'url', 'username']);
    expect(data('openshift', { token: 't' })).toEqual(['token', 'url']);
    expect(data('ova')).toEqual(['url']);
    expect(planProvider('ns', { name: 'host', type: 'openshift' }).secret).toBeUndefined();
  });
});

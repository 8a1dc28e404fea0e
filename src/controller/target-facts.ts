/**
 * What reconcilers read besides the store: a provider's inventory (the databases the collectors
 * write, opened read-only) and, in cluster mode, facts about the target cluster (namespaces,
 * NetworkAttachmentDefinitions, storage classes, VirtualMachines). Local mode has no target
 * cluster: target facts are `undefined` and validations that need them become Advisory.
 */
import { existsSync } from 'node:fs';
import { NotFoundError, type KubeObject, type Provider } from '../api/index.js';
import { inventoryDbPath } from '../inventory/collector-registry.js';
import { InventoryDb } from '../inventory/db.js';
import type { TargetFacts } from '../planner/validate.js';
import type { ObjectStore } from '../store/index.js';

/** Read-only access to the inventory databases in `dir`. */
export class InventoryAccess {
  private readonly dir: string;
  private readonly open = new Map<string, InventoryDb>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The provider's inventory when it has reached parity; undefined otherwise. */
  of(provider: Provider | undefined): InventoryDb | undefined {
    const uid = provider?.metadata.uid;
    if (!uid) return undefined;
    let db = this.open.get(uid);
    if (!db) {
      const file = inventoryDbPath(this.dir, uid);
      if (!existsSync(file)) return undefined;
      db = InventoryDb.open(file, { readonly: true });
      this.open.set(uid, db);
    }
    return db.parity ? db : undefined;
  }

  /** Closes every database. */
  close(): void {
    for (const db of this.open.values()) db.close();
    this.open.clear();
  }
}

interface KubeRequester {
  request<T>(method: string, path: string): Promise<T>;
}

async function names(
  store: KubeRequester,
  path: string,
  withNamespace: boolean,
): Promise<Set<string> | undefined> {
  try {
    const list = await store.request<{ items: KubeObject[] }>('GET', path);
    return new Set(
      list.items.map((o) =>
        withNamespace ? `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}` : (o.metadata.name ?? ''),
      ),
    );
  } catch {
    return undefined; // the API is not served (no Multus, no KubeVirt) or not readable
  }
}

/**
 * Facts about the target cluster for a namespace, or undefined in local mode.
 * A kind the cluster does not serve (no Multus, no KubeVirt CRDs) is left undefined.
 */
export async function targetFacts(store: ObjectStore, namespace: string): Promise<TargetFacts | undefined> {
  if (store.mode !== 'kube') return undefined;
  const kube = store as unknown as KubeRequester;
  const ns = encodeURIComponent(namespace);
  let namespaceExists: boolean | undefined;
  try {
    await kube.request('GET', `/api/v1/namespaces/${ns}`);
    namespaceExists = true;
  } catch (e: unknown) {
    namespaceExists = e instanceof NotFoundError ? false : undefined;
  }
  const [networkAttachments, storageClasses, existingVms] = await Promise.all([
    names(kube, '/apis/k8s.cni.cncf.io/v1/network-attachment-definitions', true),
    names(kube, '/apis/storage.k8s.io/v1/storageclasses', false),
    names(kube, `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, false),
  ]);
  return {
    ...(namespaceExists !== undefined ? { namespaceExists } : {}),
    ...(networkAttachments ? { networkAttachments } : {}),
    ...(storageClasses ? { storageClasses } : {}),
    ...(existingVms ? { existingVms } : {}),
  };
}

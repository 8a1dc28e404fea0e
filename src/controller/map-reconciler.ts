/**
 * The NetworkMap and StorageMap reconciler: validates providers, that every source network or
 * datastore exists in the source inventory, and (cluster mode) that destinations exist; `Ready`
 * when nothing blocks. Plans require their maps to be Ready, as in Forklift.
 *
 * @see https://github.com/kubev2v/forklift/tree/main/pkg/controller/map
 */
import {
  NotFoundError,
  Resources,
  type KubeObject,
  type NetworkMap,
  type Provider,
  type ResourceType,
  type StorageMap,
} from '../api/index.js';
import { validateMap, type InventoryNamed } from '../planner/validate.js';
import type { ObjectStore } from '../store/index.js';
import type { Dependency, Reconciler } from './manager.js';
import { keyOf } from './manager.js';
import { writeConditions } from './status-writer.js';
import { targetFacts, type InventoryAccess } from './target-facts.js';
import type { HandlerResult } from './work-queue.js';

/** Options of {@link MapReconciler}. */
export interface MapReconcilerOptions {
  store: ObjectStore;
  inventory: InventoryAccess;
  now?: () => Date;
}

/** Reads a provider by reference; undefined when it does not exist. */
export async function providerAt(
  store: ObjectStore,
  ref: { name?: string; namespace?: string },
  ns: string,
): Promise<Provider | undefined> {
  if (!ref.name) return undefined;
  try {
    return await store.get<Provider>(Resources.Provider, ref.namespace || ns, ref.name);
  } catch (e: unknown) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

/** Reconciles one map kind. */
export class MapReconciler implements Reconciler {
  readonly name: string;
  readonly type: ResourceType;
  readonly dependencies: readonly Dependency[];
  private readonly o: MapReconcilerOptions;

  constructor(kind: 'NetworkMap' | 'StorageMap', options: MapReconcilerOptions) {
    this.type = kind === 'NetworkMap' ? Resources.NetworkMap : Resources.StorageMap;
    this.name = kind === 'NetworkMap' ? 'networkmap' : 'storagemap';
    this.o = options;
    this.dependencies = [{ type: Resources.Provider, map: (p) => this.mapsOf(p) }];
  }

  /** Maps in the provider's namespace that reference it. */
  private async mapsOf(p: KubeObject): Promise<string[]> {
    const ns = p.metadata.namespace ?? '';
    const { items } = await this.o.store.list<NetworkMap | StorageMap>(this.type, { namespace: ns });
    const refers = (r: { name?: string; namespace?: string }) =>
      r.name === p.metadata.name && (r.namespace || ns) === ns;
    return items
      .filter((m) => refers(m.spec.provider.source) || refers(m.spec.provider.destination))
      .map(keyOf);
  }

  async reconcile(namespace: string, name: string): Promise<HandlerResult | undefined> {
    let map: NetworkMap | StorageMap;
    try {
      map = await this.o.store.get<NetworkMap | StorageMap>(this.type, namespace, name);
    } catch (e: unknown) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
    const [source, destination] = await Promise.all([
      providerAt(this.o.store, map.spec.provider.source, namespace),
      providerAt(this.o.store, map.spec.provider.destination, namespace),
    ]);
    const db = this.o.inventory.of(source);
    const inventory = db
      ? (db.list(map.kind === 'NetworkMap' ? 'Network' : 'Datastore') as unknown as InventoryNamed[])
      : undefined;
    const target = await targetFacts(this.o.store, namespace);
    const findings = validateMap({
      map,
      ...(source ? { source } : {}),
      ...(destination ? { destination } : {}),
      ...(inventory ? { inventory } : {}),
      ...(target ? { target } : {}),
    });
    const conditions = await writeConditions(this.o.store, this.type, map, findings, {
      now: this.o.now?.() ?? new Date(),
    });
    return conditions.some((c) => c.type === 'Ready') ? undefined : { requeueAfterMs: 10_000 };
  }
}

/**
 * The Plan reconciler (validation part): gathers the plan's providers, maps, hooks, the source
 * inventory of its VMs and, in cluster mode, target facts; writes Forklift's conditions and the
 * summary `status.phase` (Pending, Ready, Archived; the migration controller adds Running and
 * the outcomes).
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/validation.go
 */
import {
  Category,
  hasTrueCondition,
  NotFoundError,
  PlanPhase,
  Resources,
  type Hook,
  type KubeObject,
  type NetworkMap,
  type Plan,
  type StorageMap,
} from '../api/index.js';
import { validatePlan, type InventoryNamed, type ValidationVm } from '../planner/validate.js';
import type { ObjectStore } from '../store/index.js';
import { providerAt } from './map-reconciler.js';
import type { Dependency, Reconciler } from './manager.js';
import { keyOf } from './manager.js';
import { writeConditions } from './status-writer.js';
import { targetFacts, type InventoryAccess } from './target-facts.js';
import type { HandlerResult } from './work-queue.js';

/** Options of {@link PlanReconciler}. */
export interface PlanReconcilerOptions {
  store: ObjectStore;
  inventory: InventoryAccess;
  /** DNS-1123 normalisation of target VM names. */
  normalizeName: (name: string) => string;
  now?: () => Date;
}

async function getOr<T extends KubeObject>(
  store: ObjectStore,
  type: Parameters<ObjectStore['get']>[0],
  ns: string,
  name: string | undefined,
): Promise<T | undefined> {
  if (!name) return undefined;
  try {
    return await store.get<T>(type, ns, name);
  } catch (e: unknown) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

/** Reconciles Plans. */
export class PlanReconciler implements Reconciler {
  readonly name = 'plan';
  readonly type = Resources.Plan;
  readonly dependencies: readonly Dependency[];
  private readonly o: PlanReconcilerOptions;

  constructor(options: PlanReconcilerOptions) {
    this.o = options;
    const refersTo = (kind: 'provider' | 'network' | 'storage' | 'hook') => (obj: KubeObject) =>
      this.plansReferring(obj, kind);
    this.dependencies = [
      { type: Resources.Provider, map: refersTo('provider') },
      { type: Resources.NetworkMap, map: refersTo('network') },
      { type: Resources.StorageMap, map: refersTo('storage') },
      { type: Resources.Hook, map: refersTo('hook') },
    ];
  }

  private async plansReferring(
    obj: KubeObject,
    kind: 'provider' | 'network' | 'storage' | 'hook',
  ): Promise<string[]> {
    const ns = obj.metadata.namespace ?? '';
    const { items } = await this.o.store.list<Plan>(Resources.Plan, { namespace: ns });
    const is = (r: { name?: string; namespace?: string } | undefined) =>
      !!r && r.name === obj.metadata.name && (r.namespace || ns) === ns;
    return items
      .filter((p) => {
        const s = p.spec;
        if (kind === 'provider') return is(s.provider.source) || is(s.provider.destination);
        if (kind === 'network') return is(s.map.network);
        if (kind === 'storage') return is(s.map.storage);
        return s.vms.some((vm) => (vm.hooks ?? []).some((h) => is(h.hook)));
      })
      .map(keyOf);
  }

  async reconcile(namespace: string, name: string): Promise<HandlerResult | undefined> {
    const plan = await getOr<Plan>(this.o.store, Resources.Plan, namespace, name);
    if (!plan) return undefined;
    const now = this.o.now?.() ?? new Date();
    if (plan.spec.archived) {
      await writeConditions(
        this.o.store,
        Resources.Plan,
        plan,
        [
          {
            type: 'Archived',
            category: Category.Advisory,
            reason: 'UserRequested',
            message: 'The plan is archived.',
          },
        ],
        { now, ready: false, phase: () => PlanPhase.Archived },
      );
      return undefined;
    }
    const input = await this.gather(plan, namespace);
    const findings = validatePlan(input);
    const c = plan.status?.conditions;
    // Execution conditions are durable (the migration reconciler owns them); they decide the phase.
    const executed = hasTrueCondition(c, 'Executing')
      ? PlanPhase.Running
      : hasTrueCondition(c, 'Succeeded')
        ? PlanPhase.Succeeded
        : hasTrueCondition(c, 'Failed')
          ? PlanPhase.Failed
          : hasTrueCondition(c, 'Canceled')
            ? PlanPhase.Canceled
            : undefined;
    const conditions = await writeConditions(this.o.store, Resources.Plan, plan, findings, {
      now,
      phase: (blocked) => executed ?? (blocked ? PlanPhase.Pending : PlanPhase.Ready),
    });
    return conditions.some((c) => c.type === 'Ready') ? undefined : { requeueAfterMs: 10_000 };
  }

  /** Reads everything validation needs. */
  private async gather(plan: Plan, ns: string): Promise<Parameters<typeof validatePlan>[0]> {
    const s = plan.spec;
    const store = this.o.store;
    const [source, destination, networkMap, storageMap] = await Promise.all([
      providerAt(store, s.provider.source, ns),
      providerAt(store, s.provider.destination, ns),
      getOr<NetworkMap>(store, Resources.NetworkMap, s.map.network.namespace || ns, s.map.network.name),
      getOr<StorageMap>(store, Resources.StorageMap, s.map.storage.namespace || ns, s.map.storage.name),
    ]);
    const hooks = new Map<string, Hook | undefined>();
    for (const vm of s.vms) {
      for (const h of vm.hooks ?? []) {
        const hns = h.hook.namespace || ns;
        const key = `${h.hook.namespace ?? ''}/${h.hook.name ?? ''}`;
        if (!hooks.has(key)) hooks.set(key, await getOr<Hook>(store, Resources.Hook, hns, h.hook.name));
      }
    }
    const db = this.o.inventory.of(source);
    let vms: Map<string, ValidationVm> | undefined;
    if (db) {
      vms = new Map();
      for (const ref of s.vms) {
        const vm = ref.id ? db.get('VM', ref.id) : db.list('VM', { name: ref.name ?? '' })[0];
        if (vm) vms.set(vm.id, vm);
      }
    }
    const target = await targetFacts(store, s.targetNamespace || ns);
    return {
      plan,
      ...(source ? { source } : {}),
      ...(destination ? { destination } : {}),
      ...(networkMap ? { networkMap } : {}),
      ...(storageMap ? { storageMap } : {}),
      ...(vms ? { vms } : {}),
      ...(db
        ? {
            networks: db.list('Network') as unknown as InventoryNamed[],
            datastores: db.list('Datastore') as unknown as InventoryNamed[],
          }
        : {}),
      hooks,
      ...(target ? { target } : {}),
      normalizeName: this.o.normalizeName,
    };
  }
}

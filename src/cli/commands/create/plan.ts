/**
 * `create plan NAME --source S [--target T] --vms …`: a Plan with every Forklift plan field as a
 * flag. VMs come from names/ids, an `@file`, or a query run in the inventory service; mappings are
 * existing ones, inline pairs (`<plan>-network` / `<plan>-storage`, owned by the plan), or chosen
 * automatically with each choice printed.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/plan.go
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import {
  checkObjectName,
  ForkliftApiVersion,
  Resources,
  UsageError,
  type DestinationNetwork,
  type HookRef,
  type KubeObject,
  type NetworkMap,
  type NetworkPair,
  type ObjectReference,
  type Plan,
  type PlanSpec,
  type PlanVM,
  type Problem,
  type Provider,
  type ResourceType,
  type StorageMap,
  type StoragePair,
} from '../../../api/index.js';
import { parseQuery, printQuery, QuerySyntaxError } from '../../../query/index.js';
import { autoMap, type AutoMapVm } from '../../../planner/auto-map.js';
import { parseVmsArgument, resolveVms, type VmEntry } from '../../../planner/vms.js';
import type { Session } from '../../context.js';
import { openInventoryClient, type InventoryClient } from '../../inventory-client.js';
import { assertAbsent, getNamed } from '../../lookup.js';
import {
  checkStorageDefaults,
  parseNetworkPairs,
  parseStoragePairs,
  type StorageDefaults,
} from '../../pairs.js';
import { ownerRef, parseNamespacedName, providerRef } from '../../refs.js';
import type { CommandResult } from '../../result.js';
import { withRollback } from '../../rollback.js';
import { checkedPlanSpec, type AffinityTexts } from '../plan-flags.js';
import { mapProviders, podSources } from './mapping.js';

/** Options of {@link run}: the flags of `create plan`. */
export interface CreatePlanOptions {
  name: string;
  source?: string | undefined;
  target?: string | undefined;
  /** `--vms`: names/ids, `@file`, or a query. */
  vms?: string | undefined;
  skipMissing?: boolean | undefined;
  migrationType?: string | undefined;
  targetNamespace?: string | undefined;
  networkMapping?: string | undefined;
  storageMapping?: string | undefined;
  networkPairs?: string | undefined;
  storagePairs?: string | undefined;
  storageDefaults?: StorageDefaults;
  defaultTargetNetwork?: string | undefined;
  defaultTargetStorageClass?: string | undefined;
  ignoreExtraNetworks?: boolean | undefined;
  preHook?: string | undefined;
  postHook?: string | undefined;
  /** Plan spec fields set directly from flags (description, templates, booleans, labels…). */
  spec: Partial<PlanSpec>;
  /** `--target-affinity` / `--convertor-affinity` (KARL). */
  affinity?: AffinityTexts;
  dryRun?: boolean | undefined;
}

const migrationTypes = ['cold', 'warm', 'live', 'conversion'];

/** `--default-target-network`: `pod`/`default`, `ignored`, or `NS/NAME` (Multus). */
export function parseDefaultNetwork(value: string, namespace: string): DestinationNetwork {
  if (value === 'pod' || value === 'default') return { type: 'pod' };
  if (value === 'ignored') return { type: 'ignored' };
  const [ns, name] = value.includes('/') ? value.split('/', 2) : [namespace, value];
  return { type: 'multus', namespace: ns ?? namespace, name: name ?? '' };
}

/** The `q=` text for a `--vms` query: SELECT is dropped (the plan needs whole VMs). */
function planQuery(text: string): { query?: string; problems: Problem[] } {
  try {
    const q = parseQuery(text);
    if (q.groupBy) {
      return {
        problems: [
          { field: '--vms', message: 'a VM query cannot GROUP BY: it must select VMs', value: text },
        ],
      };
    }
    return { query: printQuery({ ...q, select: undefined }), problems: [] };
  } catch (e: unknown) {
    if (e instanceof QuerySyntaxError)
      return { problems: [{ field: '--vms', message: e.message, hint: 'see: mtv help query' }] };
    throw e;
  }
}

async function inventoryRows(
  client: InventoryClient,
  provider: Provider,
  collection: string,
  params: Record<string, string>,
): Promise<Record<string, unknown>[]> {
  const q = new URLSearchParams(params).toString();
  const r = await client.get(
    `/providers/${encodeURIComponent(provider.spec.type)}/${encodeURIComponent(provider.metadata.uid ?? '')}/${collection}?${q}`,
  );
  if (r.status === 400) {
    throw new UsageError({ field: '--vms', message: (r.body as { error?: string }).error ?? 'bad query' });
  }
  if (r.status === 206) {
    // A plan chosen from a half-loaded inventory would miss VMs or map too few networks.
    throw new UsageError({
      field: '--source',
      message: `the inventory of provider ${provider.metadata.name ?? ''} is still loading`,
      hint: `wait until it is Ready: mtv get provider ${provider.metadata.name ?? ''} -w`,
    });
  }
  if (r.status >= 300 || !Array.isArray(r.body)) {
    throw new UsageError({
      field: '--source',
      message: `the inventory of provider ${provider.metadata.name ?? ''} is not available (HTTP ${String(r.status)})`,
      hint: `check it with: mtv get provider ${provider.metadata.name ?? ''}`,
    });
  }
  return r.body as Record<string, unknown>[];
}

/** Selects the plan's VMs; returns them with their inventory rows (detail 1: networks, disks). */
async function selectVms(
  session: Session,
  client: InventoryClient,
  source: Provider,
  o: CreatePlanOptions,
): Promise<{ vms: PlanVM[]; rows: AutoMapVm[]; warnings: string[] }> {
  if (!o.vms)
    throw new UsageError({ field: '--vms', message: 'is required: names, @file or a query (where …)' });
  const file = o.vms.startsWith('@') ? path.resolve(session.cwd, o.vms.slice(1)) : undefined;
  let text: string | undefined;
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError({ field: '--vms', message: 'cannot read the file', value: o.vms });
    }
  }
  const parsed = parseVmsArgument(
    o.vms,
    file && text !== undefined ? { name: path.basename(file), text } : undefined,
  );
  if (parsed.problems.length || !parsed.selection) throw new UsageError(parsed.problems);
  let entries: VmEntry[];
  let rows: Record<string, unknown>[];
  if (parsed.selection.kind === 'query') {
    const q = planQuery(parsed.selection.query);
    if (!q.query) throw new UsageError(q.problems);
    rows = await inventoryRows(client, source, 'vms', { detail: '1', q: q.query });
    if (!rows.length)
      throw new UsageError({ field: '--vms', message: 'the query matches no VM', value: o.vms });
    entries = rows.map((r, i) => ({ id: String(r.id), extra: {}, origin: `query row ${String(i + 1)}` }));
  } else {
    entries = parsed.selection.entries;
    rows = await inventoryRows(client, source, 'vms', { detail: '1' });
  }
  const r = resolveVms(
    entries,
    rows.map((x) => ({ id: String(x.id), name: String(x.name), path: String(x.path) })),
  );
  const problems: Problem[] = [];
  const warnings: string[] = [];
  if (r.missing.length) {
    const list = r.missing.map((e) => e.id ?? e.name ?? '').join(', ');
    if (o.skipMissing)
      warnings.push(`skipping VMs not in the inventory of ${source.metadata.name ?? ''}: ${list}`);
    else
      problems.push({
        field: '--vms',
        message: `not in the inventory of provider ${source.metadata.name ?? ''}: ${list}`,
        hint: 'list them with: mtv get inventory vm PROVIDER; or pass --skip-missing',
      });
  }
  for (const a of r.ambiguous) {
    problems.push({
      field: '--vms',
      message: `${a.entry.origin}: the name "${a.entry.name ?? ''}" matches several VMs (${a.ids.join(', ')})`,
      hint: 'name it by id',
    });
  }
  if (r.duplicates.length) warnings.push(`listed more than once (kept once): ${r.duplicates.join(', ')}`);
  if (problems.length) throw new UsageError(problems);
  if (!r.vms.length) throw new UsageError({ field: '--vms', message: 'selects no VM' });
  const chosen = new Set(r.vms.map((v) => v.id));
  return {
    vms: r.vms,
    rows: rows.filter((x) => chosen.has(String(x.id))) as unknown as AutoMapVm[],
    warnings,
  };
}

interface Maps {
  network: { ref: ObjectReference; create?: NetworkMap };
  storage: { ref: ObjectReference; create?: StorageMap };
  notes: string[];
}

/** Resolves or builds the network and storage maps. */
async function planMaps(
  session: Session,
  client: InventoryClient,
  o: CreatePlanOptions,
  providers: { source: Provider; target: Provider },
  rows: AutoMapVm[],
): Promise<Maps> {
  const problems: Problem[] = [];
  const ns = session.namespace;
  const base = {
    apiVersion: ForkliftApiVersion,
    provider: { source: providerRef(providers.source), destination: providerRef(providers.target) },
  };
  if (o.networkMapping && o.networkPairs)
    problems.push({ field: '--network-pairs', message: 'cannot be combined with --network-mapping' });
  if (o.storageMapping && o.storagePairs)
    problems.push({ field: '--storage-pairs', message: 'cannot be combined with --storage-mapping' });
  let network: NetworkPair[] | undefined;
  let storage: StoragePair[] | undefined;
  if (o.networkPairs) {
    const r = parseNetworkPairs(o.networkPairs, '--network-pairs', ns);
    problems.push(...r.problems);
    network = podSources(r.pairs, providers.source);
  }
  if (o.storagePairs) {
    const d = checkStorageDefaults(o.storageDefaults ?? {});
    const r = parseStoragePairs(o.storagePairs, '--storage-pairs', d.defaults);
    problems.push(...d.problems, ...r.problems);
    storage = r.pairs;
  }
  const notes: string[] = [];
  if ((!o.networkMapping && !network) || (!o.storageMapping && !storage)) {
    const [networks, datastores] = await Promise.all([
      inventoryRows(client, providers.source, 'networks', {}),
      inventoryRows(client, providers.source, 'datastores', {}),
    ]);
    const named = (xs: Record<string, unknown>[]) =>
      xs.map((x) => ({ id: String(x.id), name: String(x.name) }));
    const auto = autoMap({
      vms: rows,
      networks: named(networks),
      datastores: named(datastores),
      ...(o.defaultTargetNetwork ? { defaultNetwork: parseDefaultNetwork(o.defaultTargetNetwork, ns) } : {}),
      ...(o.ignoreExtraNetworks ? { ignoreExtraNetworks: true } : {}),
      ...(o.defaultTargetStorageClass ? { storageClass: o.defaultTargetStorageClass } : {}),
      ...(await clusterStorageClasses(session)),
    });
    if (!o.networkMapping && !network) {
      network = auto.network;
      notes.push(...auto.notes.filter((n) => n.startsWith('network')));
      problems.push(...auto.problems.filter((p) => p.field !== '--default-target-storage-class'));
    }
    if (!o.storageMapping && !storage) {
      storage = auto.storage;
      notes.push(...auto.notes.filter((n) => n.startsWith('datastore')));
      problems.push(...auto.problems.filter((p) => p.field === '--default-target-storage-class'));
    }
  }
  const existing = async (value: string, flag: string, type: ResourceType) => {
    const ref = parseNamespacedName(value, flag, ns);
    await getNamed(session, type, ref.name, flag.slice(2), { namespace: ref.namespace });
    return ref;
  };
  const netRef = o.networkMapping
    ? await existing(o.networkMapping, '--network-mapping', Resources.NetworkMap)
    : { name: `${o.name}-network`, namespace: ns };
  const stoRef = o.storageMapping
    ? await existing(o.storageMapping, '--storage-mapping', Resources.StorageMap)
    : { name: `${o.name}-storage`, namespace: ns };
  if (problems.length) throw new UsageError(problems);
  const meta = (name: string) => ({ name, namespace: ns });
  return {
    network: {
      ref: netRef,
      ...(network
        ? {
            create: {
              ...base,
              kind: 'NetworkMap',
              metadata: meta(netRef.name),
              spec: { provider: base.provider, map: network },
            },
          }
        : {}),
    },
    storage: {
      ref: stoRef,
      ...(storage
        ? {
            create: {
              ...base,
              kind: 'StorageMap',
              metadata: meta(stoRef.name),
              spec: { provider: base.provider, map: storage },
            },
          }
        : {}),
    },
    notes,
  };
}

/** The cluster's default storage classes (cluster mode), for auto-mapping. */
async function clusterStorageClasses(
  session: Session,
): Promise<{ clusterStorageClasses?: { virtDefault?: string; default?: string } }> {
  if (session.mode !== 'kube') return {};
  const { KubeStore } = await import('../../../store/kube-store.js');
  if (!(session.store instanceof KubeStore)) return {};
  try {
    const list = await session.store.request<{ items: KubeObject[] }>(
      'GET',
      '/apis/storage.k8s.io/v1/storageclasses',
    );
    const annotated = (key: string) =>
      list.items.find((s) => s.metadata.annotations?.[key] === 'true')?.metadata.name ?? undefined;
    const virt = annotated('storageclass.kubevirt.io/is-default-virt-class');
    const def = annotated('storageclass.kubernetes.io/is-default-class');
    return {
      clusterStorageClasses: { ...(virt ? { virtDefault: virt } : {}), ...(def ? { default: def } : {}) },
    };
  } catch {
    return {};
  }
}

/** Hooks added to every VM (`--pre-hook`, `--post-hook`). */
async function hookRefs(session: Session, o: CreatePlanOptions): Promise<HookRef[]> {
  const out: HookRef[] = [];
  for (const [step, value, flag] of [
    ['PreHook', o.preHook, '--pre-hook'],
    ['PostHook', o.postHook, '--post-hook'],
  ] as const) {
    if (!value) continue;
    const ref = parseNamespacedName(value, flag, session.namespace);
    await getNamed(session, Resources.Hook, ref.name, 'hook', { namespace: ref.namespace });
    out.push({ step, hook: ref });
  }
  return out;
}

function specProblems(o: CreatePlanOptions): Problem[] {
  const problems: Problem[] = [];
  const nameProblem = checkObjectName(o.name, 'NAME');
  if (nameProblem) problems.push(nameProblem);
  if (o.migrationType && !migrationTypes.includes(o.migrationType)) {
    problems.push({
      field: '--migration-type',
      message: `must be one of ${migrationTypes.join(', ')}`,
      value: o.migrationType,
    });
  }
  return problems;
}

/**
 * Creates the plan (and its inline or automatic maps, owned by it).
 * @throws UsageError (every problem found), NotFoundError (providers, maps, hooks), AlreadyExistsError
 */
export async function run(session: Session, o: CreatePlanOptions): Promise<CommandResult> {
  const early = specProblems(o);
  if (early.length) throw new UsageError(early);
  const fromFlags = checkedPlanSpec(o.spec, o.affinity);
  await assertAbsent(session, Resources.Plan, o.name, 'plan');
  const providers = await mapProviders(session, o.source, o.target);
  const client = await openInventoryClient(session);
  let selected;
  let maps;
  try {
    selected = await selectVms(session, client, providers.source, o);
    maps = await planMaps(session, client, o, providers, selected.rows);
  } finally {
    await client.close();
  }
  const hooks = await hookRefs(session, o);
  const type = (o.migrationType ?? 'cold') as NonNullable<PlanSpec['type']>;
  const plan: Plan = {
    apiVersion: ForkliftApiVersion,
    kind: 'Plan',
    metadata: { name: o.name, namespace: session.namespace },
    spec: {
      ...fromFlags,
      provider: { source: providerRef(providers.source), destination: providerRef(providers.target) },
      map: { network: maps.network.ref, storage: maps.storage.ref },
      targetNamespace: o.targetNamespace ?? session.namespace,
      type,
      vms: selected.vms.map((v) => (hooks.length ? { ...v, hooks: [...(v.hooks ?? []), ...hooks] } : v)),
    },
  };
  const created = [maps.network.create, maps.storage.create].filter((m): m is NetworkMap | StorageMap => !!m);
  const warnings = selected.warnings;
  const notes = maps.notes.map((n) => `auto-mapped ${n}`);
  if (o.dryRun) {
    const objs: KubeObject[] = [];
    for (const m of created)
      objs.push(
        await session.store.create(m.kind === 'NetworkMap' ? Resources.NetworkMap : Resources.StorageMap, m, {
          dryRun: true,
        }),
      );
    objs.push(await session.store.create(Resources.Plan, plan, { dryRun: true }));
    return { kind: 'dryRun', objects: objs };
  }
  for (const m of created)
    await assertAbsent(
      session,
      m.kind === 'NetworkMap' ? Resources.NetworkMap : Resources.StorageMap,
      m.metadata.name ?? '',
      'mapping',
    );
  await withRollback(async (addUndo) => {
    const made: KubeObject[] = [];
    for (const m of created) {
      const type = m.kind === 'NetworkMap' ? Resources.NetworkMap : Resources.StorageMap;
      const obj = await session.store.create(type, m);
      addUndo(`${m.kind.toLowerCase()}/${m.metadata.name ?? ''}`, () =>
        session.store.delete(type, session.namespace, obj.metadata.name ?? '', {
          preconditions: { uid: obj.metadata.uid ?? '' },
        }),
      );
      made.push(obj);
    }
    const p = await session.store.create(Resources.Plan, plan);
    addUndo(`plan/${o.name}`, () =>
      session.store.delete(Resources.Plan, session.namespace, o.name, {
        preconditions: { uid: p.metadata.uid ?? '' },
      }),
    );
    for (const m of made) {
      const type = m.kind === 'NetworkMap' ? Resources.NetworkMap : Resources.StorageMap;
      await session.store.patch(type, session.namespace, m.metadata.name ?? '', {
        metadata: { ownerReferences: [ownerRef(p, true)] },
      });
    }
  });
  return {
    kind: 'changes',
    changes: [
      ...created.map((m) => ({
        ref: `${m.kind.toLowerCase()}/${m.metadata.name ?? ''}`,
        action: 'created' as const,
        note: `(owned by plan/${o.name})`,
      })),
      { ref: `plan/${o.name}`, action: 'created', note: `(${String(plan.spec.vms.length)} VMs, ${type})` },
    ],
    ...(warnings.length ? { warnings } : {}),
    ...(notes.length ? { notes } : {}),
  };
}

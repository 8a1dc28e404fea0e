/**
 * `create mapping network|storage NAME --source S [--target T] --network-pairs|--storage-pairs …`.
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/mapping.go
 */
import { NotFoundError, UsageError, type Problem } from '../../../api/index.js';
import { ForkliftApiVersion, Resources } from '../../../api/index.js';
import type { NetworkMap, NetworkPair, StorageMap, StoragePair } from '../../../api/index.js';
import type { Provider } from '../../../api/index.js';
import type { Session } from '../../context.js';
import { assertAbsent } from '../../lookup.js';
import {
  checkStorageDefaults,
  parseNetworkPairs,
  parseStoragePairs,
  type StorageDefaults,
} from '../../pairs.js';
import { defaultTargetProvider, getProvider, providerRef } from '../../refs.js';
import type { CommandResult } from '../../result.js';

/** Options of {@link run}. */
export interface CreateMappingOptions {
  kind: 'network' | 'storage';
  name: string;
  source?: string | undefined;
  target?: string | undefined;
  pairs?: string | undefined;
  defaults?: StorageDefaults;
  dryRun?: boolean | undefined;
}

/** For an OpenShift source, the source network `default` is its pod network. */
export function podSources(pairs: NetworkPair[], source: Provider): NetworkPair[] {
  if (source.spec.type !== 'openshift') return pairs;
  return pairs.map((p) =>
    p.source.name === 'default' && !p.source.vlan ? { ...p, source: { type: 'pod' } } : p,
  );
}

/** Resolves both providers of a map, checking the target is a KubeVirt (openshift) provider. */
export async function mapProviders(
  session: Session,
  source: string | undefined,
  target: string | undefined,
): Promise<{ source: Provider; target: Provider }> {
  if (!source)
    throw new UsageError({ field: '--source', message: 'is required: the provider the VMs come from' });
  const src = await getProvider(session, source, '--source');
  const tgt = target
    ? await getProvider(session, target, '--target')
    : await defaultTargetProvider(session, '--target');
  if (tgt.spec.type !== 'openshift') {
    throw new UsageError({
      field: '--target',
      message: `must be an openshift provider (the KubeVirt cluster); ${tgt.metadata.name ?? ''} is ${tgt.spec.type}`,
    });
  }
  return { source: src, target: tgt };
}

function pairProblems(
  o: CreateMappingOptions,
  namespace: string,
): { pairs: (NetworkPair | StoragePair)[]; problems: Problem[] } {
  const flag = o.kind === 'network' ? '--network-pairs' : '--storage-pairs';
  if (o.pairs === undefined || o.pairs.trim() === '') {
    return {
      pairs: [],
      problems: [
        {
          field: flag,
          message: 'is required',
          hint:
            o.kind === 'network'
              ? 'e.g. --network-pairs "VM Network:default"'
              : 'e.g. --storage-pairs "datastore1:standard"',
        },
      ],
    };
  }
  if (o.kind === 'network') return parseNetworkPairs(o.pairs, flag, namespace);
  const d = checkStorageDefaults(o.defaults ?? {});
  const r = parseStoragePairs(o.pairs, flag, d.defaults);
  return { pairs: r.pairs, problems: [...d.problems, ...r.problems] };
}

/**
 * Creates the map. Source names are kept as names until the source provider has inventory.
 * @throws UsageError (every bad pair), NotFoundError (providers), AlreadyExistsError
 */
export async function run(session: Session, o: CreateMappingOptions): Promise<CommandResult> {
  const type = o.kind === 'network' ? Resources.NetworkMap : Resources.StorageMap;
  const parsed = pairProblems(o, session.namespace);
  const providers = await mapProviders(session, o.source, o.target).catch((e: unknown) => {
    // Report bad pairs together with a bad provider reference, not one after the other.
    if (!parsed.problems.length) throw e;
    if (e instanceof UsageError) throw new UsageError([...parsed.problems, ...e.problems]);
    if (e instanceof NotFoundError) {
      throw new UsageError([
        ...parsed.problems,
        { field: 'provider', message: e.message, ...(e.hint ? { hint: e.hint } : {}) },
      ]);
    }
    throw e;
  });
  if (parsed.problems.length) throw new UsageError(parsed.problems);
  const spec = {
    provider: { source: providerRef(providers.source), destination: providerRef(providers.target) },
    map: o.kind === 'network' ? podSources(parsed.pairs as NetworkPair[], providers.source) : parsed.pairs,
  };
  const obj = {
    apiVersion: ForkliftApiVersion,
    kind: type.kind,
    metadata: { name: o.name, namespace: session.namespace },
    spec,
  } as NetworkMap | StorageMap;
  await assertAbsent(session, type, o.name, `${o.kind} mapping`);
  if (o.dryRun) return { kind: 'dryRun', objects: [await session.store.create(type, obj, { dryRun: true })] };
  await session.store.create(type, obj);
  return { kind: 'changes', changes: [{ ref: `${type.kind.toLowerCase()}/${o.name}`, action: 'created' }] };
}

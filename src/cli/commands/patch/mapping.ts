/**
 * `patch mapping network|storage NAME --add-pairs … --update-pairs … --remove-pairs …`.
 * Order: remove, add, update. Adding a mapped source, or updating or removing an unmapped one, is
 * an error (kubectl-mtv silently skipped or appended); concurrent patches are retried, so none is lost.
 */
import { UsageError, type Problem } from '../../../api/index.js';
import { Resources } from '../../../api/index.js';
import type { NetworkMap, NetworkPair, StorageMap, StoragePair } from '../../../api/index.js';
import type { Provider } from '../../../api/index.js';
import type { Ref } from '../../../api/index.js';
import type { Session } from '../../context.js';
import { getNamed, tryGet } from '../../lookup.js';
import {
  checkStorageDefaults,
  parseNetworkPairs,
  parseStoragePairs,
  type StorageDefaults,
} from '../../pairs.js';
import type { CommandResult } from '../../result.js';
import { retryOnConflict } from '../../retry.js';
import { podSources } from '../create/mapping.js';

/** Options of {@link run}. */
export interface PatchMappingOptions {
  kind: 'network' | 'storage';
  name: string;
  addPairs?: string | undefined;
  updatePairs?: string | undefined;
  removePairs?: string | undefined;
  defaults?: StorageDefaults;
}

type Pair = NetworkPair | StoragePair;

/** The key a pair is matched by: its source name (or id, or pod), with any VLAN. */
function sourceKey(ref: Ref & { vlan?: string }): string {
  const base = ref.type === 'pod' ? 'default' : (ref.name ?? ref.id ?? '');
  return ref.vlan ? `${base}@${ref.vlan}` : base;
}

function matches(ref: Ref & { vlan?: string }, key: string): boolean {
  return (
    sourceKey(ref) === key || (ref.id !== undefined && (ref.vlan ? `${ref.id}@${ref.vlan}` : ref.id) === key)
  );
}

function parse(
  o: PatchMappingOptions,
  text: string,
  flag: string,
  namespace: string,
  source: Provider | undefined,
): { pairs: Pair[]; problems: Problem[] } {
  if (o.kind === 'network') {
    const r = parseNetworkPairs(text, flag, namespace);
    return { pairs: source ? podSources(r.pairs, source) : r.pairs, problems: r.problems };
  }
  const d = checkStorageDefaults(o.defaults ?? {});
  const r = parseStoragePairs(text, flag, d.defaults);
  return { pairs: r.pairs, problems: [...d.problems, ...r.problems] };
}

/** Computes the new pair list, or every problem with the requested changes. */
export function patchPairs(
  current: readonly Pair[],
  o: PatchMappingOptions,
  namespace: string,
  source: Provider | undefined,
): { map: Pair[]; problems: Problem[] } {
  const problems: Problem[] = [];
  let map = [...current];
  for (const key of (o.removePairs ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const before = map.length;
    map = map.filter((p) => !matches(p.source, key));
    if (map.length === before)
      problems.push({
        field: '--remove-pairs',
        message: `source "${key}" is not mapped`,
        hint: `mapped sources: ${current.map((p) => sourceKey(p.source)).join(', ') || 'none'}`,
      });
  }
  if (o.addPairs !== undefined) {
    const add = parse(o, o.addPairs, '--add-pairs', namespace, source);
    problems.push(...add.problems);
    for (const p of add.pairs) {
      if (map.some((q) => sourceKey(q.source) === sourceKey(p.source))) {
        problems.push({
          field: '--add-pairs',
          message: `source "${sourceKey(p.source)}" is already mapped`,
          hint: 'change it with --update-pairs',
        });
      } else map.push(p);
    }
  }
  if (o.updatePairs !== undefined) {
    const upd = parse(o, o.updatePairs, '--update-pairs', namespace, source);
    problems.push(...upd.problems);
    for (const p of upd.pairs) {
      const i = map.findIndex((q) => sourceKey(q.source) === sourceKey(p.source));
      if (i < 0)
        problems.push({
          field: '--update-pairs',
          message: `source "${sourceKey(p.source)}" is not mapped`,
          hint: 'add it with --add-pairs',
        });
      else map[i] = { ...p, source: map[i]?.source ?? p.source };
    }
  }
  if (o.kind === 'network') {
    const pods = (map as NetworkPair[]).filter((p) => p.destination.type === 'pod');
    if (pods.length > 1) {
      problems.push({
        field: '--add-pairs/--update-pairs',
        message: `the result maps ${pods.length} sources (${pods.map((p) => sourceKey(p.source)).join(', ')}) to the pod network; a VM has one pod network`,
        hint: 'map the others to a NetworkAttachmentDefinition or to "ignored"',
      });
    }
  }
  return { map, problems };
}

/** Applies the pair changes. @throws UsageError (every problem), NotFoundError */
export async function run(session: Session, o: PatchMappingOptions): Promise<CommandResult> {
  if (o.addPairs === undefined && o.updatePairs === undefined && o.removePairs === undefined) {
    throw new UsageError({
      field: 'flags',
      message: 'nothing to change',
      hint: 'give --add-pairs, --update-pairs or --remove-pairs',
    });
  }
  const type = o.kind === 'network' ? Resources.NetworkMap : Resources.StorageMap;
  const state = { unchanged: false };
  await retryOnConflict(async () => {
    const current = await getNamed<NetworkMap | StorageMap>(session, type, o.name, `${o.kind} mapping`);
    const srcRef = current.spec.provider.source;
    const source = srcRef.name
      ? await tryGet<Provider>(
          session,
          Resources.Provider,
          srcRef.name,
          srcRef.namespace || session.namespace,
        )
      : undefined;
    const { map, problems } = patchPairs(current.spec.map, o, session.namespace, source);
    if (problems.length) throw new UsageError(problems);
    state.unchanged = JSON.stringify(map) === JSON.stringify(current.spec.map);
    if (state.unchanged) return;
    await session.store.patch(type, session.namespace, o.name, {
      metadata: { resourceVersion: current.metadata.resourceVersion },
      spec: { map },
    });
  });
  return {
    kind: 'changes',
    changes: [
      { ref: `${type.kind.toLowerCase()}/${o.name}`, action: state.unchanged ? 'unchanged' : 'patched' },
    ],
  };
}

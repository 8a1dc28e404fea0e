/** Resolving `ns/name` references to providers, and the default target provider. */
import { NotFoundError, UsageError } from '../api/index.js';
import { Resources } from '../api/index.js';
import type { ObjectReference, OwnerReference } from '../api/index.js';
import type { KubeObject } from '../api/index.js';
import { checkNamespaceName, checkObjectName } from '../api/index.js';
import type { Provider } from '../api/index.js';
import type { Session } from './context.js';

/**
 * Parses `name` or `namespace/name` (the namespace defaults to `namespace`).
 * @throws UsageError naming the flag for an invalid part.
 */
export function parseNamespacedName(
  value: string,
  flag: string,
  namespace: string,
): { namespace: string; name: string } {
  const parts = value.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) {
    throw new UsageError({ field: flag, message: 'must be NAME or NAMESPACE/NAME', value });
  }
  const [a = '', b] = parts;
  const ref = b === undefined ? { namespace, name: a } : { namespace: a, name: b };
  const problems = [checkNamespaceName(ref.namespace, flag), checkObjectName(ref.name, flag)].filter(
    (p) => p !== undefined,
  );
  if (problems.length) throw new UsageError(problems);
  return ref;
}

/**
 * Reads a provider named by a flag.
 * @throws NotFoundError with a hint naming the flag.
 */
export async function getProvider(session: Session, value: string, flag: string): Promise<Provider> {
  const ref = parseNamespacedName(value, flag, session.namespace);
  try {
    return await session.store.get<Provider>(Resources.Provider, ref.namespace, ref.name);
  } catch (e: unknown) {
    if (e instanceof NotFoundError) {
      throw new NotFoundError('provider', ref.name, ref.namespace, {
        hint: `${flag} must name an existing provider; list them with: get providers -n ${ref.namespace}`,
      });
    }
    throw e;
  }
}

/**
 * The target provider when `--target` is not given: the namespace's only openshift provider with no
 * URL (the local cluster, conventionally `host`).
 * @throws UsageError when there is none or more than one.
 */
export async function defaultTargetProvider(session: Session, flag: string): Promise<Provider> {
  const list = await session.store.list<Provider>(Resources.Provider, { namespace: session.namespace });
  const local = list.items.filter((p) => p.spec.type === 'openshift' && !p.spec.url);
  if (local.length === 1 && local[0]) return local[0];
  throw new UsageError({
    field: flag,
    message:
      local.length === 0
        ? `is required: namespace "${session.namespace}" has no local openshift provider to default to`
        : `is required: namespace "${session.namespace}" has several local openshift providers (${local.map((p) => p.metadata.name ?? '').join(', ')})`,
    hint: local.length === 0 ? 'create one with: create provider host --type openshift' : `pass ${flag} NAME`,
  });
}

/** A reference to a provider, as maps and plans hold it. */
export function providerRef(p: Provider): ObjectReference {
  return { name: p.metadata.name ?? '', namespace: p.metadata.namespace ?? '' };
}

/** An ownerReference to an object (no controller, as kubectl-mtv writes it). */
export function ownerRef(o: KubeObject, controller = false): OwnerReference {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name ?? '',
    uid: o.metadata.uid ?? '',
    ...(controller ? { controller: true } : {}),
  };
}

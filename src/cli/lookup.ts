/** Reading objects named by the user, with errors in the CLI's words. */
import { AlreadyExistsError, NotFoundError, Resources, UsageError, type Plan } from '../api/index.js';
import type { ResourceType } from '../api/index.js';
import type { KubeObject } from '../api/index.js';
import type { Session } from './context.js';

/** Options of {@link getNamed}. */
export interface NamedOptions {
  /** Namespace to read from. @default the session's */
  namespace?: string | undefined;
  /** Advice when it does not exist. */
  hint?: string;
}

/**
 * Reads an object the user named.
 * @param noun the CLI's word for it (`provider`, `network mapping`, `secret`).
 * @throws NotFoundError in those words
 */
export async function getNamed<T extends KubeObject>(
  session: Session,
  type: ResourceType,
  name: string,
  noun: string,
  opts: NamedOptions = {},
): Promise<T> {
  const ns = opts.namespace ?? session.namespace;
  try {
    return await session.store.get<T>(type, ns, name);
  } catch (e: unknown) {
    if (e instanceof NotFoundError)
      throw new NotFoundError(noun, name, ns, opts.hint ? { hint: opts.hint } : undefined);
    throw e;
  }
}

/** Reads an object if it exists. */
export async function tryGet<T extends KubeObject>(
  session: Session,
  type: ResourceType,
  name: string,
  namespace = session.namespace,
): Promise<T | undefined> {
  try {
    return await session.store.get<T>(type, namespace, name);
  } catch (e: unknown) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

/** @throws AlreadyExistsError when the object exists. */
export async function assertAbsent(
  session: Session,
  type: ResourceType,
  name: string,
  noun: string,
): Promise<void> {
  if (await tryGet(session, type, name)) throw new AlreadyExistsError(noun, name, session.namespace);
}

/**
 * The plans a many-plan command acts on (`start`, `cutover`, `archive` …): the named ones, each
 * read or a NotFoundError in the CLI's words (every name is tried), or with `all` every plan in
 * the session's namespace.
 * @throws UsageError when names and `--all` are combined, or neither is given
 */
export async function namedPlans(
  session: Session,
  o: { names: readonly string[]; all: boolean },
): Promise<(Plan | NotFoundError)[]> {
  if (o.all && o.names.length)
    throw new UsageError({ field: '--all', message: 'cannot be combined with names' });
  if (!o.all && !o.names.length)
    throw new UsageError({ field: 'NAME', message: 'name at least one plan, or pass --all' });
  if (o.all) return (await session.store.list<Plan>(Resources.Plan, { namespace: session.namespace })).items;
  return Promise.all(
    o.names.map((n) =>
      getNamed<Plan>(session, Resources.Plan, n, 'plan').catch((e: unknown) => {
        if (e instanceof NotFoundError) return e;
        throw e;
      }),
    ),
  );
}

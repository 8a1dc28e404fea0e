/** `get <kind> [NAME…]`: list or read objects of one or more kinds; `-w` streams changes. */
import { ExpiredError, NotFoundError, planMigrationType, Resources, UsageError } from '../../api/index.js';
import type { KubeObject, Migration, Plan } from '../../api/index.js';
import { AsyncQueue, parseLabelSelector, type WatchEvent } from '../../store/index.js';
import type { Session } from '../context.js';
import type { ObjectGroup } from '../output/print.js';
import type { CommandResult } from '../result.js';
import type { ResourceView } from '../resources/view.js';

/** Options of {@link run}. */
export interface GetOptions {
  views: readonly ResourceView[];
  names: readonly string[];
  /** Label selector (`-l`). */
  selector?: string | undefined;
}

/** The objects found, per kind, and each kind's resourceVersion at the time of reading. */
export interface Listing {
  groups: ObjectGroup[];
  versions: Map<ResourceView, string>;
}

/**
 * Reads what `get` shows: every object of the kinds (no names), or the named ones. One list per
 * kind serves both the output and, for `-w`, the version to watch from.
 * @throws UsageError (names with a selector, a name in several namespaces), NotFoundError
 */
export async function listObjects(session: Session, opts: GetOptions): Promise<Listing> {
  if (opts.selector) {
    parseLabelSelector(opts.selector);
    if (opts.names.length)
      throw new UsageError({
        field: '--selector',
        message: 'cannot be combined with names',
        hint: 'select by names or by labels',
      });
  }
  const groups: ObjectGroup[] = [];
  const versions = new Map<ResourceView, string>();
  const found = new Set<string>();
  for (const view of opts.views) {
    const list = await session.store.list(view.type, {
      ...(session.allNamespaces ? {} : { namespace: session.namespace }),
      ...(opts.selector ? { labelSelector: opts.selector } : {}),
    });
    versions.set(view, list.resourceVersion);
    let objects = list.items;
    if (opts.names.length) {
      objects = opts.names.flatMap((n) => list.items.filter((o) => o.metadata.name === n));
      for (const n of opts.names) {
        const hits = objects.filter((o) => o.metadata.name === n);
        if (hits.length > 1) {
          throw new UsageError({
            field: 'NAME',
            message: `${view.noun} "${n}" exists in several namespaces (${hits.map((o) => o.metadata.namespace ?? '').join(', ')})`,
            hint: 'name one with -n NAMESPACE',
          });
        }
        if (hits.length) found.add(n);
      }
    }
    if (objects.length || !opts.names.length)
      groups.push({ type: view.type, columns: view.columns, objects });
  }
  const missing = opts.names.filter((n) => !found.has(n));
  if (missing.length) {
    throw new NotFoundError(
      opts.views.map((v) => v.noun).join(' or '),
      missing.join('", "'),
      session.allNamespaces ? undefined : session.namespace,
    );
  }
  return { groups, versions };
}

/** Facts some kinds' columns need beyond the objects themselves. */
export interface ColumnFacts {
  /** Inventory counts by provider uid (provider table). */
  inventoryCounts?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Cutover times of running warm plans (plan table). */
  cutovers?: ReadonlyMap<string, string>;
}

/** Reads the {@link ColumnFacts} the listed groups need: nothing unless they show providers or warm plans. */
export async function columnFacts(session: Session, groups: readonly ObjectGroup[]): Promise<ColumnFacts> {
  const counts = groups.some((g) => g.type.kind === 'Provider' && g.objects.length)
    ? await inventoryCounts(session)
    : undefined;
  const cutovers = await warmCutovers(session, groups);
  return { ...(counts ? { inventoryCounts: counts } : {}), ...(cutovers ? { cutovers } : {}) };
}

/** Lists (no names) or reads (names) objects. */
export async function run(session: Session, opts: GetOptions): Promise<CommandResult> {
  const { groups } = await listObjects(session, opts);
  return {
    kind: 'objects',
    groups,
    list: opts.names.length !== 1,
    allNamespaces: session.allNamespaces,
    namespace: session.namespace,
    now: session.now(),
    ...(await columnFacts(session, groups)),
  };
}

/** Cutover times of the warm plans listed, from their running Migrations; undefined when none is warm. */
async function warmCutovers(
  session: Session,
  groups: readonly ObjectGroup[],
): Promise<Map<string, string> | undefined> {
  const plans = groups
    .filter((g) => g.type.kind === 'Plan')
    .flatMap((g) => g.objects as Plan[])
    .filter((p) => planMigrationType(p.spec) === 'warm');
  if (!plans.length) return undefined;
  const { cutoverTimes } = await import('../resources/plan.js');
  const list = await session.store.list<Migration>(
    Resources.Migration,
    session.allNamespaces ? {} : { namespace: session.namespace },
  );
  return cutoverTimes(plans, list.items);
}

/**
 * Object counts of every provider's inventory (`GET /providers`), for the provider table. Best
 * effort: without a reachable inventory service the count columns stay empty.
 */
async function inventoryCounts(session: Session): Promise<Map<string, Record<string, unknown>> | undefined> {
  const { openInventoryClient } = await import('../inventory-client.js');
  let client;
  try {
    client = await openInventoryClient(session);
    const r = await client.get('/providers');
    if (r.status >= 300 || !r.body || typeof r.body !== 'object') return undefined;
    const out = new Map<string, Record<string, unknown>>();
    for (const list of Object.values(r.body as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      for (const p of list as Record<string, unknown>[]) if (typeof p.uid === 'string') out.set(p.uid, p);
    }
    return out;
  } catch {
    return undefined;
  } finally {
    await client?.close();
  }
}

/** One change seen by `get -w`, with the view it belongs to. */
export interface WatchedChange {
  view: ResourceView;
  event: WatchEvent<KubeObject>;
}

/**
 * Streams changes after each kind's listed resourceVersion, for the kinds (and names) asked,
 * until `signal` aborts. Uses the store's watch, not polling; when the store has compacted the
 * version away, the watch starts over from the current objects (reported as ADDED).
 */
export async function* watchChanges(
  session: Session,
  opts: GetOptions,
  versions: ReadonlyMap<ResourceView, string>,
  signal: AbortSignal,
): AsyncIterable<WatchedChange> {
  const own = new AbortController();
  const stop = AbortSignal.any([signal, own.signal]);
  const queue = new AsyncQueue<WatchedChange>();
  let running = opts.views.length;
  const watchOne = async (view: ResourceView): Promise<void> => {
    let resourceVersion = versions.get(view) ?? '';
    for (;;) {
      try {
        for await (const event of session.store.watch(view.type, {
          ...(session.allNamespaces ? {} : { namespace: session.namespace }),
          ...(opts.selector ? { labelSelector: opts.selector } : {}),
          resourceVersion,
          signal: stop,
        })) {
          resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
          if (!opts.names.length || opts.names.includes(event.object.metadata.name ?? ''))
            queue.push({ view, event });
        }
        return;
      } catch (e: unknown) {
        if (!(e instanceof ExpiredError)) throw e;
        resourceVersion = ''; // start over from the current objects
      }
    }
  };
  for (const view of opts.views) {
    watchOne(view).then(
      () => {
        if (--running === 0) queue.end();
      },
      (e: unknown) => {
        queue.fail(e instanceof Error ? e : new Error(String(e)));
      },
    );
  }
  stop.addEventListener('abort', () => queue.end());
  try {
    yield* queue;
  } finally {
    own.abort(); // stop every watcher when the consumer stops or one watcher failed
  }
}

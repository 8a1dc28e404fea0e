/** `get <kind> [NAME…]`: list or read objects of one or more kinds; `-w` streams changes. */
import { NotFoundError, UsageError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { WatchEvent } from '../../store/index.js';
import { parseLabelSelector } from '../../store/index.js';
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

async function findByName(
  session: Session,
  view: ResourceView,
  name: string,
): Promise<KubeObject | undefined> {
  if (!session.allNamespaces) {
    try {
      return await session.store.get(view.type, session.namespace, name);
    } catch (e: unknown) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }
  const all = await session.store.list(view.type);
  const hits = all.items.filter((o) => o.metadata.name === name);
  if (hits.length > 1) {
    throw new UsageError({
      field: 'NAME',
      message: `${view.noun} "${name}" exists in several namespaces (${hits.map((o) => o.metadata.namespace ?? '').join(', ')})`,
      hint: 'name one with -n NAMESPACE',
    });
  }
  return hits[0];
}

/**
 * Lists (no names) or reads (names) objects.
 * @throws NotFoundError naming every missing object.
 */
export async function run(session: Session, opts: GetOptions): Promise<CommandResult> {
  if (opts.selector) parseLabelSelector(opts.selector);
  const groups: ObjectGroup[] = [];
  if (opts.names.length === 0) {
    for (const view of opts.views) {
      const list = await session.store.list(view.type, {
        ...(session.allNamespaces ? {} : { namespace: session.namespace }),
        ...(opts.selector ? { labelSelector: opts.selector } : {}),
      });
      groups.push({ type: view.type, columns: view.columns, objects: list.items });
    }
  } else {
    const missing: string[] = [];
    const found = new Map<ResourceView, KubeObject[]>();
    for (const name of opts.names) {
      let hit = false;
      for (const view of opts.views) {
        const obj = await findByName(session, view, name);
        if (obj) {
          found.set(view, [...(found.get(view) ?? []), obj]);
          hit = true;
        }
      }
      if (!hit) missing.push(name);
    }
    if (missing.length) {
      const nouns = opts.views.map((v) => v.noun).join(' or ');
      throw new NotFoundError(
        nouns,
        missing.join('", "'),
        session.allNamespaces ? undefined : session.namespace,
      );
    }
    for (const view of opts.views) {
      const objects = found.get(view);
      if (objects) groups.push({ type: view.type, columns: view.columns, objects });
    }
  }
  return {
    kind: 'objects',
    groups,
    list: opts.names.length !== 1,
    allNamespaces: session.allNamespaces,
    namespace: session.namespace,
    now: session.now(),
  };
}

/** One change seen by `get -w`, with the view it belongs to. */
export interface WatchedChange {
  view: ResourceView;
  event: WatchEvent<KubeObject>;
}

/**
 * Streams changes after each kind's listed resourceVersion, for the kinds (and names) asked, until
 * `signal` aborts.
 * Uses the store's watch, not polling.
 */
export async function* watchChanges(
  session: Session,
  opts: GetOptions,
  versions: ReadonlyMap<ResourceView, string>,
  signal: AbortSignal,
): AsyncIterable<WatchedChange> {
  const queue: (WatchedChange | Error)[] = [];
  let wake: (() => void) | undefined;
  let running = opts.views.length;
  for (const view of opts.views) {
    void (async () => {
      try {
        for await (const event of session.store.watch(view.type, {
          ...(session.allNamespaces ? {} : { namespace: session.namespace }),
          ...(opts.selector ? { labelSelector: opts.selector } : {}),
          resourceVersion: versions.get(view) ?? '',
          signal,
        })) {
          if (opts.names.length && !opts.names.includes(event.object.metadata.name ?? '')) continue;
          queue.push({ view, event });
          wake?.();
        }
      } catch (e: unknown) {
        queue.push(e instanceof Error ? e : new Error(String(e)));
      } finally {
        running--;
        wake?.();
      }
    })();
  }
  for (;;) {
    const item = queue.shift();
    if (item instanceof Error) throw item;
    if (item) {
      yield item;
      continue;
    }
    if (running === 0 || signal.aborted) return;
    await new Promise<void>((r) => (wake = r));
    wake = undefined;
  }
}

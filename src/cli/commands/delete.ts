/** `delete <kind> NAME… | --all`: delete objects; owned Secrets go with them. */
import { MtvError, NotFoundError, UsageError } from '../../api/index.js';
import type { Session } from '../context.js';
import type { Change, CommandResult } from '../result.js';
import type { ResourceView } from '../resources/view.js';

/** Options of {@link run}. */
export interface DeleteOptions {
  view: ResourceView;
  names: readonly string[];
  all: boolean;
  dryRun: boolean;
  /** Plans: delete without archiving first. */
  skipArchive?: boolean;
}

/**
 * Deletes the named objects (or all in the namespace). Every name is tried; failures are reported
 * after the deletions that succeeded.
 */
export async function run(session: Session, opts: DeleteOptions): Promise<CommandResult> {
  if (opts.all && opts.names.length)
    throw new UsageError({ field: '--all', message: 'cannot be combined with names', value: opts.names });
  if (opts.all && session.allNamespaces)
    throw new UsageError({
      field: '--all',
      message: 'deletes in one namespace; it cannot be combined with -A',
      hint: 'name the namespace with -n',
    });
  if (!opts.all && !opts.names.length)
    throw new UsageError({ field: 'NAME', message: `name at least one ${opts.view.noun}, or pass --all` });
  const names = opts.all
    ? (await session.store.list(opts.view.type, { namespace: session.namespace })).items.map(
        (o) => o.metadata.name ?? '',
      )
    : opts.names;
  if (opts.all && !names.length)
    return { kind: 'text', text: `No ${opts.view.noun}s found in namespace ${session.namespace}\n` };
  const changes: Change[] = [];
  const failed: MtvError[] = [];
  for (const name of names) {
    try {
      if (!opts.dryRun && !opts.skipArchive) await opts.view.beforeDelete?.(session, name);
      await session.store.delete(opts.view.type, session.namespace, name, {
        dryRun: opts.dryRun,
        propagationPolicy: 'Background',
      });
      changes.push({
        ref: `${opts.view.noun}/${name}`,
        action: 'deleted',
        ...(opts.dryRun ? { note: '(dry run)' } : {}),
      });
    } catch (e: unknown) {
      if (e instanceof NotFoundError) failed.push(new NotFoundError(opts.view.noun, name, session.namespace));
      else if (e instanceof MtvError) failed.push(e);
      else throw e;
    }
  }
  return { kind: 'changes', changes, ...(failed.length ? { failed } : {}) };
}

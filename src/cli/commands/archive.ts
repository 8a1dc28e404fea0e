/** `archive plan NAME… | --all` and `unarchive plan …`: set or clear `spec.archived`. */
import { MtvError, NotFoundError, Resources, UsageError, type Plan } from '../../api/index.js';
import type { Session } from '../context.js';
import type { Change, CommandResult } from '../result.js';

/** Options of {@link run}. */
export interface ArchiveOptions {
  names: readonly string[];
  all: boolean;
  /** true = archive, false = unarchive. */
  archived: boolean;
}

/** Archives (or unarchives) each plan; every name is tried, failures reported after. */
export async function run(session: Session, o: ArchiveOptions): Promise<CommandResult> {
  if (o.all && o.names.length)
    throw new UsageError({ field: '--all', message: 'cannot be combined with names' });
  if (!o.all && !o.names.length)
    throw new UsageError({ field: 'NAME', message: 'name at least one plan, or pass --all' });
  const plans = o.all
    ? (await session.store.list<Plan>(Resources.Plan, { namespace: session.namespace })).items.map(
        (p) => p.metadata.name ?? '',
      )
    : o.names;
  const changes: Change[] = [];
  const failed: MtvError[] = [];
  for (const name of plans) {
    try {
      const p = await session.store.get<Plan>(Resources.Plan, session.namespace, name);
      if ((p.spec.archived ?? false) === o.archived) {
        changes.push({
          ref: `plan/${name}`,
          action: 'unchanged',
          note: o.archived ? '(already archived)' : '(not archived)',
        });
        continue;
      }
      await session.store.patch(Resources.Plan, session.namespace, name, { spec: { archived: o.archived } });
      changes.push({
        ref: `plan/${name}`,
        action: 'patched',
        note: o.archived ? '(archived)' : '(unarchived)',
      });
    } catch (e: unknown) {
      if (e instanceof NotFoundError) failed.push(new NotFoundError('plan', name, session.namespace));
      else if (e instanceof MtvError) failed.push(e);
      else throw e;
    }
  }
  return { kind: 'changes', changes, ...(failed.length ? { failed } : {}) };
}

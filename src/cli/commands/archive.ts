/** `archive plan NAME… | --all` and `unarchive plan …`: set or clear `spec.archived`. */
import { MtvError, NotFoundError, Resources } from '../../api/index.js';
import type { Session } from '../context.js';
import { namedPlans } from '../lookup.js';
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
  const plans = await namedPlans(session, o);
  const changes: Change[] = [];
  const failed: MtvError[] = [];
  for (const p of plans) {
    if (p instanceof MtvError) {
      failed.push(p);
      continue;
    }
    const name = p.metadata.name ?? '';
    if ((p.spec.archived ?? false) === o.archived) {
      changes.push({
        ref: `plan/${name}`,
        action: 'unchanged',
        note: o.archived ? '(already archived)' : '(not archived)',
      });
      continue;
    }
    try {
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

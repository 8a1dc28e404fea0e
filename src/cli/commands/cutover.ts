/**
 * `cutover plan NAME… | --all [--cutover TIME]`: sets when running warm migrations cut over
 * (default: now). At that time each VM leaves its precopy loop: the source is powered off, its last
 * changes are copied and the VirtualMachine is created.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/migration.go (spec.cutover)
 */
import {
  ApiError,
  MtvError,
  planMigrationType,
  toTime,
  Resources,
  UsageError,
  type Migration,
} from '../../api/index.js';
import type { Session } from '../context.js';
import { namedPlans } from '../lookup.js';
import type { Change, CommandResult } from '../result.js';
import { retryOnConflict } from '../retry.js';
import { runningMigration } from './cancel.js';

/** Options of {@link run}. */
export interface CutoverOptions {
  names: readonly string[];
  all: boolean;
  /** `--cutover`: RFC 3339; default now. */
  cutover?: string;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses an RFC 3339 time, e.g. `2026-11-22T18:00:00Z` or `2026-11-22T19:00:00+01:00`.
 * @returns the time in UTC, `YYYY-MM-DDTHH:MM:SSZ`
 * @throws UsageError naming `field`, the value and the expected form
 */
export function parseCutover(value: string, field = '--cutover'): string {
  const at = rfc3339.test(value.trim()) ? new Date(value.trim()) : undefined;
  if (!at || Number.isNaN(at.getTime()))
    throw new UsageError({
      field,
      value,
      message: 'must be an RFC 3339 time with a zone',
      hint: `e.g. ${field} ${toTime(new Date(Date.now() + 3_600_000))}`,
    });
  return toTime(at);
}

/** Sets the cutover of each named (or every running warm) plan's running migration. */
export async function run(session: Session, o: CutoverOptions): Promise<CommandResult> {
  const cutover = o.cutover ? parseCutover(o.cutover) : toTime(new Date());
  const plans = await namedPlans(session, o);
  const changes: Change[] = [];
  const failed: MtvError[] = [];
  for (const p of plans) {
    if (p instanceof MtvError) {
      failed.push(p);
      continue;
    }
    const name = p.metadata.name ?? '';
    const type = planMigrationType(p.spec);
    if (type !== 'warm') {
      if (!o.all)
        failed.push(
          new ApiError(`plan ${name} is ${type}: only warm migrations have a cutover`, 0, {
            hint: 'a cold migration powers the source off at once',
          }),
        );
      continue;
    }
    try {
      let migration = '';
      await retryOnConflict(async () => {
        const m = await runningMigration(session, p, 'nothing to cut over');
        migration = m.metadata.name ?? '';
        // Plan-wide: per-VM cutover times (vmCutover) give way to it.
        const { vmCutover: _perVm, ...spec } = m.spec;
        await session.store.update<Migration>(Resources.Migration, { ...m, spec: { ...spec, cutover } });
      });
      changes.push({
        ref: `migration/${migration}`,
        action: 'patched',
        note: `(plan/${name} cuts over at ${cutover})`,
      });
    } catch (e: unknown) {
      if (!(e instanceof ApiError) || !o.all)
        failed.push(e instanceof MtvError ? e : new ApiError(String(e), 0));
    }
  }
  return { kind: 'changes', changes, ...(failed.length ? { failed } : {}) };
}

/**
 * Staging of Forklift conditions during one reconcile: the reconciler sets every condition that
 * holds now; {@link stageConditions} keeps `lastTransitionTime` of those whose status did not
 * change, keeps durable ones it was not told about, and drops the rest — Forklift's
 * "staged conditions" behaviour.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/lib/condition/condition.go
 */
import type { Condition } from '../api/index.js';
import { Category, ConditionStatus, isBlocker, toTime } from '../api/index.js';

/** A condition as a reconciler states it (time and status filled in by staging). */
export type NewCondition = Omit<Condition, 'lastTransitionTime' | 'status'> & { status?: string };

/**
 * Merges the conditions set in this reconcile with the previous ones.
 * @param previous the object's current `status.conditions`
 * @param next the conditions that hold now (status defaults to True)
 * @param now the time a changed condition transitions
 * @returns conditions ordered by type, so an unchanged status compares equal
 */
export function stageConditions(
  previous: readonly Condition[] | undefined,
  next: readonly NewCondition[],
  now: Date,
): Condition[] {
  const out = new Map<string, Condition>();
  for (const c of next) {
    const status = c.status ?? ConditionStatus.True;
    const old = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : toTime(now);
    out.set(c.type, { ...withoutUndefined(c), status, lastTransitionTime });
  }
  for (const p of previous ?? []) if (p.durable && !out.has(p.type)) out.set(p.type, p);
  return [...out.values()].sort((a, b) => a.type.localeCompare(b.type));
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** True when any condition blocks (Critical or Error, status True). */
export function hasBlocker(conditions: readonly Condition[]): boolean {
  return conditions.some(isBlocker);
}

/** The `Ready` condition every Forklift kind carries when nothing blocks. */
export function readyCondition(message = 'The resource is ready.'): NewCondition {
  return { type: 'Ready', category: Category.Required, message };
}

/**
 * Forklift's condition model: every status carries `conditions[]` of this shape.
 *
 * A *blocker* is a true condition in category Critical or Error. Reconcilers stage conditions; a
 * non-durable condition not set again during a reconcile is dropped at its end.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/lib/condition/condition.go
 */
import type { Time } from './meta.js';

/** Condition categories, from most to least severe. */
export const Category = {
  /** Blocks reconciliation and Ready. */
  Critical: 'Critical',
  /** Blocks Ready. */
  Error: 'Error',
  /** Worth attention, does not block. */
  Warn: 'Warn',
  /** A condition that must be present for Ready (e.g. ConnectionTestSucceeded). */
  Required: 'Required',
  /** Informational. */
  Advisory: 'Advisory',
} as const;
/** One of {@link Category}'s values. */
export type Category = (typeof Category)[keyof typeof Category];

/** Condition status values (strings, as in Kubernetes). */
export const ConditionStatus = { True: 'True', False: 'False' } as const;
/** One of {@link ConditionStatus}'s values. */
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/** One Forklift condition. */
export interface Condition {
  /** Condition type, e.g. `Ready`, `ConnectionTestFailed`, `VMNotFound`. */
  type: string;
  /** `True` or `False`. */
  status: string;
  /** Critical | Error | Warn | Required | Advisory (free text in Forklift's CRD). */
  category: string;
  /** Last time the status changed. */
  lastTransitionTime: Time;
  /** Short machine-readable reason, e.g. `NotFound`, `UserRequested`. */
  reason?: string;
  /** Human-readable explanation. */
  message?: string;
  /** Suggested remedy. */
  suggestion?: string;
  /** A durable condition survives staging: it is never dropped automatically. */
  durable?: boolean;
  /** The objects the message is about (e.g. VM ids). */
  items?: string[];
}

/** True when the condition blocks readiness: status True in category Critical or Error. */
export function isBlocker(c: Condition): boolean {
  return (
    c.status === ConditionStatus.True && (c.category === Category.Critical || c.category === Category.Error)
  );
}

/** Returns the condition of the given type, if present. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when a condition of this type is present with status True. */
export function hasTrueCondition(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === ConditionStatus.True;
}

/**
 * Writes a reconciled status: conditions staged against the previous ones, `phase`,
 * `observedGeneration`, and nothing at all when the result equals what is stored (a reconcile
 * must not trigger itself through its own watch).
 */
import type { Condition, KubeObject, ResourceType } from '../api/index.js';
import type { ObjectStore } from '../store/index.js';
import { readyCondition, stageConditions, type NewCondition } from './conditions.js';
import { hasBlocker } from './conditions.js';

/** An object with Forklift's status shape. */
type WithStatus = KubeObject & {
  status?: { conditions?: Condition[]; phase?: string; observedGeneration?: number };
};

/**
 * Stages `findings` (+ `Ready` when none blocks, unless `ready` says otherwise) into the object's
 * status and writes it if it changed. Returns the conditions written.
 */
export async function writeConditions(
  store: ObjectStore,
  type: ResourceType,
  obj: WithStatus,
  findings: readonly NewCondition[],
  options: {
    now: Date;
    phase?: (blocked: boolean) => string | undefined;
    ready?: boolean;
    extra?: Record<string, unknown>;
  },
): Promise<Condition[]> {
  const staged = stageConditions(obj.status?.conditions, findings, options.now);
  const blocked = hasBlocker(staged);
  const conditions =
    !blocked && options.ready !== false
      ? stageConditions(obj.status?.conditions, [...findings, readyCondition()], options.now)
      : staged;
  const phase = options.phase?.(blocked);
  const status = {
    ...obj.status,
    ...options.extra,
    conditions,
    ...(phase ? { phase } : {}),
    observedGeneration: obj.metadata.generation ?? 0,
  };
  if (JSON.stringify(status) !== JSON.stringify(obj.status))
    await store.updateStatus(type, { ...obj, status });
  return conditions;
}

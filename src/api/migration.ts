/**
 * Migration: one run of a plan. Creating it starts the plan; `cancel[]` and `cutover` steer it.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/migration.go
 */
import type { Condition } from './condition.js';
import type { Int64, KubeObject, ObjectReference, Time } from './meta.js';
import type { VMStatus } from './plan.js';
import type { Ref } from './ref.js';

/** A per-VM warm cutover time. */
export interface VMCutover {
  /**
   * VM id.
   * @minLength 1
   */
  id: string;
  cutover: Time;
}

/** Desired state of a Migration. */
export interface MigrationSpec {
  /** The plan to run. */
  plan: ObjectReference;
  /** VMs whose migration is to be canceled (matched by id; names are resolved). */
  cancel?: Ref[];
  /** When to cut over a warm migration. */
  cutover?: Time;
  /** Per-VM cutover times, overriding `cutover`. */
  vmCutover?: VMCutover[];
  /** Skip the disk copy and re-run only the guest conversion of a failed run. */
  resumeConversion?: boolean;
}

/** Observed state of a Migration. */
export interface MigrationStatus {
  /** Forklift conditions (see condition.ts). */
  conditions?: Condition[];
  /** When it started. */
  started?: Time;
  /** When it completed. */
  completed?: Time;
  vms?: VMStatus[];
  /** metadata.generation the controller last reconciled. */
  observedGeneration?: Int64;
}

/** A Migration object. */
export interface Migration extends KubeObject {
  spec: MigrationSpec;
  status?: MigrationStatus;
}

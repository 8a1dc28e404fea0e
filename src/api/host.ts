/**
 * Host: an ESXi host of a vSphere provider reached directly (by IP) for disk transfer.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/host.go
 */
import type { Condition } from './condition.js';
import type { Int64, KubeObject, ObjectReference } from './meta.js';
import type { Ref } from './ref.js';

/** Desired state of a Host; `id`/`name` (inlined Ref) identify the host in the inventory. */
export interface HostSpec extends Ref {
  /** The vSphere provider the host belongs to. */
  provider: ObjectReference;
  /** IP address of the ESXi interface used for disk transfer. */
  ipAddress: string;
  /** Secret with the ESXi credentials (`user`, `password`, `cacert`, `insecureSkipVerify`). */
  secret: ObjectReference;
}

/** Observed state of a Host. */
export interface HostStatus {
  /** Forklift conditions (see condition.ts). */
  conditions?: Condition[];
  /** metadata.generation the controller last reconciled. */
  observedGeneration?: Int64;
}

/** A Host object. */
export interface Host extends KubeObject {
  spec: HostSpec;
  status?: HostStatus;
}

/**
 * Hook: an Ansible playbook run in a container (or an AAP job template) before or after a VM's
 * migration.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/hook.go
 */
import type { Condition } from './condition.js';
import type { Int64, Integer, KubeObject, ObjectReference } from './meta.js';

/** Default hook runner image (Forklift's). */
export const DefaultHookImage = 'quay.io/kubev2v/hook-runner';

/** Run an Ansible Automation Platform job template instead of a local container. */
export interface HookAap {
  /** AAP job template id. */
  jobTemplateId: Integer;
  /** AAP base URL; the cluster default when unset. Used together with `tokenSecret`. */
  url?: string;
  /** Secret with key `token`, the AAP bearer token. */
  tokenSecret?: ObjectReference;
  /** Seconds to wait for the AAP job. */
  timeout?: Int64;
}

/** Desired state of a Hook. */
export interface HookSpec {
  /** Container image of a local hook (default quay.io/kubev2v/hook-runner). */
  image?: string;
  /** Base64-encoded Ansible playbook, run by ansible-runner. */
  playbook?: string;
  /** ServiceAccount the hook Job runs as. */
  serviceAccount?: string;
  /** Timeout in seconds. */
  deadline?: Int64;
  aap?: HookAap;
}

/** Observed state of a Hook. */
export interface HookStatus {
  /** Forklift conditions (see condition.ts). */
  conditions?: Condition[];
  /** metadata.generation the controller last reconciled. */
  observedGeneration?: Int64;
}

/** A Hook object. */
export interface Hook extends KubeObject {
  spec: HookSpec;
  status?: HookStatus;
}

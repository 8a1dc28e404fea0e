/**
 * Provider: a source or destination platform (vCenter, oVirt engine, OpenStack, OVA share,
 * KubeVirt cluster…).
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/provider.go
 */
import type { Condition } from './condition.js';
import type { Int64, KubeObject, ObjectReference } from './meta.js';

/** Provider types Forklift defines (`spec.type`). Forklift's CRD does not enumerate them. */
export const ProviderType = {
  OpenShift: 'openshift',
  VSphere: 'vsphere',
  OVirt: 'ovirt',
  OpenStack: 'openstack',
  Ova: 'ova',
  Ec2: 'ec2',
  HyperV: 'hyperv',
  Nutanix: 'nutanix',
} as const;
/** One of {@link ProviderType}'s values. */
export type ProviderType = (typeof ProviderType)[keyof typeof ProviderType];

/** vSphere `spec.settings.sdkEndpoint`: the URL is a vCenter or a single ESXi host. */
export const SdkEndpoint = ['vcenter', 'esxi'] as const;
/** vSphere `spec.settings.esxiCloneMethod` (copy offload). */
export const EsxiCloneMethod = ['vib', 'ssh'] as const;

/** Provider lifecycle phases (`status.phase`). */
export const ProviderPhase = {
  Staging: 'Staging',
  ValidationFailed: 'ValidationFailed',
  ConnectionFailed: 'ConnectionFailed',
  Ready: 'Ready',
} as const;
/** One of {@link ProviderPhase}'s values. */
export type ProviderPhase = (typeof ProviderPhase)[keyof typeof ProviderPhase];

/** Desired state of a Provider. */
export interface ProviderSpec {
  /** Provider type: openshift, vsphere, ovirt, openstack, ova, ec2, hyperv, nutanix. */
  type: string;
  /**
   * Endpoint: vSphere `https://vcenter/sdk`, oVirt engine API URL, OpenStack Keystone URL,
   * OVA `nfs-server:/path`; empty for the local cluster (the `host` provider).
   */
  url?: string;
  /** The Secret with credentials (keys `user`, `password`, `token`, `cacert`, `insecureSkipVerify`…). */
  secret: ObjectReference;
  /**
   * Type-specific settings: vSphere `vddkInitImage`, `sdkEndpoint` (vcenter | esxi),
   * `useVddkAioOptimization`, `vddkConfig`, `esxiCloneMethod` (vib | ssh); EC2 `target-az`,
   * `target-region`; Nutanix `prismType`, `clusterUuid`; Hyper-V `managementType`.
   */
  settings?: Record<string, string>;
}

/** Observed state of a Provider. */
export interface ProviderStatus {
  /** Staging, ValidationFailed, ConnectionFailed or Ready. */
  phase?: string;
  /** Forklift conditions (see condition.ts). */
  conditions?: Condition[];
  /** SHA-1 fingerprint of the server certificate (`AA:BB:…`), the VDDK thumbprint. */
  fingerprint?: string;
  /** The Service of a provider server pod (OVA, Hyper-V). */
  service?: ObjectReference;
  /** resourceVersion of the credentials Secret last seen. */
  secretResourceVersion?: string;
  /** Secret with the copy appliance's SSH private key. */
  copyApplianceSSHPrivateSecret?: string;
  /** Secret with the copy appliance's SSH public key. */
  copyApplianceSSHPublicSecret?: string;
  /** metadata.generation the controller last reconciled. */
  observedGeneration?: Int64;
}

/** A Provider object. */
export interface Provider extends KubeObject {
  spec: ProviderSpec;
  status?: ProviderStatus;
}

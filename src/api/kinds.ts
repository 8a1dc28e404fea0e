/**
 * The group/version/kind table of every kind mtv reads or writes, and the Forklift kinds' CRD
 * naming. One table, used by the stores, the CLI and the CRD generator.
 *
 * @see https://github.com/kubev2v/forklift/tree/main/operator/config/crd/bases
 */

/** API group of the Forklift kinds. */
export const ForkliftGroup = 'forklift.konveyor.io';
/** Version of the Forklift kinds. */
export const ForkliftVersion = 'v1beta1';
/** `apiVersion` of the Forklift kinds. */
export const ForkliftApiVersion = `${ForkliftGroup}/${ForkliftVersion}`;

/** How to address one kind of object in the API. */
export interface ResourceType {
  /** API group; empty for the core group (`v1`). */
  readonly group: string;
  readonly version: string;
  /** `group/version`, or `version` for the core group. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly listKind: string;
  /** Lower-case plural used in URLs, e.g. `providers`. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  /** Whether `status` is a subresource (writes to the object ignore it, and vice versa). */
  readonly statusSubresource: boolean;
}

function forklift(kind: string, plural: string): ResourceType {
  return {
    group: ForkliftGroup,
    version: ForkliftVersion,
    apiVersion: ForkliftApiVersion,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    statusSubresource: true,
  };
}

function core(kind: string, plural: string, namespaced: boolean): ResourceType {
  return {
    group: '',
    version: 'v1',
    apiVersion: 'v1',
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    statusSubresource: false,
  };
}

/** Every kind mtv handles. */
export const Resources = {
  Provider: forklift('Provider', 'providers'),
  Host: forklift('Host', 'hosts'),
  NetworkMap: forklift('NetworkMap', 'networkmaps'),
  StorageMap: forklift('StorageMap', 'storagemaps'),
  Plan: forklift('Plan', 'plans'),
  Migration: forklift('Migration', 'migrations'),
  Hook: forklift('Hook', 'hooks'),
  Secret: core('Secret', 'secrets', true),
  Namespace: core('Namespace', 'namespaces', false),
  /** Hook inputs (plan, workload, playbook) mounted into hook Jobs. */
  ConfigMap: core('ConfigMap', 'configmaps', true),
  /** Disk claims the controller creates in the target namespace (cluster mode). */
  PersistentVolumeClaim: core('PersistentVolumeClaim', 'persistentvolumeclaims', true),
  /** Pods of transfer Jobs (the controller reads their results). */
  Pod: { ...core('Pod', 'pods', true), statusSubresource: true },
  /** Transfer Jobs, one per disk (cluster mode, Job executor). */
  Job: {
    group: 'batch',
    version: 'v1',
    apiVersion: 'batch/v1',
    kind: 'Job',
    listKind: 'JobList',
    plural: 'jobs',
    singular: 'job',
    namespaced: true,
    statusSubresource: true,
  },
  /** CDI's per-storage-class claim defaults (cluster-scoped). */
  StorageProfile: {
    group: 'cdi.kubevirt.io',
    version: 'v1beta1',
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'StorageProfile',
    listKind: 'StorageProfileList',
    plural: 'storageprofiles',
    singular: 'storageprofile',
    namespaced: false,
    statusSubresource: true,
  },
  /** The migrated VMs (KubeVirt). */
  VirtualMachine: {
    group: 'kubevirt.io',
    version: 'v1',
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    listKind: 'VirtualMachineList',
    plural: 'virtualmachines',
    singular: 'virtualmachine',
    namespaced: true,
    statusSubresource: true,
  },
  /** Leader election of the controller in cluster mode. */
  Lease: {
    group: 'coordination.k8s.io',
    version: 'v1',
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    listKind: 'LeaseList',
    plural: 'leases',
    singular: 'lease',
    namespaced: true,
    statusSubresource: false,
  },
} as const satisfies Record<string, ResourceType>;

/** Name of a kind in {@link Resources}. */
export type ResourceName = keyof typeof Resources;

/** The seven Forklift kinds, in the order CRDs are generated and installed. */
export const ForkliftKinds = [
  'Provider',
  'Host',
  'NetworkMap',
  'StorageMap',
  'Plan',
  'Migration',
  'Hook',
] as const;
/** One of the Forklift kinds. */
export type ForkliftKind = (typeof ForkliftKinds)[number];

/** CRD name of a Forklift kind, e.g. `providers.forklift.konveyor.io`. */
export function crdName(kind: ForkliftKind): string {
  return `${Resources[kind].plural}.${ForkliftGroup}`;
}

/**
 * Annotation on mtv's generated CRDs carrying the mtv version that generated them; `mtv version`
 * reads it back from the cluster.
 */
export const CrdVersionAnnotation = 'mtv.konveyor.io/crd-version';

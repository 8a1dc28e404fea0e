/**
 * NetworkMap and StorageMap: how source networks and datastores map onto Kubernetes networks and
 * storage classes.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/mapping.go
 */
import type { Condition } from './condition.js';
import type { Int64, KubeObject, ObjectReference } from './meta.js';
import type { Ref } from './ref.js';

/** The source and destination providers of a map or plan. */
export interface ProviderPair {
  source: ObjectReference;
  destination: ObjectReference;
}

/** Destination network types. */
export const NetworkDestinationType = { Pod: 'pod', Multus: 'multus', Ignored: 'ignored' } as const;
/** One of {@link NetworkDestinationType}'s values. */
export type NetworkDestinationType = (typeof NetworkDestinationType)[keyof typeof NetworkDestinationType];

/** Where a source network goes: the pod network, a NetworkAttachmentDefinition, or nowhere. */
export interface DestinationNetwork {
  type: 'pod' | 'multus' | 'ignored';
  /** NetworkAttachmentDefinition name (multus). */
  name?: string;
  /** NetworkAttachmentDefinition namespace (multus). */
  namespace?: string;
}

/** A source network: an inventory reference, optionally narrowed to one VLAN. */
export interface NetworkSource extends Ref {
  /**
   * VLAN id (1–4094) as a decimal string, as kubectl-mtv writes it for `src@vlan` pairs.
   * Not in Forklift's CRD: a cluster running Forklift's own CRDs drops it.
   * @pattern ^([1-9][0-9]{0,2}|[1-3][0-9]{3}|40[0-8][0-9]|409[0-4])$
   * @mtvExtension
   */
  vlan?: string;
}

/** One source network → destination pair. */
export interface NetworkPair {
  source: NetworkSource;
  destination: DestinationNetwork;
}

/** Desired state of a NetworkMap. */
export interface NetworkMapSpec {
  provider: ProviderPair;
  map: NetworkPair[];
}

/** Observed state of a NetworkMap or StorageMap. */
export interface MapStatus {
  /** Forklift conditions (see condition.ts). */
  conditions?: Condition[];
  /** Inventory objects resolved while validating the map. */
  references?: Ref[];
  /** metadata.generation the controller last reconciled. */
  observedGeneration?: Int64;
}

/** A NetworkMap object. */
export interface NetworkMap extends KubeObject {
  spec: NetworkMapSpec;
  status?: MapStatus;
}

/** PVC volume modes. */
export const VolumeMode = { Filesystem: 'Filesystem', Block: 'Block' } as const;
/** One of {@link VolumeMode}'s values. */
export type VolumeMode = (typeof VolumeMode)[keyof typeof VolumeMode];

/** PVC access modes a storage pair may request. */
export const AccessMode = {
  ReadWriteOnce: 'ReadWriteOnce',
  ReadWriteMany: 'ReadWriteMany',
  ReadOnlyMany: 'ReadOnlyMany',
} as const;
/** One of {@link AccessMode}'s values. */
export type AccessMode = (typeof AccessMode)[keyof typeof AccessMode];

/** Where a source datastore's disks go. Unset modes are left to the CDI StorageProfile. */
export interface DestinationStorage {
  storageClass: string;
  volumeMode?: 'Filesystem' | 'Block';
  accessMode?: 'ReadWriteOnce' | 'ReadWriteMany' | 'ReadOnlyMany';
}

/** Storage arrays supported by vSphere XCOPY copy offload. */
export const StorageVendorProduct = [
  'flashsystem',
  'vantara',
  'ontap',
  'primera3par',
  'pureFlashArray',
  'powerflex',
  'powermax',
  'powerstore',
  'infinibox',
] as const;

/** vSphere XCOPY offload: the array clones the disk, driven through ESXi. */
export interface VSphereXcopyConfig {
  /** Secret with the storage array's credentials, in the source provider's namespace. */
  secretRef: string;
  storageVendorProduct:
    | 'flashsystem'
    | 'vantara'
    | 'ontap'
    | 'primera3par'
    | 'pureFlashArray'
    | 'powerflex'
    | 'powermax'
    | 'powerstore'
    | 'infinibox';
  /** ESXi hosts to run the clones on. */
  dedicatedMigrationHosts?: string[];
}

/** CSI-driver native volume import (no populator pod). */
export interface CsiVolumeImport {
  secretRef: string;
  storageVendorProduct: 'primera3par';
}

/** Copy offload for one storage pair; set at most one plugin. */
export interface OffloadPlugin {
  vsphereXcopyConfig?: VSphereXcopyConfig;
  csiVolumeImport?: CsiVolumeImport;
}

/** One source datastore → storage class pair. */
export interface StoragePair {
  source: Ref;
  destination: DestinationStorage;
  offloadPlugin?: OffloadPlugin;
}

/** Desired state of a StorageMap. */
export interface StorageMapSpec {
  provider: ProviderPair;
  map: StoragePair[];
}

/** A StorageMap object. */
export interface StorageMap extends KubeObject {
  spec: StorageMapSpec;
  status?: MapStatus;
}

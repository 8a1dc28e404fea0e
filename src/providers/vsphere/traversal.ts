/**
 * Filter specs that reach the whole inventory, two ways:
 *
 * - {@link containerViewFilterSpec}: a ContainerView over the root folder, recursive, listing the
 *   types wanted (govmomi's `view.Manager`, `govc object.collect -type`). **The inventory collector
 *   should use this one**: every entity of the listed types is reached wherever it sits (nested
 *   folders, vApps, datastore clusters, templates), new entities enter the view by themselves, and
 *   the spec does not depend on knowing vSphere's containment graph. The view is a session object:
 *   destroy it with DestroyView when done (a logout destroys it too).
 * - {@link inventoryFilterSpec}: the classic traversal from the root folder along
 *   Folder.childEntity, Datacenter.*Folder, ComputeResource.host/resourcePool/datastore/network,
 *   ResourcePool.resourcePool/vm, VirtualApp.vm and HostSystem.vm (the full-traversal recipe of the
 *   vSphere SDK samples). It needs no ViewManager and no cleanup; use it to walk a subtree, or where
 *   views are unavailable.
 *
 * Both report each object once, even when it is reachable along several paths.
 *
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.view.ContainerView.html
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.PropertyCollector.TraversalSpec.html
 */
import type { MoRef } from './values.js';
import type { PropertyFilterSpec, PropertySpec, SelectionSpec, TraversalSpec } from './property-collector.js';

/** The managed entity types of a vCenter inventory, for {@link containerViewFilterSpec}'s view. */
export const InventoryType = {
  Folder: 'Folder',
  Datacenter: 'Datacenter',
  ComputeResource: 'ComputeResource',
  ClusterComputeResource: 'ClusterComputeResource',
  HostSystem: 'HostSystem',
  ResourcePool: 'ResourcePool',
  VirtualApp: 'VirtualApp',
  VirtualMachine: 'VirtualMachine',
  Datastore: 'Datastore',
  StoragePod: 'StoragePod',
  Network: 'Network',
  DistributedVirtualPortgroup: 'DistributedVirtualPortgroup',
  DistributedVirtualSwitch: 'DistributedVirtualSwitch',
  OpaqueNetwork: 'OpaqueNetwork',
} as const;
/** One of {@link InventoryType}'s values. */
export type InventoryType = (typeof InventoryType)[keyof typeof InventoryType];

const ref = (name: string): SelectionSpec => ({ name });

const toFolderChildren = ref('folderToChildEntity');
const fromComputeResource = [
  'computeResourceToHost',
  'computeResourceToResourcePool',
  'computeResourceToDatastore',
  'computeResourceToNetwork',
].map(ref);
const fromResourcePool = ['resourcePoolToResourcePool', 'resourcePoolToVm', 'virtualAppToVm'].map(ref);
const fromDatacenter = [
  'datacenterToVmFolder',
  'datacenterToHostFolder',
  'datacenterToDatastoreFolder',
  'datacenterToNetworkFolder',
].map(ref);

function hop(
  name: string,
  type: string,
  path: string,
  selectSet: readonly SelectionSpec[] = [],
): TraversalSpec {
  return { name, type, path, skip: false, selectSet };
}

/**
 * Traversal specs that reach every inventory object from the root folder; put them all in the
 * root's ObjectSpec.selectSet (they refer to each other by name).
 */
export function inventoryTraversal(): TraversalSpec[] {
  return [
    hop('folderToChildEntity', 'Folder', 'childEntity', [
      toFolderChildren,
      ...fromDatacenter,
      ...fromComputeResource,
      ...fromResourcePool,
    ]),
    hop('datacenterToVmFolder', 'Datacenter', 'vmFolder', [toFolderChildren]),
    hop('datacenterToHostFolder', 'Datacenter', 'hostFolder', [toFolderChildren]),
    hop('datacenterToDatastoreFolder', 'Datacenter', 'datastoreFolder', [toFolderChildren]),
    hop('datacenterToNetworkFolder', 'Datacenter', 'networkFolder', [toFolderChildren]),
    hop('computeResourceToHost', 'ComputeResource', 'host', [ref('hostSystemToVm')]),
    hop('computeResourceToResourcePool', 'ComputeResource', 'resourcePool', fromResourcePool),
    hop('computeResourceToDatastore', 'ComputeResource', 'datastore'),
    hop('computeResourceToNetwork', 'ComputeResource', 'network'),
    hop('resourcePoolToResourcePool', 'ResourcePool', 'resourcePool', fromResourcePool),
    hop('resourcePoolToVm', 'ResourcePool', 'vm'),
    hop('virtualAppToVm', 'VirtualApp', 'vm'),
    hop('hostSystemToVm', 'HostSystem', 'vm'),
  ];
}

/**
 * A filter spec reading `propSet` from every inventory object reachable from `rootFolder`
 * (the root folder itself included) by {@link inventoryTraversal}.
 *
 * @param rootFolder `serviceContent.rootFolder`, or any folder to walk a subtree.
 * @param propSet one PropertySpec per type wanted; objects of other types are traversed, not reported.
 */
export function inventoryFilterSpec(rootFolder: MoRef, propSet: readonly PropertySpec[]): PropertyFilterSpec {
  return { propSet, objectSet: [{ obj: rootFolder, skip: false, selectSet: inventoryTraversal() }] };
}

/**
 * A filter spec reading `propSet` from every object in a ContainerView (create it with
 * `VSphereClient.createContainerView(rootFolder, types, true)`); the view itself is not reported.
 */
export function containerViewFilterSpec(view: MoRef, propSet: readonly PropertySpec[]): PropertyFilterSpec {
  return {
    propSet,
    objectSet: [
      {
        obj: view,
        skip: true,
        selectSet: [{ name: 'viewToObjects', type: 'ContainerView', path: 'view', skip: false }],
      },
    ],
  };
}

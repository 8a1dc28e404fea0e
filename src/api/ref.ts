/**
 * Forklift's reference to an object in a source provider's inventory (`ref.Ref`): a VM, network,
 * datastore, host… Either `id` or `name` identifies it; `id` wins when both are set.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/ref/ref.go
 */
export interface Ref {
  /** Inventory id: a vSphere moRef (`vm-42`), an oVirt/OpenStack UUID… */
  id?: string;
  /** Inventory name; for vSphere also the inventory path (`/DC0/vm/web-1`). */
  name?: string;
  /** Namespace, for OpenShift (KubeVirt) sources only. */
  namespace?: string;
  /** Qualifies `name`; `pod` designates the OpenShift pod network. */
  type?: string;
}

/**
 * mtv's own vSphere Web Services client (vim25 SOAP over HTTPS): sessions, the PropertyCollector
 * (paged retrieval, filters and WaitForUpdatesEx), ContainerViews, tasks, VM power operations,
 * typed faults, and TLS with the server certificate's SHA-1 fingerprint.
 *
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/
 */
export { probeCertificate } from './certificate.js';
export type { CertificateProbe, ProbeOptions } from './certificate.js';
export { VSphereClient } from './client.js';
export type {
  AboutInfo,
  ConnectOptions,
  RetrieveOptions,
  ServiceContent,
  UserSession,
  WaitForUpdatesOptions,
} from './client.js';
export {
  faultError,
  InvalidArgumentFault,
  InvalidLoginFault,
  InvalidPropertyFault,
  InvalidStateFault,
  ManagedObjectNotFoundFault,
  NoPermissionFault,
  NotAuthenticatedFault,
  RequestCanceledFault,
  TaskInProgressFault,
  VSphereError,
  VSphereFault,
  VSphereHttpError,
  VSphereProtocolError,
  VSphereTimeoutError,
  VSphereTlsError,
  VSphereUnreachableError,
} from './errors.js';
export type { FaultInfo } from './errors.js';
export { ObjectUpdateKind, PropertyChangeOp } from './property-collector.js';
export type {
  MissingProperty,
  ObjectContent,
  ObjectSpec,
  ObjectUpdate,
  PropertyChange,
  PropertyFilterSpec,
  PropertyFilterUpdate,
  PropertySpec,
  RetrieveResult,
  SelectionSpec,
  TraversalSpec,
  UpdateSet,
} from './property-collector.js';
export type { WireObject, WireValue } from './soap-codec.js';
export { TaskState } from './task.js';
export type { WaitForTaskOptions } from './task.js';
export {
  containerViewFilterSpec,
  InventoryType,
  inventoryFilterSpec,
  inventoryTraversal,
} from './traversal.js';
export { bootstrapApiVersion, SoapTransport } from './transport.js';
export type { InvokeOptions, SoapTransportOptions } from './transport.js';
export { asArray, asBoolean, asMoRef, asNumber, asObject, asString, isMoRef, isVimObject } from './values.js';
export type { MoRef, VimObject, VimValue } from './values.js';

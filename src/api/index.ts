/**
 * The Forklift API as TypeScript: kinds and their types, the condition model, the error classes
 * every module throws, name rules, and the CRD schemas generated from the types.
 */
export type {
  Affinity,
  LabelSelector,
  LabelSelectorRequirement,
  NodeAffinity,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodAffinity,
  PodAffinityTerm,
  PreferredSchedulingTerm,
  WeightedPodAffinityTerm,
} from './affinity.js';
export { Category, ConditionStatus, findCondition, hasTrueCondition, isBlocker } from './condition.js';
export type { Condition } from './condition.js';
export {
  AlreadyExistsError,
  ApiError,
  ConflictError,
  ExitCode,
  ExpiredError,
  InternalError,
  MtvError,
  NotFoundError,
  UsageError,
  appendHint,
  formatProblem,
} from './errors.js';
export type { Problem } from './errors.js';
export { DefaultHookImage } from './hook.js';
export type { Hook, HookAap, HookSpec, HookStatus } from './hook.js';
export type { Host, HostSpec, HostStatus } from './host.js';
export {
  CrdVersionAnnotation,
  ForkliftApiVersion,
  ForkliftGroup,
  ForkliftKinds,
  ForkliftVersion,
  Resources,
  crdName,
} from './kinds.js';
export type { ForkliftKind, ResourceName, ResourceType } from './kinds.js';
export { AccessMode, NetworkDestinationType, StorageVendorProduct, VolumeMode } from './mapping.js';
export type {
  CsiVolumeImport,
  DestinationNetwork,
  DestinationStorage,
  MapStatus,
  NetworkMap,
  NetworkMapSpec,
  NetworkPair,
  NetworkSource,
  OffloadPlugin,
  ProviderPair,
  StorageMap,
  StorageMapSpec,
  StoragePair,
  VSphereXcopyConfig,
} from './mapping.js';
export type {
  Int32,
  Int64,
  Integer,
  KubeObject,
  Namespace,
  ObjectListView,
  ObjectMeta,
  ObjectReference,
  OwnerReference,
  Secret,
  Time,
} from './meta.js';
export { toTime } from './meta.js';
export type { Migration, MigrationSpec, MigrationStatus, VMCutover } from './migration.js';
export {
  checkNamespaceName,
  checkObjectName,
  isDns1123Label,
  isDns1123Subdomain,
  toDns1123Label,
} from './names.js';
export { HookStep, MigrationType, PlanPhase, planMigrationType, TargetPowerState } from './plan.js';
export type {
  HookRef,
  PhaseMessages,
  Plan,
  PlanMaps,
  PlanMigrationStatus,
  PlanSpec,
  PlanStatus,
  PlanVM,
  Precopy,
  PrecopyDelta,
  Progress,
  Snapshot,
  SnapshotRef,
  Step,
  TagMapping,
  Task,
  VMStatus,
  Warm,
} from './plan.js';
export { EsxiCloneMethod, ProviderPhase, ProviderType, SdkEndpoint } from './provider.js';
export type { Provider, ProviderSpec, ProviderStatus } from './provider.js';
export type { Ref } from './ref.js';
export { applyStructuralSchema, forkliftSchema, generatedCrdVersion } from './structural.js';
export type { StructuralResult, StructuralSchema } from './structural.js';
export { SupportedProviderTypes, unsupportedFields } from './support.js';
export type { UnsupportedField } from './support.js';

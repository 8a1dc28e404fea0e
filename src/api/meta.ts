/**
 * Kubernetes object metadata and reference types shared by every kind mtv reads or writes.
 *
 * These are structural copies of the `meta/v1` and `core/v1` shapes (not classes): objects are
 * plain JSON as the API server returns them.
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/
 */

/**
 * A 64-bit integer.
 * @asType integer
 * @format int64
 */
export type Int64 = number;

/**
 * A 32-bit integer.
 * @asType integer
 * @format int32
 */
export type Int32 = number;

/**
 * An integer of unspecified width (Go `int`).
 * @asType integer
 */
export type Integer = number;

/**
 * An RFC 3339 timestamp in UTC, e.g. `2026-11-21T10:00:00Z` (Go `metav1.Time`).
 * @format date-time
 */
export type Time = string;

/** A {@link Time} for `d`, to the second, as the API server writes them (`2026-11-21T10:00:00Z`). */
export function toTime(d: Date): Time {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A reference from a dependent object to its owner; drives cascading deletion. */
export interface OwnerReference {
  /** API version of the owner. */
  apiVersion: string;
  /** Kind of the owner. */
  kind: string;
  /** Name of the owner (same namespace). */
  name: string;
  /** UID of the owner: the reference holds only while it matches. */
  uid: string;
  /** The owner is the managing controller. */
  controller?: boolean;
  /** Foreground deletion of the owner waits for this dependent. */
  blockOwnerDeletion?: boolean;
}

/** Standard object metadata (`meta/v1.ObjectMeta`), the fields mtv uses. */
export interface ObjectMeta {
  name?: string;
  /** Prefix for a server-generated name (5 random characters are appended) when `name` is empty. */
  generateName?: string;
  namespace?: string;
  uid?: string;
  /** Opaque version for optimistic concurrency; a stale value on update is a conflict. */
  resourceVersion?: string;
  /** Incremented on every change of `spec` (objects with a status subresource). */
  generation?: Int64;
  creationTimestamp?: Time;
  deletionTimestamp?: Time;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

/** Any Kubernetes object: type meta plus metadata; kinds add `spec`, `status`, `data`… */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/**
 * A reference to another Kubernetes object (`core/v1.ObjectReference`), as Forklift uses it for
 * `spec.secret`, `spec.provider.source`, `spec.map.network` and the like. Forklift's CRDs mark it
 * `x-kubernetes-map-type: atomic`.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-reference/
 */
export interface ObjectReference {
  /** API version of the referent. */
  apiVersion?: string;
  fieldPath?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
}

/** A `core/v1` Secret. Values in `data` are base64; `stringData` is write-only plain text. */
export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  immutable?: boolean;
}

/** A `core/v1` Namespace (used by the Kubernetes store and tests). */
export interface Namespace extends KubeObject {
  status?: { phase?: string };
}

/** kubectl's list shape for printed output: `apiVersion: v1`, `kind: List`. */
export interface ObjectListView<T extends KubeObject = KubeObject> {
  apiVersion: 'v1';
  kind: 'List';
  metadata: { resourceVersion: string };
  items: T[];
}

/**
 * The one interface every module uses to read and write objects, with two backends: a Kubernetes
 * API server (`kube-store.ts`) and an embedded SQLite database (`local-store.ts`).
 *
 * Semantics follow the Kubernetes API: resourceVersion conflicts, status subresource, generation,
 * generateName, ownerReferences with cascading delete, finalizers, and watch from a resourceVersion.
 * Errors are the classes of `api/errors.ts`: NotFoundError, AlreadyExistsError, ConflictError,
 * ExpiredError (watch from a compacted resourceVersion), UsageError (the object is invalid) and
 * ApiError (anything else, with its HTTP status).
 *
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/
 */
import type { ResourceType } from '../api/index.js';
import type { KubeObject } from '../api/index.js';

/** Which backend a store is. */
export type StoreMode = 'kube' | 'local';

/** Options of {@link ObjectStore.list}. */
export interface ListOptions {
  /** Namespace to list; undefined lists all namespaces. Ignored for cluster-scoped kinds. */
  namespace?: string;
  /** Kubernetes label selector, e.g. `app=x,tier in (a,b),!legacy`. */
  labelSelector?: string;
}

/** A list result: the items and the store's resourceVersion at the time of the list. */
export interface ObjectList<T extends KubeObject> {
  items: T[];
  resourceVersion: string;
}

/** Options of writes. */
export interface WriteOptions {
  /** Validate and return the result without persisting it (`dryRun=All`). */
  dryRun?: boolean;
}

/** Options of {@link ObjectStore.delete}. */
export interface DeleteOptions extends WriteOptions {
  /** What happens to dependents (objects owning a reference to this one). @default 'Background' */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** Delete only if the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Options of {@link ObjectStore.patch}. */
export interface PatchOptions extends WriteOptions {
  /** Patch the status subresource instead of the object. */
  subresource?: 'status';
}

/** Options of {@link ObjectStore.watch}. */
export interface WatchOptions extends ListOptions {
  /**
   * Start after this resourceVersion. Without it the watch first reports every existing object as
   * ADDED, then changes.
   */
  resourceVersion?: string;
  /** Ends the watch (the iterator returns). */
  signal?: AbortSignal;
}

/** A watch event. */
export interface WatchEvent<T extends KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
}

/** A CRD as `mtv version` reports it. */
export interface CrdInfo {
  name: string;
  /** True / false, or undefined when it could not be determined (e.g. forbidden). */
  installed: boolean | undefined;
  /** mtv version that generated it (annotation), when installed by mtv. */
  version?: string;
  /** Why `installed` is undefined. */
  error?: string;
}

/** What a store is connected to. */
export interface StoreInfo {
  mode: StoreMode;
  /** API server URL, or the database path. */
  endpoint: string;
  /** Kubernetes version of the API server (kube mode). */
  serverVersion?: string;
  crds: CrdInfo[];
}

/**
 * A JSON merge patch (RFC 7386): objects merge, `null` deletes a key, arrays replace.
 * @see https://www.rfc-editor.org/rfc/rfc7386
 */
export type MergePatch = Record<string, unknown>;

/** The object store. All methods are safe to call concurrently. */
export interface ObjectStore {
  readonly mode: StoreMode;
  /** Reads one object. @throws NotFoundError */
  get<T extends KubeObject>(type: ResourceType, namespace: string, name: string): Promise<T>;
  /** Lists objects, in a stable order (namespace, then name). */
  list<T extends KubeObject>(type: ResourceType, options?: ListOptions): Promise<ObjectList<T>>;
  /**
   * Creates an object; `metadata.generateName` is honoured when `name` is empty. Status is ignored
   * for kinds with a status subresource.
   * @throws AlreadyExistsError, UsageError (invalid object)
   */
  create<T extends KubeObject>(type: ResourceType, object: T, options?: WriteOptions): Promise<T>;
  /**
   * Replaces an object (not its status). `metadata.resourceVersion` must match the stored one.
   * @throws NotFoundError, ConflictError, UsageError
   */
  update<T extends KubeObject>(type: ResourceType, object: T, options?: WriteOptions): Promise<T>;
  /** Replaces the status of an object. @throws NotFoundError, ConflictError */
  updateStatus<T extends KubeObject>(type: ResourceType, object: T, options?: WriteOptions): Promise<T>;
  /**
   * Applies a JSON merge patch. A `metadata.resourceVersion` in the patch is a precondition.
   * @throws NotFoundError, ConflictError, UsageError
   */
  patch<T extends KubeObject>(
    type: ResourceType,
    namespace: string,
    name: string,
    patch: MergePatch,
    options?: PatchOptions,
  ): Promise<T>;
  /**
   * Deletes an object. With finalizers it is only marked (deletionTimestamp) until they are removed.
   * Dependents are deleted when their last owner goes (`Background`) or released (`Orphan`); a
   * Kubernetes API server without a garbage collector (the test control plane) keeps them.
   * @throws NotFoundError, ConflictError (precondition failed)
   */
  delete(type: ResourceType, namespace: string, name: string, options?: DeleteOptions): Promise<void>;
  /** Streams changes; ends when `signal` aborts. @throws ExpiredError for a compacted resourceVersion */
  watch<T extends KubeObject>(type: ResourceType, options?: WatchOptions): AsyncIterable<WatchEvent<T>>;
  /** Describes the backend: endpoint, server version and the Forklift CRDs. */
  info(): Promise<StoreInfo>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}

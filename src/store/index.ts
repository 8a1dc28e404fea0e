/** The object store: one interface, a Kubernetes backend and a local SQLite backend. */
export type {
  CrdInfo,
  DeleteOptions,
  ListOptions,
  MergePatch,
  ObjectList,
  ObjectStore,
  PatchOptions,
  StoreInfo,
  StoreMode,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './object-store.js';
export { AsyncQueue } from './async-queue.js';
export { matchesLabels, parseLabelSelector } from './label-selector.js';
export { applyMergePatch } from './merge-patch.js';
export { chooseStoreMode, findKubeconfig, openStore, resolveMtvHome } from './open-store.js';
export type { OpenedStore, OpenStoreOptions } from './open-store.js';

/** Inventory: the per-provider inventory database and how queries address its fields. */
export { InventoryDb, InventorySchemaVersion, MetaKey } from './db.js';
export type {
  ChangeEvent,
  InventoryChange,
  InventoryDbOptions,
  InventoryEntity,
  InventoryObject,
  InventoryReader,
  InventoryUpdate,
  KindMap,
  KindOf,
  ListOptions,
  ObjectRef,
  Validator,
} from './db.js';
export { ColumnFields, fieldExpression, isSimpleField } from './fields.js';
export { indexesFor } from './indexes.js';
export { nameCondition } from './name-match.js';
export type { PathMatchMode, SqlCondition } from './name-match.js';

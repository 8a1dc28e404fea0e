/**
 * What the inventory service needs to know about each provider type's model: collections, the
 * object counts a provider summary shows, detail projection, computed query fields and which
 * fields SQL can filter on exactly.
 */
import type { Provider } from '../api/index.js';
import type { ComputedFields, Row, SqlColumn } from '../query/index.js';
import {
  VsphereCollections,
  VsphereIndexes,
  VsphereKind,
  projectDetail,
  type VsphereKind as VsphereKindT,
} from '../providers/vsphere/model.js';
import { fieldExpression } from './fields.js';

/** One provider type's inventory model, as the REST service uses it. */
export interface InventoryModel {
  /** Collection in the URL → kind in the database. */
  readonly collections: Readonly<Record<string, string>>;
  /** Summary count field (`vmCount`) → kind. */
  readonly countFields: Readonly<Record<string, string>>;
  /** Projects an object to a `detail` level (Infinity = all). */
  project(kind: string, object: Record<string, unknown>, detail: number): Record<string, unknown>;
  /** Query fields computed from a row (kubectl-mtv's `memoryGB` and friends). */
  computed(kind: string, provider: Provider): ComputedFields | undefined;
  /** SQL for a field whose every stored value has one type, or undefined. */
  sqlColumn(kind: string, path: string): SqlColumn | undefined;
  /** Field names that exist even when no row has them. */
  knownFields(kind: string): readonly string[];
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const list = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);
const GiB = 1024 ** 3;
const powerStateHuman: Readonly<Record<string, string>> = {
  poweredOn: 'On',
  poweredOff: 'Off',
  suspended: 'Suspended',
};

/** Computed VM fields, as kubectl-mtv adds them to VM rows. */
function vmComputed(provider: Provider): ComputedFields {
  const concerns = (category: string) => (vm: Row) =>
    list(vm.concerns).filter((c) => c.category === category).length;
  return {
    memoryGB: (vm) => num(vm.memoryMB) / 1024,
    diskCapacity: (vm) => list(vm.disks).reduce((n, d) => n + num(d.capacity), 0),
    storageUsedGB: (vm) => num(vm.storageUsed) / GiB,
    powerStateHuman: (vm) => powerStateHuman[String(vm.powerState)] ?? String(vm.powerState),
    criticalConcerns: concerns('Critical'),
    warningConcerns: concerns('Warning'),
    infoConcerns: concerns('Information'),
    concernsHuman: (vm) =>
      `${String(concerns('Critical')(vm))}/${String(concerns('Warning')(vm))}/${String(concerns('Information')(vm))}`,
    provider: () => provider.metadata.name,
  };
}

/** Types of the indexed vSphere fields: the collector stores exactly these. */
const vsphereTypes: Readonly<Record<string, SqlColumn['type']>> = {
  id: 'string',
  name: 'string',
  path: 'string',
  powerState: 'string',
  host: 'string',
  cluster: 'string',
  datacenter: 'string',
  isTemplate: 'boolean',
  memoryMB: 'number',
  cpuCount: 'number',
  guestId: 'string',
  firmware: 'string',
  variant: 'string',
  type: 'string',
};

const vsphere: InventoryModel = {
  collections: VsphereCollections,
  countFields: {
    datacenterCount: VsphereKind.Datacenter,
    clusterCount: VsphereKind.Cluster,
    hostCount: VsphereKind.Host,
    vmCount: VsphereKind.VM,
    networkCount: VsphereKind.Network,
    datastoreCount: VsphereKind.Datastore,
  },
  project: (kind, object, detail) => projectDetail(kind, object, detail),
  computed: (kind, provider) => (kind === VsphereKind.VM ? vmComputed(provider) : undefined),
  sqlColumn: (kind, path) => {
    const indexed = VsphereIndexes[kind as VsphereKindT] ?? [];
    const type = vsphereTypes[path];
    if (!type || !(path === 'id' || indexed.includes(path))) return undefined;
    return { sql: fieldExpression(path), type };
  },
  knownFields: (kind) =>
    kind === VsphereKind.VM ? ['disks', 'nics', 'concerns', 'guestNetworks', 'snapshot', 'networks'] : [],
};

const models: Readonly<Record<string, InventoryModel>> = { vsphere };

/** The model of a provider type, if it has an inventory. */
export function inventoryModel(type: string): InventoryModel | undefined {
  return models[type];
}

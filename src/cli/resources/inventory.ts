/**
 * How `get inventory` shows each inventory collection: the nouns users type, the Forklift
 * collection they map to, and the table columns.
 */

/** A column of an inventory table. */
export interface InventoryColumn {
  header: string;
  /** The cell text of one row. */
  cell(row: Record<string, unknown>): string;
}

/** One `get inventory <resource>`. */
export interface InventoryResource {
  /** Nouns accepted on the command line (first is canonical). */
  nouns: readonly string[];
  /** Forklift collection in `/providers/<type>/<uid>/<collection>`. */
  collection: string;
  columns: readonly InventoryColumn[];
}

const text = (v: unknown): string =>
  v === undefined || v === null
    ? ''
    : typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);

/** Bytes as a binary-prefixed size (`1.5 GiB`). */
export function formatBytes(n: unknown): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? String(v) : v.toFixed(v >= 100 ? 0 : 1)} ${units[i] ?? ''}`;
}

const col = (header: string, field: string): InventoryColumn => ({ header, cell: (r) => text(r[field]) });
const arr = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
const refId = (v: unknown): string =>
  v && typeof v === 'object' ? text((v as { id?: unknown }).id) : text(v);

const vmColumns: InventoryColumn[] = [
  col('NAME', 'name'),
  col('POWER', 'powerState'),
  col('CPUS', 'cpuCount'),
  {
    header: 'MEMORY',
    cell: (r) => (typeof r.memoryMB === 'number' ? formatBytes(r.memoryMB * 1024 * 1024) : ''),
  },
  { header: 'DISKS', cell: (r) => String(arr(r.disks).length) },
  {
    header: 'CAPACITY',
    cell: (r) =>
      formatBytes(arr(r.disks).reduce((n, d) => n + (typeof d.capacity === 'number' ? d.capacity : 0), 0)),
  },
  {
    header: 'CONCERNS',
    cell: (r) => {
      const c = arr(r.concerns);
      const crit = c.filter((x) => x.category === 'Critical').length;
      return c.length ? `${String(c.length)}${crit ? ` (${String(crit)} critical)` : ''}` : '0';
    },
  },
  { header: 'HOST', cell: (r) => refId(r.host) },
  col('PATH', 'path'),
];

/** Every inventory resource `get inventory` knows. */
export const inventoryResources: readonly InventoryResource[] = [
  { nouns: ['vm', 'vms'], collection: 'vms', columns: vmColumns },
  {
    nouns: ['network', 'networks'],
    collection: 'networks',
    columns: [
      col('NAME', 'name'),
      col('ID', 'id'),
      col('VARIANT', 'variant'),
      col('VLAN', 'vlanId'),
      col('PATH', 'path'),
    ],
  },
  {
    nouns: ['storage', 'storages', 'datastore', 'datastores'],
    collection: 'datastores',
    columns: [
      col('NAME', 'name'),
      col('ID', 'id'),
      col('TYPE', 'type'),
      { header: 'CAPACITY', cell: (r) => formatBytes(r.capacity) },
      { header: 'FREE', cell: (r) => formatBytes(r.free) },
      col('MAINTENANCE', 'maintenance'),
    ],
  },
  {
    nouns: ['host', 'hosts'],
    collection: 'hosts',
    columns: [
      col('NAME', 'name'),
      col('ID', 'id'),
      { header: 'CLUSTER', cell: (r) => refId(r.cluster) },
      col('VERSION', 'productVersion'),
      col('CPU SOCKETS', 'cpuSockets'),
      col('CPU CORES', 'cpuCores'),
      col('MAINTENANCE', 'inMaintenance'),
    ],
  },
  {
    nouns: ['cluster', 'clusters'],
    collection: 'clusters',
    columns: [
      col('NAME', 'name'),
      col('ID', 'id'),
      { header: 'HOSTS', cell: (r) => String(arr(r.hosts).length) },
      col('PATH', 'path'),
    ],
  },
  {
    nouns: ['datacenter', 'datacenters'],
    collection: 'datacenters',
    columns: [col('NAME', 'name'), col('ID', 'id'), col('PATH', 'path')],
  },
  {
    nouns: ['folder', 'folders'],
    collection: 'folders',
    columns: [col('NAME', 'name'), col('ID', 'id'), col('PATH', 'path')],
  },
  {
    nouns: ['resource-pool', 'resource-pools', 'resourcepool', 'resourcepools'],
    collection: 'resourcepools',
    columns: [col('NAME', 'name'), col('ID', 'id'), col('PATH', 'path')],
  },
];

/** The resource a noun names, or undefined. */
export function inventoryResource(noun: string): InventoryResource | undefined {
  return inventoryResources.find((r) => r.nouns.includes(noun));
}

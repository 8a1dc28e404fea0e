/**
 * Choosing the VMs of a plan: the `--vms` argument (names or ids, an `@file` in the planvms output
 * shape or written by hand, or a query), resolved against the source inventory.
 *
 * Pure functions: the caller reads files and the inventory.
 */
import YAML from 'yaml';
import type { PlanVM, Problem } from '../api/index.js';

/** What `--vms` asked for. */
export type VmSelection =
  | { kind: 'list'; entries: VmEntry[] }
  /** A query in the inventory query language (`where …`, `select … where …`, any case). */
  | { kind: 'query'; query: string };

/** One requested VM: by id or name, with optional per-VM settings. */
export interface VmEntry {
  id?: string;
  name?: string;
  /** Any other PlanVM fields given in a file (`targetName`, `rootDisk`, hooks…). */
  extra: Omit<PlanVM, 'id' | 'name'>;
  /** Where it came from, for errors: `--vms item 2`, `vms.yaml entry 3`. */
  origin: string;
}

/** An inventory VM as far as selection needs it. */
export interface InventoryVmRef {
  id: string;
  name: string;
  path?: string;
}

const queryStart = /^\s*(where|select|order\s+by|sort\s+by|limit)\b/i;

/** True when `--vms` holds a query rather than names. */
export function isVmQuery(value: string): boolean {
  return queryStart.test(value);
}

/**
 * Parses `--vms`: a query, `@file` content (given as `fileText`, YAML or JSON), or a
 * comma-separated list of names/ids.
 * @throws never; problems are returned
 */
export function parseVmsArgument(
  value: string,
  fileText?: { name: string; text: string },
): { selection?: VmSelection; problems: Problem[] } {
  if (fileText) return parseVmsFile(fileText.name, fileText.text);
  if (isVmQuery(value)) return { selection: { kind: 'query', query: value.trim() }, problems: [] };
  const items = value.split(',').map((s) => s.trim());
  const problems: Problem[] = [];
  items.forEach((s, i) => {
    if (!s) problems.push({ field: '--vms', message: `item ${String(i + 1)} is empty`, value });
  });
  const entries = items
    .filter(Boolean)
    .map((s, i) => ({ name: s, extra: {}, origin: `--vms item ${String(i + 1)}` }));
  if (!entries.length && !problems.length) problems.push({ field: '--vms', message: 'names no VM', value });
  return { selection: { kind: 'list', entries }, problems };
}

const planVmKeys = new Set([
  'id',
  'name',
  'hooks',
  'luks',
  'nbdeClevis',
  'rootDisk',
  'instanceType',
  'targetName',
  'targetPowerState',
  'pvcNameTemplate',
  'volumeNameTemplate',
  'networkNameTemplate',
  'deleteVmOnFailMigration',
  'migrateSharedDisks',
  'enableNestedVirtualization',
  'rdmAsLun',
  'scsiReservation',
  'selinuxRelabelAtBoot',
  'selinuxRelabelExclude',
  'excludeDisks',
]);

/**
 * A VM list file: a YAML/JSON list whose items are a name (`- web-1`), or objects with `id`
 * and/or `name` (the `-o planvms` shape) plus PlanVM fields (`targetName`, …); or an object with a
 * `vms:` list (a plan spec fragment). Inventory rows (`-o json`) work too: unknown keys are
 * ignored only when the item also has `id`, which is how inventory rows look.
 */
export function parseVmsFile(name: string, text: string): { selection?: VmSelection; problems: Problem[] } {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e: unknown) {
    return {
      problems: [
        {
          field: '--vms',
          message: `${name} is not YAML or JSON: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : ''}`,
        },
      ],
    };
  }
  if (
    doc &&
    typeof doc === 'object' &&
    !Array.isArray(doc) &&
    Array.isArray((doc as { vms?: unknown }).vms)
  ) {
    doc = (doc as { vms: unknown[] }).vms;
  }
  if (!Array.isArray(doc)) {
    return {
      problems: [{ field: '--vms', message: `${name} must hold a list of VMs (- name: x, or - id: vm-1)` }],
    };
  }
  const problems: Problem[] = [];
  const entries: VmEntry[] = [];
  doc.forEach((item: unknown, i) => {
    const origin = `${name} entry ${String(i + 1)}`;
    if (typeof item === 'string' && item.trim()) {
      entries.push({ name: item.trim(), extra: {}, origin });
      return;
    }
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      problems.push({
        field: '--vms',
        message: `${origin} must be a name or an object with id/name`,
        value: item,
      });
      return;
    }
    const o = item as Record<string, unknown>;
    const id = typeof o.id === 'string' && o.id ? o.id : undefined;
    const vmName = typeof o.name === 'string' && o.name ? o.name : undefined;
    if (!id && !vmName) {
      problems.push({ field: '--vms', message: `${origin} has neither id nor name` });
      return;
    }
    const unknown = Object.keys(o).filter((k) => !planVmKeys.has(k));
    if (unknown.length && !id) {
      problems.push({
        field: '--vms',
        message: `${origin} has unknown keys: ${unknown.join(', ')}`,
        hint: 'plan VM entries take id, name, targetName, rootDisk, instanceType, targetPowerState, hooks, …',
      });
      return;
    }
    const extra = Object.fromEntries(
      Object.entries(o).filter(([k]) => planVmKeys.has(k) && k !== 'id' && k !== 'name'),
    ) as VmEntry['extra'];
    entries.push({ ...(id ? { id } : {}), ...(vmName ? { name: vmName } : {}), extra, origin });
  });
  if (!entries.length && !problems.length) problems.push({ field: '--vms', message: `${name} lists no VM` });
  return { selection: { kind: 'list', entries }, problems };
}

/**
 * Resolves requested VMs against the inventory: an entry matches by id, else by name, else by
 * path. Returns the plan VMs (id and name from the inventory, per-VM settings from the entry),
 * the entries that matched nothing, and entries whose name matches several VMs.
 */
export function resolveVms(
  entries: readonly VmEntry[],
  inventory: readonly InventoryVmRef[],
): {
  vms: PlanVM[];
  missing: VmEntry[];
  ambiguous: { entry: VmEntry; ids: string[] }[];
  duplicates: string[];
} {
  const byId = new Map(inventory.map((v) => [v.id, v]));
  const byName = new Map<string, InventoryVmRef[]>();
  for (const v of inventory) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
  const byPath = new Map(inventory.filter((v) => v.path).map((v) => [v.path as string, v]));
  const vms: PlanVM[] = [];
  const missing: VmEntry[] = [];
  const ambiguous: { entry: VmEntry; ids: string[] }[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const e of entries) {
    let hit: InventoryVmRef | undefined;
    if (e.id) hit = byId.get(e.id);
    else if (e.name) {
      const named = byName.get(e.name) ?? [];
      if (named.length > 1) {
        ambiguous.push({ entry: e, ids: named.map((v) => v.id) });
        continue;
      }
      hit = named[0] ?? byId.get(e.name) ?? byPath.get(e.name);
    }
    if (!hit) {
      missing.push(e);
      continue;
    }
    if (seen.has(hit.id)) {
      duplicates.push(hit.name);
      continue;
    }
    seen.add(hit.id);
    vms.push({ id: hit.id, name: hit.name, ...e.extra });
  }
  return { vms, missing, ambiguous, duplicates };
}

/**
 * Prints objects in the `-o` format: tables (per-kind columns), kubectl `List` JSON/YAML for
 * lists and the object itself for one named object, names, JSONPath and custom columns.
 */
import YAML from 'yaml';
import type { ResourceType } from '../../api/index.js';
import type { KubeObject, ObjectListView } from '../../api/index.js';
import type { OutputFormat } from './format.js';
import { evaluate, formatValue, renderJsonPath } from './jsonpath.js';
import { renderMarkdownTable, renderTable } from './table.js';

/** Facts a column may use. */
export interface ColumnContext {
  now: Date;
  /** Inventory object counts by provider uid (`vmCount`, `hostCount`…), when fetched. */
  inventoryCounts?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Draw progress as bars (a terminal); plain numbers otherwise. */
  bars?: boolean;
  /** Scheduled cutover times of running warm plans, by `namespace/name`. */
  cutovers?: ReadonlyMap<string, string>;
}

/** One table column of a kind. */
export interface Column<T extends KubeObject = KubeObject> {
  header: string;
  value(obj: T, ctx: ColumnContext): string;
  /** Shown only with `-o wide`. */
  wide?: boolean;
}

/** Objects of one kind with that kind's columns. */
export interface ObjectGroup {
  type: ResourceType;
  columns: readonly Column[];
  objects: readonly KubeObject[];
}

/** Options of {@link printObjects}. */
export interface PrintOptions {
  /** A list was asked for (prints a `List`), not one named object. */
  list: boolean;
  /** Adds the NAMESPACE column. */
  allNamespaces: boolean;
  now: Date;
  /** See {@link ColumnContext.inventoryCounts}. */
  inventoryCounts?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** See {@link ColumnContext.bars}. */
  bars?: boolean;
  /** See {@link ColumnContext.cutovers}. */
  cutovers?: ReadonlyMap<string, string>;
}

/** JSON with kubectl's 4-space indent. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 4) + '\n';
}

/** YAML as kubectl prints it. */
export function toYaml(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0 });
}

function listView(objects: readonly KubeObject[]): ObjectListView {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [...objects] };
}

/** `provider.forklift.konveyor.io/vc1`, as `kubectl get -o name` prints. */
export function objectName(type: ResourceType, obj: KubeObject): string {
  const kind = type.kind.toLowerCase();
  return `${type.group ? `${kind}.${type.group}` : kind}/${obj.metadata.name ?? ''}`;
}

function tableRows(
  group: ObjectGroup,
  wide: boolean,
  opts: PrintOptions,
): { header: string[]; rows: string[][] } {
  const cols = group.columns.filter((c) => wide || !c.wide);
  const header = [...(opts.allNamespaces ? ['NAMESPACE'] : []), ...cols.map((c) => c.header)];
  const rows = group.objects.map((o) => [
    ...(opts.allNamespaces ? [o.metadata.namespace ?? ''] : []),
    ...cols.map((c) =>
      c.value(o, {
        now: opts.now,
        ...(opts.inventoryCounts ? { inventoryCounts: opts.inventoryCounts } : {}),
        ...(opts.bars ? { bars: true } : {}),
        ...(opts.cutovers ? { cutovers: opts.cutovers } : {}),
      }),
    ),
  ]);
  return { header, rows };
}

/** Renders groups of objects; returns the text for stdout. */
export function printObjects(
  groups: readonly ObjectGroup[],
  format: OutputFormat,
  opts: PrintOptions,
): string {
  const all = groups.flatMap((g) => g.objects);
  const single = !opts.list && all.length === 1 ? all[0] : undefined;
  const doc: unknown = single ?? listView(all);
  switch (format.kind) {
    case 'json':
      return toJson(doc);
    case 'yaml':
      return toYaml(doc);
    case 'jsonpath':
      return renderJsonPath(format.template, doc);
    case 'name':
      return groups.flatMap((g) => g.objects.map((o) => objectName(g.type, o) + '\n')).join('');
    case 'custom-columns': {
      const rows = all.map((o) =>
        format.columns.map((c) => {
          const v = evaluate(c.expr, o, c.expr);
          return v.length ? v.map(formatValue).join(',') : '<none>';
        }),
      );
      return renderTable(
        format.columns.map((c) => c.header),
        rows,
      );
    }
    case 'markdown':
    case 'table':
    case 'wide':
      return groups
        .filter((g) => g.objects.length > 0)
        .map((g) => {
          const { header, rows } = tableRows(g, format.kind === 'wide', opts);
          return format.kind === 'markdown' ? renderMarkdownTable(header, rows) : renderTable(header, rows);
        })
        .join('\n');
  }
}

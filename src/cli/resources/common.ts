/** Columns and describe sections every kind shares. */
import { findCondition, type Condition } from '../../api/index.js';
import type { ForkliftKind } from '../../api/index.js';
import type { KubeObject, ObjectReference } from '../../api/index.js';
import { unsupportedFields } from '../../api/index.js';
import type { DocField, DocSection } from '../output/document.js';
import { age } from '../output/age.js';
import type { Column } from '../output/print.js';
import { suggestions } from './suggestions.js';

/** Conditions of an object that has a Forklift status. */
export function conditionsOf(o: KubeObject): Condition[] | undefined {
  return (o as { status?: { conditions?: Condition[] } }).status?.conditions;
}

/** Status of a condition: True, False, or Unknown when absent (nothing reconciled it yet). */
export function conditionCell(o: KubeObject, type: string): string {
  return findCondition(conditionsOf(o), type)?.status ?? 'Unknown';
}

/** The NAME column. */
export const nameColumn: Column = { header: 'NAME', value: (o) => o.metadata.name ?? '' };
/** The AGE column. */
export const ageColumn: Column = { header: 'AGE', value: (o, c) => age(o.metadata.creationTimestamp, c.now) };
/** The READY column (the Ready condition). */
export const readyColumn: Column = { header: 'READY', value: (o) => conditionCell(o, 'Ready') };

/** `ns/name` of a reference, defaulting the namespace. */
export function refText(ref: ObjectReference | undefined, defaultNamespace: string | undefined): string {
  if (!ref?.name) return '<none>';
  const ns = ref.namespace || defaultNamespace;
  return ns ? `${ns}/${ref.name}` : ref.name;
}

/** Name, Namespace, Created, Labels, Annotations. */
export function metadataFields(o: KubeObject): DocField[] {
  const kv = (m: Record<string, string> | undefined): string =>
    m && Object.keys(m).length
      ? Object.entries(m)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n')
      : '<none>';
  return [
    { label: 'Name', value: o.metadata.name ?? '' },
    { label: 'Namespace', value: o.metadata.namespace ?? '' },
    { label: 'Created', value: o.metadata.creationTimestamp ?? '<unknown>' },
    { label: 'Labels', value: kv(o.metadata.labels) },
    { label: 'Annotations', value: kv(o.metadata.annotations) },
  ];
}

/** A conditions table: TYPE, STATUS, CATEGORY, REASON, MESSAGE (with its items). */
export function conditionsTable(conditions: readonly Condition[]): { header: string[]; rows: string[][] } {
  return {
    header: ['TYPE', 'STATUS', 'CATEGORY', 'REASON', 'MESSAGE'],
    rows: conditions.map((c) => [
      c.type,
      c.status,
      c.category,
      c.reason ?? '',
      `${c.message ?? ''}${c.items?.length ? ` (${c.items.join(', ')})` : ''}`,
    ]),
  };
}

/**
 * The `Suggestions` section: what to do about each true condition that has a known remedy
 * (`kind` VM for a plan's VM, with the plan as `o`); none when nothing applies.
 */
export function suggestionSections(
  kind: ForkliftKind | 'VM',
  o: KubeObject,
  conditions: readonly Condition[],
): DocSection[] {
  const list = suggestions(kind, o, conditions);
  return list.length
    ? [{ title: 'Suggestions', fields: list.map((s) => ({ label: s.type, value: s.text })) }]
    : [];
}

/** The sections every Forklift kind ends with: conditions and what to do, owners, unsupported fields. */
export function trailingSections(kind: ForkliftKind, o: KubeObject): DocSection[] {
  const conditions = conditionsOf(o) ?? [];
  const unsupported = unsupportedFields(kind, o);
  const owners = o.metadata.ownerReferences ?? [];
  const status = (o as { status?: { observedGeneration?: number } }).status;
  return [
    {
      title: 'Conditions',
      table: conditionsTable(conditions),
      empty: `<none> (observed generation ${status?.observedGeneration ?? '-'} of ${o.metadata.generation ?? '-'}; no controller has reconciled it yet)`,
    },
    ...suggestionSections(kind, o, conditions),
    ...(owners.length
      ? [
          {
            title: 'Owners',
            fields: owners.map((r) => ({
              label: r.kind,
              value: `${r.name}${r.controller ? ' (controller)' : ''}`,
            })),
          },
        ]
      : []),
    ...(unsupported.length
      ? [
          {
            title: 'Not supported by mtv',
            fields: unsupported.map((u) => ({ label: u.field, value: u.reason })),
          },
        ]
      : []),
  ];
}

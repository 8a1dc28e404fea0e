/** CLI views of NetworkMap and StorageMap. */
import { Resources } from '../../api/index.js';
import type { NetworkMap, NetworkPair, StorageMap, StoragePair } from '../../api/index.js';
import type { KubeObject } from '../../api/index.js';
import type { Ref } from '../../api/index.js';
import type { Document, DocSection } from '../output/document.js';
import type { Column } from '../output/print.js';
import { ageColumn, metadataFields, nameColumn, readyColumn, refText, trailingSections } from './common.js';
import type { ResourceView } from './view.js';

type AnyMap = NetworkMap | StorageMap;
const m = (o: KubeObject): AnyMap => o as AnyMap;

/** `name`, `id`, or `name (id)` of an inventory reference, with its VLAN. */
export function sourceText(ref: Ref & { vlan?: string }): string {
  const base = ref.name && ref.id ? `${ref.name} (${ref.id})` : (ref.name ?? ref.id ?? '<none>');
  const ns = ref.namespace ? `${ref.namespace}/` : '';
  return `${ns}${base}${ref.vlan ? ` @ VLAN ${ref.vlan}` : ''}`;
}

/** Text of a network destination: `pod`, `ignored`, or `multus ns/nad`. */
export function networkDestinationText(pair: NetworkPair, mapNamespace: string): string {
  const d = pair.destination;
  if (d.type !== 'multus') return d.type;
  return `multus ${d.namespace || mapNamespace}/${d.name ?? ''}`;
}

/** Text of a storage destination: class plus any modes and offload. */
export function storageDestinationText(pair: StoragePair): string {
  const d = pair.destination;
  const extras = [d.volumeMode && `volumeMode=${d.volumeMode}`, d.accessMode && `accessMode=${d.accessMode}`];
  const x = pair.offloadPlugin?.vsphereXcopyConfig;
  if (x) extras.push(`offload=vsphere-xcopy(${x.storageVendorProduct}, secret ${x.secretRef})`);
  const e = extras.filter(Boolean);
  return e.length ? `${d.storageClass} (${e.join(', ')})` : d.storageClass;
}

const mapColumns: Column[] = [
  nameColumn,
  { header: 'SOURCE', value: (o) => refText(m(o).spec.provider.source, undefined) },
  { header: 'TARGET', value: (o) => refText(m(o).spec.provider.destination, undefined) },
  { header: 'PAIRS', value: (o) => String(m(o).spec.map.length) },
  readyColumn,
  {
    header: 'OWNER',
    value: (o) => o.metadata.ownerReferences?.map((r) => `${r.kind.toLowerCase()}/${r.name}`).join(',') ?? '',
    wide: true,
  },
  ageColumn,
];

function describeMap(o: KubeObject, kind: 'NetworkMap' | 'StorageMap'): Document {
  const map = m(o);
  const ns = map.metadata.namespace ?? '';
  const pairs: DocSection = {
    title: 'Pairs',
    table: {
      header: ['SOURCE', 'DESTINATION'],
      rows:
        kind === 'NetworkMap'
          ? (map as NetworkMap).spec.map.map((pr) => [sourceText(pr.source), networkDestinationText(pr, ns)])
          : (map as StorageMap).spec.map.map((pr) => [sourceText(pr.source), storageDestinationText(pr)]),
    },
  };
  const refs = map.status?.references ?? [];
  return {
    title: `${kind} ${ns}/${map.metadata.name ?? ''}`,
    fields: [
      ...metadataFields(map),
      { label: 'Source provider', value: refText(map.spec.provider.source, ns) },
      { label: 'Target provider', value: refText(map.spec.provider.destination, ns) },
    ],
    sections: [
      pairs,
      ...(refs.length
        ? [
            {
              title: 'Resolved references',
              fields: refs.map((r, i) => ({ label: String(i), value: sourceText(r) })),
            },
          ]
        : []),
      ...trailingSections(kind, map),
    ],
  };
}

/** The NetworkMap view. */
export const networkMapView: ResourceView = {
  kind: 'NetworkMap',
  type: Resources.NetworkMap,
  noun: 'networkmap',
  columns: mapColumns,
  describe: (o) => Promise.resolve(describeMap(o, 'NetworkMap')),
};

/** The StorageMap view. */
export const storageMapView: ResourceView = {
  kind: 'StorageMap',
  type: Resources.StorageMap,
  noun: 'storagemap',
  columns: mapColumns,
  describe: (o) => Promise.resolve(describeMap(o, 'StorageMap')),
};

/** CLI view of Provider. */
import { Resources } from '../../api/index.js';
import type { KubeObject } from '../../api/index.js';
import type { Provider } from '../../api/index.js';
import type { Session } from '../context.js';
import type { Document } from '../output/document.js';
import {
  ageColumn,
  conditionCell,
  metadataFields,
  nameColumn,
  readyColumn,
  refText,
  trailingSections,
} from './common.js';
import { secretFields } from './secret-facts.js';
import type { ResourceView } from './view.js';
import type { ColumnContext } from '../output/print.js';

const p = (o: KubeObject): Provider => o as Provider;

/** An inventory count of the provider, or `-` when there is no inventory (yet). */
function count(o: KubeObject, ctx: ColumnContext, field: string): string {
  const v = ctx.inventoryCounts?.get(o.metadata.uid ?? '')?.[field];
  return typeof v === 'number' ? String(v) : '-';
}

async function describe(o: KubeObject, session: Session): Promise<Document> {
  const prov = p(o);
  const local = prov.spec.type === 'openshift' && !prov.spec.url;
  const credentials = local
    ? [{ label: 'Credentials', value: 'the local cluster (the controller’s own service account)' }]
    : await secretFields(prov.spec.secret, prov.metadata.namespace ?? session.namespace, session);
  const settings = Object.entries(prov.spec.settings ?? {});
  return {
    title: `Provider ${prov.metadata.namespace ?? ''}/${prov.metadata.name ?? ''}`,
    fields: [
      ...metadataFields(prov),
      { label: 'Type', value: prov.spec.type },
      { label: 'URL', value: prov.spec.url || (local ? '<none> (the local cluster)' : '<none>') },
      { label: 'Phase', value: prov.status?.phase ?? '<none>' },
      { label: 'Ready', value: conditionCell(prov, 'Ready') },
      ...(prov.status?.fingerprint ? [{ label: 'Fingerprint', value: prov.status.fingerprint }] : []),
    ],
    sections: [
      { title: 'Credentials', fields: credentials },
      { title: 'Settings', fields: settings.map(([k, v]) => ({ label: k, value: v })) },
      ...trailingSections('Provider', prov),
    ],
  };
}

/** The Provider view. */
export const providerView: ResourceView = {
  kind: 'Provider',
  type: Resources.Provider,
  noun: 'provider',
  columns: [
    nameColumn,
    { header: 'TYPE', value: (o) => p(o).spec.type },
    { header: 'URL', value: (o) => p(o).spec.url ?? '' },
    readyColumn,
    { header: 'PHASE', value: (o) => p(o).status?.phase ?? '-' },
    { header: 'VMS', value: (o, ctx) => count(o, ctx, 'vmCount') },
    { header: 'HOSTS', value: (o, ctx) => count(o, ctx, 'hostCount') },
    { header: 'NETWORKS', value: (o, ctx) => count(o, ctx, 'networkCount'), wide: true },
    { header: 'DATASTORES', value: (o, ctx) => count(o, ctx, 'datastoreCount'), wide: true },
    { header: 'CONNECTED', value: (o) => conditionCell(o, 'ConnectionTestSucceeded'), wide: true },
    { header: 'INVENTORY', value: (o) => conditionCell(o, 'InventoryCreated'), wide: true },
    { header: 'SECRET', value: (o) => refText(p(o).spec.secret, undefined), wide: true },
    ageColumn,
  ],
  describe,
};

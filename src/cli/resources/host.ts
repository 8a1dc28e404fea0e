/** CLI view of Host. */
import type { Host } from '../../api/index.js';
import { Resources } from '../../api/index.js';
import type { KubeObject } from '../../api/index.js';
import type { Session } from '../context.js';
import type { Document } from '../output/document.js';
import { ageColumn, metadataFields, nameColumn, readyColumn, refText, trailingSections } from './common.js';
import { secretFields } from './secret-facts.js';
import type { ResourceView } from './view.js';

const h = (o: KubeObject): Host => o as Host;

async function describe(o: KubeObject, session: Session): Promise<Document> {
  const host = h(o);
  const ns = host.metadata.namespace ?? session.namespace;
  return {
    title: `Host ${ns}/${host.metadata.name ?? ''}`,
    fields: [
      ...metadataFields(host),
      { label: 'Host ID', value: host.spec.id ?? '<none>' },
      { label: 'Host name', value: host.spec.name ?? '<none>' },
      { label: 'IP address', value: host.spec.ipAddress },
      { label: 'Provider', value: refText(host.spec.provider, ns) },
    ],
    sections: [
      { title: 'Credentials', fields: await secretFields(host.spec.secret, ns, session) },
      ...trailingSections('Host', host),
    ],
  };
}

/** The Host view. */
export const hostView: ResourceView = {
  kind: 'Host',
  type: Resources.Host,
  noun: 'host',
  columns: [
    nameColumn,
    { header: 'HOST ID', value: (o) => h(o).spec.id ?? h(o).spec.name ?? '' },
    { header: 'PROVIDER', value: (o) => refText(h(o).spec.provider, undefined) },
    { header: 'IP ADDRESS', value: (o) => h(o).spec.ipAddress },
    readyColumn,
    ageColumn,
  ],
  describe,
};

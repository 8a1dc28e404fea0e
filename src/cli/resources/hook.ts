/** CLI view of Hook. */
import type { Hook } from '../../api/index.js';
import { Resources } from '../../api/index.js';
import type { KubeObject } from '../../api/index.js';
import type { Document, DocSection } from '../output/document.js';
import { ageColumn, metadataFields, nameColumn, readyColumn, refText, trailingSections } from './common.js';
import type { ResourceView } from './view.js';

const k = (o: KubeObject): Hook => o as Hook;

function describe(o: KubeObject): Promise<Document> {
  const hook = k(o);
  const aap = hook.spec.aap;
  const playbook: DocSection[] = hook.spec.playbook
    ? [{ title: 'Playbook', text: Buffer.from(hook.spec.playbook, 'base64').toString('utf8') }]
    : [];
  return Promise.resolve({
    title: `Hook ${hook.metadata.namespace ?? ''}/${hook.metadata.name ?? ''}`,
    fields: [
      ...metadataFields(hook),
      ...(aap
        ? [
            { label: 'AAP job template', value: String(aap.jobTemplateId) },
            { label: 'AAP URL', value: aap.url ?? '<cluster default>' },
            { label: 'AAP token Secret', value: refText(aap.tokenSecret, hook.metadata.namespace) },
            { label: 'AAP timeout', value: aap.timeout === undefined ? '<default>' : `${aap.timeout} s` },
          ]
        : [{ label: 'Image', value: hook.spec.image ?? '<none>' }]),
      { label: 'Service account', value: hook.spec.serviceAccount ?? '<default>' },
      { label: 'Deadline', value: hook.spec.deadline ? `${hook.spec.deadline} s` : '<none>' },
    ],
    sections: [...playbook, ...trailingSections('Hook', hook)],
  });
}

/** The Hook view. */
export const hookView: ResourceView = {
  kind: 'Hook',
  type: Resources.Hook,
  noun: 'hook',
  columns: [
    nameColumn,
    {
      header: 'IMAGE',
      value: (o) =>
        k(o).spec.aap ? `AAP template ${k(o).spec.aap?.jobTemplateId ?? ''}` : (k(o).spec.image ?? ''),
    },
    { header: 'SERVICE ACCOUNT', value: (o) => k(o).spec.serviceAccount ?? '-' },
    { header: 'DEADLINE', value: (o) => (k(o).spec.deadline ? `${k(o).spec.deadline}s` : '-') },
    { header: 'PLAYBOOK', value: (o) => (k(o).spec.playbook ? 'Yes' : 'No') },
    readyColumn,
    ageColumn,
  ],
  describe,
};

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../api/index.js';
import { renderJsonPath } from './jsonpath.js';

const list = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      metadata: { name: 'vc1', labels: { 'app.kubernetes.io/name': 'mtv' } },
      spec: { type: 'vsphere', url: 'https://vc1/sdk' },
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'Validated', status: 'True' },
        ],
      },
    },
    {
      metadata: { name: 'host' },
      spec: { type: 'openshift' },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    },
  ],
};

describe('kubectl JSONPath templates', () => {
  it.each([
    ['{.items[*].metadata.name}', 'vc1 host'],
    ['{.items[0].spec.url}', 'https://vc1/sdk'],
    ['{range .items[*]}{.metadata.name}{"\\t"}{.spec.type}{"\\n"}{end}', 'vc1\tvsphere\nhost\topenshift\n'],
    ['{.items[?(@.spec.type=="openshift")].metadata.name}', 'host'],
    [
      '{range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status};{end}',
      'vc1=True;host=False;',
    ],
    ["{.items[0].metadata.labels['app.kubernetes.io/name']}", 'mtv'],
    ['name: {.items[1].metadata.name}!', 'name: host!'],
    ['{.items[1].spec.url}', ''],
    ['{.kind}', 'List'],
    ['{.items[0].spec}', '{"type":"vsphere","url":"https://vc1/sdk"}'],
  ])('%s', (template, expected) => {
    expect(renderJsonPath(template, list)).toBe(expected);
  });

  it.each([
    ['{.items[*].metadata.name', /unclosed action/],
    ['{range .items[*]}{.metadata.name}', /\{range\} without \{end\}/],
    ['{end}', /\{end\} without \{range\}/],
  ])('rejects %s', (template, message) => {
    expect(() => renderJsonPath(template, list)).toThrow(UsageError);
    expect(() => renderJsonPath(template, list)).toThrow(message);
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildTargetVirtualMachine } from '../target-vm.js';
import { samplePlan, sourceVm } from '../target-vm.fixture.js';
import { validateAgainst, type OpenApiDocument } from './openapi-schema.js';

/** The validator must catch what the API server would reject; a validator that passes everything proves nothing. */

const doc = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../../shared/schemas/kubevirt-openapi.json', import.meta.url)),
    'utf8',
  ),
) as OpenApiDocument;

function validVm(): Json {
  const vm = buildTargetVirtualMachine({
    vm: sourceVm(),
    plan: samplePlan(),
    networks: { 'network-1': { type: 'pod' } },
    claims: { 2000: 'pvc-0' },
  });
  return JSON.parse(JSON.stringify(vm)) as Json;
}

type Json = Record<string, unknown>;

/** Sets (or, with `undefined`, deletes) the value at a dotted path; numeric segments index arrays. */
function setPath(root: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let node: Json = root;
  for (const k of keys) node = node[k] as Json;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** The issues of a valid VM with one value changed (or deleted). */
function issuesAfter(path: string, value: unknown): string[] {
  const vm = validVm();
  setPath(vm, path, value);
  return validateAgainst(doc, 'v1.VirtualMachine', vm).map((i) => `${i.path}: ${i.message}`);
}

const disk0 = 'spec.template.spec.domain.devices.disks.0';

describe('validateAgainst with KubeVirt definitions', () => {
  it('accepts a valid VM', () => {
    expect(validateAgainst(doc, 'v1.VirtualMachine', validVm())).toEqual([]);
  });

  it.each<[string, string, unknown, string]>([
    [
      'a string where an integer goes',
      `${disk0}.bootOrder`,
      '1',
      '$.spec.template.spec.domain.devices.disks[0].bootOrder: must be integer, got string "1"',
    ],
    [
      'an int32 out of range',
      `${disk0}.bootOrder`,
      2 ** 40,
      'bootOrder: 1099511627776 is out of int32 range',
    ],
    ['a misspelt field', `${disk0}.bootorder`, 1, 'disks[0].bootorder: is not a known field'],
    ['a missing required field', `${disk0}.name`, undefined, 'disks[0].name: is required'],
    ['a missing required object', 'spec.template', undefined, '$.spec.template: is required'],
    [
      'a bad quantity',
      'spec.template.spec.domain.memory.guest',
      '4 GB',
      '$.spec.template.spec.domain.memory.guest: "4 GB" is not a Kubernetes quantity',
    ],
    [
      'an object where a string goes',
      'spec.runStrategy',
      { always: true },
      '$.spec.runStrategy: must be string, got object',
    ],
    [
      'a non-string label value',
      'metadata.labels.vmID',
      1,
      '$.metadata.labels.vmID: must be string, got integer 1',
    ],
    [
      'an array where an object goes',
      'spec.template.spec.domain.cpu',
      [2],
      '$.spec.template.spec.domain.cpu: must be object, got array',
    ],
    [
      'a bad item in an array',
      'spec.template.spec.networks.1',
      { pod: {} },
      '$.spec.template.spec.networks[1].name: is required',
    ],
    [
      'an unknown field in the affinity',
      'spec.template.spec.affinity',
      { nodeAffinty: {} },
      '$.spec.template.spec.affinity.nodeAffinty: is not a known field',
    ],
    [
      'an enum violation (dnsPolicy)',
      'spec.template.spec.dnsPolicy',
      'Sometimes',
      'dnsPolicy: must be one of "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None", got "Sometimes"',
    ],
  ])('rejects %s', (_title, path, value, want) => {
    expect(issuesAfter(path, value).join('\n')).toContain(want);
  });

  it('accepts numbers as quantities, as the schema allows', () => {
    expect(issuesAfter('spec.template.spec.domain.memory.guest', 4294967296)).toEqual([]);
  });

  it('tolerates unknown fields when asked to', () => {
    const vm = validVm();
    setPath(vm, 'spec.extra', 1);
    expect(validateAgainst(doc, 'v1.VirtualMachine', vm, { rejectUnknownProperties: false })).toEqual([]);
  });
});

describe('validateAgainst: keywords', () => {
  const mini: OpenApiDocument = {
    definitions: {
      Thing: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string' },
          when: { type: 'string', format: 'date-time' },
          port: { type: 'string', format: 'int-or-string' },
          maybe: { type: 'string', nullable: true },
          tags: { type: 'object', additionalProperties: { type: 'integer', format: 'int64' } },
          closed: { type: 'object', properties: { a: { type: 'boolean' } }, additionalProperties: false },
          both: { allOf: [{ $ref: '#/definitions/Named' }] },
          ref: { $ref: '#/definitions/Missing' },
          blob: { type: 'string', format: 'byte' },
          ratio: { type: 'number' },
        },
      },
      Named: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    },
  };

  it('accepts what the keywords allow', () => {
    const ok = {
      id: 'x',
      when: '2026-01-02T03:04:05Z',
      port: 8080,
      maybe: null,
      tags: { a: 1 },
      closed: { a: true },
      both: { name: 'n' },
      blob: 'aGk=',
      ratio: 1,
    };
    expect(validateAgainst(mini, 'Thing', ok)).toEqual([]);
    expect(validateAgainst(mini, 'Thing', { id: 'x', port: 'http', ratio: 0.5 })).toEqual([]);
  });

  it('reports every violation with its path', () => {
    const bad = {
      when: 'yesterday',
      port: true,
      maybe: 3,
      tags: { a: 1.5 },
      closed: { a: true, b: 1 },
      both: {},
      ref: 1,
      blob: '!!',
      extra: 1,
    };
    expect(validateAgainst(mini, 'Thing', bad)).toEqual([
      { path: '$.id', message: 'is required' },
      { path: '$.when', message: '"yesterday" is not an RFC 3339 date-time' },
      { path: '$.port', message: 'must be string, got boolean true' },
      { path: '$.maybe', message: 'must be string, got integer 3' },
      { path: '$.tags.a', message: 'must be integer, got number 1.5' },
      { path: '$.closed.b', message: 'is not allowed' },
      { path: '$.both.name', message: 'is required' },
      { path: '$.ref', message: 'unresolvable $ref #/definitions/Missing' },
      { path: '$.blob', message: 'is not base64' },
      { path: '$.extra', message: 'is not a known field' },
    ]);
  });
});

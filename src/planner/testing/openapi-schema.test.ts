import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildTargetVirtualMachine } from '../target-vm.js';
import { samplePlan, sourceVm } from '../target-vm.fixture.js';
import {
  validateAgainst,
  type OpenApiDocument,
  type SchemaNode,
  type ValidateOptions,
} from './openapi-schema.js';

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
      'disks[0].bootOrder: must match format "int32", got 1099511627776',
    ],
    [
      'a misspelt field',
      `${disk0}.bootorder`,
      1,
      '$.spec.template.spec.domain.devices.disks[0].bootorder: must NOT have unevaluated properties',
    ],
    [
      'a missing required field',
      `${disk0}.name`,
      undefined,
      "$.spec.template.spec.domain.devices.disks[0].name: must have required property 'name'",
    ],
    [
      'a missing required object',
      'spec.template',
      undefined,
      "$.spec.template: must have required property 'template'",
    ],
    [
      'a bad quantity',
      'spec.template.spec.domain.memory.guest',
      '4 GB',
      '$.spec.template.spec.domain.memory.guest: must match format "quantity", got "4 GB"',
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
      "$.spec.template.spec.networks[1].name: must have required property 'name'",
    ],
    [
      'an unknown field in the affinity',
      'spec.template.spec.affinity',
      { nodeAffinty: {} },
      '$.spec.template.spec.affinity.nodeAffinty: must NOT have unevaluated properties',
    ],
    [
      'an enum violation (dnsPolicy)',
      'spec.template.spec.dnsPolicy',
      'Sometimes',
      '$.spec.template.spec.dnsPolicy: must be equal to one of the allowed values ' +
        '("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"), got "Sometimes"',
    ],
    [
      'a label key that is no identifier, with a bad value',
      'metadata.labels',
      { 'app.kubernetes.io/name': false },
      '$.metadata.labels["app.kubernetes.io/name"]: must be string, got boolean false',
    ],
  ])('rejects %s', (_title, path, value, want) => {
    const issues = issuesAfter(path, value);
    expect(issues.join('\n')).toContain(want);
    // One mutation, one problem: no cascade of unrelated issues (e.g. from the unknown-field check).
    expect(issues).toHaveLength(1);
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
  const quantity = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
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
          both: { allOf: [{ $ref: '#/definitions/Named' }, { $ref: '#/definitions/Aged' }] },
          named: { $ref: '#/definitions/Named' },
          anything: { $ref: '#/definitions/Anything' },
          blob: { type: 'string', format: 'byte' },
          ratio: { type: 'number' },
          size: { $ref: `#/definitions/${quantity}` },
        },
      },
      Named: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      Aged: { type: 'object', properties: { age: { type: 'integer', format: 'int32' } } },
      Anything: { type: 'object' },
      [quantity]: { type: ['string', 'integer', 'number'] },
    },
  };

  /** Issues as `path: message`, sorted: ajv's order follows its keyword groups, not the document. */
  const issues = (value: unknown, schema: string | SchemaNode = 'Thing', options?: ValidateOptions) =>
    validateAgainst(mini, schema, value, options)
      .map((i) => `${i.path}: ${i.message}`)
      .sort();

  it('accepts what the keywords allow', () => {
    const ok = {
      id: 'x',
      when: '2026-01-02T03:04:05Z',
      port: 8080,
      maybe: null,
      tags: { a: 1, b: -(2 ** 53 - 1) },
      closed: { a: true },
      both: { name: 'n', age: 3 },
      named: { name: 'n' },
      anything: { whatever: [1] },
      blob: 'aGk=',
      ratio: 1,
      size: '1.5Gi',
    };
    expect(issues(ok)).toEqual([]);
    expect(issues({ id: 'x', port: 'http', ratio: 0.5, size: 1.5, both: { name: 'n' } })).toEqual([]);
    expect(issues({ id: 'x', size: '-1e3' })).toEqual([]);
  });

  it('reports every violation with its path', () => {
    const bad = {
      when: 'yesterday',
      port: true,
      maybe: 3,
      tags: { a: 1.5, 'b/c': 2 ** 53 },
      closed: { a: true, b: 1 },
      both: { age: 'old', hair: 'grey' },
      named: { name: 'n', age: 1 },
      blob: '!!',
      extra: 1,
      size: '1 Gi',
    };
    expect(issues(bad)).toEqual(
      [
        '$.blob: must match format "byte", got "!!"',
        "$.both.name: must have required property 'name'",
        '$.both.age: must be integer, got string "old"',
        '$.both.hair: must NOT have unevaluated properties',
        '$.closed.b: must NOT have additional properties',
        '$.extra: must NOT have unevaluated properties',
        "$.id: must have required property 'id'",
        '$.maybe: must be string, got integer 3',
        '$.named.age: must NOT have unevaluated properties',
        '$.port: must be integer,string, got boolean true',
        '$.size: must match format "quantity", got "1 Gi"',
        '$.tags.a: must be integer, got number 1.5',
        '$.tags.a: must match format "int64", got 1.5', // ajv goes on after a type error (allErrors)
        '$.tags["b/c"]: must match format "int64", got 9007199254740992',
        '$.when: must match format "date-time", got "yesterday"',
      ].sort(),
    );
  });

  it('checks int-or-string integers against the int32 range', () => {
    expect(issues({ id: 'x', port: 2 ** 31 })).toEqual([
      '$.port: must match format "int-or-string", got 2147483648',
    ]);
    expect(issues({ id: 'x', port: 1.5 })).toEqual([
      '$.port: must be integer,string, got number 1.5',
      '$.port: must match format "int-or-string", got 1.5',
    ]);
  });

  it('lets each allOf member see the fields of the others, and closes a definition used on its own', () => {
    expect(issues({ id: 'x', both: { name: 'n', age: 1 } })).toEqual([]);
    expect(issues({ id: 'x', named: { name: 'n', age: 1 } })).toEqual([
      '$.named.age: must NOT have unevaluated properties',
    ]);
    expect(issues({ name: 'n', age: 1 }, 'Named')).toEqual(['$.age: must NOT have unevaluated properties']);
  });

  it('tolerates unknown fields when asked to, but not those the schema itself forbids', () => {
    const loose = { id: 'x', extra: 1, named: { name: 'n', age: 1 }, closed: { b: 1 } };
    expect(issues(loose, 'Thing', { rejectUnknownProperties: false })).toEqual([
      '$.closed.b: must NOT have additional properties',
    ]);
  });

  it('validates against a schema node that refers to the definitions', () => {
    const node: SchemaNode = {
      type: 'object',
      required: ['thing'],
      properties: { thing: { $ref: '#/definitions/Thing' } },
    };
    expect(issues({ thing: { id: 'x' } }, node)).toEqual([]);
    expect(issues({ thing: { id: 1 }, other: 1 }, node)).toEqual([
      '$.other: must NOT have unevaluated properties',
      '$.thing.id: must be string, got integer 1',
    ]);
    expect(issues([], node)).toEqual(['$: must be object, got array']);
  });

  it('checks the value as JSON: properties set to undefined are absent', () => {
    expect(issues({ id: 'x', ratio: undefined, unknown: undefined })).toEqual([]);
    expect(issues({ id: undefined })).toEqual(["$.id: must have required property 'id'"]);
  });

  it('throws on a $ref to a missing definition: a broken schema, not invalid data', () => {
    expect(() => validateAgainst(mini, { $ref: '#/definitions/Missing' }, {})).toThrow(
      /can't resolve reference openapi\.json#\/definitions\/Missing/,
    );
  });
});

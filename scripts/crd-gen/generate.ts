/**
 * Generates the Forklift CRDs (structural OpenAPI v3 schemas) from the TypeScript types in
 * `src/api/`. Pure apart from reading the sources: `scripts/gen-crds.ts` writes the results and
 * `generate.test.ts` proves the committed files are current.
 *
 * Pipeline: ts-json-schema-generator turns `<Kind>Spec` / `<Kind>Status` into JSON Schema; this
 * module inlines `$ref`s, keeps only the keywords Kubernetes' JSONSchemaProps accepts, marks
 * ObjectReference and Affinity `x-kubernetes-map-type: atomic` (as Forklift's CRDs do), and records
 * the paths tagged `@mtvExtension`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator, type Config } from 'ts-json-schema-generator';
import YAML from 'yaml';
import {
  CrdVersionAnnotation,
  ForkliftGroup,
  ForkliftKinds,
  ForkliftVersion,
  Resources,
} from '../../src/api/index.js';
import type { ForkliftKind, StructuralSchema } from '../../src/api/index.js';

/** A JSON Schema node as ts-json-schema-generator emits it: a structural schema plus `$ref`s and unions. */
export interface SchemaNode extends Omit<StructuralSchema, 'properties' | 'items' | 'additionalProperties'> {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  $ref?: string;
  anyOf?: SchemaNode[];
  mtvExtension?: boolean;
  [k: string]: unknown;
}

/** Forklift's printer columns, so `kubectl get providers` looks the same on both. */
const printerColumns: Record<ForkliftKind, { name: string; type: string; jsonPath: string }[]> = {
  Provider: [
    { name: 'TYPE', type: 'string', jsonPath: '.spec.type' },
    { name: 'STATUS', type: 'string', jsonPath: '.status.phase' },
    { name: 'READY', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    {
      name: 'CONNECTED',
      type: 'string',
      jsonPath: ".status.conditions[?(@.type=='ConnectionTestSucceeded')].status",
    },
    {
      name: 'INVENTORY',
      type: 'string',
      jsonPath: ".status.conditions[?(@.type=='InventoryCreated')].status",
    },
    { name: 'URL', type: 'string', jsonPath: '.spec.url' },
    { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  Host: [
    { name: 'READY', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    {
      name: 'CONNECTED',
      type: 'string',
      jsonPath: ".status.conditions[?(@.type=='ConnectionTestSucceeded')].status",
    },
    { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  NetworkMap: [
    { name: 'READY', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  StorageMap: [
    { name: 'READY', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  Plan: [
    { name: 'READY', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'EXECUTING', type: 'string', jsonPath: ".status.conditions[?(@.type=='Executing')].status" },
    { name: 'SUCCEEDED', type: 'string', jsonPath: ".status.conditions[?(@.type=='Succeeded')].status" },
    { name: 'FAILED', type: 'string', jsonPath: ".status.conditions[?(@.type=='Failed')].status" },
    { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  Migration: [
    { name: 'READY', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'RUNNING', type: 'string', jsonPath: ".status.conditions[?(@.type=='Running')].status" },
    { name: 'SUCCEEDED', type: 'string', jsonPath: ".status.conditions[?(@.type=='Succeeded')].status" },
    { name: 'FAILED', type: 'string', jsonPath: ".status.conditions[?(@.type=='Failed')].status" },
    { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  Hook: [
    { name: 'READY', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'IMAGE', type: 'string', jsonPath: '.spec.image' },
    { name: 'AAPTEMPLATEID', type: 'integer', jsonPath: '.spec.aap.jobTemplateId' },
    { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

/** Spec/status type names per kind (NetworkMap and StorageMap share MapStatus). */
const typeNames: Record<ForkliftKind, { spec: string; status: string }> = {
  Provider: { spec: 'ProviderSpec', status: 'ProviderStatus' },
  Host: { spec: 'HostSpec', status: 'HostStatus' },
  NetworkMap: { spec: 'NetworkMapSpec', status: 'MapStatus' },
  StorageMap: { spec: 'StorageMapSpec', status: 'MapStatus' },
  Plan: { spec: 'PlanSpec', status: 'PlanStatus' },
  Migration: { spec: 'MigrationSpec', status: 'MigrationStatus' },
  Hook: { spec: 'HookSpec', status: 'HookStatus' },
};

/** Keywords of Kubernetes' JSONSchemaProps that the generated schemas may carry. */
const keptKeywords = new Set([
  'type',
  'format',
  'description',
  'enum',
  'default',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
]);

/** Definitions whose objects Forklift's CRDs mark atomic. */
const atomicDefinitions = new Set(['ObjectReference', 'Affinity']);

/** Result of one generation run. */
export interface GeneratedCrds {
  /** File name (in `deploy/crds/`) → YAML text. */
  files: Record<string, string>;
  /** Kind → `openAPIV3Schema`. */
  schemas: Record<ForkliftKind, SchemaNode>;
  /** `Kind.spec.a.b[]`-style paths of fields tagged `@mtvExtension` (not in Forklift's API). */
  extensions: string[];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Builds every CRD from the types.
 * @param version mtv version recorded in each CRD's `mtv.konveyor.io/crd-version` annotation.
 */
export function generateCrds(version: string): GeneratedCrds {
  const config: Config = {
    path: path.join(repoRoot, 'src/api/*.ts'),
    tsconfig: path.join(repoRoot, 'tsconfig.json'),
    type: '*',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    extraTags: ['mtvExtension'],
    skipTypeCheck: true,
    additionalProperties: true,
  };
  const root = createGenerator(config).createSchema('*') as { definitions: Record<string, SchemaNode> };
  const defs = root.definitions;
  const extensions: string[] = [];
  const files: Record<string, string> = {};
  const schemas = {} as Record<ForkliftKind, SchemaNode>;
  for (const kind of ForkliftKinds) {
    const names = typeNames[kind];
    const spec = toStructural({ $ref: `#/definitions/${names.spec}` }, defs, `${kind}.spec`, extensions);
    const status = toStructural(
      { $ref: `#/definitions/${names.status}` },
      defs,
      `${kind}.status`,
      extensions,
    );
    const schema: SchemaNode = {
      description: `${kind} is a Forklift ${kind} (forklift.konveyor.io/v1beta1), generated by mtv from its TypeScript types.`,
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec,
        status,
      },
    };
    schemas[kind] = schema;
    const r = Resources[kind];
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: {
        name: `${r.plural}.${ForkliftGroup}`,
        annotations: { [CrdVersionAnnotation]: version },
      },
      spec: {
        group: ForkliftGroup,
        names: { kind, listKind: r.listKind, plural: r.plural, singular: r.singular },
        scope: 'Namespaced',
        versions: [
          {
            name: ForkliftVersion,
            served: true,
            storage: true,
            subresources: { status: {} },
            additionalPrinterColumns: printerColumns[kind],
            schema: { openAPIV3Schema: schema },
          },
        ],
      },
    };
    files[`${ForkliftGroup}_${r.plural}.yaml`] =
      '# Generated by `npm run gen` from src/api/; do not edit.\n' +
      // YAML 1.1 output quotes strings such as "on"/"off", which Kubernetes' YAML 1.1 parser reads as booleans.
      YAML.stringify(crd, { lineWidth: 0, version: '1.1' });
  }
  return { files, schemas, extensions: [...new Set(extensions)].sort() };
}

function definitionName(ref: string): string {
  return decodeURIComponent(ref.replace(/^#\/definitions\//, ''));
}

/** Converts one JSON Schema node to a structural schema node, inlining references. */
function toStructural(
  node: SchemaNode,
  defs: Record<string, SchemaNode>,
  at: string,
  ext: string[],
): SchemaNode {
  let atomic = false;
  let merged: SchemaNode = node;
  // Follow $ref chains; annotations on the referring node (its TSDoc) win over the target's.
  while (merged.$ref) {
    const name = definitionName(merged.$ref);
    const target = defs[name];
    if (!target) throw new Error(`${at}: unresolved reference ${merged.$ref}`);
    if (atomicDefinitions.has(name)) atomic = true;
    const { $ref: _ignored, ...rest } = merged;
    // A scalar alias (Time, Int64…) lends its type and format, not its generic description.
    const { description: aliasDescription, ...targetRest } = target;
    const isScalarAlias = target.type !== 'object' && target.type !== 'array' && !target.properties;
    merged = isScalarAlias
      ? { ...targetRest, ...rest }
      : { description: aliasDescription, ...targetRest, ...rest };
  }
  if (merged.mtvExtension) ext.push(at);
  if (merged.anyOf) merged = collapseAnyOf(merged, at);
  const out: SchemaNode = {};
  for (const [k, v] of Object.entries(merged)) if (keptKeywords.has(k)) out[k] = v;
  if (typeof out.description === 'string') out.description = out.description.trim();
  if (merged.type === 'object' || merged.properties) {
    out.type = 'object';
    if (merged.properties) {
      out.properties = {};
      for (const [name, child] of Object.entries(merged.properties)) {
        out.properties[name] = toStructural(child, defs, `${at}.${name}`, ext);
      }
      if (merged.required?.length) out.required = [...merged.required];
    } else if (merged.additionalProperties && typeof merged.additionalProperties === 'object') {
      out.additionalProperties = toStructural(merged.additionalProperties, defs, `${at}{}`, ext);
    } else {
      out['x-kubernetes-preserve-unknown-fields'] = true;
    }
    if (atomic) out['x-kubernetes-map-type'] = 'atomic';
  } else if (merged.type === 'array') {
    if (!merged.items) throw new Error(`${at}: array without items`);
    out.items = toStructural(merged.items, defs, `${at}[]`, ext);
  } else if (!merged.type) {
    throw new Error(`${at}: no type (unknown or any is not allowed in a structural schema)`);
  }
  return out;
}

/** `'a' | 'b'` arrives as anyOf of consts in some shapes; Kubernetes wants one typed enum. */
function collapseAnyOf(node: SchemaNode, at: string): SchemaNode {
  const { anyOf = [], ...rest } = node;
  const values = anyOf.map((n) => {
    if (n.type !== 'string' || (!('const' in n) && !n.enum)) throw new Error(`${at}: unsupported union`);
    return n.enum ?? [n.const];
  });
  return { ...rest, type: 'string', enum: values.flat() };
}

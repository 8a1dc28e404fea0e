/**
 * Validates objects against OpenAPI v2 (Swagger 2.0) `definitions`, such as KubeVirt's published
 * `swagger.json`, with [ajv](https://ajv.js.org) and [ajv-formats](https://github.com/ajv-validator/ajv-formats).
 *
 * Before compiling, each document's definitions are copied once (cached by object identity) and
 * adapted where OpenAPI v2 and JSON Schema differ:
 * - `nullable: true` is an ajv keyword already (OpenAPI support is built in).
 * - Formats: `date-time`, `int32` (range), `byte` (base64), `float` and `double` come from
 *   ajv-formats; `int64` is narrowed to safe integers (ajv-formats accepts any integer, which a
 *   JavaScript number cannot always represent exactly); `int-or-string` widens the node's `type` to
 *   `integer` or `string` (the Kubernetes `IntOrString`) and checks the int32 range of integers.
 * - `k8s.io.apimachinery.pkg.api.resource.Quantity` gets a `quantity` format: a string must match the
 *   quantity grammar of the definition's description; numbers pass if the definition's `type` allows
 *   them.
 *
 * Unknown properties are rejected by default (`rejectUnknownProperties`), as the API server does
 * with strict field validation; KubeVirt's schema never sets `additionalProperties: false`, so
 * without this a misspelt field would pass. The closing keyword is `unevaluatedProperties: false`
 * (JSON Schema 2019-09, hence `ajv/dist/2019`) rather than an injected `additionalProperties: false`:
 * `additionalProperties` sees only the `properties` of its own schema object, so injected into the
 * members of an `allOf` it would reject the fields the other members declare. `unevaluatedProperties`
 * counts every property evaluated in place, through `allOf`, `anyOf`, `oneOf` and `$ref`. It is
 * therefore added to each object schema (with `properties`, and no `additionalProperties`, found in
 * place) that is reached as a value (a property, array item, map value or the root), never to a
 * definition itself or to an applicator's member, which stay open so that whoever composes them
 * decides.
 *
 * A `$ref` that does not resolve is a broken schema, not invalid data: {@link validateAgainst}
 * throws ajv's `MissingRefError`.
 *
 * Test support: not exported from the planner's index.
 *
 * @see https://swagger.io/specification/v2/
 * @see https://github.com/kubevirt/kubevirt/blob/main/api/openapi-spec/swagger.json
 * @see https://json-schema.org/draft/2019-09/json-schema-core#rfc.section.9.3.2.4
 */
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import ajvFormats from 'ajv-formats';

/** A schema node of an OpenAPI v2 document (the keywords KubeVirt's schema uses). */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  format?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  enum?: unknown[];
  nullable?: boolean;
  allOf?: SchemaNode[];
}

/** An OpenAPI v2 document: only `definitions` is read. */
export interface OpenApiDocument {
  definitions: Record<string, SchemaNode>;
}

/** One violation: a JSON path (`$.spec.template…`) and what is wrong there. */
export interface SchemaIssue {
  path: string;
  message: string;
}

/** Options of {@link validateAgainst}. */
export interface ValidateOptions {
  /**
   * Report properties an object schema with `properties` does not declare.
   * @default true
   */
  rejectUnknownProperties?: boolean;
}

/** ajv-formats is CommonJS; under `nodenext` its default import is `module.exports`. */
const addFormats = ajvFormats.default;

/** A schema node as this module rewrites it: any keyword, including those {@link SchemaNode} omits. */
type Schema = SchemaNode & Record<string, unknown>;

const definitionsId = 'openapi.json';
const definitionsPrefix = '#/definitions/';
const quantityDefinition = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
const quantityRe = /^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
const isInt32 = (n: number): boolean => Number.isInteger(n) && n >= -(2 ** 31) && n <= 2 ** 31 - 1;
/** In-place applicators: their members see the same instance as the schema holding them. */
const applicators = ['allOf', 'anyOf', 'oneOf'] as const;

/** Copies a schema for ajv: absolute `$ref`s, `int-or-string` types, unknown properties closed. */
class Preparer {
  private readonly definitions: Record<string, SchemaNode>;
  private readonly close: boolean;

  constructor(definitions: Record<string, SchemaNode>, close: boolean) {
    this.definitions = definitions;
    this.close = close;
  }

  /** @param inPlace whether `s` is a definition or an applicator's member (then it stays open). */
  prepare(s: SchemaNode, inPlace: boolean): Schema {
    const out: Schema = { ...s };
    if (s.$ref?.startsWith(definitionsPrefix)) out.$ref = definitionsId + s.$ref;
    if (s.format === 'int-or-string') out.type = ['integer', 'string'];
    if (s.properties) {
      const props = Object.entries(s.properties).map(([k, p]) => [k, this.prepare(p, false)]);
      out.properties = Object.fromEntries(props) as Record<string, SchemaNode>;
    }
    if (typeof s.additionalProperties === 'object')
      out.additionalProperties = this.prepare(s.additionalProperties, false);
    if (s.items) out.items = this.prepare(s.items, false);
    for (const key of applicators) {
      const members = (s as Schema)[key];
      if (Array.isArray(members)) out[key] = members.map((m: SchemaNode) => this.prepare(m, true));
    }
    if (this.close && !inPlace && this.has(s, 'properties') && !this.has(s, 'additionalProperties'))
      out.unevaluatedProperties = false;
    return out;
  }

  /** Whether `s`, or a schema it applies in place (through `$ref` and applicators), has `keyword`. */
  private has(s: SchemaNode, keyword: string, seen = new Set<string>()): boolean {
    if ((s as Schema)[keyword] !== undefined) return true;
    const name = s.$ref?.startsWith(definitionsPrefix) ? s.$ref.slice(definitionsPrefix.length) : undefined;
    const target = name === undefined || seen.has(name) ? undefined : this.definitions[name];
    if (name !== undefined && target && this.has(target, keyword, seen.add(name))) return true;
    return applicators.some((key) => {
      const members = (s as Schema)[key];
      return Array.isArray(members) && members.some((m: SchemaNode) => this.has(m, keyword, seen));
    });
  }
}

/** An ajv instance holding one document's definitions, and the validators compiled against it. */
class Compiled {
  private readonly ajv: Ajv2019;
  private readonly preparer: Preparer;
  private readonly byName = new Map<string, ValidateFunction>();
  private readonly byNode = new WeakMap<SchemaNode, ValidateFunction>();

  constructor(doc: OpenApiDocument, rejectUnknown: boolean) {
    this.preparer = new Preparer(doc.definitions, rejectUnknown);
    const definitions = Object.fromEntries(
      Object.entries(doc.definitions).map(([name, s]) => [
        name,
        this.preparer.prepare(name === quantityDefinition ? { ...s, format: 'quantity' } : s, true),
      ]),
    );
    this.ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(this.ajv, ['date-time', 'int32', 'byte', 'float', 'double']);
    this.ajv.addFormat('int64', { type: 'number', validate: Number.isSafeInteger });
    this.ajv.addFormat('int-or-string', { type: 'number', validate: isInt32 });
    this.ajv.addFormat('quantity', quantityRe);
    this.ajv.addSchema({ $id: definitionsId, definitions });
  }

  validator(schema: string | SchemaNode): ValidateFunction {
    const known = typeof schema === 'string' ? this.byName.get(schema) : this.byNode.get(schema);
    if (known) return known;
    const node = typeof schema === 'string' ? { $ref: definitionsPrefix + schema } : schema;
    const compiled = this.ajv.compile(this.preparer.prepare(node, false));
    if (typeof schema === 'string') this.byName.set(schema, compiled);
    else this.byNode.set(schema, compiled);
    return compiled;
  }
}

const cache = new WeakMap<OpenApiDocument, Map<boolean, Compiled>>();

function compiledFor(doc: OpenApiDocument, rejectUnknown: boolean): Compiled {
  let forDoc = cache.get(doc);
  if (!forDoc) cache.set(doc, (forDoc = new Map<boolean, Compiled>()));
  let compiled = forDoc.get(rejectUnknown);
  if (!compiled) forDoc.set(rejectUnknown, (compiled = new Compiled(doc, rejectUnknown)));
  return compiled;
}

const identifierRe = /^[A-Za-z_$][\w$]*$/;
const member = (key: string): string => (identifierRe.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/** The `$.a.b[0]` path of an ajv `instancePath` (a JSON pointer), and the value found there. */
function locate(root: unknown, pointer: string): { path: string; value: unknown } {
  let path = '$';
  let value = root;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    path += Array.isArray(value) ? `[${key}]` : member(key);
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return { path, value };
}

function show(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** An ajv error as a {@link SchemaIssue}: the offending property in the path, the value in the message. */
function toIssue(root: unknown, e: ErrorObject): SchemaIssue {
  const { path, value } = locate(root, e.instancePath);
  const message = e.message ?? e.keyword;
  const params = e.params as Record<string, unknown>;
  const property = params.missingProperty ?? params.additionalProperty ?? params.unevaluatedProperty;
  if (typeof property === 'string') return { path: path + member(property), message };
  if (e.keyword === 'type') {
    const scalar = value === null || typeof value !== 'object';
    return { path, message: `${message}, got ${kind(value)}${scalar ? ` ${show(value)}` : ''}` };
  }
  if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    const allowed = params.allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return { path, message: `${message} (${allowed}), got ${show(value)}` };
  }
  if (value === null || typeof value !== 'object') return { path, message: `${message}, got ${show(value)}` };
  return { path, message };
}

/**
 * Validates `value` against a definition of `doc` (by name, e.g. `v1.VirtualMachine`) or against
 * a schema node (which may `$ref` the definitions). The value is checked as JSON, as the API server
 * would receive it (properties set to `undefined` are absent).
 * @returns every violation found; empty when the value is valid.
 * @throws when the schema cannot be compiled, e.g. a `$ref` to a missing definition.
 */
export function validateAgainst(
  doc: OpenApiDocument,
  schema: string | SchemaNode,
  value: unknown,
  options: ValidateOptions = {},
): SchemaIssue[] {
  const validate = compiledFor(doc, options.rejectUnknownProperties ?? true).validator(schema);
  const json: unknown = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  if (validate(json)) return [];
  return (validate.errors ?? []).map((e) => toIssue(json, e));
}

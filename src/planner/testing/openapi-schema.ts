/**
 * A small validator for objects against OpenAPI v2 (Swagger 2.0) `definitions`, enough for
 * KubeVirt's published `swagger.json`: `$ref` (`#/definitions/…`), `type` (one or several),
 * `properties`, `required`, `items`, `additionalProperties`, `enum`, `nullable`, `allOf`, and the
 * formats `int32`, `int64`, `date-time`, `byte`, `int-or-string`. Kubernetes quantities are also
 * checked against the quantity grammar of their definition's description.
 *
 * Unknown properties are rejected by default (`rejectUnknownProperties`), as the API server does
 * with strict field validation; KubeVirt's schema never sets `additionalProperties: false`, so
 * without this a misspelt field would pass.
 *
 * Test support: not exported from the planner's index. Replace with ajv (draft-04 mode) once it is
 * a declared dependency.
 *
 * @see https://swagger.io/specification/v2/
 * @see https://github.com/kubevirt/kubevirt/blob/main/api/openapi-spec/swagger.json
 */

/** A schema node of an OpenAPI v2 document (the keywords this validator reads). */
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
   * Report properties a schema with `properties` does not declare.
   * @default true
   */
  rejectUnknownProperties?: boolean;
}

const quantityDefinition = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
const quantityRe = /^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
const dateTimeRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const base64Re = /^[A-Za-z0-9+/]*={0,2}$/;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function matchesType(v: unknown, type: string): boolean {
  const actual = typeOf(v);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

class Validator {
  readonly issues: SchemaIssue[] = [];
  private readonly doc: OpenApiDocument;
  private readonly strict: boolean;

  constructor(doc: OpenApiDocument, options: ValidateOptions) {
    this.doc = doc;
    this.strict = options.rejectUnknownProperties ?? true;
  }

  private issue(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  validate(schema: SchemaNode, v: unknown, path: string, refName?: string): void {
    if (schema.$ref !== undefined) {
      this.ref(schema.$ref, v, path);
      return;
    }
    if (v === null && schema.nullable === true) return;
    for (const part of schema.allOf ?? []) this.validate(part, v, path);
    if (!this.checkType(schema, v, path)) return;
    if (schema.enum && !schema.enum.some((e) => e === v)) {
      this.issue(
        path,
        `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(v)}`,
      );
    }
    this.checkFormat(schema.format, v, path);
    if (refName === quantityDefinition && typeof v === 'string' && !quantityRe.test(v)) {
      this.issue(path, `${JSON.stringify(v)} is not a Kubernetes quantity`);
    }
    if (Array.isArray(v) && schema.items)
      v.forEach((item, i) => schema.items && this.validate(schema.items, item, `${path}[${i}]`));
    if (typeOf(v) === 'object') this.object(schema, v as Record<string, unknown>, path);
  }

  private ref(ref: string, v: unknown, path: string): void {
    const name = ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
    const target = name === undefined ? undefined : this.doc.definitions[name];
    if (!target || name === undefined) {
      this.issue(path, `unresolvable $ref ${ref}`);
      return;
    }
    this.validate(target, v, path, name);
  }

  private checkType(schema: SchemaNode, v: unknown, path: string): boolean {
    if (schema.type === undefined) return true;
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (schema.format === 'int-or-string' && (typeof v === 'string' || Number.isInteger(v))) return true;
    if (types.some((t) => matchesType(v, t))) return true;
    this.issue(path, `must be ${types.join(' or ')}, got ${typeOf(v)} ${JSON.stringify(v)}`);
    return false;
  }

  private checkFormat(format: string | undefined, v: unknown, path: string): void {
    if (format === 'int32' && typeof v === 'number' && (v < -(2 ** 31) || v > 2 ** 31 - 1)) {
      this.issue(path, `${v} is out of int32 range`);
    }
    if (format === 'int64' && typeof v === 'number' && !Number.isSafeInteger(v)) {
      this.issue(path, `${v} is not an integer mtv can represent exactly`);
    }
    if (format === 'date-time' && typeof v === 'string' && !dateTimeRe.test(v)) {
      this.issue(path, `${JSON.stringify(v)} is not an RFC 3339 date-time`);
    }
    if (format === 'byte' && typeof v === 'string' && !base64Re.test(v)) {
      this.issue(path, 'is not base64');
    }
  }

  private object(schema: SchemaNode, v: Record<string, unknown>, path: string): void {
    for (const key of schema.required ?? []) {
      if (!(key in v) || v[key] === undefined) this.issue(`${path}.${key}`, 'is required');
    }
    const props = schema.properties ?? {};
    const extra = schema.additionalProperties;
    for (const [key, value] of Object.entries(v)) {
      if (value === undefined) continue;
      const child = `${path}.${key}`;
      const prop = props[key];
      if (prop) this.validate(prop, value, child);
      else if (typeof extra === 'object') this.validate(extra, value, child);
      else if (extra === false) this.issue(child, 'is not allowed');
      else if (extra === undefined && schema.properties && this.strict)
        this.issue(child, 'is not a known field');
    }
  }
}

/**
 * Validates `value` against a definition of `doc` (by name, e.g. `v1.VirtualMachine`) or against
 * a schema node (which may `$ref` definitions).
 * @returns every violation found; empty when the value is valid.
 */
export function validateAgainst(
  doc: OpenApiDocument,
  schema: string | SchemaNode,
  value: unknown,
  options: ValidateOptions = {},
): SchemaIssue[] {
  const v = new Validator(doc, options);
  const node: SchemaNode = typeof schema === 'string' ? { $ref: `#/definitions/${schema}` } : schema;
  v.validate(node, value, '$');
  return v.issues;
}

/**
 * What the Kubernetes API server does with a custom resource against its CRD's structural schema:
 * prune unknown fields, apply defaults, validate. The local store runs the same steps on the same
 * generated schemas, so an object accepted locally is accepted by a cluster with mtv's CRDs.
 *
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
import schemaFile from '../gen/crd-schemas.json' with { type: 'json' };
import type { Problem } from './errors.js';
import type { ForkliftKind } from './kinds.js';

/** A structural schema node (the keywords mtv's generated CRDs use). */
export interface StructuralSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, StructuralSchema>;
  required?: string[];
  items?: StructuralSchema;
  additionalProperties?: StructuralSchema;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-map-type'?: string;
}

const generated = schemaFile as unknown as {
  version: string;
  extensions: string[];
  schemas: Record<ForkliftKind, StructuralSchema>;
};

/** The `openAPIV3Schema` of a Forklift kind, as generated into `deploy/crds/`. */
export function forkliftSchema(kind: ForkliftKind): StructuralSchema {
  return generated.schemas[kind];
}

/** The mtv version that generated the CRDs (their `mtv.konveyor.io/crd-version` annotation). */
export const generatedCrdVersion: string = generated.version;

/** Result of {@link applyStructuralSchema}. */
export interface StructuralResult {
  /** The pruned and defaulted object (a copy). */
  value: unknown;
  /** Every violation found, with its path. Empty when valid. */
  problems: Problem[];
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Prunes, defaults and validates `value` against `schema`. Paths in problems are relative to the
 * object root (`spec.map[0].destination.type`).
 * @param at where `value` sits in the object when `schema` is a subtree's (e.g. `status`), so
 *   problems still name the full path. @default '' (the object root)
 */
export function applyStructuralSchema(
  schema: StructuralSchema,
  value: unknown,
  at?: string,
): StructuralResult {
  const problems: Problem[] = [];
  // The walk builds new objects and arrays; what it keeps as is (untyped or preserved subtrees) it
  // copies, so the result never shares anything with `value` (no clone of the whole tree first).
  const out = walk(schema, value, at ?? '', problems);
  return { value: out, problems };
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

function walk(schema: StructuralSchema, value: unknown, at: string, problems: Problem[]): unknown {
  if (value === null || value === undefined) return value;
  if (!checkType(schema, value, at, problems)) return value;
  if (schema.type === 'object') return walkObject(schema, value as Record<string, unknown>, at, problems);
  if (schema.type === 'array' && schema.items) {
    const items = schema.items;
    return (value as unknown[]).map((v, i) => walk(items, v, `${at}[${i}]`, problems));
  }
  checkScalar(schema, value, at, problems);
  return typeof value === 'object' ? structuredClone(value) : value;
}

function walkObject(
  schema: StructuralSchema,
  obj: Record<string, unknown>,
  at: string,
  problems: Problem[],
): Record<string, unknown> {
  if (schema['x-kubernetes-preserve-unknown-fields'] && !schema.properties) return structuredClone(obj);
  const out: Record<string, unknown> = {};
  if (schema.properties) {
    for (const [key, child] of Object.entries(schema.properties)) {
      // No field is nullable: the API server prunes a null, then defaults it, like an absent one.
      const v = obj[key] ?? structuredClone(child.default);
      if (v !== undefined) out[key] = walk(child, v, join(at, key), problems);
    }
    for (const req of schema.required ?? []) {
      if (out[req] === undefined || out[req] === null)
        problems.push({ field: join(at, req), message: 'is required' });
    }
  } else if (schema.additionalProperties) {
    const valueSchema = schema.additionalProperties;
    for (const [key, v] of Object.entries(obj)) {
      if (v !== null) out[key] = walk(valueSchema, v, `${at}[${key}]`, problems);
    }
  }
  return out;
}

function checkType(schema: StructuralSchema, value: unknown, at: string, problems: Problem[]): boolean {
  const t = schema.type;
  const ok =
    t === undefined ||
    (t === 'object' && typeof value === 'object' && !Array.isArray(value)) ||
    (t === 'array' && Array.isArray(value)) ||
    (t === 'string' && typeof value === 'string') ||
    (t === 'boolean' && typeof value === 'boolean') ||
    (t === 'number' && typeof value === 'number') ||
    (t === 'integer' && Number.isInteger(value));
  if (!ok) problems.push({ field: at, message: `must be of type ${schema.type ?? 'any'}`, value });
  return ok;
}

function checkScalar(schema: StructuralSchema, value: unknown, at: string, problems: Problem[]): void {
  if (schema.enum && !schema.enum.includes(value)) {
    problems.push({
      field: at,
      message: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
      value,
    });
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value))
      problems.push({ field: at, message: `must match ${schema.pattern}`, value });
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      problems.push({ field: at, message: `must be at most ${schema.maxLength} characters`, value });
    if (schema.minLength !== undefined && value.length < schema.minLength)
      problems.push({ field: at, message: `must be at least ${schema.minLength} characters`, value });
    if (schema.format === 'date-time' && !rfc3339.test(value))
      problems.push({
        field: at,
        message: 'must be an RFC 3339 date-time such as 2026-01-02T15:04:05Z',
        value,
      });
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      problems.push({ field: at, message: `must be at least ${schema.minimum}`, value });
    if (schema.maximum !== undefined && value > schema.maximum)
      problems.push({ field: at, message: `must be at most ${schema.maximum}`, value });
    if (schema.format === 'int32' && (value > 2 ** 31 - 1 || value < -(2 ** 31)))
      problems.push({ field: at, message: 'must fit in 32 bits', value });
  }
}

/**
 * The plain JavaScript shapes that vim25 values decode into, and small coercion helpers.
 *
 * Without the WSDL a decoder cannot tell a one-element array from a scalar, nor the string `"4"`
 * from the number 4, unless the server marked the element with `xsi:type` (it does so on property
 * values, on polymorphic fields and on `ArrayOf…` values, not on plain fields of data objects).
 * Callers therefore read fields through {@link asArray}, {@link asNumber}, {@link asBoolean} and
 * {@link asString}, which accept either form.
 */
import { VSphereProtocolError } from './errors.js';

/**
 * A ManagedObjectReference (moRef): the type and server-side id of a managed object.
 *
 * @example `{ type: 'VirtualMachine', value: 'vm-42' }`
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.ManagedObjectReference.html
 */
export interface MoRef {
  /** Managed object type, e.g. `VirtualMachine`, `Folder`, `PropertyCollector`. */
  readonly type: string;
  /** The id, e.g. `vm-42`, `group-d1`, `session[…]…` for session-scoped objects. */
  readonly value: string;
}

/**
 * A decoded vim25 value. Leaves are strings unless `xsi:type` marks them as numbers (`xsd:int`,
 * `xsd:long`, …), booleans (`xsd:boolean`) or dates (`xsd:dateTime`); moRefs are {@link MoRef};
 * `ArrayOf…` values are arrays; data objects are {@link VimObject}.
 */
export type VimValue = string | number | boolean | Date | MoRef | VimObject | readonly VimValue[];

/**
 * A decoded vim25 data object: its fields by name, and its `xsi:type` as `_type` when the server
 * sent one (e.g. `VirtualDisk`, `VirtualDiskFlatVer2BackingInfo`). A field repeated once looks
 * like a scalar; read repeated fields with {@link asArray}.
 */
export interface VimObject {
  readonly _type?: string;
  readonly [field: string]: VimValue | undefined;
}

/** True for an object with exactly the string fields `type` and `value`: a {@link MoRef}. */
export function isMoRef(v: unknown): v is MoRef {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) return false;
  const keys = Object.keys(v);
  const o = v as Record<string, unknown>;
  return keys.length === 2 && typeof o.type === 'string' && typeof o.value === 'string';
}

/** True for a decoded data object (not an array, moRef or date). */
export function isVimObject(v: unknown): v is VimObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !isMoRef(v);
}

/**
 * A repeated field as an array: `undefined` → `[]`, an array as is, anything else → `[v]`.
 *
 * @example `asArray(vm.config.hardware.device)` — one device decodes as an object, two as an array.
 */
export function asArray(v: VimValue | undefined): readonly VimValue[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? (v as readonly VimValue[]) : [v];
}

/**
 * A numeric field as a number: numbers as is, numeric strings parsed (`"4"` → 4), `undefined` kept.
 * `xsd:long` values above 2^53 lose precision.
 *
 * @throws {@link VSphereProtocolError} for anything else (e.g. `"abc"`, an object).
 */
export function asNumber(v: VimValue | undefined): number | undefined {
  if (v === undefined || typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    if (!Number.isNaN(n)) return n;
  }
  throw new VSphereProtocolError(`expected a number, got ${describe(v)}`);
}

/**
 * A boolean field as a boolean: booleans as is, `"true"`/`"1"` → true, `"false"`/`"0"` → false
 * (the xsd:boolean lexical forms), `undefined` kept.
 *
 * @throws {@link VSphereProtocolError} for anything else.
 */
export function asBoolean(v: VimValue | undefined): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new VSphereProtocolError(`expected a boolean, got ${describe(v)}`);
}

/**
 * A text field as a string: strings as is, numbers and booleans printed, dates as ISO 8601,
 * `undefined` kept.
 *
 * @throws {@link VSphereProtocolError} for objects, moRefs and arrays.
 */
export function asString(v: VimValue | undefined): string | undefined {
  if (v === undefined || typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  throw new VSphereProtocolError(`expected a string, got ${describe(v)}`);
}

/**
 * A moRef field as a {@link MoRef}, `undefined` kept.
 *
 * @throws {@link VSphereProtocolError} for anything else.
 */
export function asMoRef(v: VimValue | undefined): MoRef | undefined {
  if (v === undefined || isMoRef(v)) return v;
  throw new VSphereProtocolError(`expected a ManagedObjectReference, got ${describe(v)}`);
}

/**
 * A data-object field as a {@link VimObject}, `undefined` kept. An empty element (`""`) becomes `{}`.
 *
 * @throws {@link VSphereProtocolError} for anything else.
 */
export function asObject(v: VimValue | undefined): VimObject | undefined {
  if (v === undefined || isVimObject(v)) return v;
  if (v === '') return {};
  throw new VSphereProtocolError(`expected a data object, got ${describe(v)}`);
}

function describe(v: VimValue): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isMoRef(v)) return `the moRef ${v.type}:${v.value}`;
  if (v instanceof Date) return `the date ${v.toISOString()}`;
  if (isVimObject(v)) return `an object${v._type === undefined ? '' : ` of type ${v._type}`}`;
  return JSON.stringify(v);
}

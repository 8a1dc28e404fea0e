/**
 * PropertyCollector shapes: filter specs (what to read) as typed objects and their vim25 wire
 * form, and the decoded results of RetrievePropertiesEx and WaitForUpdatesEx.
 *
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.PropertyCollector.html
 */
import { VSphereProtocolError, type FaultInfo } from './errors.js';
import { faultInfoFromLocalized, type WireObject } from './soap-codec.js';
import {
  asArray,
  asBoolean,
  asMoRef,
  asObject,
  asString,
  isVimObject,
  type MoRef,
  type VimValue,
} from './values.js';

/**
 * Which properties to read from objects of one type.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.PropertyCollector.PropertySpec.html
 */
export interface PropertySpec {
  /** Managed object type, e.g. `VirtualMachine`. */
  type: string;
  /** Read every property (expensive); `pathSet` is then ignored. @default false */
  all?: boolean;
  /** Property paths, e.g. `name`, `runtime.powerState`, `config.hardware.device`. Empty: only the moRef. */
  pathSet?: readonly string[];
}

/** A reference, by name, to a {@link TraversalSpec} declared elsewhere in the same filter (recursion). */
export interface SelectionSpec {
  name: string;
}

/**
 * Follow property `path` of objects of `type` to more objects.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.PropertyCollector.TraversalSpec.html
 */
export interface TraversalSpec {
  /** Name for {@link SelectionSpec} references. */
  name?: string;
  type: string;
  path: string;
  /** Do not report the objects reached, only traverse them. @default false */
  skip?: boolean;
  selectSet?: readonly (SelectionSpec | TraversalSpec)[];
}

/** Where a filter starts. */
export interface ObjectSpec {
  obj: MoRef;
  /** Do not report the starting object itself. @default false */
  skip?: boolean;
  selectSet?: readonly (SelectionSpec | TraversalSpec)[];
}

/**
 * What a RetrievePropertiesEx call or a filter reads.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.PropertyCollector.FilterSpec.html
 */
export interface PropertyFilterSpec {
  propSet: readonly PropertySpec[];
  objectSet: readonly ObjectSpec[];
  /** Report objects that vanished during the call in `missingSet` instead of failing. */
  reportMissingObjectsInResults?: boolean;
}

/** A property that could not be read, with why (e.g. `InvalidProperty`, `NoPermission`, `NotAuthenticated`). */
export interface MissingProperty {
  path: string;
  fault: FaultInfo;
}

/** One object's properties: `props` maps each property path to its decoded value. */
export interface ObjectContent {
  obj: MoRef;
  props: Record<string, VimValue>;
  missing: MissingProperty[];
}

/** One page of RetrievePropertiesEx / ContinueRetrievePropertiesEx. */
export interface RetrieveResult {
  objects: ObjectContent[];
  /** Pass to ContinueRetrievePropertiesEx for the next page; undefined on the last one. */
  token: string | undefined;
}

/** How an object changed in a filter's view: it entered, was modified, or left. */
export const ObjectUpdateKind = { Enter: 'enter', Modify: 'modify', Leave: 'leave' } as const;
/** One of {@link ObjectUpdateKind}'s values. */
export type ObjectUpdateKind = (typeof ObjectUpdateKind)[keyof typeof ObjectUpdateKind];

/** How a property changed: `assign` replaces it, `add`/`remove`/`indirectRemove` edit a collection element. */
export const PropertyChangeOp = {
  Add: 'add',
  Remove: 'remove',
  Assign: 'assign',
  IndirectRemove: 'indirectRemove',
} as const;
/** One of {@link PropertyChangeOp}'s values. */
export type PropertyChangeOp = (typeof PropertyChangeOp)[keyof typeof PropertyChangeOp];

/** One property change; `val` is undefined for removals and for properties that became unset. */
export interface PropertyChange {
  name: string;
  op: PropertyChangeOp;
  val: VimValue | undefined;
}

/** One object's change. */
export interface ObjectUpdate {
  kind: ObjectUpdateKind;
  obj: MoRef;
  changeSet: PropertyChange[];
  missing: MissingProperty[];
}

/** A filter's changes; `missingObjects` lists objects of the filter's objectSet that do not exist. */
export interface PropertyFilterUpdate {
  filter: MoRef;
  objectSet: ObjectUpdate[];
  missingObjects: { obj: MoRef; fault: FaultInfo }[];
}

/**
 * The result of WaitForUpdatesEx. Pass `version` to the next call; `truncated` means more changes
 * are pending and the next call returns them at once.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vmodl.query.PropertyCollector.UpdateSet.html
 */
export interface UpdateSet {
  version: string;
  truncated: boolean;
  filterSet: PropertyFilterUpdate[];
}

// ---- to the wire ------------------------------------------------------------------------------

/** The vim25 form of a filter spec (`xsi:type` on every selectSet element, fields in WSDL order). */
export function filterSpecToWire(spec: PropertyFilterSpec): WireObject {
  return {
    propSet: spec.propSet.map((p) => ({ type: p.type, all: p.all, pathSet: p.pathSet })),
    objectSet: spec.objectSet.map((o) => ({
      obj: o.obj,
      skip: o.skip,
      selectSet: o.selectSet?.map(selectionToWire),
    })),
    reportMissingObjectsInResults: spec.reportMissingObjectsInResults,
  };
}

function selectionToWire(s: SelectionSpec | TraversalSpec): WireObject {
  if (!('path' in s)) return { _type: 'SelectionSpec', name: s.name };
  return {
    _type: 'TraversalSpec',
    name: s.name,
    type: s.type,
    path: s.path,
    skip: s.skip ?? false,
    selectSet: s.selectSet?.map(selectionToWire),
  };
}

// ---- from the wire ----------------------------------------------------------------------------

/** Decodes a RetrieveResult (`returnval` of RetrievePropertiesEx); undefined (no objects) → empty page. */
export function decodeRetrieveResult(v: VimValue | undefined): RetrieveResult {
  const r = asObject(v) ?? {};
  return { objects: asArray(r.objects).map(decodeObjectContent), token: asString(r.token) || undefined };
}

function decodeObjectContent(v: VimValue): ObjectContent {
  const o = asObject(v) ?? {};
  const props: Record<string, VimValue> = {};
  for (const p of asArray(o.propSet)) {
    const dp = asObject(p) ?? {};
    const name = asString(dp.name);
    if (name !== undefined && dp.val !== undefined) props[name] = dp.val;
  }
  return { obj: requireMoRef(o.obj), props, missing: asArray(o.missingSet).map(decodeMissingProperty) };
}

function decodeMissingProperty(v: VimValue): MissingProperty {
  const m = asObject(v) ?? {};
  return { path: asString(m.path) ?? '', fault: faultInfoFromLocalized(m.fault) };
}

/** Decodes an UpdateSet (`returnval` of WaitForUpdatesEx); undefined (timed out, no changes) → null. */
export function decodeUpdateSet(v: VimValue | undefined): UpdateSet | null {
  if (v === undefined || v === '') return null;
  const u = asObject(v) ?? {};
  return {
    version: asString(u.version) ?? '',
    truncated: asBoolean(u.truncated) ?? false,
    filterSet: asArray(u.filterSet).map(decodeFilterUpdate),
  };
}

function decodeFilterUpdate(v: VimValue): PropertyFilterUpdate {
  const f = asObject(v) ?? {};
  return {
    filter: requireMoRef(f.filter),
    objectSet: asArray(f.objectSet).map(decodeObjectUpdate),
    missingObjects: asArray(f.missingSet).map((m) => {
      const mo = asObject(m) ?? {};
      return { obj: requireMoRef(mo.obj), fault: faultInfoFromLocalized(mo.fault) };
    }),
  };
}

function decodeObjectUpdate(v: VimValue): ObjectUpdate {
  const o = asObject(v) ?? {};
  return {
    kind: oneOf(asString(o.kind), Object.values(ObjectUpdateKind), 'ObjectUpdate.kind'),
    obj: requireMoRef(o.obj),
    changeSet: asArray(o.changeSet).map((c) => {
      const pc = isVimObject(c) ? c : {};
      return {
        name: asString(pc.name) ?? '',
        op: oneOf(asString(pc.op), Object.values(PropertyChangeOp), 'PropertyChange.op'),
        val: pc.val,
      };
    }),
    missing: asArray(o.missingSet).map(decodeMissingProperty),
  };
}

function requireMoRef(v: VimValue | undefined): MoRef {
  const ref = asMoRef(v);
  if (!ref) throw new VSphereProtocolError('a property collector result without its object reference');
  return ref;
}

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], what: string): T {
  if (v !== undefined && (allowed as readonly string[]).includes(v)) return v as T;
  throw new VSphereProtocolError(
    `unexpected ${what} ${JSON.stringify(v)}; expected one of ${allowed.join(', ')}`,
  );
}

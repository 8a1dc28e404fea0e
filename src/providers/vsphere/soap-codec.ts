/**
 * vim25 SOAP envelopes: requests from plain values, responses and faults into {@link VimValue}s.
 * No WSDL: request values carry `_type` where vim25 needs an `xsi:type` (polymorphic fields such as
 * a TraversalSpec inside `selectSet`), and responses decode by what the XML itself says.
 *
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/
 */
import XMLBuilder from 'fast-xml-builder';
import { XMLParser } from 'fast-xml-parser';
import { VSphereProtocolError, type FaultInfo } from './errors.js';
import { isMoRef, isVimObject, type MoRef, type VimObject, type VimValue } from './values.js';

/**
 * A request value. Objects with exactly `type` and `value` are moRefs (`<x type="T">v</x>`); other
 * objects are data objects whose `_type`, when set, becomes `xsi:type`; their fields are written in
 * insertion order, which must be the WSDL's order; arrays repeat the element; `undefined` and
 * `null` omit it; dates are written as ISO 8601.
 */
export type WireValue =
  string | number | boolean | Date | MoRef | WireObject | readonly WireValue[] | null | undefined;

/** A data object in a request; see {@link WireValue}. */
export interface WireObject {
  readonly _type?: string;
  readonly [field: string]: WireValue;
}

/** A decoded response: the method's `returnval` (undefined for void methods), or a fault. */
export type SoapResult =
  | { readonly kind: 'ok'; readonly value: VimValue | undefined }
  | { readonly kind: 'fault'; readonly fault: FaultInfo };

const soapenvNs = 'http://schemas.xmlsoap.org/soap/envelope/';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
  format: false,
});

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false, // decoded by decodeEntities: one pass, numeric references too, no DOCTYPE entities
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/**
 * The SOAP envelope for one vim25 method call.
 *
 * @param method vim25 method name, e.g. `RetrievePropertiesEx`.
 * @param thisRef the managed object the method is called on (`_this`).
 * @param params the method's parameters, in WSDL order.
 * @returns the XML text, with an XML declaration.
 */
export function encodeRequest(method: string, thisRef: MoRef, params: WireObject = {}): string {
  const call: Record<string, unknown> = { '@_xmlns': 'urn:vim25', _this: toNode(thisRef) };
  for (const [name, value] of Object.entries(params)) {
    const node = toNode(value);
    if (node !== undefined) call[name] = node;
  }
  const envelope = {
    'soapenv:Envelope': {
      '@_xmlns:soapenv': soapenvNs,
      '@_xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
      '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'soapenv:Body': { [method]: call },
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(envelope)}`;
}

function toNode(v: WireValue): unknown {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return (v as readonly WireValue[]).map(toNode).filter((n) => n !== undefined);
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'object') return String(v);
  if (isMoRef(v)) return { '@_type': v.type, '#text': v.value };
  const out: Record<string, unknown> = {};
  const o = v as WireObject;
  if (o._type) out['@_xsi:type'] = o._type;
  for (const [name, field] of Object.entries(o)) {
    if (name === '_type') continue;
    const node = toNode(field);
    if (node !== undefined) out[name] = node;
  }
  return out;
}

/**
 * Decodes a SOAP response envelope.
 *
 * @returns the `returnval` of the `…Response` element, decoded (an array when it repeats), or the fault.
 * @throws {@link VSphereProtocolError} when the text is not a SOAP envelope.
 */
export function decodeResponse(xml: string): SoapResult {
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (e: unknown) {
    throw new VSphereProtocolError(
      `malformed XML in the SOAP response: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const body = child(child(doc, 'Envelope'), 'Body');
  if (body === undefined)
    throw new VSphereProtocolError('the response is not a SOAP envelope (no Envelope/Body)');
  const fault = child(body, 'Fault');
  if (fault !== undefined) return { kind: 'fault', fault: decodeFault(fault) };
  const response = firstChild(body);
  const returnval = response === undefined ? undefined : child(response[1], 'returnval', true);
  return { kind: 'ok', value: returnval === undefined ? undefined : decodeRepeated(returnval) };
}

/**
 * The fault inside a SOAP `Fault` element: name from the detail's `xsi:type` (or its element name
 * less `Fault`, or `faultcode`), message from `faultstring`.
 */
function decodeFault(fault: unknown): FaultInfo {
  const message = textOf(child(fault, 'faultstring'));
  const first = firstChild(child(fault, 'detail'));
  if (first === undefined) {
    const code = textOf(child(fault, 'faultcode'));
    return { faultName: localName(code) || 'SoapFault', message };
  }
  const [element, node] = first;
  const decoded = decodeNode(node);
  const detail = isVimObject(decoded) ? decoded : undefined;
  const faultType = detail?._type;
  const faultName = faultType ?? element.replace(/Fault$/, '');
  return { faultName, message, faultType, detail: detail ? withoutType(detail) : undefined };
}

/**
 * The fault inside a decoded `LocalizedMethodFault` (a task's `info.error`, a missingSet entry's
 * `fault`): `{ fault: { _type: 'InvalidPowerState', … }, localizedMessage: '…' }`.
 *
 * @throws {@link VSphereProtocolError} when `value` has no `fault` object.
 */
export function faultInfoFromLocalized(value: VimValue | undefined): FaultInfo {
  const lmf = isVimObject(value) ? value : undefined;
  const inner = lmf?.fault;
  if (!isVimObject(inner) && inner !== '')
    throw new VSphereProtocolError('a LocalizedMethodFault without a fault');
  const fault = isVimObject(inner) ? inner : {};
  const localized = typeof lmf?.localizedMessage === 'string' ? lmf.localizedMessage : '';
  const faultMessage =
    isVimObject(fault.faultMessage) && typeof fault.faultMessage.message === 'string'
      ? fault.faultMessage.message
      : '';
  return {
    faultName: fault._type ?? 'MethodFault',
    message: localized || faultMessage,
    faultType: fault._type,
    detail: withoutType(fault),
  };
}

function withoutType(o: VimObject): Record<string, unknown> {
  const { _type: _ignored, ...rest } = o;
  return rest;
}

// ---- generic decoding -------------------------------------------------------------------------

const xsdNumbers = new Set([
  'int',
  'long',
  'short',
  'byte',
  'integer',
  'unsignedInt',
  'unsignedLong',
  'unsignedShort',
  'unsignedByte',
  'float',
  'double',
  'decimal',
]);
const xsdTypes = new Set([
  ...xsdNumbers,
  'boolean',
  'dateTime',
  'string',
  'anyURI',
  'base64Binary',
  'anyType',
]);

/** Decodes one element as parsed by fast-xml-parser (a string, or an object of attributes/children). */
function decodeNode(node: unknown, defaultXsd?: string): VimValue {
  if (typeof node !== 'object' || node === null) {
    const text = decodeEntities(typeof node === 'string' ? node : '');
    return defaultXsd ? decodePrimitive(defaultXsd, text) : text;
  }
  const { xsiType, moType, text, children } = splitNode(node as Record<string, unknown>);
  if (xsiType !== undefined) {
    const [prefix, type] = splitQName(xsiType);
    if (prefix !== undefined && xsdTypes.has(type)) return decodePrimitive(type, text);
    if (type === 'ManagedObjectReference') return { type: moType ?? '', value: text };
    if (type.startsWith('ArrayOf')) return decodeArray(children, type.slice('ArrayOf'.length));
    // an enum value (`<val xsi:type="VirtualMachinePowerState">poweredOn</val>`) is text without children
    if (children.length === 0 && text !== '') return text;
    return decodeObject(children, type);
  }
  if (moType !== undefined && children.length === 0) return { type: moType, value: text };
  if (children.length > 0) return decodeObject(children);
  return defaultXsd ? decodePrimitive(defaultXsd, text) : text;
}

interface SplitNode {
  xsiType: string | undefined;
  moType: string | undefined;
  text: string;
  children: [string, unknown][];
}

function splitNode(o: Record<string, unknown>): SplitNode {
  const out: SplitNode = { xsiType: undefined, moType: undefined, text: '', children: [] };
  for (const [key, value] of Object.entries(o)) {
    if (key === '#text') out.text = decodeEntities(typeof value === 'string' ? value : '');
    else if (key.startsWith('@_')) {
      const attr = key.slice(2);
      if (attr === 'type') out.moType = decodeEntities(String(value));
      // any prefixed `type` attribute is xsi:type, whatever the prefix (Go's encoder writes `_XMLSchema-instance:type`)
      else if (attr.endsWith(':type') && !attr.startsWith('xmlns')) out.xsiType = String(value);
    } else out.children.push([localName(key), value]);
  }
  return out;
}

function decodeRepeated(node: unknown, defaultXsd?: string): VimValue {
  return Array.isArray(node)
    ? node.map((n: unknown) => decodeNode(n, defaultXsd))
    : decodeNode(node, defaultXsd);
}

/** `ArrayOfX`: every child element is an item; `ArrayOfInt` etc. decode untyped items as that primitive. */
function decodeArray(children: [string, unknown][], itemType: string): VimValue[] {
  const primitive = itemType.charAt(0).toLowerCase() + itemType.slice(1);
  const defaultXsd = xsdTypes.has(primitive) ? primitive : undefined;
  const items: VimValue[] = [];
  for (const [, value] of children) {
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value])
      items.push(decodeNode(item, defaultXsd));
  }
  return items;
}

function decodeObject(children: [string, unknown][], type?: string): VimObject {
  const out: Record<string, VimValue> = {};
  if (type !== undefined) out._type = type;
  for (const [name, value] of children) out[name] = decodeRepeated(value);
  return out;
}

function decodePrimitive(type: string, text: string): VimValue {
  if (xsdNumbers.has(type)) {
    const n = Number(text);
    return text.trim() === '' || Number.isNaN(n) ? text : n;
  }
  if (type === 'boolean') return text === 'true' || text === '1';
  if (type === 'dateTime') {
    const d = new Date(text.replace(/(\.\d{3})\d+/, '$1')); // Go sends nanoseconds
    return Number.isNaN(d.getTime()) ? text : d;
  }
  return text;
}

// ---- XML helpers ------------------------------------------------------------------------------

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

function splitQName(qname: string): [string | undefined, string] {
  const i = qname.indexOf(':');
  return i < 0 ? [undefined, qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

/** The child element named `name` (any prefix) or, with `all`, the array of them when it repeats; undefined if none. */
function child(node: unknown, name: string, all = false): unknown {
  if (typeof node !== 'object' || node === null) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (!key.startsWith('@_') && key !== '#text' && localName(key) === name)
      return Array.isArray(value) && !all ? value[0] : value;
  }
  return undefined;
}

function firstChild(node: unknown): [string, unknown] | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (!key.startsWith('@_') && key !== '#text')
      return [localName(key), Array.isArray(value) ? value[0] : value];
  }
  return undefined;
}

function textOf(node: unknown): string {
  if (typeof node === 'string') return decodeEntities(node);
  if (typeof node === 'object' && node !== null && '#text' in node)
    return decodeEntities(String(node['#text']));
  return '';
}

const named: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replaces XML's five named entities and numeric character references, in one pass. */
function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(
    /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g,
    (whole, hex?: string, dec?: string, name?: string) => {
      if (name) return named[name] ?? whole;
      const code = hex ? parseInt(hex, 16) : parseInt(dec ?? '', 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

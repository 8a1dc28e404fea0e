import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { VSphereProtocolError } from './errors.js';
import { filterSpecToWire } from './property-collector.js';
import { decodeResponse, encodeRequest, faultInfoFromLocalized, type SoapResult } from './soap-codec.js';
import { inventoryFilterSpec } from './traversal.js';
import { asArray, asString, isVimObject, type VimObject, type VimValue } from './values.js';

/** A response recorded from vcsim by testdata/capture.sh. */
const fixture = (name: string): string =>
  readFileSync(new URL(`./testdata/${name}.xml`, import.meta.url), 'utf8');

const envelope = (body: string): string =>
  `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
  `xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
  `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

function ok(result: SoapResult): VimValue | undefined {
  if (result.kind !== 'ok') throw new Error(`expected a result, got fault ${result.fault.faultName}`);
  return result.value;
}

function obj(v: VimValue | undefined): VimObject {
  if (!isVimObject(v)) throw new Error(`not an object: ${JSON.stringify(v)}`);
  return v;
}

/** propSet of the first ObjectContent as name → val. */
function props(returnval: VimValue | undefined): Record<string, VimValue | undefined> {
  const first = asArray(obj(returnval).objects)[0];
  return Object.fromEntries(
    asArray(obj(first).propSet).map((p) => [asString(obj(p).name) ?? '', obj(p).val]),
  );
}

describe('encodeRequest', () => {
  it('writes a vim25 envelope with _this as a moRef and escaped text', () => {
    const xml = encodeRequest(
      'Login',
      { type: 'SessionManager', value: 'SessionManager' },
      { userName: 'u', password: `p&s<s>"'`, locale: undefined },
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>' +
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        '<soapenv:Body><Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>' +
        '<userName>u</userName><password>p&amp;s&lt;s&gt;&quot;&apos;</password></Login></soapenv:Body></soapenv:Envelope>',
    );
  });

  it('writes xsi:type on selectSet elements, repeats arrays, keeps field order', () => {
    const spec = inventoryFilterSpec({ type: 'Folder', value: 'group-d1' }, [
      { type: 'VirtualMachine', pathSet: ['name', 'runtime.powerState'] },
    ]);
    const xml = encodeRequest(
      'RetrievePropertiesEx',
      { type: 'PropertyCollector', value: 'propertyCollector' },
      {
        specSet: [filterSpecToWire(spec)],
        options: { maxObjects: 5 },
      },
    );
    expect(xml).toContain(
      '<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>runtime.powerState</pathSet></propSet>' +
        '<objectSet><obj type="Folder">group-d1</obj><skip>false</skip>' +
        '<selectSet xsi:type="TraversalSpec"><name>folderToChildEntity</name><type>Folder</type><path>childEntity</path><skip>false</skip>' +
        '<selectSet xsi:type="SelectionSpec"><name>folderToChildEntity</name></selectSet>',
    );
    expect(xml).toContain('<options><maxObjects>5</maxObjects></options>');
  });

  it('writes dates as ISO 8601, booleans and numbers as text, and empty objects as empty elements', () => {
    const xml = encodeRequest(
      'X',
      { type: 'T', value: 'v' },
      { at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), flag: true, n: 42, none: null, options: {} },
    );
    expect(xml).toContain(
      '<at>2024-01-02T03:04:05.000Z</at><flag>true</flag><n>42</n><options></options></X>',
    );
  });

  it('is well-formed XML', () => {
    const xml = encodeRequest(
      'CreateFilter',
      { type: 'PropertyCollector', value: 'session[1]2' },
      {
        spec: filterSpecToWire(inventoryFilterSpec({ type: 'Folder', value: 'group-d1' }, [])),
        partialUpdates: false,
      },
    );
    const doc: unknown = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(doc).toMatchObject({
      'soapenv:Envelope': {
        'soapenv:Body': {
          CreateFilter: {
            _this: { '#text': 'session[1]2', '@_type': 'PropertyCollector' },
            spec: { objectSet: { obj: { '#text': 'group-d1', '@_type': 'Folder' } } },
            partialUpdates: false,
          },
        },
      },
    });
  });
});

describe('decodeResponse on vcsim replies', () => {
  it('RetrieveServiceContent: moRefs as {type, value}, about as strings', () => {
    const sc = obj(ok(decodeResponse(fixture('retrieve-service-content'))));
    expect(sc.rootFolder).toEqual({ type: 'Folder', value: 'group-d1' });
    expect(sc.propertyCollector).toEqual({ type: 'PropertyCollector', value: 'propertyCollector' });
    expect(obj(sc.about).apiVersion).toBe('6.5');
    expect(obj(sc.about).apiType).toBe('VirtualCenter');
  });

  it('RetrievePropertiesEx of a VM: typed leaves, arrays, data objects with _type', () => {
    const result = obj(ok(decodeResponse(fixture('retrieve-vm-properties'))));
    expect(typeof result.token).toBe('string');
    const p = props(result);
    expect(p.name).toBe('DC0_H0_VM0');
    expect(p['runtime.powerState']).toBe('poweredOn'); // an enum with xsi:type decodes as its text
    expect(p['config.hardware.numCPU']).toBe(1); // xsd:int
    const devices = p['config.hardware.device'] as VimObject[];
    expect(Array.isArray(devices)).toBe(true);
    const disk = devices.find((d) => d._type === 'VirtualDisk');
    expect(disk).toMatchObject({
      key: '204', // no xsi:type on a data object's field: a string, read it with asNumber
      capacityInBytes: '10737418240',
      backing: {
        _type: 'VirtualDiskFlatVer2BackingInfo',
        fileName: '[LocalDS_0] DC0_H0_VM0/disk1.vmdk',
        datastore: { type: 'Datastore', value: 'datastore-59' },
      },
    });
    expect(devices.find((d) => d._type === 'VirtualPCIController')?.device).toEqual(['500', '12000']);
    expect(p['guest.net']).toEqual([
      { macAddress: '00:0c:29:63:65:61', connected: 'true', deviceConfigId: '4000' },
    ]);
    expect(p['config.extraConfig']).toEqual([{ _type: 'OptionValue', key: 'govcsim', value: 'TRUE' }]);
    expect(p.datastore).toEqual([{ type: 'Datastore', value: 'datastore-59' }]);
  });

  it('a void method has no value; an absent returnval is undefined', () => {
    expect(decodeResponse(fixture('logout'))).toEqual({ kind: 'ok', value: undefined });
    expect(decodeResponse(fixture('wait-for-updates-none'))).toEqual({ kind: 'ok', value: undefined });
  });

  it('untyped returnval stays a string', () => {
    expect(ok(decodeResponse(fixture('current-time')))).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(ok(decodeResponse(fixture('create-filter')))).toMatchObject({ type: 'PropertyFilter' });
  });
});

describe('decodeResponse of faults', () => {
  it.each([
    ['fault-invalid-login', 'InvalidLogin', 'Login failure', {}],
    [
      'fault-not-authenticated',
      'NotAuthenticated',
      '',
      { object: { type: 'ServiceInstance', value: 'ServiceInstance' }, privilegeId: 'System.View' },
    ],
    [
      'fault-managed-object-not-found',
      'ManagedObjectNotFound',
      'managed object not found: VirtualMachine:vm-404',
      { obj: { type: 'VirtualMachine', value: 'vm-404' } },
    ],
  ])('%s → %s', (name, faultName, message, detail) => {
    expect(decodeResponse(fixture(name))).toEqual({
      kind: 'fault',
      fault: { faultName, faultType: faultName, message, detail },
    });
  });

  it('names a fault without detail by its faultcode', () => {
    const xml = envelope(
      '<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>bad request</faultstring></soapenv:Fault>',
    );
    expect(decodeResponse(xml)).toEqual({
      kind: 'fault',
      fault: { faultName: 'Client', message: 'bad request' },
    });
  });

  it('takes the name from the element when the detail has no xsi:type', () => {
    const xml = envelope(
      '<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>x</faultstring><detail><RequestCanceledFault xmlns="urn:vim25"/></detail></soapenv:Fault>',
    );
    const r = decodeResponse(xml);
    expect(r.kind === 'fault' && r.fault.faultName).toBe('RequestCanceled');
  });

  it("decodes a task's LocalizedMethodFault", () => {
    const p = props(ok(decodeResponse(fixture('task-info-error'))));
    expect(p['info.state']).toBe('error');
    expect(faultInfoFromLocalized(p['info.error'])).toEqual({
      faultName: 'InvalidPowerState',
      faultType: 'InvalidPowerState',
      message: '*types.InvalidPowerState',
      detail: { requestedState: 'poweredOn', existingState: 'poweredOn' },
    });
  });
});

describe('decoding by xsi:type', () => {
  const val = (inner: string): VimValue | undefined =>
    ok(decodeResponse(envelope(`<XResponse xmlns="urn:vim25"><returnval ${inner}</returnval></XResponse>`)));

  it.each([
    ['xsi:type="xsd:int">42', 42],
    ['xsi:type="xsd:long">10737418240', 10737418240],
    ['xsi:type="xsd:short">-1', -1],
    ['xsi:type="xsd:boolean">true', true],
    ['xsi:type="xsd:boolean">0', false],
    ['xsi:type="xsd:string">007', '007'],
    ['xsi:type="xsd:dateTime">2026-11-21T20:55:34.440595447Z', new Date('2026-11-21T20:55:34.440Z')],
    ['xsi:type="ArrayOfInt"><int>1</int><int>2</int>', [1, 2]],
    ['xsi:type="ArrayOfString"><string>only</string>', ['only']],
    ['xsi:type="ArrayOfBoolean"><boolean>true</boolean>', [true]],
    [
      'xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="HostSystem">host-1</ManagedObjectReference>',
      [{ type: 'HostSystem', value: 'host-1' }],
    ],
    [
      'xsi:type="ArrayOfAnyType"><anyType xsi:type="xsd:int">3</anyType><anyType xsi:type="xsd:string">x</anyType>',
      [3, 'x'],
    ],
    [
      'type="VirtualMachine" xsi:type="ManagedObjectReference">vm-1',
      { type: 'VirtualMachine', value: 'vm-1' },
    ],
    ['xsi:type="InvalidLogin">', { _type: 'InvalidLogin' }],
    ['>&lt;a&gt; &amp;amp; &#x41;&#66;&#10;', '<a> &amp; AB\n'],
    ['>  keeps spaces  ', '  keeps spaces  '],
  ])('<returnval %s…> decodes as expected', (inner, expected) => {
    expect(val(inner)).toEqual(expected);
  });

  it('repeated returnval elements become an array', () => {
    const xml = envelope(
      '<XResponse xmlns="urn:vim25"><returnval type="Task">task-1</returnval><returnval type="Task">task-2</returnval></XResponse>',
    );
    expect(ok(decodeResponse(xml))).toEqual([
      { type: 'Task', value: 'task-1' },
      { type: 'Task', value: 'task-2' },
    ]);
  });

  it('honours any prefix for xsi:type (Go writes _XMLSchema-instance:type)', () => {
    const xml = envelope(
      '<XResponse xmlns="urn:vim25"><returnval xmlns:q="http://www.w3.org/2001/XMLSchema-instance" q:type="xsd:int">7</returnval></XResponse>',
    );
    expect(ok(decodeResponse(xml))).toBe(7);
  });
});

describe('malformed replies', () => {
  it.each([
    ['not XML at all <', /malformed XML|not a SOAP envelope/],
    ['<html><body>Service Unavailable</body></html>', /not a SOAP envelope/],
    ['<a><b></a>', /malformed XML|not a SOAP envelope/],
  ])('%s → VSphereProtocolError', (text, message) => {
    expect(() => decodeResponse(text)).toThrow(VSphereProtocolError);
    expect(() => decodeResponse(text)).toThrow(message);
  });
});

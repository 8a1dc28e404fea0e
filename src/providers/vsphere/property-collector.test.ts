import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeServiceContent } from './client.js';
import { decodeRetrieveResult, decodeUpdateSet, filterSpecToWire } from './property-collector.js';
import { decodeResponse } from './soap-codec.js';
import { asArray, asNumber, type VimValue } from './values.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./testdata/${name}.xml`, import.meta.url), 'utf8');

function returnval(name: string): VimValue | undefined {
  const r = decodeResponse(fixture(name));
  if (r.kind !== 'ok') throw new Error(`fixture ${name} is a fault`);
  return r.value;
}

describe('decodeServiceContent', () => {
  it('picks the entry points and the API version', () => {
    const sc = decodeServiceContent(returnval('retrieve-service-content'));
    expect(sc.rootFolder).toEqual({ type: 'Folder', value: 'group-d1' });
    expect(sc.sessionManager).toEqual({ type: 'SessionManager', value: 'SessionManager' });
    expect(sc.viewManager).toEqual({ type: 'ViewManager', value: 'ViewManager' });
    expect(sc.about).toMatchObject({
      name: 'VMware vCenter Server',
      apiType: 'VirtualCenter',
      apiVersion: '6.5',
      version: '6.5.0',
    });
  });
});

describe('decodeRetrieveResult', () => {
  it('maps propSet to props by path and keeps the paging token', () => {
    const page = decodeRetrieveResult(returnval('retrieve-vm-properties'));
    expect(page.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(page.objects).toHaveLength(1);
    const [vm] = page.objects;
    expect(vm?.obj).toEqual({ type: 'VirtualMachine', value: 'vm-62' });
    expect(vm?.props.name).toBe('DC0_H0_VM0');
    expect(vm?.props['config.hardware.numCPU']).toBe(1);
    const disks = asArray(vm?.props['config.hardware.device']).filter(
      (d) => (d as { _type?: string })._type === 'VirtualDisk',
    );
    expect(disks.map((d) => asNumber((d as { key?: VimValue }).key))).toEqual([204]);
    expect(vm?.missing).toEqual([]);
  });

  it('reports unreadable properties with their fault', () => {
    const page = decodeRetrieveResult(returnval('fault-invalid-property'));
    expect(page.token).toBeUndefined();
    expect(page.objects.length).toBeGreaterThan(0);
    for (const o of page.objects) {
      expect(o.props).toEqual({});
      expect(o.missing).toEqual([
        {
          path: 'no.such.property',
          fault: {
            faultName: 'InvalidProperty',
            faultType: 'InvalidProperty',
            message: '',
            detail: { name: 'no.such.property' },
          },
        },
      ]);
    }
  });

  it('sees NotAuthenticated reported per property (vcsim without a session)', () => {
    const page = decodeRetrieveResult(returnval('retrieve-not-authenticated'));
    expect(page.objects[0]?.missing[0]?.fault.faultName).toBe('NotAuthenticated');
  });

  it('an empty reply is an empty last page', () => {
    expect(decodeRetrieveResult(undefined)).toEqual({ objects: [], token: undefined });
  });
});

describe('decodeUpdateSet', () => {
  it('decodes the initial full set with kinds, changes and truncation', () => {
    const set = decodeUpdateSet(returnval('wait-for-updates-initial'));
    expect(set?.version).toBe('-');
    expect(set?.truncated).toBe(true);
    expect(set?.filterSet).toHaveLength(1);
    const updates = set?.filterSet[0]?.objectSet ?? [];
    expect(updates).toHaveLength(2);
    expect(updates[0]).toEqual({
      kind: 'enter',
      obj: { type: 'VirtualMachine', value: 'vm-62' },
      changeSet: [
        { name: 'name', op: 'assign', val: 'DC0_H0_VM0' },
        { name: 'runtime.powerState', op: 'assign', val: 'poweredOn' },
      ],
      missing: [],
    });
  });

  it('the rest of a truncated set', () => {
    const set = decodeUpdateSet(returnval('wait-for-updates-rest'));
    // vcsim still says truncated on the last page; its next reply is a filter update without objects
    expect(set?.truncated).toBe(true);
    expect(set?.filterSet[0]?.objectSet.map((o) => o.obj.value)).toEqual(['vm-68', 'vm-71']);
  });

  it('a filter without changes, and no reply at all (timeout) → null', () => {
    expect(decodeUpdateSet(returnval('wait-for-updates-empty'))?.filterSet[0]?.objectSet).toEqual([]);
    expect(decodeUpdateSet(returnval('wait-for-updates-none'))).toBeNull();
  });
});

describe('filterSpecToWire', () => {
  it('types each selectSet element and defaults skip to false', () => {
    const wire = filterSpecToWire({
      propSet: [{ type: 'VirtualMachine', pathSet: ['name'] }],
      objectSet: [
        {
          obj: { type: 'ContainerView', value: 'session[x]y' },
          skip: true,
          selectSet: [{ type: 'ContainerView', path: 'view' }, { name: 'again' }],
        },
      ],
    });
    expect(wire).toEqual({
      propSet: [{ type: 'VirtualMachine', all: undefined, pathSet: ['name'] }],
      objectSet: [
        {
          obj: { type: 'ContainerView', value: 'session[x]y' },
          skip: true,
          selectSet: [
            {
              _type: 'TraversalSpec',
              name: undefined,
              type: 'ContainerView',
              path: 'view',
              skip: false,
              selectSet: undefined,
            },
            { _type: 'SelectionSpec', name: 'again' },
          ],
        },
      ],
      reportMissingObjectsInResults: undefined,
    });
  });
});

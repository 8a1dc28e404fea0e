import { describe, expect, it } from 'vitest';
import type { SelectionSpec, TraversalSpec } from './property-collector.js';
import { containerViewFilterSpec, inventoryFilterSpec, inventoryTraversal } from './traversal.js';

function references(specs: readonly (SelectionSpec | TraversalSpec)[]): string[] {
  return specs.flatMap((s) => ('path' in s ? references(s.selectSet ?? []) : [s.name]));
}

describe('inventoryTraversal', () => {
  const specs = inventoryTraversal();
  const names = specs.map((s) => s.name);

  it('has unique names, and every reference names one of them', () => {
    expect(new Set(names).size).toBe(names.length);
    for (const name of references(specs)) expect(names).toContain(name);
  });

  it('covers the containment graph', () => {
    const hops = specs.map((s) => `${s.type}.${s.path}`);
    expect(hops).toEqual(
      expect.arrayContaining([
        'Folder.childEntity',
        'Datacenter.vmFolder',
        'Datacenter.hostFolder',
        'Datacenter.datastoreFolder',
        'Datacenter.networkFolder',
        'ComputeResource.host',
        'ComputeResource.resourcePool',
        'ComputeResource.datastore',
        'ComputeResource.network',
        'ResourcePool.resourcePool',
        'ResourcePool.vm',
        'VirtualApp.vm',
        'HostSystem.vm',
      ]),
    );
    // every hop is reachable from the root folder's spec
    const reached = new Set<string>(['folderToChildEntity']);
    for (let grew = true; grew;) {
      const before = reached.size;
      for (const s of specs)
        if (s.name && reached.has(s.name)) for (const r of references(s.selectSet ?? [])) reached.add(r);
      grew = reached.size > before;
    }
    expect([...reached].sort()).toEqual([...names].sort());
  });
});

describe('filter specs', () => {
  const root = { type: 'Folder', value: 'group-d1' };
  const propSet = [{ type: 'VirtualMachine', pathSet: ['name'] }];

  it('inventoryFilterSpec starts at the root with every traversal', () => {
    expect(inventoryFilterSpec(root, propSet)).toEqual({
      propSet,
      objectSet: [{ obj: root, skip: false, selectSet: inventoryTraversal() }],
    });
  });

  it('containerViewFilterSpec follows ContainerView.view and skips the view', () => {
    const view = { type: 'ContainerView', value: 'session[a]b' };
    expect(containerViewFilterSpec(view, propSet).objectSet).toEqual([
      {
        obj: view,
        skip: true,
        selectSet: [{ name: 'viewToObjects', type: 'ContainerView', path: 'view', skip: false }],
      },
    ]);
  });
});

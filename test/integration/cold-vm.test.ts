/**
 * One VM's cold migration to the local target against vcsim: the VM's disk holds a real ext4
 * image; the copy must be byte-identical (sha256), the source powered off, the manifests valid
 * KubeVirt objects, and a second run must not copy again.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { Plan } from '../../src/api/index.js';
import { runColdVm, type ColdPhase } from '../../src/executor/cold-vm.js';
import { LocalTarget } from '../../src/executor/local-target.js';
import { InventoryDb } from '../../src/inventory/db.js';
import { indexesFor } from '../../src/inventory/indexes.js';
import { validateAgainst, type OpenApiDocument } from '../../src/planner/testing/openapi-schema.js';
import { vsphereAdapter } from '../../src/providers/vsphere/adapter.js';
import type { VM } from '../../src/providers/vsphere/model.js';
import {
  datastoreDirectory,
  ext4Image,
  placeFlatDisk,
  sha256File,
  type DiskImage,
} from '../support/disk-images.js';
import { startVcsim, vcsimConnection, vcsimClient, type Vcsim } from '../support/vcsim.js';
import { until } from '../support/wait.js';

let vc: Vcsim;
let vm: VM;
let image: DiskImage;
let home: string;
const schema = JSON.parse(
  readFileSync(new URL('../../../shared/schemas/kubevirt-openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;

beforeAll(async () => {
  vc = await startVcsim({ vmsPerHost: 1 });
  const connection = vcsimConnection(vc);
  const db = InventoryDb.open(':memory:', { indexes: indexesFor('vsphere') });
  const collector = vsphereAdapter.startCollector({
    connection,
    db,
    onStateChange: () => undefined,
    log: () => undefined,
  });
  await until('inventory parity', () => (collector.state.parity ? true : undefined));
  vm = db.list('VM', { name: 'DC0_H0_VM0' })[0] as unknown as VM;
  await collector.stop();
  home = mkdtempSync(path.join(tmpdir(), 'mtv-cold-'));
  image = await ext4Image(home, 'root', 32, 12);
  const disk = vm.disks[0];
  const [folder, file] = (disk?.file ?? '').replace(/^\[[^\]]+\] /, '').split('/');
  await placeFlatDisk(
    vc,
    await datastoreDirectory(vc),
    folder ?? '',
    (file ?? '').replace(/\.vmdk$/, ''),
    image,
  );
}, 600_000);

afterAll(async () => {
  await vc.stop();
});

function input(from?: ColdPhase, phases?: ColdPhase[]) {
  const plan: Plan = {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'Plan',
    metadata: { name: 'web', namespace: 'default', uid: '11111111-2222-3333-4444-555555555555' },
    spec: {
      provider: {
        source: { name: 'vc', namespace: 'default' },
        destination: { name: 'host', namespace: 'default' },
      },
      map: { network: { name: 'n' }, storage: { name: 's' } },
      targetNamespace: 'apps',
      vms: [{ id: vm.id, name: vm.name }],
    },
  };
  return {
    connection: vcsimConnection(vc),
    vm,
    datacenterPath: 'DC0',
    plan,
    planVM: { id: vm.id, name: vm.name },
    networks: Object.fromEntries(vm.nics.map((n) => [n.network.id, { type: 'pod' as const }])),
    storage: Object.fromEntries(vm.disks.map((d) => [d.datastore.id, { storageClass: 'standard' }])),
    target: new LocalTarget(home, 'apps'),
    ...(from ? { from, restorePowerState: 'On' } : {}),
    onPhase: (p: ColdPhase) => {
      phases?.push(p);
    },
  };
}

describe('local cold migration of one VM (vcsim, real disk content)', () => {
  it('powers the source off, copies the disk byte for byte, and writes valid KubeVirt manifests', async () => {
    const phases: ColdPhase[] = [];
    const r = await runColdVm(input(undefined, phases));
    expect(phases).toEqual([
      'StorePowerState',
      'PowerOffSource',
      'WaitForPowerOff',
      'CreateDataVolumes',
      'CopyDisks',
      'CreateVM',
      'Completed',
    ]);
    expect(r.restorePowerState).toBe('On');
    expect(r.disks).toHaveLength(1);
    expect(r.disks[0]?.sha256).toBe(image.sha256);
    expect(await sha256File(r.disks[0]?.path ?? '')).toBe(image.sha256);
    const client = await vcsimClient(vc);
    expect((await client.vmPowerState({ type: 'VirtualMachine', value: vm.id })).powerState).toBe(
      'poweredOff',
    );
    await client.close();
    const docs = YAML.parseAllDocuments(readFileSync(r.vmLocation, 'utf8')).map(
      (d) => d.toJSON() as Record<string, unknown>,
    );
    expect(docs.map((d) => d.kind)).toEqual(['PersistentVolumeClaim', 'VirtualMachine']);
    expect(validateAgainst(schema, 'v1.VirtualMachine', docs[1])).toEqual([]);
    const vmDoc = docs[1] as {
      metadata: { name: string; namespace: string };
      spec: { template: { spec: { volumes: { persistentVolumeClaim?: { claimName: string } }[] } } };
    };
    expect(vmDoc.metadata).toMatchObject({ name: 'dc0-h0-vm0', namespace: 'apps' });
    expect(vmDoc.spec.template.spec.volumes[0]?.persistentVolumeClaim?.claimName).toBe(r.disks[0]?.claim);
  });

  it('resuming at CopyDisks does not copy a finished disk again', async () => {
    const phases: ColdPhase[] = [];
    const r = await runColdVm(input('CopyDisks', phases));
    expect(phases).toEqual(['CopyDisks', 'CreateVM', 'Completed']);
    expect(r.disks[0]?.resumedFrom).toBe(r.disks[0]?.bytes);
    expect(r.disks[0]?.sha256).toBe(image.sha256);
  });
});

/**
 * README's main job as a test, in both modes: register vcsim (VMs with two disks holding ext4
 * images and two NICs) and a target, query the inventory, create mappings and a plan, start it,
 * watch it to Succeeded, and check each disk's migrated sha256 against its source and each
 * generated VirtualMachine against KubeVirt's OpenAPI definitions. Local mode writes manifests
 * under $MTV_HOME; cluster mode creates PVCs and VirtualMachines in the real API server (the
 * controller copies in-process: the test control plane runs no pods).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import { Resources, type Plan } from '../../src/api/index.js';
import { TransferResultAnnotation } from '../../src/executor/kube-target.js';
import type { PersistentVolumeClaim, VirtualMachine } from '../../src/planner/kubevirt-types.js';
import { validateAgainst, type OpenApiDocument } from '../../src/planner/testing/openapi-schema.js';
import type { VM } from '../../src/providers/vsphere/model.js';
import { VSphereClient } from '../../src/providers/vsphere/index.js';
import { ok, runCli, type CliTarget } from '../support/cli.js';
import { fillVmDisks, sha256File, type DiskImage } from '../support/disk-images.js';
import { TestSecrets } from '../support/secrets.js';
import { createBridgeNad, createStorageClass, startKubeController } from '../support/kube-controller.js';
import { createNamespace, kubeStoreFor } from '../support/testbed.js';
import { startVcsim, type Vcsim } from '../support/vcsim.js';
import { planPhase, providerPhase, vsphereProviderArgs } from '../support/vcsim-provider.js';
import { until } from '../support/wait.js';

const schema = JSON.parse(
  readFileSync(new URL('../../../shared/schemas/kubevirt-openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;

/** One mode's setup: where the CLI runs, and how to read what the migration created. */
interface Mode {
  t: CliTarget;
  home: string;
  storageClass: string;
  /** The claims and VirtualMachines the plan produced. */
  targets(plan: Plan): Promise<{ claims: PersistentVolumeClaim[]; vms: VirtualMachine[] }>;
  stop(): Promise<void>;
}

function localMode(): Promise<Mode> {
  const home = mkdtempSync(path.join(tmpdir(), 'mtv-main-local-'));
  const t: CliTarget = {
    mode: 'local',
    env: { MTV_HOME: home, HOME: home, MTV_AUTO_CONTROLLER: '1', MTV_CONTROLLER_IDLE_EXIT: '120' },
    namespace: 'default',
  };
  return Promise.resolve({
    t,
    home,
    storageClass: 'standard',
    targets: (plan) => {
      const docs = (plan.status?.migration?.vms ?? []).flatMap((v) => {
        const file = /manifest (\S+)\.$/.exec(v.conditions?.[0]?.message ?? '')?.[1] ?? '';
        return YAML.parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJSON() as { kind: string });
      });
      return Promise.resolve({
        claims: docs.filter((d) => d.kind === 'PersistentVolumeClaim') as PersistentVolumeClaim[],
        vms: docs.filter((d) => d.kind === 'VirtualMachine') as VirtualMachine[],
      });
    },
    stop: async () => {
      await runCli(t, ['controller', 'stop']);
    },
  });
}

async function kubeMode(): Promise<Mode> {
  const kubeconfig = inject('kubeconfig');
  const ns = await createNamespace(kubeconfig, 'main');
  const home = mkdtempSync(path.join(tmpdir(), 'mtv-main-kube-'));
  const controller = await startKubeController(kubeconfig, ns, home);
  const store = kubeStoreFor(kubeconfig);
  await createStorageClass(kubeconfig, `std-${ns}`);
  await createBridgeNad(kubeconfig, ns, 'backend');
  return {
    t: controller.target,
    home,
    storageClass: `std-${ns}`,
    targets: async () => ({
      claims: (await store.list<PersistentVolumeClaim>(Resources.PersistentVolumeClaim, { namespace: ns }))
        .items,
      vms: (await store.list<VirtualMachine>(Resources.VirtualMachine, { namespace: ns })).items,
    }),
    stop: () => {
      controller.stop();
      return Promise.resolve();
    },
  };
}

describe.each([
  ['local', localMode],
  ['cluster', kubeMode],
] as const)('the main job in %s mode', (_name, setup) => {
  let vc: Vcsim;
  let m: Mode;
  let inventory: VM[];
  let images: Map<string, DiskImage>;
  const mtv = (...args: string[]) => ok(m.t, args);

  beforeAll(async () => {
    vc = await startVcsim({
      password: TestSecrets.vspherePassword,
      vmsPerHost: 1,
      disksPerVm: 2,
      nicsPerVm: 2,
    });
    m = await setup();
    writeFileSync(path.join(m.home, 'pw'), vc.password, { mode: 0o600 });
  }, 600_000);

  afterAll(async () => {
    await m.stop();
    await vc.stop();
  });

  it('registers the providers and explores the inventory', async () => {
    await mtv('create', 'provider', 'host', '--type', 'openshift');
    await mtv(...vsphereProviderArgs('vcenter', vc, path.join(m.home, 'pw')));
    await providerPhase(m.t, 'vcenter', 'Ready');
    inventory = JSON.parse(
      await mtv(
        'get',
        'inventory',
        'vm',
        'vcenter',
        '-q',
        'where len(disks) = 2 and len(nics) = 2',
        '-o',
        'json',
      ),
    ) as VM[];
    expect(inventory.map((v) => v.name).sort()).toEqual(['DC0_C0_RP0_VM0', 'DC0_H0_VM0']);
    images = await fillVmDisks(vc, m.home, inventory);
  });

  it('maps networks and datastores, plans, migrates to Succeeded with byte-identical disks', async () => {
    const ns = m.t.namespace;
    await mtv(
      'create',
      'mapping',
      'network',
      'vcenter-net',
      '--source',
      'vcenter',
      '--network-pairs',
      `VM Network:default,DC0_DVPG0:${ns}/backend`,
    );
    await mtv(
      'create',
      'mapping',
      'storage',
      'vcenter-disks',
      '--source',
      'vcenter',
      '--storage-pairs',
      `LocalDS_0:${m.storageClass}`,
    );
    await mtv(
      'create',
      'plan',
      'web',
      '--source',
      'vcenter',
      '--vms',
      "where name like 'DC0_%_VM0'",
      '--network-mapping',
      'vcenter-net',
      '--storage-mapping',
      'vcenter-disks',
    );
    await planPhase(m.t, 'web', 'Ready');
    expect(await mtv('start', 'plan', 'web')).toMatch(/^migration\/web-\w+ created \(plan\/web started\)\n$/);
    const done = await until(
      'plan web Succeeded',
      async () => {
        const p = JSON.parse(await mtv('get', 'plan', 'web', '-o', 'json')) as Plan;
        if (p.status?.phase === 'Failed')
          throw new Error(JSON.stringify(p.status.migration?.vms?.map((v) => v.error)));
        return p.status?.phase === 'Succeeded' ? p : undefined;
      },
      { timeoutMs: 180_000 },
    );
    const { claims, vms } = await m.targets(done);
    expect(claims).toHaveLength(4);
    expect(vms.map((v) => v.metadata.name).sort()).toEqual(['dc0-c0-rp0-vm0', 'dc0-h0-vm0']);
    for (const v of done.status?.migration?.vms ?? []) {
      expect(v.conditions?.map((c) => c.type)).toEqual(['Succeeded']);
      const src = inventory.find((x) => x.id === v.id) as VM;
      const tasks = v.pipeline.find((s) => s.name === 'DiskTransfer')?.tasks ?? [];
      expect(tasks).toHaveLength(2);
      for (const disk of src.disks) {
        const image = images.get(`${src.id}/${String(disk.key)}`);
        const task = tasks.find((x) => x.annotations?.['mtv.konveyor.io/disk-key'] === String(disk.key));
        expect(task?.annotations?.['mtv.konveyor.io/sha256']).toBe(image?.sha256);
        const claim = claims.find(
          (c) =>
            c.metadata.labels?.vmID === src.id &&
            c.metadata.annotations?.['forklift.konveyor.io/disk-source'] === disk.file,
        );
        expect(claim?.metadata.labels?.plan).toBe(done.metadata.uid);
        expect(claim?.spec.storageClassName).toBe(m.storageClass);
        if (m.t.mode === 'kube')
          expect(
            (
              JSON.parse(claim?.metadata.annotations?.[TransferResultAnnotation] ?? '{}') as {
                sha256?: string;
              }
            ).sha256,
          ).toBe(image?.sha256);
        // The volume's bytes are the source disk's (local volumes, and the in-process executor's).
        const file = path.join(m.home, 'volumes', ns, claim?.metadata.name ?? '', 'disk.img');
        expect(await sha256File(file)).toBe(image?.sha256);
      }
      const target = vms.find((x) => x.metadata.labels?.vmID === src.id) as VirtualMachine;
      const { managedFields: _m, ...metadata } = target.metadata as typeof target.metadata & {
        managedFields?: unknown;
      };
      expect(validateAgainst(schema, 'v1.VirtualMachine', { ...target, metadata })).toEqual([]);
      const spec = target.spec.template.spec;
      // Each NIC in source order with its MAC: the pod network masqueraded, the Multus one bridged.
      expect(spec.domain.devices.interfaces?.map((i) => i.macAddress)).toEqual(src.nics.map((n) => n.mac));
      const bindings = (spec.domain.devices.interfaces ?? []).map((i) => {
        const net = spec.networks?.find((n) => n.name === i.name);
        return `${net?.pod ? 'pod' : 'multus'}:${'masquerade' in i ? 'masquerade' : 'bridge' in i ? 'bridge' : '?'}`;
      });
      expect(bindings.sort()).toEqual(['multus:bridge', 'pod:masquerade']);
      expect(spec.networks?.find((n) => n.multus)?.multus?.networkName).toBe(`${ns}/backend`);
      const volumeClaims = (spec.volumes ?? []).map((x) => x.persistentVolumeClaim.claimName);
      expect(volumeClaims.sort()).toEqual(
        claims
          .filter((c) => c.metadata.labels?.vmID === src.id)
          .map((c) => c.metadata.name)
          .sort(),
      );
    }
    const client = await VSphereClient.connect({
      url: vc.url,
      username: vc.username,
      password: vc.password,
      caCert: vc.caCert,
    });
    for (const vm of inventory)
      expect((await client.vmPowerState({ type: 'VirtualMachine', value: vm.id })).powerState).toBe(
        'poweredOff',
      );
    await client.close();
    expect(await mtv('get', 'plans')).toMatch(/\nweb\s+True\s+Succeeded\s.*2\/2 \(S:2\/F:0\/C:0\)/);
  });
});

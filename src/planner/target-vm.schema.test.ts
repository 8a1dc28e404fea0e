/**
 * Every VirtualMachine, DataVolume and PVC the planner builds is valid against KubeVirt's
 * published OpenAPI definitions (`/work/shared/schemas/kubevirt-openapi.json`, beside the repo),
 * with unknown fields rejected. A missing schema file fails the test; it never skips.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isDns1123Label } from '../api/index.js';
import { buildDataVolume, buildPersistentVolumeClaim, type DiskClaimInput } from './data-volume.js';
import { sortDisks } from './disk-order.js';
import { karlAffinity } from './karl.js';
import type { VirtualMachine } from './kubevirt-types.js';
import { buildTargetVirtualMachine, type TargetVmInput } from './target-vm.js';
import { GiB, samplePlan, sourceDisk, sourceNic, sourceVm } from './target-vm.fixture.js';
import { validateAgainst, type OpenApiDocument, type SchemaNode } from './testing/openapi-schema.js';

const schemaPath = fileURLToPath(new URL('../../../shared/schemas/kubevirt-openapi.json', import.meta.url));

function loadSchema(): OpenApiDocument {
  if (!existsSync(schemaPath)) throw new Error(`KubeVirt OpenAPI definitions not found at ${schemaPath}`);
  const doc = JSON.parse(readFileSync(schemaPath, 'utf8')) as OpenApiDocument;
  for (const name of [
    'v1.VirtualMachine',
    'v1.DataVolumeTemplateSpec',
    'k8s.io.api.core.v1.PersistentVolumeClaimSpec',
  ]) {
    if (!doc.definitions[name]) throw new Error(`${schemaPath} has no definition ${name}`);
  }
  return doc;
}

const doc = loadSchema();

/** The schema has no PersistentVolumeClaim object; compose one from its spec and ObjectMeta. */
const pvcSchema: SchemaNode = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string', enum: ['v1'] },
    kind: { type: 'string', enum: ['PersistentVolumeClaim'] },
    metadata: { $ref: '#/definitions/k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
    spec: { $ref: '#/definitions/k8s.io.api.core.v1.PersistentVolumeClaimSpec' },
  },
};

/** What the schema cannot say but KubeVirt checks: names match up and are labels; one boot disk. */
function consistency(vm: VirtualMachine, cpuCount?: number): string[] {
  const spec = vm.spec.template.spec;
  const volumes = (spec.volumes ?? []).map((v) => v.name);
  const disks = (spec.domain.devices.disks ?? []).map((d) => d.name);
  const networks = (spec.networks ?? []).map((n) => n.name);
  const ifaces = (spec.domain.devices.interfaces ?? []).map((i) => i.name);
  const problems: string[] = [];
  if (JSON.stringify(volumes) !== JSON.stringify(disks))
    problems.push(`disks ${disks.join()} ≠ volumes ${volumes.join()}`);
  if (JSON.stringify(networks) !== JSON.stringify(ifaces))
    problems.push(`interfaces ${ifaces.join()} ≠ networks ${networks.join()}`);
  for (const n of [...volumes, ...networks]) if (!isDns1123Label(n)) problems.push(`${n} is not a label`);
  if (new Set(volumes).size !== volumes.length || new Set(networks).size !== networks.length)
    problems.push('duplicate names');
  if ((spec.domain.devices.disks ?? []).filter((d) => d.bootOrder !== undefined).length > 1)
    problems.push('several boot disks');
  if ((spec.networks ?? []).filter((n) => n.pod).length > 1) problems.push('several pod networks');
  const cpu = spec.domain.cpu;
  if (
    cpuCount !== undefined &&
    cpu &&
    (cpu.sockets ?? 1) * (cpu.cores ?? 1) * (cpu.threads ?? 1) !== cpuCount
  )
    problems.push('vCPU count changed');
  return problems;
}

const disks = [
  sourceDisk({ key: 2000, unitNumber: 0 }),
  sourceDisk({ key: 2001, unitNumber: 1, capacity: 100 * GiB + 7 }),
  sourceDisk({
    key: 2016,
    controllerKey: 1001,
    unitNumber: 0,
    shared: true,
    file: '[ds2] shared/quorum.vmdk',
  }),
  sourceDisk({ key: 16000, bus: 'sata', controllerKey: 15000, unitNumber: 0, file: '[ds1] web-1/sata.vmdk' }),
  sourceDisk({ key: 3000, bus: 'ide', controllerKey: 200, unitNumber: 1, file: '[ds1] web-1/ide.vmdk' }),
  sourceDisk({ key: 2002, unitNumber: 2, rdm: true, file: '[ds1] web-1/rdm.vmdk' }),
];
const claims = Object.fromEntries(disks.map((d) => [d.key, `plan1-web-1-disk-${d.key}`]));
const nics = [
  sourceNic(),
  sourceNic({
    network: { kind: 'Network', id: 'network-2' },
    mac: '00:50:56:00:00:02',
    order: 1,
    deviceKey: 4001,
    startConnected: false,
    pciAddress: '0000:03:00.0',
  }),
  sourceNic({
    network: { kind: 'Network', id: 'network-3' },
    mac: '00:50:56:00:00:03',
    order: 2,
    deviceKey: 4002,
  }),
  sourceNic({
    network: { kind: 'Network', id: 'network-4' },
    mac: '00:50:56:00:00:04',
    order: 3,
    deviceKey: 4003,
  }),
];
const networks = {
  'network-1': { type: 'pod' as const },
  'network-2': { type: 'multus' as const, namespace: 'infra', name: 'storage' },
  'network-3': { type: 'ignored' as const },
  'network-4': { type: 'multus' as const, name: 'backup' },
};

const base = (over: Partial<TargetVmInput> = {}): TargetVmInput => ({
  vm: sourceVm(),
  plan: samplePlan(),
  networks: { 'network-1': { type: 'pod' } },
  claims: { 2000: 'plan1-web-1-disk-0-abcde' },
  ...over,
});

const vmCases: [string, TargetVmInput][] = [
  ['BIOS, one disk, pod network', base()],
  [
    'EFI with Secure Boot and a persistent TPM',
    base({
      vm: sourceVm({ firmware: 'efi', secureBoot: true, tpmEnabled: true }),
      hostTimezone: 'America/New_York',
    }),
  ],
  [
    'EFI without Secure Boot, powered off',
    base({ vm: sourceVm({ firmware: 'efi', powerState: 'poweredOff' }) }),
  ],
  [
    'six disks on SCSI, SATA and IDE controllers, a shared disk, an RDM LUN, root disk /dev/sdb',
    base({
      vm: sourceVm({ disks }),
      claims,
      plan: samplePlan({ rdmAsLun: true, scsiReservation: true }),
      planVM: { id: 'vm-1', rootDisk: '/dev/sdb' },
    }),
  ],
  ['pod and Multus NICs, one ignored, one down', base({ vm: sourceVm({ nics }), networks })],
  [
    'compatibility mode (skipGuestConversion)',
    base({
      vm: sourceVm({ disks, nics }),
      claims,
      networks,
      plan: samplePlan({ skipGuestConversion: true }),
    }),
  ],
  [
    'placement from KARL, labels, node selector, nested virtualization, renamed',
    base({
      vm: sourceVm({ name: 'Web Server (prod)', nestedHVEnabled: true, cpuCount: 16, coresPerSocket: 8 }),
      plan: samplePlan({
        targetLabels: { team: 'web', 'app.kubernetes.io/part-of': 'shop' },
        targetNodeSelector: { 'kubernetes.io/arch': 'amd64' },
        targetAffinity: karlAffinity(
          'REQUIRE nodes(disk=ssd, zone in [a, b]); AVOID nodes(gpu=true); PREFER nodes(!tainted) weight=10; ' +
            'REQUIRE pods(app=db) on node; PREFER pods(tier in [cache]) on zone weight=50; AVOID pods(has debug) on rack; REPEL pods(app=web) on region',
        ),
        targetPowerState: 'off',
      }),
      migrationUid: '99999999-8888-7777-6666-555555555555',
    }),
  ],
  [
    'instancetype and preference, templates for volume and network names',
    base({
      vm: sourceVm({ disks, nics }),
      claims,
      networks,
      planVM: {
        id: 'vm-1',
        instanceType: 'u1.large',
        volumeNameTemplate: 'disk-{{.VolumeIndex}}',
        networkNameTemplate: '{{if eq .NetworkType "pod"}}pod{{else}}{{.NetworkName}}{{end}}',
      },
      preference: { name: 'rhel.9', kind: 'virtualmachineclusterpreference' },
    }),
  ],
];

describe('generated VirtualMachines are valid KubeVirt objects', () => {
  it.each(vmCases)('%s', (_title, input) => {
    const vm = buildTargetVirtualMachine(input);
    expect(validateAgainst(doc, 'v1.VirtualMachine', vm)).toEqual([]);
    expect(consistency(vm, input.planVM?.instanceType ? undefined : input.vm.cpuCount)).toEqual([]);
  });
});

function claimInput(over: Partial<DiskClaimInput> = {}): DiskClaimInput {
  return {
    vm: sourceVm(),
    disk: sourceDisk({ capacity: 100 * GiB + 7 }),
    diskIndex: 0,
    plan: samplePlan(),
    storage: { storageClass: 'ceph-rbd' },
    targetVmName: 'web-1',
    migrationUid: 'mig',
    ...over,
  };
}

const claimCases: [string, DiskClaimInput][] = [
  ['storage class only', claimInput()],
  [
    'Block, ReadWriteMany, shared disk',
    claimInput({
      storage: { storageClass: 'ceph-rbd', volumeMode: 'Block', accessMode: 'ReadWriteMany' },
      disk: sourceDisk({ shared: true }),
    }),
  ],
  [
    'Filesystem, ReadWriteOnce, exact name from a template',
    claimInput({
      storage: { storageClass: 'local', volumeMode: 'Filesystem', accessMode: 'ReadWriteOnce' },
      plan: samplePlan({
        pvcNameTemplate: '{{.TargetVmName}}-{{.DiskIndex}}',
        pvcNameTemplateUseGenerateName: false,
      }),
    }),
  ],
  ['every disk of a multi-disk VM', claimInput({ disk: sortDisks(disks)[4] ?? sourceDisk(), diskIndex: 4 })],
];

describe('generated DataVolumes and PVCs are valid', () => {
  it.each(claimCases)('DataVolume: %s', (_title, input) => {
    const dv = buildDataVolume(input);
    expect(validateAgainst(doc, 'v1.DataVolumeTemplateSpec', dv)).toEqual([]);
    const vddk = buildDataVolume(input, {
      vddk: {
        backingFile: input.disk.file,
        uuid: input.vm.uuid,
        url: 'https://vcenter/sdk',
        secretRef: 's',
        thumbprint: 'AA:BB',
        initImageURL: 'quay.io/x/vddk:8',
      },
    });
    expect(validateAgainst(doc, 'v1.DataVolumeTemplateSpec', vddk)).toEqual([]);
  });

  it.each(claimCases)('PersistentVolumeClaim: %s', (_title, input) => {
    expect(validateAgainst(doc, pvcSchema, buildPersistentVolumeClaim(input))).toEqual([]);
  });
});

type Json = Record<string, unknown>;

/** A JSON copy of `object` with the value at a dotted path set (or, with `undefined`, deleted). */
function mutated(object: unknown, path: string, value: unknown): Json {
  const root = JSON.parse(JSON.stringify(object)) as Json;
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let node = root;
  for (const key of keys) node = node[key] as Json;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return root;
}

function vmInput(title: string): TargetVmInput {
  const found = vmCases.find(([t]) => t.startsWith(title));
  if (!found) throw new Error(`no VM case ${title}`);
  return found[1];
}

const placedVm = () => buildTargetVirtualMachine(vmInput('placement from KARL'));
const multusVm = () => buildTargetVirtualMachine(vmInput('pod and Multus NICs'));
const vddkDataVolume = () =>
  buildDataVolume(claimInput(), {
    vddk: { backingFile: 'f', uuid: 'u', url: 'https://vcenter/sdk', secretRef: 's', thumbprint: 'AA' },
  });
const pvc = () => buildPersistentVolumeClaim(claimInput());
const vmSchema = 'v1.VirtualMachine';
const dvSchema = 'v1.DataVolumeTemplateSpec';
const template = 'spec.template.spec';

/** Builder outputs broken on purpose: the tests above would catch a builder that emitted these. */
describe('the schema check catches broken builder output', () => {
  it.each<[string, () => unknown, string | SchemaNode, string, unknown, string]>([
    [
      'VM: a string boot order',
      placedVm,
      vmSchema,
      `${template}.domain.devices.disks.0.bootOrder`,
      '1',
      '$.spec.template.spec.domain.devices.disks[0].bootOrder: must be integer, got string "1"',
    ],
    [
      'VM: a misspelt CPU field',
      placedVm,
      vmSchema,
      `${template}.domain.cpu.sokets`,
      2,
      '$.spec.template.spec.domain.cpu.sokets: must NOT have unevaluated properties',
    ],
    [
      'VM: a volume without a name',
      placedVm,
      vmSchema,
      `${template}.volumes.0.name`,
      undefined,
      "$.spec.template.spec.volumes[0].name: must have required property 'name'",
    ],
    [
      'VM: a memory size that is no quantity',
      placedVm,
      vmSchema,
      `${template}.domain.memory.guest`,
      '4 GB',
      '$.spec.template.spec.domain.memory.guest: must match format "quantity", got "4 GB"',
    ],
    [
      'VM: an unknown node selector operator',
      placedVm,
      vmSchema,
      `${template}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0.matchExpressions.0.operator`,
      'Within',
      'nodeSelectorTerms[0].matchExpressions[0].operator: must be equal to one of the allowed values',
    ],
    [
      'VM: a numeric label value',
      placedVm,
      vmSchema,
      'metadata.labels.team',
      1,
      '$.metadata.labels.team: must be string, got integer 1',
    ],
    [
      'VM: a misspelt Multus network name',
      multusVm,
      vmSchema,
      `${template}.networks.1.multus`,
      { networkname: 'infra/storage' },
      '$.spec.template.spec.networks[1].multus.networkname: must NOT have unevaluated properties',
    ],
    [
      'DataVolume: a size that is no quantity',
      vddkDataVolume,
      dvSchema,
      'spec.storage.resources.requests.storage',
      '100 GiB',
      '$.spec.storage.resources.requests.storage: must match format "quantity", got "100 GiB"',
    ],
    [
      'DataVolume: a misspelt VDDK field',
      vddkDataVolume,
      dvSchema,
      'spec.source.vddk.thumbPrint',
      'AA',
      '$.spec.source.vddk.thumbPrint: must NOT have unevaluated properties',
    ],
    [
      'DataVolume: no spec',
      vddkDataVolume,
      dvSchema,
      'spec',
      undefined,
      "$.spec: must have required property 'spec'",
    ],
    [
      'PVC: one access mode where a list goes',
      pvc,
      pvcSchema,
      'spec.accessModes',
      'ReadWriteOnce',
      '$.spec.accessModes: must be array, got string "ReadWriteOnce"',
    ],
    [
      'PVC: an unknown access mode',
      pvc,
      pvcSchema,
      'spec.accessModes',
      ['ReadWriteSometimes'],
      '$.spec.accessModes[0]: must be equal to one of the allowed values',
    ],
    [
      'PVC: a wrong kind',
      pvc,
      pvcSchema,
      'kind',
      'PVC',
      '$.kind: must be equal to one of the allowed values ("PersistentVolumeClaim"), got "PVC"',
    ],
    [
      'PVC: an unknown top-level field',
      pvc,
      pvcSchema,
      'status',
      { phase: 'Bound' },
      '$.status: must NOT have unevaluated properties',
    ],
  ])('%s', (_title, build, schema, path, value, want) => {
    const output = build();
    expect(validateAgainst(doc, schema, output)).toEqual([]);
    const issues = validateAgainst(doc, schema, mutated(output, path, value));
    expect(issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toContain(want);
  });
});

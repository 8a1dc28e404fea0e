import { describe, expect, it } from 'vitest';
import { UsageError } from '../api/index.js';
import { karlAffinity } from './karl.js';
import { buildTargetVirtualMachine, type TargetVmInput } from './target-vm.js';
import { samplePlan, sourceDisk, sourceNic, sourceVm } from './target-vm.fixture.js';

function input(over: Partial<TargetVmInput> = {}): TargetVmInput {
  return {
    vm: sourceVm(),
    plan: samplePlan(),
    networks: { 'network-1': { type: 'pod' } },
    claims: { 2000: 'plan1-web-1-disk-0-abcde' },
    migrationUid: 'mig-uid',
    ...over,
  };
}

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e: unknown) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('no UsageError');
}

describe('buildTargetVirtualMachine', () => {
  it('builds the VirtualMachine of a BIOS VM with one disk on the pod network', () => {
    expect(buildTargetVirtualMachine(input({ hostTimezone: 'Europe/Paris' }))).toEqual({
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      metadata: {
        name: 'web-1',
        namespace: 'apps',
        labels: {
          migration: 'mig-uid',
          plan: '11111111-2222-3333-4444-555555555555',
          vmID: 'vm-1',
          guestConverted: 'true',
        },
      },
      spec: {
        runStrategy: 'Always',
        template: {
          metadata: {
            labels: { app: 'web-1' },
            annotations: {
              'vm.kubevirt.io/flavor': '',
              'vm.kubevirt.io/os': '',
              'vm.kubevirt.io/workload': '',
            },
          },
          spec: {
            domain: {
              cpu: { sockets: 2, cores: 2 },
              memory: { guest: '4Gi' },
              firmware: { serial: '42301234-0000-0000-0000-000000000001', bootloader: { bios: {} } },
              clock: { timezone: 'Europe/Paris' },
              devices: {
                disks: [
                  {
                    name: 'vol-0',
                    disk: { bus: 'virtio' },
                    serial: '6000C290-aaaa-bbbb-cccc-dddddddddddd',
                    bootOrder: 1,
                  },
                ],
                interfaces: [
                  { name: 'net-0', model: 'virtio', macAddress: '00:50:56:00:00:01', masquerade: {} },
                ],
                inputs: [{ type: 'tablet', name: 'tablet', bus: 'virtio' }],
                tpm: { enabled: false },
              },
            },
            volumes: [{ name: 'vol-0', persistentVolumeClaim: { claimName: 'plan1-web-1-disk-0-abcde' } }],
            networks: [{ name: 'net-0', pod: {} }],
          },
        },
      },
    });
  });

  describe('firmware', () => {
    it('maps EFI with Secure Boot to an EFI bootloader with secureBoot and SMM', () => {
      const { domain } = buildTargetVirtualMachine(
        input({ vm: sourceVm({ firmware: 'efi', secureBoot: true }) }),
      ).spec.template.spec;
      expect(domain.firmware?.bootloader).toEqual({ efi: { secureBoot: true } });
      expect(domain.features).toEqual({ smm: { enabled: true } });
    });

    it('turns Secure Boot off explicitly for EFI without it (KubeVirt defaults it on)', () => {
      const { domain } = buildTargetVirtualMachine(input({ vm: sourceVm({ firmware: 'efi' }) })).spec.template
        .spec;
      expect(domain.firmware?.bootloader).toEqual({ efi: { secureBoot: false } });
      expect(domain.features).toBeUndefined();
    });

    it('takes the firmware virt-v2v detected over the inventory, and defaults to BIOS', () => {
      const detected = buildTargetVirtualMachine(input({ detectedFirmware: 'efi' })).spec.template.spec
        .domain;
      expect(detected.firmware?.bootloader).toEqual({ efi: { secureBoot: false } });
      const unknown = buildTargetVirtualMachine(input({ vm: sourceVm({ firmware: '' }) })).spec.template.spec
        .domain;
      expect(unknown.firmware?.bootloader).toEqual({ bios: {} });
    });

    it('keeps a TPM persistent when the source has one', () => {
      const { domain } = buildTargetVirtualMachine(input({ vm: sourceVm({ tpmEnabled: true }) })).spec
        .template.spec;
      expect(domain.devices.tpm).toEqual({ persistent: true });
    });
  });

  describe('CPU and memory', () => {
    it.each([
      [8, 4, { sockets: 2, cores: 4 }],
      [1, 1, { sockets: 1, cores: 1 }],
      [6, 4, { sockets: 6, cores: 1 }],
      [2, 0, { sockets: 2, cores: 1 }],
    ])('%i vCPUs with %i cores per socket → %j', (cpuCount, coresPerSocket, want) => {
      const { domain } = buildTargetVirtualMachine(input({ vm: sourceVm({ cpuCount, coresPerSocket }) })).spec
        .template.spec;
      expect(domain.cpu).toEqual(want);
    });

    it('writes memory in MiB as a canonical quantity', () => {
      const { domain } = buildTargetVirtualMachine(input({ vm: sourceVm({ memoryMB: 1536 }) })).spec.template
        .spec;
      expect(domain.memory).toEqual({ guest: '1536Mi' });
    });

    it('exposes vmx/svm when the source has nested virtualization, or as the plan says', () => {
      const nested = buildTargetVirtualMachine(input({ vm: sourceVm({ nestedHVEnabled: true }) }));
      expect(nested.spec.template.spec.domain.cpu?.features).toEqual([
        { name: 'vmx', policy: 'optional' },
        { name: 'svm', policy: 'optional' },
      ]);
      const off = buildTargetVirtualMachine(
        input({
          vm: sourceVm({ nestedHVEnabled: true }),
          plan: samplePlan({ enableNestedVirtualization: false }),
        }),
      );
      expect(off.spec.template.spec.domain.cpu?.features?.map((f) => f.policy)).toEqual([
        'disable',
        'disable',
      ]);
      const vmOverride = buildTargetVirtualMachine(
        input({
          plan: samplePlan({ enableNestedVirtualization: false }),
          planVM: { id: 'vm-1', enableNestedVirtualization: true },
        }),
      );
      expect(vmOverride.spec.template.spec.domain.cpu?.features?.[0]).toEqual({
        name: 'vmx',
        policy: 'optional',
      });
    });

    it('leaves CPU and memory to an instancetype', () => {
      const vm = buildTargetVirtualMachine(input({ planVM: { id: 'vm-1', instanceType: 'u1.large' } }));
      expect(vm.spec.instancetype).toEqual({ name: 'u1.large', kind: 'virtualmachineclusterinstancetype' });
      expect(vm.spec.template.spec.domain.cpu).toBeUndefined();
      expect(vm.spec.template.spec.domain.memory).toBeUndefined();
      const ns = buildTargetVirtualMachine(
        input({
          planVM: { id: 'vm-1', instanceType: 'mine' },
          instanceTypeKind: 'virtualmachineinstancetype',
        }),
      );
      expect(ns.spec.instancetype?.kind).toBe('virtualmachineinstancetype');
    });
  });

  describe('disks', () => {
    const disks = [
      sourceDisk({
        key: 16000,
        bus: 'sata',
        controllerKey: 15000,
        unitNumber: 0,
        file: '[ds1] web-1/sata.vmdk',
      }),
      sourceDisk({ key: 2001, controllerKey: 1000, unitNumber: 1 }),
      sourceDisk({ key: 3000, bus: 'ide', controllerKey: 200, unitNumber: 0, file: '[ds1] web-1/ide.vmdk' }),
      sourceDisk({
        key: 2016,
        controllerKey: 1001,
        unitNumber: 0,
        shared: true,
        file: '[ds2] shared/quorum.vmdk',
      }),
      sourceDisk({ key: 2000, controllerKey: 1000, unitNumber: 0 }),
    ];
    const claims = { 2000: 'pvc-a', 2001: 'pvc-b', 2016: 'pvc-shared', 16000: 'pvc-sata', 3000: 'pvc-ide' };

    it('orders disks SCSI, SATA, IDE by controller and unit, boots the root disk, and keeps SCSI serials', () => {
      const vm = buildTargetVirtualMachine(
        input({ vm: sourceVm({ disks }), claims, planVM: { id: 'vm-1', rootDisk: '/dev/sdb' } }),
      );
      const spec = vm.spec.template.spec;
      expect(spec.volumes?.map((v) => `${v.name}=${v.persistentVolumeClaim.claimName}`)).toEqual([
        'vol-0=pvc-a',
        'vol-1=pvc-b',
        'vol-2=pvc-shared',
        'vol-3=pvc-sata',
        'vol-4=pvc-ide',
      ]);
      expect(spec.domain.devices.disks).toEqual([
        { name: 'vol-0', disk: { bus: 'virtio' }, serial: '6000C290-aaaa-bbbb-cccc-dddddddddddd' },
        {
          name: 'vol-1',
          disk: { bus: 'virtio' },
          serial: '6000C291-aaaa-bbbb-cccc-dddddddddddd',
          bootOrder: 1,
        },
        {
          name: 'vol-2',
          disk: { bus: 'virtio' },
          serial: '6000C290-aaaa-bbbb-cccc-dddddddddddd',
          shareable: true,
          cache: 'none',
        },
        { name: 'vol-3', disk: { bus: 'virtio' } },
        { name: 'vol-4', disk: { bus: 'virtio' } },
      ]);
    });

    it('sets no serial without disk.EnableUUID', () => {
      const vm = buildTargetVirtualMachine(input({ vm: sourceVm({ diskEnableUuid: false }) }));
      expect(vm.spec.template.spec.domain.devices.disks?.[0]?.serial).toBeUndefined();
    });

    it('boots the disk virt-v2v detected when rootDisk is unset, and none when the index is out of range', () => {
      const detected = buildTargetVirtualMachine(
        input({ vm: sourceVm({ disks }), claims, detectedBootDisk: 3 }),
      );
      expect(detected.spec.template.spec.domain.devices.disks?.findIndex((d) => d.bootOrder === 1)).toBe(3);
      const outOfRange = buildTargetVirtualMachine(input({ planVM: { id: 'vm-1', rootDisk: '/dev/sdc' } }));
      expect(outOfRange.spec.template.spec.domain.devices.disks?.some((d) => d.bootOrder !== undefined)).toBe(
        false,
      );
      const unparsable = buildTargetVirtualMachine(
        input({
          vm: sourceVm({ disks }),
          claims,
          planVM: { id: 'vm-1', rootDisk: 'hd1' },
          detectedBootDisk: 2,
        }),
      );
      expect(unparsable.spec.template.spec.domain.devices.disks?.[0]?.bootOrder).toBe(1);
    });

    it('attaches RDM disks as SCSI LUNs when asked, with reservation', () => {
      const rdm = sourceDisk({ rdm: true });
      const vm = buildTargetVirtualMachine(
        input({
          vm: sourceVm({ disks: [rdm] }),
          plan: samplePlan({ rdmAsLun: true, scsiReservation: true }),
        }),
      );
      expect(vm.spec.template.spec.domain.devices.disks?.[0]).toMatchObject({
        name: 'vol-0',
        lun: { bus: 'scsi', reservation: true },
      });
    });

    it('lists every disk without a claim', () => {
      const e = usageError(() =>
        buildTargetVirtualMachine(input({ vm: sourceVm({ disks }), claims: { 2000: 'pvc-a' } })),
      );
      expect(e.problems.map((p) => p.field)).toEqual([
        'disks[key=2001]',
        'disks[key=2016]',
        'disks[key=16000]',
        'disks[key=3000]',
      ]);
    });

    it('leaves excluded disks out', () => {
      const vm = buildTargetVirtualMachine(
        input({
          vm: sourceVm({ disks }),
          claims: { 2000: 'pvc-a', 16000: 'pvc-sata' },
          excludedDiskKeys: [2001, 2016, 3000],
        }),
      );
      expect(vm.spec.template.spec.volumes?.map((v) => v.persistentVolumeClaim.claimName)).toEqual([
        'pvc-a',
        'pvc-sata',
      ]);
    });

    it('names volumes with the volume template and rejects duplicate names', () => {
      const named = buildTargetVirtualMachine(
        input({
          vm: sourceVm({ disks }),
          claims,
          plan: samplePlan({ volumeNameTemplate: 'disk-{{.VolumeIndex}}-{{trunc 5 .PVCName}}' }),
        }),
      );
      expect(named.spec.template.spec.volumes?.map((v) => v.name)).toEqual([
        'disk-0-pvc-a',
        'disk-1-pvc-b',
        'disk-2-pvc-s',
        'disk-3-pvc-s',
        'disk-4-pvc-i',
      ]);
      expect(named.spec.template.spec.domain.devices.disks?.map((d) => d.name)).toEqual(
        named.spec.template.spec.volumes?.map((v) => v.name),
      );
      const e = usageError(() =>
        buildTargetVirtualMachine(
          input({ vm: sourceVm({ disks }), claims, planVM: { id: 'vm-1', volumeNameTemplate: 'disk' } }),
        ),
      );
      expect(e.problems[0]).toMatchObject({
        field: 'spec.vms[vm-1].volumeNameTemplate',
        hint: 'include .VolumeIndex in the template',
      });
    });
  });

  describe('networks', () => {
    const nics = [
      sourceNic({
        network: { kind: 'Network', id: 'net-storage' },
        mac: '00:50:56:00:00:03',
        order: 2,
        deviceKey: 4002,
        startConnected: false,
      }),
      sourceNic({
        network: { kind: 'Network', id: 'net-backup' },
        mac: '00:50:56:00:00:02',
        order: 1,
        deviceKey: 4001,
      }),
      sourceNic({ mac: '00:50:56:00:00:01', order: 0, pciAddress: '0000:03:00.0' }),
      sourceNic({
        network: { kind: 'Network', id: 'net-mgmt' },
        mac: '00:50:56:00:00:04',
        order: 3,
        deviceKey: 4003,
        pciAddress: '192',
      }),
    ];
    const networks = {
      'network-1': { type: 'pod' as const },
      'net-backup': { type: 'ignored' as const },
      'net-storage': { type: 'multus' as const, namespace: 'infra', name: 'storage-nad' },
      'net-mgmt': { type: 'multus' as const, name: 'mgmt' },
    };

    it('keeps guest order and MACs; pod is masquerade, multus a bridge to ns/name; ignored NICs take no index', () => {
      const spec = buildTargetVirtualMachine(input({ vm: sourceVm({ nics }), networks })).spec.template.spec;
      expect(spec.networks).toEqual([
        { name: 'net-0', pod: {} },
        { name: 'net-1', multus: { networkName: 'infra/storage-nad' } },
        { name: 'net-2', multus: { networkName: 'mgmt' } },
      ]);
      expect(spec.domain.devices.interfaces).toEqual([
        {
          name: 'net-0',
          model: 'virtio',
          macAddress: '00:50:56:00:00:01',
          pciAddress: '0000:03:00.0',
          masquerade: {},
        },
        { name: 'net-1', model: 'virtio', macAddress: '00:50:56:00:00:03', state: 'down', bridge: {} },
        { name: 'net-2', model: 'virtio', macAddress: '00:50:56:00:00:04', bridge: {} },
      ]);
    });

    it('names interfaces with the network template, whose NetworkType is lowercase', () => {
      const plan = samplePlan({
        networkNameTemplate:
          '{{if eq .NetworkType "pod"}}pod{{else}}{{trunc 8 .NetworkName}}-{{.NetworkIndex}}{{end}}',
      });
      const spec = buildTargetVirtualMachine(input({ vm: sourceVm({ nics }), networks, plan })).spec.template
        .spec;
      expect(spec.networks?.map((n) => n.name)).toEqual(['pod', 'storage--1', 'mgmt-2']);
      expect(spec.domain.devices.interfaces?.map((i) => i.name)).toEqual(['pod', 'storage--1', 'mgmt-2']);
    });

    it('rejects NICs on unmapped networks, listing each', () => {
      const e = usageError(() =>
        buildTargetVirtualMachine(
          input({ vm: sourceVm({ nics }), networks: { 'network-1': { type: 'pod' } } }),
        ),
      );
      expect(e.problems.map((p) => p.field)).toEqual([
        'nics[mac=00:50:56:00:00:02]',
        'nics[mac=00:50:56:00:00:03]',
        'nics[mac=00:50:56:00:00:04]',
      ]);
    });

    it('rejects two NICs on the pod network', () => {
      const two = [sourceNic(), sourceNic({ mac: '00:50:56:00:00:09', order: 1, deviceKey: 4001 })];
      const e = usageError(() => buildTargetVirtualMachine(input({ vm: sourceVm({ nics: two }) })));
      expect(e.message).toMatch(
        /2 NICs \(00:50:56:00:00:01, 00:50:56:00:00:09\) on the pod network; KubeVirt allows one/,
      );
    });
  });

  it('uses SATA, e1000e and a USB tablet in compatibility mode (only when skipping guest conversion)', () => {
    const compat = buildTargetVirtualMachine(input({ plan: samplePlan({ skipGuestConversion: true }) }));
    const devices = compat.spec.template.spec.domain.devices;
    expect(devices.disks?.[0]?.disk).toEqual({ bus: 'sata' });
    expect(devices.interfaces?.[0]?.model).toBe('e1000e');
    expect(devices.inputs).toEqual([{ type: 'tablet', name: 'tablet', bus: 'usb' }]);
    expect(compat.metadata.labels?.guestConverted).toBe('false');
    const virtio = buildTargetVirtualMachine(
      input({ plan: samplePlan({ skipGuestConversion: true, useCompatibilityMode: false }) }),
    );
    expect(virtio.spec.template.spec.domain.devices.disks?.[0]?.disk).toEqual({ bus: 'virtio' });
    const converted = buildTargetVirtualMachine(input({ plan: samplePlan({ useCompatibilityMode: true }) }));
    expect(converted.spec.template.spec.domain.devices.interfaces?.[0]?.model).toBe('virtio');
  });

  describe('run strategy', () => {
    it.each([
      ['on', 'poweredOff', undefined, 'Always'],
      ['off', 'poweredOn', undefined, 'Halted'],
      ['auto', 'poweredOn', undefined, 'Always'],
      ['auto', 'poweredOff', undefined, 'Halted'],
      [undefined, 'suspended', undefined, 'Halted'],
      ['auto', 'poweredOff', 'On', 'Always'],
      [undefined, 'poweredOn', 'Off', 'Halted'],
    ] as const)(
      'targetPowerState %s, source %s, restorePowerState %s → %s',
      (state, powerState, restore, want) => {
        const vm = buildTargetVirtualMachine(
          input({
            vm: sourceVm({ powerState }),
            plan: samplePlan(state ? { targetPowerState: state } : {}),
            ...(restore ? { restorePowerState: restore } : {}),
          }),
        );
        expect(vm.spec.runStrategy).toBe(want);
      },
    );

    it('lets the VM override the plan', () => {
      const vm = buildTargetVirtualMachine(
        input({
          plan: samplePlan({ targetPowerState: 'on' }),
          planVM: { id: 'vm-1', targetPowerState: 'off' },
        }),
      );
      expect(vm.spec.runStrategy).toBe('Halted');
    });
  });

  describe('names and metadata', () => {
    it('normalises the source name and records the original name and id', () => {
      const vm = buildTargetVirtualMachine(input({ vm: sourceVm({ name: 'Web_Server 01' }) }));
      expect(vm.metadata.name).toBe('web-server-01');
      expect(vm.metadata.annotations).toEqual({
        'openshift.io/display-name': 'Web_Server 01',
        'original-ID': 'vm-1',
      });
      expect(vm.spec.template.metadata?.labels?.app).toBe('web-server-01');
    });

    it('uses targetName, or the name the caller resolved', () => {
      expect(
        buildTargetVirtualMachine(input({ planVM: { id: 'vm-1', targetName: 'frontend' } })).metadata.name,
      ).toBe('frontend');
      expect(buildTargetVirtualMachine(input({ name: 'web-1-x7k2' })).metadata).toMatchObject({
        name: 'web-1-x7k2',
        annotations: { 'original-ID': 'vm-1' },
      });
      expect(buildTargetVirtualMachine(input()).metadata.annotations).toBeUndefined();
    });

    it('finds the plan entry by VM id', () => {
      const plan = samplePlan({ vms: [{ id: 'vm-9' }, { id: 'vm-1', targetName: 'from-plan' }] });
      expect(buildTargetVirtualMachine(input({ plan })).metadata.name).toBe('from-plan');
    });

    it('rejects a target name that is not a DNS-1123 name', () => {
      const e = usageError(() =>
        buildTargetVirtualMachine(input({ planVM: { id: 'vm-1', targetName: 'Front_End' } })),
      );
      expect(e.problems[0]).toMatchObject({
        field: 'spec.vms[vm-1].targetName',
        value: 'Front_End',
        hint: 'use "front-end"',
      });
    });

    it('places the VM with the plan labels, node selector and affinity (copies, not references)', () => {
      const targetAffinity = karlAffinity('REQUIRE nodes(disk=ssd); REPEL pods(app=web-1) on zone weight=50');
      const plan = samplePlan({
        targetLabels: { team: 'web', app: 'ignored' },
        targetNodeSelector: { 'node-role.kubernetes.io/worker': '' },
        targetAffinity,
      });
      const vm = buildTargetVirtualMachine(input({ plan }));
      expect(vm.spec.template.metadata?.labels).toEqual({ team: 'web', app: 'web-1' });
      expect(vm.spec.template.spec.nodeSelector).toEqual({ 'node-role.kubernetes.io/worker': '' });
      expect(vm.spec.template.spec.affinity).toEqual(targetAffinity);
      expect(vm.spec.template.spec.affinity).not.toBe(targetAffinity);
    });

    it('cuts the app label of a long target name to a valid label value', () => {
      const long = `${'a'.repeat(60)}.bbbbbbbb`;
      const vm = buildTargetVirtualMachine(input({ name: long }));
      expect(vm.spec.template.metadata?.labels?.app).toBe(`${'a'.repeat(60)}.bb`);
      expect(
        buildTargetVirtualMachine(input({ name: `${'a'.repeat(62)}.bb` })).spec.template.metadata?.labels
          ?.app,
      ).toBe('a'.repeat(62));
    });

    it('sets a preference when given one', () => {
      const vm = buildTargetVirtualMachine(
        input({ preference: { name: 'rhel.9', kind: 'virtualmachineclusterpreference' } }),
      );
      expect(vm.spec.preference).toEqual({ name: 'rhel.9', kind: 'virtualmachineclusterpreference' });
    });
  });

  describe('sources that cannot be migrated', () => {
    it('rejects a template', () => {
      const e = usageError(() => buildTargetVirtualMachine(input({ vm: sourceVm({ isTemplate: true }) })));
      expect(e.message).toContain('VM web-1 is a vSphere template, not a virtual machine');
      expect(e.problems[0]?.hint).toContain('convert the template to a VM');
    });

    it('rejects a disconnected VM', () => {
      expect(() =>
        buildTargetVirtualMachine(input({ vm: sourceVm({ connectionState: 'disconnected' }) })),
      ).toThrow(/not connected \(disconnected\)/);
    });

    it('rejects a warm migration without CBT, also for the deprecated warm flag', () => {
      const vm = sourceVm({ changeTrackingEnabled: false });
      expect(() => buildTargetVirtualMachine(input({ vm, plan: samplePlan({ type: 'warm' }) }))).toThrow(
        /Changed Block Tracking disabled/,
      );
      expect(() => buildTargetVirtualMachine(input({ vm, plan: samplePlan({ warm: true }) }))).toThrow(
        /Changed Block Tracking/,
      );
      expect(buildTargetVirtualMachine(input({ vm })).metadata.name).toBe('web-1');
    });
  });
});

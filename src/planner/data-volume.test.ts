import { describe, expect, it } from 'vitest';
import { NameTemplateError } from './naming.js';
import { baseVolume, diskFileName, rootDiskIndex, rootDiskPath, sortDisks } from './disk-order.js';
import {
  alignBytes,
  buildDataVolume,
  buildPersistentVolumeClaim,
  claimSize,
  diskClaimName,
  formatQuantity,
  pvcTemplateVars,
  type DiskClaimInput,
} from './data-volume.js';
import { GiB, samplePlan, sourceDisk, sourceVm } from './target-vm.fixture.js';

const MiB = 1024 * 1024;

describe('sortDisks', () => {
  it('orders SCSI, SATA, IDE, other buses, unknown bus; then controller, unit, key', () => {
    const d = (
      bus: '' | 'scsi' | 'sata' | 'ide' | 'nvme',
      controllerKey: number,
      unitNumber: number,
      key = 2000,
    ) => ({ bus, controllerKey, unitNumber, key });
    const sorted = sortDisks([
      d('ide', 200, 0),
      d('', 1, 0),
      d('sata', 15000, 1),
      d('scsi', 1001, 0),
      d('nvme', 31000, 0),
      d('scsi', 1000, 3),
      d('sata', 15000, 0),
      d('scsi', 1000, 1, 2002),
      d('scsi', 1000, 1, 2001),
    ]);
    expect(sorted.map((x) => `${x.bus || '?'}:${x.controllerKey}:${x.unitNumber}:${x.key}`)).toEqual([
      'scsi:1000:1:2001',
      'scsi:1000:1:2002',
      'scsi:1000:3:2000',
      'scsi:1001:0:2000',
      'sata:15000:0:2000',
      'sata:15000:1:2000',
      'ide:200:0:2000',
      'nvme:31000:0:2000',
      '?:1:0:2000',
    ]);
  });

  it('does not change its input', () => {
    const disks = [sourceDisk({ unitNumber: 1 }), sourceDisk({ unitNumber: 0 })];
    sortDisks(disks);
    expect(disks.map((x) => x.unitNumber)).toEqual([1, 0]);
  });
});

describe('rootDiskIndex', () => {
  it.each([
    ['/dev/sda', 0],
    ['/dev/sdb', 1],
    ['/dev/sdz', 25],
    ['/dev/sda1', 0],
    ['/dev/sdb2', 1],
    ['/dev/sdaa', 26],
    ['/dev/sdab', 27],
    [' /dev/sdc ', 2],
  ])('%s → %i', (path, index) => {
    expect(rootDiskIndex(path)).toBe(index);
    expect(rootDiskPath(index)).toBe(path.trim().replace(/\d+$/, ''));
  });

  it.each([undefined, '', '/dev/sd', 'sda', 'hd0', '/dev/vda', 'test'])(
    '%j is not a root disk path',
    (path) => {
      expect(rootDiskIndex(path)).toBeUndefined();
    },
  );
});

describe('disk file names', () => {
  it('extracts the file name of a backing', () => {
    expect(diskFileName('[ds1] web-1/web-1_1.vmdk')).toBe('web-1_1.vmdk');
    expect(diskFileName('[ds 2] a/b/c.vmdk')).toBe('c.vmdk');
    expect(diskFileName('plain.vmdk')).toBe('plain.vmdk');
  });

  it('strips the snapshot suffix only in warm mode', () => {
    expect(baseVolume('[ds1] web-1/web-1-000002.vmdk', true)).toBe('[ds1] web-1/web-1.vmdk');
    expect(baseVolume('[ds1] web-1/web-1-000002.vmdk', false)).toBe('[ds1] web-1/web-1-000002.vmdk');
  });
});

describe('sizes', () => {
  it.each([
    [0, '0'],
    [1000, '1000'],
    [1024, '1Ki'],
    [4096 * MiB, '4Gi'],
    [1536 * MiB, '1536Mi'],
    [20 * GiB + 512, String(20 * GiB + 512)],
    [1024 ** 5, '1Pi'],
  ])('%i bytes is %s', (bytes, quantity) => {
    expect(formatQuantity(bytes)).toBe(quantity);
  });

  it('rejects what is not a byte count', () => {
    expect(() => formatQuantity(-1)).toThrow(RangeError);
    expect(() => formatQuantity(1.5)).toThrow(RangeError);
  });

  it('aligns to 1 MiB', () => {
    expect(alignBytes(1)).toBe(MiB);
    expect(alignBytes(MiB)).toBe(MiB);
    expect(alignBytes(MiB + 1)).toBe(2 * MiB);
    expect(alignBytes(7, 0)).toBe(7);
  });

  it('adds filesystem overhead (5.5 % by default) or block overhead', () => {
    expect(claimSize(10 * GiB, 'Filesystem')).toBe(Math.ceil((10 * GiB) / 0.945));
    expect(claimSize(10 * GiB, undefined, { filesystemOverhead: 0.1 })).toBe(Math.ceil((10 * GiB) / 0.9));
    expect(claimSize(10 * GiB + 1, 'Block')).toBe(10 * GiB + MiB);
    expect(claimSize(10 * GiB, 'Block', { blockOverhead: 4096 })).toBe(10 * GiB + 4096);
    expect(() => claimSize(1, 'Filesystem', { filesystemOverhead: 1 })).toThrow(/\[0, 1\)/);
  });
});

function claimInput(over: Partial<DiskClaimInput> = {}): DiskClaimInput {
  return {
    vm: sourceVm(),
    disk: sourceDisk({ unitNumber: 1, capacity: 20 * GiB + 123 }),
    diskIndex: 1,
    plan: samplePlan(),
    storage: { storageClass: 'ceph-rbd', volumeMode: 'Block', accessMode: 'ReadWriteMany' },
    targetVmName: 'web-1',
    migrationUid: 'mig-uid',
    ...over,
  };
}

describe('buildDataVolume', () => {
  it("builds Forklift's DataVolume for a disk", () => {
    expect(buildDataVolume(claimInput())).toEqual({
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataVolume',
      metadata: {
        generateName: 'plan1-web-1-disk-1-',
        namespace: 'apps',
        labels: {
          migration: 'mig-uid',
          plan: '11111111-2222-3333-4444-555555555555',
          'plan-name': 'plan1',
          'plan-namespace': 'mtv',
          vmID: 'vm-1',
          vmUUID: '42301234-0000-0000-0000-000000000001',
        },
        annotations: {
          'forklift.konveyor.io/disk-source': '[ds1] web-1/web-1_1.vmdk',
          'forklift.konveyor.io/disk-index': '1',
          'cdi.kubevirt.io/storage.deleteAfterCompletion': 'false',
        },
      },
      spec: {
        source: { blank: {} },
        storage: {
          storageClassName: 'ceph-rbd',
          accessModes: ['ReadWriteMany'],
          volumeMode: 'Block',
          resources: { requests: { storage: '20481Mi' } },
        },
      },
    });
  });

  it('leaves access and volume modes to the StorageProfile when the pair does not set them, and marks shared disks', () => {
    const dv = buildDataVolume(
      claimInput({ storage: { storageClass: 'nfs' }, disk: sourceDisk({ shared: true }) }),
    );
    expect(dv.spec.storage).toEqual({
      storageClassName: 'nfs',
      resources: { requests: { storage: '20Gi' } },
    });
    expect(dv.metadata.labels?.shareable).toBe('true');
  });

  it('strips the snapshot suffix from disk-source in warm plans', () => {
    const dv = buildDataVolume(
      claimInput({
        plan: samplePlan({ type: 'warm' }),
        disk: sourceDisk({ file: '[ds1] web-1/web-1-000001.vmdk' }),
      }),
    );
    expect(dv.metadata.annotations?.['forklift.konveyor.io/disk-source']).toBe('[ds1] web-1/web-1.vmdk');
  });

  it('takes a source, e.g. VDDK', () => {
    const dv = buildDataVolume(claimInput(), {
      vddk: { backingFile: '[ds1] web-1/web-1_1.vmdk', uuid: 'u', secretRef: 's' },
    });
    expect(dv.spec.source).toEqual({
      vddk: { backingFile: '[ds1] web-1/web-1_1.vmdk', uuid: 'u', secretRef: 's' },
    });
  });
});

describe('diskClaimName', () => {
  it('gives the PVC template the disk and VM data', () => {
    expect(
      pvcTemplateVars(
        claimInput({ targetVmName: 'db01.prod', planVM: { id: 'vm-1', rootDisk: '/dev/sdb' } }),
      ),
    ).toEqual({
      VmName: 'web-1',
      TargetVmName: 'db01-prod',
      PlanName: 'plan1',
      DiskIndex: 1,
      RootDiskIndex: 1,
      Shared: false,
      FileName: 'web-1_1.vmdk',
      WinDriveLetter: '',
    });
  });

  it('uses the VM template over the plan template, and an exact name when generateName is off', () => {
    const plan = samplePlan({
      pvcNameTemplate: 'plan-{{.DiskIndex}}',
      pvcNameTemplateUseGenerateName: false,
    });
    expect(diskClaimName(claimInput({ plan }))).toEqual({ name: 'plan-1' });
    expect(
      diskClaimName(
        claimInput({
          plan,
          planVM: {
            id: 'vm-1',
            pvcNameTemplate: '{{.TargetVmName}}-{{if eq .DiskIndex .RootDiskIndex}}root{{else}}data{{end}}',
          },
        }),
      ),
    ).toEqual({
      name: 'web-1-data',
    });
  });

  it("falls back to Forklift's <plan>-<vmID>- when the default template cannot make a label", () => {
    const plan = samplePlan();
    plan.metadata.name = 'plan.v2';
    expect(diskClaimName(claimInput({ plan }))).toEqual({ generateName: 'plan.v2-vm-1-' });
  });

  it('rejects a user template that renders an invalid name, naming the field', () => {
    const plan = samplePlan({ pvcNameTemplate: '{{.VmName}}_{{.DiskIndex}}' });
    expect(() => diskClaimName(claimInput({ plan }))).toThrow(NameTemplateError);
    expect(() => diskClaimName(claimInput({ plan }))).toThrow(/spec\.pvcNameTemplate: renders to "web-1_1"/);
  });
});

describe('buildPersistentVolumeClaim', () => {
  it('sizes a Filesystem claim with overhead and keeps the Forklift metadata', () => {
    const pvc = buildPersistentVolumeClaim(
      claimInput({
        storage: { storageClass: 'local', volumeMode: 'Filesystem' },
        disk: sourceDisk({ capacity: 10 * GiB }),
      }),
    );
    expect(pvc.apiVersion).toBe('v1');
    expect(pvc.kind).toBe('PersistentVolumeClaim');
    expect(pvc.metadata.generateName).toBe('plan1-web-1-disk-1-');
    expect(pvc.metadata.annotations).toEqual({
      'forklift.konveyor.io/disk-source': '[ds1] web-1/web-1.vmdk',
      'forklift.konveyor.io/disk-index': '1',
    });
    expect(pvc.spec).toEqual({
      storageClassName: 'local',
      volumeMode: 'Filesystem',
      resources: { requests: { storage: String(Math.ceil((10 * GiB) / 0.945)) } },
    });
  });

  it('sizes a Block claim to the aligned capacity', () => {
    const pvc = buildPersistentVolumeClaim(claimInput({ disk: sourceDisk({ capacity: 10 * GiB - 1 }) }));
    expect(pvc.spec.resources.requests.storage).toBe('10Gi');
  });
});

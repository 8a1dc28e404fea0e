import { describe, expect, it } from 'vitest';
import { UsageError } from '../api/index.js';
import { deltaFromFlags } from '../cli/commands/transfer.js';
import { parseCutover } from '../cli/commands/cutover.js';
import { precopySettings } from '../cli/commands/controller.js';
import type { Disk } from '../providers/vsphere/model.js';
import { diskCopyInput, type DiskWork } from './cold-vm.js';
import { buildTransferJob, transferJobName } from './transfer-job.js';

const disk = { key: 2000, file: '[LocalDS_0] vm/vm.vmdk', capacity: 1024 } as Disk;
const work = {
  disk,
  name: 'vm-disk-0',
  claim: { storage: { storageClass: 'standard' } },
} as unknown as DiskWork;
const vm = { type: 'VirtualMachine', value: 'vm-42' };
const snapshot = { type: 'VirtualMachineSnapshot', value: 'snapshot-7' };

describe('warm precopy inputs', () => {
  it('reads the snapshot’s base file; a later round queries changes since the previous change id', () => {
    expect(diskCopyInput(work, {})).toEqual({ file: disk.file });
    const files = { 2000: '[LocalDS_0] vm/base.vmdk' };
    expect(diskCopyInput(work, { precopy: { round: 1, vm, snapshot, files } })).toEqual({
      file: '[LocalDS_0] vm/base.vmdk',
      round: 1,
      snapshot: 'snapshot-7',
    });
    expect(
      diskCopyInput(work, { precopy: { round: 3, vm, snapshot, files, previous: { 2000: '52 aa-bb/4' } } }),
    ).toEqual({
      file: '[LocalDS_0] vm/base.vmdk',
      round: 3,
      snapshot: 'snapshot-7',
      delta: { vm, snapshot, deviceKey: 2000, changeId: '52 aa-bb/4', capacityBytes: 1024 },
    });
    expect(() => diskCopyInput(work, { precopy: { round: 2, vm, snapshot, files, previous: {} } })).toThrow(
      /disk \[LocalDS_0\] vm\/vm\.vmdk \(key 2000\) has no change id in the previous precopy's .*turn it on \(config\.changeTrackingEnabled\) and restart the plan, or migrate the VM cold/,
    );
  });

  it('gives each round its own transfer Job, whose args carry the delta', () => {
    expect(transferJobName('vm-disk-0')).toBe('vm-disk-0-transfer');
    expect(transferJobName('vm-disk-0', 3)).toBe('vm-disk-0-transfer-3');
    // A long claim's cold Job keeps the name earlier versions gave it (an upgraded controller finds it).
    expect(transferJobName('x'.repeat(60))).toMatch(/^x{41}-[0-9a-f]{10}-transfer$/);
    const long = transferJobName('x'.repeat(60), 12);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/-transfer-12$/);
    const job = buildTransferJob({
      disk: work,
      namespace: 'ns',
      labels: { plan: 'p', vmID: 'vm-42' },
      datacenterPath: 'DC0',
      secretName: 's',
      settings: { image: 'mtv:1' },
      precopy: diskCopyInput(work, {
        precopy: { round: 2, vm, snapshot, files: { 2000: disk.file }, previous: { 2000: '52 aa-bb/1' } },
      }),
    });
    const spec = job.spec as { template: { spec: { containers: { args: string[] }[] } } };
    const args = spec.template.spec.containers[0]?.args ?? [];
    expect(job.metadata.name).toBe('vm-disk-0-transfer-2');
    expect(args.slice(args.indexOf('--round'))).toEqual([
      '--round',
      '2',
      '--snapshot',
      'snapshot-7',
      '--vm',
      'vm-42',
      '--disk-key',
      '2000',
      '--change-id',
      '52 aa-bb/1',
      '--capacity',
      '1024',
    ]);
  });

  it('mtv transfer disk takes the delta flags all together (with --round and --snapshot) or none', () => {
    const base = {
      sourceFile: 'f',
      datacenter: 'd',
      credentials: 'c',
      target: 't',
      checkpoint: 'k',
      write: () => undefined,
    };
    expect(deltaFromFlags(base)).toBeUndefined();
    expect(
      deltaFromFlags({
        ...base,
        round: '2',
        vm: 'vm-1',
        snapshot: 'snapshot-2',
        diskKey: '2000',
        changeId: '52 a-b/1',
        capacity: '4096',
      }),
    ).toEqual({
      vm: { type: 'VirtualMachine', value: 'vm-1' },
      snapshot: { type: 'VirtualMachineSnapshot', value: 'snapshot-2' },
      deviceKey: 2000,
      changeId: '52 a-b/1',
      capacityBytes: 4096,
    });
    expect(() => deltaFromFlags({ ...base, vm: 'vm-1' })).toThrow(
      /--disk-key, --change-id, --capacity, --snapshot, --round: a delta round needs/,
    );
    const full = { ...base, round: '2', vm: 'vm-1', snapshot: 's', changeId: 'c', capacity: '1' };
    expect(() => deltaFromFlags({ ...full, diskKey: 'x' })).toThrow(UsageError);
    expect(() => deltaFromFlags({ ...full, diskKey: '1', capacity: '0' })).toThrow(
      /--capacity.*must be a whole number of at least 1/s,
    );
  });

  it('parses cutover times with a zone into UTC, and names the flag otherwise', () => {
    expect(parseCutover('2026-11-22T19:30:00+01:00')).toBe('2026-11-22T18:30:00Z');
    expect(parseCutover('2026-11-22T18:30:00.250Z')).toBe('2026-11-22T18:30:00Z');
    for (const bad of ['tomorrow', '2026-11-22 18:30', '2026-11-22T18:30:00', '2026-13-40T99:00:00Z'])
      expect(() => parseCutover(bad)).toThrow(/--cutover.*must be an RFC 3339 time with a zone/s);
  });

  it('reads MTV_PRECOPY_INTERVAL in minutes (fractions allowed), refusing anything else', () => {
    expect(precopySettings({})).toEqual({});
    expect(precopySettings({ MTV_PRECOPY_INTERVAL: '60' })).toEqual({ precopyIntervalMs: 3_600_000 });
    expect(precopySettings({ MTV_PRECOPY_INTERVAL: '0.05' })).toEqual({ precopyIntervalMs: 3000 });
    for (const bad of ['0', '-1', 'hourly'])
      expect(() => precopySettings({ MTV_PRECOPY_INTERVAL: bad })).toThrow(
        /MTV_PRECOPY_INTERVAL.*positive number of minutes/s,
      );
  });
});

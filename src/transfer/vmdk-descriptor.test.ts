import { describe, expect, it } from 'vitest';
import { UnsupportedDiskError } from './errors.js';
import {
  DiskFileKind,
  parseSparseHeader,
  parseVmdkDescriptor,
  planVmdkCopy,
  sniffDiskFile,
} from './vmdk-descriptor.js';

// As vcsim writes them for its default VMs.
const vcsim = `# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=00000000
parentCID=00000000
createType="vmfs"


# Extent description (10.0GB capacity)
RW 20971520 VMFS "disk1-flat.vmdk"

# The Disk Data Base
#DDB
`;

// As ESXi writes them.
const esxiThin = `# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=fffffffe
parentCID=ffffffff
createType="vmfs"

# Extent description
RW 83886080 VMFS "rhel9-flat.vmdk"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.thinProvisioned = "1"
ddb.uuid = "60 00 C2 9a"
ddb.virtualHWVersion = "19"
`;

// As qemu-img writes them (padded with spaces and NULs).
const twoGbSparse = `# Disk DescriptorFile
version=1
CID=17e45a20
parentCID=ffffffff
createType="twoGbMaxExtentSparse"

# Extent description
RW 4192256 SPARSE "t-s001.vmdk"
RW 8192 SPARSE "t-s002.vmdk"

# The Disk Data Base
#DDB

ddb.adapterType = "ide"
${' '.repeat(40)}\0\0\0\0garbage`;

const monolithicFlat = `createType="monolithicFlat"
RW 2048 FLAT "m-flat.vmdk" 0
RW 1024 ZERO
RDONLY 1024 FLAT "m-flat.vmdk" 2048
`;

const snapshot = `CID=aaaaaaaa
parentCID=fffffffe
createType="vmfsSparse"
parentFileNameHint="rhel9.vmdk"
RW 83886080 VMFSSPARSE "rhel9-000001-delta.vmdk"
`;

describe('parseVmdkDescriptor', () => {
  it('reads a vcsim descriptor', () => {
    const d = parseVmdkDescriptor(vcsim);
    expect(d).toMatchObject({ createType: 'vmfs', cid: '00000000', capacityBytes: 10 * 1024 ** 3 });
    expect(d.extents).toEqual([
      { access: 'RW', sectors: 20971520, type: 'VMFS', file: 'disk1-flat.vmdk', offsetSectors: 0 },
    ]);
  });

  it('reads the disk database of an ESXi thin disk', () => {
    const d = parseVmdkDescriptor(esxiThin);
    expect(d.ddb['ddb.thinProvisioned']).toBe('1');
    expect(d.ddb['ddb.uuid']).toBe('60 00 C2 9a');
    expect(d.capacityBytes).toBe(40 * 1024 ** 3);
  });

  it('ignores NUL padding and sums several extents', () => {
    const d = parseVmdkDescriptor(twoGbSparse);
    expect(d.extents.map((e) => e.file)).toEqual(['t-s001.vmdk', 't-s002.vmdk']);
    expect(d.capacityBytes).toBe((4192256 + 8192) * 512);
  });

  it('reads FLAT offsets and ZERO extents', () => {
    const d = parseVmdkDescriptor(monolithicFlat);
    expect(d.extents.map((e) => [e.access, e.type, e.file, e.offsetSectors])).toEqual([
      ['RW', 'FLAT', 'm-flat.vmdk', 0],
      ['RW', 'ZERO', undefined, 0],
      ['RDONLY', 'FLAT', 'm-flat.vmdk', 2048],
    ]);
  });
});

describe('planVmdkCopy', () => {
  it.each([
    [vcsim, 'raw'],
    [esxiThin, 'raw'],
    [monolithicFlat, 'raw'],
    [twoGbSparse, 'convert'],
    ['createType="streamOptimized"\nRW 100 SPARSE "x.vmdk"', 'convert'],
    ['createType="monolithicSparse"\nparentCID=ffffffff\nRW 100 SPARSE "x.vmdk"', 'convert'],
  ])('%#: %s', (text, method) => {
    expect(planVmdkCopy(parseVmdkDescriptor(text), '[ds] x.vmdk').method).toBe(method);
  });

  it.each([
    [snapshot, /snapshot delta \(parent rhel9\.vmdk\)/],
    ['createType="vmfsRawDeviceMap"\nRW 100 VMFSRDM "x-rdm.vmdk"', /raw device mapping/],
    ['createType="seSparse"\nRW 100 SESPARSE "x-sesparse.vmdk"', /snapshot delta/],
    ['createType="custom"\nRW 100 FLAT "x"', /supported: vmfs, monolithicFlat/],
    ['createType="vmfs"\n', /lists no extents/],
    ['createType="vmfs"\nRW 100 SPARSE "x"', /extent type "SPARSE"/],
    ['createType="streamOptimized"\nRW 100 FLAT "x"', /extent type "FLAT"/],
    [
      'createType="monolithicSparse"\nparentCID=12345678\nparentFileNameHint="b.vmdk"\nRW 100 SPARSE "x"',
      /snapshot delta \(parent b\.vmdk\)/,
    ],
  ])('%#: refuses with a clear message', (text, message) => {
    const fn = (): unknown => planVmdkCopy(parseVmdkDescriptor(text), '[ds] vm/x.vmdk');
    expect(fn).toThrow(UnsupportedDiskError);
    expect(fn).toThrow(message);
    expect(fn).toThrow(/^disk \[ds\] vm\/x\.vmdk/);
  });
});

describe('sparse header', () => {
  function header(): Buffer {
    const b = Buffer.alloc(512);
    b.write('KDMV', 0, 'latin1');
    b.writeUInt32LE(3, 4);
    b.writeUInt32LE(0x30001, 8);
    b.writeBigUInt64LE(409600n, 12);
    b.writeBigUInt64LE(128n, 20);
    b.writeBigUInt64LE(1n, 28);
    b.writeBigUInt64LE(1n, 36);
    b.writeUInt16LE(1, 77);
    return b;
  }

  it('decodes a KDMV header', () => {
    expect(parseSparseHeader(header())).toEqual({
      version: 3,
      flags: 0x30001,
      capacitySectors: 409600,
      grainSectors: 128,
      descriptorOffsetSectors: 1,
      descriptorSizeSectors: 1,
      compressAlgorithm: 1,
    });
  });

  it('sniffs file kinds', () => {
    expect(sniffDiskFile(header())).toBe(DiskFileKind.HostedSparse);
    expect(sniffDiskFile(Buffer.from('COWD\x01'))).toBe(DiskFileKind.CowdSparse);
    expect(sniffDiskFile(Buffer.from(vcsim))).toBe(DiskFileKind.Descriptor);
    expect(parseSparseHeader(Buffer.from(vcsim))).toBeUndefined();
  });
});

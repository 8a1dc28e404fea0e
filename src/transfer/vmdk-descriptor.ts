/**
 * VMDK descriptors: the text that says how a virtual disk is stored (`createType`) and in which
 * files (extents), whether as its own `x.vmdk` file or embedded in a sparse extent; and the choice
 * of how mtv copies each kind.
 *
 * | createType | extents | how mtv copies it |
 * |---|---|---|
 * | `vmfs` (ESXi thick and thin disks) | one `VMFS` extent, `x-flat.vmdk` | raw: ranged reads of the extent |
 * | `monolithicFlat`, `twoGbMaxExtentFlat` | `FLAT` extents (and `ZERO`) | raw: extents concatenated |
 * | `streamOptimized` (OVA/export) | itself (binary, compressed grains) | download, `qemu-img convert -O raw` |
 * | `monolithicSparse` | itself (binary) | download, `qemu-img convert -O raw` |
 * | `twoGbMaxExtentSparse` | `SPARSE` extents `x-s001.vmdk`… | download all, `qemu-img convert -O raw` |
 *
 * Not supported, with an {@link UnsupportedDiskError}: snapshot deltas (`vmfsSparse`, `seSparse`,
 * `vsanSparse`, or any disk with a parent), raw device mappings and physical devices
 * (`vmfsRawDeviceMap`, `vmfsPassthroughRawDeviceMap`, `vmfsRaw`, `fullDevice`, `partitionedDevice`),
 * and anything else.
 *
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
import { UnsupportedDiskError } from './errors.js';

/**
 * Bytes per sector: the unit of every size in a descriptor.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export const sectorBytes = 512;

/**
 * One line of the descriptor's extent section, e.g. `RW 20971520 VMFS "vm-flat.vmdk"`.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export interface VmdkExtent {
  /** `RW`, `RDONLY` or `NOACCESS`. */
  access: string;
  /** Size in sectors of 512 bytes. */
  sectors: number;
  /** `FLAT`, `VMFS`, `SPARSE`, `VMFSSPARSE`, `ZERO`, `VMFSRDM`, `VMFSRAW`, `SESPARSE`, … */
  type: string;
  /** File name relative to the descriptor; undefined for `ZERO`. */
  file: string | undefined;
  /** Where the extent's data starts in its file, in sectors (`FLAT` only). @default 0 */
  offsetSectors: number;
}

/**
 * A parsed descriptor.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export interface VmdkDescriptor {
  /** e.g. `vmfs`, `streamOptimized`; `""` when missing. */
  createType: string;
  /** Content id, 8 hex digits. */
  cid: string | undefined;
  /** The parent's content id; `ffffffff` for a disk without a parent. */
  parentCid: string | undefined;
  /** The parent's descriptor (`parentFileNameHint`), for a delta disk. */
  parentFileNameHint: string | undefined;
  extents: VmdkExtent[];
  /** The disk database (`ddb.adapterType`, `ddb.thinProvisioned`, …), keys as written. */
  ddb: Record<string, string>;
  /** The disk's size: the extents' sectors added up, in bytes. */
  capacityBytes: number;
}

/**
 * Parses descriptor text (also the one embedded in a sparse extent, whose tail is NUL padding).
 * Unknown lines are ignored; sizes are not checked here (see {@link planVmdkCopy}).
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export function parseVmdkDescriptor(text: string): VmdkDescriptor {
  const fields = new Map<string, string>();
  const ddb: Record<string, string> = {};
  const extents: VmdkExtent[] = [];
  for (const raw of text.replace(/\0[\s\S]*$/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const extent = parseExtentLine(line);
    if (extent) {
      extents.push(extent);
      continue;
    }
    const kv = /^([A-Za-z][\w.]*)\s*=\s*(.*)$/.exec(line);
    if (!kv?.[1]) continue;
    const value = unquote(kv[2] ?? '');
    if (kv[1].startsWith('ddb.')) ddb[kv[1]] = value;
    else fields.set(kv[1], value);
  }
  return {
    createType: fields.get('createType') ?? '',
    cid: fields.get('CID'),
    parentCid: fields.get('parentCID'),
    parentFileNameHint: fields.get('parentFileNameHint'),
    extents,
    ddb,
    capacityBytes: extents.reduce((sum, e) => sum + e.sectors * sectorBytes, 0),
  };
}

function parseExtentLine(line: string): VmdkExtent | undefined {
  const m = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?/.exec(line);
  if (!m) return undefined;
  return {
    access: m[1] ?? 'RW',
    sectors: Number(m[2]),
    type: m[3] ?? '',
    file: m[4],
    offsetSectors: Number(m[5] ?? 0),
  };
}

function unquote(v: string): string {
  const t = v.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/**
 * The header of a hosted sparse extent (`KDMV`): monolithicSparse, streamOptimized, twoGbMaxExtentSparse parts.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export interface SparseExtentHeader {
  version: number;
  flags: number;
  /** The disk's size in sectors. */
  capacitySectors: number;
  /** Grain size in sectors (usually 128 = 64 KiB). */
  grainSectors: number;
  /** Where the embedded descriptor starts, in sectors; 0 when there is none. */
  descriptorOffsetSectors: number;
  /** Its size in sectors. */
  descriptorSizeSectors: number;
  /** 0 none, 1 deflate (streamOptimized). */
  compressAlgorithm: number;
}

/**
 * First bytes of a file, as a sniff of what it is.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export const DiskFileKind = {
  /** Text, presumably a descriptor. */
  Descriptor: 'descriptor',
  /** `KDMV`: a hosted sparse extent (monolithicSparse, streamOptimized). */
  HostedSparse: 'hostedSparse',
  /** `COWD`: an ESX 2.x / vmfsSparse delta. */
  CowdSparse: 'cowdSparse',
} as const;
/** One of {@link DiskFileKind}'s values. */
export type DiskFileKind = (typeof DiskFileKind)[keyof typeof DiskFileKind];

/**
 * Tells a descriptor from a sparse extent by its first four bytes.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export function sniffDiskFile(head: Buffer): DiskFileKind {
  const magic = head.subarray(0, 4).toString('latin1');
  if (magic === 'KDMV') return DiskFileKind.HostedSparse;
  if (magic === 'COWD') return DiskFileKind.CowdSparse;
  return DiskFileKind.Descriptor;
}

/**
 * Decodes a `KDMV` header (little-endian).
 * @returns undefined when `head` is shorter than 80 bytes or has no `KDMV` magic.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export function parseSparseHeader(head: Buffer): SparseExtentHeader | undefined {
  if (head.length < 80 || sniffDiskFile(head) !== DiskFileKind.HostedSparse) return undefined;
  const u64 = (at: number): number => Number(head.readBigUInt64LE(at));
  return {
    version: head.readUInt32LE(4),
    flags: head.readUInt32LE(8),
    capacitySectors: u64(12),
    grainSectors: u64(20),
    descriptorOffsetSectors: u64(28),
    descriptorSizeSectors: u64(36),
    compressAlgorithm: head.readUInt16LE(77),
  };
}

/**
 * How a disk's data gets into the target.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export const CopyMethod = {
  /** Ranged reads of raw extents, written as they are. */
  Raw: 'raw',
  /** Download the sparse file(s), then `qemu-img convert -O raw`. */
  Convert: 'convert',
} as const;
/** One of {@link CopyMethod}'s values. */
export type CopyMethod = (typeof CopyMethod)[keyof typeof CopyMethod];

/**
 * createTypes copied as raw extents.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export const rawCreateTypes: readonly string[] = ['vmfs', 'monolithicFlat', 'twoGbMaxExtentFlat'];
/**
 * createTypes converted with qemu-img.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export const convertCreateTypes: readonly string[] = [
  'streamOptimized',
  'monolithicSparse',
  'twoGbMaxExtentSparse',
];

const rawExtentTypes = new Set(['FLAT', 'VMFS', 'ZERO']);
const deltaTypes = new Set(['vmfsSparse', 'seSparse', 'vsanSparse']);
const deviceTypes = new Set([
  'vmfsRawDeviceMap',
  'vmfsPassthroughRawDeviceMap',
  'vmfsRaw',
  'fullDevice',
  'partitionedDevice',
]);

/**
 * How to copy a disk: the method, its size and its extents.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export interface VmdkCopyPlan {
  method: CopyMethod;
  createType: string;
  /** The disk's size in bytes (what the target will hold). */
  capacityBytes: number;
  extents: VmdkExtent[];
}

/**
 * Decides how to copy a disk from its descriptor (see the table at the top of this file).
 *
 * @param diskFile the descriptor's datastore path, for messages.
 * @throws {@link UnsupportedDiskError} for a delta disk, an RDM, a device, an unknown createType or
 * extent type, or a descriptor with no extents.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export function planVmdkCopy(desc: VmdkDescriptor, diskFile: string): VmdkCopyPlan {
  const { createType } = desc;
  const unsupported = (message: string, hint?: string): UnsupportedDiskError =>
    new UnsupportedDiskError(diskFile, createType || undefined, message, hint ? { hint } : undefined);
  // parentCID alone does not tell: vcsim writes 00000000 for base disks, ESXi ffffffff
  if (deltaTypes.has(createType) || desc.parentFileNameHint !== undefined) {
    throw unsupported(
      `is a snapshot delta (parent ${desc.parentFileNameHint ?? desc.parentCid ?? '?'}), not a whole disk`,
      "remove or consolidate the VM's snapshots, or copy from the base disk with change tracking (warm migration)",
    );
  }
  if (deviceTypes.has(createType)) {
    throw unsupported(
      'is a raw device mapping or physical device; its data is not on the datastore',
      'migrate the LUN itself',
    );
  }
  const known = [...rawCreateTypes, ...convertCreateTypes];
  if (!known.includes(createType)) {
    throw unsupported(
      `createType is not one mtv can copy; supported: ${known.join(', ')}`,
      'check that the file is a VMDK descriptor',
    );
  }
  if (desc.extents.length === 0) throw unsupported('the descriptor lists no extents');
  const method = rawCreateTypes.includes(createType) ? CopyMethod.Raw : CopyMethod.Convert;
  const allowed = method === CopyMethod.Raw ? rawExtentTypes : new Set(['SPARSE']);
  const bad = desc.extents.find((e) => !allowed.has(e.type) || (e.type !== 'ZERO' && !e.file));
  if (bad) throw unsupported(`extent type "${bad.type}" is not valid for this createType`);
  return { method, createType, capacityBytes: desc.capacityBytes, extents: desc.extents };
}

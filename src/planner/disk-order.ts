/**
 * The order of a VM's disks on the target, which fixes disk indices (`DiskIndex` of the PVC name
 * template, `vol-N` volume names) and which disk boots: Forklift's "libvirt" order — SCSI disks,
 * then SATA, then IDE (then any other bus, e.g. NVMe, then disks whose bus is unknown), each group
 * by controller key, unit number and device key.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/adapter/vsphere/builder.go (mapDisks)
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/util/utils.go (GetBootDiskNumber)
 */
import type { Disk } from '../providers/vsphere/model.js';

const busRank: Readonly<Record<string, number>> = { scsi: 0, sata: 1, ide: 2, nvme: 3 };

function rank(bus: string): number {
  return busRank[bus] ?? 4;
}

/** The disks in target order (a new array; the input is not changed). */
export function sortDisks<D extends Pick<Disk, 'bus' | 'controllerKey' | 'unitNumber' | 'key'>>(
  disks: readonly D[],
): D[] {
  return [...disks].sort(
    (a, b) =>
      rank(a.bus) - rank(b.bus) ||
      a.controllerKey - b.controllerKey ||
      a.unitNumber - b.unitNumber ||
      a.key - b.key,
  );
}

/**
 * The 0-based index (in {@link sortDisks} order) of the disk a plan VM's `rootDisk` names.
 *
 * Forklift's `rootDisk` is a guest device path as virt-v2v sees the converted disks:
 * `/dev/sda` is disk 0, `/dev/sdb` disk 1, … `/dev/sdz` 25, `/dev/sdaa` 26 (Forklift itself reads
 * only the first letter, so it boots disk 0 for `/dev/sdaa`; mtv reads the whole suffix).
 * A partition number after the letters is ignored (`/dev/sdb2` → 1).
 *
 * @returns the index, or undefined when `rootDisk` is empty or not of that form (Forklift then
 *   boots disk 0).
 */
export function rootDiskIndex(rootDisk: string | undefined): number | undefined {
  const m = /^\/dev\/sd([a-z]+)\d*$/.exec(rootDisk?.trim() ?? '');
  if (!m) return undefined;
  let n = 0;
  for (const c of m[1] ?? '') n = n * 26 + (c.charCodeAt(0) - 96);
  return n - 1;
}

/** The `/dev/sdX` path of a 0-based disk index (the inverse of {@link rootDiskIndex}). */
export function rootDiskPath(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(97 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `/dev/sd${letters}`;
}

/** The file name of a disk backing, e.g. `[ds1] web/web_1.vmdk` → `web_1.vmdk`. */
export function diskFileName(file: string): string {
  const path = file.replace(/^\[[^\]]*\]\s*/, '');
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The backing file a disk is known by across snapshots. Warm migrations take snapshots, which
 * rename the current backing to `name-000001.vmdk`; Forklift strips that suffix in warm mode only.
 */
export function baseVolume(file: string, warm: boolean): string {
  return warm ? file.replace(/-\d{6}\.vmdk$/, '.vmdk') : file;
}

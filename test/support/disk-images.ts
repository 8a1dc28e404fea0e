/**
 * Real disk content for transfer tests and benchmarks, built with qemu-img and mkfs.ext4, and placed
 * on a vcsim datastore: raw images (an ext4 file system with files, random blocks with long zero
 * runs), VMFS descriptors with their `-flat.vmdk` extents, stream-optimized and split sparse VMDKs.
 * Each helper returns the sha256 of the logical content the copy must produce.
 *
 * Needs `qemu-img` (Debian: qemu-utils) and `mkfs.ext4` (e2fsprogs).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, writeSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { inventoryFilterSpec, VSphereClient } from '../../src/providers/vsphere/index.js';
import { parseDatastorePath } from '../../src/transfer/datastore-path.js';
import type { Vcsim } from './vcsim.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

/** A file of disk content and what it must hash to. */
export interface DiskImage {
  /** Local path. */
  path: string;
  /** The logical size in bytes (the disk's capacity). */
  bytes: number;
  /** sha256 (hex) of the logical content: all `bytes`, holes read as zeros. */
  sha256: string;
}

/** sha256 (hex) of a file's first `bytes` bytes (default: all of it); holes read as zeros. */
export async function sha256File(file: string, bytes?: number): Promise<string> {
  const hash = createHash('sha256');
  const end = bytes === undefined ? undefined : bytes - 1;
  for await (const chunk of createReadStream(file, { start: 0, end, highWaterMark: 8 * MiB })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** A tool in PATH, or in the sbin folders root's PATH has but a test runner's may not. */
function tool(name: string): string {
  for (const dir of ['/usr/sbin', '/sbin']) if (existsSync(path.join(dir, name))) return path.join(dir, name);
  return name;
}

/**
 * A raw image with an ext4 file system holding some files (text and random data), made with
 * `qemu-img create -f raw` and `mkfs.ext4 -d`.
 *
 * @param sizeMiB image size in MiB. @default 64
 * @param files files to create, each 4–260 KiB of random bytes plus a text file. @default 24
 */
export async function ext4Image(dir: string, name: string, sizeMiB = 64, files = 24): Promise<DiskImage> {
  const content = path.join(dir, `${name}.content`);
  await mkdir(path.join(content, 'data'), { recursive: true });
  await writeFile(path.join(content, 'hello.txt'), `written by mtv's transfer tests: ${name}\n`);
  for (let i = 0; i < files; i++) {
    await writeFile(path.join(content, 'data', `file-${i}.bin`), randomBytes(4096 * (1 + ((i * 7) % 65))));
  }
  const img = path.join(dir, `${name}.raw`);
  await run('qemu-img', ['create', '-q', '-f', 'raw', img, `${sizeMiB}M`]);
  await run(tool('mkfs.ext4'), [
    '-q',
    '-F',
    '-b',
    '4096',
    '-m',
    '0',
    '-L',
    name.slice(0, 16),
    '-d',
    content,
    img,
  ]);
  return { path: img, bytes: sizeMiB * MiB, sha256: await sha256File(img) };
}

/**
 * A raw image of random blocks separated by long zero runs: `dataFraction` of its `blockBytes`
 * blocks (chosen with a seeded generator, so runs of zeros are long) hold random bytes, the rest
 * are holes.
 *
 * @param bytes image size, a multiple of `blockBytes`.
 * @param dataFraction 0–1; 1 makes a fully random disk.
 * @param blockBytes @default 1 MiB
 */
export async function zeroRunImage(
  dir: string,
  name: string,
  bytes: number,
  dataFraction: number,
  blockBytes = MiB,
): Promise<DiskImage> {
  const img = path.join(dir, `${name}.raw`);
  const fh = await open(img, 'w');
  try {
    await fh.truncate(bytes);
    const blocks = bytes / blockBytes;
    const next = mulberry32(blocks);
    let position = 0;
    while (position < bytes) {
      // runs of 1–16 blocks, data with probability dataFraction
      const run = Math.min(blocks - position / blockBytes, 1 + Math.floor(next() * 16)) * blockBytes;
      if (next() < dataFraction) {
        for (let at = position; at < position + run; at += blockBytes)
          await fh.write(randomBytes(blockBytes), 0, blockBytes, at);
      }
      position += run;
    }
  } finally {
    await fh.close();
  }
  return { path: img, bytes, sha256: await sha256File(img) };
}

/** A small deterministic PRNG (mulberry32), numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Converts a raw image into a VMDK with `qemu-img convert -O vmdk -o subformat=<subformat>`.
 * @param subformat `streamOptimized` (one file) or `twoGbMaxExtentSparse` (a descriptor plus `-s001.vmdk`… files).
 * @returns the VMDK files made, the descriptor (or single file) first.
 */
export async function vmdkFromRaw(
  raw: string,
  out: string,
  subformat: 'streamOptimized' | 'twoGbMaxExtentSparse',
): Promise<string[]> {
  await run('qemu-img', [
    'convert',
    '-q',
    '-f',
    'raw',
    '-O',
    'vmdk',
    '-o',
    `subformat=${subformat}`,
    raw,
    out,
  ]);
  const stem = path.basename(out, '.vmdk');
  const parts = (await readdir(path.dirname(out))).filter(
    (f) => f.startsWith(`${stem}-s`) && f.endsWith('.vmdk'),
  );
  return [out, ...parts.sort().map((f) => path.join(path.dirname(out), f))];
}

/**
 * The descriptor ESXi writes for a disk on VMFS (`createType="vmfs"`, one `VMFS` extent).
 * @param bytes the disk's capacity, a multiple of 512.
 */
export function vmfsDescriptor(flatName: string, bytes: number): string {
  const sectors = bytes / 512;
  return [
    '# Disk DescriptorFile',
    'version=1',
    'encoding="UTF-8"',
    'CID=fffffffe',
    'parentCID=ffffffff',
    'createType="vmfs"',
    '',
    '# Extent description',
    `RW ${sectors} VMFS "${flatName}"`,
    '',
    '# The Disk Data Base',
    '#DDB',
    '',
    'ddb.adapterType = "lsilogic"',
    `ddb.geometry.cylinders = "${Math.max(1, Math.floor(sectors / (255 * 63)))}"`,
    'ddb.geometry.heads = "255"',
    'ddb.geometry.sectors = "63"',
    'ddb.thinProvisioned = "1"',
    'ddb.virtualHWVersion = "19"',
    '',
  ].join('\n');
}

/** The local directory behind a vcsim datastore (its `info.url`). */
export async function datastoreDirectory(sim: Vcsim, datastore = 'LocalDS_0'): Promise<string> {
  const c = await VSphereClient.connect({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
  });
  try {
    const found = await c.retrieveProperties(
      inventoryFilterSpec(c.serviceContent.rootFolder, [
        { type: 'Datastore', pathSet: ['name', 'info.url'] },
      ]),
    );
    const ds = found.find((o) => o.props.name === datastore);
    const url = ds?.props['info.url'];
    if (typeof url !== 'string') throw new Error(`datastore ${datastore} has no info.url`);
    return url;
  } finally {
    await c.close();
  }
}

/**
 * Uploads a local file (or a string) to a vcsim datastore with `PUT /folder/<path>`, as a client of
 * a real vCenter would (vcsim creates missing folders).
 *
 * @param dsPath e.g. `vm1/vm1.vmdk`.
 */
export async function putDatastoreFile(
  sim: Vcsim,
  dsPath: string,
  content: { file: string } | { text: string },
  datastore = 'LocalDS_0',
): Promise<void> {
  const url = new URL(`/folder/${dsPath.split('/').map(encodeURIComponent).join('/')}`, sim.url);
  url.searchParams.set('dcPath', 'DC0');
  url.searchParams.set('dsName', datastore);
  const length = 'file' in content ? (await stat(content.file)).size : Buffer.byteLength(content.text);
  const auth = Buffer.from(`${sim.username}:${sim.password}`).toString('base64');
  await new Promise<void>((resolve, reject) => {
    const req = https.request(url, {
      method: 'PUT',
      ca: sim.caCert,
      headers: {
        'Content-Length': length,
        'Content-Type': 'application/octet-stream',
        Authorization: `Basic ${auth}`,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
        if (ok) resolve();
        else reject(new Error(`PUT ${url.pathname}: HTTP ${res.statusCode ?? 0}`));
      });
    });
    if ('file' in content) createReadStream(content.file).pipe(req);
    else req.end(content.text);
  });
}

/**
 * Puts a raw image on a vcsim datastore as an ESXi disk: the descriptor `<name>.vmdk` by PUT, and
 * the image as `<name>-flat.vmdk` straight into the datastore's directory (moved when `move`, for
 * large images; copied otherwise).
 *
 * @param folder the VM's folder on the datastore, e.g. `vm1`.
 * @returns the disk's backing fileName, `[LocalDS_0] <folder>/<name>.vmdk`.
 */
export async function placeFlatDisk(
  sim: Vcsim,
  datastoreDir: string,
  folder: string,
  name: string,
  image: DiskImage,
  move = false,
): Promise<string> {
  await mkdir(path.join(datastoreDir, folder), { recursive: true });
  const flat = path.join(datastoreDir, folder, `${name}-flat.vmdk`);
  if (move) await rename(image.path, flat);
  else await copyFile(image.path, flat);
  await putDatastoreFile(sim, `${folder}/${name}.vmdk`, {
    text: vmfsDescriptor(`${name}-flat.vmdk`, image.bytes),
  });
  return `[LocalDS_0] ${folder}/${name}.vmdk`;
}

/**
 * Places `image` as the raw extent of the VM disk whose backing `fileName` is `diskFile`
 * (`[LocalDS_0] vm/disk1.vmdk`; see {@link placeFlatDisk}).
 * @returns the extent's local path (`<datastoreDir>/vm/disk1-flat.vmdk`), which tests write to as
 *   the running guest would
 */
export async function placeDiskImage(
  sim: Vcsim,
  datastoreDir: string,
  diskFile: string,
  image: DiskImage,
): Promise<string> {
  const where = parseDatastorePath(diskFile).path;
  await placeFlatDisk(
    sim,
    datastoreDir,
    path.posix.dirname(where),
    path.posix.basename(where, '.vmdk'),
    image,
  );
  return flatExtentPath(datastoreDir, diskFile);
}

/** The local path of the raw extent {@link placeDiskImage} places for `diskFile`. */
export function flatExtentPath(datastoreDir: string, diskFile: string): string {
  const where = parseDatastorePath(diskFile).path;
  return path.join(
    datastoreDir,
    path.posix.dirname(where),
    `${path.posix.basename(where, '.vmdk')}-flat.vmdk`,
  );
}

/**
 * Uploads VMDK files (from {@link vmdkFromRaw}) into one datastore folder by PUT.
 * @returns the backing fileName of the first (the descriptor), `[LocalDS_0] <folder>/<file>`.
 */
export async function placeVmdkFiles(sim: Vcsim, folder: string, files: string[]): Promise<string> {
  for (const f of files) await putDatastoreFile(sim, `${folder}/${path.basename(f)}`, { file: f });
  return `[LocalDS_0] ${folder}/${path.basename(files[0] ?? '')}`;
}

/** A VM as `get inventory vm -o json` prints it, as far as disk filling needs. */
export interface InventoryVmDisks {
  id: string;
  name: string;
  disks: { key: number; file: string }[];
}

/**
 * Gives every disk of every VM its own ext4 image (the first disk 24 MiB, the others 16 MiB),
 * placed in the vcsim datastore behind the disk's descriptor.
 * @returns the images by `<vm id>/<disk key>`
 */
export async function fillVmDisks(
  sim: Vcsim,
  dir: string,
  vms: readonly InventoryVmDisks[],
): Promise<Map<string, DiskImage>> {
  const dsDir = await datastoreDirectory(sim);
  const images = new Map<string, DiskImage>();
  for (const vm of vms) {
    for (const [i, disk] of vm.disks.entries()) {
      const image = await ext4Image(
        dir,
        `${vm.name}-${String(disk.key)}`,
        i === 0 ? 24 : 16,
        i === 0 ? 8 : 4,
      );
      await placeDiskImage(sim, dsDir, disk.file, image);
      images.set(`${vm.id}/${String(disk.key)}`, image);
    }
  }
  return images;
}

/**
 * Overwrites `length` bytes of `file` at `offset` with random bytes, in place: a running guest
 * writing its disk (the raw extent from {@link placeDiskImage}).
 */
export function guestWrites(file: string, offset: number, length: number): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(length), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

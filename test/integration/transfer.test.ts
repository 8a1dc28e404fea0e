/**
 * The disk data path against real peers: govmomi's vcsim serving its datastore over HTTPS (ranged
 * GETs, HEAD, PUT), real disk images made with qemu-img and mkfs.ext4, qemu-img for conversion,
 * and (when this runs as root with loop devices) a real block device as the target.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/api/errors.js';
import {
  asArray,
  asObject,
  asString,
  inventoryFilterSpec,
  VSphereClient,
  VSphereTlsError,
} from '../../src/providers/vsphere/index.js';
import {
  copyVmdk,
  DatastoreReader,
  readCheckpoint,
  UnsupportedDiskError,
  type DatastoreAccess,
  type TransferProgress,
} from '../../src/transfer/index.js';
import {
  datastoreDirectory,
  ext4Image,
  placeFlatDisk,
  placeVmdkFiles,
  sha256File,
  vmdkFromRaw,
  vmfsDescriptor,
  zeroRunImage,
  type DiskImage,
} from '../support/disk-images.js';
import { startVcsim, type Vcsim } from '../support/vcsim.js';

const MiB = 1024 * 1024;
let sim: Vcsim;
let work: string;
let dsDir: string;
let cookie: string;
const readers: DatastoreReader[] = [];

/** Logs in with a bare vim25 Login and returns the `vmware_soap_session` cookie it sets. */
function loginCookie(s: Vcsim): Promise<string> {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:urn="urn:vim25"><soapenv:Body><urn:Login><urn:_this type="SessionManager">SessionManager</urn:_this>' +
    `<urn:userName>${s.username}</urn:userName><urn:password>${s.password}</urn:password></urn:Login></soapenv:Body></soapenv:Envelope>`;
  return new Promise((resolve, reject) => {
    const req = https.request(s.url, {
      method: 'POST',
      ca: s.caCert,
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: 'urn:vim25/8.0.2.0' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      const c = (res.headers['set-cookie'] ?? [])
        .map((v) => v.split(';')[0] ?? '')
        .find((v) => v.startsWith('vmware_soap_session='));
      if (res.statusCode === 200 && c) resolve(c);
      else reject(new Error(`Login: HTTP ${res.statusCode ?? 0}, no session cookie`));
    });
    req.end(body);
  });
}

function reader(extra: Partial<DatastoreAccess> = {}): DatastoreReader {
  const r = new DatastoreReader({
    url: sim.url,
    datacenterPath: 'DC0',
    caCert: sim.caCert,
    sessionCookie: cookie,
    username: sim.username,
    password: sim.password,
    retry: { retries: 2, baseDelayMs: 50, maxDelayMs: 200 },
    ...extra,
  });
  readers.push(r);
  return r;
}

const target = (name: string): string => path.join(work, 'volumes', 'ns1', name, 'disk.img');

beforeAll(async () => {
  sim = await startVcsim({ vmsPerHost: 1 });
  work = mkdtempSync(path.join(tmpdir(), 'mtv-transfer-'));
  dsDir = await datastoreDirectory(sim);
  cookie = await loginCookie(sim);
}, 300_000);

afterAll(async () => {
  for (const r of readers) r.close();
  await sim.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('raw (vmfs) disks', () => {
  let ext4: DiskImage;
  let diskFile: string;
  beforeAll(async () => {
    ext4 = await ext4Image(work, 'ext4disk', 64);
    diskFile = await placeFlatDisk(sim, dsDir, 'vm-ext4', 'vm-ext4', ext4);
  }, 120_000);

  it('copies a flat VMDK with an ext4 file system byte for byte', async () => {
    const t = target('ext4');
    const progress: TransferProgress[] = [];
    const r = await copyVmdk(reader(), diskFile, t, { onProgress: (p) => progress.push(p) });
    expect(r).toMatchObject({ createType: 'vmfs', method: 'raw', bytes: ext4.bytes, resumedFrom: 0 });
    expect(r.sha256).toBe(ext4.sha256);
    expect(await sha256File(path.join(dsDir, 'vm-ext4', 'vm-ext4-flat.vmdk'))).toBe(ext4.sha256);
    expect(await sha256File(t)).toBe(ext4.sha256);
    expect(progress.at(-1)).toMatchObject({ phase: 'copy', bytesDone: ext4.bytes, etaSeconds: 0 });
  });

  it('leaves a 90%-zero disk sparse', async () => {
    const img = await zeroRunImage(work, 'sparse90', 256 * MiB, 0.1);
    const file = await placeFlatDisk(sim, dsDir, 'vm-sparse', 'vm-sparse', img);
    const t = target('sparse');
    const r = await copyVmdk(reader(), file, t);
    expect(r.sha256).toBe(img.sha256);
    const allocated = statSync(t).blocks * 512;
    expect(statSync(t).size).toBe(img.bytes);
    expect(allocated).toBeLessThan(img.bytes * 0.25);
    expect(Math.abs(img.bytes - allocated - r.sparseBytes)).toBeLessThan(MiB); // file system metadata aside
  });

  it('resumes an interrupted copy, fetching only the remainder', async () => {
    const img = await zeroRunImage(work, 'resume', 128 * MiB, 1);
    const file = await placeFlatDisk(sim, dsDir, 'vm-resume', 'vm-resume', img);
    const t = target('resume');
    const rd = reader();
    const ac = new AbortController();
    const first = copyVmdk(rd, file, t, {
      chunkBytes: 4 * MiB,
      progressIntervalMs: 0,
      signal: ac.signal,
      onProgress: (p) => p.bytesDone >= 40 * MiB && ac.abort(new Error('operator cancelled')),
    });
    await expect(first).rejects.toThrow('operator cancelled');
    const cp = await readCheckpoint(`${t}.mtv-checkpoint.json`);
    expect(cp).toMatchObject({ complete: false, offset: 40 * MiB });

    const descriptorBytes = Buffer.byteLength(vmfsDescriptor('vm-resume-flat.vmdk', img.bytes));
    const before = rd.bytesFetched;
    const r = await copyVmdk(rd, file, t, { chunkBytes: 4 * MiB });
    expect(r).toMatchObject({ resumedFrom: 40 * MiB, copiedBytes: img.bytes - 40 * MiB, sha256: img.sha256 });
    expect(rd.bytesFetched - before).toBe(descriptorBytes + img.bytes - 40 * MiB);
    expect(await sha256File(t)).toBe(img.sha256);

    const between = rd.bytesFetched;
    const again = await copyVmdk(rd, file, t);
    expect(again).toMatchObject({ resumedFrom: img.bytes, copiedBytes: 0, sha256: img.sha256 });
    expect(rd.bytesFetched - between).toBe(descriptorBytes); // the descriptor only
  });

  it('writes a block device in place (raw copy and conversion), zeros included, never truncating it', async (ctx) => {
    if (process.getuid?.() !== 0) ctx.skip();
    const backing = path.join(work, 'loop-backing.img');
    writeFileSync(backing, Buffer.alloc(48 * MiB, 0xaa)); // old content the copy must overwrite
    let dev = '';
    try {
      dev = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8' }).trim();
    } catch {
      ctx.skip();
    }
    try {
      const img = await zeroRunImage(work, 'blockdev', 32 * MiB, 0.3);
      const file = await placeFlatDisk(sim, dsDir, 'vm-block', 'vm-block', img);
      const cpPath = path.join(work, 'block.checkpoint.json');
      await expect(copyVmdk(reader(), file, dev)).rejects.toThrow(/checkpointPath: is required/);
      const r = await copyVmdk(reader(), file, dev, { checkpointPath: cpPath });
      expect(r).toMatchObject({ sha256: img.sha256, sparseBytes: 0 });
      expect(await sha256File(dev, img.bytes)).toBe(img.sha256);
      expect(
        readFileSync(backing)
          .subarray(40 * MiB, 40 * MiB + 8)
          .every((b) => b === 0xaa),
      ).toBe(true);

      // qemu-img writes into the device as it is (-n), zero areas over the data copied above
      const img2 = await zeroRunImage(work, 'blockdev-so', 24 * MiB, 0.5);
      const so = await vmdkFromRaw(img2.path, path.join(work, 'vm-blockso.vmdk'), 'streamOptimized');
      const soFile = await placeVmdkFiles(sim, 'vm-blockso', so);
      const c = await copyVmdk(reader(), soFile, dev, {
        checkpointPath: path.join(work, 'block-so.checkpoint.json'),
      });
      expect(c).toMatchObject({ method: 'convert', sha256: img2.sha256, sparseBytes: 0 });
      expect(await sha256File(dev, img2.bytes)).toBe(img2.sha256);
    } finally {
      execFileSync('losetup', ['-d', dev]);
    }
  });
});

describe('converted disks', () => {
  let ext4: DiskImage;
  beforeAll(async () => {
    ext4 = await ext4Image(work, 'ext4conv', 64);
  }, 120_000);

  it('converts a streamOptimized VMDK to the same logical content, then returns at once', async () => {
    const files = await vmdkFromRaw(ext4.path, path.join(work, 'vm-so.vmdk'), 'streamOptimized');
    const diskFile = await placeVmdkFiles(sim, 'vm-so', files);
    const t = target('stream');
    const phases = new Set<string>();
    const r = await copyVmdk(reader(), diskFile, t, { onProgress: (p) => phases.add(p.phase) });
    expect(r).toMatchObject({
      createType: 'streamOptimized',
      method: 'convert',
      bytes: ext4.bytes,
      sha256: ext4.sha256,
    });
    expect([...phases]).toEqual(['download', 'convert', 'verify']);
    expect(await sha256File(t)).toBe(ext4.sha256);
    expect(statSync(t).blocks * 512).toBeLessThan(ext4.bytes);
    expect(existsSync(`${t}.mtv-download`)).toBe(false);
    const again = await copyVmdk(reader(), diskFile, t);
    expect(again).toMatchObject({ resumedFrom: ext4.bytes, copiedBytes: 0, sha256: ext4.sha256 });
  });

  it('converts a twoGbMaxExtentSparse VMDK (descriptor plus extent files)', async () => {
    const files = await vmdkFromRaw(ext4.path, path.join(work, 'vm-2g.vmdk'), 'twoGbMaxExtentSparse');
    expect(files.length).toBeGreaterThan(1);
    const diskFile = await placeVmdkFiles(sim, 'vm-2g', files);
    const r = await copyVmdk(reader(), diskFile, target('twogb'));
    expect(r).toMatchObject({ createType: 'twoGbMaxExtentSparse', method: 'convert', sha256: ext4.sha256 });
  });
});

describe('failures', () => {
  it('reports an untrusted certificate as a TLS error with its fingerprint', async () => {
    const otherCa = path.join(work, 'other-ca');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=not-vcsim',
        '-keyout',
        `${otherCa}.key`,
        '-out',
        `${otherCa}.pem`,
      ],
      { stdio: 'ignore' },
    );
    const r = reader({ caCert: readFileSync(`${otherCa}.pem`, 'utf8') });
    const e: unknown = await r.stat('[LocalDS_0] vm-ext4/vm-ext4.vmdk').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VSphereTlsError);
    expect((e as VSphereTlsError).fingerprint).toBe(sim.fingerprint);
    expect((e as VSphereTlsError).message).toMatch(/is not trusted/);
    const insecure = reader({ caCert: undefined, insecureSkipVerify: true });
    expect((await insecure.stat('[LocalDS_0] vm-ext4/vm-ext4.vmdk')).size).toBeGreaterThan(0);
  });

  it('names the datastore path of a missing descriptor or extent', async () => {
    const e: unknown = await copyVmdk(reader(), '[LocalDS_0] nowhere/nothing.vmdk', target('missing')).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as Error).message).toBe('datastore file "[LocalDS_0] nowhere/nothing.vmdk" not found');

    writeFileSync(path.join(work, 'orphan.vmdk'), vmfsDescriptor('orphan-flat.vmdk', MiB));
    await placeVmdkFiles(sim, 'vm-orphan', [path.join(work, 'orphan.vmdk')]);
    await expect(copyVmdk(reader(), '[LocalDS_0] vm-orphan/orphan.vmdk', target('orphan'))).rejects.toThrow(
      'datastore file "[LocalDS_0] vm-orphan/orphan-flat.vmdk" not found',
    );
  });

  it('refuses the truncated extent of a vcsim VM disk unless told to read it as zeros', async () => {
    const c = await VSphereClient.connect({
      url: sim.url,
      username: sim.username,
      password: sim.password,
      caCert: sim.caCert,
    });
    const vms = await c.retrieveProperties(
      inventoryFilterSpec(c.serviceContent.rootFolder, [
        { type: 'VirtualMachine', pathSet: ['config.hardware.device'] },
      ]),
    );
    await c.close();
    const devices = asArray(vms[0]?.props['config.hardware.device']).map((d) => asObject(d) ?? {});
    const disk = devices.find((d) => d._type === 'VirtualDisk');
    const diskFile = asString(asObject(disk?.backing)?.fileName); // e.g. [LocalDS_0] DC0_H0_VM0/disk1.vmdk
    expect(diskFile).toMatch(/^\[LocalDS_0\] .+\.vmdk$/);
    const e: unknown = await copyVmdk(reader(), diskFile ?? '', target('vcsim-vm')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnsupportedDiskError);
    expect((e as UnsupportedDiskError).message).toMatch(
      /-flat\.vmdk has 0 bytes, the descriptor needs 10737418240/,
    );
    expect((e as UnsupportedDiskError).hint).toMatch(/allowShortExtent/);
  });

  it('rejects a file that is not a descriptor, pointing at the right one', async () => {
    const e: unknown = await copyVmdk(
      reader(),
      '[LocalDS_0] vm-ext4/vm-ext4-flat.vmdk',
      target('flat'),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnsupportedDiskError);
    expect((e as UnsupportedDiskError).hint).toMatch(/not the "x-flat\.vmdk" extent/);
  });
});

/**
 * Benchmark (not a test): copying a disk from vcsim's datastore HTTP interface with mtv's transfer
 * path (`copyVmdk`: ranged GETs, read-ahead, sha256 on a worker, holes, checkpoints with fdatasync)
 * against `curl` fetching the same `-flat.vmdk` extent to the same file system, for a fully random
 * disk and a 90%-zeros disk. Runs alternate between the two; figures are medians. A third figure,
 * mtv's ranged reader alone (data discarded), separates Node's HTTPS cost from hashing and writing.
 * CPU figures (core-seconds per GiB: mtv's process with its threads, curl's process) hold better
 * than rates on a machine that is busy with other work; vcsim's own CPU is in neither.
 *
 *   npx tsx scripts/bench/transfer.ts [--mib 1024] [--runs 3] [--chunk-mib 16] [--read-ahead 4]
 *     [--sync-every-mib 256]
 *
 * `--chunk-mib`, `--read-ahead` and `--sync-every-mib` (0: only the final fdatasync) set the
 * `CopyOptions` of the same names; their defaults are the library's.
 *
 * Needs curl, and Go for vcsim (scripts/vcsim-testbed.sh builds it).
 * Mind that mtv hashes the target and syncs it at the end, which curl does not do; "curl+sync" adds
 * a `sync -d` of curl's output to its time.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyVmdk, DatastoreReader, datastoreFileUrl } from '../../src/transfer/index.js';
import {
  datastoreDirectory,
  placeFlatDisk,
  zeroRunImage,
  type DiskImage,
} from '../../test/support/disk-images.js';
import { startVcsim, type Vcsim } from '../../test/support/vcsim.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const sizeMiB = arg('mib', 1024);
const runs = arg('runs', 3);
const chunkMiB = arg('chunk-mib', 16);
const readAhead = arg('read-ahead', 4);
const syncEveryMiB = process.argv.includes('--sync-every-mib') ? arg('sync-every-mib', 256) : undefined;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (n: number, digits = 0): string => n.toFixed(digits);

interface Figures {
  curlMiBps: number[];
  curlSyncMiBps: number[];
  /** Core-seconds per GiB. */
  curlCpu: number[];
  mtvMiBps: number[];
  /** Core-seconds per GiB. */
  mtvCpu: number[];
  readerMiBps: number[];
  curlAllocatedMiB: number;
  mtvAllocatedMiB: number;
  sha256Ok: boolean;
}

/**
 * Seconds for curl to fetch the extent into `out` (with the same auth headers mtv sends), and for
 * `sync -d` to make it durable afterwards (mtv syncs its target before calling a copy complete);
 * the CPU seconds curl used.
 */
async function curlSeconds(
  sim: Vcsim,
  flatPath: string,
  out: string,
): Promise<{ fetch: number; sync: number; cpu: number }> {
  const url = datastoreFileUrl(sim.url, 'DC0', 'LocalDS_0', flatPath).href;
  const cpu0 = childrenCpuSeconds();
  const fetch = await curlFetch(sim, url, out);
  const cpu = childrenCpuSeconds() - cpu0;
  const t0 = performance.now();
  await run('sync', ['-d', out]);
  return { fetch, sync: (performance.now() - t0) / 1000, cpu };
}

/** CPU seconds (user + system) of this process's finished children, from /proc (Linux); NaN elsewhere. */
function childrenCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in USER_HZ ticks
  } catch {
    return NaN;
  }
}

async function curlFetch(sim: Vcsim, url: string, out: string): Promise<number> {
  const { stdout } = await run('curl', [
    '-sS',
    '--fail',
    '--cacert',
    sim.caCertPath,
    '-u',
    `${sim.username}:${sim.password}`,
    '-o',
    out,
    '-w',
    '%{time_total}',
    url,
  ]);
  return Number(stdout.trim());
}

/**
 * MiB/s of mtv's ranged reader alone (same chunk size and read-ahead, data discarded): the share
 * of the gap to curl that is Node's HTTPS, not hashing and writing.
 */
async function readerOnlyMiBps(reader: DatastoreReader, file: string): Promise<number> {
  const { size } = await reader.stat(file);
  const chunk = chunkMiB * MiB;
  const buffers = Array.from({ length: readAhead }, () => Buffer.allocUnsafe(chunk));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    buffers.map(async (into) => {
      while (next < size) {
        const offset = next;
        next += chunk;
        await reader.read(file, offset, Math.min(chunk, size - offset), { into });
      }
    }),
  );
  return size / MiB / ((performance.now() - t0) / 1000);
}

async function benchDisk(
  sim: Vcsim,
  work: string,
  diskFile: string,
  image: DiskImage,
  name: string,
): Promise<Figures> {
  const reader = new DatastoreReader({
    url: sim.url,
    datacenterPath: 'DC0',
    caCert: sim.caCert,
    username: sim.username,
    password: sim.password,
  });
  const flatPath = diskFile.replace(/^\[LocalDS_0\] /, '').replace(/\.vmdk$/, '-flat.vmdk');
  const f: Figures = {
    curlMiBps: [],
    curlSyncMiBps: [],
    curlCpu: [],
    mtvMiBps: [],
    mtvCpu: [],
    readerMiBps: [],
    curlAllocatedMiB: 0,
    mtvAllocatedMiB: 0,
    sha256Ok: true,
  };
  const curlOut = path.join(work, `${name}.curl`);
  const target = path.join(work, 'volumes', name, 'disk.img');
  try {
    for (let i = 0; i < runs; i++) {
      rmSync(curlOut, { force: true });
      const c = await curlSeconds(sim, flatPath, curlOut);
      f.curlMiBps.push(sizeMiB / c.fetch);
      f.curlSyncMiBps.push(sizeMiB / (c.fetch + c.sync));
      f.curlCpu.push((c.cpu * 1024) / sizeMiB);
      f.curlAllocatedMiB = (statSync(curlOut).blocks * 512) / MiB;
      rmSync(curlOut, { force: true });

      rmSync(path.dirname(target), { recursive: true, force: true }); // a fresh copy, not a resume
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const r = await copyVmdk(reader, diskFile, target, {
        chunkBytes: chunkMiB * MiB,
        readAhead,
        ...(syncEveryMiB === undefined ? {} : { syncEveryBytes: syncEveryMiB * MiB }),
      });
      f.mtvMiBps.push(sizeMiB / ((performance.now() - t0) / 1000));
      const cpu = process.cpuUsage(cpu0);
      f.mtvCpu.push(((cpu.user + cpu.system) / 1e6) * (1024 / sizeMiB));
      f.mtvAllocatedMiB = (statSync(target).blocks * 512) / MiB;
      f.sha256Ok &&= r.sha256 === image.sha256;
      f.readerMiBps.push(await readerOnlyMiBps(reader, `[LocalDS_0] ${flatPath}`));
      process.stderr.write(
        `  ${name} run ${i + 1}: curl ${fmt(f.curlMiBps.at(-1) ?? 0)} MiB/s (${fmt(f.curlCpu.at(-1) ?? 0, 2)} core-s/GiB), ` +
          `mtv ${fmt(f.mtvMiBps.at(-1) ?? 0)} MiB/s (${fmt(f.mtvCpu.at(-1) ?? 0, 2)} core-s/GiB), ` +
          `reader only ${fmt(f.readerMiBps.at(-1) ?? 0)} MiB/s\n`,
      );
    }
  } finally {
    reader.close();
    rmSync(path.dirname(target), { recursive: true, force: true });
  }
  return f;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'mtv-bench-transfer-'));
  const sim = await startVcsim({ vmsPerHost: 1 });
  try {
    const dsDir = await datastoreDirectory(sim);
    process.stderr.write(`building two ${sizeMiB} MiB disks in ${work} …\n`);
    const disks: [string, number][] = [
      ['random', 1],
      ['90% zeros', 0.1],
    ];
    const rows: string[] = [];
    for (const [label, dataFraction] of disks) {
      const name = label === 'random' ? 'random' : 'zeros90';
      const image = await zeroRunImage(work, name, sizeMiB * MiB, dataFraction);
      const diskFile = await placeFlatDisk(sim, dsDir, `bench-${name}`, `bench-${name}`, image, true);
      const f = await benchDisk(sim, work, diskFile, image, name);
      const curl = median(f.curlMiBps);
      const curlSync = median(f.curlSyncMiBps);
      const mtv = median(f.mtvMiBps);
      rows.push(
        [
          label.padEnd(10),
          fmt(curl).padStart(10),
          fmt(mtv).padStart(9),
          fmt(mtv / curl, 2).padStart(9),
          fmt(curlSync).padStart(15),
          fmt(mtv / curlSync, 2).padStart(14),
          fmt(median(f.readerMiBps)).padStart(16),
          `${fmt(median(f.mtvCpu), 2)} / ${fmt(median(f.curlCpu), 2)}`.padStart(22),
          `${fmt(f.mtvAllocatedMiB)} / ${fmt(f.curlAllocatedMiB)}`.padStart(20),
          f.sha256Ok ? 'yes' : 'NO',
        ].join('  '),
      );
    }
    const [l1, l5] = loadavg();
    console.log(
      `transfer: vcsim datastore (HTTPS, loopback) -> local file, ${sizeMiB} MiB disks, median of ${runs} runs; ` +
        `mtv chunk ${chunkMiB} MiB, read-ahead ${readAhead}` +
        `${syncEveryMiB === undefined ? '' : `, sync every ${syncEveryMiB} MiB`}; ` +
        `load average ${fmt(l1 ?? 0, 1)} / ${fmt(l5 ?? 0, 1)}`,
    );
    console.log(
      `${'disk'.padEnd(10)}  ${'curl MiB/s'.padStart(10)}  ${'mtv MiB/s'.padStart(9)}  ${'mtv/curl'.padStart(9)}  ` +
        `${'curl+sync MiB/s'.padStart(15)}  ${'mtv/curl+sync'.padStart(14)}  ` +
        `${'reader-only MiB/s'.padStart(16)}  ${'CPU s/GiB mtv/curl'.padStart(22)}  ` +
        `${'allocated MiB mtv/curl'.padStart(20)}  sha256 ok`,
    );
    for (const r of rows) console.log(r);
  } finally {
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();

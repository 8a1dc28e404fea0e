/**
 * Benchmark (not a test): how soon a started plan fills the scheduler's first wave. For a plan of
 * `--vms` VMs, all on one source host, it measures the time from `mtv start plan` until
 * maxInFlight VMs are copying at once (phase CopyDisks or beyond in `plan.status.migration.vms`:
 * admitted, then through StorePowerState → PowerOffSource → CreateDataVolumes), and when the first
 * VM started copying. The baseline, measured in the same run against the same simulator, is a plan
 * of exactly maxInFlight of those VMs: the ratio is what the queued VMs cost over the minimum.
 * To tell the scheduler's decision from the itinerary's progress it also prints, for the 1st and
 * the maxInFlight-th VM, when the controller started its runner (its `migrating VM` log line) and
 * when the plan's status first recorded a phase for it. Prints figures (medians over runs, and the
 * last run's per-VM times), the store writes and the plan's size; asserts nothing.
 *
 *   npx tsx scripts/bench/plan-admission.ts [--vms 1000] [--runs 3] [--max-in-flight 20] [--poll-ms 100]
 *                                           [--timeout-s 600] [--dist DIR] [--keep]
 *
 * - Runs the built CLI (`node scripts/build.mjs` first; `--dist` names another build) in local mode
 *   with a private MTV_HOME, from a copy taken at start (a rebuild meanwhile does not disturb it),
 *   and a foreground `mtv controller run` it starts and stops itself, with
 *   MTV_MAX_VM_INFLIGHT=--max-in-flight (default: $MTV_MAX_VM_INFLIGHT, else 20).
 * - vcsim (Go; scripts/vcsim-testbed.sh builds it) has one standalone host with 1.6 × `--vms` VMs
 *   (~37 ms per VM to start): vcsim derives MACs from 3 characters of the VM's UUID, so many VMs
 *   share one, and a plan with a MAC conflict is never Ready; the plan takes the first `--vms` VMs
 *   (by name) whose MACs are unique. That caps `--vms` near 3,000.
 * - vcsim's disks are empty `-flat.vmdk` extents behind 10 GiB descriptors; each chosen VM's extent
 *   becomes a hard link to one sparse image of that size (1 MiB of random bytes, then a hole) in
 *   the datastore's directory, so copies read real bytes and the first wave is still copying
 *   (for minutes) when its last VM arrives.
 * - t = 0 is the spawn of `mtv start plan` (its own wall time is shown too). Status times come from
 *   polling the plan through the local store every `--poll-ms` ms, their resolution (the poller's
 *   CPU share is printed: on a small machine it competes with the controller); runner times from
 *   the controller log's timestamps (ms, same clock).
 * - Between measurements the controller is stopped, the plan (and its Migration) deleted, the
 *   targets removed and the touched source VMs powered on again; each measurement starts with a
 *   fresh controller. `--keep` keeps the work directory (MTV_HOME, bench-controller.log).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  linkSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Resources, type Plan, type VMStatus } from '../../src/api/index.js';
import { VSphereClient } from '../../src/providers/vsphere/index.js';
import { restorePowerState } from '../../src/providers/vsphere/power.js';
import { LocalStore } from '../../src/store/local-store.js';
import { DatastoreReader } from '../../src/transfer/index.js';
import { datastoreDirectory } from '../../test/support/disk-images.js';
import { repoRoot } from '../../test/support/testbed.js';
import { startVcsim, type Vcsim } from '../../test/support/vcsim.js';
import { vsphereProviderArgs } from '../../test/support/vcsim-provider.js';
import { until } from '../../test/support/wait.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const argText = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const vmCount = arg('vms', 1000);
const runs = arg('runs', 3);
const maxInFlight = arg('max-in-flight', Number(process.env.MTV_MAX_VM_INFLIGHT ?? 20));
const pollMs = arg('poll-ms', 100);
const waveTimeoutMs = arg('timeout-s', 600) * 1000;
const dist = path.resolve(argText('dist', path.join(repoRoot, 'dist')));
const keep = process.argv.includes('--keep');
/** VMs in the first wave. */
const wave = Math.min(maxInFlight, vmCount);
const MiB = 1024 * 1024;
const namespace = 'default';
/** Phases at which a VM counts as copying (or past it). */
const copyingPhases = new Set(['CopyDisks', 'CreateVM', 'Completed']);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const s = (ms: number, digits = 2): string => (ms / 1000).toFixed(digits);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * One measured plan start; times in ms from the spawn of `mtv start plan`, sorted, one per VM:
 * when the controller started the VM's runner (its `migrating VM` log line: the scheduler admitted
 * it), when the plan's status first showed it out of Started (its first phase recorded), and when
 * it showed it at CopyDisks or beyond.
 */
interface Figures {
  /** `mtv start plan`'s own wall time. */
  cli: number;
  runnersAt: number[];
  recordedAt: number[];
  copyingAt: number[];
  /** When `want` VMs were at CopyDisks or beyond at once (the main figure). */
  waveCopying: number;
  /** Most VMs seen out of Started and not Completed in one poll. */
  maxInFlightSeen: number;
  polls: number;
  /** Mean time of one poll (a store read and JSON parse of the plan). */
  pollCost: number;
  /** CPU time this process spent until the wave (polling, mostly), per wall time: 1 = one core. */
  pollerCpu: number;
  /** The plan's JSON size at the wave's poll. */
  planBytes: number;
  /** Store revisions from Ready to the wave's poll: writes of any object, mostly the plan's status. */
  writes: number;
  /** `reconcile failed` lines the controller logged until the wave, by reconciler. */
  reconcileFailures: Record<string, number>;
}

/** The timing columns of the report: [label, figure]. */
const timings: readonly [string, (f: Figures) => number][] = [
  ['runner 1', (f) => f.runnersAt[0] ?? NaN],
  ['runner W', (f) => f.runnersAt[wave - 1] ?? NaN],
  ['recorded 1', (f) => f.recordedAt[0] ?? NaN],
  ['recorded W', (f) => f.recordedAt[wave - 1] ?? NaN],
  ['copying 1', (f) => f.copyingAt[0] ?? NaN],
  ['copying W', (f) => f.waveCopying],
  ['CLI exits', (f) => f.cli],
];

/** The CLI copy this benchmark runs, and its environment. */
class Cli {
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(home: string, work: string) {
    // A copy of the build: `node scripts/build.mjs` removes dist/ first, and may run meanwhile.
    const copy = path.join(work, 'cli');
    cpSync(dist, path.join(copy, 'dist'), { recursive: true });
    writeFileSync(path.join(copy, 'package.json'), '{ "type": "module" }\n');
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'));
    this.bin = path.join(copy, 'dist', 'mtv.js');
    const { KUBECONFIG: _k, MTV_STORE: _s, MTV_HOME: _h, ...rest } = process.env;
    this.env = { ...rest, NO_COLOR: '1', MTV_AUTO_CONTROLLER: '0', MTV_HOME: home, HOME: home };
  }

  /** Runs `mtv --store local -n default ARGS…`. */
  run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [this.bin, '--store', 'local', '-n', namespace, ...args],
        { env: this.env, maxBuffer: 256 << 20 },
        (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        },
      );
    });
  }

  /** Runs the CLI; rejects unless it exits 0; resolves with stdout. */
  async ok(...args: string[]): Promise<string> {
    const r = await this.run(args);
    if (r.code !== 0)
      throw new Error(`mtv ${args.join(' ')} exited ${String(r.code)}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }
}

/** The controller this benchmark runs (`mtv controller run`, foreground, in a child process). */
class Controller {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly cli: Cli;
  readonly logFile: string;

  constructor(cli: Cli, logFile: string) {
    this.cli = cli;
    this.logFile = logFile;
  }

  async start(): Promise<void> {
    const fd = openSync(this.logFile, 'a', 0o600);
    const from = this.logSize();
    const child = spawn(
      process.execPath,
      [this.cli.bin, '--store', 'local', 'controller', 'run', '--idle-exit', '0'],
      { env: { ...this.cli.env, MTV_MAX_VM_INFLIGHT: String(maxInFlight) }, stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // Its `started` line, not `mtv controller status`: that takes the store's lock for a moment,
    // and a controller starting in that moment exits ("a controller already runs").
    await until(
      'the controller to take the store',
      () => {
        if (child.exitCode !== null) throw new Error(`the controller exited (${String(child.exitCode)})`);
        return this.logSince(from).some((r) => r.msg === 'started' && r.pid === child.pid) ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  /** SIGTERM, then SIGKILL after 30 s; resolves when it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort (a signal ends this process). */
  kill(): void {
    if (this.child?.exitCode === null) this.child.kill('SIGKILL');
  }

  /** The log's size now: {@link logSince} reads from such an offset. */
  logSize(): number {
    return existsSync(this.logFile) ? statSync(this.logFile).size : 0;
  }

  /** The JSON lines logged since `offset` (other lines, e.g. Node's warnings, skipped). */
  logSince(offset: number): LogRecord[] {
    const out: LogRecord[] = [];
    const text = readFileSync(this.logFile).subarray(offset).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as LogRecord);
      } catch {
        // a line cut by a concurrent write
      }
    }
    return out;
  }
}

/** A controller log line (pino). */
interface LogRecord {
  time: string;
  pid?: number;
  msg: string;
  plan?: string;
  reconciler?: string;
}

/** The benchmark's shared state. */
interface Bench {
  vc: Vcsim;
  home: string;
  cli: Cli;
  store: LocalStore;
  controller: Controller;
  /** Plan VM names (unique MACs), in plan order. */
  names: string[];
}

/** A VM as `get inventory vm -o json` prints it, as far as this benchmark needs. */
interface InventoryVm {
  name: string;
  disks: { file: string }[];
  nics?: { mac: string }[];
}

/** The first `n` VMs by name whose MACs no earlier chosen VM has. */
function uniqueMacVms(rows: readonly InventoryVm[], n: number): InventoryVm[] {
  const sorted = [...rows].sort((x, y) => x.name.localeCompare(y.name, 'en', { numeric: true }));
  const macs = new Set<string>();
  const out: InventoryVm[] = [];
  for (const vm of sorted) {
    if (out.length === n) break;
    const mine = (vm.nics ?? []).map((c) => c.mac.toLowerCase());
    if (mine.some((m) => macs.has(m)) || new Set(mine).size !== mine.length) continue;
    for (const m of mine) macs.add(m);
    out.push(vm);
  }
  if (out.length < n)
    throw new Error(`only ${String(out.length)} of ${String(rows.length)} vcsim VMs have unique MACs`);
  return out;
}

/**
 * Gives disks real content: each `-flat.vmdk` becomes a hard link to one sparse image (per size)
 * of the capacity its vcsim descriptor declares, in the datastore's own directory.
 * @returns the capacity of the last disk, bytes
 */
async function placeDisks(vc: Vcsim, disks: readonly string[]): Promise<number> {
  const dsDir = await datastoreDirectory(vc);
  const images = new Map<number, string>();
  let bytes = 0;
  for (const file of disks) {
    const rel = file.replace(/^\[[^\]]+\] /, '');
    const descriptor = readFileSync(path.join(dsDir, rel), 'utf8');
    const m = /^RW (\d+) VMFS "([^"]+)"/m.exec(descriptor);
    if (!m?.[1] || !m[2]) throw new Error(`${file}: not a one-extent VMFS descriptor:\n${descriptor}`);
    bytes = Number(m[1]) * 512;
    let image = images.get(bytes);
    if (!image) {
      image = path.join(dsDir, `mtv-bench-${String(bytes)}.raw`);
      const fh = await open(image, 'w');
      await fh.write(randomBytes(MiB), 0, MiB, 0);
      await fh.truncate(bytes);
      await fh.close();
      images.set(bytes, image);
    }
    const flat = path.join(dsDir, path.dirname(rel), m[2]);
    await unlink(flat).catch(() => undefined);
    linkSync(image, flat);
  }
  return bytes;
}

/** Checks that vcsim serves a placed extent at its full size (it was written beside vcsim's back). */
async function checkServed(vc: Vcsim, file: string, bytes: number): Promise<void> {
  const reader = new DatastoreReader({
    url: vc.url,
    datacenterPath: 'DC0',
    caCert: vc.caCert,
    username: vc.username,
    password: vc.password,
  });
  try {
    const flat = file.replace(/\.vmdk$/, '-flat.vmdk');
    const { size } = await reader.stat(flat);
    if (size !== bytes)
      throw new Error(`vcsim serves ${flat} with ${String(size)} bytes, not ${String(bytes)}`);
  } finally {
    reader.close();
  }
}

/** Waits until `get NOUN NAME` reports `status.phase === want`. */
function phase(cli: Cli, noun: 'provider' | 'plan', name: string, want: string): Promise<true> {
  return until(
    `${noun} ${name} ${want}`,
    async () => {
      const o = JSON.parse(await cli.ok('get', noun, name, '-o', 'json')) as { status?: { phase?: string } };
      return o.status?.phase === want ? true : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 250 },
  );
}

/** Starts vcsim (one standalone host), registers it, and gives the chosen VMs disks. */
async function setUp(
  cleanup: (() => Promise<void> | void)[],
  handles: { home?: string; controller?: Controller },
): Promise<Bench> {
  if (!existsSync(path.join(dist, 'mtv.js')))
    throw new Error(`${dist}/mtv.js is missing: build it with node scripts/build.mjs`);
  const home = mkdtempSync(path.join(tmpdir(), 'mtv-bench-admission-'));
  handles.home = home;
  cleanup.push(() => {
    if (keep) log(`kept ${home}`);
    else rmSync(home, { recursive: true, force: true });
  });
  const cli = new Cli(path.join(home, 'home'), home);
  const t0 = performance.now();
  const vc = await startVcsim({
    clusters: 0,
    standaloneHosts: 1,
    vmsPerHost: Math.ceil(vmCount * 1.6),
    timeoutMs: 1_800_000,
  });
  cleanup.push(() => vc.stop());
  log(`vcsim: ${String(vc.counts.vms)} VMs on one host, started in ${s(performance.now() - t0, 0)} s`);
  writeFileSync(path.join(home, 'pw'), vc.password, { mode: 0o600 });
  await cli.ok('create', 'provider', 'host', '--type', 'openshift');
  await cli.ok(...vsphereProviderArgs('vc', vc, path.join(home, 'pw')));
  const controller = new Controller(cli, path.join(home, 'bench-controller.log'));
  handles.controller = controller;
  cleanup.push(() => controller.stop());
  await controller.start();
  const store = LocalStore.open({ home: path.join(home, 'home') });
  cleanup.push(() => store.close());
  await phase(cli, 'provider', 'vc', 'Ready');
  const rows = await until(
    'the whole inventory',
    async () => {
      const r = JSON.parse(await cli.ok('get', 'inventory', 'vm', 'vc', '-o', 'json')) as InventoryVm[];
      return r.length === vc.counts.vms ? r : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 1000, retryErrors: true },
  );
  const chosen = uniqueMacVms(rows, vmCount);
  const disks = chosen.flatMap((r) => r.disks.map((d) => d.file));
  const bytes = await placeDisks(vc, disks);
  await checkServed(vc, disks[0] ?? '', bytes);
  log(
    `disks: ${String(disks.length)} × ${(bytes / 1024 / MiB).toFixed(1)} GiB, hard links to one sparse image`,
  );
  return { vc, home, cli, store, controller, names: chosen.map((r) => r.name) };
}

/** Polls the plan until `want` VMs are copying at once; throws when a VM fails. */
async function watchWave(
  b: Bench,
  planName: string,
  want: number,
  t0: number,
  cli: { ms?: number; error?: Error },
): Promise<Omit<Figures, 'cli' | 'runnersAt' | 'writes' | 'reconcileFailures'> & { revision: number }> {
  const recorded = new Map<string, number>();
  const copying = new Map<string, number>();
  let maxInFlightSeen = 0;
  let polls = 0;
  let pollTotal = 0;
  const cpu0 = process.cpuUsage();
  for (;;) {
    const tp = performance.now();
    const plan = await b.store.get<Plan>(Resources.Plan, namespace, planName);
    const at = performance.now();
    polls++;
    pollTotal += at - tp;
    if (cli.error) throw cli.error;
    const vms: VMStatus[] = plan.status?.migration?.vms ?? [];
    const failed = vms.find((v) => v.conditions?.some((c) => c.type === 'Failed'));
    if (failed) throw new Error(`VM ${failed.name ?? ''} failed: ${failed.error?.reasons.join('; ') ?? '?'}`);
    let inFlight = 0;
    let copyingNow = 0;
    for (const v of vms) {
      const id = v.id ?? '';
      if (v.phase !== 'Started' && !recorded.has(id)) recorded.set(id, at - t0);
      if (copyingPhases.has(v.phase)) {
        copyingNow++;
        if (!copying.has(id)) copying.set(id, at - t0);
      }
      if (v.phase !== 'Started' && v.phase !== 'Completed') inFlight++;
    }
    maxInFlightSeen = Math.max(maxInFlightSeen, inFlight);
    if (copyingNow >= want) {
      const sorted = (m: Map<string, number>) => [...m.values()].sort((x, y) => x - y);
      return {
        recordedAt: sorted(recorded),
        copyingAt: sorted(copying),
        waveCopying: at - t0,
        pollerCpu: cpuMs(process.cpuUsage(cpu0)) / (at - t0),
        revision: Number(plan.metadata.resourceVersion),
        maxInFlightSeen,
        polls,
        pollCost: pollTotal / polls,
        planBytes: Buffer.byteLength(JSON.stringify(plan)),
      };
    }
    if (at - t0 > waveTimeoutMs) {
      throw new Error(
        `${planName}: ${String(copyingNow)} of ${String(want)} VMs copying after ${s(waveTimeoutMs, 0)} s ` +
          `(${String(recorded.size)} out of Started)`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.max(0, pollMs - (performance.now() - tp))));
  }
}

/** Creates a plan of `names`, waits until Ready, starts it and measures its first wave. */
async function measure(b: Bench, planName: string, names: readonly string[]): Promise<Figures> {
  const vmsFile = path.join(b.home, `${planName}.vms.yaml`);
  writeFileSync(vmsFile, names.map((n) => `- name: ${n}\n`).join(''));
  await b.cli.ok(
    'create',
    'plan',
    planName,
    '--source',
    'vc',
    '--vms',
    `@${vmsFile}`,
    '--default-target-storage-class',
    'standard',
    '--target-namespace',
    'bench',
  );
  await phase(b.cli, 'plan', planName, 'Ready');
  const want = Math.min(maxInFlight, names.length);
  const ready = Number(
    (await b.store.get<Plan>(Resources.Plan, namespace, planName)).metadata.resourceVersion,
  );
  const logFrom = b.controller.logSize();
  const wall0 = Date.now();
  const t0 = performance.now();
  const cli: { ms?: number; error?: Error } = {};
  const started = b.cli.run(['start', 'plan', planName]).then((r) => {
    if (r.code === 0) cli.ms = performance.now() - t0;
    else cli.error = new Error(`mtv start plan ${planName} exited ${String(r.code)}: ${r.stderr}`);
  });
  const { revision, ...seen } = await watchWave(b, planName, want, t0, cli);
  const records = b.controller.logSince(logFrom);
  const reconcileFailures: Record<string, number> = {};
  for (const r of records)
    if (r.msg === 'reconcile failed' && r.reconciler)
      reconcileFailures[r.reconciler] = (reconcileFailures[r.reconciler] ?? 0) + 1;
  const runnersAt = records
    .filter((r) => r.msg === 'migrating VM' && r.plan === planName)
    .map((r) => Date.parse(r.time) - wall0)
    .sort((x, y) => x - y);
  await started;
  if (cli.error) throw cli.error;
  return { ...seen, cli: cli.ms ?? NaN, runnersAt, writes: revision - ready, reconcileFailures };
}

/** Stops the controller, deletes the plan and its targets, powers touched sources on, restarts. */
async function reset(b: Bench, planName: string): Promise<void> {
  await b.controller.stop();
  const plan = await b.store.get<Plan>(Resources.Plan, namespace, planName);
  const touched = (plan.status?.migration?.vms ?? []).filter(
    (v) => v.phase !== 'Started' && v.restorePowerState !== 'Off',
  );
  // The Migration is owned by the plan: it goes with it.
  await b.store.delete(Resources.Plan, namespace, planName, { propagationPolicy: 'Background' });
  for (const dir of ['volumes', 'manifests'])
    rmSync(path.join(b.home, 'home', dir), { recursive: true, force: true });
  const client = await VSphereClient.connect({
    url: b.vc.url,
    username: b.vc.username,
    password: b.vc.password,
    caCert: b.vc.caCert,
  });
  try {
    for (const v of touched)
      await restorePowerState(client, { type: 'VirtualMachine', value: v.id ?? '' }, 'poweredOn');
  } finally {
    await client.close();
  }
  await b.controller.start();
}

function describe(label: string, f: Figures): string {
  const failures = Object.entries(f.reconcileFailures)
    .map(([r, n]) => `${r} ${String(n)}`)
    .join(', ');
  return (
    `${label}: ${timings.map(([h, get]) => `${h.replace('W', String(wave))} ${s(get(f))} s`).join(', ')}; ` +
    `max in flight seen ${String(f.maxInFlightSeen)}, ${String(f.writes)} store writes, ` +
    `plan ${(f.planBytes / 1024).toFixed(0)} KiB, ${String(f.polls)} polls of ${f.pollCost.toFixed(1)} ms ` +
    `(poller CPU ${(f.pollerCpu * 100).toFixed(0)}% of a core), ` +
    `failed reconciles: ${failures || 'none'}`
  );
}

function report(b: Bench, baseline: Figures[], full: Figures[]): void {
  const [l1, l5] = loadavg();
  const w = String(wave);
  console.log(
    `plan admission: a ${String(vmCount)}-VM plan vs a ${w}-VM baseline, on one source host (vcsim, ` +
      `${String(b.vc.counts.vms)} VMs), maxInFlight ${String(maxInFlight)}, median of ${String(runs)} run(s), ` +
      `poll ${String(pollMs)} ms; ${String(cpus().length)} CPUs, load average ${(l1 ?? 0).toFixed(1)} / ${(l5 ?? 0).toFixed(1)}`,
  );
  console.log(
    `seconds from spawning \`mtv start plan\` until the 1st and the ${w}th VM's runner started (controller log), ` +
      `its first phase was recorded in the plan's status, it was at CopyDisks or beyond (${w}: at once)`,
  );
  const head = timings.map(([h]) => h.replace('W', w).padStart(12)).join('');
  console.log(`${'plan'.padEnd(18)}${head}`);
  for (const [label, fs] of [
    [`baseline, ${w} VMs`, baseline],
    [`${String(vmCount)} VMs`, full],
  ] as const) {
    console.log(
      `${label.padEnd(18)}${timings.map(([, get]) => s(median(fs.map(get))).padStart(12)).join('')}`,
    );
  }
  const ratio = (get: (f: Figures) => number) =>
    (median(full.map(get)) / median(baseline.map(get))).toFixed(2);
  console.log(
    `ratio ${String(vmCount)} VMs / baseline: ${w} copying ${ratio((f) => f.waveCopying)}, ` +
      `first copying ${ratio((f) => f.copyingAt[0] ?? NaN)}`,
  );
  const last = full.at(-1);
  if (last) {
    const list = (xs: number[]) => xs.map((x) => s(x, 1)).join(' ');
    console.log(`${String(vmCount)} VMs, last run, runners started at: ${list(last.runnersAt)}`);
    console.log(`${String(vmCount)} VMs, last run, first phase recorded at: ${list(last.recordedAt)}`);
    console.log(`${String(vmCount)} VMs, last run, copying at: ${list(last.copyingAt)}`);
  }
}

async function main(): Promise<void> {
  const cleanup: (() => Promise<void> | void)[] = [];
  const handles: { home?: string; controller?: Controller } = {};
  // vcsim's script stops by itself when this process dies; the controller and MTV_HOME are ours.
  const onSignal = (): void => {
    handles.controller?.kill();
    if (handles.home && !keep) rmSync(handles.home, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const b = await setUp(cleanup, handles);
    const baseline: Figures[] = [];
    const full: Figures[] = [];
    for (let run = 1; run <= runs; run++) {
      // Alternate the order, so that neither plan always comes first.
      const order = run % 2 ? (['baseline', 'full'] as const) : (['full', 'baseline'] as const);
      for (const which of order) {
        const names = which === 'full' ? b.names : b.names.slice(0, maxInFlight);
        const planName = `bench-${which}-${String(run)}`;
        const f = await measure(b, planName, names);
        (which === 'full' ? full : baseline).push(f);
        log(
          `run ${String(run)}, ${describe(which === 'full' ? `${String(names.length)} VMs` : 'baseline', f)}`,
        );
        await reset(b, planName);
      }
    }
    report(b, baseline, full);
  } catch (e: unknown) {
    log(`failed: ${e instanceof Error ? e.message : String(e)}`);
    const logFile = handles.controller?.logFile;
    if (logFile && existsSync(logFile)) {
      const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20);
      log(`controller log (${logFile}), last lines:\n${lines.join('\n')}`);
    }
    process.exitCode = 1;
  } finally {
    for (const f of cleanup.reverse())
      await Promise.resolve()
        .then(f)
        .catch(() => undefined);
  }
}

await main();

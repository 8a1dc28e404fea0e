/**
 * The cluster-mode target: PersistentVolumeClaims per the storage map in the target namespace,
 * the disks copied either by a transfer Job per disk (`job`, the default; see `transfer-job.ts`) or
 * by this process (`in-process`, for clusters whose volumes the controller can reach as files —
 * the test control plane runs no pods), then the KubeVirt VirtualMachine. Every object carries the
 * `plan`, `migration` and `vmID` labels; creating one that already exists adopts it when those
 * labels say it is this VM's (a resumed run), and fails naming it otherwise.
 *
 * A finished disk's result (sha256, bytes) is recorded on its claim as annotations, which is what
 * a resumed run reads to skip it; Jobs and the source Secret are removed once the copies are done.
 */
import path from 'node:path';
import {
  AlreadyExistsError,
  ApiError,
  NotFoundError,
  Resources,
  type Hook,
  type KubeObject,
  type ResourceType,
  type Secret,
} from '../api/index.js';
import type { PersistentVolumeClaim, VirtualMachine } from '../planner/kubevirt-types.js';
import type { ObjectStore } from '../store/index.js';
import type { TransferProgress } from '../transfer/progress.js';
import {
  diskCopyInput,
  type CopiedDisk,
  type CopyContext,
  type DiskWork,
  type HookContext,
  type HookStep,
  type VmTarget,
} from './cold-vm.js';
import { buildHookObjects, hookJobName, type ConfigMap } from './hook-job.js';
import { copyDisksInProcess } from './in-process-copy.js';
import {
  buildTransferJob,
  buildTransferSecret,
  podOutcome,
  transferJobName,
  transferSecretName,
  type Job,
  type PodLike,
  type TransferJobSettings,
  type TransferResult,
} from './transfer-job.js';

/** Who copies the disks in cluster mode. */
export type TransferExecutor = 'job' | 'in-process';

/** Annotation of a claim holding its finished transfer's result (JSON {@link TransferResult}). */
export const TransferResultAnnotation = 'mtv.konveyor.io/transfer-result';

const MiB = 1024 * 1024;

type ClaimSpec = PersistentVolumeClaim['spec'];
interface ClaimDefaults {
  accessModes: NonNullable<ClaimSpec['accessModes']>;
  volumeMode: NonNullable<ClaimSpec['volumeMode']>;
}

/** CDI's StorageProfile, as far as claims need it. */
interface StorageProfile extends KubeObject {
  status?: { claimPropertySets?: Pick<ClaimSpec, 'accessModes' | 'volumeMode'>[] };
}

/** Options of {@link KubeTarget}. */
export interface KubeTargetOptions {
  store: ObjectStore;
  /** The target namespace. */
  namespace: string;
  /** `plan`, `migration`, `vmID` (and the others {@link diskClaimLabels} gives). */
  labels: Readonly<Record<string, string>>;
  executor: TransferExecutor;
  /** In-process executor: the directory standing for the volumes, `<dir>/<namespace>/<claim>/disk.img`. */
  volumesDir: string;
  /** Job executor settings (image, service account). */
  job?: TransferJobSettings;
  /** Milliseconds between two looks at running Jobs. @default 2000 */
  pollMs?: number;
}

interface RawRequester {
  raw(method: string, path: string): Promise<{ status: number; text: string }>;
}

/** Volumes, transfers and the VirtualMachine in a Kubernetes cluster. */
export class KubeTarget implements VmTarget {
  private readonly o: KubeTargetOptions;

  constructor(options: KubeTargetOptions) {
    this.o = options;
  }

  /** The in-process executor's image of a claim. */
  imagePath(claim: string): string {
    return path.join(this.o.volumesDir, this.o.namespace, claim, 'disk.img');
  }

  async createVolumes(_disks: readonly DiskWork[], claims: readonly PersistentVolumeClaim[]): Promise<void> {
    const profiles = new Map<string, ClaimDefaults>();
    for (const c of claims) {
      const cls = c.spec.storageClassName ?? '';
      let defaults = profiles.get(cls);
      if (!defaults) {
        defaults = await this.claimDefaults(cls);
        profiles.set(cls, defaults);
      }
      await this.createOrAdopt(Resources.PersistentVolumeClaim, {
        ...c,
        spec: {
          ...c.spec,
          accessModes: c.spec.accessModes ?? defaults.accessModes,
          volumeMode: c.spec.volumeMode ?? defaults.volumeMode,
        },
      });
    }
  }

  /**
   * Access and volume mode for a storage pair that sets neither: the class's CDI StorageProfile
   * (its first claim property set), as Forklift and CDI choose; ReadWriteOnce + Filesystem where
   * the cluster has no CDI or no profile for the class.
   * @see https://github.com/kubevirt/containerized-data-importer/blob/main/doc/storageprofile.md
   */
  private async claimDefaults(storageClass: string): Promise<ClaimDefaults> {
    const fallback: ClaimDefaults = { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' };
    if (!storageClass) return fallback;
    try {
      const profile = await this.o.store.get<StorageProfile>(Resources.StorageProfile, '', storageClass);
      const set = profile.status?.claimPropertySets?.[0];
      return {
        accessModes: set?.accessModes?.length ? set.accessModes : fallback.accessModes,
        volumeMode: set?.volumeMode ?? fallback.volumeMode,
      };
    } catch {
      return fallback; // no CDI, or no profile for the class yet
    }
  }

  async copyDisks(disks: readonly DiskWork[], context: CopyContext): Promise<CopiedDisk[]> {
    const done = new Map<number, CopiedDisk>();
    for (const d of disks) {
      const recorded = await this.recorded(d, context.precopy);
      if (recorded) done.set(d.disk.key, recorded);
    }
    const todo = disks.filter((d) => !done.has(d.disk.key));
    if (todo.length) {
      const copied =
        this.o.executor === 'in-process'
          ? await copyDisksInProcess(todo, context, (d) => this.imagePath(d.name))
          : await this.copyWithJobs(todo, context);
      for (const c of copied) {
        await this.record(c, context.precopy);
        done.set(c.key, c);
      }
    }
    return disks.map((d) => done.get(d.disk.key) as CopiedDisk);
  }

  async createVm(_claims: readonly PersistentVolumeClaim[], vm: VirtualMachine): Promise<string> {
    const created = await this.createOrAdopt(Resources.VirtualMachine, {
      ...vm,
      metadata: { ...vm.metadata, namespace: this.o.namespace },
    });
    return `${this.o.namespace}/${created.metadata.name ?? ''}`;
  }

  /** Runs the hook as a Job in the target namespace and waits for it; removes the Job and its ConfigMap after. */
  async runHook(step: HookStep, hook: Hook, context: HookContext): Promise<void> {
    const { configMap, job } = buildHookObjects({
      hook,
      step,
      plan: context.plan,
      vm: context.vm,
      namespace: this.o.namespace,
      labels: this.o.labels,
    });
    await this.createOrAdopt<ConfigMap>(Resources.ConfigMap, configMap);
    await this.createOrAdopt<Job>(Resources.Job, job);
    const name = job.metadata.name ?? '';
    for (;;) {
      context.signal?.throwIfAborted();
      const state = await this.jobState(name, 'hook');
      if (state.error) throw new Error(`${step} ${hook.metadata.name ?? ''} failed: ${state.error}`);
      if (state.complete) break;
      await sleep(this.o.pollMs ?? 2000, context.signal);
    }
    await this.gone(Resources.Job, name);
    await this.gone(Resources.ConfigMap, name);
  }

  async remove(disks: readonly DiskWork[], vmName: string): Promise<void> {
    const gone = (type: ResourceType, name: string) => this.gone(type, name);
    for (const step of ['PreHook', 'PostHook']) {
      const hookName = hookJobName(this.o.labels.plan ?? '', this.o.labels.vmID ?? '', step);
      await gone(Resources.Job, hookName);
      await gone(Resources.ConfigMap, hookName);
    }
    await gone(Resources.VirtualMachine, vmName);
    // Every round's transfer Jobs (a warm migration has one per disk and precopy round).
    const jobs = await this.o.store.list<Job>(Resources.Job, {
      namespace: this.o.namespace,
      labelSelector: `mtv.konveyor.io/transfer=disk,plan=${this.o.labels.plan ?? ''},vmID=${this.o.labels.vmID ?? ''}`,
    });
    for (const j of jobs.items) await gone(Resources.Job, j.metadata.name ?? '');
    await gone(Resources.Secret, this.secretName());
    for (const d of disks) await gone(Resources.PersistentVolumeClaim, d.name);
  }

  /** Deletes an object (dependents in the background); one already gone is fine. */
  private async gone(type: ResourceType, name: string): Promise<void> {
    await this.o.store
      .delete(type, this.o.namespace, name, { propagationPolicy: 'Background' })
      .catch((e: unknown) => {
        if (!(e instanceof NotFoundError)) throw e;
      });
  }

  /**
   * A Job's state: complete, failed (with its pod's message, else the Job's), or running.
   * @param container the container whose termination message explains a failure
   */
  private async jobState(
    name: string,
    container: string,
  ): Promise<{ complete?: boolean; error?: string; pods: PodLike[]; job: Job }> {
    const job = await this.o.store.get<Job>(Resources.Job, this.o.namespace, name);
    const pods = (
      await this.o.store.list<PodLike>(Resources.Pod, {
        namespace: this.o.namespace,
        labelSelector: `job-name=${name}`,
      })
    ).items;
    const is = (type: string) => job.status?.conditions?.some((c) => c.type === type && c.status === 'True');
    if (is('Complete') || (job.status?.succeeded ?? 0) > 0) return { complete: true, pods, job };
    if (is('Failed')) {
      const messages = pods
        .map((p) => p.status?.containerStatuses?.find((c) => c.name === container)?.state?.terminated)
        .filter((t) => t && t.exitCode !== 0)
        .map((t) => (t?.message ?? t?.reason ?? '').trim())
        .filter(Boolean);
      const reason = job.status?.conditions?.find((c) => c.type === 'Failed');
      return {
        error: messages.at(-1) ?? reason?.message ?? reason?.reason ?? 'the Job failed',
        pods,
        job,
      };
    }
    return { pods, job };
  }

  private secretName(): string {
    return transferSecretName(this.o.labels.plan ?? '', this.o.labels.vmID ?? '');
  }

  /**
   * A disk's result recorded on its claim by an earlier run: of this precopy round and snapshot,
   * when warm (another migration's round 1 on an adopted claim does not count).
   */
  private async recorded(d: DiskWork, precopy: CopyContext['precopy']): Promise<CopiedDisk | undefined> {
    const pvc = await this.o.store.get<PersistentVolumeClaim>(
      Resources.PersistentVolumeClaim,
      this.o.namespace,
      d.name,
    );
    const text = pvc.metadata.annotations?.[TransferResultAnnotation];
    if (!text) return undefined;
    const r = JSON.parse(text) as TransferResult;
    if (r.round !== precopy?.round || r.snapshot !== precopy?.snapshot.value) return undefined;
    return {
      key: d.disk.key,
      claim: d.name,
      ...(this.o.executor === 'in-process' ? { path: this.imagePath(d.name) } : {}),
      sha256: r.sha256,
      bytes: r.bytes,
      sparseBytes: r.sparseBytes,
      resumedFrom: r.bytes,
      copiedBytes: 0,
      durationMs: 0,
      throughputMiBps: 0,
    };
  }

  /** Records a finished disk on its claim (with its warm precopy round and snapshot). */
  private async record(c: CopiedDisk, precopy: CopyContext['precopy']): Promise<void> {
    const result: TransferResult = {
      ...(precopy ? { round: precopy.round, snapshot: precopy.snapshot.value } : {}),
      sha256: c.sha256,
      bytes: c.bytes,
      sparseBytes: c.sparseBytes,
      resumedFrom: c.resumedFrom,
      copiedBytes: c.copiedBytes,
      durationMs: c.durationMs,
    };
    await this.o.store.patch(Resources.PersistentVolumeClaim, this.o.namespace, c.claim, {
      metadata: { annotations: { [TransferResultAnnotation]: JSON.stringify(result) } },
    });
  }

  /** Creates the source Secret and a Job per disk, then waits for every Job's result. */
  private async copyWithJobs(disks: readonly DiskWork[], context: CopyContext): Promise<CopiedDisk[]> {
    if (!this.o.job?.image)
      throw new ApiError('no transfer image is configured for the Job executor', 0, {
        hint: 'set MTV_TRANSFER_IMAGE on the controller (an image whose entrypoint is mtv), or MTV_TRANSFER_EXECUTOR=in-process',
      });
    const settings = this.o.job;
    const secretName = this.secretName();
    await this.createOrAdopt<Secret>(
      Resources.Secret,
      buildTransferSecret(secretName, this.o.namespace, this.o.labels, context.connection),
    );
    for (const d of disks)
      await this.createOrAdopt<Job>(
        Resources.Job,
        buildTransferJob({
          disk: d,
          namespace: this.o.namespace,
          labels: this.o.labels,
          datacenterPath: context.datacenterPath,
          secretName,
          settings,
          ...(context.precopy ? { precopy: diskCopyInput(d, context) } : {}),
        }),
      );
    const results = new Map<number, CopiedDisk>();
    while (results.size < disks.length) {
      context.signal?.throwIfAborted();
      for (const d of disks) {
        if (results.has(d.disk.key)) continue;
        const outcome = await this.jobOutcome(d, context);
        if (outcome?.error)
          throw new Error(`the transfer Job of disk ${d.disk.file} failed: ${outcome.error}`);
        if (outcome?.result) {
          const r = outcome.result;
          results.set(d.disk.key, {
            key: d.disk.key,
            claim: d.name,
            sha256: r.sha256,
            bytes: r.bytes,
            sparseBytes: r.sparseBytes,
            resumedFrom: r.resumedFrom,
            copiedBytes: r.copiedBytes,
            durationMs: r.durationMs,
            throughputMiBps: r.durationMs > 0 ? r.copiedBytes / MiB / (r.durationMs / 1000) : 0,
          });
        }
      }
      if (results.size < disks.length) await sleep(this.o.pollMs ?? 2000, context.signal);
    }
    for (const d of disks)
      await this.o.store
        .delete(Resources.Job, this.o.namespace, transferJobName(d.name, context.precopy?.round), {
          propagationPolicy: 'Background',
        })
        .catch(() => undefined);
    await this.o.store.delete(Resources.Secret, this.o.namespace, secretName).catch(() => undefined);
    return disks.map((d) => results.get(d.disk.key) as CopiedDisk);
  }

  /** A Job's result or error once it finished; its progress (from the pod's log) while it runs. */
  private async jobOutcome(
    d: DiskWork,
    context: CopyContext,
  ): Promise<{ result?: TransferResult; error?: string } | undefined> {
    const state = await this.jobState(transferJobName(d.name, context.precopy?.round), 'transfer');
    if (state.error) return { error: state.error };
    if (state.complete) {
      for (const p of state.pods) {
        const o = podOutcome(p);
        if (o?.result) return o;
      }
      return { error: 'the Job completed but none of its pods reports a result' };
    }
    const running = state.pods.find((p) => p.status?.phase === 'Running');
    if (running && context.onDiskProgress) {
      const progress = await this.lastProgress(running.metadata.name ?? '');
      if (progress) context.onDiskProgress(d.disk.key, progress);
    }
    return undefined;
  }

  /** The last progress line a transfer pod printed (`mtv transfer disk` prints one JSON line per interval). */
  private async lastProgress(pod: string): Promise<TransferProgress | undefined> {
    const store = this.o.store as Partial<RawRequester>;
    if (!store.raw) return undefined;
    try {
      const log = await store.raw(
        'GET',
        `/api/v1/namespaces/${encodeURIComponent(this.o.namespace)}/pods/${encodeURIComponent(pod)}/log?container=transfer&tailLines=1`,
      );
      if (log.status !== 200) return undefined;
      const p = JSON.parse(log.text.trim()) as Partial<TransferProgress>;
      return typeof p.bytesDone === 'number' && typeof p.bytesTotal === 'number'
        ? (p as TransferProgress)
        : undefined;
    } catch {
      return undefined; // no log yet, or not JSON
    }
  }

  /**
   * Creates an object, or adopts an existing one that belongs to this VM's migration (same `plan`
   * and `vmID` labels).
   * @throws ApiError when an object of that name exists and belongs to something else
   */
  private async createOrAdopt<T extends KubeObject>(type: ResourceType, object: T): Promise<T> {
    try {
      return await this.o.store.create<T>(type, object);
    } catch (e: unknown) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      const name = object.metadata.name ?? '';
      const existing = await this.o.store.get<T>(type, this.o.namespace, name);
      const labels = existing.metadata.labels ?? {};
      if (labels.plan === this.o.labels.plan && labels.vmID === this.o.labels.vmID) return existing;
      throw new ApiError(
        `${type.kind} ${this.o.namespace}/${name} already exists and is not this VM's (its labels plan=${labels.plan ?? '<none>'}, vmID=${labels.vmID ?? '<none>'})`,
        409,
        {
          hint:
            type === Resources.VirtualMachine
              ? 'delete it, or give the VM another name: mtv patch planvm PLAN VM --target-name NAME'
              : 'delete it, or name the claims differently: mtv patch plan PLAN --pvc-name-template TEMPLATE',
        },
      );
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

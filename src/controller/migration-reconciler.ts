/**
 * The Migration reconciler (cold): initialises the plan's `status.migration`, admits VMs with the
 * per-host scheduler, runs each admitted VM's itinerary in this process against its target (local
 * files, or PVCs, transfer Jobs and a VirtualMachine in cluster mode), records phases, pipeline
 * progress (MiB, MiB/s, ETA), sha256 and errors in the plan's status, and completes the Migration
 * (Succeeded or Failed). A restarted controller resumes every VM at the phase its status records;
 * finished disks are not copied again (checkpoints, and results recorded on the claims).
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/migration
 */
import {
  Category,
  NotFoundError,
  Resources,
  type Condition,
  type DestinationNetwork,
  type DestinationStorage,
  type Migration,
  type NetworkMap,
  type Plan,
  type PlanVM,
  type Provider,
  type PlanStatus,
  type StorageMap,
  type Hook,
  type HookRef,
  type Step,
  type VMStatus,
  type Warm,
  planMigrationType,
  toTime,
} from '../api/index.js';
import path from 'node:path';
import {
  ColdPhases,
  diskWork,
  runColdVm,
  targetNamespace,
  targetVmName,
  type ColdPhase,
  type CopiedDisk,
  type HookStep,
  type VmTarget,
} from '../executor/cold-vm.js';
import { removePrecopySnapshots, runWarmVm, WarmPhases, type WarmPhase } from '../executor/warm-vm.js';
import { KubeTarget, type TransferExecutor } from '../executor/kube-target.js';
import { LocalTarget } from '../executor/local-target.js';
import type { TransferJobSettings } from '../executor/transfer-job.js';
import { diskClaimLabels } from '../planner/data-volume.js';
import type { TransferProgress } from '../transfer/progress.js';
import { resolveRef, type InventoryNamed } from '../planner/validate.js';
import type { VM } from '../providers/vsphere/model.js';
import { restorePowerState } from '../providers/vsphere/power.js';
import { connectVsphere } from '../providers/vsphere/connect.js';
import type { ObjectStore } from '../store/index.js';
import { readConnection } from './connection.js';
import type { Logger } from './log.js';
import { providerAt } from './map-reconciler.js';
import { errorText, type Reconciler } from './manager.js';
import { schedule } from './scheduler.js';
import { StatusBatcher } from './status-batcher.js';
import type { InventoryAccess } from './target-facts.js';
import type { HandlerResult } from './work-queue.js';

/** Options of {@link MigrationReconciler}. */
export interface MigrationReconcilerOptions {
  store: ObjectStore;
  inventory: InventoryAccess;
  /** `$MTV_HOME` (volumes and manifests). */
  home: string;
  log: Logger;
  /** Requeues a migration (runners call it when a VM finishes). */
  enqueue(key: string): void;
  /** VMs copying at once per source host. @default 20 */
  maxInFlight?: number;
  /** Cluster mode: who copies the disks. @default 'job' */
  executor?: TransferExecutor;
  /** Cluster mode, Job executor: the transfer image and service account. */
  transferJob?: TransferJobSettings;
  /** Warm: time from the end of one precopy to the next, ms. @default 3600000 (Forklift's 60 minutes) */
  precopyIntervalMs?: number;
}

const MiB = 1024 * 1024;
const now = () => toTime(new Date());
const cond = (type: string, message: string, category: string = Category.Advisory): Condition => ({
  type,
  status: 'True',
  category,
  message,
  lastTransitionTime: now(),
  durable: true,
});

/** Reconciles Migrations. */
export class MigrationReconciler implements Reconciler {
  readonly name = 'migration';
  readonly type = Resources.Migration;
  private readonly o: MigrationReconcilerOptions;
  private readonly runners = new Map<string, { done: Promise<void>; cancel: AbortController }>();
  /** Recent reads of running Migrations, for {@link cutoverOf}. */
  private readonly migrationReads = new Map<string, { at: number; migration: Promise<Migration> }>();
  /** The one writer of plans' statuses (see {@link updatePlan}). */
  readonly planStatus: StatusBatcher<PlanStatus, Plan>;

  constructor(options: MigrationReconcilerOptions) {
    this.o = options;
    this.planStatus = new StatusBatcher<PlanStatus, Plan>(options.store, Resources.Plan);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.runners.values()].map((r) => r.done));
  }

  /** VMs migrating in this process now (keeps a local background controller from idling out). */
  get active(): number {
    return this.runners.size;
  }

  async reconcile(namespace: string, name: string, signal: AbortSignal): Promise<HandlerResult | undefined> {
    const { store } = this.o;
    let m: Migration;
    try {
      m = await store.get<Migration>(Resources.Migration, namespace, name);
    } catch (e: unknown) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
    if (m.status?.completed) return undefined;
    const planNs = m.spec.plan.namespace || namespace;
    let plan: Plan;
    try {
      plan = await store.get<Plan>(Resources.Plan, planNs, m.spec.plan.name ?? '');
    } catch (e: unknown) {
      if (!(e instanceof NotFoundError)) throw e;
      await this.completeMigration(m, false, `plan ${m.spec.plan.name ?? ''} not found`);
      return undefined;
    }
    if (!m.status?.started) plan = await this.initialize(m, plan);
    const source = await providerAt(store, plan.spec.provider.source, planNs);
    const db = this.o.inventory.of(source);
    const vms = plan.status?.migration?.vms ?? [];
    if (vms.every((v) => v.phase === 'Completed')) {
      await this.finish(m, plan);
      return undefined;
    }
    if (!source || !db) return { requeueAfterMs: 5000 };
    const key = (vmId: string) => `${m.metadata.uid ?? name}/${vmId}`;
    const canceled = new Set((m.spec.cancel ?? []).map((r) => r.id ?? ''));
    for (const v of vms) {
      if (!canceled.has(v.id ?? '') || v.phase === 'Completed') continue;
      const running = this.runners.get(key(v.id ?? ''));
      if (running) running.cancel.abort();
      else await this.markCanceled(plan, v, source, m);
    }
    const decision = schedule(
      vms.map((v) => ({
        id: v.id ?? '',
        host: (db.get('VM', v.id ?? '') as unknown as VM | undefined)?.host ?? '',
        state:
          v.phase === 'Completed' || canceled.has(v.id ?? '')
            ? 'done'
            : this.runners.has(key(v.id ?? '')) || v.phase !== 'Started'
              ? 'running'
              : 'waiting',
      })),
      this.o.maxInFlight ?? 20,
    );
    // Running VMs without a runner here (a restarted controller) resume too.
    const resume = vms.filter(
      (v) =>
        v.phase !== 'Completed' &&
        v.phase !== 'Started' &&
        !canceled.has(v.id ?? '') &&
        !this.runners.has(key(v.id ?? '')),
    );
    await this.markPending(plan, decision.pending);
    for (const id of [...decision.admit, ...resume.map((v) => v.id ?? '')]) {
      const vmDoc = db.get('VM', id) as unknown as VM | undefined;
      const status = vms.find((v) => v.id === id);
      if (!vmDoc || !status) continue;
      const datacenter = db.get('Datacenter', vmDoc.datacenter)?.name ?? '';
      const cancel = new AbortController();
      const done = this.run(m, plan, vmDoc, status, datacenter, signal, cancel.signal).finally(() => {
        this.runners.delete(key(id));
        this.o.enqueue(`${namespace}/${name}`);
      });
      this.runners.set(key(id), { done, cancel });
    }
    return { requeueAfterMs: 2000 };
  }

  /** Starts the plan's migration status: every VM Started (a restart keeps the ones that succeeded). */
  private async initialize(m: Migration, plan: Plan): Promise<Plan> {
    const previous = new Map((plan.status?.migration?.vms ?? []).map((v) => [v.id, v]));
    const vms: VMStatus[] = plan.spec.vms.map((vm) => {
      const before = previous.get(vm.id);
      if (before?.phase === 'Completed' && before.conditions?.some((c) => c.type === 'Succeeded'))
        return before;
      return {
        ...vm,
        id: vm.id ?? '',
        phase: 'Started',
        started: now(),
        pipeline: initialPipeline(vm.hooks ?? [], planMigrationType(plan.spec) === 'warm'),
      };
    });
    const started = now();
    await this.o.store.updateStatus<Migration>(Resources.Migration, {
      ...m,
      status: { ...m.status, started, conditions: [cond('Running', 'The migration is running.')] },
    });
    return this.updatePlan(plan.metadata.namespace ?? '', plan.metadata.name ?? '', (s) => {
      s.migration = {
        ...s.migration,
        started,
        vms,
        history: [
          ...(s.migration?.history ?? []),
          {
            plan: {
              namespace: plan.metadata.namespace ?? '',
              name: plan.metadata.name ?? '',
              uid: plan.metadata.uid ?? '',
              generation: plan.metadata.generation ?? 0,
            },
            migration: {
              namespace: m.metadata.namespace ?? '',
              name: m.metadata.name ?? '',
              uid: m.metadata.uid ?? '',
              generation: m.metadata.generation ?? 0,
            },
            provider: {
              source: ref(plan.spec.provider.source),
              destination: ref(plan.spec.provider.destination),
            },
            map: { network: ref(plan.spec.map.network), storage: ref(plan.spec.map.storage) },
          },
        ],
      };
      delete s.migration.completed;
      s.conditions = [
        ...(s.conditions ?? []).filter(
          (c) => !['Executing', 'Succeeded', 'Failed', 'Canceled'].includes(c.type),
        ),
        cond('Executing', 'The plan is executing.', Category.Advisory),
      ];
    });
  }

  /**
   * Where a VM's volumes and VirtualMachine go: files under `$MTV_HOME` in local mode; PVCs,
   * transfer Jobs (or in-process copies) and a VirtualMachine in the target namespace in cluster mode.
   */
  private target(plan: Plan, vm: VM, migrationUid: string | undefined): VmTarget {
    const namespace = targetNamespace(plan);
    if (this.o.store.mode === 'local') return new LocalTarget(this.o.home, namespace);
    return new KubeTarget({
      store: this.o.store,
      namespace,
      labels: diskClaimLabels({ vm, plan, ...(migrationUid ? { migrationUid } : {}) }),
      executor: this.o.executor ?? 'job',
      volumesDir: path.join(this.o.home, 'volumes'),
      ...(this.o.transferJob ? { job: this.o.transferJob } : {}),
    });
  }

  /** Runs one VM's itinerary, recording its progress; never throws. */
  private async run(
    m: Migration,
    plan: Plan,
    vm: VM,
    status: VMStatus,
    datacenterPath: string,
    stopping: AbortSignal,
    canceling: AbortSignal,
  ): Promise<void> {
    const signal = AbortSignal.any([stopping, canceling]);
    const ns = plan.metadata.namespace ?? '';
    const planName = plan.metadata.name ?? '';
    const update = (f: (v: VMStatus) => void) =>
      this.updatePlan(ns, planName, (s) => {
        const v = s.migration?.vms?.find((x) => x.id === vm.id);
        if (v) f(v);
      });
    let lastProgress = 0;
    // The source's power state before the migration, as recorded (a failure restores it).
    let recordedPower = status.restorePowerState;
    const migrationUid = m.metadata.uid;
    const target = this.target(plan, vm, migrationUid);
    const source = await providerAt(this.o.store, plan.spec.provider.source, ns);
    try {
      if (!source) throw new Error('the source provider is gone');
      const connection = await readConnection(this.o.store, source);
      const maps = await this.destinations(plan, source);
      const planVM = plan.spec.vms.find((v) => v.id === vm.id) ?? { id: vm.id, name: vm.name };
      const hooks = await this.hooksOf(planVM, ns);
      const warm = planMigrationType(plan.spec) === 'warm';
      this.o.log.info({ plan: planName, vm: vm.name, from: status.phase, warm }, 'migrating VM');
      const common = {
        connection,
        vm,
        datacenterPath,
        plan,
        planVM,
        ...(migrationUid ? { migrationUid } : {}),
        ...maps,
        target,
        hooks,
        ...(status.restorePowerState ? { restorePowerState: status.restorePowerState } : {}),
        signal,
        onDiskProgress: (key: number, p: TransferProgress) => {
          if (Date.now() - lastProgress < 1000 && p.bytesDone < p.bytesTotal) return;
          lastProgress = Date.now();
          void update((v) => setDiskProgress(v, key, p)).catch(() => undefined);
        },
      };
      const onPhase = (phase: string, facts: { restorePowerState?: string; warm?: Warm }) =>
        update((v) => {
          v.phase = phase;
          if (facts.restorePowerState) {
            v.restorePowerState = facts.restorePowerState;
            recordedPower = facts.restorePowerState;
          }
          if (facts.warm) v.warm = structuredClone(facts.warm);
          advancePipeline(v, phase);
        }).then(() => undefined);
      const result = warm
        ? await runWarmVm({
            ...common,
            from: (WarmPhases as readonly string[]).includes(status.phase)
              ? (status.phase as WarmPhase)
              : 'PreHook',
            ...(status.warm ? { warm: status.warm } : {}),
            precopyIntervalMs: this.o.precopyIntervalMs ?? 3_600_000,
            cutover: () => this.cutoverOf(m, vm.id),
            onPhase,
            onCopied: (_round, disks) => update((v) => recordCopies(v, disks)).then(() => undefined),
          })
        : await runColdVm({
            ...common,
            from: (ColdPhases as readonly string[]).includes(status.phase)
              ? (status.phase as ColdPhase)
              : 'PreHook',
            onPhase,
          });
      await update((v) => {
        recordCopies(v, result.disks);
        v.phase = 'Completed';
        v.completed = now();
        v.conditions = [
          cond(
            'Succeeded',
            this.o.store.mode === 'local'
              ? `The VM migrated; manifest ${result.vmLocation}.`
              : `The VM migrated; VirtualMachine ${result.vmLocation}.`,
          ),
        ];
      });
    } catch (e: unknown) {
      // The controller is stopping: leave the VM at its phase; the next controller resumes it.
      if (stopping.aborted) return;
      if (canceling.aborted) {
        const current = (
          await this.o.store.get<Plan>(Resources.Plan, ns, planName)
        ).status?.migration?.vms?.find((x) => x.id === vm.id);
        await this.markCanceled(plan, current ?? status, source, m).catch(() => undefined);
        return;
      }
      const message = errorText(e);
      this.o.log.warn({ plan: planName, vm: vm.name, err: message }, 'VM migration failed');
      if (source) await this.restoreSource(m, plan, source, vm, recordedPower === 'On');
      const planVM = plan.spec.vms.find((x) => x.id === vm.id);
      if (planVM?.deleteVmOnFailMigration ?? plan.spec.deleteVmOnFailMigration) {
        const maps = source ? await this.destinations(plan, source).catch(() => undefined) : undefined;
        if (maps) await this.removeTarget(plan, vm, maps.storage, migrationUid).catch(() => undefined);
      }
      await update((v) => {
        v.error = { phase: v.phase, reasons: [message] };
        v.phase = 'Completed';
        v.completed = now();
        v.conditions = [cond('Failed', message, Category.Error)];
      }).catch(() => undefined);
    }
  }

  /**
   * Gives queued VMs a `Pending` condition saying why they wait (the scheduler's reason), and
   * drops it from VMs that no longer wait. Writes only when something changed.
   */
  private async markPending(plan: Plan, pending: readonly { id: string; reason: string }[]): Promise<void> {
    const why = new Map(pending.map((p) => [p.id, p.reason]));
    const vms = plan.status?.migration?.vms ?? [];
    const stale = vms.some((v) => {
      const c = v.conditions?.find((x) => x.type === 'Pending');
      return why.has(v.id ?? '') ? c?.message !== why.get(v.id ?? '') : c !== undefined;
    });
    if (!stale) return;
    await this.updatePlan(plan.metadata.namespace ?? '', plan.metadata.name ?? '', (s) => {
      for (const v of s.migration?.vms ?? []) {
        const others = (v.conditions ?? []).filter((x) => x.type !== 'Pending');
        const reason = why.get(v.id ?? '');
        v.conditions = reason ? [...others, { ...cond('Pending', reason), reason: 'MaxInFlight' }] : others;
      }
    });
  }

  /**
   * Cancels a VM: removes its warm precopy snapshots, restores the source's power state, removes
   * its partial target (volumes, checkpoints, manifest), and marks it Completed + Canceled.
   */
  private async markCanceled(
    plan: Plan,
    v: VMStatus,
    source: Provider | undefined,
    m: Migration,
  ): Promise<void> {
    const db = this.o.inventory.of(source);
    const vm = db?.get('VM', v.id ?? '') as unknown as VM | undefined;
    if (source && vm) await this.restoreSource(m, plan, source, vm, v.restorePowerState === 'On');
    if (vm) {
      const maps = source ? await this.destinations(plan, source) : { storage: {} };
      await this.removeTarget(plan, vm, maps.storage, undefined);
    }
    await this.updatePlan(plan.metadata.namespace ?? '', plan.metadata.name ?? '', (s) => {
      const x = s.migration?.vms?.find((y) => y.id === v.id);
      if (!x) return;
      x.phase = 'Completed';
      x.completed = now();
      x.conditions = [
        cond(
          'Canceled',
          'The VM migration was canceled; its source power state was restored and its partial target removed.',
        ),
      ];
    });
  }

  /** Removes what the VM's runs created in its target (volumes, transfer objects, VirtualMachine). */
  private async removeTarget(
    plan: Plan,
    vm: VM,
    storage: Record<string, DestinationStorage>,
    migrationUid: string | undefined,
  ): Promise<void> {
    const planVM = plan.spec.vms.find((x) => x.id === vm.id) ?? { id: vm.id };
    await this.target(plan, vm, migrationUid).remove(
      diskWork({ vm, plan, planVM, storage }),
      targetVmName({ vm, planVM }),
    );
  }

  /** The VM's hooks, resolved to Hook objects by step. */
  private async hooksOf(planVM: PlanVM, ns: string): Promise<Partial<Record<HookStep, Hook>>> {
    const hooks: Partial<Record<HookStep, Hook>> = {};
    for (const h of planVM.hooks ?? [])
      if (h.step === 'PreHook' || h.step === 'PostHook')
        hooks[h.step] = await this.o.store.get<Hook>(
          Resources.Hook,
          h.hook.namespace || ns,
          h.hook.name ?? '',
        );
    return hooks;
  }

  /**
   * After a failure or a cancel, in one vSphere session: removes the precopy snapshots this
   * migration took of the VM (warm plans), then powers the source on when it was on before.
   * Never throws: what fails is logged, with what to do by hand.
   */
  private async restoreSource(
    m: Migration,
    plan: Plan,
    source: Provider,
    vm: VM,
    powerOn: boolean,
  ): Promise<void> {
    const warm = planMigrationType(plan.spec) === 'warm';
    if (!warm && !powerOn) return;
    const vmRef = { type: 'VirtualMachine', value: vm.id };
    const log = { plan: plan.metadata.name, vm: vm.name };
    let client;
    try {
      client = await connectVsphere(await readConnection(this.o.store, source));
    } catch (e: unknown) {
      this.o.log.warn({ ...log, err: errorText(e) }, 'could not reach the source to restore it');
      return;
    }
    try {
      if (warm)
        await removePrecopySnapshots(
          client,
          vmRef,
          m.metadata.uid ?? plan.metadata.uid ?? plan.metadata.name ?? '',
        ).catch((e: unknown) =>
          this.o.log.warn(
            { ...log, err: errorText(e) },
            'could not remove the precopy snapshots; remove them in vSphere',
          ),
        );
      if (powerOn)
        await restorePowerState(client, vmRef, 'poweredOn').catch((e: unknown) =>
          this.o.log.warn(
            { ...log, err: errorText(e) },
            'could not power the source on again; power it on in vSphere',
          ),
        );
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  /**
   * When a VM of the migration cuts over: its `vmCutover`, else the Migration's `cutover`. Read
   * fresh, at most once a second per Migration however many of its VMs ask (each paused VM asks
   * every second).
   */
  private async cutoverOf(m: Migration, vmId: string): Promise<Date | undefined> {
    const key = m.metadata.uid ?? `${m.metadata.namespace ?? ''}/${m.metadata.name ?? ''}`;
    let cached = this.migrationReads.get(key);
    if (!cached || Date.now() - cached.at > 1000) {
      cached = {
        at: Date.now(),
        migration: this.o.store
          .get<Migration>(Resources.Migration, m.metadata.namespace ?? '', m.metadata.name ?? '')
          .catch(() => m),
      };
      this.migrationReads.set(key, cached);
    }
    const fresh = await cached.migration;
    const text = fresh.spec.vmCutover?.find((c) => c.id === vmId)?.cutover ?? fresh.spec.cutover;
    const at = text ? new Date(text) : undefined;
    return at && !Number.isNaN(at.getTime()) ? at : undefined;
  }

  /** Network and storage destinations by source id, from the plan's maps resolved in the inventory. */
  private async destinations(
    plan: Plan,
    source: Provider,
  ): Promise<{
    networks: Record<string, DestinationNetwork>;
    storage: Record<string, DestinationStorage>;
  }> {
    const ns = plan.metadata.namespace ?? '';
    const db = this.o.inventory.of(source);
    const net = await this.o.store.get<NetworkMap>(
      Resources.NetworkMap,
      plan.spec.map.network.namespace || ns,
      plan.spec.map.network.name ?? '',
    );
    const sto = await this.o.store.get<StorageMap>(
      Resources.StorageMap,
      plan.spec.map.storage.namespace || ns,
      plan.spec.map.storage.name ?? '',
    );
    const networks = (db?.list('Network') ?? []) as unknown as InventoryNamed[];
    const datastores = (db?.list('Datastore') ?? []) as unknown as InventoryNamed[];
    const out = {
      networks: {} as Record<string, DestinationNetwork>,
      storage: {} as Record<string, DestinationStorage>,
    };
    for (const p of net.spec.map) {
      const id = resolveRef(p.source, networks);
      if (id) out.networks[id] = p.destination;
    }
    for (const p of sto.spec.map) {
      const id = resolveRef(p.source, datastores);
      if (id) out.storage[id] = p.destination;
    }
    return out;
  }

  /** Completes the migration and the plan's execution when every VM is done. */
  private async finish(m: Migration, plan: Plan): Promise<void> {
    const vms = plan.status?.migration?.vms ?? [];
    const failed = vms.filter((v) => v.conditions?.some((c) => c.type === 'Failed'));
    const succeeded = vms.filter((v) => v.conditions?.some((c) => c.type === 'Succeeded'));
    // Forklift's rule: Failed if any VM failed, else Succeeded if any succeeded, else Canceled.
    const ok = failed.length === 0;
    const allCanceled = ok && succeeded.length === 0;
    await this.updatePlan(plan.metadata.namespace ?? '', plan.metadata.name ?? '', (s) => {
      if (s.migration) s.migration.completed = now();
      s.conditions = [
        ...(s.conditions ?? []).filter(
          (c) => !['Executing', 'Succeeded', 'Failed', 'Canceled'].includes(c.type),
        ),
        allCanceled
          ? cond('Canceled', 'The plan execution was CANCELED.')
          : ok
            ? cond('Succeeded', 'The plan execution has SUCCEEDED.')
            : cond(
                'Failed',
                `The plan execution has FAILED: ${failed.map((v) => v.name ?? v.id ?? '').join(', ')}.`,
                Category.Error,
              ),
      ];
    });
    await this.completeMigration(m, ok, ok ? 'The migration has SUCCEEDED.' : 'The migration has FAILED.');
  }

  private async completeMigration(m: Migration, ok: boolean, message: string): Promise<void> {
    const fresh = await this.o.store.get<Migration>(
      Resources.Migration,
      m.metadata.namespace ?? '',
      m.metadata.name ?? '',
    );
    await this.o.store.updateStatus<Migration>(Resources.Migration, {
      ...fresh,
      status: {
        ...fresh.status,
        completed: now(),
        conditions: [cond(ok ? 'Succeeded' : 'Failed', message, ok ? Category.Advisory : Category.Error)],
      },
    });
  }

  /**
   * Read-modify-write of the plan's status. Every runner of the plan writes through one
   * {@link StatusBatcher}, so concurrent phase and progress updates become one write.
   */
  private updatePlan(ns: string, name: string, mutate: (s: PlanStatus) => void): Promise<Plan> {
    return this.planStatus.update(ns, name, mutate);
  }
}

function ref(r: { name?: string; namespace?: string }): {
  namespace: string;
  name: string;
  uid: string;
  generation: number;
} {
  return { namespace: r.namespace ?? '', name: r.name ?? '', uid: '', generation: 0 };
}

/**
 * Forklift's pipeline of a VM: [PreHook], Initialize, DiskTransfer (MiB; a task per disk),
 * Cutover (warm only: "Finalize disk transfer."), VirtualMachineCreation, [PostHook].
 */
function initialPipeline(hooks: readonly HookRef[], warm: boolean): Step[] {
  const has = (step: string) => hooks.some((h) => h.step === step);
  return [
    ...(has('PreHook')
      ? [{ name: 'PreHook', description: 'Run pre-migration hook.', progress: { completed: 0, total: 1 } }]
      : []),
    { name: 'Initialize', description: 'Initialize migration.', progress: { completed: 0, total: 1 } },
    { name: 'DiskTransfer', description: 'Transfer disks.', progress: { completed: 0, total: 0 }, tasks: [] },
    ...(warm
      ? [{ name: 'Cutover', description: 'Finalize disk transfer.', progress: { completed: 0, total: 1 } }]
      : []),
    { name: 'VirtualMachineCreation', description: 'Create VM.', progress: { completed: 0, total: 1 } },
    ...(has('PostHook')
      ? [{ name: 'PostHook', description: 'Run post-migration hook.', progress: { completed: 0, total: 1 } }]
      : []),
  ];
}

/** The pipeline step of each phase (Forklift's `Step()` of its itineraries). */
const phaseStep: Readonly<Record<ColdPhase | WarmPhase, string>> = {
  PreHook: 'PreHook',
  PostHook: 'PostHook',
  StorePowerState: 'Initialize',
  PowerOffSource: 'Initialize',
  WaitForPowerOff: 'Initialize',
  CreateDataVolumes: 'Initialize',
  CopyDisks: 'DiskTransfer',
  CreateVM: 'VirtualMachineCreation',
  Completed: '',
  CreateInitialSnapshot: 'Initialize',
  StoreInitialSnapshotDeltas: 'Initialize',
  CopyingPaused: 'DiskTransfer',
  RemovePreviousSnapshot: 'DiskTransfer',
  CreateSnapshot: 'DiskTransfer',
  StoreSnapshotDeltas: 'DiskTransfer',
  AddCheckpoint: 'DiskTransfer',
  RemovePenultimateSnapshot: 'Cutover',
  CreateFinalSnapshot: 'Cutover',
  AddFinalCheckpoint: 'Cutover',
  Finalize: 'Cutover',
  RemoveFinalSnapshot: 'Cutover',
};

/** Warm phases of the Cutover step that share a name with cold Initialize phases. */
const warmCutoverPhases = new Set(['StorePowerState', 'PowerOffSource', 'WaitForPowerOff']);

/** Marks the phase's step running and every earlier step completed. */
function advancePipeline(v: VMStatus, phase: string): void {
  const warm = v.pipeline.some((s) => s.name === 'Cutover');
  const step =
    warm && warmCutoverPhases.has(phase)
      ? 'Cutover'
      : ((phaseStep as Readonly<Record<string, string | undefined>>)[phase] ?? '');
  let reached = false;
  for (const s of [...v.pipeline].reverse()) {
    if (s.name === step) {
      reached = true;
      s.phase = 'Running';
      s.started ??= now();
      continue;
    }
    if (reached || phase === 'Completed') {
      s.phase = 'Completed';
      s.completed ??= now();
      s.progress.completed = s.progress.total;
    }
  }
}

/** Per-disk task annotations besides Forklift's task fields. */
export const TaskAnnotation = {
  DiskKey: 'mtv.konveyor.io/disk-key',
  Sha256: 'mtv.konveyor.io/sha256',
  /** Bytes a resumed copy started from. */
  ResumedFrom: 'mtv.konveyor.io/resumed-from',
  /** Recent MiB/s while copying; the mean rate of the copy once complete. */
  Throughput: 'mtv.konveyor.io/throughput-mibps',
  /** Seconds left, while copying. */
  Eta: 'mtv.konveyor.io/eta-seconds',
  /** Bytes the last copy read from the source (a warm precopy round: only what changed). */
  CopiedBytes: 'mtv.konveyor.io/copied-bytes',
} as const;

/** Records finished copies (a cold copy, or a warm precopy round): each disk's size, rate and sha256. */
function recordCopies(v: VMStatus, disks: readonly CopiedDisk[]): void {
  for (const d of disks)
    setDiskProgress(
      v,
      d.key,
      { bytesDone: d.bytes, bytesTotal: d.bytes, throughputMiBps: d.throughputMiBps },
      { sha256: d.sha256, resumedFrom: d.resumedFrom, copiedBytes: d.copiedBytes },
    );
}

/** Records one disk's copy progress (MiB, rate, ETA) and, when done, its sha256. */
function setDiskProgress(
  v: VMStatus,
  key: number,
  p: Pick<TransferProgress, 'bytesDone' | 'bytesTotal' | 'throughputMiBps'> & {
    etaSeconds?: number | undefined;
  },
  done?: { sha256: string; resumedFrom: number; copiedBytes?: number },
): void {
  const step = v.pipeline.find((s) => s.name === 'DiskTransfer');
  if (!step) return;
  step.tasks ??= [];
  let task = step.tasks.find((t) => t.annotations?.[TaskAnnotation.DiskKey] === String(key));
  if (!task) {
    task = {
      name: `disk-${String(key)}`,
      progress: { completed: 0, total: 0 },
      annotations: { [TaskAnnotation.DiskKey]: String(key) },
    };
    step.tasks.push(task);
  }
  task.progress = { completed: Math.floor(p.bytesDone / MiB), total: Math.ceil(p.bytesTotal / MiB) };
  const annotations: Record<string, string> = { ...task.annotations };
  delete annotations[TaskAnnotation.Eta];
  if (p.throughputMiBps > 0) annotations[TaskAnnotation.Throughput] = p.throughputMiBps.toFixed(1);
  if (!done && p.etaSeconds !== undefined) annotations[TaskAnnotation.Eta] = String(Math.round(p.etaSeconds));
  if (done) {
    annotations[TaskAnnotation.Sha256] = done.sha256;
    task.phase = 'Completed';
    // A copy that continued from a checkpoint (after a restart) says from where, in bytes.
    if (done.resumedFrom) annotations[TaskAnnotation.ResumedFrom] = String(done.resumedFrom);
    else delete annotations[TaskAnnotation.ResumedFrom];
    if (done.copiedBytes !== undefined) annotations[TaskAnnotation.CopiedBytes] = String(done.copiedBytes);
  } else task.phase = 'Running';
  task.annotations = annotations;
  step.progress = step.tasks.reduce(
    (acc, t) => ({ completed: acc.completed + t.progress.completed, total: acc.total + t.progress.total }),
    { completed: 0, total: 0 },
  );
}

/**
 * `describe plan NAME` and `describe plan NAME --vm VM` as documents. Pure: the plan and the
 * related objects read beforehand ({@link PlanFacts}) in, a document out.
 */
import { UsageError } from '../../api/index.js';
import type {
  Condition,
  Migration,
  NetworkMap,
  Plan,
  PlanVM,
  Snapshot,
  StorageMap,
  VMStatus,
} from '../../api/index.js';
import { planMigrationType } from '../../api/index.js';
import type { DocField, DocSection, Document } from '../output/document.js';
import { humanDuration } from '../output/age.js';
import { progressText, rateText, transferText } from '../output/progress.js';
import { conditionsTable, metadataFields, refText, suggestionSections, trailingSections } from './common.js';
import { networkDestinationText, sourceText, storageDestinationText } from './mapping.js';
import {
  currentStep,
  diskFacts,
  diskTransferStep,
  pendingReason,
  resultText,
  runTransfer,
  runVms,
  stepPhase,
  targetNameOf,
  vmCounts,
  vmLabel,
  vmTransfer,
} from './plan-status.js';
import { vmList } from './plan-tables.js';

/** Objects a plan's description quotes, read by the caller. */
export interface PlanFacts {
  /** The plan's summary phase (see planPhase). */
  phase: string;
  /** The plan's NetworkMap, when it exists. */
  networkMap?: NetworkMap | undefined;
  /** The plan's StorageMap, when it exists. */
  storageMap?: StorageMap | undefined;
  /** Migrations of the plan's namespace (for the history's times and results). */
  migrations: readonly Migration[];
}

const MiB = 1024 * 1024;

const hooksText = (vm: PlanVM): string =>
  (vm.hooks ?? []).map((h) => `${h.step}:${h.hook.name ?? ''}`).join(', ');

/** Start, completion, VM counts and disk transfer of the plan's run. */
function runSection(plan: Plan, bars: boolean): DocSection[] {
  const m = plan.status?.migration;
  const vms = runVms(plan);
  if (!m || !vms.length) return [];
  const c = vmCounts(vms);
  return [
    {
      title: 'Migration',
      fields: [
        { label: 'Started', value: m.started ?? '-' },
        { label: 'Completed', value: m.completed ?? '-' },
        {
          label: 'VMs',
          value: `${String(c.done)}/${String(c.total)} done (S:${String(c.succeeded)}/F:${String(c.failed)}/C:${String(c.canceled)})`,
        },
        { label: 'Disk transfer', value: transferText(runTransfer(vms), bars) },
      ],
    },
  ];
}

/** The pairs of the plan's two maps. */
function mappingsSection(plan: Plan, facts: PlanFacts): DocSection {
  const ns = plan.metadata.namespace ?? '';
  const rows: string[][] = [];
  const missing = (kind: string, name: string | undefined) => [kind, `<map ${name ?? ''} not found>`, ''];
  if (facts.networkMap)
    for (const p of facts.networkMap.spec.map)
      rows.push(['network', sourceText(p.source), networkDestinationText(p, ns)]);
  else rows.push(missing('network', plan.spec.map.network.name));
  if (facts.storageMap)
    for (const p of facts.storageMap.spec.map)
      rows.push(['storage', sourceText(p.source), storageDestinationText(p)]);
  else rows.push(missing('storage', plan.spec.map.storage.name));
  return { title: 'Mappings', table: { header: ['KIND', 'SOURCE', 'DESTINATION'], rows } };
}

/** Every VM of the plan with its run's phase, step and transfer. */
function vmsSection(plan: Plan, bars: boolean): DocSection {
  const status = new Map(runVms(plan).map((v) => [v.id, v]));
  return {
    title: `VMs (${String(plan.spec.vms.length)})`,
    table: {
      header: ['NAME', 'ID', 'TARGET NAME', 'PHASE', 'STEP', 'TRANSFER', 'HOOKS'],
      rows: plan.spec.vms.map((vm) => {
        const v = status.get(vm.id ?? '');
        return [
          vm.name ?? '',
          vm.id ?? '',
          targetNameOf(v ?? vm),
          v?.phase ?? '',
          v ? currentStep(v) : '',
          v ? transferText(vmTransfer(v), bars) : '',
          hooksText(vm),
        ];
      }),
    },
  };
}

/** Steps in the order the VMs' pipelines list them. */
function stepNames(vms: readonly VMStatus[]): string[] {
  const names: string[] = [];
  for (const v of vms) for (const s of v.pipeline) if (!names.includes(s.name)) names.push(s.name);
  return names;
}

/** Per pipeline step: how many VMs finished it, how many run it, and its summed progress. */
function pipelineSummary(plan: Plan, bars: boolean): DocSection[] {
  const vms = runVms(plan);
  if (!vms.length) return [];
  const rows = stepNames(vms).map((name) => {
    const steps = vms.flatMap((v) => v.pipeline.filter((s) => s.name === name).map((s) => ({ v, s })));
    const done = steps.filter(({ v, s }) => stepPhase(v, s) === 'Completed').length;
    const running = steps.filter(({ v, s }) => stepPhase(v, s) === 'Running').length;
    const progress =
      name === diskTransferStep
        ? transferText(runTransfer(vms), bars)
        : progressText(
            steps.reduce(
              (a, { s }) => ({
                completed: a.completed + s.progress.completed,
                total: a.total + s.progress.total,
              }),
              { completed: 0, total: 0 },
            ),
            { bars },
          );
    return [name, `${String(done)}/${String(steps.length)}`, String(running), progress];
  });
  return [{ title: 'Pipeline', table: { header: ['STEP', 'DONE', 'RUNNING', 'PROGRESS'], rows } }];
}

/** Error rows of one VM: its own, its steps', its disks'. */
function errorRows(v: VMStatus): string[][] {
  const rows: string[][] = [];
  if (v.error) rows.push([vmLabel(v), v.error.phase, v.error.reasons.join('; ')]);
  for (const s of v.pipeline) {
    if (s.error) rows.push([vmLabel(v), s.name, s.error.reasons.join('; ')]);
    for (const t of s.tasks ?? [])
      if (t.error) rows.push([vmLabel(v), `${s.name}/${t.name}`, t.error.reasons.join('; ')]);
  }
  return rows;
}

function errorsSection(vms: readonly VMStatus[]): DocSection[] {
  if (!vms.length) return [];
  return [
    {
      title: 'Errors',
      table: { header: ['VM', 'WHERE', 'ERROR'], rows: vms.flatMap(errorRows) },
    },
  ];
}

/** First true of Failed, Canceled, Succeeded, Running among conditions. */
function runResult(conditions: readonly Condition[] | undefined): string | undefined {
  for (const t of ['Failed', 'Canceled', 'Succeeded', 'Running'])
    if (conditions?.some((c) => c.type === t && c.status === 'True')) return t;
  return undefined;
}

/** The plan's runs, oldest first, with times and results from their Migrations where they still exist. */
function historySection(plan: Plan, facts: PlanFacts): DocSection {
  const history: readonly Snapshot[] = plan.status?.migration?.history ?? [];
  return {
    title: 'History',
    table: {
      header: ['#', 'MIGRATION', 'PLAN GENERATION', 'STARTED', 'COMPLETED', 'RESULT'],
      rows: history.map((h, i) => {
        const m = facts.migrations.find((x) =>
          h.migration.uid ? x.metadata.uid === h.migration.uid : x.metadata.name === h.migration.name,
        );
        return [
          String(i + 1),
          h.migration.name,
          String(h.plan.generation),
          m?.status?.started ?? '-',
          m?.status?.completed ?? '-',
          runResult(m?.status?.conditions) ?? runResult(h.conditions) ?? (m ? '-' : '- (migration deleted)'),
        ];
      }),
    },
    empty: '<none> (the plan has not run)',
  };
}

/** `describe plan NAME`: fields, run, mappings, VMs, pipeline, errors, history, conditions. */
export function planDocument(plan: Plan, facts: PlanFacts, bars: boolean): Document {
  const s = plan.spec;
  return {
    title: `Plan ${plan.metadata.namespace ?? ''}/${plan.metadata.name ?? ''}`,
    fields: [
      ...metadataFields(plan),
      { label: 'Phase', value: facts.phase },
      { label: 'Type', value: planMigrationType(s) },
      { label: 'Source', value: refText(s.provider.source, undefined) },
      { label: 'Target', value: refText(s.provider.destination, undefined) },
      { label: 'Target namespace', value: s.targetNamespace },
      { label: 'Network map', value: refText(s.map.network, plan.metadata.namespace) },
      { label: 'Storage map', value: refText(s.map.storage, plan.metadata.namespace) },
      ...(s.description ? [{ label: 'Description', value: s.description }] : []),
      ...(s.archived ? [{ label: 'Archived', value: 'yes' }] : []),
    ],
    sections: [
      ...runSection(plan, bars),
      mappingsSection(plan, facts),
      vmsSection(plan, bars),
      ...pipelineSummary(plan, bars),
      ...errorsSection(runVms(plan)),
      historySection(plan, facts),
      ...trailingSections('Plan', plan),
    ],
  };
}

/** A plan's VM named by name or id: its spec entry and its run's status, either may be absent. */
export interface FoundVm {
  spec?: PlanVM | undefined;
  status?: VMStatus | undefined;
}

/**
 * Finds `--vm` among the plan's VMs (spec and run), by id or name.
 * @throws UsageError naming the VM and listing the plan's VMs when it is not there, or asking
 *   for the id when several VMs have that name
 */
export function findPlanVm(plan: Plan, vm: string): FoundVm {
  const run = runVms(plan);
  const byId = (id: string | undefined) => (id ? run.find((v) => v.id === id) : undefined);
  const specHits = plan.spec.vms.filter((v) => v.id === vm || v.name === vm);
  const idHit = specHits.find((v) => v.id === vm);
  const all = [...plan.spec.vms, ...run.filter((v) => !plan.spec.vms.some((s) => s.id === v.id))];
  const planName = plan.metadata.name ?? '';
  if (idHit) return { spec: idHit, status: byId(idHit.id) };
  if (specHits.length > 1) {
    throw new UsageError({
      field: '--vm',
      message: `several VMs of plan "${planName}" are named "${vm}"`,
      hint: `name one by id: ${vmList(specHits)}`,
    });
  }
  const spec = specHits[0];
  if (spec) return { spec, status: byId(spec.id) ?? run.find((v) => !v.id && v.name === vm) };
  const status = run.find((v) => v.id === vm) ?? run.find((v) => v.name === vm);
  if (status) return { status };
  throw new UsageError({
    field: '--vm',
    message: `plan "${planName}" has no VM "${vm}"`,
    hint: all.length ? `its VMs: ${vmList(all)}` : 'the plan has no VMs',
  });
}

/** The VM's facts as fields. */
function vmFields(plan: Plan, vm: FoundVm): DocField[] {
  const v = vm.status;
  const base = vm.spec ?? v ?? {};
  const warm = v?.warm;
  const field = (label: string, value: string | undefined): DocField[] => (value ? [{ label, value }] : []);
  return [
    { label: 'Plan', value: `${plan.metadata.namespace ?? ''}/${plan.metadata.name ?? ''}` },
    { label: 'VM', value: base.name ?? '' },
    { label: 'ID', value: base.id ?? '' },
    { label: 'Target name', value: targetNameOf(v ?? base) },
    { label: 'Target namespace', value: plan.spec.targetNamespace },
    { label: 'Phase', value: v?.phase ?? 'not started' },
    ...(v ? [{ label: 'Result', value: resultText(v) }] : []),
    ...field('Waiting because', v ? pendingReason(v) : undefined),
    ...field('Step', v ? currentStep(v) : undefined),
    ...field('Started', v?.started),
    ...field('Completed', v?.completed),
    ...field('Restore power state', v?.restorePowerState),
    ...field('Operating system', v?.operatingSystem),
    ...field('Firmware', v?.firmware),
    ...(warm
      ? [
          {
            label: 'Warm',
            value: `${String(warm.successes)} precopies, ${String(warm.failures)} failed${warm.nextPrecopyAt ? `, next at ${warm.nextPrecopyAt}` : ''}`,
          },
        ]
      : []),
    ...field('Hooks', hooksText(base)),
  ];
}

/** The VM's error, its steps' and its disks'. */
function vmErrorSection(v: VMStatus | undefined): DocSection {
  const fields: DocField[] = [];
  if (v?.error) fields.push({ label: `VM (in ${v.error.phase})`, value: v.error.reasons.join('\n') });
  for (const s of v?.pipeline ?? []) {
    if (s.error) fields.push({ label: s.name, value: s.error.reasons.join('\n') });
    for (const t of s.tasks ?? [])
      if (t.error) fields.push({ label: `${s.name}/${t.name}`, value: t.error.reasons.join('\n') });
  }
  return { title: 'Error', fields };
}

/** Pipeline steps with phase, times and progress (DiskTransfer in MiB with rate and ETA). */
function vmPipelineSection(plan: Plan, v: VMStatus | undefined, bars: boolean): DocSection {
  return {
    title: 'Pipeline',
    table: {
      header: ['STEP', 'PHASE', 'STARTED', 'COMPLETED', 'PROGRESS'],
      rows: (v?.pipeline ?? []).map((s) => [
        s.name,
        v ? stepPhase(v, s) : (s.phase ?? 'Pending'),
        s.started ?? '-',
        s.completed ?? '-',
        s.name === diskTransferStep && v
          ? transferText(vmTransfer(v), bars)
          : progressText(s.progress, { bars }),
      ]),
    },
    empty: `<none> (not started; start it with: mtv start plan ${plan.metadata.name ?? ''})`,
  };
}

/** One row per disk: progress, throughput, ETA, resume point, sha256. */
function vmDisksSection(v: VMStatus | undefined, bars: boolean): DocSection {
  return {
    title: 'Disks',
    table: {
      header: ['DISK', 'PHASE', 'PROGRESS', 'THROUGHPUT', 'ETA', 'RESUMED FROM', 'SHA256'],
      rows: (v ? diskFacts(v) : []).map((d) => [
        d.disk,
        d.phase,
        progressText({ completed: d.completedMiB, total: d.totalMiB }, { bars, unit: 'MiB' }),
        d.throughputMiBps !== undefined ? rateText(d.throughputMiBps) : '-',
        d.etaSeconds !== undefined ? humanDuration(d.etaSeconds) : '-',
        d.resumedFromBytes ? `${String(Math.floor(d.resumedFromBytes / MiB))} MiB` : '-',
        d.sha256 ?? '',
      ]),
    },
    empty: '<none> (no disk copy has started)',
  };
}

/**
 * `describe plan NAME --vm VM`: the VM's phase, result, conditions with suggestions, error,
 * pipeline, disks and the plan's history.
 * @throws UsageError when the plan has no such VM (see {@link findPlanVm})
 */
export function planVmDocument(plan: Plan, vmArg: string, facts: PlanFacts, bars: boolean): Document {
  const vm = findPlanVm(plan, vmArg);
  const v = vm.status;
  const conditions = v?.conditions ?? [];
  return {
    title: `VM ${vmLabel(vm.spec ?? v ?? {})} of plan ${plan.metadata.namespace ?? ''}/${plan.metadata.name ?? ''}`,
    fields: vmFields(plan, vm),
    sections: [
      { title: 'Conditions', table: conditionsTable(conditions) },
      ...suggestionSections('VM', plan, conditions),
      vmErrorSection(v),
      vmPipelineSection(plan, v, bars),
      vmDisksSection(v, bars),
      historySection(plan, facts),
    ],
  };
}

import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../api/index.js';
import type { DocSection, Document } from '../output/document.js';
import { renderDocument } from '../output/document.js';
import { networkMap, readyPlan, runningMigration, runningPlan, storageMap } from './plan.fixture.js';
import { findPlanVm, planDocument, planVmDocument, type PlanFacts } from './plan-describe.js';

const facts = (over: Partial<PlanFacts> = {}): PlanFacts => ({
  phase: 'Running',
  networkMap: networkMap(),
  storageMap: storageMap(),
  migrations: [runningMigration()],
  ...over,
});

const section = (doc: Document, title: string): DocSection => {
  const s = doc.sections.find((x) => x.title === title);
  if (!s) throw new Error(`no section ${title} in ${doc.sections.map((x) => x.title).join(', ')}`);
  return s;
};
const field = (fields: Document['fields'] | undefined, label: string) =>
  fields?.find((f) => f.label === label)?.value;

describe('describe plan NAME', () => {
  const doc = planDocument(runningPlan(), facts(), false);

  it('sums the run: VMs by result and the disk transfer with rate and ETA', () => {
    const run = section(doc, 'Migration');
    expect(field(run.fields, 'VMs')).toBe('2/4 done (S:1/F:1/C:0)');
    expect(field(run.fields, 'Disk transfer')).toBe('38% (2960/7768 MiB) 48.3 MiB/s ETA 8m20s');
  });

  it('lists the pairs of both maps, and says when a map is gone', () => {
    expect(section(doc, 'Mappings').table?.rows).toEqual([
      ['network', 'VM Network (network-7)', 'pod'],
      ['storage', 'LocalDS_0 (datastore-3)', 'standard'],
    ]);
    const gone = planDocument(runningPlan(), facts({ storageMap: undefined }), false);
    expect(section(gone, 'Mappings').table?.rows[1]).toEqual(['storage', '<map web-storage not found>', '']);
  });

  it('summarises the pipeline per step, a failed VM’s step not counted as running', () => {
    expect(section(doc, 'Pipeline').table?.rows).toEqual([
      ['Initialize', '3/4', '0', '75%'],
      ['DiskTransfer', '1/4', '1', '38% (2960/7768 MiB) 48.3 MiB/s ETA 8m20s'],
      ['VirtualMachineCreation', '1/4', '0', '25%'],
    ]);
  });

  it('shows the target names, errors and history', () => {
    expect(section(doc, 'VMs (4)').table?.rows.map((r) => r[2])).toEqual([
      'web-1',
      'web-two',
      'db-1',
      'db-2',
    ]);
    expect(section(doc, 'Errors').table?.rows).toEqual([
      ['db-1', 'CopyDisks', 'reading disk 2000: connection reset by peer'],
    ]);
    expect(section(doc, 'History').table?.rows).toEqual([
      ['1', 'web-abcde', '2', '2026-03-01T10:00:00Z', '-', 'Running'],
    ]);
    const deleted = planDocument(runningPlan(), facts({ migrations: [] }), false);
    expect(section(deleted, 'History').table?.rows[0]?.[5]).toBe('- (migration deleted)');
  });

  it('draws bars only in the terminal variant', () => {
    const text = renderDocument(doc, 'table', false);
    const tty = renderDocument(planDocument(runningPlan(), facts(), true), 'table', false);
    expect(text).not.toContain('[#');
    expect(tty).toContain('[###-------] 38% (2960/7768 MiB)');
  });

  it('has no run sections before the plan started', () => {
    const ready = planDocument(readyPlan(), facts({ phase: 'Ready', migrations: [] }), false);
    expect(ready.sections.map((s) => s.title)).toEqual(['Mappings', 'VMs (4)', 'History', 'Conditions']);
  });

  it('suggests what to do about a blocking condition', () => {
    const plan = readyPlan();
    plan.status?.conditions?.push({
      type: 'NetworkMapNotReady',
      status: 'True',
      category: 'Critical',
      reason: 'NotReady',
      message: 'Map.Network does not have Ready condition.',
      lastTransitionTime: '2026-03-01T10:00:00Z',
    });
    const d = planDocument(plan, facts({ phase: 'Pending' }), false);
    expect(section(d, 'Suggestions').fields).toEqual([
      { label: 'NetworkMapNotReady', value: 'see why: mtv describe mapping network web-network' },
    ]);
  });
});

describe('describe plan NAME --vm VM', () => {
  it('shows a copying VM’s phase, pipeline and disks with rate, ETA and resume point', () => {
    const doc = planVmDocument(runningPlan(), 'web-2', facts(), false);
    expect(doc.title).toBe('VM web-2 of plan demo/web');
    expect(field(doc.fields, 'Target name')).toBe('web-two');
    expect(field(doc.fields, 'Phase')).toBe('CopyDisks');
    expect(field(doc.fields, 'Restore power state')).toBe('On');
    expect(section(doc, 'Pipeline').table?.rows).toEqual([
      ['Initialize', 'Completed', '2026-03-01T10:00:00Z', '2026-03-01T10:00:05Z', '100%'],
      ['DiskTransfer', 'Running', '2026-03-01T10:00:05Z', '-', '11% (612/5120 MiB) 48.3 MiB/s ETA 8m20s'],
      ['VirtualMachineCreation', 'Pending', '-', '-', '0%'],
    ]);
    expect(section(doc, 'Disks').table?.rows).toEqual([
      ['2000', 'Running', '50% (512/1024 MiB)', '40.3 MiB/s', '13s', '64 MiB', ''],
      ['2001', 'Running', '2% (100/4096 MiB)', '8.0 MiB/s', '8m20s', '-', ''],
    ]);
    expect(section(doc, 'History').table?.rows).toHaveLength(1);
  });

  it('finds the VM by id and shows its error, conditions and a suggestion', () => {
    const doc = planVmDocument(runningPlan(), 'vm-103', facts(), false);
    expect(field(doc.fields, 'VM')).toBe('db-1');
    expect(field(doc.fields, 'Restore power state')).toBe('Off');
    expect(section(doc, 'Error').fields).toEqual([
      { label: 'VM (in CopyDisks)', value: 'reading disk 2000: connection reset by peer' },
    ]);
    expect(section(doc, 'Conditions').table?.rows[0]?.slice(0, 3)).toEqual(['Failed', 'True', 'Error']);
    expect(field(section(doc, 'Suggestions').fields, 'Failed')).toMatch(
      /mtv start plan web runs this VM again/,
    );
    expect(section(doc, 'Pipeline').table?.rows[1]?.[1]).toBe('Failed');
  });

  it('describes a VM of a plan that has not started', () => {
    const doc = planVmDocument(readyPlan(), 'web-1', facts({ migrations: [] }), false);
    expect(field(doc.fields, 'Phase')).toBe('not started');
    expect(renderDocument(doc, 'table', false)).toContain(
      '<none> (not started; start it with: mtv start plan web)',
    );
  });

  it('refuses an unknown VM, naming it and listing the plan’s VMs', () => {
    let error: unknown;
    try {
      findPlanVm(runningPlan(), 'web-9');
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const u = error as UsageError;
    expect(u.exitCode).toBe(ExitCode.Usage);
    expect(u.message).toBe(
      '--vm: plan "web" has no VM "web-9"\n  hint: its VMs: web-1 (vm-101), web-2 (vm-102), db-1 (vm-103), db-2 (vm-104)',
    );
  });

  it('asks for the id when two VMs share the name', () => {
    const plan = runningPlan();
    plan.spec.vms.push({ id: 'vm-999', name: 'web-1' });
    expect(() => findPlanVm(plan, 'web-1')).toThrow(/several VMs of plan "web" are named "web-1"/);
    expect(findPlanVm(plan, 'vm-999').spec?.id).toBe('vm-999');
  });
});

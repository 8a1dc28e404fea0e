import { describe, expect, it } from 'vitest';
import type { Migration, Plan } from '../../api/index.js';
import { printObjects } from '../output/print.js';
import { readyPlan, runningMigration, runningPlan } from './plan.fixture.js';
import type { ColumnContext } from '../output/print.js';
import { cutoverTimes, planView } from './plan.js';

const cell = (header: string, plan: Plan, ctx: Partial<ColumnContext> = {}): string => {
  const column = planView.columns.find((c) => c.header === header);
  if (!column) throw new Error(`no column ${header}`);
  return column.value(plan, { now, ...ctx });
};
const vmsCell = (plan: Plan) => cell('VMS', plan);
const progressCell = (plan: Plan, bars: boolean) => cell('PROGRESS', plan, { bars });
const cutoverCell = (plan: Plan, ctx: Partial<ColumnContext>) => cell('CUTOVER', plan, ctx);

const now = new Date('2026-03-01T10:02:00Z');

const warm = (plan: Plan): Plan => ({ ...plan, spec: { ...plan.spec, type: 'warm' } });

function table(plans: Plan[], opts: { bars?: boolean; wide?: boolean; cutovers?: Map<string, string> } = {}) {
  return printObjects(
    [{ type: planView.type, columns: planView.columns, objects: plans }],
    { kind: opts.wide ? 'wide' : 'table' },
    {
      list: true,
      allNamespaces: false,
      now,
      ...(opts.bars ? { bars: true } : {}),
      ...(opts.cutovers ? { cutovers: opts.cutovers } : {}),
    },
  )
    .trimEnd()
    .split('\n');
}

describe('get plans', () => {
  it('shows VMS done/total by result and PROGRESS with throughput and ETA', () => {
    expect(table([runningPlan(), readyPlan()])).toEqual([
      'NAME   READY   STATUS    SOURCE    TARGET   VMS                 PROGRESS                                   CUTOVER   ARCHIVED   AGE',
      'web    True    Running   vcenter   host     2/4 (S:1/F:1/C:0)   38% (2960/7768 MiB) 48.3 MiB/s ETA 8m20s   cold      false      12m',
      'web    True    Ready     vcenter   host     4                   -                                          cold      false      12m',
    ]);
  });

  it('draws a bar in PROGRESS for a terminal', () => {
    expect(progressCell(runningPlan(), true)).toBe('[###-------] 38% (2960/7768 MiB) 48.3 MiB/s ETA 8m20s');
    expect(table([runningPlan()], { bars: true })[1]).toContain('[###-------] 38%');
  });

  it('keeps the migration type and the target namespace for -o wide', () => {
    const [header, row] = table([runningPlan()], { wide: true });
    expect(header).toMatch(/ARCHIVED\s+TYPE\s+TARGET NAMESPACE\s+AGE$/);
    expect(row).toMatch(/false\s+cold\s+apps\s+12m$/);
  });

  it('counts the spec’s VMs before a run', () => {
    expect(vmsCell(readyPlan())).toBe('4');
    expect(progressCell(readyPlan(), false)).toBe('-');
  });
});

describe('CUTOVER', () => {
  const scheduled = (): Migration => ({
    ...runningMigration(),
    spec: { ...runningMigration().spec, cutover: '2026-03-02T01:00:00Z' },
  });

  it('is the type, or a running warm plan’s cutover time', () => {
    const plan = warm(runningPlan());
    const times = cutoverTimes([plan], [scheduled()]);
    expect(times).toEqual(new Map([['demo/web', '2026-03-02T01:00:00Z']]));
    expect(cutoverCell(plan, { cutovers: times })).toBe('2026-03-02T01:00:00Z');
    expect(cutoverCell(plan, {})).toBe('warm');
    expect(cutoverCell(runningPlan(), { cutovers: times })).toBe('cold');
  });

  it('ignores Migrations that no longer run or belong to another plan', () => {
    const done: Migration = {
      ...scheduled(),
      status: {
        conditions: [
          {
            type: 'Succeeded',
            status: 'True',
            category: 'Advisory',
            lastTransitionTime: '2026-03-01T11:00:00Z',
          },
        ],
      },
    };
    const other: Migration = {
      ...scheduled(),
      spec: { ...scheduled().spec, plan: { name: 'db', uid: 'x' } },
    };
    expect(cutoverTimes([warm(runningPlan())], [done, other]).size).toBe(0);
  });
});

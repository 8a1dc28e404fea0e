/**
 * Plain-data fixtures for the plan views' tests: a plan mid-run as mtv's controller writes it
 * (one VM succeeded, one copying two disks with throughput and ETA, one failed, one queued), its
 * maps and its Migration. Test support only.
 */
import type { Condition, Migration, NetworkMap, Plan, Step, StorageMap, VMStatus } from '../../api/index.js';

const t0 = '2026-03-01T10:00:00Z';

const cond = (type: string, message: string, category = 'Advisory'): Condition => ({
  type,
  status: 'True',
  category,
  message,
  lastTransitionTime: t0,
  durable: true,
});

/** A DiskTransfer task with the controller's annotations. */
function disk(
  key: number,
  completed: number,
  total: number,
  extra: Record<string, string> = {},
  phase?: string,
): NonNullable<Step['tasks']>[number] {
  return {
    name: `disk-${String(key)}`,
    progress: { completed, total },
    annotations: { 'mtv.konveyor.io/disk-key': String(key), ...extra },
    ...(phase ? { phase } : {}),
  };
}

/** Initialize, DiskTransfer (with `tasks`), VirtualMachineCreation at the given phases. */
function pipeline(phases: [string?, string?, string?], tasks: NonNullable<Step['tasks']>): Step[] {
  const sum = tasks.reduce(
    (a, t) => ({ completed: a.completed + t.progress.completed, total: a.total + t.progress.total }),
    { completed: 0, total: 0 },
  );
  const [init, copy, create] = phases;
  return [
    {
      name: 'Initialize',
      description: 'Initialize migration.',
      progress: { completed: init === 'Completed' ? 1 : 0, total: 1 },
      ...(init ? { phase: init, started: t0 } : {}),
      ...(init === 'Completed' ? { completed: '2026-03-01T10:00:05Z' } : {}),
    },
    {
      name: 'DiskTransfer',
      description: 'Transfer disks.',
      progress: sum,
      tasks,
      ...(copy ? { phase: copy, started: '2026-03-01T10:00:05Z' } : {}),
      ...(copy === 'Completed' ? { completed: '2026-03-01T10:01:05Z' } : {}),
    },
    {
      name: 'VirtualMachineCreation',
      description: 'Create VM.',
      progress: { completed: create === 'Completed' ? 1 : 0, total: 1 },
      ...(create ? { phase: create } : {}),
    },
  ];
}

const sha = (c: string) => c.repeat(64);

/** web-1: done, one 2048 MiB disk copied at 96.5 MiB/s on average. */
export function succeededVm(): VMStatus {
  return {
    id: 'vm-101',
    name: 'web-1',
    phase: 'Completed',
    started: t0,
    completed: '2026-03-01T10:01:10Z',
    restorePowerState: 'On',
    pipeline: pipeline(
      ['Completed', 'Completed', 'Completed'],
      [
        disk(
          2000,
          2048,
          2048,
          { 'mtv.konveyor.io/sha256': sha('a'), 'mtv.konveyor.io/throughput-mibps': '96.5' },
          'Completed',
        ),
      ],
    ),
    conditions: [cond('Succeeded', 'The VM migrated; manifest /m/web-1.yaml.')],
  };
}

/** web-2: copying two disks (512/1024 MiB at 40.25 MiB/s, ETA 13 s; 100/4096 at 8 MiB/s, ETA 500 s), resumed from 64 MiB. */
export function copyingVm(): VMStatus {
  return {
    id: 'vm-102',
    name: 'web-2',
    targetName: 'web-two',
    phase: 'CopyDisks',
    started: t0,
    restorePowerState: 'On',
    pipeline: pipeline(
      ['Completed', 'Running'],
      [
        disk(2000, 512, 1024, {
          'mtv.konveyor.io/throughput-mibps': '40.25',
          'mtv.konveyor.io/eta-seconds': '13',
          'mtv.konveyor.io/resumed-from': String(64 * 1024 * 1024),
        }),
        disk(2001, 100, 4096, {
          'mtv.konveyor.io/throughput-mibps': '8',
          'mtv.konveyor.io/eta-seconds': '500',
        }),
      ],
    ),
  };
}

/** db-1: failed during CopyDisks with its copy half done. */
export function failedVm(): VMStatus {
  return {
    id: 'vm-103',
    name: 'db-1',
    phase: 'Completed',
    started: t0,
    completed: '2026-03-01T10:00:40Z',
    restorePowerState: 'Off',
    error: { phase: 'CopyDisks', reasons: ['reading disk 2000: connection reset by peer'] },
    pipeline: pipeline(
      ['Completed', 'Running'],
      [
        disk(2000, 300, 600, {
          'mtv.konveyor.io/throughput-mibps': '12.0',
          'mtv.konveyor.io/eta-seconds': '25',
        }),
      ],
    ),
    conditions: [cond('Failed', 'reading disk 2000: connection reset by peer', 'Error')],
  };
}

/** db-2: queued behind the scheduler's limit. */
export function queuedVm(): VMStatus {
  return {
    id: 'vm-104',
    name: 'db-2',
    phase: 'Started',
    started: t0,
    pipeline: pipeline([], []),
    conditions: [cond('Pending', 'host host-1 already has 2 VMs in flight (maxInFlight 2)')],
  };
}

/** A cold plan `web` in `demo` whose run has the four VMs above. */
export function runningPlan(): Plan {
  const vms = [succeededVm(), copyingVm(), failedVm(), queuedVm()];
  return {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'Plan',
    metadata: {
      name: 'web',
      namespace: 'demo',
      uid: 'plan-uid-1',
      generation: 2,
      creationTimestamp: '2026-03-01T09:50:00Z',
    },
    spec: {
      provider: {
        source: { name: 'vcenter', namespace: 'demo' },
        destination: { name: 'host', namespace: 'demo' },
      },
      map: { network: { name: 'web-network' }, storage: { name: 'web-storage' } },
      targetNamespace: 'apps',
      vms: vms.map((v) => ({
        id: v.id,
        name: v.name,
        ...(v.targetName ? { targetName: v.targetName } : {}),
      })),
    },
    status: {
      phase: 'Running',
      conditions: [
        cond('Ready', 'The migration plan is ready.'),
        cond('Executing', 'The plan is executing.'),
      ],
      migration: {
        started: t0,
        vms,
        history: [
          {
            plan: { namespace: 'demo', name: 'web', uid: 'plan-uid-1', generation: 2 },
            migration: { namespace: 'demo', name: 'web-abcde', uid: 'mig-uid-1', generation: 1 },
            provider: {
              source: { namespace: 'demo', name: 'vcenter', uid: '', generation: 0 },
              destination: { namespace: 'demo', name: 'host', uid: '', generation: 0 },
            },
            map: {
              network: { namespace: 'demo', name: 'web-network', uid: '', generation: 0 },
              storage: { namespace: 'demo', name: 'web-storage', uid: '', generation: 0 },
            },
          },
        ],
      },
    },
  };
}

/** The same plan before it ran (Ready, no migration status). */
export function readyPlan(): Plan {
  const p = runningPlan();
  return { ...p, status: { phase: 'Ready', conditions: [cond('Ready', 'The migration plan is ready.')] } };
}

/** The plan's network map (one pair to the pod network). */
export function networkMap(): NetworkMap {
  return {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'NetworkMap',
    metadata: { name: 'web-network', namespace: 'demo' },
    spec: {
      provider: { source: { name: 'vcenter' }, destination: { name: 'host' } },
      map: [{ source: { id: 'network-7', name: 'VM Network' }, destination: { type: 'pod' } }],
    },
  };
}

/** The plan's storage map (one datastore to `standard`). */
export function storageMap(): StorageMap {
  return {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'StorageMap',
    metadata: { name: 'web-storage', namespace: 'demo' },
    spec: {
      provider: { source: { name: 'vcenter' }, destination: { name: 'host' } },
      map: [{ source: { id: 'datastore-3', name: 'LocalDS_0' }, destination: { storageClass: 'standard' } }],
    },
  };
}

/** The run's Migration, Running. */
export function runningMigration(): Migration {
  return {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'Migration',
    metadata: { name: 'web-abcde', namespace: 'demo', uid: 'mig-uid-1', creationTimestamp: t0 },
    spec: { plan: { name: 'web', namespace: 'demo', uid: 'plan-uid-1' } },
    status: { started: t0, conditions: [cond('Running', 'The migration is running.')] },
  };
}

import { describe, expect, it } from 'vitest';
import { copyingVm, failedVm, queuedVm, runningPlan, succeededVm } from './plan.fixture.js';
import {
  currentStep,
  diskFacts,
  resultText,
  runTransfer,
  runVms,
  stepPhase,
  targetNameOf,
  vmCounts,
  vmTransfer,
} from './plan-status.js';

describe('disk facts', () => {
  it('reads throughput, ETA and the resume point of a copying disk', () => {
    expect(diskFacts(copyingVm())).toEqual([
      {
        vm: 'web-2',
        disk: '2000',
        phase: 'Running',
        completedMiB: 512,
        totalMiB: 1024,
        copying: true,
        throughputMiBps: 40.25,
        etaSeconds: 13,
        resumedFromBytes: 64 * 1024 * 1024,
      },
      {
        vm: 'web-2',
        disk: '2001',
        phase: 'Running',
        completedMiB: 100,
        totalMiB: 4096,
        copying: true,
        throughputMiBps: 8,
        etaSeconds: 500,
      },
    ]);
  });

  it('keeps the mean rate and the sha256 of a completed disk, with no ETA', () => {
    const [d] = diskFacts(succeededVm());
    expect(d).toMatchObject({
      phase: 'Completed',
      copying: false,
      throughputMiBps: 96.5,
      sha256: 'a'.repeat(64),
    });
    expect(d?.etaSeconds).toBeUndefined();
  });

  it('gives a disk whose VM failed mid-copy the VM result and no rate or ETA', () => {
    const [d] = diskFacts(failedVm());
    expect(d).toMatchObject({ phase: 'Failed', copying: false });
    expect(d?.throughputMiBps).toBeUndefined();
    expect(d?.etaSeconds).toBeUndefined();
  });

  it('ignores annotations that are not numbers', () => {
    const v = copyingVm();
    const task = v.pipeline[1]?.tasks?.[0];
    if (!task?.annotations) throw new Error('fixture changed');
    task.annotations['mtv.konveyor.io/throughput-mibps'] = 'fast';
    task.annotations['mtv.konveyor.io/eta-seconds'] = '-3';
    const [d] = diskFacts(v);
    expect(d?.throughputMiBps).toBeUndefined();
    expect(d?.etaSeconds).toBeUndefined();
  });
});

describe('transfer sums', () => {
  it('sums a VM’s copying disks’ throughput and takes their longest ETA', () => {
    expect(vmTransfer(copyingVm())).toEqual({
      completed: 612,
      total: 5120,
      throughputMiBps: 48.25,
      etaSeconds: 500,
    });
  });

  it('has no rate once the VM is done', () => {
    expect(vmTransfer(succeededVm())).toEqual({ completed: 2048, total: 2048 });
  });

  it('sums the run over every VM', () => {
    expect(runTransfer(runVms(runningPlan()))).toEqual({
      completed: 2048 + 612 + 300,
      total: 2048 + 5120 + 600,
      throughputMiBps: 48.25,
      etaSeconds: 500,
    });
  });

  it('reads a status from Forklift’s controller (no mtv annotations) without rate or ETA', () => {
    const v = copyingVm();
    for (const t of v.pipeline[1]?.tasks ?? []) t.annotations = {};
    expect(vmTransfer(v)).toEqual({ completed: 612, total: 5120 });
  });
});

describe('VM state', () => {
  it('counts the run’s VMs by result', () => {
    expect(vmCounts(runVms(runningPlan()))).toEqual({
      done: 2,
      total: 4,
      succeeded: 1,
      failed: 1,
      canceled: 0,
    });
  });

  it('names the running step, a dash once done, nothing while queued', () => {
    expect(currentStep(copyingVm())).toBe('DiskTransfer');
    expect(currentStep(failedVm())).toBe('-');
    expect(currentStep(queuedVm())).toBe('');
  });

  it('reports a step left Running by a VM that failed as Failed', () => {
    const v = failedVm();
    const copy = v.pipeline[1];
    if (!copy) throw new Error('fixture changed');
    expect(stepPhase(v, copy)).toBe('Failed');
    expect(stepPhase(copyingVm(), copy)).toBe('Running');
    expect(stepPhase(v, { name: 'X', progress: { completed: 0, total: 1 } })).toBe('Pending');
  });

  it('says why a VM waits, and why one failed', () => {
    expect(resultText(queuedVm())).toBe('waiting: host host-1 already has 2 VMs in flight (maxInFlight 2)');
    expect(resultText(failedVm())).toBe('Failed: reading disk 2000: connection reset by peer');
    expect(resultText(copyingVm())).toBe('running');
    expect(resultText(succeededVm())).toBe('Succeeded');
  });

  it('names the target: targetName, else the normalised source name', () => {
    expect(targetNameOf(copyingVm())).toBe('web-two');
    expect(targetNameOf({ name: 'DC0_H0_VM1' })).toBe('dc0-h0-vm1');
    expect(targetNameOf({ name: 'x', newName: 'x-1' })).toBe('x-1');
  });
});

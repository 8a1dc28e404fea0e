/**
 * Powering a source VM off for a cold migration, and back on after a cancel or failure: Forklift's
 * StorePowerState → PowerOffSource → WaitForPowerOff, as one idempotent call. A guest shutdown
 * through VMware Tools comes first; after `shutdownTimeoutMs` (or without running Tools) the VM is
 * powered off hard.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/adapter/vsphere/client.go
 */
import type { VSphereClient } from './client.js';
import type { MoRef } from './values.js';

/** Options of {@link powerOffSource}. */
export interface PowerOffOptions {
  /** How long a guest shutdown may take before a hard power-off. @default 300000 (ms) */
  shutdownTimeoutMs?: number;
  /** How often the power state is read while waiting. @default 1000 (ms) */
  pollMs?: number;
  signal?: AbortSignal;
}

/** What {@link powerOffSource} did. */
export interface PowerOffResult {
  /** The power state found (`poweredOn`, `poweredOff`, `suspended`): restore it on cancel or failure. */
  previous: string;
  /** `none` (already off), `guest` (Tools shut the guest down) or `hard` (PowerOffVM_Task). */
  method: 'none' | 'guest' | 'hard';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });

/**
 * Makes sure the VM is powered off. Safe to call again after a crash: an already-off VM is left
 * as it is (`method: none`), so record `previous` before the first call.
 * @throws vSphere faults (ManagedObjectNotFound for a deleted VM), the signal's reason
 */
export async function powerOffSource(
  client: VSphereClient,
  vm: MoRef,
  options: PowerOffOptions = {},
): Promise<PowerOffResult> {
  const signal = options.signal;
  const state = await client.vmPowerState(vm, { ...(signal ? { signal } : {}) });
  if (state.powerState === 'poweredOff') return { previous: state.powerState, method: 'none' };
  if (state.powerState === 'poweredOn' && state.toolsRunning) {
    await client.shutdownGuest(vm, { ...(signal ? { signal } : {}) });
    const deadline = Date.now() + (options.shutdownTimeoutMs ?? 300_000);
    while (Date.now() < deadline) {
      await sleep(options.pollMs ?? 1000, signal);
      if ((await client.vmPowerState(vm, { ...(signal ? { signal } : {}) })).powerState === 'poweredOff')
        return { previous: state.powerState, method: 'guest' };
    }
  }
  await client.waitForTask(await client.powerOffVm(vm, { ...(signal ? { signal } : {}) }), {
    ...(signal ? { signal } : {}),
  });
  return { previous: state.powerState, method: 'hard' };
}

/**
 * Restores a power state recorded by {@link powerOffSource} (after a cancel or a failure): powers
 * the VM on when it was on and is now off. Idempotent.
 */
export async function restorePowerState(
  client: VSphereClient,
  vm: MoRef,
  previous: string,
  signal?: AbortSignal,
): Promise<'powered-on' | 'unchanged'> {
  if (previous !== 'poweredOn') return 'unchanged';
  const now = await client.vmPowerState(vm, { ...(signal ? { signal } : {}) });
  if (now.powerState !== 'poweredOff') return 'unchanged';
  await client.waitForTask(await client.powerOnVm(vm, { ...(signal ? { signal } : {}) }), {
    ...(signal ? { signal } : {}),
  });
  return 'powered-on';
}

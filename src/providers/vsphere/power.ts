/**
 * Powering a source VM off for a migration, and back on after a cancel or failure: Forklift's
 * PowerOffSource ({@link requestPowerOff}) and WaitForPowerOff ({@link waitForPowerOff}), each
 * idempotent. A guest shutdown through VMware Tools comes first; after `shutdownTimeoutMs` (or
 * without running Tools) the VM is powered off hard.
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
 * PowerOffSource: asks VMware Tools to shut the guest down (returning at once), or powers the VM
 * off hard when Tools do not run (waiting for that task). An already-off VM is left as it is
 * (`method: none`), so record `previous` before the first call.
 * @throws vSphere faults (ManagedObjectNotFound for a deleted VM), the signal's reason
 */
export async function requestPowerOff(
  client: VSphereClient,
  vm: MoRef,
  options: Pick<PowerOffOptions, 'signal'> = {},
): Promise<PowerOffResult> {
  const signalOpt = options.signal ? { signal: options.signal } : {};
  const state = await client.vmPowerState(vm, signalOpt);
  if (state.powerState === 'poweredOff') return { previous: state.powerState, method: 'none' };
  if (state.powerState === 'poweredOn' && state.toolsRunning) {
    await client.shutdownGuest(vm, signalOpt);
    return { previous: state.powerState, method: 'guest' };
  }
  await client.waitForTask(await client.powerOffVm(vm, signalOpt), signalOpt);
  return { previous: state.powerState, method: 'hard' };
}

/**
 * WaitForPowerOff: waits until the VM is off; a guest still running after `shutdownTimeoutMs` is
 * powered off hard. Idempotent.
 * @returns `off` (it stopped by itself, or already had), or `hard` (powered off after the timeout)
 * @throws vSphere faults, the signal's reason
 */
export async function waitForPowerOff(
  client: VSphereClient,
  vm: MoRef,
  options: PowerOffOptions = {},
): Promise<'off' | 'hard'> {
  const signalOpt = options.signal ? { signal: options.signal } : {};
  const deadline = Date.now() + (options.shutdownTimeoutMs ?? 300_000);
  for (;;) {
    if ((await client.vmPowerState(vm, signalOpt)).powerState === 'poweredOff') return 'off';
    if (Date.now() >= deadline) break;
    await sleep(options.pollMs ?? 1000, options.signal);
  }
  await client.waitForTask(await client.powerOffVm(vm, signalOpt), signalOpt);
  return 'hard';
}

/**
 * Makes sure the VM is powered off: {@link requestPowerOff}, then {@link waitForPowerOff}.
 * @throws vSphere faults (ManagedObjectNotFound for a deleted VM), the signal's reason
 */
export async function powerOffSource(
  client: VSphereClient,
  vm: MoRef,
  options: PowerOffOptions = {},
): Promise<PowerOffResult> {
  const requested = await requestPowerOff(client, vm, options);
  if (requested.method !== 'guest') return requested;
  const how = await waitForPowerOff(client, vm, options);
  return { previous: requested.previous, method: how === 'hard' ? 'hard' : 'guest' };
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

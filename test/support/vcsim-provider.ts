/**
 * Registering a vcsim as a vSphere provider through the CLI, and waiting for reconciled phases —
 * the setup the vcsim suites share.
 */
import type { Plan, Provider } from '../../src/api/index.js';
import { ok, type CliTarget } from './cli.js';
import type { Vcsim } from './vcsim.js';
import { until } from './wait.js';

/**
 * Arguments of `create provider NAME --type vsphere` for a vcsim; the password goes through a
 * file (never argv). `cacert: false` leaves the CA out (the TLS tests).
 */
export function vsphereProviderArgs(
  name: string,
  vc: Vcsim,
  passwordFile: string,
  options: { cacert?: boolean; extra?: readonly string[] } = {},
): string[] {
  return [
    'create',
    'provider',
    name,
    '--type',
    'vsphere',
    '--url',
    vc.url,
    '-u',
    vc.username,
    '--password-file',
    passwordFile,
    ...(options.cacert === false ? [] : ['--cacert', `@${vc.caCertPath}`]),
    ...(options.extra ?? []),
  ];
}

/**
 * Waits until the object's `status.phase` is `want`; returns it. A plan that ends Failed while
 * another phase is awaited fails the wait at once, with its VMs' errors.
 */
async function phaseOf<T extends Provider | Plan>(
  target: CliTarget,
  noun: 'provider' | 'plan',
  name: string,
  want: string,
  timeoutMs?: number,
): Promise<T> {
  return until(
    `${noun} ${name} ${want}`,
    async () => {
      const o = JSON.parse(await ok(target, ['get', noun, name, '-o', 'json'])) as T;
      if (noun === 'plan' && want !== 'Failed' && o.status?.phase === 'Failed')
        throw new Error(
          `plan ${name} Failed: ${JSON.stringify((o as Plan).status?.migration?.vms?.map((v) => v.error))}`,
        );
      return o.status?.phase === want ? o : undefined;
    },
    timeoutMs === undefined ? {} : { timeoutMs },
  );
}

/** Waits for a provider's phase (e.g. `Ready`). */
export function providerPhase(
  target: CliTarget,
  name: string,
  want: string,
  timeoutMs?: number,
): Promise<Provider> {
  return phaseOf<Provider>(target, 'provider', name, want, timeoutMs);
}

/** Waits for a plan's phase (e.g. `Ready`, `Succeeded`). */
export function planPhase(target: CliTarget, name: string, want: string, timeoutMs?: number): Promise<Plan> {
  return phaseOf<Plan>(target, 'plan', name, want, timeoutMs);
}

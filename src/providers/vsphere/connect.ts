/** Logging in to a provider's vCenter or ESXi from its {@link Connection} (spec + Secret). */
import type { Connection } from '../adapter.js';
import { VSphereClient } from './client.js';

/**
 * Connects and logs in with the provider's endpoint, credentials and TLS settings.
 * @param options.timeoutMs per-request deadline; default the client's (60 s)
 * @throws the errors of {@link VSphereClient.connect} (InvalidLogin, TLS, unreachable, …)
 */
export function connectVsphere(
  c: Connection,
  options: { signal?: AbortSignal | undefined; timeoutMs?: number } = {},
): Promise<VSphereClient> {
  return VSphereClient.connect({
    url: c.url,
    username: c.username,
    password: c.password,
    ...(c.caCert ? { caCert: c.caCert } : {}),
    insecureSkipVerify: c.insecureSkipVerify,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * The vSphere {@link ProviderAdapter}: URL and settings rules, the connection test (login and
 * logout), and the inventory collector.
 */
import type { Problem } from '../../api/index.js';
import { EsxiCloneMethod, SdkEndpoint } from '../../api/index.js';
import { ConnectionTestError, type Connection, type ProviderAdapter } from '../adapter.js';
import type { VSphereClient } from './client.js';
import { connectVsphere } from './connect.js';
import { VsphereCollector } from './collector.js';
import {
  InvalidLoginFault,
  NotAuthenticatedFault,
  VSphereTimeoutError,
  VSphereTlsError,
  VSphereUnreachableError,
} from './errors.js';

/** Settings keys Forklift defines for vSphere providers. */
const knownSettings = [
  'vddkInitImage',
  'sdkEndpoint',
  'useVddkAioOptimization',
  'vddkConfig',
  'esxiCloneMethod',
];

/** Logs in once and out again; classifies failures. */
async function testConnection(
  c: Connection,
  signal?: AbortSignal,
): Promise<{ fingerprint?: string; product?: string }> {
  let client: VSphereClient | undefined;
  try {
    client = await connectVsphere(c, { signal, timeoutMs: 30_000 });
    const about = client.serviceContent.about;
    return {
      ...(client.fingerprint ? { fingerprint: client.fingerprint } : {}),
      product: about.fullName,
    };
  } catch (e: unknown) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof InvalidLoginFault || e instanceof NotAuthenticatedFault)
      throw new ConnectionTestError('auth', message, { cause: e });
    if (e instanceof VSphereTlsError)
      throw new ConnectionTestError('tls', message, {
        cause: e,
        ...(e.fingerprint ? { fingerprint: e.fingerprint } : {}),
      });
    if (e instanceof VSphereUnreachableError || e instanceof VSphereTimeoutError)
      throw new ConnectionTestError('unreachable', message, { cause: e });
    throw new ConnectionTestError('other', message, { cause: e });
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/** vSphere (vCenter or ESXi). */
export const vsphereAdapter: ProviderAdapter = {
  type: 'vsphere',
  requiredSecretKeys: ['user', 'password'],
  validateUrl(url) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `The \`url\` is malformed: ${url}; expected https://HOST/sdk.`;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:')
      return `The \`url\` must be https://HOST/sdk, got scheme ${u.protocol}`;
    if (u.username || u.password) return 'The `url` must not carry credentials; put them in the Secret.';
    return undefined;
  },
  validateSettings(settings) {
    const problems: Problem[] = [];
    for (const [k, v] of Object.entries(settings)) {
      if (!knownSettings.includes(k))
        problems.push({
          field: `spec.settings.${k}`,
          message: `is not a vSphere setting (known: ${knownSettings.join(', ')})`,
          value: v,
        });
    }
    const sdk = settings.sdkEndpoint;
    if (sdk !== undefined && !(SdkEndpoint as readonly string[]).includes(sdk))
      problems.push({
        field: 'spec.settings.sdkEndpoint',
        message: `must be one of ${SdkEndpoint.join(', ')}`,
        value: sdk,
      });
    const clone = settings.esxiCloneMethod;
    if (clone !== undefined && !(EsxiCloneMethod as readonly string[]).includes(clone))
      problems.push({
        field: 'spec.settings.esxiCloneMethod',
        message: `must be one of ${EsxiCloneMethod.join(', ')}`,
        value: clone,
      });
    const aio = settings.useVddkAioOptimization;
    if (aio !== undefined && aio !== 'true' && aio !== 'false')
      problems.push({
        field: 'spec.settings.useVddkAioOptimization',
        message: 'must be true or false',
        value: aio,
      });
    return problems;
  },
  testConnection,
  startCollector: (options) => new VsphereCollector(options),
};

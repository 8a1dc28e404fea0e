/** A provider's connection (endpoint, credentials, TLS) from its spec and its Secret. */
import { Resources, type Provider, type Secret } from '../api/index.js';
import type { Connection } from '../providers/adapter.js';
import type { ObjectStore } from '../store/index.js';

/** The Secret's data decoded (`data` base64, `stringData` as is). */
export function secretStrings(secret: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = v;
  return out;
}

/** The connection described by a provider and its Secret's data. */
export function toConnection(p: Provider, secret: Readonly<Record<string, string>>): Connection {
  return {
    url: p.spec.url ?? '',
    username: secret.user ?? '',
    password: secret.password ?? secret.token ?? '',
    ...(secret.cacert ? { caCert: secret.cacert } : {}),
    insecureSkipVerify: secret.insecureSkipVerify === 'true',
    settings: p.spec.settings ?? {},
  };
}

/** Reads the provider's Secret and returns its connection. @throws NotFoundError for the Secret */
export async function readConnection(store: ObjectStore, p: Provider): Promise<Connection> {
  const ns = p.spec.secret.namespace || p.metadata.namespace || '';
  const secret = await store.get<Secret>(Resources.Secret, ns, p.spec.secret.name ?? '');
  return toConnection(p, secretStrings(secret));
}

/**
 * Credentials Secrets: Forklift's key names, CA checks, creating a Secret together with the objects
 * that own it, and changing a Secret only when the object owns it. Values never reach output.
 */
import { X509Certificate } from 'node:crypto';
import { UsageError, type Problem } from '../api/index.js';
import { Resources, type ResourceType } from '../api/index.js';
import type { KubeObject, ObjectReference, Secret } from '../api/index.js';
import type { Session } from './context.js';
import { getNamed } from './lookup.js';
import { ownerRef } from './refs.js';
import type { Change } from './result.js';
import { retryOnConflict } from './retry.js';
import { withRollback } from './rollback.js';

/**
 * Checks that a CA bundle holds at least one parseable PEM certificate.
 * @returns the problem, or undefined when valid.
 */
export function checkCaBundle(pem: string, flag: string): Problem | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) {
    return {
      field: flag,
      message: 'must be a PEM certificate (-----BEGIN CERTIFICATE----- …), or @FILE holding one',
      hint: 'export the CA certificate as PEM, e.g. from the browser or with: openssl s_client -showcerts',
    };
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return {
        field: flag,
        message: `certificate ${i + 1} of the bundle cannot be parsed`,
        hint: 'check that the PEM text is complete',
      };
    }
  }
  return undefined;
}

/** Base64 `data` from plain values, leaving out undefined and empty ones. */
export function secretData(values: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values))
    if (v !== undefined && v !== '') out[k] = Buffer.from(v, 'utf8').toString('base64');
  return out;
}

/** Decodes one key of a Secret. */
export function secretValue(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** TLS flags of a credentials change. */
export interface TlsFlags {
  cacert?: string | undefined;
  insecureSkipTls?: boolean | undefined;
}

/**
 * The `data` merge patch for new credential values and TLS flags: a new CA turns verification
 * back on (removes `insecureSkipVerify`) unless `--…-insecure-skip-tls` is given too.
 */
export function credentialPatch(
  values: Record<string, string | undefined>,
  tls: TlsFlags,
): Record<string, string | null> {
  const data: Record<string, string | null> = secretData({ ...values, cacert: tls.cacert });
  if (tls.insecureSkipTls) data.insecureSkipVerify = Buffer.from('true').toString('base64');
  else if (tls.insecureSkipTls === false || tls.cacert !== undefined) data.insecureSkipVerify = null;
  return data;
}

/**
 * Applies a credentials change to the Secret `ref`, which `owner` must own (a shared Secret is
 * never modified).
 * @param flag the flag named in the refusal, e.g. `--password`.
 * @returns the change, or undefined when the Secret already held these values.
 * @throws UsageError when the Secret is not owned by `owner`
 */
export async function patchOwnedSecret(
  session: Session,
  ref: ObjectReference,
  owner: KubeObject,
  data: Record<string, string | null>,
  flag: string,
): Promise<Change | undefined> {
  const ns = ref.namespace || (owner.metadata.namespace ?? session.namespace);
  const what = `${owner.kind.toLowerCase()}/${owner.metadata.name ?? ''}`;
  if (!ref.name)
    throw new UsageError({ field: flag, message: `${what} has no credentials Secret to change` });
  return retryOnConflict(async () => {
    const secret = await getNamed<Secret>(session, Resources.Secret, ref.name ?? '', 'secret', {
      namespace: ns,
    });
    if (
      !secret.metadata.ownerReferences?.some((r) => r.kind === owner.kind && r.uid === owner.metadata.uid)
    ) {
      throw new UsageError(
        {
          field: flag,
          message: `Secret ${ns}/${ref.name ?? ''} is not owned by ${what} (it may be shared), so mtv will not change it`,
        },
        { hint: `change that Secret itself, or point ${what} at another one` },
      );
    }
    if (Object.entries(data).every(([k, v]) => secret.data?.[k] === (v ?? undefined))) return undefined;
    await session.store.patch(Resources.Secret, ns, ref.name ?? '', {
      metadata: { resourceVersion: secret.metadata.resourceVersion },
      data,
    });
    return {
      ref: `secret/${ref.name ?? ''}`,
      action: 'patched',
      note: `(credentials of ${what})`,
    } satisfies Change;
  });
}

/**
 * Creates a credentials Secret (if given) and the objects that use it, then makes those objects
 * the Secret's owners. Any failure removes what was created (by uid, so nothing re-created by
 * someone else in between is touched).
 * @param build the objects, given the reference to the Secret.
 * @returns the created objects and the Secret.
 */
export async function createWithSecret<T extends KubeObject>(
  session: Session,
  secret: Secret | undefined,
  type: ResourceType,
  build: (secretRef: ObjectReference) => T[],
): Promise<{ objects: T[]; secret?: Secret }> {
  const { store } = session;
  const ns = session.namespace;
  return withRollback(async (addUndo) => {
    let created: Secret | undefined;
    if (secret) {
      created = await store.create(Resources.Secret, secret);
      const name = created.metadata.name ?? '';
      const uid = created.metadata.uid ?? '';
      addUndo(`secret/${name}`, () => store.delete(Resources.Secret, ns, name, { preconditions: { uid } }));
    }
    const objects: T[] = [];
    for (const obj of build(created ? { name: created.metadata.name ?? '', namespace: ns } : {})) {
      const o = await store.create(type, obj);
      const name = o.metadata.name ?? '';
      const uid = o.metadata.uid ?? '';
      addUndo(`${type.kind.toLowerCase()}/${name}`, () =>
        store.delete(type, ns, name, { preconditions: { uid } }),
      );
      objects.push(o);
    }
    if (created) {
      await store.patch(Resources.Secret, ns, created.metadata.name ?? '', {
        metadata: { ownerReferences: objects.map((o) => ownerRef(o)) },
      });
    }
    return { objects, ...(created ? { secret: created } : {}) };
  });
}

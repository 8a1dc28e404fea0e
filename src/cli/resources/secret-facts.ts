/**
 * What `describe` may say about a credentials Secret: its key names and whether TLS is verified.
 * Never a value.
 */
import { ApiError, NotFoundError } from '../../api/errors.js';
import { Resources } from '../../api/kinds.js';
import type { ObjectReference, Secret } from '../../api/meta.js';
import type { Session } from '../context.js';
import type { DocField } from '../output/document.js';

function decoded(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** Describes a referenced Secret: name, keys, TLS verification. */
export async function secretFields(
  ref: ObjectReference | undefined,
  namespace: string,
  session: Session,
): Promise<DocField[]> {
  if (!ref?.name) return [{ label: 'Secret', value: '<none>' }];
  const ns = ref.namespace || namespace;
  const fields: DocField[] = [{ label: 'Secret', value: `${ns}/${ref.name}` }];
  let secret: Secret;
  try {
    secret = await session.store.get<Secret>(Resources.Secret, ns, ref.name);
  } catch (e: unknown) {
    const why =
      e instanceof NotFoundError
        ? 'the Secret does not exist'
        : e instanceof ApiError
          ? e.message
          : String(e);
    return [...fields, { label: 'TLS verification', value: `unknown (${why})` }];
  }
  fields.push({
    label: 'Keys',
    value:
      Object.keys(secret.data ?? {})
        .sort()
        .join(', ') || '<none>',
  });
  const insecure = decoded(secret, 'insecureSkipVerify')?.trim().toLowerCase() === 'true';
  const ca = decoded(secret, 'cacert') ?? decoded(secret, 'ca.crt');
  fields.push({
    label: 'TLS verification',
    value: insecure
      ? 'OFF (insecureSkipVerify=true): the server certificate is not checked'
      : ca
        ? 'on, against the CA certificate in the Secret'
        : 'on, against the system trust store',
  });
  return fields;
}

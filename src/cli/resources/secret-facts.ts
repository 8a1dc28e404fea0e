/**
 * What `describe` may say about a credentials Secret: its key names and whether TLS is verified.
 * Never a value.
 */
import { ApiError, NotFoundError } from '../../api/index.js';
import { Resources } from '../../api/index.js';
import type { ObjectReference, Secret } from '../../api/index.js';
import type { Session } from '../context.js';
import { secretValue } from '../credentials.js';
import type { DocField } from '../output/document.js';

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
  const insecure = secretValue(secret, 'insecureSkipVerify')?.trim().toLowerCase() === 'true';
  const ca = secretValue(secret, 'cacert') ?? secretValue(secret, 'ca.crt');
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

/** Credentials Secrets: Forklift's key names, CA checks, and base64 data. Values never leave here in output. */
import { X509Certificate } from 'node:crypto';
import type { Problem } from '../api/errors.js';
import type { Secret } from '../api/meta.js';

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

/** The vSphere SDK endpoint a provider URL names, and how Node reports failures to reach it. */
import { isIP } from 'node:net';
import { UsageError } from '../../api/errors.js';
import { VSphereTlsError, VSphereUnreachableError } from './errors.js';

/** Where to send SOAP requests. */
export interface SdkEndpoint {
  /** The URL requests are POSTed to; its path defaults to `/sdk`. */
  readonly url: URL;
  readonly https: boolean;
  /** Host name or IP address, without IPv6 brackets. */
  readonly host: string;
  /** TCP port, 443 (https) or 80 (http) when the URL has none. */
  readonly port: number;
  /** `host:port` for messages. */
  readonly address: string;
  /** TLS SNI name: the host, unless it is an IP address (SNI forbids those). */
  readonly servername: string | undefined;
}

/**
 * Parses a provider URL (`https://vcenter.example.com/sdk`, or `https://vcenter.example.com`, which
 * gets `/sdk`).
 *
 * @throws {@link UsageError} for something that is not an http(s) URL.
 */
export function sdkEndpoint(url: string | URL): SdkEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError({
      field: 'url',
      message: 'must be a URL like https://vcenter.example.com/sdk',
      value: String(url),
    });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new UsageError({ field: 'url', message: 'must start with https://', value: String(url) });
  }
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/sdk';
  u.username = '';
  u.password = '';
  const https = u.protocol === 'https:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port ? Number(u.port) : https ? 443 : 80;
  return {
    url: u,
    https,
    host,
    port,
    address: `${u.hostname}:${port}`,
    servername: https && isIP(host) === 0 ? host : undefined,
  };
}

/** OpenSSL/Node codes meaning "the certificate did not verify" (as opposed to a broken handshake). */
const certificateVerifyCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** True when a Node error code means the server certificate was not trusted. */
export function isCertificateVerifyCode(code: string | undefined): code is string {
  return code !== undefined && certificateVerifyCodes.has(code);
}

/**
 * The typed error for a socket-level failure: {@link VSphereTlsError} for an untrusted certificate
 * (naming `fingerprint` when known), {@link VSphereUnreachableError} for anything else.
 */
export function connectionError(
  endpoint: SdkEndpoint,
  e: unknown,
  fingerprint?: string,
): VSphereTlsError | VSphereUnreachableError {
  const code = errorCode(e);
  if (isCertificateVerifyCode(code)) {
    return new VSphereTlsError(endpoint.address, code, reasonOf(e), fingerprint, { cause: e });
  }
  return new VSphereUnreachableError(endpoint.address, code, { cause: e });
}

/** Node's `error.code`, if any. */
export function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
}

function reasonOf(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  // Node: "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: …"
  return msg.split(/\r?\n/)[0] ?? msg;
}

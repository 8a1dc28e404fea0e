/**
 * Reads a server's TLS certificate without logging in: its SHA-1 fingerprint and whether it
 * verifies, so the provider reconciler can report an untrusted certificate clearly (Forklift's
 * `status.fingerprint`).
 */
import { X509Certificate } from 'node:crypto';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { VSphereError, VSphereTimeoutError } from './errors.js';
import { connectionError, sdkEndpoint, type SdkEndpoint } from './endpoint.js';

/** What {@link probeCertificate} learned about the server certificate. */
export interface CertificateProbe {
  /** SHA-1 of the DER certificate, uppercase hex pairs joined by colons (`AA:BB:…`). */
  fingerprint: string;
  /** True when the chain verifies against the CA given (or the system roots) and the host name matches. */
  trusted: boolean;
  /** Why it is not trusted: Node's code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`. */
  reason: string | undefined;
  /** Subject and issuer as one-line distinguished names, e.g. `CN=vcenter.example.com`. */
  subject: string;
  issuer: string;
  validFrom: Date;
  validTo: Date;
  /** The server (leaf) certificate in PEM; trusting it as `cacert` makes a self-signed server verify. */
  pem: string;
}

/** Options of {@link probeCertificate}. */
export interface ProbeOptions {
  /** CA certificate(s), PEM, to verify against; default: Node's system roots. */
  caCert?: string;
  /** Milliseconds until the TCP connect plus TLS handshake must be done. @default 30000 */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Connects to the provider URL's host and port, completes a TLS handshake, and reports the server
 * certificate. Sends no request and no credentials; never fails because of an untrusted certificate.
 *
 * @param url provider URL, e.g. `https://vcenter.example.com/sdk`.
 * @throws {@link UsageError} for a URL that is not `https://`; {@link VSphereUnreachableError} when the
 * server cannot be reached or the handshake fails; {@link VSphereTimeoutError}; the signal's reason when aborted.
 */
export async function probeCertificate(
  url: string | URL,
  options: ProbeOptions = {},
): Promise<CertificateProbe> {
  const endpoint = sdkEndpoint(url);
  if (!endpoint.https)
    throw new VSphereError(`${endpoint.url.href} is not an https:// URL; there is no certificate to check`);
  options.signal?.throwIfAborted();
  const socket = await handshake(endpoint, options);
  try {
    return describePeer(socket);
  } finally {
    socket.end(); // close_notify, so the server does not log a broken handshake
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}

function handshake(endpoint: SdkEndpoint, options: ProbeOptions): Promise<TLSSocket> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      servername: endpoint.servername,
      ca: options.caCert,
      rejectUnauthorized: false, // verification is reported, not enforced: nothing is sent
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      socket.destroy(new VSphereTimeoutError(endpoint.address, timeoutMs, 'TLS handshake: not completed'));
    }, timeoutMs);
    const onAbort = (): void => void socket.destroy(options.signal?.reason as Error);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    socket.once('secureConnect', () => {
      done();
      resolve(socket);
    });
    socket.once('error', (e: Error) => {
      done();
      if (e instanceof VSphereTimeoutError || e === options.signal?.reason) reject(e);
      else reject(connectionError(endpoint, e));
    });
  });
}

function describePeer(socket: TLSSocket): CertificateProbe {
  const peer = socket.getPeerCertificate() as PeerCertificate | null;
  if (!peer?.raw) throw new VSphereError('the server sent no TLS certificate');
  const x509 = new X509Certificate(peer.raw);
  return {
    fingerprint: x509.fingerprint,
    trusted: socket.authorized,
    reason: socket.authorized ? undefined : String(socket.authorizationError),
    subject: x509.subject.replace(/\n/g, ', '),
    issuer: x509.issuer.replace(/\n/g, ', '),
    validFrom: new Date(x509.validFrom),
    validTo: new Date(x509.validTo),
    pem: x509.toString(),
  };
}

/**
 * The SHA-1 fingerprint of the certificate a TLS socket received, `AA:BB:…`, or undefined (no TLS,
 * or no certificate yet).
 */
export function socketFingerprint(socket: unknown): string | undefined {
  const s = socket as Partial<TLSSocket> | null;
  if (typeof s?.getPeerCertificate !== 'function') return undefined;
  const cert = s.getPeerCertificate() as PeerCertificate | null;
  return cert?.fingerprint ? cert.fingerprint : undefined;
}

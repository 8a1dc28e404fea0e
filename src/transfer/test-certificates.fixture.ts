/**
 * A throwaway CA and a server certificate it signed for `localhost` and 127.0.0.1, made with the
 * `openssl` CLI when a test file starts, so no private key is committed. Test support only (not
 * exported from the transfer index).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** PEM texts of {@link makeTestCertificates}. */
export interface TestCertificates {
  /** The CA certificate: what a client must trust. */
  caPem: string;
  /** The server certificate, signed by the CA, for DNS `localhost` and IP 127.0.0.1. */
  certPem: string;
  /** The server's private key. */
  keyPem: string;
}

/** True when the `openssl` CLI runs here (the TLS tests are skipped otherwise). */
export const hasOpenssl: boolean = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Makes a P-256 CA and a server certificate valid for two days, in a temporary folder that is
 * removed again.
 * @throws when `openssl` fails (see {@link hasOpenssl}).
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtv-tls-'));
  const at = (name: string): string => path.join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  try {
    openssl(
      ...['req', '-x509', ...newKey, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2'],
      ...['-subj', '/CN=mtv test CA', '-addext', 'basicConstraints=critical,CA:TRUE'],
      ...['-addext', 'keyUsage=critical,keyCertSign'],
    );
    openssl(
      'req',
      '-new',
      ...newKey,
      '-keyout',
      at('srv.key'),
      '-out',
      at('srv.csr'),
      '-subj',
      '/CN=localhost',
    );
    writeFileSync(
      at('srv.ext'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
    );
    openssl(
      ...['x509', '-req', '-in', at('srv.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key')],
      ...['-set_serial', '0x6d7476', '-days', '2', '-extfile', at('srv.ext'), '-out', at('srv.pem')],
    );
    const read = (name: string): string => readFileSync(at(name), 'utf8');
    return { caPem: read('ca.pem'), certPem: read('srv.pem'), keyPem: read('srv.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

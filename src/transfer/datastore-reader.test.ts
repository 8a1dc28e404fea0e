/**
 * The reader against a local HTTP server that speaks the datastore interface's ranges and can
 * misbehave on demand (vcsim cannot fail on purpose); the real peer is in
 * test/integration/transfer.test.ts.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, NotFoundError } from '../api/errors.js';
import {
  VSphereProtocolError,
  VSphereTimeoutError,
  VSphereTlsError,
  VSphereUnreachableError,
} from '../providers/vsphere/index.js';
import { DatastoreReader, type DatastoreAccess } from './datastore-reader.js';
import { ClientClosedError } from './http-client.js';
import { hasOpenssl, makeTestCertificates } from './test-certificates.fixture.js';

/** What the server does instead of answering well: `short` answers half the range asked for. */
type Fault = 'reset' | 'cut' | 'short' | 'junk' | 'ignoreRange' | 'stall' | number;

const data = randomBytes(1024 * 1024);
let server: http.Server;
let base: string;
let faults: Fault[] = [];
let seen: http.IncomingHttpHeaders[] = [];
let requests = 0;

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  requests++;
  seen.push(req.headers);
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname !== '/folder/vm/disk-flat.vmdk' || url.searchParams.get('dsName') !== 'ds1') {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
    return;
  }
  const fault = faults.shift();
  if (fault === 'reset') return void req.socket.destroy();
  if (fault === 'stall') return;
  if (fault === 'junk') return void req.socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n');
  if (typeof fault === 'number') {
    res.writeHead(fault, { 'Content-Type': 'text/html' }).end(`<h1>status ${fault}</h1> session abc123`);
    return;
  }
  const headers = { 'Last-Modified': 'Sat, 21 Nov 2026 21:28:02 GMT', 'Accept-Ranges': 'bytes' };
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (req.method === 'HEAD' || !m || fault === 'ignoreRange') {
    res.writeHead(200, { ...headers, 'Content-Length': data.length });
    res.end(req.method === 'HEAD' ? undefined : data);
    return;
  }
  const a = Number(m[1]);
  const b = fault === 'short' ? a + Math.floor((Number(m[2]) - a) / 2) : Number(m[2]);
  res.writeHead(206, {
    ...headers,
    'Content-Length': b - a + 1,
    'Content-Range': `bytes ${a}-${b}/${data.length}`,
  });
  if (fault === 'cut') {
    res.write(data.subarray(a, a + Math.floor((b - a + 1) / 2)));
    setTimeout(() => req.socket.destroy(), 10);
    return;
  }
  res.end(data.subarray(a, b + 1));
}

beforeAll(async () => {
  server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  faults = [];
  seen = [];
  requests = 0;
});

const file = '[ds1] vm/disk-flat.vmdk';
function reader(extra: Partial<DatastoreAccess> = {}): DatastoreReader {
  return new DatastoreReader({
    url: base,
    datacenterPath: 'DC0',
    retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

describe('DatastoreReader', () => {
  it('HEADs for the size and reads ranges, sending the cookie and basic auth', async () => {
    const r = reader({
      sessionCookie: 'vmware_soap_session="52abc"',
      username: 'u@vsphere.local',
      password: 'p',
    });
    const info = await r.stat(file);
    expect(info).toMatchObject({ size: data.length, lastModified: 'Sat, 21 Nov 2026 21:28:02 GMT' });
    expect(info.url.search).toBe('?dcPath=DC0&dsName=ds1');
    const got = await r.read(file, 1000, 5000);
    expect(got.equals(data.subarray(1000, 6000))).toBe(true);
    expect(r.bytesFetched).toBe(5000);
    expect(seen[1]).toMatchObject({
      range: 'bytes=1000-5999',
      cookie: 'vmware_soap_session="52abc"',
      authorization: `Basic ${Buffer.from('u@vsphere.local:p').toString('base64')}`,
    });
    r.close();
  });

  it('names a bare cookie value and asks a cookie function each time', async () => {
    let n = 0;
    const r = reader({ sessionCookie: () => `v${++n}` });
    await r.read(file, 0, 10);
    await r.read(file, 0, 10);
    expect(seen.map((h) => h.cookie)).toEqual(['vmware_soap_session=v1', 'vmware_soap_session=v2']);
    expect(seen[0]?.authorization).toBeUndefined();
    r.close();
  });

  it('retries 5xx, connection resets and cut bodies', async () => {
    const retries: unknown[] = [];
    const r = reader({ onRetry: (e) => retries.push(e) });
    faults = [503, 'reset', 'cut'];
    const got = await r.read(file, 4096, 65536);
    expect(got.equals(data.subarray(4096, 4096 + 65536))).toBe(true);
    expect(retries).toHaveLength(3);
    expect(requests).toBe(4);
    r.close();
  });

  it('does not retry a complete 206 shorter than the range, and names its length headers', async () => {
    const r = reader();
    faults = ['short'];
    const e: unknown = await r.read(file, 100, 10).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(206);
    expect((e as ApiError).message).toBe(
      `GET [ds1] vm/disk-flat.vmdk bytes 100-109: the reply (HTTP 206, Content-Range "bytes 100-104/${data.length}") has Content-Length 5, but 10 bytes were asked for`,
    );
    expect(requests).toBe(1);
    r.close();
  });

  it('reports a malformed reply as a protocol error, not as unreachable, and does not retry it', async () => {
    const r = reader();
    faults = ['junk'];
    const e: unknown = await r.read(file, 0, 10).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VSphereProtocolError);
    expect(e).not.toBeInstanceOf(VSphereUnreachableError);
    expect((e as Error).message).toBe(
      `GET [ds1] vm/disk-flat.vmdk bytes 0-9: malformed HTTP reply: not an HTTP/1.x reply: "SSH-2.0-OpenSSH_9.6" (vSphere at ${new URL(base).host})`,
    );
    expect(requests).toBe(1);
    r.close();
  });

  it('fails reads in flight when closed, without retrying them', async () => {
    const r = reader();
    faults = ['stall'];
    const p = r.read(file, 0, 10);
    while (requests === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    r.close();
    await expect(p).rejects.toBeInstanceOf(ClientClosedError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toBe(1);
    expect((await r.read(file, 0, 10)).equals(data.subarray(0, 10))).toBe(true); // a later read reconnects
    r.close();
  });

  it('gives up on a persistent 5xx with the status and no cookie in the message', async () => {
    const r = reader({ sessionCookie: 'abc123' });
    faults = [500, 500, 500, 500];
    const e: unknown = await r.read(file, 0, 10).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(500);
    expect((e as ApiError).message).toBe(
      'GET [ds1] vm/disk-flat.vmdk: HTTP 500: status 500 session <redacted>',
    );
    expect(requests).toBe(4);
    r.close();
  });

  it('does not retry 401, and explains it', async () => {
    const r = reader();
    faults = [401];
    const e: unknown = await r.stat(file).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(401);
    expect((e as ApiError).hint).toMatch(/Browse datastore/);
    expect(requests).toBe(1);
    r.close();
  });

  it('reports a missing file by its datastore path', async () => {
    const r = reader();
    const e: unknown = await r.read('[ds1] vm/missing.vmdk', 0, 10).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).message).toBe('datastore file "[ds1] vm/missing.vmdk" not found');
    expect((e as NotFoundError).hint).toContain('datacenter "DC0"');
    r.close();
  });

  it('refuses a reply that ignores the range', async () => {
    const r = reader();
    faults = ['ignoreRange'];
    await expect(r.read(file, 100, 10)).rejects.toThrow(/ignored the Range header/);
    faults = ['ignoreRange'];
    expect((await r.read(file, 0, data.length)).equals(data)).toBe(true); // the whole file: fine
    r.close();
  });

  it('aborts a request in flight with the signal reason', async () => {
    const r = reader();
    faults = ['stall'];
    const ac = new AbortController();
    const p = r.read(file, 0, 10, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('cancelled by user')), 50);
    await expect(p).rejects.toThrow('cancelled by user');
    r.close();
  });

  it('times out a stalled request, retries, then reports the timeout', async () => {
    const r = reader({ timeoutMs: 100, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    faults = ['stall', 'stall'];
    await expect(r.read(file, 0, 10)).rejects.toBeInstanceOf(VSphereTimeoutError);
    expect(requests).toBe(2);
    r.close();
  });
});

describe.skipIf(!hasOpenssl)('DatastoreReader over TLS', () => {
  let caPem: string;
  let tlsServer: https.Server;
  let tlsBase: string;

  beforeAll(async () => {
    const certs = makeTestCertificates();
    caPem = certs.caPem;
    tlsServer = https.createServer({ key: certs.keyPem, cert: certs.certPem }, handle);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    tlsBase = `https://localhost:${(tlsServer.address() as AddressInfo).port}/sdk`;
  });
  afterAll(async () => {
    tlsServer.closeAllConnections();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  });

  it('verifies the certificate against the provider CA', async () => {
    const r = reader({ url: tlsBase, caCert: caPem });
    expect((await r.read(file, 0, 10)).equals(data.subarray(0, 10))).toBe(true);
    r.close();
  });

  it('refuses an unknown CA unless insecureSkipVerify is true, naming the fingerprint', async () => {
    for (const insecureSkipVerify of [undefined, false]) {
      const r = reader({ url: tlsBase, insecureSkipVerify });
      const e: unknown = await r.stat(file).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(VSphereTlsError);
      expect((e as VSphereTlsError).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      expect((e as VSphereTlsError).fingerprint).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
      r.close();
    }
    expect(requests).toBe(0);
    const insecure = reader({ url: tlsBase, insecureSkipVerify: true });
    expect((await insecure.stat(file)).size).toBe(data.length);
    insecure.close();
  });
});

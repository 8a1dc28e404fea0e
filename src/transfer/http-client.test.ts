/**
 * The HTTP/1.1 client against a TCP server that writes replies byte by byte as a test says (keep-alive,
 * chunked, close-delimited, interim, split and malformed replies), and against Node's HTTPS server
 * with a certificate made at test time; the real peers are the reader's tests (Node's HTTP server)
 * and test/integration/transfer.test.ts (vcsim over TLS).
 */
import { getEventListeners } from 'node:events';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiError } from '../api/errors.js';
import { VSphereTimeoutError } from '../providers/vsphere/index.js';
import {
  ClientClosedError,
  HttpClient,
  HttpConnectionError,
  HttpProtocolError,
  IncompleteReplyError,
  ReplyLengthError,
  type HttpRequest,
} from './http-client.js';
import { hasOpenssl, makeTestCertificates, type TestCertificates } from './test-certificates.fixture.js';

/** What the server does with one request: the raw reply bytes (in pieces), and whether to close. */
interface Script {
  pieces: (string | Buffer)[];
  close?: boolean;
  /** Send nothing. */
  stall?: boolean;
}

let server: net.Server;
let origin: URL;
let scripts: Script[] = [];
let connections = 0;
let heads: string[] = [];
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.setNoDelay(true); // each piece of a script goes out on its own
    socket.on('close', () => sockets.delete(socket));
    let pending = '';
    socket.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        heads.push(pending.slice(0, end));
        pending = pending.slice(end + 4);
        void play(socket, scripts.shift() ?? { pieces: [reply(200, 'ok')] });
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  scripts = [];
  connections = 0;
  heads = [];
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function play(socket: net.Socket, script: Script): Promise<void> {
  if (script.stall) return;
  for (const piece of script.pieces) {
    socket.write(piece);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (script.close) socket.end();
}

function reply(status: number, body: string | Buffer, headers: Record<string, string> = {}): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const h = Object.entries({ 'Content-Length': String(b.length), ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.concat([Buffer.from(`HTTP/1.1 ${status} X\r\n${h}\r\n`), b]);
}

/** Resolves once `done()` holds (checked every 5 ms). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Counts the bytes `Buffer#copy` writes into `into`'s memory from now on. */
function copiesInto(into: Buffer): () => number {
  const copy = vi.spyOn(Buffer.prototype, 'copy');
  return () => {
    let bytes = 0;
    copy.mock.calls.forEach((args: unknown[], i) => {
      const target = args[0] as Uint8Array;
      if (target.buffer === into.buffer) bytes += Number(copy.mock.results[i]?.value ?? 0);
    });
    return bytes;
  };
}

function client(extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({ origin, maxSockets: 2, timeoutMs: 2000, ...extra });
}

function get(
  c: HttpClient,
  into?: Buffer,
  extra: Partial<HttpRequest> = {},
): ReturnType<HttpClient['request']> {
  return c.request({
    method: 'GET',
    url: new URL('/folder/a?dsName=x', origin),
    headers: { Range: 'bytes=0-9' },
    bodyInto: (status) => (status === 206 ? into : undefined),
    ...extra,
  });
}

/** A reply head only (its body is sent as another piece). */
function head(status: number, headers: Record<string, string>): string {
  const h = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `HTTP/1.1 ${status} X\r\n${h}\r\n`;
}

describe('HttpClient', () => {
  it('sends the request head and reuses one keep-alive connection', async () => {
    const c = client();
    const into = Buffer.alloc(10);
    scripts = [{ pieces: [reply(206, '0123456789')] }, { pieces: [reply(206, 'abcdefghij')] }];
    const a = await get(c, into);
    expect(a.body.toString()).toBe('0123456789');
    expect(a.body.buffer).toBe(into.buffer);
    const b = await get(c, into);
    expect(b.body.toString()).toBe('abcdefghij');
    expect(connections).toBe(1);
    expect(heads[0]).toBe(
      `GET /folder/a?dsName=x HTTP/1.1\r\nHost: ${origin.host}\r\nRange: bytes=0-9\r\nConnection: keep-alive`,
    );
    c.close();
  });

  it('reads a body in place: the socket reads it into the buffer, nothing copies it there', async () => {
    const c = client();
    const body = Buffer.alloc(1024 * 1024, 7);
    const into = Buffer.alloc(body.length);
    scripts = [{ pieces: [head(206, { 'Content-Length': String(body.length) }), body] }];
    const copied = copiesInto(into);
    let counted = 0;
    const r = await get(c, into, { onBodyBytes: (n) => (counted += n) });
    expect(r.body.equals(body)).toBe(true);
    expect(counted).toBe(body.length);
    // only bytes that came with the head (in one 64 KiB scratch read at most) are copied
    expect(copied()).toBeLessThanOrEqual(64 * 1024);
    c.close();
  });

  it('reads replies split at every offset, and one byte at a time, on one connection', async () => {
    const c = client();
    const into = Buffer.alloc(10);
    const raws = [
      reply(206, '0123456789', { 'content-RANGE': 'bytes 0-9/100' }),
      Buffer.from(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 X\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '4;ext=1\r\n0123\r\n6 ; a=b\r\n456789\r\n0\r\nX-Trailer: y\r\n\r\n',
      ),
    ];
    for (const raw of raws) {
      for (let at = 1; at < raw.length; at++) {
        scripts = [{ pieces: [raw.subarray(0, at), raw.subarray(at)] }];
        const r = await get(c, into);
        expect([r.status, r.body.toString()], `split at ${at}`).toEqual([206, '0123456789']);
      }
      scripts = [{ pieces: Array.from(raw, (byte) => Buffer.of(byte)) }];
      expect((await get(c, into)).body.toString()).toBe('0123456789');
    }
    expect(connections).toBe(1);
    c.close();
  });

  it('decodes a chunked body, skips an interim reply, and keeps the connection', async () => {
    const c = client();
    const into = Buffer.alloc(10);
    scripts = [
      {
        pieces: [
          'HTTP/1.1 100 Continue\r\n\r\n',
          'HTTP/1.1 206 X\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n0123\r',
          '\n6\r\n456789\r\n0\r\nX-Trailer: y\r\n\r\n',
        ],
      },
      { pieces: [reply(206, 'abcdefghij')] },
    ];
    expect((await get(c, into)).body.toString()).toBe('0123456789');
    expect((await get(c, into)).body.toString()).toBe('abcdefghij');
    expect(connections).toBe(1);
    c.close();
  });

  it('skips 10 interim replies, and refuses an 11th', async () => {
    const c = client();
    const interim = 'HTTP/1.1 100 Continue\r\n\r\n';
    scripts = [{ pieces: [interim.repeat(10), reply(200, 'ten')] }];
    expect((await get(c)).body.toString()).toBe('ten');
    scripts = [{ pieces: [interim.repeat(11), reply(200, 'eleven')] }];
    const e: unknown = await get(c).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HttpProtocolError);
    expect((e as Error).message).toBe('malformed HTTP reply: more than 10 interim (1xx) replies');
    c.close();
  });

  it('reads a close-delimited body, then connects again', async () => {
    const c = client();
    scripts = [{ pieces: ['HTTP/1.1 206 X\r\n\r\n01234', '56789'], close: true }];
    expect((await get(c, Buffer.alloc(10))).body.toString()).toBe('0123456789');
    expect((await get(c)).body.toString()).toBe('ok');
    expect(connections).toBe(2);
    c.close();
  });

  it('keeps the first 4 KiB of an unwanted body and drops the connection when more remained', async () => {
    const c = client();
    scripts = [{ pieces: [reply(500, 'x'.repeat(10_000))] }, { pieces: [reply(404, 'not here')] }];
    const r = await get(c, Buffer.alloc(10));
    expect(r.status).toBe(500);
    expect(r.body.length).toBe(4096);
    const n = await get(c, Buffer.alloc(10));
    expect([n.status, n.body.toString()]).toEqual([404, 'not here']);
    expect(connections).toBe(2);
    expect((await get(c)).body.toString()).toBe('ok'); // the 404 left its connection reusable
    expect(connections).toBe(2);
    c.close();
  });

  it('keeps an unwanted body of exactly 4 KiB whole, and its connection', async () => {
    const c = client();
    scripts = [{ pieces: [reply(500, 'x'.repeat(4096))] }, { pieces: [reply(500, 'y'.repeat(4096))] }];
    expect((await get(c)).body.toString()).toBe('x'.repeat(4096));
    expect((await get(c)).body.toString()).toBe('y'.repeat(4096));
    expect(connections).toBe(1);
    c.close();
  });

  it('does not reuse a connection the reply closes', async () => {
    const c = client();
    scripts = [{ pieces: [reply(200, 'one', { Connection: 'close' })] }];
    expect((await get(c)).body.toString()).toBe('one');
    expect((await get(c)).body.toString()).toBe('ok');
    expect(connections).toBe(2);
    c.close();
  });

  it('replaces an idle connection the server closed', async () => {
    const c = client();
    await get(c);
    for (const s of sockets) s.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await get(c)).body.toString()).toBe('ok');
    expect(connections).toBe(2);
    c.close();
  });

  it('opens at most maxSockets connections; more requests wait for one', async () => {
    const c = client({ maxSockets: 2 });
    const replies = await Promise.all(Array.from({ length: 6 }, () => get(c)));
    expect(replies.map((r) => r.body.toString())).toEqual(Array(6).fill('ok'));
    expect(connections).toBe(2);
    c.close();
  });

  it('never has more than maxSockets connections, even when a request comes as a slot frees', async () => {
    const original = net.connect;
    const made: net.Socket[] = [];
    let most = 0;
    vi.spyOn(net, 'connect').mockImplementation(((options: net.NetConnectOpts) => {
      const socket = original(options);
      made.push(socket);
      most = Math.max(most, made.filter((s) => !s.destroyed).length);
      return socket;
    }) as typeof net.connect);
    const c = client({ maxSockets: 1 });
    scripts = [{ pieces: [], stall: true }];
    const ac = new AbortController();
    const first = get(c, undefined, { signal: ac.signal });
    const waiting = [get(c), get(c, undefined, { signal: new AbortController().signal })];
    await until(() => heads.length === 1);
    ac.abort(new Error('stop')); // frees the slot: a waiter takes it...
    let late: Promise<unknown> = Promise.resolve();
    queueMicrotask(() => {
      late = get(c); // ...and a request made before that waiter resumes must wait too
    });
    await expect(first).rejects.toThrow('stop');
    const replies = await Promise.all([...waiting, late]);
    expect(replies.map((r) => (r as { body: Buffer }).body.toString())).toEqual(['ok', 'ok', 'ok']);
    expect(most).toBe(1);
    expect(connections).toBe(2);
    c.close();
  });

  it('puts one abort listener on a signal however many requests wait with it', async () => {
    const c = client({ maxSockets: 1 });
    const signal = new AbortController().signal;
    const done = Array.from({ length: 20 }, () => get(c, undefined, { signal }));
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    await Promise.all(done);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);

    const ac = new AbortController();
    scripts = [{ pieces: [], stall: true }];
    const stopped = Array.from({ length: 20 }, () => get(c, undefined, { signal: ac.signal }));
    await until(() => heads.length === 21);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort(new Error('stop'));
    const errors = await Promise.all(stopped.map((p) => p.catch((e: unknown) => e)));
    expect(errors.map((e) => (e as Error).message)).toEqual(Array(20).fill('stop'));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    c.close();
  });

  it('fails a body longer than its buffer, or one cut by the connection as incomplete', async () => {
    const c = client();
    scripts = [{ pieces: [reply(206, '0123456789AB')] }];
    const long: unknown = await get(c, Buffer.alloc(10)).catch((e: unknown) => e);
    expect(long).toBeInstanceOf(ReplyLengthError);
    expect((long as ApiError).message).toBe(
      'the reply (HTTP 206, no Content-Range) has Content-Length 12, but 10 bytes were asked for',
    );
    scripts = [{ pieces: [head(206, { 'Transfer-Encoding': 'chunked' }), 'c\r\n0123456789AB\r\n0\r\n\r\n'] }];
    const chunked: unknown = await get(c, Buffer.alloc(10)).catch((e: unknown) => e);
    expect(chunked).toBeInstanceOf(ReplyLengthError);
    expect((chunked as Error).message).toMatch(/sent more, but 10 bytes were asked for$/);
    scripts = [{ pieces: ['HTTP/1.1 206 X\r\nContent-Length: 10\r\n\r\n01234'], close: true }];
    const cut: unknown = await get(c, Buffer.alloc(10)).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(IncompleteReplyError);
    expect((cut as Error).message).toBe('the reply ended after 5 of 10 bytes');
    c.close();
  });

  it('fails a complete reply shorter than its buffer at once, naming its length headers (no retry)', async () => {
    const c = client();
    const range = { 'Content-Range': 'bytes 0-4/100' };
    scripts = [{ pieces: [head(206, { 'Content-Length': '5', ...range }), '01234'] }];
    const short: unknown = await get(c, Buffer.alloc(10)).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(ReplyLengthError);
    expect(short).not.toBeInstanceOf(IncompleteReplyError);
    expect((short as ApiError).status).toBe(206);
    expect((short as Error).message).toBe(
      'the reply (HTTP 206, Content-Range "bytes 0-4/100") has Content-Length 5, but 10 bytes were asked for',
    );
    scripts = [
      { pieces: [head(206, { 'Transfer-Encoding': 'chunked', ...range }), '5\r\n01234\r\n0\r\n\r\n'] },
    ];
    const chunked: unknown = await get(c, Buffer.alloc(10)).catch((e: unknown) => e);
    expect(chunked).toBeInstanceOf(ReplyLengthError);
    expect((chunked as Error).message).toBe(
      'the reply (HTTP 206, Content-Range "bytes 0-4/100") ended after 5 bytes, but 10 bytes were asked for',
    );
    c.close();
  });

  it('fails a chunked body cut mid-chunk as incomplete', async () => {
    const c = client();
    scripts = [{ pieces: [head(206, { 'Transfer-Encoding': 'chunked' }), '5\r\n012'], close: true }];
    const e: unknown = await get(c, Buffer.alloc(10)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IncompleteReplyError);
    expect((e as Error).message).toBe('the reply ended after 3 of 10 bytes');
    c.close();
  });

  it('fails the request, not the process, when onBodyBytes throws during an in-place read', async () => {
    const c = client({ timeoutMs: 5000 });
    const body = Buffer.alloc(256 * 1024, 1);
    scripts = [{ pieces: [head(206, { 'Content-Length': String(body.length) }), body] }];
    let counted = 0;
    const onBodyBytes = (n: number): void => {
      counted += n;
      // the last bytes come past the first 64 KiB scratch read, so in place
      if (counted === body.length) throw new Error('the counter broke');
    };
    await expect(get(c, Buffer.alloc(body.length), { onBodyBytes })).rejects.toThrow('the counter broke');
    expect((await get(c)).body.toString()).toBe('ok'); // on a new connection
    c.close();
  });

  it('reports a connection closed before the reply as a connection error', async () => {
    const c = client();
    scripts = [{ pieces: [], close: true }];
    const hangUp: unknown = await get(c).catch((e: unknown) => e);
    expect(hangUp).toBeInstanceOf(HttpConnectionError);
    expect((hangUp as HttpConnectionError).code).toBe('ECONNRESET');
    c.close();
  });

  it('refuses malformed replies with a protocol error quoting at most 40 characters', async () => {
    const c = client();
    const long = 'a'.repeat(1000);
    const cases: [string, string][] = [
      ['SSH-2.0-OpenSSH\r\n\r\n', 'not an HTTP/1.x reply: "SSH-2.0-OpenSSH"'],
      [`${long}\r\n\r\n`, `not an HTTP/1.x reply: "${'a'.repeat(40)}…"`],
      [`${head(200, { 'Content-Length ': '2' })}ok`, 'bad header line "Content-Length : 2"'],
      [
        head(200, { 'X-A': '1' }).replace('\r\n\r\n', '\r\n  more\r\n\r\n'),
        'a folded header line (obs-fold): "  more"',
      ],
      [head(200, { 'X-A': '1' }).replace('\r\n\r\n', '\r\nno colon\r\n\r\n'), 'bad header line "no colon"'],
      [head(200, { 'Content-Length': `1${long}` }), `bad Content-Length "1${'a'.repeat(39)}…"`],
      [`${head(200, { 'Transfer-Encoding': 'chunked' })}0x2\r\nok\r\n0\r\n\r\n`, 'bad chunk size line "0x2"'],
      [
        `${head(200, { 'Transfer-Encoding': 'chunked' })}2 junk\r\nok\r\n0\r\n\r\n`,
        'bad chunk size line "2 junk"',
      ],
      [
        `${head(200, { 'Transfer-Encoding': 'chunked' })}2\r\nokX\r\n0\r\n\r\n`,
        '"X" instead of the CRLF after a chunk',
      ],
    ];
    for (const [raw, message] of cases) {
      scripts = [{ pieces: [raw] }];
      const e: unknown = await get(c).catch((x: unknown) => x);
      expect(e, raw.slice(0, 60)).toBeInstanceOf(HttpProtocolError);
      expect((e as Error).message).toBe(`malformed HTTP reply: ${message}`);
    }
    c.close();
  });

  it('refuses a reply head over 64 KiB', async () => {
    const c = client();
    scripts = [{ pieces: [`HTTP/1.1 200 X\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`] }];
    const e: unknown = await get(c).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HttpProtocolError);
    expect((e as Error).message).toBe('malformed HTTP reply: the reply head exceeds 64 KiB');
    c.close();
  });

  it('times out a stalled reply and aborts with the signal reason', async () => {
    const c = client({ timeoutMs: 100 });
    scripts = [{ pieces: [], stall: true }];
    await expect(get(c)).rejects.toBeInstanceOf(VSphereTimeoutError);
    scripts = [{ pieces: [], stall: true }];
    const ac = new AbortController();
    const p = get(c, undefined, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stop')), 20);
    await expect(p).rejects.toThrow('stop');
    c.close();
  });

  it('close() fails running and waiting requests, which then connect no more', async () => {
    const c = client({ maxSockets: 1 });
    scripts = [{ pieces: [], stall: true }];
    const running = get(c);
    const waiting = get(c);
    await until(() => heads.length === 1);
    c.close();
    const errors = await Promise.all([running, waiting].map((p) => p.catch((e: unknown) => e)));
    for (const e of errors) expect(e).toBeInstanceOf(ClientClosedError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([connections, heads.length]).toEqual([1, 1]);
    expect((await get(c)).body.toString()).toBe('ok'); // a later request opens a new connection
    c.close();
  });

  it('refuses a header value with a line break', async () => {
    const c = client();
    await expect(get(c, undefined, { headers: { Cookie: 'a\r\nX-Evil: 1' } })).rejects.toThrow(/line break/);
    c.close();
  });
});

describe.skipIf(!hasOpenssl)('HttpClient over TLS', () => {
  let certs: TestCertificates;
  let tlsServer: https.Server;
  let port: number;
  /** The SNI server name of each request (`false` when none was sent). */
  let servernames: (string | false | null)[] = [];
  const body = Buffer.alloc(512 * 1024, 3);

  beforeAll(async () => {
    certs = makeTestCertificates();
    tlsServer = https.createServer({ key: certs.keyPem, cert: certs.certPem }, (req, res) => {
      if (req.socket instanceof TLSSocket) servernames.push(req.socket.servername);
      res.writeHead(206, { 'Content-Length': body.length, 'Content-Range': `bytes 0-${body.length - 1}/*` });
      res.end(body);
    });
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    port = (tlsServer.address() as AddressInfo).port;
  });
  afterAll(async () => {
    tlsServer.closeAllConnections();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  });
  beforeEach(() => {
    servernames = [];
  });

  function tlsClient(
    host: string,
    extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {},
  ): HttpClient {
    return new HttpClient({
      origin: new URL(`https://${host}:${port}`),
      maxSockets: 2,
      timeoutMs: 5000,
      ...extra,
    });
  }
  function tlsGet(c: HttpClient, into?: Buffer): ReturnType<HttpClient['request']> {
    return c.request({
      method: 'GET',
      url: new URL('/folder/a', `https://x:${port}`),
      headers: {},
      bodyInto: () => into,
    });
  }

  it('rejects a certificate from an unknown CA by default, and when asked to verify', async () => {
    for (const rejectUnauthorized of [undefined, true]) {
      const c = tlsClient('127.0.0.1', { rejectUnauthorized });
      const e: unknown = await tlsGet(c).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(HttpConnectionError);
      expect((e as HttpConnectionError).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      c.close();
    }
    expect(servernames).toEqual([]);
  });

  it('trusts the CA it is given, and decrypts a body in place', async () => {
    const c = tlsClient('localhost', { ca: certs.caPem });
    const into = Buffer.alloc(body.length);
    const copied = copiesInto(into);
    const r = await tlsGet(c, into);
    expect(r.status).toBe(206);
    expect(r.body.equals(body)).toBe(true);
    expect(copied()).toBeLessThanOrEqual(64 * 1024);
    c.close();
  });

  it('sends the host name as SNI, and no SNI for an IP address', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const c = tlsClient(host, { ca: certs.caPem });
      expect((await tlsGet(c)).status).toBe(206);
      c.close();
    }
    expect(servernames).toEqual(['localhost', false]);
  });

  it('skips verification only when rejectUnauthorized is false', async () => {
    const c = tlsClient('localhost', { rejectUnauthorized: false });
    expect((await tlsGet(c)).status).toBe(206);
    c.close();
    const strict = tlsClient('localhost', { rejectUnauthorized: true });
    await expect(tlsGet(strict)).rejects.toBeInstanceOf(HttpConnectionError);
    strict.close();
  });
});

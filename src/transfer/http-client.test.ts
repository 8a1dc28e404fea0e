/**
 * The HTTP/1.1 client against a TCP server that writes replies byte by byte as a test says (keep-alive,
 * chunked, close-delimited, interim, split and malformed replies); the real peers are the reader's
 * tests (Node's HTTP server) and test/integration/transfer.test.ts (vcsim over TLS).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import { VSphereTimeoutError } from '../providers/vsphere/index.js';
import { ConnectionFailure, HttpClient, IncompleteReplyError, type HttpRequest } from './http-client.js';

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

describe('HttpClient', () => {
  it('sends the request head and reuses one keep-alive connection', async () => {
    const c = client();
    const into = Buffer.alloc(10);
    scripts = [{ pieces: [reply(206, '0123456789')] }, { pieces: [reply(206, 'abcdefghij')] }];
    const a = await get(c, into);
    expect(a.body.toString()).toBe('0123456789');
    expect(a.body.buffer).toBe(into.buffer); // read in place
    const b = await get(c, into);
    expect(b.body.toString()).toBe('abcdefghij');
    expect(connections).toBe(1);
    expect(heads[0]).toBe(
      `GET /folder/a?dsName=x HTTP/1.1\r\nHost: ${origin.host}\r\nRange: bytes=0-9\r\nConnection: keep-alive`,
    );
    c.close();
  });

  it('reads a reply whose head and body arrive in pieces, and header names in any case', async () => {
    const c = client();
    const into = Buffer.alloc(10);
    const raw = reply(206, '0123456789', { 'content-RANGE': 'bytes 0-9/100' });
    scripts = [
      {
        pieces: [raw.subarray(0, 5), raw.subarray(5, 30), raw.subarray(30, raw.length - 3), raw.subarray(-3)],
      },
    ];
    const r = await get(c, into);
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe('bytes 0-9/100');
    expect(r.body.toString()).toBe('0123456789');
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

  it('fails a body longer than its buffer at once, and a shorter one as incomplete', async () => {
    const c = client();
    scripts = [{ pieces: [reply(206, '0123456789AB')] }];
    const long: unknown = await get(c, Buffer.alloc(10)).catch((e: unknown) => e);
    expect(long).toBeInstanceOf(ApiError);
    expect((long as ApiError).message).toBe('the server sent more than the 10 bytes asked for');
    scripts = [{ pieces: ['HTTP/1.1 206 X\r\nContent-Length: 10\r\n\r\n01234'], close: true }];
    const short: unknown = await get(c, Buffer.alloc(10)).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(IncompleteReplyError);
    expect((short as Error).message).toBe('the reply ended after 5 of 10 bytes');
    c.close();
  });

  it('reports a connection closed before the reply, and a malformed reply, as connection failures', async () => {
    const c = client();
    scripts = [{ pieces: [], close: true }];
    const hangUp: unknown = await get(c).catch((e: unknown) => e);
    expect(hangUp).toBeInstanceOf(ConnectionFailure);
    expect((hangUp as ConnectionFailure).code).toBe('ECONNRESET');
    scripts = [{ pieces: ['SSH-2.0-OpenSSH\r\n\r\n'] }];
    const junk: unknown = await get(c).catch((e: unknown) => e);
    expect(junk).toBeInstanceOf(ConnectionFailure);
    expect((junk as Error).message).toMatch(/not an HTTP\/1.x reply/);
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

  it('refuses a header value with a line break', async () => {
    const c = client();
    await expect(get(c, undefined, { headers: { Cookie: 'a\r\nX-Evil: 1' } })).rejects.toThrow(/line break/);
    c.close();
  });
});

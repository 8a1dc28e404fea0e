/**
 * A lean HTTP/1.1 client for the datastore reader: a keep-alive pool of TLS (or TCP) connections,
 * one request at a time on each, whose reply bodies the socket reads straight into the caller's
 * buffer (`onread` with a buffer per read). `node:https` allocates a `Buffer` and runs a parser
 * callback, a stream push and a `data` event for every 16 KiB TLS record; on a 2-core machine that
 * held a ranged reader to half of curl's rate, at three times the CPU per byte (ADR 0008).
 *
 * Only what HEAD and ranged GET need: no request bodies, redirects, proxies or pipelining. Replies
 * may be Content-Length, chunked or close-delimited; 1xx replies are skipped.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ApiError } from '../api/errors.js';
import { VSphereTimeoutError } from '../providers/vsphere/index.js';

/** Reply headers by lower-case name; repeated headers joined with `, `. */
export type HttpHeaders = Readonly<Record<string, string | undefined>>;

/**
 * One request.
 * @see https://www.rfc-editor.org/rfc/rfc9112
 */
export interface HttpRequest {
  method: 'GET' | 'HEAD';
  /** Absolute URL on the client's origin. */
  url: URL;
  /** Request headers (Host is added); values must not contain CR or LF. */
  headers: Readonly<Record<string, string>>;
  /**
   * Where the body of a reply goes, decided from its status and headers: a buffer the body must
   * fill exactly (a longer body fails at once, a shorter one with {@link IncompleteReplyError}),
   * or undefined to keep only its first 4 KiB (the connection is then dropped when more remained).
   */
  bodyInto?: (status: number, headers: HttpHeaders) => Buffer | undefined;
  /** Called with the size of each piece of a body that goes into a `bodyInto` buffer. */
  onBodyBytes?: (bytes: number) => void;
  /** Aborts the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * A reply.
 * @see https://www.rfc-editor.org/rfc/rfc9112
 */
export interface HttpReply {
  status: number;
  headers: HttpHeaders;
  /** The `bodyInto` buffer, or the first 4 KiB of the body. */
  body: Buffer;
}

/**
 * Where and how to connect.
 * @see https://nodejs.org/api/tls.html#tlsconnectoptions-callback
 */
export interface HttpClientOptions {
  /** The server: only protocol (`http:`/`https:`), host and port are used. */
  origin: URL;
  /** CA certificate(s), PEM; default: Node's system roots. */
  ca?: string;
  /** Verify the server certificate and host name. @default true */
  rejectUnauthorized?: boolean;
  /** Connections open at once at most; more requests wait for one. */
  maxSockets: number;
  /** Milliseconds a request may stay without any data (connect, headers or body). */
  timeoutMs: number;
}

/**
 * A reply body that ended before its length (the connection was cut); worth a retry.
 * @see https://www.rfc-editor.org/rfc/rfc9112#name-message-body-length
 */
export class IncompleteReplyError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 0);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * The connection failed (refused, reset, closed early, TLS verification, a malformed reply);
 * `code` is Node's or OpenSSL's (e.g. `ECONNRESET`, `DEPTH_ZERO_SELF_SIGNED_CERT`) and `cause` the
 * original error.
 * @see https://nodejs.org/api/errors.html#common-system-errors
 */
export class ConnectionFailure extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause?: unknown) {
    super(message, { cause });
    this.code = code;
  }
}

/** Bytes of an unwanted body kept for an error message. */
const snippetBytes = 4096;
/** Largest reply head accepted. */
const maxHeadBytes = 64 * 1024;
/** Bytes a connection reads at a time when not reading into a caller's buffer. */
const scratchBytes = 64 * 1024;

/**
 * A keep-alive connection pool to one origin that runs {@link HttpRequest}s.
 * @see https://www.rfc-editor.org/rfc/rfc9112
 */
export class HttpClient {
  readonly #options: HttpClientOptions;
  readonly #tls: boolean;
  readonly #host: string;
  readonly #port: number;
  readonly #idle: Connection[] = [];
  readonly #open = new Set<Connection>();
  readonly #waiters: { take: (c: Connection | undefined) => void }[] = [];
  #session: Buffer | undefined;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.#tls = options.origin.protocol === 'https:';
    this.#host = options.origin.hostname.replace(/^\[(.*)\]$/, '$1');
    this.#port = Number(options.origin.port) || (this.#tls ? 443 : 80);
  }

  /**
   * Sends a request on an idle connection (or a new one) and reads the reply.
   * @throws the signal's reason; {@link VSphereTimeoutError} after `timeoutMs` without data;
   * {@link IncompleteReplyError}; {@link ApiError} for a body longer than its buffer;
   * {@link ConnectionFailure} for everything else on the connection.
   */
  async request(req: HttpRequest): Promise<HttpReply> {
    req.signal?.throwIfAborted();
    const head = requestHead(req, this.#options.origin.host);
    const conn = await this.#acquire(req.signal);
    let reusable = false;
    try {
      const reply = await conn.exchange(req, head);
      reusable = reply.reusable;
      return reply.reply;
    } finally {
      this.#release(conn, reusable);
    }
  }

  /** Closes idle and active connections (requests on them fail); later requests open new ones. */
  close(): void {
    for (const c of [...this.#open]) c.destroy();
    this.#open.clear();
    this.#idle.length = 0;
  }

  async #acquire(signal: AbortSignal | undefined): Promise<Connection> {
    for (let c = this.#idle.pop(); c; c = this.#idle.pop()) {
      if (c.usable) return c;
      this.#forget(c);
    }
    if (this.#open.size < this.#options.maxSockets) return this.#connect();
    const waited = await new Promise<Connection | undefined>((resolve, reject) => {
      const waiter = {
        take: (c: Connection | undefined): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(c);
        },
      };
      const onAbort = (): void => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
    if (waited?.usable) return waited;
    if (waited) this.#forget(waited);
    return this.#connect();
  }

  #release(conn: Connection, reusable: boolean): void {
    if (!reusable || !conn.usable) {
      this.#forget(conn);
      this.#waiters.shift()?.take(undefined); // a slot is free: it connects
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) waiter.take(conn);
    else {
      conn.park();
      this.#idle.push(conn);
    }
  }

  #forget(conn: Connection): void {
    conn.destroy();
    this.#open.delete(conn);
    const i = this.#idle.indexOf(conn);
    if (i >= 0) this.#idle.splice(i, 1);
  }

  #connect(): Connection {
    const conn = new Connection((onread) => {
      const common = { host: this.#host, port: this.#port, onread, noDelay: true };
      if (!this.#tls) return net.connect(common);
      const socket = tls.connect({
        ...common,
        servername: net.isIP(this.#host) === 0 ? this.#host : undefined,
        ca: this.#options.ca,
        rejectUnauthorized: this.#options.rejectUnauthorized !== false,
        session: this.#session,
        ALPNProtocols: ['http/1.1'],
      });
      socket.on('session', (s: Buffer) => {
        this.#session = s;
      });
      socket.on('error', () => {
        this.#session = undefined;
      });
      return socket;
    }, this.#options.timeoutMs);
    conn.onIdleClose = () => this.#forget(conn);
    this.#open.add(conn);
    return conn;
  }
}

/** `onread` of `net.connect`: the socket reads into the buffer `buffer()` returns, then calls `callback`. */
interface OnRead {
  buffer: () => Uint8Array;
  callback: (bytes: number, buf: Uint8Array) => boolean;
}

/** How a reply body is delimited. */
const Framing = { None: 'none', Length: 'length', Chunked: 'chunked', Close: 'close' } as const;
type Framing = (typeof Framing)[keyof typeof Framing];

/** The request in progress on a connection, and the parse state of its reply. */
interface Exchange {
  req: HttpRequest;
  resolve: (r: { reply: HttpReply; reusable: boolean }) => void;
  reject: (e: Error) => void;
  /** Reply head bytes so far (latin1), until the blank line. */
  head: string;
  status: number;
  headers: Record<string, string>;
  keepAlive: boolean;
  framing: Framing | undefined;
  /** The body's destination: the caller's buffer, or a snippet buffer. */
  into: Buffer | undefined;
  /** True when `into` is the caller's buffer (which must be filled exactly). */
  exact: boolean;
  /** Bytes stored in `into`. */
  stored: number;
  /** Body bytes still due: of the body (Length), of the current chunk (Chunked). */
  left: number;
  /** Chunked: the chunk-size, CRLF or trailer line read so far. */
  line: string;
  /** Chunked: what comes next. */
  chunkState: 'size' | 'data' | 'crlf' | 'trailer';
}

/** One connection and the one request it carries at a time. */
class Connection {
  readonly #socket: net.Socket;
  readonly #scratch = Buffer.allocUnsafe(scratchBytes);
  readonly #timeoutMs: number;
  #x: Exchange | undefined;
  #closed = false;
  #failure: Error | undefined;
  /** Called when an idle connection closes or receives something. */
  onIdleClose: () => void = () => undefined;

  constructor(open: (onread: OnRead) => net.Socket, timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#socket = open({
      buffer: () => this.#nextBuffer(),
      callback: (n, buf) => {
        this.#onRead(n, buf);
        return true;
      },
    });
    this.#socket.on('error', (e: Error) => {
      this.#failure ??= e;
    });
    this.#socket.on('end', () => this.#onEnd());
    this.#socket.on('close', () => this.#onEnd());
    this.#socket.on('timeout', () => this.#onTimeout());
  }

  /** Not closed, nothing pending: fit for a request. */
  get usable(): boolean {
    return !this.#closed && !this.#socket.destroyed;
  }

  /** Sends the request and reads its reply. */
  exchange(req: HttpRequest, head: string): Promise<{ reply: HttpReply; reusable: boolean }> {
    if (req.signal?.aborted) return Promise.reject(req.signal.reason as Error);
    if (!this.usable) {
      return Promise.reject(new ConnectionFailure('socket hang up', 'ECONNRESET', this.#failure));
    }
    this.#socket.ref();
    this.#socket.setTimeout(this.#timeoutMs);
    return new Promise((resolve, reject) => {
      const signal = req.signal;
      const onAbort = (): void => this.#fail(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.#x = undefined;
      };
      this.#x = {
        req,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        head: '',
        status: 0,
        headers: {},
        keepAlive: false,
        framing: undefined,
        into: undefined,
        exact: false,
        stored: 0,
        left: 0,
        line: '',
        chunkState: 'size',
      };
      this.#socket.write(head, 'latin1');
    });
  }

  /** Idle in the pool: no timeout, does not keep the process alive. */
  park(): void {
    this.#socket.setTimeout(0);
    this.#socket.unref();
  }

  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  /** The buffer the next read goes into: straight into the caller's buffer inside a body. */
  #nextBuffer(): Uint8Array {
    const x = this.#x;
    if (x?.framing === Framing.Length && x.exact && x.into && x.left > 0) {
      return x.into.subarray(x.stored, x.stored + x.left);
    }
    return this.#scratch;
  }

  #onRead(n: number, buf: Uint8Array): void {
    const x = this.#x;
    if (!x) {
      this.#closed = true; // a reply nobody asked for
      this.onIdleClose();
      return;
    }
    if (buf !== this.#scratch) {
      // read in place, into the caller's buffer (see #nextBuffer)
      this.#stored(x, n);
      x.left -= n;
      if (x.left === 0) this.#finish(x, true);
      return;
    }
    try {
      this.#consume(x, this.#scratch.subarray(0, n));
    } catch (e: unknown) {
      this.#fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Parses bytes that arrived in scratch: head, then body. */
  #consume(x: Exchange, data: Buffer): void {
    let rest = data;
    while (rest.length > 0 && this.#x === x) {
      if (x.framing === undefined) rest = this.#readHead(x, rest);
      else rest = this.#readBody(x, rest);
    }
    if (rest.length > 0 && this.#x !== x) this.#closed = true; // bytes after the reply: do not reuse
  }

  #readHead(x: Exchange, data: Buffer): Buffer {
    const before = x.head.length;
    x.head += data.toString('latin1', 0, Math.min(data.length, maxHeadBytes));
    const end = x.head.indexOf('\r\n\r\n', Math.max(0, before - 3));
    if (end < 0) {
      if (x.head.length >= maxHeadBytes) throw protocolError('the reply head exceeds 64 KiB');
      return data.subarray(data.length);
    }
    const rest = data.subarray(end + 4 - before);
    const head = x.head.slice(0, end);
    x.head = '';
    this.#parseHead(x, head);
    if (x.status >= 100 && x.status < 200) {
      x.framing = undefined; // an interim reply; the real one follows
      return rest;
    }
    this.#startBody(x);
    return rest;
  }

  #parseHead(x: Exchange, head: string): void {
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (!m) throw protocolError(`not an HTTP/1.x reply: "${(lines[0] ?? '').slice(0, 40)}"`);
    x.status = Number(m[2]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    x.headers = headers;
    const connection = (headers.connection ?? '').toLowerCase();
    x.keepAlive = m[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
  }

  #startBody(x: Exchange): void {
    const h = x.headers;
    const length = h['content-length'];
    if (x.req.method === 'HEAD' || x.status === 204 || x.status === 304) {
      x.framing = Framing.None;
    } else if (h['transfer-encoding'] !== undefined) {
      const chunked = /(?:^|,)\s*chunked\s*$/i.test(h['transfer-encoding']);
      x.framing = chunked ? Framing.Chunked : Framing.Close;
      if (!chunked) x.keepAlive = false;
    } else if (length !== undefined) {
      if (!/^\d+$/.test(length)) throw protocolError(`bad Content-Length "${length}"`);
      x.framing = Framing.Length;
      x.left = Number(length);
    } else {
      x.framing = Framing.Close;
      x.keepAlive = false;
    }
    const into = x.framing === Framing.None ? undefined : x.req.bodyInto?.(x.status, h);
    x.exact = into !== undefined;
    x.into = into ?? Buffer.allocUnsafe(snippetBytes);
    if (x.exact && x.framing === Framing.Length && x.left > (into?.length ?? 0)) {
      throw overflow(into?.length ?? 0, x.status);
    }
    if (x.framing === Framing.None || (x.framing === Framing.Length && x.left === 0)) this.#finish(x, true);
  }

  /** Body bytes that arrived in scratch. @returns what follows the body. */
  #readBody(x: Exchange, data: Buffer): Buffer {
    switch (x.framing) {
      case Framing.Length: {
        const n = Math.min(x.left, data.length);
        this.#store(x, data.subarray(0, n));
        x.left -= n;
        if (x.left === 0) this.#finish(x, true);
        return data.subarray(n);
      }
      case Framing.Chunked:
        return this.#readChunked(x, data);
      default:
        this.#store(x, data);
        return data.subarray(data.length);
    }
  }

  #readChunked(x: Exchange, data: Buffer): Buffer {
    let at = 0;
    while (at < data.length && this.#x === x) {
      if (x.chunkState === 'data') {
        const n = Math.min(x.left, data.length - at);
        this.#store(x, data.subarray(at, at + n));
        at += n;
        x.left -= n;
        if (x.left === 0) x.chunkState = 'crlf';
        continue;
      }
      const nl = data.indexOf(10, at);
      const upto = nl < 0 ? data.length : nl;
      x.line += data.toString('latin1', at, upto);
      at = nl < 0 ? data.length : nl + 1;
      if (x.line.length > 4096) throw protocolError('a chunk line exceeds 4 KiB');
      if (nl < 0) break;
      const line = x.line.replace(/\r$/, '');
      x.line = '';
      if (x.chunkState === 'crlf') {
        if (line !== '') throw protocolError('no CRLF after a chunk');
        x.chunkState = 'size';
      } else if (x.chunkState === 'size') {
        const size = Number.parseInt(line.split(';')[0] ?? '', 16);
        if (!Number.isSafeInteger(size) || size < 0) throw protocolError(`bad chunk size "${line}"`);
        x.left = size;
        x.chunkState = size === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        this.#finish(x, true); // the empty line after the trailers
      }
    }
    return data.subarray(at);
  }

  /** Copies body bytes into the destination (a snippet keeps its first 4 KiB, then the reply ends). */
  #store(x: Exchange, piece: Buffer): void {
    const into = x.into;
    if (!into) return;
    if (x.exact && x.stored + piece.length > into.length) throw overflow(into.length, x.status);
    const n = piece.copy(into, x.stored);
    this.#stored(x, n);
    if (!x.exact && x.stored === into.length) this.#finish(x, false); // enough of an error body
  }

  #stored(x: Exchange, n: number): void {
    x.stored += n;
    if (x.exact) x.req.onBodyBytes?.(n);
  }

  /** The reply is complete (or enough of it is there): resolve; reuse the connection when `clean`. */
  #finish(x: Exchange, clean: boolean): void {
    const into = x.into;
    if (x.exact && into && x.stored !== into.length) {
      this.#fail(new IncompleteReplyError(`the reply ended after ${x.stored} of ${into.length} bytes`));
      return;
    }
    const body = into ? into.subarray(0, x.stored) : Buffer.alloc(0);
    const reusable = clean && x.keepAlive && !this.#closed;
    if (!reusable) this.destroy();
    else this.#socket.setTimeout(0);
    x.resolve({ reply: { status: x.status, headers: x.headers, body }, reusable });
  }

  /** The socket ended or closed: completes a close-delimited body, fails anything else. */
  #onEnd(): void {
    this.#closed = true;
    const x = this.#x;
    if (!x) {
      this.onIdleClose();
      return;
    }
    if (x.framing === Framing.Close) {
      this.#finish(x, false);
      return;
    }
    const cause = this.#failure;
    if (x.framing === undefined) {
      const code = errorCode(cause) ?? 'ECONNRESET';
      this.#fail(new ConnectionFailure(cause?.message ?? 'socket hang up', code, cause));
    } else {
      const expected = x.exact && x.into ? ` of ${x.into.length}` : '';
      this.#fail(new IncompleteReplyError(`the reply ended after ${x.stored}${expected} bytes`, { cause }));
    }
  }

  #onTimeout(): void {
    const x = this.#x;
    if (!x) return;
    const { method, url } = x.req;
    this.#fail(new VSphereTimeoutError(url.host, this.#timeoutMs, `${method} ${url.pathname}: no data`));
  }

  /** Fails the request in progress and drops the connection. */
  #fail(e: Error): void {
    const x = this.#x;
    this.destroy();
    x?.reject(e);
  }
}

/** The request line and headers. */
function requestHead(req: HttpRequest, host: string): string {
  const lines = [`${req.method} ${req.url.pathname}${req.url.search} HTTP/1.1`, `Host: ${host}`];
  for (const [name, value] of Object.entries(req.headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) {
      throw new TypeError(`the ${name} header has a line break`);
    }
    lines.push(`${name}: ${value}`);
  }
  lines.push('Connection: keep-alive', '', '');
  return lines.join('\r\n');
}

function protocolError(message: string): ConnectionFailure {
  return new ConnectionFailure(`malformed HTTP reply: ${message}`, 'HPE_INVALID_REPLY');
}

function overflow(capacity: number, status: number): ApiError {
  return new ApiError(`the server sent more than the ${capacity} bytes asked for`, status);
}

function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
}

/**
 * A lean HTTP/1.1 client for the datastore reader: a keep-alive pool of TLS (or TCP) connections,
 * one request at a time on each, whose reply bodies the socket reads straight into the caller's
 * buffer (`onread` with a buffer per read). `node:https` allocates a `Buffer` and runs a parser
 * callback, a stream push and a `data` event for every 16 KiB TLS record; on a 2-core machine that
 * held a ranged reader to half of curl's rate, at three times the CPU per byte (ADR 0008).
 *
 * Only what HEAD and ranged GET need: no request bodies, redirects, proxies or pipelining. Replies
 * may be Content-Length, chunked or close-delimited; up to 10 interim (1xx) replies are skipped.
 * Parsing is strict (RFC 9112): a header name with whitespace, a folded header line or a chunk size
 * that is not hex is a {@link HttpProtocolError}.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ApiError, MtvError } from '../api/errors.js';
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
   * fill exactly (a Content-Length of another size, a longer body or a chunked body that ends short
   * fails with {@link ReplyLengthError}; a body cut by the connection with
   * {@link IncompleteReplyError}), or undefined to keep only its first 4 KiB (the connection is then
   * dropped when more remained).
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
 * A complete reply whose body is not the length of its `bodyInto` buffer (a `Content-Length` that
 * differs, a longer body, a chunked body that ends short): the server answered something other than
 * what was asked, so a retry would get the same. `status` is the reply's.
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-content-range
 */
export class ReplyLengthError extends ApiError {}

/**
 * The connection failed (refused, reset, closed early, TLS verification); `code` is Node's or
 * OpenSSL's (e.g. `ECONNRESET`, `DEPTH_ZERO_SELF_SIGNED_CERT`) and `cause` the original error.
 * @see https://nodejs.org/api/errors.html#common-system-errors
 */
export class HttpConnectionError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause?: unknown) {
    super(message, { cause });
    this.code = code;
  }
}

/**
 * The server's bytes are not an HTTP/1.x reply (bad status line, header line, length or chunk);
 * the message quotes at most 40 characters of them.
 * @see https://www.rfc-editor.org/rfc/rfc9112
 */
export class HttpProtocolError extends Error {
  constructor(message: string) {
    super(`malformed HTTP reply: ${message}`);
  }
}

/** The request was cut short by {@link HttpClient.close}; not worth a retry. */
export class ClientClosedError extends MtvError {
  constructor(origin: URL) {
    super(`the HTTP client for ${origin.host} was closed while the request waited or ran`);
  }
}

/** Bytes of an unwanted body kept for an error message. */
const snippetBytes = 4096;
/** Largest reply head accepted. */
const maxHeadBytes = 64 * 1024;
/** Bytes a connection reads at a time when not reading into a caller's buffer. */
const scratchBytes = 64 * 1024;
/** Interim (1xx) replies accepted before the final one. */
const maxInterimReplies = 10;
/** Characters of the server's bytes quoted in an error message. */
const quotedChars = 40;

/** A request waiting for a connection. */
interface Waiter {
  take: (c: Connection) => void;
  fail: (e: Error) => void;
}

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
  /** Every connection that holds one of the `maxSockets` slots: idle, handed over or in use. */
  readonly #open = new Set<Connection>();
  readonly #waiters: Waiter[] = [];
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
   * {@link IncompleteReplyError}; {@link ReplyLengthError}; {@link HttpProtocolError};
   * {@link ClientClosedError}; {@link HttpConnectionError} for everything else on the connection.
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

  /**
   * Closes idle and active connections; requests waiting for a connection or running on one fail
   * with {@link ClientClosedError}. Later requests open new connections.
   */
  close(): void {
    const closed = new ClientClosedError(this.#options.origin);
    for (const w of this.#waiters.splice(0)) w.fail(closed);
    for (const c of [...this.#open]) c.close(closed);
    this.#open.clear();
    this.#idle.length = 0;
  }

  async #acquire(signal: AbortSignal | undefined): Promise<Connection> {
    signal?.throwIfAborted();
    for (let c = this.#idle.pop(); c; c = this.#idle.pop()) {
      if (c.usable) return c;
      this.#forget(c);
    }
    if (this.#open.size < this.#options.maxSockets) return this.#connect();
    const handed = await new Promise<Connection>((resolve, reject) => {
      const unwatch = watchAbort(signal, () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal?.reason as Error);
      });
      const waiter: Waiter = {
        take: (c) => {
          unwatch();
          resolve(c);
        },
        fail: (e) => {
          unwatch();
          reject(e);
        },
      };
      this.#waiters.push(waiter);
    });
    if (handed.usable) return handed;
    this.#forget(handed);
    if (handed.closedBy) throw handed.closedBy;
    return this.#acquire(signal); // it closed before this request could use it: start over
  }

  #release(conn: Connection, reusable: boolean): void {
    if (reusable && conn.usable) {
      const waiter = this.#waiters.shift();
      if (waiter) waiter.take(conn);
      else {
        conn.park();
        this.#idle.push(conn);
      }
      return;
    }
    this.#forget(conn);
    this.#wake();
  }

  /**
   * Gives each free slot to the next waiting request as a new connection, counted at once: a
   * request made before the waiter resumes cannot take the same slot.
   */
  #wake(): void {
    while (this.#open.size < this.#options.maxSockets) {
      const waiter = this.#waiters.shift();
      if (!waiter) return;
      try {
        waiter.take(this.#connect());
      } catch (e: unknown) {
        waiter.fail(asError(e));
      }
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
    conn.onIdleClose = () => {
      this.#forget(conn);
      this.#wake();
    };
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
  /** Interim (1xx) replies skipped so far. */
  interim: number;
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
  #closedBy: Error | undefined;
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

  /** The error of {@link Connection.close}, when the client closed this connection. */
  get closedBy(): Error | undefined {
    return this.#closedBy;
  }

  /** Sends the request and reads its reply. */
  exchange(req: HttpRequest, head: string): Promise<{ reply: HttpReply; reusable: boolean }> {
    if (req.signal?.aborted) return Promise.reject(req.signal.reason as Error);
    if (!this.usable) {
      if (this.#closedBy) return Promise.reject(this.#closedBy);
      const code = errorCode(this.#failure) ?? 'ECONNRESET';
      return Promise.reject(new HttpConnectionError('socket hang up', code, this.#failure));
    }
    this.#socket.ref();
    this.#socket.setTimeout(this.#timeoutMs);
    return new Promise((resolve, reject) => {
      const signal = req.signal;
      const unwatch = watchAbort(signal, () => this.#fail(signal?.reason as Error));
      const done = (): void => {
        unwatch();
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
        interim: 0,
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

  /** Closes the connection for good: the request on it, and any later one, fails with `reason`. */
  close(reason: Error): void {
    this.#closedBy ??= reason;
    this.#fail(reason);
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
    try {
      if (buf === this.#scratch) this.#consume(x, this.#scratch.subarray(0, n));
      else this.#readInPlace(x, n); // see #nextBuffer
    } catch (e: unknown) {
      this.#fail(asError(e));
    }
  }

  /** Counts body bytes the socket read straight into the caller's buffer. */
  #readInPlace(x: Exchange, n: number): void {
    this.#stored(x, n);
    x.left -= n;
    if (x.left === 0) this.#finish(x, true);
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
      if (x.head.length >= maxHeadBytes) throw new HttpProtocolError('the reply head exceeds 64 KiB');
      return data.subarray(data.length);
    }
    const rest = data.subarray(end + 4 - before);
    const head = x.head.slice(0, end);
    x.head = '';
    parseHead(x, head);
    if (x.status >= 100 && x.status < 200) {
      // an interim reply; the real one follows
      if (++x.interim > maxInterimReplies) {
        throw new HttpProtocolError(`more than ${maxInterimReplies} interim (1xx) replies`);
      }
      return rest;
    }
    this.#startBody(x);
    return rest;
  }

  #startBody(x: Exchange): void {
    x.framing = framingOf(x);
    if (x.framing === Framing.Close) x.keepAlive = false;
    const into = x.framing === Framing.None ? undefined : x.req.bodyInto?.(x.status, x.headers);
    x.exact = into !== undefined;
    x.into = into ?? Buffer.allocUnsafe(snippetBytes);
    if (into && x.framing === Framing.Length && x.left !== into.length) {
      throw lengthMismatch(x, `has Content-Length ${x.left}`, into.length);
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
      if (x.line.length > 4096) throw new HttpProtocolError('a chunk line exceeds 4 KiB');
      if (nl < 0) break;
      const line = x.line.replace(/\r$/, '');
      x.line = '';
      this.#chunkLine(x, line);
    }
    return data.subarray(at);
  }

  /** A chunk-size line, the CRLF after a chunk's data, or a trailer line. */
  #chunkLine(x: Exchange, line: string): void {
    if (x.chunkState === 'crlf') {
      if (line !== '') throw new HttpProtocolError(`${quoted(line)} instead of the CRLF after a chunk`);
      x.chunkState = 'size';
    } else if (x.chunkState === 'size') {
      x.left = chunkSize(line);
      x.chunkState = x.left === 0 ? 'trailer' : 'data';
    } else if (line === '') {
      this.#finish(x, true); // the empty line after the trailers
    }
  }

  /** Copies body bytes into the destination; a snippet keeps its first 4 KiB, then the reply ends. */
  #store(x: Exchange, piece: Buffer): void {
    const into = x.into;
    if (!into) return;
    const fits = x.stored + piece.length <= into.length;
    if (x.exact && !fits) throw lengthMismatch(x, 'sent more', into.length);
    // the only copy of body bytes (the tests count Buffer#copy calls to prove in-place reads)
    const n = piece.copy(into, x.stored);
    this.#stored(x, n);
    if (!fits) this.#finish(x, false); // enough of an unwanted body: drop the rest with the connection
  }

  #stored(x: Exchange, n: number): void {
    x.stored += n;
    if (x.exact) x.req.onBodyBytes?.(n);
  }

  /** The reply is complete (or enough of it is there): resolve; reuse the connection when `clean`. */
  #finish(x: Exchange, clean: boolean): void {
    if (this.#x !== x) return; // already settled
    const into = x.into;
    if (x.exact && into && x.stored !== into.length) {
      this.#fail(
        x.framing === Framing.Chunked
          ? lengthMismatch(x, `ended after ${x.stored} bytes`, into.length)
          : new IncompleteReplyError(`the reply ended after ${x.stored} of ${into.length} bytes`),
      );
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
      this.#fail(new HttpConnectionError(cause?.message ?? 'socket hang up', code, cause));
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

/** A header field name (RFC 9110 `token`): no whitespace, no colon. */
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Reads the status line and header fields into `x`. @throws {@link HttpProtocolError} */
function parseHead(x: Exchange, head: string): void {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!m) throw new HttpProtocolError(`not an HTTP/1.x reply: ${quoted(lines[0] ?? '')}`);
  x.status = Number(m[2]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line)) throw new HttpProtocolError(`a folded header line (obs-fold): ${quoted(line)}`);
    const colon = line.indexOf(':');
    const name = line.slice(0, Math.max(colon, 0));
    if (!tokenPattern.test(name) || /[\r\n\0]/.test(line)) {
      throw new HttpProtocolError(`bad header line ${quoted(line)}`);
    }
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  x.headers = headers;
  const connection = (headers.connection ?? '').toLowerCase();
  x.keepAlive = m[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
}

/** How the reply's body is delimited; sets `x.left` for a Content-Length. @throws {@link HttpProtocolError} */
function framingOf(x: Exchange): Framing {
  const h = x.headers;
  if (x.req.method === 'HEAD' || x.status === 204 || x.status === 304) return Framing.None;
  if (h['transfer-encoding'] !== undefined) {
    return /(?:^|,)\s*chunked\s*$/i.test(h['transfer-encoding']) ? Framing.Chunked : Framing.Close;
  }
  const length = h['content-length'];
  if (length === undefined) return Framing.Close;
  if (!/^\d+$/.test(length) || !Number.isSafeInteger(Number(length))) {
    throw new HttpProtocolError(`bad Content-Length ${quoted(length)}`);
  }
  x.left = Number(length);
  return Framing.Length;
}

/**
 * The size of a chunk from its line: hex digits, then optional extensions after `;`.
 * @throws {@link HttpProtocolError}
 * @see https://www.rfc-editor.org/rfc/rfc9112#name-chunked-transfer-coding
 */
function chunkSize(line: string): number {
  const m = /^([0-9A-Fa-f]+)(?:[ \t]*;.*)?$/.exec(line);
  const size = m ? Number.parseInt(m[1] ?? '', 16) : Number.NaN;
  if (!Number.isSafeInteger(size)) throw new HttpProtocolError(`bad chunk size line ${quoted(line)}`);
  return size;
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

/** A reply whose body does not fit the `bodyInto` buffer, naming its length headers. */
function lengthMismatch(x: Exchange, what: string, expected: number): ReplyLengthError {
  const range = x.headers['content-range'];
  const about = range === undefined ? 'no Content-Range' : `Content-Range ${quoted(range)}`;
  return new ReplyLengthError(
    `the reply (HTTP ${x.status}, ${about}) ${what}, but ${expected} bytes were asked for`,
    x.status,
  );
}

/** Server bytes for an error message: quoted, control characters escaped, at most 40 characters. */
function quoted(s: string): string {
  return JSON.stringify(s.length > quotedChars ? `${s.slice(0, quotedChars)}…` : s);
}

/** Abort callbacks by signal, behind one listener per signal. */
const abortWatchers = new WeakMap<AbortSignal, { callbacks: Set<() => void>; listener: () => void }>();

/**
 * Calls `onAbort` when `signal` aborts, until the returned function is called. However many
 * requests watch one signal, it carries one listener (eleven would make Node warn of a leak).
 */
function watchAbort(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!signal) return () => undefined;
  let watcher = abortWatchers.get(signal);
  if (!watcher) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      abortWatchers.delete(signal);
      for (const f of [...callbacks]) f();
    };
    watcher = { callbacks, listener };
    abortWatchers.set(signal, watcher);
    signal.addEventListener('abort', listener, { once: true });
  }
  const w = watcher;
  const entry = (): void => onAbort(); // its own entry, even for a function already watching
  w.callbacks.add(entry);
  return () => {
    w.callbacks.delete(entry);
    if (w.callbacks.size > 0 || abortWatchers.get(signal) !== w) return;
    abortWatchers.delete(signal);
    signal.removeEventListener('abort', w.listener);
  };
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
}

/**
 * Ranged reads of datastore files over vCenter's (or ESXi's) datastore HTTP interface
 * (`/folder/<path>?dcPath=…&dsName=…`): HEAD for the size, `GET` with `Range: bytes=a-b`, TLS against
 * the provider's CA, the vSphere session cookie and/or basic auth, retries with backoff on
 * transient failures, abort signals.
 */
import { ApiError, NotFoundError } from '../api/errors.js';
import {
  probeCertificate,
  VSphereProtocolError,
  VSphereTimeoutError,
  VSphereTlsError,
  VSphereUnreachableError,
} from '../providers/vsphere/index.js';
import {
  datastoreFileUrl,
  formatDatastorePath,
  parseDatastorePath,
  parseProviderUrl,
  type DatastorePath,
} from './datastore-path.js';
import {
  HttpClient,
  HttpConnectionError,
  HttpProtocolError,
  IncompleteReplyError,
  ReplyLengthError,
  type HttpHeaders,
  type HttpReply,
} from './http-client.js';
import { withRetry, type RetryPolicy } from './retry.js';

/**
 * Where a provider's datastores are and how to authenticate; see {@link DatastoreReader}.
 * @see https://github.com/vmware/govmomi/blob/main/object/datastore.go (the `/folder` URL layout)
 */
export interface DatastoreAccess {
  /** The provider URL, e.g. `https://vcenter.example.com/sdk`; only its origin is used. */
  url: string | URL;
  /** Inventory path of the datacenter that holds the datastores, e.g. `DC0` or `Folder1/DC0`. */
  datacenterPath: string;
  /** CA certificate(s), PEM, that the server certificate must chain to; default: Node's system roots. */
  caCert?: string;
  /** Skip certificate verification. @default false */
  insecureSkipVerify?: boolean;
  /**
   * The vSphere session cookie, `vmware_soap_session="…"` (a bare value gets the name prepended),
   * or a function returning the current one (e.g. after a re-login). Sent as `Cookie` when set.
   */
  sessionCookie?: string | (() => string | undefined);
  /** User for HTTP basic auth (sent as `Authorization: Basic …` when set, with {@link DatastoreAccess.password}). */
  username?: string;
  /** Password for basic auth; never logged or put into an error. */
  password?: string;
  /** Milliseconds a request may stay without any data (connect, headers or body) before it fails. @default 60000 */
  timeoutMs?: number;
  /**
   * Retries of transient failures (connection reset/refused, idle timeout, a body cut by the
   * connection, HTTP 408/429/5xx); a complete reply of the wrong length, a malformed reply or a
   * closed reader is not retried.
   */
  retry?: Partial<RetryPolicy>;
  /** Connections kept to the server at most. @default 8 */
  maxSockets?: number;
  /** `User-Agent` header. @default "mtv" */
  userAgent?: string;
  /** Called before each retry (`delayMs` in milliseconds), e.g. to log. */
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
}

/**
 * What a HEAD request learned about a datastore file.
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-range-requests
 */
export interface DatastoreFileInfo {
  /** The file, `[ds] dir/file`. */
  path: DatastorePath;
  /** Its URL (without credentials). */
  url: URL;
  /** Size in bytes (`Content-Length`). */
  size: number;
  /** `Last-Modified`, as sent, when sent. */
  lastModified: string | undefined;
  /** `ETag`, as sent, when sent. */
  etag: string | undefined;
}

/**
 * Per-call options.
 * @see https://nodejs.org/api/globals.html#class-abortsignal
 */
export interface ReadOptions {
  /** Aborts the request (and any retry wait); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Where to put the bytes of {@link DatastoreReader.read} (its first `length` bytes; e.g. a pooled
   * buffer); default: a new buffer over its own `SharedArrayBuffer`.
   */
  into?: Buffer;
}

/** HTTP statuses retried: timeouts, throttling and server-side failures. */
const transientStatuses = new Set([408, 429, 500, 502, 503, 504]);
/** Node error codes retried. */
const transientCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
/** Node/OpenSSL codes meaning the certificate did not verify. */
const tlsCodes =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|CERT_|INVALID_CA|INVALID_PURPOSE|HOSTNAME_MISMATCH)/;

/**
 * Reads files of one datacenter's datastores over HTTP(S), with one keep-alive connection pool
 * (see http-client.ts: bodies are read straight into the caller's buffer).
 *
 * vcsim does not check credentials on `/folder`; a real vCenter does (the session cookie of a
 * logged-in `VSphereClient`, or basic auth), so pass them anyway.
 *
 * @see https://github.com/vmware/govmomi/blob/main/object/datastore.go (the `/folder` URL layout)
 */
export class DatastoreReader {
  /** Inventory path of the datacenter. */
  readonly datacenterPath: string;
  readonly #access: DatastoreAccess;
  readonly #client: HttpClient;
  readonly #https: boolean;
  readonly #timeoutMs: number;
  #bytesFetched = 0;

  /** @throws {@link UsageError} for a URL that is not http(s). */
  constructor(access: DatastoreAccess) {
    this.#access = access;
    this.datacenterPath = access.datacenterPath;
    this.#https = parseProviderUrl(access.url).protocol === 'https:';
    this.#timeoutMs = access.timeoutMs ?? 60_000;
    this.#client = new HttpClient({
      origin: parseProviderUrl(access.url),
      ca: access.caCert,
      rejectUnauthorized: access.insecureSkipVerify !== true,
      maxSockets: access.maxSockets ?? 8,
      timeoutMs: this.#timeoutMs,
    });
  }

  /** Body bytes received by successful GETs so far (all files, all retries): what went over the wire. */
  get bytesFetched(): number {
    return this.#bytesFetched;
  }

  /** The URL of a file, e.g. `https://HOST/folder/vm/vm.vmdk?dcPath=DC0&dsName=LocalDS_0`. */
  fileUrl(file: string | DatastorePath): URL {
    const p = typeof file === 'string' ? parseDatastorePath(file) : file;
    return datastoreFileUrl(this.#access.url, this.datacenterPath, p.datastore, p.path);
  }

  /**
   * Size and version of a file (HEAD).
   *
   * @param file `[ds] dir/file` or its parsed form.
   * @throws {@link NotFoundError} naming the datastore path; {@link ApiError} for other HTTP failures
   * (status 401/403 for credentials); {@link VSphereTlsError}; {@link VSphereUnreachableError};
   * {@link VSphereTimeoutError}; {@link VSphereProtocolError} for a malformed reply;
   * `ClientClosedError` (http-client.ts) after {@link DatastoreReader.close}; the signal's reason when aborted.
   */
  async stat(file: string | DatastorePath, options: ReadOptions = {}): Promise<DatastoreFileInfo> {
    const path = typeof file === 'string' ? parseDatastorePath(file) : file;
    const url = this.fileUrl(path);
    const what = `HEAD ${formatDatastorePath(path)}`;
    const reply = await this.#withRetry(() => this.#exchange(what, url, undefined, options.signal), options);
    if (reply.status !== 200) throw this.#statusError('HEAD', path, reply);
    const size = Number(reply.headers['content-length']);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new ApiError(`HEAD ${formatDatastorePath(path)}: the reply has no usable Content-Length`, 200);
    }
    return { path, url, size, lastModified: reply.headers['last-modified'], etag: reply.headers.etag };
  }

  /**
   * Reads `length` bytes at `offset` (one `GET` with `Range: bytes=offset-(offset+length-1)`),
   * retrying transient failures.
   *
   * @param offset bytes from the start of the file.
   * @param length bytes, > 0; the range must lie inside the file.
   * @returns exactly `length` bytes: `into` (its first `length` bytes) when given, else a new
   * buffer over its own `SharedArrayBuffer`.
   * @throws like {@link DatastoreReader.stat}; {@link ApiError} when the server ignores or misreports
   * the range, or answers it with a body of another length (naming Content-Length/Content-Range).
   */
  async read(
    file: string | DatastorePath,
    offset: number,
    length: number,
    options: ReadOptions = {},
  ): Promise<Buffer> {
    const path = typeof file === 'string' ? parseDatastorePath(file) : file;
    const url = this.fileUrl(path);
    if (options.into && options.into.length < length) {
      throw new RangeError(`read: "into" has ${options.into.length} bytes, ${length} are needed`);
    }
    const what = `GET ${formatDatastorePath(path)} bytes ${offset}-${offset + length - 1}`;
    return this.#withRetry(async () => {
      const reply = await this.#exchange(what, url, { offset, length }, options.signal, options.into);
      const body = checkRange(path, reply, offset, length);
      if (body) return body;
      throw this.#statusError('GET', path, reply);
    }, options);
  }

  /**
   * Closes idle and active connections; calls waiting for a connection or running fail with
   * `ClientClosedError` (http-client.ts; not retried). Later calls open new ones.
   */
  close(): void {
    this.#client.close();
  }

  async #withRetry<T>(fn: () => Promise<T>, options: ReadOptions): Promise<T> {
    try {
      return await withRetry(fn, {
        policy: this.#access.retry,
        signal: options.signal,
        onRetry: this.#access.onRetry,
        isTransient: (e) =>
          e instanceof IncompleteReplyError ||
          e instanceof VSphereTimeoutError ||
          (e instanceof VSphereUnreachableError && e.code !== undefined && transientCodes.has(e.code)) ||
          (e instanceof TransientStatus && transientStatuses.has(e.status)),
      });
    } catch (e: unknown) {
      throw e instanceof TransientStatus ? e.final : e;
    }
  }

  #headers(range: { offset: number; length: number } | undefined): Record<string, string> {
    const h: Record<string, string> = { 'User-Agent': this.#access.userAgent ?? 'mtv', Accept: '*/*' };
    if (range) h.Range = `bytes=${range.offset}-${range.offset + range.length - 1}`;
    const cookie = this.#cookie();
    if (cookie) h.Cookie = cookie;
    const { username, password } = this.#access;
    if (username !== undefined) {
      h.Authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
    }
    return h;
  }

  #cookie(): string | undefined {
    const c = this.#access.sessionCookie;
    const value = typeof c === 'function' ? c() : c;
    if (!value) return undefined;
    return value.includes('=') ? value : `vmware_soap_session=${value}`;
  }

  /**
   * One request; resolves with the reply, rejects with a typed error (never a raw socket error).
   * The body of a ranged GET that honours the range goes into one buffer of the expected size;
   * of anything else only the first 4 KiB are kept.
   * @param what the request for error messages: `GET [ds] path bytes a-b` or `HEAD [ds] path`.
   */
  async #exchange(
    what: string,
    url: URL,
    range: { offset: number; length: number } | undefined,
    signal: AbortSignal | undefined,
    into?: Buffer,
  ): Promise<HttpReply> {
    signal?.throwIfAborted();
    const method = range ? 'GET' : 'HEAD';
    const expected = range?.length;
    try {
      return await this.#client.request({
        method,
        url,
        headers: this.#headers(range),
        signal,
        bodyInto: (status, headers) =>
          expected !== undefined && isRangeBody(status, headers, expected)
            ? bodyBuffer(expected, into)
            : undefined,
        onBodyBytes: (n) => {
          this.#bytesFetched += n;
        },
      });
    } catch (e: unknown) {
      if (e instanceof HttpConnectionError) throw await this.#describeFailure(url, e);
      if (e instanceof HttpProtocolError) {
        throw new VSphereProtocolError(`${what}: ${e.message} (vSphere at ${this.#address(url)})`, {
          cause: e,
        });
      }
      if (e instanceof ReplyLengthError) throw new ApiError(`${what}: ${e.message}`, e.status, { cause: e });
      throw e;
    }
  }

  /** `host:port` as dialled. */
  #address(url: URL): string {
    return `${url.hostname}:${url.port || (this.#https ? '443' : '80')}`;
  }

  /** Turns a socket failure into {@link VSphereTlsError} (with the fingerprint) or {@link VSphereUnreachableError}. */
  async #describeFailure(url: URL, e: unknown): Promise<Error> {
    const code = errorCode(e);
    const address = this.#address(url);
    if (code === undefined || !tlsCodes.test(code))
      return new VSphereUnreachableError(address, code, { cause: e });
    let fingerprint: string | undefined;
    try {
      fingerprint = (await probeCertificate(url, { caCert: this.#access.caCert, timeoutMs: 10_000 }))
        .fingerprint;
    } catch {
      // the error still names the cause, without a fingerprint
    }
    const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? code;
    return new VSphereTlsError(address, code, reason, fingerprint, { cause: e });
  }

  /** The error for a reply that is not what was asked for; transient statuses are wrapped for a retry. */
  #statusError(method: string, path: DatastorePath, reply: HttpReply): Error {
    const where = formatDatastorePath(path);
    if (reply.status === 404) {
      return new NotFoundError('datastore file', where, undefined, {
        hint: `check the disk's backing fileName, and that datastore "${path.datastore}" is in datacenter "${this.datacenterPath}"`,
      });
    }
    const snippet = this.#snippet(reply.body);
    const message = `${method} ${where}: HTTP ${reply.status}${snippet ? `: ${snippet}` : ''}`;
    if (reply.status === 401 || reply.status === 403) {
      return new ApiError(message, reply.status, {
        hint: 'the vSphere session expired or the user lacks the "Datastore > Browse datastore" privilege; log in again or check the provider Secret',
      });
    }
    const final = new ApiError(message, reply.status);
    return transientStatuses.has(reply.status) ? new TransientStatus(final) : final;
  }

  /** First 200 characters of an error body, tags removed, the session cookie redacted. */
  #snippet(body: Buffer): string {
    let s = body
      .toString('utf8')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    const cookie = this.#cookie();
    const value = cookie?.slice(cookie.indexOf('=') + 1);
    if (value) s = s.split(value).join('<redacted>');
    return s.slice(0, 200);
  }
}

/** Wraps a retryable HTTP status; {@link TransientStatus.final} is thrown when retries run out. */
class TransientStatus extends Error {
  readonly status: number;
  readonly final: ApiError;
  constructor(final: ApiError) {
    super(final.message);
    this.status = final.status;
    this.final = final;
  }
}

/**
 * The body of a ranged GET when the server honoured the range (206 with the right `Content-Range`,
 * or 200 for a request of the whole file); undefined for an error status.
 * @throws {@link ApiError} when the server answered 2xx with something other than the range asked for.
 */
function checkRange(
  path: DatastorePath,
  reply: HttpReply,
  offset: number,
  length: number,
): Buffer | undefined {
  const where = `GET ${formatDatastorePath(path)} bytes ${offset}-${offset + length - 1}`;
  if (reply.status === 206) {
    const m = /^bytes (\d+)-(\d+)\//.exec(reply.headers['content-range'] ?? '');
    if (m && Number(m[1]) === offset && Number(m[2]) === offset + length - 1) return reply.body;
    throw new ApiError(
      `${where}: the server answered Content-Range "${reply.headers['content-range'] ?? ''}"`,
      206,
    );
  }
  if (reply.status === 200) {
    if (offset === 0 && Number(reply.headers['content-length']) === length) return reply.body;
    throw new ApiError(`${where}: the server ignored the Range header (HTTP 200)`, 200, {
      hint: 'the datastore HTTP interface must support ranged reads; check for a proxy in between',
    });
  }
  return undefined;
}

/**
 * The buffer a range body goes into: the caller's, or a new one over shared memory, which the copy
 * loop's hash worker reads in place (see hash-worker.ts).
 */
function bodyBuffer(length: number, into: Buffer | undefined): Buffer {
  return into ? into.subarray(0, length) : Buffer.from(new SharedArrayBuffer(length));
}

/** True for a 206, or a 200 whose body is exactly the length asked for (a whole-file range). */
function isRangeBody(status: number, headers: HttpHeaders, expected: number): boolean {
  if (status === 206) return true;
  return status === 200 && Number(headers['content-length']) === expected;
}

function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
}

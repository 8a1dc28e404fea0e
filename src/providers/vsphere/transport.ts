/**
 * vim25 SOAP over HTTPS: one keep-alive connection pool per endpoint, the `vmware_soap_session`
 * cookie, per-request timeouts, abort signals, TLS verification against a given CA, and the
 * server certificate's fingerprint.
 */
import http from 'node:http';
import https from 'node:https';
import { probeCertificate, socketFingerprint } from './certificate.js';
import {
  connectionError,
  errorCode,
  isCertificateVerifyCode,
  sdkEndpoint,
  type SdkEndpoint,
} from './endpoint.js';
import {
  faultError,
  VSphereError,
  VSphereHttpError,
  VSphereProtocolError,
  VSphereTimeoutError,
} from './errors.js';
import { decodeResponse, encodeRequest, type SoapResult, type WireObject } from './soap-codec.js';
import type { MoRef, VimValue } from './values.js';

/** The vim25 version sent before the server's own is known: vSphere 6.5, the oldest Forklift supports. */
export const bootstrapApiVersion = '6.5';

/** Options of {@link SoapTransport}. */
export interface SoapTransportOptions {
  /** SDK URL, e.g. `https://vcenter.example.com/sdk` (a URL without a path gets `/sdk`). */
  url: string | URL;
  /** CA certificate(s), PEM, that the server certificate must chain to; default: Node's system roots. */
  caCert?: string;
  /** Skip certificate verification (the fingerprint is still recorded). @default false */
  insecureSkipVerify?: boolean;
  /** Milliseconds a request may take, from sending to the last byte of the reply; 0 = no limit. @default 60000 */
  timeoutMs?: number;
  /** `User-Agent` header. @default "mtv" */
  userAgent?: string;
}

/** Per-call options. */
export interface InvokeOptions {
  /** Aborts the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the transport's timeout for this call (milliseconds, 0 = none). */
  timeoutMs?: number;
}

/** Largest reply accepted: 512 MiB (about Node's string limit). */
const maxReplyBytes = 512 * 1024 * 1024;

interface HttpReply {
  status: number;
  text: string;
}

/**
 * Sends vim25 method calls and decodes their replies.
 *
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/
 */
export class SoapTransport {
  /** Where requests go. */
  readonly endpoint: SdkEndpoint;
  /** vim25 version in `SOAPAction: urn:vim25/<apiVersion>`; set it from `about.apiVersion` after RetrieveServiceContent. */
  apiVersion: string = bootstrapApiVersion;
  readonly #agent: http.Agent;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #caCert: string | undefined;
  readonly #seenSockets = new WeakSet<object>();
  #cookie: string | undefined;
  #fingerprint: string | undefined;

  /** @throws {@link UsageError} for a URL that is not http(s). */
  constructor(options: SoapTransportOptions) {
    this.endpoint = sdkEndpoint(options.url);
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#userAgent = options.userAgent ?? 'mtv';
    this.#caCert = options.caCert;
    this.#agent = this.endpoint.https
      ? new https.Agent({
          keepAlive: true,
          ca: options.caCert,
          rejectUnauthorized: options.insecureSkipVerify !== true,
          servername: this.endpoint.servername,
        })
      : new http.Agent({ keepAlive: true });
  }

  /** SHA-1 fingerprint of the server certificate (`AA:BB:…`), known after the first reply over https. */
  get fingerprint(): string | undefined {
    return this.#fingerprint;
  }

  /** True while a session cookie is held. */
  get hasSession(): boolean {
    return this.#cookie !== undefined;
  }

  /**
   * The session cookie (`vmware_soap_session=…`), for other HTTP calls of the same session such as
   * the datastore `/folder` interface. A credential: never log it or put it in an error.
   */
  get sessionCookie(): string | undefined {
    return this.#cookie;
  }

  /** Forgets the session cookie (after Logout). */
  clearSession(): void {
    this.#cookie = undefined;
  }

  /**
   * Calls one vim25 method.
   *
   * @param method e.g. `RetrievePropertiesEx`.
   * @param thisRef the managed object called (`_this`).
   * @param params the parameters in WSDL order (see `WireValue` in soap-codec.ts).
   * @returns the decoded `returnval`, or undefined for void methods.
   * @throws {@link VSphereFault} (or a subclass) for a SOAP fault; {@link VSphereTlsError},
   * {@link VSphereUnreachableError}, {@link VSphereTimeoutError}, {@link VSphereHttpError},
   * {@link VSphereProtocolError}; the signal's reason when aborted.
   */
  async invoke(
    method: string,
    thisRef: MoRef,
    params?: WireObject,
    options: InvokeOptions = {},
  ): Promise<VimValue | undefined> {
    const reply = await this.#post(method, encodeRequest(method, thisRef, params), options);
    let result: SoapResult;
    try {
      result = decodeResponse(reply.text);
    } catch (e: unknown) {
      if (reply.status !== 200) throw new VSphereHttpError(method, reply.status, this.#snippet(reply.text));
      throw e;
    }
    if (result.kind === 'fault') throw faultError(result.fault, method);
    if (reply.status !== 200) throw new VSphereHttpError(method, reply.status, this.#snippet(reply.text));
    return result.value;
  }

  /** Closes idle and active connections. The transport can still send (it opens new ones). */
  close(): void {
    this.#agent.destroy();
  }

  #post(method: string, body: string, options: InvokeOptions): Promise<HttpReply> {
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    signal?.throwIfAborted();
    return new Promise<HttpReply>((resolve, reject) => {
      let settled = false;
      let ownReason: Error | undefined; // why we destroyed the request ourselves: timeout, abort, oversize
      const req = (this.endpoint.https ? https : http).request(this.endpoint.url, {
        method: 'POST',
        agent: this.#agent,
        headers: this.#headers(body),
      });
      const destroy = (reason: Error): void => {
        ownReason ??= reason;
        req.destroy(reason);
      };
      const timeout = new VSphereTimeoutError(this.endpoint.address, timeoutMs, `${method}: no reply`);
      const timer = timeoutMs > 0 ? setTimeout(() => destroy(timeout), timeoutMs) : undefined;
      const onAbort = (): void => destroy(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const fail = (e: unknown): void => {
        if (settled) return;
        const own = ownReason;
        if (own) settle(() => reject(own));
        else void this.#describeFailure(e).then((err) => settle(() => reject(err)));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        this.#observe(res);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxReplyBytes)
            destroy(new VSphereProtocolError(`${method}: reply larger than ${maxReplyBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(new VSphereError(`${method}: the connection closed during the reply`));
        });
        res.on('end', () =>
          settle(() =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          ),
        );
      });
      req.end(body);
    });
  }

  #headers(body: string): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'text/xml; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      SOAPAction: `urn:vim25/${this.apiVersion}`,
      'User-Agent': this.#userAgent,
    };
    if (this.#cookie !== undefined) headers.Cookie = this.#cookie;
    return headers;
  }

  /** Records the session cookie and, once per connection, the server certificate's fingerprint. */
  #observe(res: http.IncomingMessage): void {
    for (const c of res.headers['set-cookie'] ?? []) {
      const pair = c.split(';', 1)[0]?.trim();
      if (pair?.startsWith('vmware_soap_session=')) this.#cookie = pair;
    }
    if (!this.#seenSockets.has(res.socket)) {
      this.#seenSockets.add(res.socket);
      this.#fingerprint = socketFingerprint(res.socket) ?? this.#fingerprint;
    }
  }

  /** Turns a socket error into a typed one; for an untrusted certificate, fetches its fingerprint first. */
  async #describeFailure(e: unknown): Promise<Error> {
    if (e instanceof VSphereError) return e;
    let fingerprint: string | undefined;
    if (isCertificateVerifyCode(errorCode(e))) {
      try {
        fingerprint = (await probeCertificate(this.endpoint.url, { caCert: this.#caCert, timeoutMs: 10_000 }))
          .fingerprint;
        this.#fingerprint = fingerprint;
      } catch {
        // the error below still names the cause, without a fingerprint
      }
    }
    return connectionError(this.endpoint, e, fingerprint);
  }

  /** First 200 characters of a non-SOAP reply, tags removed, the session cookie redacted. */
  #snippet(text: string): string {
    let s = text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    const value = this.#cookie?.slice(this.#cookie.indexOf('=') + 1);
    if (value) s = s.split(value).join('<redacted>');
    return s.slice(0, 200);
  }
}

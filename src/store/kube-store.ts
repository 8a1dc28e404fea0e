/**
 * The Kubernetes backend of {@link ObjectStore}. `@kubernetes/client-node` loads the kubeconfig and
 * authenticates (bearer tokens, exec plugins, client certificates, CA bundles, proxies) and runs
 * watches; requests are plain REST calls so every kind, custom or core, comes back as plain JSON.
 *
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { Watch } from '@kubernetes/client-node';
import {
  AlreadyExistsError,
  ApiError,
  ConflictError,
  ExpiredError,
  NotFoundError,
  UsageError,
  type Problem,
} from '../api/index.js';
import {
  crdName,
  CrdVersionAnnotation,
  ForkliftGroup,
  ForkliftKinds,
  type ResourceType,
} from '../api/index.js';
import type { KubeObject } from '../api/index.js';
import { AsyncQueue } from './async-queue.js';
import { parseLabelSelector } from './label-selector.js';
import type {
  CrdInfo,
  DeleteOptions,
  ListOptions,
  MergePatch,
  ObjectList,
  ObjectStore,
  PatchOptions,
  StoreInfo,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './object-store.js';

/** Options of {@link KubeStore.fromKubeConfig}. */
export interface KubeStoreOptions {
  /** Receives one line per request when set (kubectl's `-v 6`): method, URL, status, duration. */
  log?: (line: string) => void;
  /** Per-request deadline in milliseconds, from sending to the full answer (not for watches). @default 30000 */
  timeoutMs?: number;
  /** Aborts every request in flight (Ctrl-C). */
  signal?: AbortSignal;
}

interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  /** Names the object in NotFound/AlreadyExists errors. */
  target?: { kind: string; name: string; namespace?: string };
}

/** A Kubernetes `Status` object, as the API server returns for failures. */
interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    kind?: string;
    causes?: { field?: string; message?: string; reason?: string }[];
  };
}

/** The API-server-backed object store. */
export class KubeStore implements ObjectStore {
  readonly mode = 'kube' as const;
  /** The API server URL. */
  readonly server: string;

  private readonly kc: KubeConfig;
  private readonly options: KubeStoreOptions;

  private constructor(kc: KubeConfig, options: KubeStoreOptions) {
    this.kc = kc;
    this.options = options;
    const cluster = kc.getCurrentCluster();
    if (!cluster)
      throw new UsageError({ field: '--context', message: 'the kubeconfig has no current cluster' });
    this.server = cluster.server.replace(/\/+$/, '');
  }

  /** Creates a store for a loaded kubeconfig (current context already selected). */
  static fromKubeConfig(kc: KubeConfig, options: KubeStoreOptions = {}): KubeStore {
    return new KubeStore(kc, options);
  }

  /** The namespace of the current context, if it sets one. */
  static contextNamespace(kc: KubeConfig): string | undefined {
    return kc.getContextObject(kc.getCurrentContext())?.namespace || undefined;
  }

  private collectionPath(type: ResourceType, namespace: string | undefined): string {
    const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
    return type.namespaced && namespace !== undefined
      ? `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`
      : `${base}/${type.plural}`;
  }

  private objectPath(type: ResourceType, namespace: string, name: string): string {
    if (!name) throw new UsageError({ field: 'metadata.name', message: `a ${type.kind} name is required` });
    return `${this.collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
  }

  /**
   * Sends one request to the API server and parses the JSON answer; maps failures to mtv's error
   * classes. The raw escape hatch for calls the ObjectStore interface does not cover (discovery,
   * TokenRequest, CRD installation).
   */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const { status, text } = await this.raw(method, path, opts);
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ApiError(
          `the server at ${this.server} answered ${method} ${path} with something that is not JSON`,
          status,
          {
            hint: 'is --kubeconfig pointing at a Kubernetes API server?',
          },
        );
      }
    }
    throw this.statusError(status, text, opts.target, path);
  }

  /**
   * The bearer token the kubeconfig user authenticates with (static, file or exec plugin), if
   * any; client-certificate users have none.
   */
  async bearerToken(): Promise<string | undefined> {
    const o: https.RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(o);
    const auth = (o.headers as Record<string, unknown> | undefined)?.Authorization;
    return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
  }

  /**
   * One authenticated exchange with the API server, without interpreting the answer: status,
   * headers and body text. Transport failures and the deadline throw ApiError.
   */
  async raw(
    method: string,
    path: string,
    opts: Omit<RequestOptions, 'target'> & { headers?: Record<string, string> } = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const reqOpts: https.RequestOptions = {
      method,
      headers: { Accept: 'application/json', ...opts.headers },
    };
    try {
      await this.kc.applyToHTTPSOptions(reqOpts);
    } catch (e: unknown) {
      const first = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
      throw new ApiError(`cannot authenticate to ${this.server}: ${first}`, 0, {
        hint: 'the kubeconfig user’s credentials (exec or auth-provider plugin, certificate files) failed; check them with: kubectl auth whoami',
        cause: e,
      });
    }
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (payload !== undefined) {
      const headers = (reqOpts.headers ?? {}) as http.OutgoingHttpHeaders;
      reqOpts.headers = { ...headers, 'Content-Type': opts.contentType ?? 'application/json' };
    }
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const deadline = AbortSignal.timeout(timeoutMs);
    reqOpts.signal = this.options.signal ? AbortSignal.any([deadline, this.options.signal]) : deadline;
    const started = Date.now();
    const log = (outcome: string): void =>
      this.options.log?.(`${method} ${url.toString()} ${outcome} in ${Date.now() - started} milliseconds`);
    let reply: { status: number; headers: http.IncomingHttpHeaders; text: string };
    try {
      reply = await new Promise((resolve, reject) => {
        const req = (url.protocol === 'http:' ? http : https).request(url, reqOpts, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      });
    } catch (e: unknown) {
      log('failed');
      throw deadline.aborted
        ? new ApiError(
            `the Kubernetes API server at ${this.server} did not answer within ${timeoutMs / 1000} s`,
            0,
            { hint: 'check that the cluster is healthy and reachable' },
          )
        : this.connectionError(e);
    }
    log(String(reply.status));
    return reply;
  }

  private connectionError(e: unknown): ApiError {
    const err = e as NodeJS.ErrnoException;
    const code = err.code ?? '';
    let hint = 'check that the cluster is running and that --kubeconfig/--context point at it';
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
      hint =
        "the server's certificate is not trusted: set certificate-authority(-data) for this cluster in the kubeconfig";
    }
    return new ApiError(`cannot reach the Kubernetes API server at ${this.server}: ${err.message}`, 0, {
      hint,
      cause: e,
    });
  }

  private statusError(status: number, text: string, target: RequestOptions['target'], path = ''): Error {
    let s: KubeStatus = {};
    try {
      s = JSON.parse(text) as KubeStatus;
    } catch {
      s = { message: text.trim() || `HTTP ${status}` };
    }
    const message = s.message ?? `HTTP ${status}`;
    if (status === 404) {
      const d = s.details;
      if (d?.kind === 'namespaces' && d.name) {
        return new NotFoundError('namespace', d.name, undefined, {
          hint: 'create it first, or choose another with -n',
        });
      }
      if (target && d?.name) return new NotFoundError(target.kind, target.name, target.namespace);
      if (path.includes(`/apis/${ForkliftGroup}/`)) {
        return new ApiError(
          `the API server does not serve ${ForkliftGroup} resources here: ${message}`,
          status,
          {
            hint: 'install mtv’s CRDs with: kubectl apply -f deploy/crds/',
          },
        );
      }
      if (target) return new NotFoundError(target.kind, target.name, target.namespace);
    }
    if (status === 409 && s.reason === 'AlreadyExists' && target) {
      return new AlreadyExistsError(target.kind, target.name, target.namespace);
    }
    if (status === 409) return new ConflictError(message);
    if (status === 410) return new ExpiredError(message);
    if (status === 422 || (status === 400 && s.reason === 'BadRequest' && s.details?.causes)) {
      const problems: Problem[] = (s.details?.causes ?? []).map((c) => ({
        field: c.field ?? '(object)',
        message: c.message ?? c.reason ?? 'is invalid',
      }));
      return new UsageError(problems.length ? problems : [{ field: '(object)', message }], {
        hint: 'the API server rejected the object',
      });
    }
    if (status === 401) {
      return new ApiError(`unauthorized: ${message}`, status, {
        hint: 'the kubeconfig credentials were refused; log in again or refresh the token',
      });
    }
    if (status === 403) {
      return new ApiError(`forbidden: ${message}`, status, {
        hint: 'ask for RBAC permission on this resource',
      });
    }
    return new ApiError(message, status);
  }

  /** {@inheritDoc ObjectStore.get} */
  get<T extends KubeObject>(type: ResourceType, namespace: string, name: string): Promise<T> {
    return this.request<T>('GET', this.objectPath(type, namespace, name), {
      target: { kind: type.kind, name, namespace },
    }).then((o) => withTypeMeta(type, o));
  }

  /** {@inheritDoc ObjectStore.list} */
  async list<T extends KubeObject>(type: ResourceType, options: ListOptions = {}): Promise<ObjectList<T>> {
    if (options.labelSelector) parseLabelSelector(options.labelSelector);
    const res = await this.request<{ items: T[]; metadata: { resourceVersion?: string } }>(
      'GET',
      this.collectionPath(type, options.namespace),
      { query: { labelSelector: options.labelSelector || undefined } },
    );
    const items = res.items.map((o) => withTypeMeta(type, o));
    // Byte order, as the local store's SQLite ORDER BY, so both modes list alike.
    const key = (o: KubeObject): string => `${o.metadata.namespace ?? ''}\u0000${o.metadata.name ?? ''}`;
    items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return { items, resourceVersion: res.metadata.resourceVersion ?? '' };
  }

  /** {@inheritDoc ObjectStore.create} */
  create<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions = {}): Promise<T> {
    const ns = object.metadata.namespace ?? '';
    return this.request<T>('POST', this.collectionPath(type, type.namespaced ? ns : undefined), {
      body: object,
      query: { dryRun: options.dryRun ? 'All' : undefined },
      target: {
        kind: type.kind,
        name: object.metadata.name ?? object.metadata.generateName ?? '',
        namespace: ns,
      },
    }).then((o) => withTypeMeta(type, o));
  }

  /** {@inheritDoc ObjectStore.update} */
  update<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions = {}): Promise<T> {
    const { namespace = '', name = '' } = object.metadata;
    return this.request<T>('PUT', this.objectPath(type, namespace, name), {
      body: object,
      query: { dryRun: options.dryRun ? 'All' : undefined },
      target: { kind: type.kind, name, namespace },
    }).then((o) => withTypeMeta(type, o));
  }

  /** {@inheritDoc ObjectStore.updateStatus} */
  updateStatus<T extends KubeObject>(type: ResourceType, object: T, options: WriteOptions = {}): Promise<T> {
    const { namespace = '', name = '' } = object.metadata;
    return this.request<T>('PUT', `${this.objectPath(type, namespace, name)}/status`, {
      body: object,
      query: { dryRun: options.dryRun ? 'All' : undefined },
      target: { kind: type.kind, name, namespace },
    }).then((o) => withTypeMeta(type, o));
  }

  /** {@inheritDoc ObjectStore.patch} */
  patch<T extends KubeObject>(
    type: ResourceType,
    namespace: string,
    name: string,
    patch: MergePatch,
    options: PatchOptions = {},
  ): Promise<T> {
    const suffix = options.subresource === 'status' ? '/status' : '';
    return this.request<T>('PATCH', this.objectPath(type, namespace, name) + suffix, {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { dryRun: options.dryRun ? 'All' : undefined },
      target: { kind: type.kind, name, namespace },
    }).then((o) => withTypeMeta(type, o));
  }

  /** {@inheritDoc ObjectStore.delete} */
  async delete(
    type: ResourceType,
    namespace: string,
    name: string,
    options: DeleteOptions = {},
  ): Promise<void> {
    await this.request('DELETE', this.objectPath(type, namespace, name), {
      body: {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: options.propagationPolicy ?? 'Background',
        ...(options.preconditions ? { preconditions: options.preconditions } : {}),
      },
      // The query parameter too: some resources (batch Jobs) default to orphaning, and the
      // policy must reach the server whatever happens to a DELETE body on the way.
      query: {
        dryRun: options.dryRun ? 'All' : undefined,
        propagationPolicy: options.propagationPolicy ?? 'Background',
      },
      target: { kind: type.kind, name, namespace },
    });
  }

  /** {@inheritDoc ObjectStore.watch} */
  async *watch<T extends KubeObject>(
    type: ResourceType,
    options: WatchOptions = {},
  ): AsyncIterable<WatchEvent<T>> {
    let rv = options.resourceVersion;
    if (rv === undefined || rv === '') {
      const initial = await this.list<T>(type, options);
      for (const object of initial.items) yield { type: 'ADDED', object };
      rv = initial.resourceVersion;
    }
    // The API server ends a watch after a while; resume from the last version seen until aborted.
    while (!options.signal?.aborted) {
      const queue = new AsyncQueue<WatchEvent<T>>();
      const controller = await new Watch(this.kc).watch(
        this.collectionPath(type, options.namespace),
        { resourceVersion: rv, labelSelector: options.labelSelector || undefined, allowWatchBookmarks: true },
        (phase: string, obj: unknown) => {
          if (phase === 'ERROR') {
            const st = obj as KubeStatus;
            queue.fail(
              st.code === 410
                ? new ExpiredError(st.message ?? 'watch expired')
                : new ApiError(st.message ?? 'watch error', st.code ?? 0),
            );
          } else if (phase === 'BOOKMARK') {
            rv = (obj as KubeObject).metadata.resourceVersion ?? rv;
          } else {
            queue.push({ type: phase as WatchEvent<T>['type'], object: withTypeMeta(type, obj as T) });
          }
        },
        (err: unknown) => {
          if (err && !options.signal?.aborted) queue.fail(this.watchError(err));
          else queue.end();
        },
      );
      const onAbort = (): void => {
        controller.abort();
        queue.end();
      };
      options.signal?.addEventListener('abort', onAbort);
      if (options.signal?.aborted) onAbort(); // aborted while the watch was being opened
      try {
        for await (const item of queue) {
          rv = item.object.metadata.resourceVersion ?? rv;
          yield item;
        }
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
        controller.abort();
      }
    }
  }

  private watchError(err: unknown): Error {
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode === 410) return new ExpiredError(e.message ?? 'watch expired');
    if (e.statusCode) return this.statusError(e.statusCode, '', undefined);
    return this.connectionError(err);
  }

  /** {@inheritDoc ObjectStore.info} */
  async info(): Promise<StoreInfo> {
    const version = await this.request<{ gitVersion?: string }>('GET', '/version');
    const crds: CrdInfo[] = [];
    for (const kind of ForkliftKinds) {
      const name = crdName(kind);
      try {
        const crd = await this.request<KubeObject>(
          'GET',
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
          { target: { kind: 'CustomResourceDefinition', name } },
        );
        const v = crd.metadata.annotations?.[CrdVersionAnnotation];
        crds.push({ name, installed: true, ...(v ? { version: v } : {}) });
      } catch (e: unknown) {
        if (e instanceof NotFoundError) crds.push({ name, installed: false });
        else crds.push({ name, installed: undefined, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return {
      mode: 'kube',
      endpoint: this.server,
      ...(version.gitVersion ? { serverVersion: version.gitVersion } : {}),
      crds,
    };
  }

  /** {@inheritDoc ObjectStore.close} */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Lists of core kinds omit apiVersion/kind on items; put them back. */
function withTypeMeta<T extends KubeObject>(type: ResourceType, o: T): T {
  return { ...o, apiVersion: o.apiVersion || type.apiVersion, kind: o.kind || type.kind };
}

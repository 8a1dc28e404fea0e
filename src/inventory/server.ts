/**
 * The inventory REST service, with Forklift's URL layout:
 *
 * - `GET /providers` — every provider with its object counts, grouped by type;
 *   `/providers/<type>` one type; `/providers/<type>/<uid>` one provider.
 * - `GET /providers/<type>/<uid>/<collection>` — a collection (`vms`, `workloads`, `hosts`,
 *   `clusters`, `datacenters`, `datastores`, `networks`, `folders`, `resourcepools`);
 *   `/<collection>/<id>` one object.
 * - Parameters: `detail=0|1|…|all`, `name` (last path segment, or a path), `limit`, `offset`, and
 *   our extension `q=<query>` (the query language, evaluated here: WHERE in SQL where it can be).
 * - 206 while the collector has not reached parity; 404 with `X-Reason: ProviderNotFound`.
 *
 * The same app serves in-process in local mode (`inject`) and on a port in cluster mode, where an
 * {@link Authorizer} checks the caller's bearer token.
 *
 * @see https://github.com/kubev2v/forklift/tree/main/pkg/controller/provider/web
 */
import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { MtvError, Resources, type Provider } from '../api/index.js';
import type { ObjectStore } from '../store/index.js';
import {
  QueryError,
  QuerySyntaxError,
  parseQuery,
  runQuery,
  translateQuery,
  type Query,
  type Row,
  type SqlSchema,
} from '../query/index.js';
import { inventoryDbPath } from './collector-registry.js';
import { InventoryDb } from './db.js';
import { inventoryModel, type InventoryModel } from './models.js';

/** Checks a caller's bearer token (cluster mode). */
export interface Authorizer {
  /**
   * @returns 'ok', or why not: no/invalid token (401) or not allowed to get providers in the
   * namespace (403).
   */
  check(token: string | undefined, namespace: string): Promise<'ok' | 'unauthenticated' | 'forbidden'>;
}

/** Options of {@link buildInventoryApp}. */
export interface InventoryServerOptions {
  store: ObjectStore;
  /** Directory of the inventory databases (`<uid>.db`). */
  dir: string;
  /** Bearer-token checks; absent in local mode (the caller owns the files). */
  authorizer?: Authorizer;
  /** TLS certificate and key (PEM) to serve HTTPS; plain HTTP without. */
  https?: { cert: Buffer | string; key: Buffer | string };
}

interface Located {
  provider: Provider;
  model: InventoryModel;
  db: InventoryDb | undefined;
}

/** An HTTP error with Forklift's `X-Reason`. */
class HttpError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  readonly detail: Record<string, unknown> | undefined;
  constructor(status: number, message: string, reason?: string, detail?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.detail = detail;
  }
}

/** Builds the fastify app (not listening). */
export function buildInventoryApp(options: InventoryServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, ...(options.https ? { https: options.https } : {}) });
  const dbs = new Map<string, InventoryDb>();
  app.addHook('onClose', () => {
    for (const db of dbs.values()) db.close();
    dbs.clear();
  });
  const openDb = (uid: string): InventoryDb | undefined => {
    const cached = dbs.get(uid);
    if (cached) return cached;
    const file = inventoryDbPath(options.dir, uid);
    if (!existsSync(file)) return undefined;
    const db = InventoryDb.open(file, { readonly: true });
    dbs.set(uid, db);
    return db;
  };

  const providers = async (type?: string): Promise<Provider[]> =>
    (await options.store.list<Provider>(Resources.Provider)).items.filter(
      (p) => !type || p.spec.type === type,
    );

  const locate = async (req: FastifyRequest, type: string, uid: string): Promise<Located> => {
    const provider = (await providers(type)).find((p) => p.metadata.uid === uid);
    if (!provider) throw new HttpError(404, `provider ${type}/${uid} not found`, 'ProviderNotFound');
    await authorize(req, provider.metadata.namespace ?? '');
    const model = inventoryModel(type);
    if (!model) throw new HttpError(404, `no inventory for ${type} providers`, 'ProviderNotFound');
    return { provider, model, db: openDb(uid) };
  };

  const authorize = async (req: FastifyRequest, namespace: string): Promise<void> => {
    if (!options.authorizer) return;
    // Through the API server's service proxy `Authorization` is consumed by the API server; the
    // CLI repeats the token as `X-Forwarded-Authorization`.
    const forwarded = req.headers['x-forwarded-authorization'];
    const header = req.headers.authorization ?? (typeof forwarded === 'string' ? forwarded : undefined);
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const verdict = await options.authorizer.check(token, namespace);
    if (verdict === 'unauthenticated') throw new HttpError(401, 'a valid bearer token is required');
    if (verdict === 'forbidden')
      throw new HttpError(403, `not allowed to get providers in namespace ${namespace}`);
  };

  const summary = (p: Provider, detail: number): Record<string, unknown> => {
    const db = p.metadata.uid ? openDb(p.metadata.uid) : undefined;
    const model = inventoryModel(p.spec.type);
    const counts: Record<string, number> = {};
    if (db && model) {
      const byKind = db.counts();
      for (const [field, kind] of Object.entries(model.countFields)) counts[field] = byKind[kind] ?? 0;
    }
    return {
      uid: p.metadata.uid,
      version: p.metadata.resourceVersion,
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      type: p.spec.type,
      ...(detail > 0 ? { object: p } : {}),
      ...counts,
    };
  };

  app.setErrorHandler((err: unknown, _req, reply) => sendError(reply, err));

  app.get('/providers', async (req) => {
    const detail = parseDetail(req);
    const out: Record<string, unknown[]> = {};
    for (const p of await providers()) {
      if (options.authorizer && !(await tryAuthorize(req, p, authorize))) continue;
      (out[p.spec.type] ??= []).push(summary(p, detail));
    }
    return out;
  });
  app.get<{ Params: { type: string } }>('/providers/:type', async (req) => {
    const detail = parseDetail(req);
    const list: unknown[] = [];
    for (const p of await providers(req.params.type)) {
      if (options.authorizer && !(await tryAuthorize(req, p, authorize))) continue;
      list.push(summary(p, detail));
    }
    return list;
  });
  app.get<{ Params: { type: string; uid: string } }>('/providers/:type/:uid', async (req) => {
    const { provider } = await locate(req, req.params.type, req.params.uid);
    return summary(provider, parseDetail(req));
  });
  app.get<{ Params: { type: string; uid: string; collection: string } }>(
    '/providers/:type/:uid/:collection',
    async (req, reply) => {
      const at = await locate(req, req.params.type, req.params.uid);
      const kind = collectionKind(at.model, req.params.collection);
      const body = listCollection(
        at,
        kind,
        req,
        `providers/${req.params.type}/${req.params.uid}/${req.params.collection}`,
      );
      return reply.code(at.db?.parity ? 200 : 206).send(body);
    },
  );
  app.get<{ Params: { type: string; uid: string; collection: string; id: string } }>(
    '/providers/:type/:uid/:collection/:id',
    async (req, reply) => {
      const at = await locate(req, req.params.type, req.params.uid);
      const kind = collectionKind(at.model, req.params.collection);
      const obj = at.db?.get(kind, req.params.id);
      if (!obj) throw new HttpError(404, `${req.params.collection}/${req.params.id} not found`, 'NotFound');
      const self = `providers/${req.params.type}/${req.params.uid}/${req.params.collection}/${req.params.id}`;
      const detail =
        req.query && (req.query as Record<string, unknown>).detail !== undefined
          ? parseDetail(req)
          : Infinity;
      return reply
        .code(at.db?.parity ? 200 : 206)
        .send(at.model.project(kind, { ...obj, selfLink: self }, detail));
    },
  );
  return app;
}

async function tryAuthorize(
  req: FastifyRequest,
  p: Provider,
  authorize: (req: FastifyRequest, ns: string) => Promise<void>,
): Promise<boolean> {
  try {
    await authorize(req, p.metadata.namespace ?? '');
    return true;
  } catch (e: unknown) {
    if (e instanceof HttpError && e.status === 403) return false;
    throw e;
  }
}

function collectionKind(model: InventoryModel, collection: string): string {
  const kind = model.collections[collection];
  if (!kind) {
    throw new HttpError(
      404,
      `unknown collection ${collection}; known: ${Object.keys(model.collections).join(', ')}`,
      'NotFound',
    );
  }
  return kind;
}

function queryParam(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

/** `detail`: a whole number or `all` (= Infinity). @default 0 */
function parseDetail(req: FastifyRequest): number {
  const v = queryParam(req, 'detail');
  if (v === undefined || v === '') return 0;
  if (v === 'all') return Infinity;
  if (!/^\d+$/.test(v)) throw new HttpError(400, `detail must be a whole number or "all", got "${v}"`);
  return Number(v);
}

function parseCount(req: FastifyRequest, name: string): number | undefined {
  const v = queryParam(req, name);
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new HttpError(400, `${name} must be a whole number, got "${v}"`);
  return Number(v);
}

/** Lists a collection with Forklift's parameters, or runs `q`. */
function listCollection(at: Located, kind: string, req: FastifyRequest, selfBase: string): unknown[] {
  const detail = parseDetail(req);
  const limit = parseCount(req, 'limit');
  const offset = parseCount(req, 'offset') ?? 0;
  const name = queryParam(req, 'name');
  const q = queryParam(req, 'q');
  if (!at.db) return [];
  const withSelf = (o: Record<string, unknown>) => ({ ...o, selfLink: `${selfBase}/${String(o.id)}` });
  if (!q) {
    const rows = at.db.list(kind, {
      ...(name ? { name } : {}),
      ...(limit !== undefined ? { limit } : {}),
      offset,
    }) as unknown as Record<string, unknown>[];
    return rows.map((o) => at.model.project(kind, withSelf(o), detail));
  }
  const result = runInventoryQuery(at, kind, q, name);
  const page = result.rows.slice(offset, limit === undefined ? undefined : offset + limit);
  return result.columns ? page : page.map((o) => at.model.project(kind, withSelf(o), detail));
}

/**
 * Runs a query on one kind: the translatable part of WHERE as SQL on the indexed columns, the
 * rest in memory.
 */
export function runInventoryQuery(
  at: { db: InventoryDb | undefined; model: InventoryModel; provider: Provider },
  kind: string,
  text: string,
  name?: string,
): { columns: string[] | undefined; rows: Record<string, unknown>[] } {
  let query: Query;
  try {
    query = parseQuery(text);
  } catch (e: unknown) {
    if (e instanceof QuerySyntaxError)
      throw new HttpError(400, e.message, 'QueryNotValid', { position: e.offset });
    throw e;
  }
  if (!at.db) return { columns: undefined, rows: [] };
  const computed = at.model.computed(kind, at.provider);
  const schema: SqlSchema = { column: (p) => at.model.sqlColumn(kind, p) };
  const t = translateQuery(query, schema);
  const rows = at.db.list(kind, {
    ...(name ? { name } : {}),
    ...(t.sql ? { where: { sql: t.sql, params: t.params } } : {}),
  }) as unknown as Row[];
  const sample = at.db.list(kind, { limit: 1 })[0] as unknown as Record<string, unknown> | undefined;
  try {
    const r = runQuery(t.query, rows, {
      computed,
      knownFields: [...Object.keys(sample ?? {}), ...at.model.knownFields(kind)],
    });
    return { columns: r.columns, rows: r.rows as Record<string, unknown>[] };
  } catch (e: unknown) {
    if (e instanceof QueryError) throw new HttpError(400, e.message, 'QueryNotValid');
    throw e;
  }
}

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof HttpError) {
    if (err.reason) void reply.header('X-Reason', err.reason);
    return reply
      .code(err.status)
      .send({ error: err.message, ...(err.reason ? { reason: err.reason } : {}), ...err.detail });
  }
  if (err instanceof MtvError) return reply.code(500).send({ error: err.message });
  const status = (err as { statusCode?: number }).statusCode;
  if (status && status < 500) return reply.code(status).send({ error: (err as Error).message });
  return reply.code(500).send({ error: err instanceof Error ? err.message : String(err) });
}

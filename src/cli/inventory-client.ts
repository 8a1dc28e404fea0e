/**
 * How the CLI reaches the inventory service:
 * - local mode: the same fastify app, in-process (`inject`), over the databases in `$MTV_HOME`;
 * - cluster mode: `--inventory-url` / `MTV_INVENTORY_URL` with the kubeconfig's bearer token,
 *   else the API server's service proxy to Service `mtv-inventory` (namespace
 *   `MTV_INVENTORY_NAMESPACE`, default `mtv-system`), so plain Kubernetes works without a Route.
 *   The API server drops `Authorization` before proxying, so the token also travels as
 *   `X-Forwarded-Authorization`, which the inventory service checks with TokenReview.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiError, UsageError } from '../api/index.js';
import type { Session } from './context.js';

/** An inventory answer: HTTP status (206 = not at parity yet) and the JSON body. */
export interface InventoryResponse {
  status: number;
  body: unknown;
}

/** Reads inventory paths (`/providers/vsphere/<uid>/vms?detail=all`). */
export interface InventoryClient {
  get(pathAndQuery: string): Promise<InventoryResponse>;
  close(): Promise<void>;
}

/** Default Service of the inventory in cluster mode. */
export const InventoryService = { name: 'mtv-inventory', port: 8443, scheme: 'https' } as const;

/** Opens the client for the session's mode. */
export async function openInventoryClient(session: Session, inventoryUrl?: string): Promise<InventoryClient> {
  if (session.mode === 'local') {
    const { buildInventoryApp } = await import('../inventory/server.js');
    const app = buildInventoryApp({ store: session.store, dir: path.join(session.home, 'inventory') });
    return {
      get: async (p) => {
        const r = await app.inject({ method: 'GET', url: p });
        return { status: r.statusCode, body: r.body ? (JSON.parse(r.body) as unknown) : undefined };
      },
      close: () => app.close(),
    };
  }
  const { KubeStore } = await import('../store/kube-store.js');
  const store = session.store;
  if (!(store instanceof KubeStore)) throw new ApiError('cluster mode without a Kubernetes store', 0);
  const url = inventoryUrl ?? session.env.MTV_INVENTORY_URL;
  const token = await store.bearerToken();
  if (url) return directClient(url, token, session);
  const ns = session.env.MTV_INVENTORY_NAMESPACE || 'mtv-system';
  const { name, port, scheme } = InventoryService;
  const base = `/api/v1/namespaces/${encodeURIComponent(ns)}/services/${scheme}:${name}:${String(port)}/proxy`;
  return {
    get: async (p) => {
      const r = await store.raw('GET', base + p, {
        headers: token ? { 'X-Forwarded-Authorization': `Bearer ${token}` } : {},
      });
      if (r.status === 404 && !r.headers['x-reason']) {
        throw new ApiError(`the inventory service ${ns}/${name} was not found through the API server`, 404, {
          hint: 'deploy mtv in the cluster, or point at the inventory with --inventory-url / MTV_INVENTORY_URL (namespace: MTV_INVENTORY_NAMESPACE)',
        });
      }
      return { status: r.status, body: parseBody(r.text) };
    },
    close: () => Promise.resolve(),
  };
}

function parseBody(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
}

/** A client for an inventory URL given explicitly. */
function directClient(base: string, token: string | undefined, session: Session): InventoryClient {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new UsageError({ field: '--inventory-url', message: 'must be an http(s) URL', value: base });
  }
  const caFile = session.env.MTV_INVENTORY_CA;
  const ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
  const mod = u.protocol === 'http:' ? http : https;
  return {
    get: (p) =>
      new Promise<InventoryResponse>((resolve, reject) => {
        const target = new URL(u.pathname.replace(/\/+$/, '') + p, u);
        const req = mod.request(
          target,
          {
            method: 'GET',
            headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
            ...(ca ? { ca } : {}),
            timeout: 60_000,
            ...(session.signal ? { signal: session.signal } : {}),
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parseBody(text) }));
          },
        );
        req.on('timeout', () => req.destroy(new Error('timed out after 60 s')));
        req.on('error', (e) =>
          reject(
            new ApiError(`cannot reach the inventory at ${u.origin}: ${e.message}`, 0, {
              hint: 'check --inventory-url / MTV_INVENTORY_URL (and MTV_INVENTORY_CA for its certificate)',
              cause: e,
            }),
          ),
        );
        req.end();
      }),
    close: () => Promise.resolve(),
  };
}

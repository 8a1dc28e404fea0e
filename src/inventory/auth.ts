/**
 * Who may read a provider's inventory in cluster mode: the caller's bearer token is checked with a
 * TokenReview, then a SubjectAccessReview for `get` on `providers.forklift.konveyor.io` in the
 * provider's namespace — Forklift's inventory rule. Verdicts are cached for 10 s per token and
 * namespace (tokens are keyed by their SHA-256, never kept in clear).
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/
 * @see https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/subject-access-review-v1/
 */
import { createHash } from 'node:crypto';
import { ForkliftGroup } from '../api/index.js';
import type { KubeStore } from '../store/kube-store.js';
import type { Authorizer } from './server.js';

interface TokenReview {
  status?: {
    authenticated?: boolean;
    user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  };
}
interface SubjectAccessReview {
  status?: { allowed?: boolean };
}

type Verdict = 'ok' | 'unauthenticated' | 'forbidden';

/** The cluster-mode {@link Authorizer}, using the controller's own credentials for the reviews. */
export class KubeAuthorizer implements Authorizer {
  private readonly store: KubeStore;
  private readonly ttlMs: number;
  private readonly cache = new Map<string, { at: number; verdict: Verdict }>();

  /** @param ttlMs how long a verdict is reused. @default 10000 */
  constructor(store: KubeStore, ttlMs = 10_000) {
    this.store = store;
    this.ttlMs = ttlMs;
  }

  async check(token: string | undefined, namespace: string): Promise<Verdict> {
    if (!token) return 'unauthenticated';
    const key = `${createHash('sha256').update(token).digest('hex')}/${namespace}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.verdict;
    const verdict = await this.review(token, namespace);
    this.cache.set(key, { at: Date.now(), verdict });
    if (this.cache.size > 10_000) this.cache.clear();
    return verdict;
  }

  private async review(token: string, namespace: string): Promise<Verdict> {
    const tr = await this.store.request<TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    });
    const user = tr.status?.user;
    if (!tr.status?.authenticated || !user) return 'unauthenticated';
    const sar = await this.store.request<SubjectAccessReview>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      {
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: user.username,
            uid: user.uid,
            groups: user.groups,
            extra: user.extra,
            resourceAttributes: { group: ForkliftGroup, resource: 'providers', verb: 'get', namespace },
          },
        },
      },
    );
    return sar.status?.allowed ? 'ok' : 'forbidden';
  }
}

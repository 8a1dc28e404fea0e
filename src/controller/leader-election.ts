/**
 * Leader election for the controller in cluster mode, on a `coordination.k8s.io/v1` Lease, the
 * way client-go's leaderelection package does it: take the Lease when it is absent or its holder
 * has not renewed within `leaseDurationSeconds`, renew it every `retryPeriod`, and give up
 * leadership (stop reconciling) when a renewal has not succeeded within `renewDeadline`.
 * Every write carries the resourceVersion read, so two candidates never both win.
 *
 * @see https://pkg.go.dev/k8s.io/client-go/tools/leaderelection
 * @see https://kubernetes.io/docs/concepts/architecture/leases/
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConflictError, AlreadyExistsError, NotFoundError, Resources } from '../api/index.js';
import type { KubeObject } from '../api/index.js';
import type { ObjectStore } from '../store/index.js';

/** A coordination.k8s.io/v1 Lease. */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    /** Seconds. */
    leaseDurationSeconds?: number;
    /** MicroTime (RFC 3339 with microseconds). */
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Options of {@link LeaderElector}. */
export interface LeaderElectionOptions {
  store: ObjectStore;
  namespace: string;
  /** @default 'mtv-controller' */
  name?: string;
  /** @default `<hostname>_<random>` */
  identity?: string;
  /** @default 15 (seconds) */
  leaseDurationSeconds?: number;
  /** @default 10 (seconds) */
  renewDeadlineSeconds?: number;
  /** @default 2 (seconds) */
  retryPeriodSeconds?: number;
  now?: () => Date;
}

/** Kubernetes MicroTime: RFC 3339 with six fractional digits. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Sleeps; resolves false when `signal` aborted (at once or during the sleep). */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<boolean>((resolve) => {
    const t = setTimeout(() => {
      resolve(!signal.aborted);
    }, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve(false);
      },
      { once: true },
    );
  });

/** Campaigns for and holds one Lease. */
export class LeaderElector {
  readonly identity: string;
  private readonly name: string;
  private readonly duration: number;
  private readonly renewDeadline: number;
  private readonly retry: number;
  private readonly now: () => Date;

  private readonly options: LeaderElectionOptions;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
    this.identity = options.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
    this.name = options.name ?? 'mtv-controller';
    this.duration = options.leaseDurationSeconds ?? 15;
    this.renewDeadline = options.renewDeadlineSeconds ?? 10;
    this.retry = options.retryPeriodSeconds ?? 2;
    this.now = options.now ?? (() => new Date());
  }

  /** The current holder, if the Lease exists. */
  async holder(): Promise<string | undefined> {
    try {
      const l = await this.options.store.get<Lease>(Resources.Lease, this.options.namespace, this.name);
      return l.spec?.holderIdentity || undefined;
    } catch (e: unknown) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  /**
   * One attempt to take or renew the Lease. True when this candidate holds it afterwards.
   * @throws errors other than conflicts (e.g. RBAC refusal), which callers report.
   */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { store, namespace } = this.options;
    const now = this.now();
    let lease: Lease | undefined;
    try {
      lease = await store.get<Lease>(Resources.Lease, namespace, this.name);
    } catch (e: unknown) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    const spec = lease?.spec ?? {};
    const mine = spec.holderIdentity === this.identity;
    const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
    const expired = renewed + (spec.leaseDurationSeconds ?? this.duration) * 1000 <= now.getTime();
    if (lease && spec.holderIdentity && !mine && !expired) return false;
    const next: Lease['spec'] = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.duration,
      acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine || !lease ? 0 : 1),
    };
    try {
      if (!lease) {
        await store.create<Lease>(Resources.Lease, {
          apiVersion: Resources.Lease.apiVersion,
          kind: 'Lease',
          metadata: { name: this.name, namespace },
          spec: next,
        });
      } else {
        await store.update<Lease>(Resources.Lease, { ...lease, spec: next });
      }
      return true;
    } catch (e: unknown) {
      if (e instanceof ConflictError || e instanceof AlreadyExistsError) return false;
      throw e;
    }
  }

  /** Waits until this candidate leads (or `signal` aborts: returns false). */
  async acquire(signal: AbortSignal, onError?: (e: unknown) => void): Promise<boolean> {
    while (!signal.aborted) {
      try {
        if (await this.tryAcquireOrRenew()) return true;
      } catch (e: unknown) {
        onError?.(e);
      }
      await sleep(this.retry * 1000, signal);
    }
    return false;
  }

  /**
   * Renews until `signal` aborts (then releases the Lease so a successor need not wait for it to
   * expire) or renewal fails for `renewDeadline` (then calls `onLost`).
   */
  async hold(signal: AbortSignal, onLost: () => void, onError?: (e: unknown) => void): Promise<void> {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      if (!(await sleep(this.retry * 1000, signal))) break;
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (e: unknown) {
        onError?.(e);
      }
      if (ok) lastRenew = Date.now();
      else if (Date.now() - lastRenew > this.renewDeadline * 1000) {
        onLost();
        return;
      }
    }
    await this.release().catch(onError);
  }

  /** Gives the Lease up (empty holder), if still held. */
  async release(): Promise<void> {
    const { store, namespace } = this.options;
    const lease = await store.get<Lease>(Resources.Lease, namespace, this.name);
    if (lease.spec?.holderIdentity !== this.identity) return;
    await store.update<Lease>(Resources.Lease, {
      ...lease,
      spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
    });
  }
}

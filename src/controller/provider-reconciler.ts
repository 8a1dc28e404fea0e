/**
 * The Provider reconciler: validates URL, Secret and settings, tests the connection, runs the
 * inventory collector, and reports it all as Forklift conditions and `status.phase`
 * (Staging → Ready | ValidationFailed | ConnectionFailed). Works on either store.
 *
 * Condition types, categories and reasons are Forklift's.
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/provider/validation.go
 */
import { createHash } from 'node:crypto';
import {
  Category,
  NotFoundError,
  ProviderPhase,
  Resources,
  unsupportedFields,
  type Condition,
  type KubeObject,
  type Provider,
  type ProviderStatus,
  type Secret,
} from '../api/index.js';
import type { CollectorRegistry } from '../inventory/collector-registry.js';
import type { Connection, ConnectionTest, ProviderAdapter } from '../providers/adapter.js';
import { ConnectionTestError } from '../providers/adapter.js';
import type { ObjectStore } from '../store/index.js';
import { hasBlocker, readyCondition, stageConditions, type NewCondition } from './conditions.js';
import { secretStrings, toConnection } from './connection.js';
import type { Logger } from './log.js';
import { errorText, keyOf, type Dependency, type Reconciler } from './manager.js';
import type { HandlerResult } from './work-queue.js';

/** Options of {@link ProviderReconciler}. */
export interface ProviderReconcilerOptions {
  store: ObjectStore;
  log: Logger;
  adapters: readonly ProviderAdapter[];
  collectors: CollectorRegistry;
  /** Requeues a provider (collectors call it when their state changes). */
  enqueue(key: string, delayMs?: number): void;
  /** Seconds between connection re-tests of a Ready provider. @default 300 */
  retestSeconds?: number;
  now?: () => Date;
}

interface TestRecord {
  hash: string;
  at: number;
  result: ConnectionTest | ConnectionTestError;
}

const insecureMessage =
  'TLS is susceptible to machine-in-the-middle attacks when certificate verification is skipped.';

/** Reconciles Providers. */
export class ProviderReconciler implements Reconciler {
  readonly name = 'provider';
  readonly type = Resources.Provider;
  readonly dependencies: readonly Dependency[];
  private readonly o: ProviderReconcilerOptions;
  private readonly tests = new Map<string, TestRecord>();

  constructor(options: ProviderReconcilerOptions) {
    this.o = options;
    this.dependencies = [{ type: Resources.Secret, map: (s) => this.providersUsing(s) }];
  }

  /** Providers whose `spec.secret` names this Secret. */
  private async providersUsing(secret: KubeObject): Promise<string[]> {
    const ns = secret.metadata.namespace ?? '';
    const { items } = await this.o.store.list<Provider>(Resources.Provider, { namespace: ns });
    return items
      .filter((p) => p.spec.secret.name === secret.metadata.name && (p.spec.secret.namespace ?? ns) === ns)
      .map(keyOf);
  }

  async reconcile(namespace: string, name: string, signal: AbortSignal): Promise<HandlerResult | undefined> {
    const key = `${namespace}/${name}`;
    let provider: Provider;
    try {
      provider = await this.o.store.get<Provider>(Resources.Provider, namespace, name);
    } catch (e: unknown) {
      if (!(e instanceof NotFoundError)) throw e;
      await this.forget(key, true);
      return undefined;
    }
    if (provider.metadata.deletionTimestamp) {
      await this.forget(key, true);
      return undefined;
    }
    const outcome = await this.evaluate(key, provider, signal);
    await this.writeStatus(provider, outcome);
    const ready = outcome.phase === ProviderPhase.Ready;
    const retest = (this.o.retestSeconds ?? 300) * 1000;
    return { requeueAfterMs: ready || outcome.authFailed ? retest : 5000 };
  }

  async stop(): Promise<void> {
    await this.o.collectors.stopAll();
  }

  private async forget(key: string, remove: boolean): Promise<void> {
    this.tests.delete(key);
    await this.o.collectors.stop(key, remove);
  }

  /** Everything the status will say, computed from the provider and the world. */
  private async evaluate(
    key: string,
    p: Provider,
    signal: AbortSignal,
  ): Promise<{ conditions: NewCondition[]; phase: string; fingerprint?: string; authFailed?: boolean }> {
    const conditions: NewCondition[] = [];
    const unsupported = unsupportedFields('Provider', p);
    if (unsupported.length) {
      conditions.push({
        type: 'FieldsNotSupported',
        category: Category.Advisory,
        reason: 'NotSupported',
        message: `mtv does not act on: ${unsupported.map((u) => `${u.field} (${u.reason})`).join('; ')}.`,
        items: unsupported.map((u) => u.field),
      });
    }
    if (p.spec.type === 'openshift' && !p.spec.url) {
      await this.forget(key, false);
      conditions.push(validated(), readyCondition('The provider is ready.'));
      return { conditions, phase: ProviderPhase.Ready };
    }
    const adapter = this.o.adapters.find((a) => a.type === p.spec.type);
    if (!adapter) {
      conditions.push({
        type: 'ProviderTypeNotSupported',
        category: Category.Critical,
        reason: 'NotSupported',
        message: `mtv does not connect to ${p.spec.type} providers yet; supported: ${this.o.adapters.map((a) => a.type).join(', ')}, and openshift without a URL.`,
      });
      return { conditions, phase: ProviderPhase.ValidationFailed };
    }
    const connection = await this.validate(p, adapter, conditions);
    if (!connection || hasBlocker(stageConditions(undefined, conditions, new Date()))) {
      await this.forget(key, false);
      return { conditions, phase: ProviderPhase.ValidationFailed };
    }
    conditions.push(validated());
    const hash = digest(p, connection);
    const test = await this.test(key, hash, adapter, connection, signal);
    if (test instanceof ConnectionTestError) {
      await this.o.collectors.stop(key);
      conditions.push(failedCondition(test));
      return { conditions, phase: ProviderPhase.ConnectionFailed, authFailed: test.failure === 'auth' };
    }
    conditions.push({
      type: 'ConnectionTestSucceeded',
      category: Category.Required,
      reason: 'Tested',
      message: 'Connection test, succeeded.',
    });
    const collector = await this.o.collectors.ensure(
      key,
      p.metadata.uid ?? key,
      hash,
      adapter,
      connection,
      () => this.o.enqueue(key),
    );
    const state = collector.state;
    if (state.parity) {
      conditions.push({
        type: 'InventoryCreated',
        category: Category.Required,
        reason: 'Completed',
        message: 'The inventory has been loaded.',
      });
      conditions.push(readyCondition('The provider is ready.'));
    } else {
      conditions.push({
        type: 'LoadInventory',
        category: Category.Advisory,
        reason: 'Started',
        message: state.error
          ? `Loading the inventory; retrying after: ${state.error}`
          : `Loading the inventory (${String(state.objects)} objects so far).`,
      });
    }
    return {
      conditions,
      phase: state.parity ? ProviderPhase.Ready : ProviderPhase.Staging,
      ...(test.fingerprint ? { fingerprint: test.fingerprint } : {}),
    };
  }

  /** Validates URL, Secret and settings into `conditions`; returns the connection when usable. */
  private async validate(
    p: Provider,
    adapter: ProviderAdapter,
    conditions: NewCondition[],
  ): Promise<Connection | undefined> {
    const url = p.spec.url ?? '';
    const urlProblem = url ? adapter.validateUrl(url) : 'The `url` is not set.';
    if (urlProblem) {
      conditions.push({
        type: 'UrlNotValid',
        category: Category.Critical,
        reason: url ? 'Malformed' : 'NotSet',
        message: urlProblem,
      });
    }
    const settingProblems = adapter.validateSettings(p.spec.settings ?? {});
    if (settingProblems.length) {
      conditions.push({
        type: 'SettingsNotValid',
        category: Category.Critical,
        reason: 'Malformed',
        message: settingProblems
          .map(
            (s) =>
              `${s.field} ${s.message}${s.value !== undefined ? ` (got ${JSON.stringify(s.value)})` : ''}`,
          )
          .join('; '),
        items: settingProblems.map((s) => s.field),
      });
    }
    const secret = await this.readSecret(p, adapter, conditions);
    if (!secret) return undefined;
    const insecure = secret.insecureSkipVerify === 'true';
    if (insecure) {
      conditions.push({
        type: 'ConnectionInsecure',
        category: Category.Warn,
        reason: 'SkipTLSVerification',
        message: insecureMessage,
      });
    }
    return toConnection(p, secret);
  }

  /** The Secret's decoded data, or undefined with a SecretNotValid condition. */
  private async readSecret(
    p: Provider,
    adapter: ProviderAdapter,
    conditions: NewCondition[],
  ): Promise<Record<string, string> | undefined> {
    const ref = p.spec.secret;
    const base = { type: 'SecretNotValid', category: Category.Critical };
    if (!ref.name) {
      conditions.push({ ...base, reason: 'NotSet', message: 'The `secret` is not set.' });
      return undefined;
    }
    const ns = ref.namespace || p.metadata.namespace || '';
    let secret: Secret;
    try {
      secret = await this.o.store.get<Secret>(Resources.Secret, ns, ref.name);
    } catch (e: unknown) {
      if (!(e instanceof NotFoundError)) throw e;
      conditions.push({
        ...base,
        reason: 'NotFound',
        message: `The secret ${ns}/${ref.name} does not exist.`,
      });
      return undefined;
    }
    const data = secretStrings(secret);
    const missing = adapter.requiredSecretKeys.filter((k) => !data[k]);
    if (missing.length) {
      conditions.push({
        ...base,
        reason: 'DataErr',
        message: `The secret ${ns}/${ref.name} lacks: ${missing.join(', ')}.`,
        items: missing,
      });
      return undefined;
    }
    if (data.cacert && !data.cacert.includes('-----BEGIN CERTIFICATE-----')) {
      conditions.push({
        ...base,
        reason: 'Malformed',
        message: `The secret ${ns}/${ref.name} key cacert is not a PEM certificate.`,
        items: ['cacert'],
      });
      return undefined;
    }
    return data;
  }

  /** Tests the connection when the configuration changed or the last test is old. */
  private async test(
    key: string,
    hash: string,
    adapter: ProviderAdapter,
    connection: Connection,
    signal: AbortSignal,
  ): Promise<ConnectionTest | ConnectionTestError> {
    const last = this.tests.get(key);
    const now = Date.now();
    if (last?.hash === hash) {
      // Successes and authentication failures (retrying those could lock the account) hold for
      // the re-test period; other failures are retried on the next requeue.
      const r = last.result;
      const holdMs =
        !(r instanceof ConnectionTestError) || r.failure === 'auth'
          ? (this.o.retestSeconds ?? 300) * 1000
          : 4000;
      if (now - last.at < holdMs) return r;
    }
    let result: ConnectionTest | ConnectionTestError;
    try {
      result = await adapter.testConnection(connection, signal);
      this.o.log.info({ provider: key, fingerprint: result.fingerprint }, 'connection test succeeded');
    } catch (e: unknown) {
      const failed =
        e instanceof ConnectionTestError ? e : new ConnectionTestError('other', errorText(e), { cause: e });
      this.o.log.warn(
        { provider: key, failure: failed.failure, err: failed.message },
        'connection test failed',
      );
      result = failed;
    }
    this.tests.set(key, { hash, at: now, result });
    return result;
  }

  private async writeStatus(
    p: Provider,
    outcome: { conditions: NewCondition[]; phase: string; fingerprint?: string },
  ): Promise<void> {
    const now = this.o.now?.() ?? new Date();
    const conditions: Condition[] = stageConditions(p.status?.conditions, outcome.conditions, now);
    const status: ProviderStatus = {
      ...p.status,
      phase: outcome.phase,
      conditions,
      observedGeneration: p.metadata.generation ?? 0,
    };
    if (outcome.fingerprint) status.fingerprint = outcome.fingerprint;
    if (JSON.stringify(status) === JSON.stringify(p.status)) return;
    await this.o.store.updateStatus<Provider>(Resources.Provider, { ...p, status });
  }
}

function validated(): NewCondition {
  return {
    type: 'Validated',
    category: Category.Advisory,
    reason: 'Completed',
    message: 'Validation has been completed.',
  };
}

function failedCondition(e: ConnectionTestError): NewCondition {
  if (e.failure === 'auth') {
    return {
      type: 'ConnectionAuthFailed',
      category: Category.Critical,
      reason: 'Tested',
      message: `Connection auth failed, error: ${e.message}`,
      suggestion: 'Fix the user and password in the provider Secret; mtv re-tests when the Secret changes.',
    };
  }
  return {
    type: 'ConnectionTestFailed',
    category: Category.Critical,
    reason: 'Tested',
    message: `Connection test, failed: ${e.message}`,
  };
}

/** Digest of everything a connection depends on: a change means re-test and a new collector. */
function digest(p: Provider, c: Connection): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        p.metadata.uid,
        c.url,
        c.username,
        c.password,
        c.caCert,
        c.insecureSkipVerify,
        c.settings,
      ]),
    )
    .digest('hex');
}

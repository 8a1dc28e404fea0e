/**
 * `patch provider NAME …`: change a provider's URL, settings or credentials. Credentials are
 * written to the provider's own Secret only (one it owns); a shared Secret is never modified.
 */
import { NotFoundError, UsageError, type Problem } from '../../../api/errors.js';
import { Resources } from '../../../api/kinds.js';
import type { Secret } from '../../../api/meta.js';
import type { Provider } from '../../../api/provider.js';
import type { Session } from '../../context.js';
import { checkCaBundle, secretData } from '../../credentials.js';
import type { CommandResult, Change } from '../../result.js';
import { retryOnConflict } from '../../rollback.js';
import { checkUrl, providerSecretValues, vsphereSettings, type ProviderFlags } from '../create/provider.js';

/** Options of {@link run}. */
export interface PatchProviderOptions extends ProviderFlags {
  name: string;
}

const credentialKeys = [
  'username',
  'password',
  'token',
  'cacert',
  'insecureSkipTls',
  'domainName',
  'projectName',
  'regionName',
] as const;

function problemsFor(p: Provider, o: PatchProviderOptions): Problem[] {
  const problems: Problem[] = [];
  const type = p.spec.type;
  if (o.url !== undefined) problems.push(...checkUrl(type, o.url, o.token));
  if (type !== 'vsphere') {
    for (const [k, flag] of [
      ['vddkInitImage', '--vddk-init-image'],
      ['sdkEndpoint', '--sdk-endpoint'],
      ['useVddkAioOptimization', '--use-vddk-aio-optimization'],
      ['vddkBufSizeIn64k', '--vddk-buf-size-in-64k'],
      ['vddkBufCount', '--vddk-buf-count'],
      ['esxiCloneMethod', '--esxi-clone-method'],
    ] as const) {
      if (o[k] !== undefined)
        problems.push({
          field: flag,
          message: `applies to vsphere providers only (provider ${o.name} is ${type})`,
        });
    }
  }
  if (o.sdkEndpoint !== undefined && !['vcenter', 'esxi'].includes(o.sdkEndpoint))
    problems.push({ field: '--sdk-endpoint', message: 'must be vcenter or esxi', value: o.sdkEndpoint });
  if (o.esxiCloneMethod !== undefined && !['vib', 'ssh'].includes(o.esxiCloneMethod))
    problems.push({ field: '--esxi-clone-method', message: 'must be vib or ssh', value: o.esxiCloneMethod });
  if (o.cacert !== undefined) {
    const c = checkCaBundle(o.cacert, '--cacert');
    if (c) problems.push(c);
  }
  if (o.cacert !== undefined && o.insecureSkipTls)
    problems.push({ field: '--provider-insecure-skip-tls', message: 'cannot be combined with --cacert' });
  if (o.secret !== undefined && credentialKeys.some((k) => o[k] !== undefined)) {
    problems.push({
      field: '--secret',
      message: 'cannot be combined with credential flags: either switch to another Secret or change this one',
    });
  }
  return problems;
}

/** Reads the provider's Secret and checks that this provider owns it. */
async function ownedSecret(session: Session, p: Provider): Promise<Secret> {
  const ref = p.spec.secret;
  const ns = ref.namespace || (p.metadata.namespace ?? session.namespace);
  if (!ref.name)
    throw new UsageError({
      field: '--password',
      message: `provider ${p.metadata.name ?? ''} has no credentials Secret to update`,
    });
  const secret = await session.store.get<Secret>(Resources.Secret, ns, ref.name);
  const owned = secret.metadata.ownerReferences?.some(
    (r) => r.kind === 'Provider' && r.uid === p.metadata.uid,
  );
  if (!owned) {
    throw new UsageError(
      {
        field: '--password',
        message: `Secret ${ns}/${ref.name} is not owned by provider ${p.metadata.name ?? ''} (it may be shared), so mtv will not change it`,
      },
      {
        hint: `update the Secret itself, or point the provider at a new one with: patch provider ${p.metadata.name ?? ''} --secret NEW`,
      },
    );
  }
  return secret;
}

/**
 * Applies the given flags; flags not given are left alone.
 * @throws NotFoundError, UsageError
 */
export async function run(session: Session, o: PatchProviderOptions): Promise<CommandResult> {
  const changes: Change[] = [];
  const warnings: string[] = [];
  const credentialChange = credentialKeys.some((k) => o[k] !== undefined);
  await retryOnConflict(async () => {
    changes.length = 0;
    const p = await session.store
      .get<Provider>(Resources.Provider, session.namespace, o.name)
      .catch((e: unknown) => {
        if (e instanceof NotFoundError) throw new NotFoundError('provider', o.name, session.namespace);
        throw e;
      });
    const problems = problemsFor(p, o);
    if (problems.length) throw new UsageError(problems);
    const spec: Partial<Provider['spec']> = {};
    if (o.url !== undefined && o.url !== p.spec.url) spec.url = o.url;
    if (p.spec.type === 'vsphere') {
      const settings = vsphereSettings(o, p.spec.settings);
      if (JSON.stringify(settings) !== JSON.stringify(p.spec.settings ?? {})) spec.settings = settings;
    }
    if (o.secret !== undefined) {
      await session.store.get(Resources.Secret, session.namespace, o.secret).catch((e: unknown) => {
        if (e instanceof NotFoundError)
          throw new NotFoundError('secret', o.secret ?? '', session.namespace, {
            hint: '--secret must name an existing Secret',
          });
        throw e;
      });
      spec.secret = { name: o.secret, namespace: session.namespace };
    }
    if (credentialChange) {
      const secret = await ownedSecret(session, p);
      const values = providerSecretValues(p.spec.type, { ...o, url: undefined });
      const data: Record<string, string | null> = secretData(values);
      if (o.insecureSkipTls === false) data.insecureSkipVerify = null;
      if (o.insecureSkipTls) warnings.push(`TLS verification is now OFF for provider ${o.name}`);
      const changed = Object.entries(data).some(([k, v]) => secret.data?.[k] !== (v ?? undefined));
      if (changed) {
        await session.store.patch(
          Resources.Secret,
          secret.metadata.namespace ?? '',
          secret.metadata.name ?? '',
          {
            metadata: { resourceVersion: secret.metadata.resourceVersion },
            data,
          },
        );
        changes.push({
          ref: `secret/${secret.metadata.name ?? ''}`,
          action: 'patched',
          note: `(credentials of provider/${o.name})`,
        });
      }
    }
    if (Object.keys(spec).length) {
      await session.store.patch(Resources.Provider, session.namespace, o.name, {
        metadata: { resourceVersion: p.metadata.resourceVersion },
        spec: spec.settings
          ? { ...spec, settings: settingsPatch(p.spec.settings ?? {}, spec.settings) }
          : spec,
      });
      changes.unshift({ ref: `provider/${o.name}`, action: 'patched' });
    }
  });
  if (!changes.length) changes.push({ ref: `provider/${o.name}`, action: 'unchanged' });
  return { kind: 'changes', changes, warnings };
}

/** A merge patch turning `from` into `to` (removed keys become null). */
function settingsPatch(
  from: Record<string, string>,
  to: Record<string, string>,
): Record<string, string | null> {
  const out: Record<string, string | null> = { ...to };
  for (const k of Object.keys(from)) if (!(k in to)) out[k] = null;
  return out;
}

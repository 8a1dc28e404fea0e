/**
 * `patch provider NAME …`: change a provider's URL, settings or credentials. Credentials are
 * written to the provider's own Secret only (one it owns); a shared Secret is never modified. The
 * Provider is patched first, then the Secret; each change is reported as it lands.
 */
import { UsageError } from '../../../api/index.js';
import { Resources } from '../../../api/index.js';
import type { Provider } from '../../../api/index.js';
import type { Session } from '../../context.js';
import { credentialPatch, patchOwnedSecret } from '../../credentials.js';
import { getNamed } from '../../lookup.js';
import type { Change, CommandResult } from '../../result.js';
import { retryOnConflict } from '../../retry.js';
import {
  credentialFlag,
  credentialFlags,
  flagProblems,
  providerSecretValues,
  vsphereSettings,
  type ProviderFlags,
} from '../create/provider.js';

/** Options of {@link run}. */
export interface PatchProviderOptions extends ProviderFlags {
  name: string;
}

/** A merge patch turning `from` into `to` (removed keys become null). */
function mapPatch(from: Record<string, string>, to: Record<string, string>): Record<string, string | null> {
  const out: Record<string, string | null> = { ...to };
  for (const k of Object.keys(from)) if (!(k in to)) out[k] = null;
  return out;
}

/**
 * Applies the given flags; flags not given are left alone.
 * @throws NotFoundError, UsageError (including "nothing to change")
 */
export async function run(session: Session, o: PatchProviderOptions): Promise<CommandResult> {
  const { name: _name, ...flags } = o;
  if (Object.values(flags as Record<string, unknown>).every((v) => v === undefined)) {
    throw new UsageError({
      field: 'flags',
      message: 'nothing to change',
      hint: 'give the flags to change, e.g. --url, --password, --cacert (see --help)',
    });
  }
  const changes: Change[] = [];
  const warnings: string[] = [];
  const credentialChange = credentialFlags.some((k) => o[k] !== undefined);
  const provider = await retryOnConflict(async () => {
    const p = await getNamed<Provider>(session, Resources.Provider, o.name, 'provider');
    const problems = flagProblems(p.spec.type, o);
    if (problems.length) throw new UsageError(problems);
    const spec: Record<string, unknown> = {};
    if (o.url !== undefined && o.url !== p.spec.url) spec.url = o.url;
    if (p.spec.type === 'vsphere') {
      const settings = vsphereSettings(o, p.spec.settings);
      if (JSON.stringify(settings) !== JSON.stringify(p.spec.settings ?? {}))
        spec.settings = mapPatch(p.spec.settings ?? {}, settings);
    }
    if (o.secret !== undefined && o.secret !== p.spec.secret.name) {
      await getNamed(session, Resources.Secret, o.secret, 'secret', {
        hint: '--secret must name an existing Secret',
      });
      spec.secret = { name: o.secret, namespace: session.namespace };
    }
    if (!Object.keys(spec).length) return p;
    const patched = await session.store.patch<Provider>(Resources.Provider, session.namespace, o.name, {
      metadata: { resourceVersion: p.metadata.resourceVersion },
      spec,
    });
    changes.push({ ref: `provider/${o.name}`, action: 'patched' });
    return patched;
  });
  if (credentialChange || (o.url !== undefined && !o.secret)) {
    const values = providerSecretValues(provider.spec.type, o);
    // The Secret's url key mirrors spec.url (Forklift's UI writes it); keep them in step.
    const data = credentialPatch(values, o);
    if (!credentialChange) for (const k of Object.keys(data)) if (k !== 'url') delete data[k];
    const change = await patchOwnedSecret(
      session,
      provider.spec.secret,
      provider,
      data,
      credentialFlag(o),
    ).catch((e: unknown) => {
      if (!credentialChange) return undefined; // only the mirrored url: a shared Secret is simply left alone
      throw e;
    });
    if (change) {
      if (o.cacert !== undefined && !o.insecureSkipTls)
        change.note = `${change.note ?? ''} (TLS verification on, against the new CA)`.trim();
      changes.push(change);
    }
  }
  if (o.insecureSkipTls) warnings.push(`TLS verification is now OFF for provider ${o.name}`);
  if (!changes.length) changes.push({ ref: `provider/${o.name}`, action: 'unchanged' });
  return { kind: 'changes', changes, warnings };
}

/** `patch host NAME`: change the IP address, the credentials (in a Secret the host owns), or the Secret. */
import { isIP } from 'node:net';
import { NotFoundError, UsageError, type Problem } from '../../../api/errors.js';
import type { Host } from '../../../api/host.js';
import { Resources } from '../../../api/kinds.js';
import type { Secret } from '../../../api/meta.js';
import type { Session } from '../../context.js';
import { checkCaBundle, secretData } from '../../credentials.js';
import type { Change, CommandResult } from '../../result.js';
import { retryOnConflict } from '../../rollback.js';
import type { HostCredentialFlags } from '../create/host.js';

/** Options of {@link run}. */
export interface PatchHostOptions extends HostCredentialFlags {
  name: string;
  ipAddress?: string | undefined;
}

/** Applies the given flags. @throws NotFoundError, UsageError */
export async function run(session: Session, o: PatchHostOptions): Promise<CommandResult> {
  const problems: Problem[] = [];
  if (o.ipAddress !== undefined && !isIP(o.ipAddress))
    problems.push({ field: '--ip-address', message: 'is not an IPv4 or IPv6 address', value: o.ipAddress });
  const credential =
    o.username !== undefined ||
    o.password !== undefined ||
    o.cacert !== undefined ||
    o.insecureSkipTls !== undefined;
  if (o.existingSecret !== undefined && credential)
    problems.push({ field: '--existing-secret', message: 'cannot be combined with credential flags' });
  if (o.cacert !== undefined) {
    const p = checkCaBundle(o.cacert, '--cacert');
    if (p) problems.push(p);
  }
  if (problems.length) throw new UsageError(problems);
  const changes: Change[] = [];
  await retryOnConflict(async () => {
    changes.length = 0;
    const host = await session.store
      .get<Host>(Resources.Host, session.namespace, o.name)
      .catch((e: unknown) => {
        if (e instanceof NotFoundError) throw new NotFoundError('host', o.name, session.namespace);
        throw e;
      });
    const spec: Partial<Host['spec']> = {};
    if (o.ipAddress !== undefined && o.ipAddress !== host.spec.ipAddress) spec.ipAddress = o.ipAddress;
    if (o.existingSecret !== undefined) {
      await session.store.get(Resources.Secret, session.namespace, o.existingSecret).catch((e: unknown) => {
        if (e instanceof NotFoundError)
          throw new NotFoundError('secret', o.existingSecret ?? '', session.namespace);
        throw e;
      });
      spec.secret = { name: o.existingSecret, namespace: session.namespace };
    }
    if (credential) {
      const ns = host.spec.secret.namespace || session.namespace;
      const secret = await session.store.get<Secret>(Resources.Secret, ns, host.spec.secret.name ?? '');
      if (!secret.metadata.ownerReferences?.some((r) => r.kind === 'Host' && r.uid === host.metadata.uid)) {
        throw new UsageError(
          {
            field: '--password',
            message: `Secret ${ns}/${secret.metadata.name ?? ''} is not owned by host ${o.name} (it may be the provider’s or shared), so mtv will not change it`,
          },
          { hint: 'update that Secret itself, or switch with --existing-secret' },
        );
      }
      const data: Record<string, string | null> = secretData({
        user: o.username,
        password: o.password,
        cacert: o.cacert,
        insecureSkipVerify: o.insecureSkipTls ? 'true' : undefined,
      });
      if (o.insecureSkipTls === false) data.insecureSkipVerify = null;
      if (Object.entries(data).some(([k, v]) => secret.data?.[k] !== (v ?? undefined))) {
        await session.store.patch(Resources.Secret, ns, secret.metadata.name ?? '', {
          metadata: { resourceVersion: secret.metadata.resourceVersion },
          data,
        });
        changes.push({
          ref: `secret/${secret.metadata.name ?? ''}`,
          action: 'patched',
          note: `(credentials of host/${o.name})`,
        });
      }
    }
    if (Object.keys(spec).length) {
      await session.store.patch(Resources.Host, session.namespace, o.name, {
        metadata: { resourceVersion: host.metadata.resourceVersion },
        spec,
      });
      changes.unshift({ ref: `host/${o.name}`, action: 'patched' });
    }
  });
  if (!changes.length) changes.push({ ref: `host/${o.name}`, action: 'unchanged' });
  return { kind: 'changes', changes };
}

/** `patch host NAME`: change the IP address, the credentials (in a Secret the host owns), or the Secret. */
import { isIP } from 'node:net';
import { UsageError, type Problem } from '../../../api/index.js';
import type { Host } from '../../../api/index.js';
import { Resources } from '../../../api/index.js';
import type { Session } from '../../context.js';
import { checkCaBundle, credentialPatch, patchOwnedSecret } from '../../credentials.js';
import { getNamed } from '../../lookup.js';
import type { Change, CommandResult } from '../../result.js';
import { retryOnConflict } from '../../retry.js';
import type { HostCredentialFlags } from '../create/host.js';

/** Options of {@link run}. */
export interface PatchHostOptions extends HostCredentialFlags {
  name: string;
  ipAddress?: string | undefined;
}

/** Applies the given flags: the Host first, then its Secret. @throws NotFoundError, UsageError */
export async function run(session: Session, o: PatchHostOptions): Promise<CommandResult> {
  const credential = [o.username, o.password, o.cacert, o.insecureSkipTls].some((v) => v !== undefined);
  const problems: Problem[] = [];
  if (o.ipAddress === undefined && o.existingSecret === undefined && !credential) {
    problems.push({
      field: 'flags',
      message: 'nothing to change',
      hint: 'give --ip-address, --username/--password, --cacert, --host-insecure-skip-tls or --existing-secret',
    });
  }
  if (o.ipAddress !== undefined && !isIP(o.ipAddress))
    problems.push({ field: '--ip-address', message: 'is not an IPv4 or IPv6 address', value: o.ipAddress });
  if (o.existingSecret !== undefined && credential)
    problems.push({ field: '--existing-secret', message: 'cannot be combined with credential flags' });
  if (o.cacert !== undefined) {
    const p = checkCaBundle(o.cacert, '--cacert');
    if (p) problems.push(p);
  }
  if (o.cacert !== undefined && o.insecureSkipTls)
    problems.push({ field: '--host-insecure-skip-tls', message: 'cannot be combined with --cacert' });
  if (problems.length) throw new UsageError(problems);
  const changes: Change[] = [];
  const host = await retryOnConflict(async () => {
    const h = await getNamed<Host>(session, Resources.Host, o.name, 'host');
    const spec: Partial<Host['spec']> = {};
    if (o.ipAddress !== undefined && o.ipAddress !== h.spec.ipAddress) spec.ipAddress = o.ipAddress;
    if (o.existingSecret !== undefined && o.existingSecret !== h.spec.secret.name) {
      await getNamed(session, Resources.Secret, o.existingSecret, 'secret');
      spec.secret = { name: o.existingSecret, namespace: session.namespace };
    }
    if (!Object.keys(spec).length) return h;
    const patched = await session.store.patch<Host>(Resources.Host, session.namespace, o.name, {
      metadata: { resourceVersion: h.metadata.resourceVersion },
      spec,
    });
    changes.push({ ref: `host/${o.name}`, action: 'patched' });
    return patched;
  });
  if (credential) {
    const flag =
      o.password !== undefined
        ? '--password'
        : o.username !== undefined
          ? '--username'
          : o.cacert !== undefined
            ? '--cacert'
            : '--host-insecure-skip-tls';
    const change = await patchOwnedSecret(
      session,
      host.spec.secret,
      host,
      credentialPatch({ user: o.username, password: o.password }, o),
      flag,
    );
    if (change) changes.push(change);
  }
  if (!changes.length) changes.push({ ref: `host/${o.name}`, action: 'unchanged' });
  return { kind: 'changes', changes };
}

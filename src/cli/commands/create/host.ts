/**
 * `create host --host-id ID[,ID…] --provider P (--ip-address IP | --network-adapter NAME) …`:
 * ESXi hosts of a vSphere provider reached directly for disk transfer. One credentials Secret is
 * shared by the hosts created together and owned by all of them; each host is owned by its
 * provider. A failure removes everything this command created.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/host.go
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { AlreadyExistsError, NotFoundError, UsageError, type Problem } from '../../../api/errors.js';
import type { Host } from '../../../api/host.js';
import { ForkliftApiVersion, Resources } from '../../../api/kinds.js';
import type { ObjectReference, Secret } from '../../../api/meta.js';
import { checkObjectName, toDns1123Label } from '../../../api/names.js';
import type { Provider } from '../../../api/provider.js';
import type { Session } from '../../context.js';
import { checkCaBundle, secretData } from '../../credentials.js';
import { getProvider, ownerRef } from '../../refs.js';
import type { Change, CommandResult } from '../../result.js';
import { withRollback } from '../../rollback.js';

/** Credential flags of hosts. */
export interface HostCredentialFlags {
  username?: string | undefined;
  password?: string | undefined;
  existingSecret?: string | undefined;
  cacert?: string | undefined;
  insecureSkipTls?: boolean | undefined;
}

/** Options of {@link run}. */
export interface CreateHostOptions extends HostCredentialFlags {
  hostIds: string[];
  provider?: string | undefined;
  ipAddress?: string | undefined;
  networkAdapter?: string | undefined;
  dryRun?: boolean | undefined;
}

/** The Host name for an inventory host id: `<id>-<4 hex of sha256(id)>`, as kubectl-mtv names it. */
export function hostName(id: string): string {
  return `${toDns1123Label(id).slice(0, 58)}-${createHash('sha256').update(id).digest('hex').slice(0, 4)}`;
}

/** Checks credential flags; `reuseProviderSecret` says none are needed (an ESXi-endpoint provider). */
export function credentialProblems(f: HostCredentialFlags, reuseProviderSecret: boolean): Problem[] {
  const problems: Problem[] = [];
  const userPass = f.username !== undefined || f.password !== undefined;
  if (f.existingSecret !== undefined && userPass) {
    problems.push({ field: '--existing-secret', message: 'cannot be combined with --username/--password' });
  } else if (f.existingSecret === undefined && !reuseProviderSecret && (!f.username || !f.password)) {
    problems.push({
      field: f.username ? '--password' : '--username',
      message: 'ESXi credentials are required: give --username and --password, or --existing-secret',
    });
  }
  if (f.existingSecret !== undefined) {
    const p = checkObjectName(f.existingSecret, '--existing-secret');
    if (p) problems.push(p);
  }
  if (f.cacert !== undefined) {
    const p = checkCaBundle(f.cacert, '--cacert');
    if (p) problems.push(p);
  }
  if (f.cacert !== undefined && f.insecureSkipTls)
    problems.push({ field: '--host-insecure-skip-tls', message: 'cannot be combined with --cacert' });
  if (
    (f.existingSecret !== undefined || (reuseProviderSecret && !userPass)) &&
    (f.cacert !== undefined || f.insecureSkipTls !== undefined)
  ) {
    problems.push({
      field: f.cacert !== undefined ? '--cacert' : '--host-insecure-skip-tls',
      message: 'applies only when mtv creates the credentials Secret (with --username/--password)',
    });
  }
  return problems;
}

function addressProblems(o: CreateHostOptions): Problem[] {
  if (o.ipAddress !== undefined && o.networkAdapter !== undefined) {
    return [
      {
        field: '--ip-address',
        message: 'cannot be combined with --network-adapter',
        hint: 'give the IP address, or the adapter to take it from, not both',
      },
    ];
  }
  if (o.ipAddress === undefined && o.networkAdapter === undefined) {
    return [
      {
        field: '--ip-address',
        message: 'is required (or --network-adapter NAME to take the IP from the host’s inventory)',
      },
    ];
  }
  if (o.ipAddress !== undefined && !isIP(o.ipAddress)) {
    return [{ field: '--ip-address', message: 'is not an IPv4 or IPv6 address', value: o.ipAddress }];
  }
  return [];
}

/** Host credentials Secret (Forklift's keys). */
export function hostSecret(namespace: string, firstHost: string, f: HostCredentialFlags): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      generateName: `${firstHost}-host-`,
      namespace,
      labels: { createdForResource: firstHost, createdForResourceType: 'hosts' },
    },
    data: secretData({
      user: f.username,
      password: f.password,
      cacert: f.cacert,
      insecureSkipVerify: f.insecureSkipTls ? 'true' : undefined,
    }),
  };
}

async function resolveIp(o: CreateHostOptions, provider: Provider): Promise<string> {
  if (o.ipAddress !== undefined) return o.ipAddress;
  // The inventory service (with each host's network adapters) is not part of this build yet.
  return Promise.reject(
    new UsageError({
      field: '--network-adapter',
      message: `needs the inventory of provider ${provider.metadata.name ?? ''}, which is not available`,
      hint: 'give the ESXi management IP with --ip-address',
    }),
  );
}

/**
 * Creates the hosts (and their Secret).
 * @throws UsageError, NotFoundError (provider, existing Secret), AlreadyExistsError
 */
export async function run(session: Session, o: CreateHostOptions): Promise<CommandResult> {
  const problems: Problem[] = [];
  if (!o.hostIds.length)
    problems.push({
      field: '--host-id',
      message: 'is required: the inventory id of each ESXi host (e.g. host-8)',
    });
  if (!o.provider)
    problems.push({ field: '--provider', message: 'is required: the vSphere provider the hosts belong to' });
  problems.push(...addressProblems(o));
  if (problems.length || !o.provider) throw new UsageError(problems);
  const provider = await getProvider(session, o.provider, '--provider');
  if (provider.spec.type !== 'vsphere') {
    throw new UsageError({
      field: '--provider',
      message: `must be a vsphere provider; ${provider.metadata.name ?? ''} is ${provider.spec.type}`,
    });
  }
  const esxi = provider.spec.settings?.sdkEndpoint === 'esxi';
  const cred = credentialProblems(o, esxi);
  if (cred.length) throw new UsageError(cred);
  const ip = await resolveIp(o, provider);
  const names = o.hostIds.map(hostName);
  const { store } = session;
  for (const name of names) {
    const exists = await store.get(Resources.Host, session.namespace, name).then(
      () => true,
      (e: unknown) => {
        if (e instanceof NotFoundError) return false;
        throw e;
      },
    );
    if (exists) throw new AlreadyExistsError('host', name, session.namespace);
  }
  let secretRef: ObjectReference | undefined;
  if (o.existingSecret) {
    await store.get(Resources.Secret, session.namespace, o.existingSecret).catch((e: unknown) => {
      if (e instanceof NotFoundError)
        throw new NotFoundError('secret', o.existingSecret ?? '', session.namespace, {
          hint: '--existing-secret must name a Secret in this namespace',
        });
      throw e;
    });
    secretRef = { name: o.existingSecret, namespace: session.namespace };
  } else if (esxi && o.username === undefined) {
    secretRef = {
      name: provider.spec.secret.name ?? '',
      namespace: provider.spec.secret.namespace || (provider.metadata.namespace ?? ''),
    };
  }
  const hostFor = (id: string, name: string, secret: ObjectReference): Host => ({
    apiVersion: ForkliftApiVersion,
    kind: 'Host',
    metadata: { name, namespace: session.namespace, ownerReferences: [ownerRef(provider, true)] },
    spec: {
      id,
      ipAddress: ip,
      provider: {
        apiVersion: ForkliftApiVersion,
        kind: 'Provider',
        name: provider.metadata.name ?? '',
        namespace: provider.metadata.namespace ?? '',
      },
      secret,
    },
  });
  const newSecret = secretRef ? undefined : hostSecret(session.namespace, names[0] ?? 'host', o);
  if (o.dryRun) {
    const s = newSecret && (await store.create(Resources.Secret, newSecret, { dryRun: true }));
    const ref = secretRef ?? { name: s?.metadata.name ?? '', namespace: session.namespace };
    const hosts = await Promise.all(
      o.hostIds.map((id, i) =>
        store.create(Resources.Host, hostFor(id, names[i] ?? '', ref), { dryRun: true }),
      ),
    );
    return { kind: 'dryRun', objects: [...(s ? [s] : []), ...hosts] };
  }
  const changes = await withRollback(async (addUndo) => {
    const out: Change[] = [];
    let created: Secret | undefined;
    if (newSecret) {
      created = await store.create(Resources.Secret, newSecret);
      const sname = created.metadata.name ?? '';
      addUndo(`secret/${sname}`, () => store.delete(Resources.Secret, session.namespace, sname));
      secretRef = { name: sname, namespace: session.namespace };
    }
    const hosts: Host[] = [];
    for (const [i, id] of o.hostIds.entries()) {
      const name = names[i] ?? '';
      hosts.push(await store.create(Resources.Host, hostFor(id, name, secretRef ?? {})));
      addUndo(`host/${name}`, () => store.delete(Resources.Host, session.namespace, name));
      out.push({ ref: `host/${name}`, action: 'created', note: `(ESXi host ${id} at ${ip})` });
    }
    if (created) {
      await store.patch(Resources.Secret, session.namespace, created.metadata.name ?? '', {
        metadata: { ownerReferences: hosts.map((h) => ownerRef(h)) },
      });
      out.push({
        ref: `secret/${created.metadata.name ?? ''}`,
        action: 'created',
        note: '(ESXi credentials)',
      });
    }
    return out;
  });
  return { kind: 'changes', changes };
}

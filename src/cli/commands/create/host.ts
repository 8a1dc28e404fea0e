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
import { UsageError, type Problem } from '../../../api/index.js';
import type { Host } from '../../../api/index.js';
import { ForkliftApiVersion, Resources } from '../../../api/index.js';
import type { ObjectReference, Secret } from '../../../api/index.js';
import { checkObjectName, toDns1123Label } from '../../../api/index.js';
import type { Provider } from '../../../api/index.js';
import type { Session } from '../../context.js';
import { checkCaBundle, createWithSecret, secretData } from '../../credentials.js';
import { assertAbsent, getNamed } from '../../lookup.js';
import { getProvider, ownerRef } from '../../refs.js';
import type { CommandResult } from '../../result.js';

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

/** Checks host ids: present, unique, usable in a name. */
export function hostIdProblems(ids: readonly string[]): Problem[] {
  if (!ids.length)
    return [{ field: '--host-id', message: 'is required: the inventory id of each ESXi host (e.g. host-8)' }];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) problems.push({ field: '--host-id', message: 'lists the same host twice', value: id });
    seen.add(id);
    if (!toDns1123Label(id))
      problems.push({
        field: '--host-id',
        message: 'is not an inventory host id (such as host-8)',
        value: id,
      });
  }
  return problems;
}

/** Checks credential flags; `reuseProviderSecret` says none are needed (an ESXi-endpoint provider). */
export function credentialProblems(f: HostCredentialFlags, reuseProviderSecret: boolean): Problem[] {
  const problems: Problem[] = [];
  const userPass = f.username !== undefined || f.password !== undefined;
  if (f.existingSecret !== undefined && userPass) {
    problems.push({ field: '--existing-secret', message: 'cannot be combined with --username/--password' });
  } else if (userPass && (!f.username || !f.password)) {
    problems.push({
      field: f.username ? '--password' : '--username',
      message: 'ESXi credentials need both --username and --password',
    });
  } else if (f.existingSecret === undefined && !userPass && !reuseProviderSecret) {
    problems.push({
      field: '--username',
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
  if (!userPass && (f.cacert !== undefined || f.insecureSkipTls !== undefined)) {
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

/** A host as the inventory returns it (the fields used here). */
interface InventoryHost {
  id: string;
  name?: string;
  networking?: { vNICs?: { device?: string; portGroup?: string; ipAddress?: string }[] };
  networkAdapters?: { name?: string; ipAddress?: string }[];
}

/**
 * The IP address of each host: `--ip-address` for all, or, with `--network-adapter`, the address
 * of that VMkernel adapter (device such as `vmk0`, or its port group such as `Management Network`)
 * in each host's inventory. Checks that every host id exists in the inventory when one is there.
 * @throws UsageError naming the unknown hosts or the adapter and the ones that exist
 */
async function resolveIps(session: Session, o: CreateHostOptions, provider: Provider): Promise<string[]> {
  const needInventory = o.networkAdapter !== undefined;
  const { openInventoryClient } = await import('../../inventory-client.js');
  let client;
  try {
    client = await openInventoryClient(session);
  } catch (e: unknown) {
    if (needInventory) throw e;
    return o.hostIds.map(() => o.ipAddress ?? '');
  }
  try {
    const base = `/providers/vsphere/${encodeURIComponent(provider.metadata.uid ?? '')}/hosts`;
    let r;
    try {
      r = await client.get(`${base}?detail=all`);
    } catch (e: unknown) {
      // Without --network-adapter the inventory only double-checks the ids: best effort.
      if (needInventory) throw e;
      return o.hostIds.map(() => o.ipAddress ?? '');
    }
    const hosts = r.status < 300 && Array.isArray(r.body) ? (r.body as InventoryHost[]) : undefined;
    if (!hosts || hosts.length === 0) {
      if (!needInventory) return o.hostIds.map(() => o.ipAddress ?? '');
      throw new UsageError({
        field: '--network-adapter',
        message: `needs the inventory of provider ${provider.metadata.name ?? ''}, which has no hosts yet`,
        hint: `check the provider with: mtv get provider ${provider.metadata.name ?? ''}; or give --ip-address`,
      });
    }
    const byId = new Map(hosts.map((h) => [h.id, h]));
    const unknown = o.hostIds.filter((id) => !byId.has(id));
    if (unknown.length) {
      throw new UsageError({
        field: '--host-id',
        message: `not in the inventory of provider ${provider.metadata.name ?? ''}`,
        value: unknown.join(','),
        hint: `known hosts: ${hosts.map((h) => `${h.id} (${h.name ?? ''})`).join(', ')}`,
      });
    }
    return o.hostIds.map(
      (id) => o.ipAddress ?? adapterIp(byId.get(id) as InventoryHost, o.networkAdapter ?? ''),
    );
  } finally {
    await client.close();
  }
}

function adapterIp(host: InventoryHost, adapter: string): string {
  const nics = [
    ...(host.networking?.vNICs ?? []).map((n) => ({ names: [n.device, n.portGroup], ip: n.ipAddress })),
    ...(host.networkAdapters ?? []).map((n) => ({ names: [n.name], ip: n.ipAddress })),
  ];
  const hit = nics.find((n) => n.names.includes(adapter) && n.ip);
  if (hit?.ip) return hit.ip;
  throw new UsageError({
    field: '--network-adapter',
    message: `host ${host.id} has no adapter "${adapter}" with an IP address`,
    hint: `its adapters: ${nics.map((n) => `${n.names.filter(Boolean).join(' / ')}${n.ip ? ` (${n.ip})` : ''}`).join(', ') || 'none'}`,
  });
}

/**
 * Creates the hosts (and their Secret).
 * @throws UsageError (every problem), NotFoundError (provider, existing Secret), AlreadyExistsError
 */
export async function run(session: Session, o: CreateHostOptions): Promise<CommandResult> {
  const problems = [...hostIdProblems(o.hostIds), ...addressProblems(o)];
  if (!o.provider)
    problems.push({ field: '--provider', message: 'is required: the vSphere provider the hosts belong to' });
  const provider = o.provider ? await getProvider(session, o.provider, '--provider') : undefined;
  if (provider && provider.spec.type !== 'vsphere') {
    problems.push({
      field: '--provider',
      message: `must be a vsphere provider; ${provider.metadata.name ?? ''} is ${provider.spec.type}`,
    });
  }
  const esxi = provider?.spec.settings?.sdkEndpoint === 'esxi';
  problems.push(...credentialProblems(o, esxi));
  if (problems.length || !provider) throw new UsageError(problems);
  const ips = await resolveIps(session, o, provider);
  const names = o.hostIds.map(hostName);
  for (const name of names) await assertAbsent(session, Resources.Host, name, 'host');
  let secretRef: ObjectReference | undefined;
  if (o.existingSecret) {
    await getNamed(session, Resources.Secret, o.existingSecret, 'secret', {
      hint: '--existing-secret must name a Secret in this namespace',
    });
    secretRef = { name: o.existingSecret, namespace: session.namespace };
  } else if (esxi && o.username === undefined) {
    secretRef = {
      name: provider.spec.secret.name ?? '',
      namespace: provider.spec.secret.namespace || (provider.metadata.namespace ?? ''),
    };
  }
  const hostsFor = (secret: ObjectReference): Host[] =>
    o.hostIds.map((id, i) => ({
      apiVersion: ForkliftApiVersion,
      kind: 'Host',
      metadata: {
        name: names[i] ?? '',
        namespace: session.namespace,
        ownerReferences: [ownerRef(provider, true)],
      },
      spec: {
        id,
        ipAddress: ips[i] ?? '',
        provider: {
          apiVersion: ForkliftApiVersion,
          kind: 'Provider',
          name: provider.metadata.name ?? '',
          namespace: provider.metadata.namespace ?? '',
        },
        secret,
      },
    }));
  const newSecret = secretRef ? undefined : hostSecret(session.namespace, names[0] ?? 'host', o);
  if (o.dryRun) {
    const s = newSecret && (await session.store.create(Resources.Secret, newSecret, { dryRun: true }));
    const ref = secretRef ?? { name: s?.metadata.name ?? '', namespace: session.namespace };
    const hosts = await Promise.all(
      hostsFor(ref).map((h) => session.store.create(Resources.Host, h, { dryRun: true })),
    );
    return { kind: 'dryRun', objects: [...(s ? [s] : []), ...hosts] };
  }
  const { objects, secret } = await createWithSecret(session, newSecret, Resources.Host, (ref) =>
    hostsFor(secretRef ?? ref),
  );
  return {
    kind: 'changes',
    changes: [
      ...objects.map((h) => ({
        ref: `host/${h.metadata.name ?? ''}`,
        action: 'created' as const,
        note: `(ESXi host ${h.spec.id ?? ''} at ${h.spec.ipAddress})`,
      })),
      ...(secret
        ? [
            {
              ref: `secret/${secret.metadata.name ?? ''}`,
              action: 'created' as const,
              note: '(ESXi credentials)',
            },
          ]
        : []),
    ],
  };
}

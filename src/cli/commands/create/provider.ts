/**
 * `create provider NAME --type T …`: a Provider and, unless `--secret` names an existing one, its
 * credentials Secret with Forklift's keys, owned by the provider. A failure leaves nothing behind.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/provider.go
 */
import { AlreadyExistsError, NotFoundError, UsageError, type Problem } from '../../../api/errors.js';
import { ForkliftApiVersion, Resources } from '../../../api/kinds.js';
import type { Secret } from '../../../api/meta.js';
import { checkObjectName } from '../../../api/names.js';
import { ProviderType, type Provider } from '../../../api/provider.js';
import type { Session } from '../../context.js';
import { checkCaBundle, secretData } from '../../credentials.js';
import { ownerRef } from '../../refs.js';
import type { Change, CommandResult } from '../../result.js';
import { withRollback } from '../../rollback.js';

/** Flags of `create provider` and `patch provider`, normalized. */
export interface ProviderFlags {
  url?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /** PEM text (already read from `@file`). */
  cacert?: string | undefined;
  insecureSkipTls?: boolean | undefined;
  /** Name of an existing Secret to use instead of creating one. */
  secret?: string | undefined;
  token?: string | undefined;
  vddkInitImage?: string | undefined;
  sdkEndpoint?: string | undefined;
  useVddkAioOptimization?: boolean | undefined;
  vddkBufSizeIn64k?: number | undefined;
  vddkBufCount?: number | undefined;
  esxiCloneMethod?: string | undefined;
  domainName?: string | undefined;
  projectName?: string | undefined;
  regionName?: string | undefined;
}

/** Options of {@link run}. */
export interface CreateProviderOptions extends ProviderFlags {
  name: string;
  type: string;
  dryRun?: boolean | undefined;
}

const types = Object.values(ProviderType) as string[];
const vsphereOnly = [
  'vddkInitImage',
  'sdkEndpoint',
  'useVddkAioOptimization',
  'vddkBufSizeIn64k',
  'vddkBufCount',
  'esxiCloneMethod',
] as const;
const openstackOnly = ['domainName', 'projectName', 'regionName'] as const;
const flagName: Record<string, string> = {
  vddkInitImage: '--vddk-init-image',
  sdkEndpoint: '--sdk-endpoint',
  useVddkAioOptimization: '--use-vddk-aio-optimization',
  vddkBufSizeIn64k: '--vddk-buf-size-in-64k',
  vddkBufCount: '--vddk-buf-count',
  esxiCloneMethod: '--esxi-clone-method',
  domainName: '--provider-domain-name',
  projectName: '--provider-project-name',
  regionName: '--provider-region-name',
};

/** VDDK NFC AIO buffer settings in VMware's key names (VixDiskLib.nfcAio.Session.*). */
export function vddkConfigText(
  current: string | undefined,
  bufSize: number | undefined,
  bufCount: number | undefined,
): string | undefined {
  const lines = new Map<string, string>();
  for (const line of (current ?? '').split('\n')) {
    const t = line.trim().replace(/^\|/, '').trim();
    const eq = t.indexOf('=');
    if (eq > 0) lines.set(t.slice(0, eq).trim(), t.slice(eq + 1).trim());
  }
  if (bufSize !== undefined) lines.set('VixDiskLib.nfcAio.Session.BufSizeIn64KB', String(bufSize));
  if (bufCount !== undefined) lines.set('VixDiskLib.nfcAio.Session.BufCount', String(bufCount));
  return lines.size ? [...lines].map(([k, v]) => `${k}=${v}`).join('\n') : undefined;
}

/** Problems with the URL for a provider type. */
export function checkUrl(type: string, url: string | undefined, token: string | undefined): Problem[] {
  if (type === 'openshift') {
    if (!url)
      return token
        ? [
            {
              field: '--url',
              message: 'is required with --provider-token (a remote cluster)',
              hint: 'omit both for the local cluster',
            },
          ]
        : [];
  } else if (!url) {
    return [
      {
        field: '--url',
        message: `is required for ${type} providers`,
        hint:
          type === 'ova'
            ? 'e.g. --url nfs.example.com:/exports/ova'
            : type === 'vsphere'
              ? 'e.g. --url https://vcenter.example.com/sdk'
              : 'give the endpoint URL',
      },
    ];
  }
  if (!url) return [];
  if (type === 'ova') {
    return /^[^\s:/]+:\/(?!\/)\S*$/.test(url)
      ? []
      : [
          {
            field: '--url',
            message: 'must be an NFS export SERVER:/PATH',
            value: url,
            hint: 'e.g. nfs.example.com:/exports/ova',
          },
        ];
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [
      {
        field: '--url',
        message: 'is not a valid URL',
        value: url,
        hint: 'write it with its scheme, e.g. https://vcenter.example.com/sdk',
      },
    ];
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return [{ field: '--url', message: 'must use https:// (or http://)', value: url }];
  }
  return [];
}

/** Which credentials each type needs, and Forklift's Secret keys for them. */
function credentialProblems(type: string, f: ProviderFlags): Problem[] {
  const problems: Problem[] = [];
  const given = { '--username': f.username, '--password': f.password, '--provider-token': f.token };
  if (f.secret) {
    for (const [flag, v] of Object.entries(given)) {
      if (v !== undefined)
        problems.push({
          field: flag,
          message: 'cannot be combined with --secret: the credentials come from that Secret',
          hint: 'drop one of them',
        });
    }
    if (f.cacert !== undefined || f.insecureSkipTls !== undefined) {
      problems.push({
        field: f.cacert !== undefined ? '--cacert' : '--provider-insecure-skip-tls',
        message: 'cannot be combined with --secret: TLS settings live in that Secret',
      });
    }
    return problems;
  }
  const userPass =
    type === 'vsphere' || type === 'ovirt' || type === 'hyperv' || type === 'nutanix' || type === 'ec2';
  if (userPass) {
    if (!f.username)
      problems.push({
        field: '--username',
        message: `is required for ${type} providers (or name an existing Secret with --secret)`,
      });
    if (!f.password)
      problems.push({
        field: '--password',
        message: `is required for ${type} providers (or name an existing Secret with --secret)`,
      });
  }
  if (type === 'openstack' && !f.token && !(f.username && f.password)) {
    problems.push({
      field: '--username',
      message: 'openstack providers need --username and --password, or --provider-token',
    });
  }
  if (type === 'openshift' && (f.username || f.password)) {
    problems.push({
      field: f.username ? '--username' : '--password',
      message: 'openshift providers authenticate with --provider-token',
    });
  }
  if (type === 'ova' && (f.username || f.password || f.token)) {
    problems.push({
      field: '--username',
      message: 'ova providers take no credentials (the NFS export is read directly)',
    });
  }
  if (f.cacert !== undefined && f.insecureSkipTls) {
    problems.push({
      field: '--provider-insecure-skip-tls',
      message: 'cannot be combined with --cacert',
      hint: 'keep --cacert: verification against your CA is the safe choice',
    });
  }
  if (f.cacert !== undefined) {
    const p = checkCaBundle(f.cacert, '--cacert');
    if (p) problems.push(p);
  }
  return problems;
}

/** Checks flags that belong to other provider types and closed-set values. */
function typeFlagProblems(type: string, f: ProviderFlags): Problem[] {
  const problems: Problem[] = [];
  if (type !== 'vsphere') {
    for (const k of vsphereOnly)
      if (f[k] !== undefined)
        problems.push({ field: flagName[k] ?? k, message: 'applies to vsphere providers only' });
  }
  if (type !== 'openstack') {
    for (const k of openstackOnly)
      if (f[k] !== undefined)
        problems.push({ field: flagName[k] ?? k, message: 'applies to openstack providers only' });
  }
  if (f.sdkEndpoint !== undefined && !['vcenter', 'esxi'].includes(f.sdkEndpoint)) {
    problems.push({ field: '--sdk-endpoint', message: 'must be vcenter or esxi', value: f.sdkEndpoint });
  }
  if (f.esxiCloneMethod !== undefined && !['vib', 'ssh'].includes(f.esxiCloneMethod)) {
    problems.push({ field: '--esxi-clone-method', message: 'must be vib or ssh', value: f.esxiCloneMethod });
  }
  if (f.secret !== undefined) {
    const p = checkObjectName(f.secret, '--secret');
    if (p) problems.push(p);
  }
  return problems;
}

/** Secret data for a provider type (Forklift's keys). */
export function providerSecretValues(type: string, f: ProviderFlags): Record<string, string | undefined> {
  const tls = { cacert: f.cacert, insecureSkipVerify: f.insecureSkipTls ? 'true' : undefined };
  switch (type) {
    case 'openstack':
      return {
        url: f.url,
        username: f.username,
        password: f.password,
        token: f.token,
        domainName: f.domainName,
        projectName: f.projectName,
        regionName: f.regionName,
        ...tls,
      };
    case 'openshift':
      return { url: f.url, token: f.token, ...tls };
    case 'ova':
      return { url: f.url };
    case 'ec2':
      return { url: f.url, accessKeyId: f.username, secretAccessKey: f.password, ...tls };
    case 'hyperv':
      return { url: f.url, username: f.username, password: f.password, ...tls };
    default:
      return { url: f.url, user: f.username, password: f.password, ...tls };
  }
}

/** vSphere settings from flags (only those given). */
export function vsphereSettings(
  f: ProviderFlags,
  current: Record<string, string> = {},
): Record<string, string> {
  const s: Record<string, string> = { ...current };
  if (f.vddkInitImage !== undefined) s.vddkInitImage = f.vddkInitImage;
  if (f.sdkEndpoint !== undefined) s.sdkEndpoint = f.sdkEndpoint;
  if (f.useVddkAioOptimization !== undefined) s.useVddkAioOptimization = String(f.useVddkAioOptimization);
  if (f.esxiCloneMethod !== undefined) s.esxiCloneMethod = f.esxiCloneMethod;
  const cfg = vddkConfigText(current.vddkConfig, f.vddkBufSizeIn64k, f.vddkBufCount);
  if (cfg !== undefined) s.vddkConfig = cfg;
  return s;
}

/** The objects `create provider` writes. */
export interface ProviderPlan {
  provider: Provider;
  /** The Secret to create (absent with `--secret` or for the local cluster). */
  secret?: Secret;
  warnings: string[];
}

/**
 * Computes the Provider and its Secret from flags, checking every flag.
 * @throws UsageError listing every problem.
 */
export function planProvider(namespace: string, o: CreateProviderOptions): ProviderPlan {
  if (!types.includes(o.type)) {
    throw new UsageError({ field: '--type', message: `must be one of ${types.join(', ')}`, value: o.type });
  }
  const problems = [
    ...checkUrl(o.type, o.url, o.token),
    ...credentialProblems(o.type, o),
    ...typeFlagProblems(o.type, o),
  ];
  if (problems.length) throw new UsageError(problems);
  const warnings: string[] = [];
  if (o.insecureSkipTls)
    warnings.push(
      `TLS verification is OFF for provider ${o.name}: its server certificate will not be checked`,
    );
  if (o.type === 'vsphere' && o.url && !new URL(o.url).pathname.endsWith('/sdk')) {
    warnings.push(
      `--url ${o.url} does not end in /sdk; Forklift expects the SDK endpoint, e.g. https://vcenter.example.com/sdk`,
    );
  }
  const local = o.type === 'openshift' && !o.url;
  const settings = o.type === 'vsphere' ? vsphereSettings(o) : {};
  const provider: Provider = {
    apiVersion: ForkliftApiVersion,
    kind: 'Provider',
    metadata: { name: o.name, namespace },
    spec: {
      type: o.type,
      ...(o.url ? { url: o.url } : {}),
      secret: o.secret ? { name: o.secret, namespace } : {},
      ...(Object.keys(settings).length ? { settings } : {}),
    },
  };
  if (o.secret || local) return { provider, warnings };
  const secret: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      generateName: `${o.name}-${o.type}-`,
      namespace,
      labels: { createdForProviderType: o.type, createdForResourceType: 'providers' },
    },
    data: secretData(providerSecretValues(o.type, o)),
  };
  return { provider, secret, warnings };
}

/**
 * Creates the provider (and Secret). Order: Secret, Provider, then the Secret's ownerReference;
 * a failure at any step removes what was created.
 * @throws UsageError, AlreadyExistsError, NotFoundError (for `--secret`)
 */
export async function run(session: Session, o: CreateProviderOptions): Promise<CommandResult> {
  const plan = planProvider(session.namespace, o);
  const { store } = session;
  if (o.secret) {
    await store.get(Resources.Secret, session.namespace, o.secret).catch((e: unknown) => {
      if (e instanceof NotFoundError)
        throw new NotFoundError('secret', o.secret ?? '', session.namespace, {
          hint: '--secret must name an existing Secret in the provider’s namespace',
        });
      throw e;
    });
  }
  const existing = await store.get(Resources.Provider, session.namespace, o.name).catch((e: unknown) => {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  });
  if (existing) throw new AlreadyExistsError('provider', o.name, session.namespace);
  if (o.dryRun) {
    const secret = plan.secret && (await store.create(Resources.Secret, plan.secret, { dryRun: true }));
    const provider = secret
      ? {
          ...plan.provider,
          spec: {
            ...plan.provider.spec,
            secret: { name: secret.metadata.name ?? '', namespace: session.namespace },
          },
        }
      : plan.provider;
    await store.create(Resources.Provider, provider, { dryRun: true });
    return { kind: 'dryRun', objects: [...(secret ? [secret] : []), provider] };
  }
  const changes = await withRollback(async (addUndo) => {
    const out: Change[] = [];
    let provider = plan.provider;
    let secret: Secret | undefined;
    if (plan.secret) {
      secret = await store.create(Resources.Secret, plan.secret);
      const secretName = secret.metadata.name ?? '';
      addUndo(`secret/${secretName}`, () => store.delete(Resources.Secret, session.namespace, secretName));
      provider = {
        ...provider,
        spec: { ...provider.spec, secret: { name: secretName, namespace: session.namespace } },
      };
    }
    const created = await store.create(Resources.Provider, provider);
    addUndo(`provider/${o.name}`, () => store.delete(Resources.Provider, session.namespace, o.name));
    out.push({ ref: `provider/${o.name}`, action: 'created' });
    if (secret) {
      await store.patch(Resources.Secret, session.namespace, secret.metadata.name ?? '', {
        metadata: { ownerReferences: [ownerRef(created)] },
      });
      out.push({
        ref: `secret/${secret.metadata.name ?? ''}`,
        action: 'created',
        note: `(credentials of provider/${o.name})`,
      });
    }
    return out;
  });
  return { kind: 'changes', changes, warnings: plan.warnings };
}

/**
 * `create provider NAME --type T …`: a Provider and, unless `--secret` names an existing one, its
 * credentials Secret with Forklift's keys, owned by the provider. A failure leaves nothing behind.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/provider.go
 */
import { UsageError, type Problem } from '../../../api/index.js';
import { ForkliftApiVersion, Resources } from '../../../api/index.js';
import type { Secret } from '../../../api/index.js';
import { checkObjectName } from '../../../api/index.js';
import { EsxiCloneMethod, ProviderType, SdkEndpoint, type Provider } from '../../../api/index.js';
import type { Session } from '../../context.js';
import { checkCaBundle, createWithSecret, secretData } from '../../credentials.js';
import { assertAbsent, getNamed } from '../../lookup.js';
import type { CommandResult } from '../../result.js';

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

/** Which flags each provider type accepts, beyond --url, --secret and TLS. */
const flagTypes: Record<string, { flag: string; types: readonly string[] }> = {
  username: { flag: '--username', types: ['vsphere', 'ovirt', 'openstack', 'ec2', 'hyperv', 'nutanix'] },
  password: { flag: '--password', types: ['vsphere', 'ovirt', 'openstack', 'ec2', 'hyperv', 'nutanix'] },
  token: { flag: '--provider-token', types: ['openshift', 'openstack'] },
  vddkInitImage: { flag: '--vddk-init-image', types: ['vsphere'] },
  sdkEndpoint: { flag: '--sdk-endpoint', types: ['vsphere'] },
  useVddkAioOptimization: { flag: '--use-vddk-aio-optimization', types: ['vsphere'] },
  vddkBufSizeIn64k: { flag: '--vddk-buf-size-in-64k', types: ['vsphere'] },
  vddkBufCount: { flag: '--vddk-buf-count', types: ['vsphere'] },
  esxiCloneMethod: { flag: '--esxi-clone-method', types: ['vsphere'] },
  domainName: { flag: '--provider-domain-name', types: ['openstack'] },
  projectName: { flag: '--provider-project-name', types: ['openstack'] },
  regionName: { flag: '--provider-region-name', types: ['openstack'] },
};

/** Flags that change the credentials Secret. */
export const credentialFlags = [
  'username',
  'password',
  'token',
  'cacert',
  'insecureSkipTls',
  'domainName',
  'projectName',
  'regionName',
] as const;

/** CLI flag of a credential option, for messages. */
export function credentialFlag(f: ProviderFlags): string {
  const k = credentialFlags.find((c) => f[c] !== undefined) ?? 'password';
  return k === 'cacert'
    ? '--cacert'
    : k === 'insecureSkipTls'
      ? '--provider-insecure-skip-tls'
      : (flagTypes[k]?.flag ?? `--${k}`);
}

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

/** Problems with a URL for a provider type (the value is never echoed: it may hold credentials). */
export function urlProblems(type: string, url: string): Problem[] {
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
  if (parsed.username || parsed.password) {
    return [
      {
        field: '--url',
        message:
          'must not contain credentials (user:password@): the URL is stored in the Provider, readable by anyone who may list providers',
        hint: 'put them in --username/--password, which go to a Secret',
      },
    ];
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return [{ field: '--url', message: 'must use https:// (or http://)', value: url }];
  return [];
}

/**
 * Problems with flags that do not fit the provider type or are malformed; shared by create and
 * patch, so no flag is ever silently ignored.
 */
export function flagProblems(type: string, f: ProviderFlags): Problem[] {
  const problems: Problem[] = [];
  for (const [key, rule] of Object.entries(flagTypes)) {
    if (f[key as keyof ProviderFlags] !== undefined && !rule.types.includes(type)) {
      problems.push({
        field: rule.flag,
        message: `does not apply to ${type} providers (only ${rule.types.join(', ')})`,
      });
    }
  }
  if (type === 'ova' && (f.cacert !== undefined || f.insecureSkipTls !== undefined)) {
    problems.push({
      field: f.cacert !== undefined ? '--cacert' : '--provider-insecure-skip-tls',
      message: 'does not apply to ova providers (an NFS export has no TLS)',
    });
  }
  if (f.url !== undefined && f.url !== '') problems.push(...urlProblems(type, f.url));
  if (f.sdkEndpoint !== undefined && !(SdkEndpoint as readonly string[]).includes(f.sdkEndpoint)) {
    problems.push({
      field: '--sdk-endpoint',
      message: `must be one of ${SdkEndpoint.join(', ')}`,
      value: f.sdkEndpoint,
    });
  }
  if (
    f.esxiCloneMethod !== undefined &&
    !(EsxiCloneMethod as readonly string[]).includes(f.esxiCloneMethod)
  ) {
    problems.push({
      field: '--esxi-clone-method',
      message: `must be one of ${EsxiCloneMethod.join(', ')}`,
      value: f.esxiCloneMethod,
    });
  }
  if (f.cacert !== undefined) {
    const p = checkCaBundle(f.cacert, '--cacert');
    if (p) problems.push(p);
  }
  if (f.cacert !== undefined && f.insecureSkipTls) {
    problems.push({
      field: '--provider-insecure-skip-tls',
      message: 'cannot be combined with --cacert',
      hint: 'keep --cacert: verification against your CA is the safe choice',
    });
  }
  if (f.secret !== undefined) {
    const p = checkObjectName(f.secret, '--secret');
    if (p) problems.push(p);
    const given = credentialFlags.filter((k) => f[k] !== undefined);
    if (given.length) {
      problems.push({
        field: '--secret',
        message: `cannot be combined with ${given.map((k) => credentialFlag({ [k]: true })).join(', ')}: credentials and TLS settings come from that Secret`,
        hint: 'drop one of them',
      });
    }
  }
  return problems;
}

/** What `create` requires on top of {@link flagProblems}: a URL and credentials for the type. */
function requiredProblems(type: string, f: ProviderFlags): Problem[] {
  const problems: Problem[] = [];
  if (!f.url && type !== 'openshift') {
    problems.push({
      field: '--url',
      message: `is required for ${type} providers`,
      hint:
        type === 'ova'
          ? 'e.g. --url nfs.example.com:/exports/ova'
          : type === 'vsphere'
            ? 'e.g. --url https://vcenter.example.com/sdk'
            : 'give the endpoint URL',
    });
  }
  if (type === 'openshift' && f.token !== undefined && !f.url) {
    problems.push({
      field: '--url',
      message: 'is required with --provider-token (a remote cluster)',
      hint: 'omit both for the local cluster',
    });
  }
  if (f.secret !== undefined) return problems;
  if (['vsphere', 'ovirt', 'ec2', 'hyperv', 'nutanix'].includes(type)) {
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
  return problems;
}

/** Secret data for a provider type (Forklift's keys). */
export function providerSecretValues(type: string, f: ProviderFlags): Record<string, string | undefined> {
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
      };
    case 'openshift':
      return { url: f.url, token: f.token };
    case 'ova':
      return { url: f.url };
    case 'ec2':
      return { url: f.url, accessKeyId: f.username, secretAccessKey: f.password };
    case 'hyperv':
      return { url: f.url, username: f.username, password: f.password };
    default:
      return { url: f.url, user: f.username, password: f.password };
  }
}

/** vSphere settings from flags (only those given), on top of `current`. */
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
  const problems = [...requiredProblems(o.type, o), ...flagProblems(o.type, o)];
  if (problems.length) throw new UsageError(problems);
  const warnings: string[] = [];
  if (o.insecureSkipTls)
    warnings.push(
      `TLS verification is OFF for provider ${o.name}: its server certificate will not be checked`,
    );
  if (o.type === 'vsphere' && o.url && !new URL(o.url).pathname.endsWith('/sdk')) {
    warnings.push(
      `--url does not end in /sdk; Forklift expects the SDK endpoint, e.g. https://vcenter.example.com/sdk`,
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
    data: secretData({
      ...providerSecretValues(o.type, o),
      cacert: o.cacert,
      insecureSkipVerify: o.insecureSkipTls ? 'true' : undefined,
    }),
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
  if (o.secret)
    await getNamed(session, Resources.Secret, o.secret, 'secret', {
      hint: '--secret must name an existing Secret in the provider’s namespace',
    });
  await assertAbsent(session, Resources.Provider, o.name, 'provider');
  if (o.dryRun) {
    const secret = plan.secret && (await store.create(Resources.Secret, plan.secret, { dryRun: true }));
    const provider = await store.create(
      Resources.Provider,
      secret
        ? {
            ...plan.provider,
            spec: {
              ...plan.provider.spec,
              secret: { name: secret.metadata.name ?? '', namespace: session.namespace },
            },
          }
        : plan.provider,
      { dryRun: true },
    );
    return { kind: 'dryRun', objects: [...(secret ? [secret] : []), provider] };
  }
  const { secret } = await createWithSecret(session, plan.secret, Resources.Provider, (secretRef) => [
    plan.secret ? { ...plan.provider, spec: { ...plan.provider.spec, secret: secretRef } } : plan.provider,
  ]);
  return {
    kind: 'changes',
    changes: [
      { ref: `provider/${o.name}`, action: 'created' },
      ...(secret
        ? [
            {
              ref: `secret/${secret.metadata.name ?? ''}`,
              action: 'created' as const,
              note: `(credentials of provider/${o.name})`,
            },
          ]
        : []),
    ],
    warnings: plan.warnings,
  };
}

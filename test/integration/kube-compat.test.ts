/**
 * What only a real cluster can show: kubectl sees what `kubectl mtv` wrote, RBAC refusals leave
 * nothing behind, and objects with every field of the Forklift API round-trip through the CRDs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import { ForkliftKinds, Resources } from '../../src/api/index.js';
import type { KubeObject, Secret } from '../../src/api/index.js';
import type { Provider } from '../../src/api/index.js';
import { forkliftSchema, type StructuralSchema } from '../../src/api/index.js';
import { LocalStore } from '../../src/store/local-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { ok, runCli, type CliTarget } from '../support/cli.js';
import { TestSecrets } from '../support/secrets.js';
import { createNamespace, kubeStoreFor, repoRoot, writeKubeconfig } from '../support/testbed.js';

const exec = promisify(execFile);

async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 16 << 20 });
  return stdout;
}

/**
 * Writes a one-context kubeconfig (mode 0600) for `user` on `cluster` (a kubeconfig cluster
 * entry, e.g. the admin's), and returns its path.
 */
describe('kubectl sees what kubectl mtv writes', () => {
  let kubeconfig: string;
  let t: CliTarget;
  beforeAll(async () => {
    kubeconfig = inject('kubeconfig');
    t = {
      mode: 'kube',
      env: { KUBECONFIG: kubeconfig },
      namespace: await createNamespace(kubeconfig, 'kubectl'),
    };
  });

  it('kubectl apply -f deploy/crds/ installs the CRDs idempotently', async () => {
    const out = await kubectl(kubeconfig, 'apply', '-f', path.join(repoRoot, 'deploy/crds/'));
    expect(out.trim().split('\n')).toHaveLength(7);
    expect(out).toMatch(
      /customresourcedefinition.apiextensions.k8s.io\/providers.forklift.konveyor.io (unchanged|configured|created)/,
    );
  });

  it('kubectl get shows the provider, and its Secret has Forklift’s keys and an ownerReference to it', async () => {
    await ok(t, [
      'create',
      'provider',
      'vc',
      '--type',
      'vsphere',
      '--url',
      'https://vc.example.com/sdk',
      '-u',
      'admin',
      '-p',
      TestSecrets.vspherePassword,
    ]);
    const p = YAML.parse(
      await kubectl(
        kubeconfig,
        '-n',
        t.namespace,
        'get',
        'providers.forklift.konveyor.io',
        'vc',
        '-o',
        'yaml',
      ),
    ) as Provider;
    expect(p.spec).toMatchObject({
      type: 'vsphere',
      url: 'https://vc.example.com/sdk',
      secret: { namespace: t.namespace },
    });
    const s = JSON.parse(
      await kubectl(kubeconfig, '-n', t.namespace, 'get', 'secret', p.spec.secret.name ?? '', '-o', 'json'),
    ) as Secret;
    expect(Object.keys(s.data ?? {}).sort()).toEqual(['password', 'url', 'user']);
    expect(s.metadata.ownerReferences).toEqual([
      { apiVersion: 'forklift.konveyor.io/v1beta1', kind: 'Provider', name: 'vc', uid: p.metadata.uid },
    ]);
    const all = YAML.parse(
      await kubectl(kubeconfig, 'get', 'providers.forklift.konveyor.io', '-A', '-o', 'yaml'),
    ) as { items: Provider[] };
    expect(
      all.items.find((i) => i.metadata.namespace === t.namespace && i.metadata.name === 'vc')?.spec,
    ).toEqual(p.spec);
    const printed = await kubectl(kubeconfig, '-n', t.namespace, 'get', 'providers.forklift.konveyor.io');
    expect(printed).toMatch(
      /^NAME\s+TYPE\s+STATUS\s+READY\s+CONNECTED\s+INVENTORY\s+URL\s+AGE\nvc\s+vsphere/,
    );
  });

  it('runs as a kubectl plugin: kubectl mtv …', async () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'mtv-plugin-'));
    symlinkSync(path.join(repoRoot, 'dist/mtv.js'), path.join(bin, 'kubectl-mtv'));
    const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' };
    const list = await exec('kubectl', ['plugin', 'list'], { env }).catch(
      (e: unknown) => e as { stdout: string },
    );
    expect(list.stdout).toContain(path.join(bin, 'kubectl-mtv'));
    const created = await exec(
      'kubectl',
      [
        'mtv',
        '--kubeconfig',
        kubeconfig,
        '-n',
        t.namespace,
        'create',
        'provider',
        'via-plugin',
        '--type',
        'openshift',
      ],
      { env },
    );
    expect(created.stdout).toBe('provider/via-plugin created\n');
    const help = await exec('kubectl', ['mtv', '--help'], { env });
    expect(help.stdout).toMatch(/^Usage: kubectl mtv /);
    const p = YAML.parse(
      await kubectl(
        kubeconfig,
        '-n',
        t.namespace,
        'get',
        'providers.forklift.konveyor.io',
        'via-plugin',
        '-o',
        'yaml',
      ),
    ) as Provider;
    expect(p.spec.type).toBe('openshift');
  });

  it('an API refusal half-way leaves no Secret behind (least-privilege ServiceAccount)', async () => {
    const store = kubeStoreFor(kubeconfig);
    const ns = t.namespace;
    const sa = 'mtv-limited';
    await store.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
      body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa } },
    });
    await store.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: sa },
        rules: [
          { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get', 'list', 'delete', 'patch'] },
          { apiGroups: ['forklift.konveyor.io'], resources: ['providers'], verbs: ['get', 'list'] },
        ],
      },
    });
    await store.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: sa },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
        subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
      },
    });
    const token = await store.request<{ status: { token: string } }>(
      'POST',
      `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
      {
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: 600 },
        },
      },
    );
    const admin = YAML.parse(await kubectl(kubeconfig, 'config', 'view', '--raw')) as { clusters: unknown[] };
    const limited = writeKubeconfig(admin.clusters[0], { token: token.status.token }, ns);
    const before = (await store.list(Resources.Secret, { namespace: ns })).items.length;
    const r = await runCli({ mode: 'kube', env: { KUBECONFIG: limited }, namespace: ns }, [
      'create',
      'provider',
      'denied',
      '--type',
      'vsphere',
      '--url',
      'https://vc/sdk',
      '-u',
      'a',
      '-p',
      TestSecrets.vspherePassword,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/forbidden: .*providers/);
    expect(r.stderr).toMatch(/hint: ask for RBAC permission/);
    expect((await store.list(Resources.Secret, { namespace: ns })).items.length).toBe(before);
  });

  it('authenticates through an exec credential plugin, and -v 6 logs requests without the token', async () => {
    const admin = YAML.parse(await kubectl(kubeconfig, 'config', 'view', '--raw')) as {
      clusters: unknown[];
      users: { user: { token: string } }[];
    };
    const token = admin.users[0]?.user.token ?? '';
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token },
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'mtv-exec-'));
    const plugin = path.join(dir, 'credential-plugin.sh');
    writeFileSync(plugin, `#!/bin/sh\ncat <<'JSON'\n${credential}\nJSON\n`, { mode: 0o700 });
    const execConfig = writeKubeconfig(
      admin.clusters[0],
      { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } },
      t.namespace,
    );
    const r = await runCli({ mode: 'kube', env: { KUBECONFIG: execConfig }, namespace: t.namespace }, [
      'version',
      '-v',
      '6',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Server Version: v1\.32\.\d+/);
    expect(r.stderr).toMatch(/^I GET https:\/\/127\.0\.0\.1:\d+\/version 200 in \d+ milliseconds$/m);
    expect(r.stderr).toMatch(
      /^I GET https:\/\/127\.0\.0\.1:\d+\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/providers\.forklift\.konveyor\.io 200/m,
    );
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('a missing namespace and missing CRDs are named as such', async () => {
    const r = await runCli(
      { mode: 'kube', env: { KUBECONFIG: kubeconfig }, namespace: 'no-such-namespace' },
      ['create', 'hook', 'h'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/namespace "no-such-namespace" not found/);
    const store = kubeStoreFor(kubeconfig);
    await expect(
      store.request('GET', '/apis/forklift.konveyor.io/v1beta1/namespaces/default/conversions/x', {
        target: { kind: 'Conversion', name: 'x' },
      }),
    ).rejects.toThrow(/does not serve forklift\.konveyor\.io resources/);
  });

  it('an unreachable cluster is an error, never a switch to local mode', async () => {
    const dead = writeKubeconfig(
      { name: 'dead', cluster: { server: 'https://127.0.0.1:1' } },
      { token: 'x' },
    );
    const home = mkdtempSync(path.join(tmpdir(), 'mtv-home-'));
    const { stdout, stderr, code } = await exec(
      process.execPath,
      [path.join(repoRoot, 'dist/mtv.js'), 'get', 'providers'],
      {
        env: { ...process.env, KUBECONFIG: dead, MTV_HOME: home, HOME: home, MTV_STORE: '' },
      },
    ).then(
      (r) => ({ ...r, code: 0 }),
      (e: unknown) => e as { stdout: string; stderr: string; code: number },
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1/);
    expect(stderr).not.toMatch(/local store/);
  });
});

/** Fills every field of a structural schema (one array item, one map key) with a valid value. */
function maximal(schema: StructuralSchema, at: string): unknown {
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      if (schema.properties)
        return Object.fromEntries(
          Object.entries(schema.properties).map(([k, v]) => [k, maximal(v, `${at}.${k}`)]),
        );
      return { key: 'value' };
    case 'array':
      return [maximal(schema.items ?? { type: 'string' }, `${at}[]`)];
    case 'integer':
      return 3;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'date-time') return '2026-11-21T10:00:00Z';
      if (schema.pattern?.includes('409')) return '100'; // VLAN
      if (schema.pattern) return 'abc';
      return `v-${at.split('.').pop() ?? ''}`;
    default:
      throw new Error(`${at}: no type`);
  }
}

const backends: { name: string; open(): Promise<{ store: ObjectStore; ns: string }> }[] = [
  {
    name: 'local',
    open: () =>
      Promise.resolve({
        store: LocalStore.open({ home: mkdtempSync(path.join(tmpdir(), 'mtv-rt-')) }),
        ns: 'rt',
      }),
  },
  {
    name: 'kube',
    open: async () => ({
      store: kubeStoreFor(inject('kubeconfig')),
      ns: await createNamespace(inject('kubeconfig'), 'rt'),
    }),
  },
];

describe.each(backends)('every Forklift field round-trips ($name)', (backend) => {
  it.each(ForkliftKinds)('%s', async (kind) => {
    const { store, ns } = await backend.open();
    const schema = forkliftSchema(kind);
    const props = schema.properties ?? {};
    const spec = maximal(props.spec ?? {}, `${kind}.spec`);
    const status = maximal(props.status ?? {}, `${kind}.status`);
    const type = Resources[kind];
    const obj = {
      apiVersion: type.apiVersion,
      kind,
      metadata: { name: 'full', namespace: ns },
      spec,
    } as KubeObject;
    const created = await store.create(type, obj);
    expect((created as unknown as { spec: unknown }).spec).toEqual(spec);
    const withStatus = await store.updateStatus(type, { ...created, status } as KubeObject);
    const read = (await store.get(type, ns, 'full')) as unknown as { spec: unknown; status: unknown };
    expect(read.spec).toEqual(spec);
    expect(read.status).toEqual(status);
    expect((withStatus as unknown as { status: unknown }).status).toEqual(status);
    await store.close();
  });
});

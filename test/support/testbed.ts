/**
 * Starts the project's Kubernetes control plane (scripts/kube-testbed.sh) for integration tests and
 * installs mtv's CRDs into it. `MTV_TEST_KUBECONFIG` reuses an already running control plane.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { KubeStore } from '../../src/store/kube-store.js';

/** Repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A running control plane. */
export interface Testbed {
  kubeconfig: string;
  stop(): Promise<void>;
}

/** Starts the testbed script and resolves once it prints its kubeconfig. */
export async function startTestbed(): Promise<Testbed> {
  if (process.env.MTV_TEST_KUBECONFIG) {
    return { kubeconfig: process.env.MTV_TEST_KUBECONFIG, stop: () => Promise.resolve() };
  }
  const child: ChildProcess = spawn('bash', [path.join(repoRoot, 'scripts/kube-testbed.sh'), 'start'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kubeconfig = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^KUBECONFIG=(.+)$/m.exec(out);
      if (m?.[1]) resolve(m[1].trim());
    });
    child.on('exit', (code) => reject(new Error(`kube-testbed.sh exited with ${code} before it was ready`)));
  });
  return {
    kubeconfig,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A KubeStore on a kubeconfig file. */
export function kubeStoreFor(kubeconfig: string): KubeStore {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return KubeStore.fromKubeConfig(kc);
}

/** Applies deploy/crds/*.yaml (create or replace) and waits until every CRD is Established. */
export async function installCrds(kubeconfig: string): Promise<void> {
  const store = kubeStoreFor(kubeconfig);
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const files = ['deploy/crds', 'test/fixtures/crds'].flatMap((d) =>
    readdirSync(path.join(repoRoot, d))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(repoRoot, d, f)),
  );
  for (const file of files) {
    const crd = YAML.parse(readFileSync(file, 'utf8')) as {
      metadata: { name: string; resourceVersion?: string };
    };
    try {
      await store.request('POST', base, { body: crd });
    } catch {
      const current = await store.request<{ metadata: { resourceVersion: string } }>(
        'GET',
        `${base}/${crd.metadata.name}`,
      );
      crd.metadata.resourceVersion = current.metadata.resourceVersion;
      await store.request('PUT', `${base}/${crd.metadata.name}`, { body: crd });
    }
    for (let i = 0; ; i++) {
      const got = await store.request<{ status?: { conditions?: { type: string; status: string }[] } }>(
        'GET',
        `${base}/${crd.metadata.name}`,
      );
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (i > 100) throw new Error(`CRD ${crd.metadata.name} not Established after 10 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Creates a namespace with a random name (tests never wait for namespace deletion: no controller runs). */
export async function createNamespace(kubeconfig: string, prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await kubeStoreFor(kubeconfig).request('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
  });
  return name;
}

/** Writes a kubeconfig for `cluster` (an entry of another kubeconfig's `clusters`) and `user`. */
export function writeKubeconfig(cluster: unknown, user: Record<string, unknown>, namespace?: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mtv-kc-')), 'kubeconfig');
  const clusterName = (cluster as { name: string }).name;
  writeFileSync(
    file,
    YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster],
      users: [{ name: 'user', user }],
      contexts: [
        { name: 'ctx', context: { cluster: clusterName, user: 'user', ...(namespace ? { namespace } : {}) } },
      ],
      'current-context': 'ctx',
    }),
    { mode: 0o600 },
  );
  return file;
}

/**
 * Creates a ServiceAccount with a Role of `rules` in `namespace` and returns a token for it
 * (TokenRequest, 10 minutes) and a kubeconfig using that token.
 */
export async function serviceAccount(
  adminKubeconfig: string,
  namespace: string,
  name: string,
  rules: readonly Record<string, unknown>[],
): Promise<{ token: string; kubeconfig: string }> {
  const store = kubeStoreFor(adminKubeconfig);
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}`;
  await store.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, {
    body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } },
  });
  if (rules.length) {
    await store.request('POST', `${rbac}/roles`, {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules },
    });
    await store.request('POST', `${rbac}/rolebindings`, {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    });
  }
  const tr = await store.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 600 },
      },
    },
  );
  const admin = YAML.parse(readFileSync(adminKubeconfig, 'utf8')) as { clusters: unknown[] };
  return {
    token: tr.status.token,
    kubeconfig: writeKubeconfig(admin.clusters[0], { token: tr.status.token }, namespace),
  };
}

/** A free TCP port on the loopback interface (for a server a test starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

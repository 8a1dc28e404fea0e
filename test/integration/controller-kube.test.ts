/**
 * The controller in cluster mode against the real API server and vcsim: leader election on a
 * Lease, the Provider reconciler, and the inventory service with TokenReview/SubjectAccessReview,
 * reached directly (--inventory-url) and through the API server's service proxy.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Provider } from '../../src/api/index.js';
import { ok, runCli, type CliTarget } from '../support/cli.js';
import { until } from '../support/wait.js';
import { planPhase, providerPhase, vsphereProviderArgs } from '../support/vcsim-provider.js';
import { TestSecrets } from '../support/secrets.js';
import { createNamespace, freePort, kubeStoreFor, repoRoot, serviceAccount } from '../support/testbed.js';
import { startVcsim, type Vcsim } from '../support/vcsim.js';

const bin = path.join(repoRoot, 'dist/mtv.js');
const externalIp = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

let vc: Vcsim;
let kubeconfig: string;
let ns: string;
let t: CliTarget;
let dir: string;
let port: number;
const controllers: ChildProcess[] = [];

/** Starts `mtv controller run` in cluster mode; resolves with the process and its growing log. */
function startController(listenPort: number): { child: ChildProcess; log: () => string } {
  const child = spawn(
    process.execPath,
    [
      bin,
      '--store',
      'kube',
      '-n',
      ns,
      'controller',
      'run',
      '--lease-namespace',
      ns,
      '--inventory-listen',
      `0.0.0.0:${String(listenPort)}`,
      '--tls-cert',
      path.join(dir, 'tls.crt'),
      '--tls-key',
      path.join(dir, 'tls.key'),
    ],
    {
      env: { ...process.env, KUBECONFIG: kubeconfig, MTV_HOME: mkdtempSync(path.join(tmpdir(), 'mtv-ctl-')) },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  controllers.push(child);
  return { child, log: () => log };
}

const mtv = (...args: string[]) => ok(t, args);
const provider = async (name: string) =>
  JSON.parse(await mtv('get', 'provider', name, '-o', 'json')) as Provider;

function get(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(
        url,
        {
          ca: execFileSync('cat', [path.join(dir, 'tls.crt')]),
          headers: token ? { Authorization: `Bearer ${token}` } : {},
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      )
      .on('error', reject);
  });
}

beforeAll(async () => {
  kubeconfig = inject('kubeconfig');
  ns = await createNamespace(kubeconfig, 'ctl');
  t = { mode: 'kube', env: { KUBECONFIG: kubeconfig }, namespace: ns };
  vc = await startVcsim({ password: TestSecrets.vspherePassword });
  dir = mkdtempSync(path.join(tmpdir(), 'mtv-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=mtv-inventory',
      '-addext',
      `subjectAltName=IP:127.0.0.1${externalIp ? `,IP:${externalIp}` : ''}`,
      '-keyout',
      path.join(dir, 'tls.key'),
      '-out',
      path.join(dir, 'tls.crt'),
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(path.join(dir, 'pw'), vc.password, { mode: 0o600 });
  port = await freePort();
}, 600_000);

afterAll(async () => {
  for (const c of controllers) c.kill('SIGKILL');
  await vc.stop();
});

describe('controller in cluster mode (real API server, vcsim)', () => {
  it('one controller leads; the provider becomes Ready', async () => {
    const first = startController(port);
    await until('leadership', () => {
      if (first.child.exitCode !== null)
        throw new Error(`the controller exited ${String(first.child.exitCode)}:\n${first.log()}`);
      return /"msg":"leading"/.test(first.log()) ? true : undefined;
    }).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; controller log:\n${first.log()}`);
    });
    await mtv(...vsphereProviderArgs('vc', vc, path.join(dir, 'pw')));
    const p = await providerPhase(t, 'vc', 'Ready');
    expect(p.status?.fingerprint).toBe(vc.fingerprint);
    expect(await mtv('controller', 'status')).toMatch(
      new RegExp(`leading in namespace ${ns} \\(holder \\S+\\)`),
    );
  });

  it('the inventory service answers the CLI with the caller’s token (--inventory-url)', async () => {
    const env = { KUBECONFIG: kubeconfig, MTV_INVENTORY_CA: path.join(dir, 'tls.crt') };
    const out = await ok({ ...t, env }, [
      'get',
      'inventory',
      'vm',
      'vc',
      '--inventory-url',
      `https://127.0.0.1:${String(port)}`,
      '-o',
      'json',
    ]);
    expect(JSON.parse(out)).toHaveLength(vc.counts.vms);
  });

  it('checks bearer tokens: none → 401, no permission → 403, get on providers → 200', async () => {
    const p = await provider('vc');
    const url = `https://127.0.0.1:${String(port)}/providers/vsphere/${p.metadata.uid ?? ''}/vms`;
    expect((await get(url)).status).toBe(401);
    const nobody = await serviceAccount(kubeconfig, ns, 'nobody', []);
    expect((await get(url, nobody.token)).status).toBe(403);
    const reader = await serviceAccount(kubeconfig, ns, 'reader', [
      { apiGroups: ['forklift.konveyor.io'], resources: ['providers'], verbs: ['get', 'list'] },
    ]);
    const r = await get(url, reader.token);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toHaveLength(vc.counts.vms);
    const missing = await get(
      `https://127.0.0.1:${String(port)}/providers/vsphere/no-such-uid/vms`,
      reader.token,
    );
    expect(missing.status).toBe(404);
  });

  it.skipIf(!externalIp)(
    'reaches the inventory through the API server’s service proxy (no Route, no URL)',
    async () => {
      const store = kubeStoreFor(kubeconfig);
      const svcNs = await createNamespace(kubeconfig, 'mtv-system');
      await store.request('POST', `/api/v1/namespaces/${svcNs}/services`, {
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'mtv-inventory' },
          spec: { ports: [{ name: 'https', port: 8443, targetPort: port }] },
        },
      });
      // The service proxy only dials addresses backed by a Pod with that IP; no kubelet runs here,
      // so the Pod object stands for the controller process and its status carries this host's IP.
      const pod = await store.request<Record<string, unknown>>('POST', `/api/v1/namespaces/${svcNs}/pods`, {
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'mtv-controller' },
          spec: { containers: [{ name: 'c', image: 'mtv' }] },
        },
      });
      await store.request('PUT', `/api/v1/namespaces/${svcNs}/pods/mtv-controller/status`, {
        body: { ...pod, status: { phase: 'Running', podIP: externalIp, podIPs: [{ ip: externalIp }] } },
      });
      await store.request('POST', `/api/v1/namespaces/${svcNs}/endpoints`, {
        body: {
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: 'mtv-inventory' },
          subsets: [
            {
              addresses: [
                { ip: externalIp, targetRef: { kind: 'Pod', name: 'mtv-controller', namespace: svcNs } },
              ],
              ports: [{ name: 'https', port }],
            },
          ],
        },
      });
      const out = await ok({ ...t, env: { KUBECONFIG: kubeconfig, MTV_INVENTORY_NAMESPACE: svcNs } }, [
        'get',
        'inventory',
        'host',
        'vc',
        '-o',
        'json',
      ]);
      expect(JSON.parse(out)).toHaveLength(vc.counts.hosts);
      const table = await ok({ ...t, env: { KUBECONFIG: kubeconfig, MTV_INVENTORY_NAMESPACE: svcNs } }, [
        'get',
        'provider',
        'vc',
      ]);
      expect(table).toMatch(
        new RegExp(
          `vc\\s+vsphere\\s+\\S+\\s+True\\s+Ready\\s+${String(vc.counts.vms)}\\s+${String(vc.counts.hosts)}\\s`,
        ),
      );
    },
  );

  it('create plan auto-maps to the cluster’s default storage class, and the plan becomes Ready', async () => {
    const store = kubeStoreFor(kubeconfig);
    await store.request('POST', '/apis/storage.k8s.io/v1/storageclasses', {
      body: {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: {
          name: `virt-${ns}`,
          annotations: { 'storageclass.kubevirt.io/is-default-virt-class': 'true' },
        },
        provisioner: 'kubernetes.io/no-provisioner',
      },
    });
    await mtv('create', 'provider', 'host', '--type', 'openshift');
    const env = {
      KUBECONFIG: kubeconfig,
      MTV_INVENTORY_URL: `https://127.0.0.1:${String(port)}`,
      MTV_INVENTORY_CA: path.join(dir, 'tls.crt'),
    };
    const r = await runCli({ ...t, env }, [
      'create',
      'plan',
      'kp',
      '--source',
      'vc',
      '--vms',
      "where name like '%_H0_%'",
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `storage class virt-${ns} (the cluster's default virtualization storage class`,
    );
    const p = await planPhase(t, 'kp', 'Ready');
    expect(p.status?.conditions?.map((c) => c.type)).not.toContain('TargetNotChecked');
  });

  it('a second controller waits, and takes over when the leader stops', async () => {
    const [leader] = controllers;
    const second = startController(await freePort());
    await until('the second to wait', () => (/waiting for leadership/.test(second.log()) ? true : undefined));
    await new Promise((r) => setTimeout(r, 2500));
    expect(second.log()).not.toMatch(/"msg":"leading"/);
    leader?.kill('SIGTERM');
    await until('the second to lead', () => (/"msg":"leading"/.test(second.log()) ? true : undefined), {
      timeoutMs: 20_000,
    });
    await mtv('patch', 'provider', 'vc', '--url', `${vc.url}?x=1`);
    await until('the new leader to reconcile the change', async () => {
      const p = await provider('vc');
      return p.status?.observedGeneration === p.metadata.generation && p.status?.phase === 'Ready'
        ? true
        : undefined;
    });
  });

  it('a missing Secret is SecretNotValid; an unsupported type is ProviderTypeNotSupported', async () => {
    await runCli(t, [
      'create',
      'provider',
      'ov',
      '--type',
      'ovirt',
      '--url',
      'https://engine/ovirt-engine/api',
      '-u',
      'admin@internal',
      '-p',
      TestSecrets.vspherePassword,
      '--cacert',
      `@${vc.caCertPath}`,
    ]);
    const ov = await until('ProviderTypeNotSupported', async () => {
      const p = await provider('ov');
      return p.status?.conditions?.some((c) => c.type === 'ProviderTypeNotSupported') ? p : undefined;
    });
    expect(ov.status?.phase).toBe('ValidationFailed');
    const store = kubeStoreFor(kubeconfig);
    await store.request('POST', `/apis/forklift.konveyor.io/v1beta1/namespaces/${ns}/providers`, {
      body: {
        apiVersion: 'forklift.konveyor.io/v1beta1',
        kind: 'Provider',
        metadata: { name: 'nosecret' },
        spec: { type: 'vsphere', url: vc.url, secret: { name: 'absent', namespace: ns } },
      },
    });
    const p = await until('SecretNotValid', async () => {
      const p = await provider('nosecret');
      return p.status?.conditions?.find((c) => c.type === 'SecretNotValid') ? p : undefined;
    });
    expect(p.status?.conditions?.find((c) => c.type === 'SecretNotValid')?.reason).toBe('NotFound');
    expect(p.status?.phase).toBe('ValidationFailed');
  });
});

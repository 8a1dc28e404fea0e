/**
 * A cluster-mode `mtv controller run` for integration tests, against the test control plane: the
 * built CLI in a child process, leading in its namespace, serving the inventory on a free local
 * port over plain HTTP, copying disks in-process (the control plane runs no pods). Plus the
 * cluster objects a migration there needs: a StorageClass and a Multus NetworkAttachmentDefinition.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { CliTarget } from './cli.js';
import { freePort, kubeStoreFor, repoRoot } from './testbed.js';

/** A running cluster-mode controller. */
export interface KubeController {
  child: ChildProcess;
  /** The CLI target talking to the same namespace and inventory. */
  target: CliTarget;
  /** Stops it (SIGTERM). */
  stop(): void;
}

/**
 * Starts `mtv --store kube -n NS controller run` with `MTV_TRANSFER_EXECUTOR=in-process` and
 * `MTV_HOME=home` (where its in-process volumes go), plus `env`.
 */
export async function startKubeController(
  kubeconfig: string,
  ns: string,
  home: string,
  env: Record<string, string> = {},
): Promise<KubeController> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'dist/mtv.js'),
      '--store',
      'kube',
      '-n',
      ns,
      'controller',
      'run',
      '--lease-namespace',
      ns,
      '--inventory-listen',
      `127.0.0.1:${String(port)}`,
      '--inventory-plain-http',
    ],
    {
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        MTV_HOME: home,
        MTV_TRANSFER_EXECUTOR: 'in-process',
        ...env,
      },
      stdio: 'ignore',
    },
  );
  return {
    child,
    target: {
      mode: 'kube',
      env: { KUBECONFIG: kubeconfig, MTV_INVENTORY_URL: `http://127.0.0.1:${String(port)}` },
      namespace: ns,
    },
    stop: () => {
      child.kill('SIGTERM');
    },
  };
}

/** Creates StorageClass `name` (no provisioner: claims stay Pending, which the tests do not need). */
export async function createStorageClass(kubeconfig: string, name: string): Promise<void> {
  await kubeStoreFor(kubeconfig).request('POST', '/apis/storage.k8s.io/v1/storageclasses', {
    body: {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name },
      provisioner: 'kubernetes.io/no-provisioner',
    },
  });
}

/** Creates a bridge NetworkAttachmentDefinition `name` in `ns` (the fixture CRD is installed). */
export async function createBridgeNad(kubeconfig: string, ns: string, name: string): Promise<void> {
  await kubeStoreFor(kubeconfig).request(
    'POST',
    `/apis/k8s.cni.cncf.io/v1/namespaces/${ns}/network-attachment-definitions`,
    {
      body: {
        apiVersion: 'k8s.cni.cncf.io/v1',
        kind: 'NetworkAttachmentDefinition',
        metadata: { name },
        spec: { config: '{"cniVersion":"0.3.1","type":"bridge","bridge":"br1"}' },
      },
    },
  );
}

/**
 * The transfer Job of one disk (cluster mode): a `batch/v1` Job whose pod runs
 * `mtv transfer disk` — the same `copyDisk` the in-process executor runs — reading the source disk
 * through vCenter's datastore interface and writing the claim it mounts (`disk.img` at the root of
 * a Filesystem claim, like CDI; the raw device of a Block claim). The source's URL and credentials
 * reach the pod in a Secret mounted as files, never in the Job's arguments. The pod prints one JSON
 * progress line per interval on stdout and its result (sha256, bytes) to its termination message,
 * which the controller reads from the Pod status: the controller needs no more than get/list on
 * pods and pods/log in the target namespace, and the pod needs no API access at all.
 *
 * @see https://kubernetes.io/docs/tasks/debug/debug-application/determine-reason-pod-failure/ (termination messages)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubeObject, Secret } from '../api/index.js';
import type { Connection } from '../providers/adapter.js';
import { connectVsphere } from '../providers/vsphere/connect.js';
import { DatastoreReader } from '../transfer/datastore-reader.js';
import type { TransferProgress } from '../transfer/progress.js';
import type { DiskWork } from './cold-vm.js';
import { copyDisk, type CopyDiskInput, type DiskDelta, type TransferResult } from './disk-copy.js';

/** Where the pod mounts things. */
export const TransferPaths = {
  /** The source Secret's keys as files (`url`, `user`, `password`, `cacert`, `insecureSkipVerify`). */
  credentials: '/etc/mtv/source',
  /** A Filesystem claim's mount; the image is `disk.img` in it. */
  filesystem: '/mnt/disk',
  /** A Block claim's device. */
  block: '/dev/mtv-disk',
  /** Scratch space for a Block claim's checkpoint (an emptyDir: a new pod starts over). */
  scratch: '/mnt/scratch',
} as const;

/** Settings of the transfer Jobs (controller settings). */
export interface TransferJobSettings {
  /** The image holding `mtv` (its entrypoint runs `mtv`). */
  image: string;
  /** Service account of the pods; it needs no API permissions. @default 'default' */
  serviceAccount?: string;
  /** Retries of a failed pod; each resumes from the checkpoint. @default 3 */
  backoffLimit?: number;
}

export type { TransferResult } from './disk-copy.js';

const short = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 10);

/**
 * The Job's name for a claim: `<claim>-transfer` (a warm precopy round's: `<claim>-transfer-<round>`),
 * shortened with a hash to stay a 63-character label.
 */
export function transferJobName(claim: string, round?: number): string {
  const suffix = round === undefined ? '-transfer' : `-transfer-${String(round)}`;
  const name = `${claim}${suffix}`;
  // 41 characters of the claim before `-<hash>-transfer` (the names of earlier versions: an
  // upgraded controller must find the Jobs it created); fewer for a longer round suffix.
  return name.length <= 63
    ? name
    : `${claim.slice(0, 41 - (suffix.length - '-transfer'.length)).replace(/-+$/, '')}-${short(claim)}${suffix}`;
}

/** The name of the per-VM source Secret in the target namespace. */
export function transferSecretName(planUid: string, vmId: string): string {
  return `mtv-source-${short(`${planUid}/${vmId}`)}`;
}

/** The Secret the transfer pods of one VM mount: the source connection as files. */
export function buildTransferSecret(
  name: string,
  namespace: string,
  labels: Readonly<Record<string, string>>,
  c: Connection,
): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { ...labels, 'mtv.konveyor.io/transfer': 'source' } },
    type: 'Opaque',
    stringData: {
      url: c.url,
      user: c.username,
      password: c.password,
      insecureSkipVerify: String(c.insecureSkipVerify),
      ...(c.caCert ? { cacert: c.caCert } : {}),
    },
  };
}

/** A `batch/v1` Job, as far as mtv writes and reads it. */
export interface Job extends KubeObject {
  spec: Record<string, unknown>;
  status?: {
    succeeded?: number;
    failed?: number;
    active?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/** Inputs of {@link buildTransferJob}. */
export interface TransferJobInput {
  disk: DiskWork;
  namespace: string;
  /** The Migration's, plan's and VM's labels (`migration`, `plan`, `vmID`, …). */
  labels: Readonly<Record<string, string>>;
  /** Inventory path of the datacenter (`dcPath`). */
  datacenterPath: string;
  /** The source Secret ({@link buildTransferSecret}). */
  secretName: string;
  settings: TransferJobSettings;
  /** A warm precopy round: which round, and for a delta round what to query. */
  precopy?: Pick<CopyDiskInput, 'file' | 'delta' | 'round' | 'snapshot'>;
}

/** The transfer Job of one disk. */
export function buildTransferJob(input: TransferJobInput): Job {
  const block = input.disk.claim.storage.volumeMode === 'Block';
  const target = block ? TransferPaths.block : path.posix.join(TransferPaths.filesystem, 'disk.img');
  const checkpoint = block
    ? path.posix.join(TransferPaths.scratch, 'checkpoint.json')
    : path.posix.join(TransferPaths.filesystem, 'disk.img.checkpoint.json');
  const labels = { ...input.labels, 'mtv.konveyor.io/transfer': 'disk' };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: transferJobName(input.disk.name, input.precopy?.round),
      namespace: input.namespace,
      labels,
      annotations: {
        'mtv.konveyor.io/claim': input.disk.name,
        'mtv.konveyor.io/disk-key': String(input.disk.disk.key),
      },
    },
    spec: {
      backoffLimit: input.settings.backoffLimit ?? 3,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: input.settings.serviceAccount ?? 'default',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'transfer',
              image: input.settings.image,
              args: [
                'transfer',
                'disk',
                '--source-file',
                input.precopy?.file ?? input.disk.disk.file,
                '--datacenter',
                input.datacenterPath,
                '--credentials',
                TransferPaths.credentials,
                '--target',
                target,
                '--checkpoint',
                checkpoint,
                '--result',
                '/dev/termination-log',
                ...precopyArgs(input.precopy),
              ],
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'FallbackToLogsOnError',
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              volumeMounts: [
                { name: 'source', mountPath: TransferPaths.credentials, readOnly: true },
                ...(block
                  ? [{ name: 'scratch', mountPath: TransferPaths.scratch }]
                  : [{ name: 'disk', mountPath: TransferPaths.filesystem }]),
              ],
              ...(block ? { volumeDevices: [{ name: 'disk', devicePath: TransferPaths.block }] } : {}),
            },
          ],
          volumes: [
            { name: 'source', secret: { secretName: input.secretName, defaultMode: 0o400 } },
            { name: 'disk', persistentVolumeClaim: { claimName: input.disk.name } },
            ...(block ? [{ name: 'scratch', emptyDir: {} }] : []),
          ],
        },
      },
    },
  };
}

/** The `mtv transfer disk` flags of a warm precopy round: round and snapshot, plus the delta's. */
function precopyArgs(p: TransferJobInput['precopy']): string[] {
  if (p?.round === undefined) return [];
  const d = p.delta;
  return [
    '--round',
    String(p.round),
    ...(p.snapshot ? ['--snapshot', p.snapshot] : []),
    ...(d
      ? [
          '--vm',
          d.vm.value,
          '--disk-key',
          String(d.deviceKey),
          '--change-id',
          d.changeId,
          '--capacity',
          String(d.capacityBytes),
        ]
      : []),
  ];
}

/** What a finished or failed transfer pod says, read from its status. */
export interface PodOutcome {
  result?: TransferResult;
  error?: string;
}

/** A Pod, as far as the controller reads it. */
export interface PodLike extends KubeObject {
  status?: {
    phase?: string;
    containerStatuses?: {
      name: string;
      state?: { terminated?: { exitCode: number; message?: string; reason?: string } };
    }[];
  };
}

/** The transfer container's outcome from a pod's status: its result when it succeeded, its message when it failed. */
export function podOutcome(pod: PodLike): PodOutcome | undefined {
  const t = pod.status?.containerStatuses?.find((c) => c.name === 'transfer')?.state?.terminated;
  if (!t) return undefined;
  if (t.exitCode !== 0) return { error: (t.message ?? t.reason ?? `exit code ${String(t.exitCode)}`).trim() };
  try {
    const r = JSON.parse(t.message ?? '') as Partial<TransferResult>;
    if (typeof r.sha256 === 'string' && typeof r.bytes === 'number') return { result: r as TransferResult };
  } catch {
    // fall through
  }
  return { error: 'the transfer pod succeeded without writing its result' };
}

/** Options of {@link runTransfer} (the `mtv transfer disk` command). */
export interface RunTransferOptions {
  /** The disk's descriptor, `[datastore] folder/name.vmdk`. */
  sourceFile: string;
  datacenter: string;
  /** Directory with the Secret's keys as files. */
  credentials: string;
  target: string;
  checkpoint: string;
  /** File the result JSON goes to (the termination message). */
  result?: string;
  /** A warm precopy round (its number and snapshot id), and for a delta round what changed. */
  round?: number;
  snapshot?: string;
  delta?: DiskDelta;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
}

/** Reads a mounted Secret directory into a connection. */
export function readCredentials(dir: string): Connection {
  const read = (key: string): string | undefined => {
    try {
      return readFileSync(path.join(dir, key), 'utf8');
    } catch {
      return undefined;
    }
  };
  const caCert = read('cacert');
  return {
    url: (read('url') ?? '').trim(),
    username: (read('user') ?? '').trim(),
    password: read('password') ?? '',
    ...(caCert ? { caCert } : {}),
    insecureSkipVerify: (read('insecureSkipVerify') ?? '').trim() === 'true',
    settings: {},
  };
}

/**
 * Copies one disk as a transfer pod does: logs in with the mounted credentials, copies with
 * checkpoints (or only the changed areas of a delta round), writes the result JSON to `result`.
 * @throws the transfer library's and the vSphere client's errors
 */
export async function runTransfer(o: RunTransferOptions): Promise<TransferResult> {
  const connection = readCredentials(o.credentials);
  const client = await connectVsphere(connection, { ...(o.signal ? { signal: o.signal } : {}) });
  const reader = new DatastoreReader({
    url: connection.url,
    datacenterPath: o.datacenter,
    ...(connection.caCert ? { caCert: connection.caCert } : {}),
    insecureSkipVerify: connection.insecureSkipVerify,
    sessionCookie: () => client.sessionCookie,
  });
  try {
    mkdirSync(path.dirname(o.checkpoint), { recursive: true });
    const result = await copyDisk(client, reader, {
      file: o.sourceFile,
      target: o.target,
      checkpoint: o.checkpoint,
      ...(o.delta ? { delta: o.delta } : {}),
      ...(o.round !== undefined ? { round: o.round } : {}),
      ...(o.snapshot ? { snapshot: o.snapshot } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    if (o.result) writeFileSync(o.result, JSON.stringify(result));
    return result;
  } finally {
    reader.close();
    await client.close().catch(() => undefined);
  }
}

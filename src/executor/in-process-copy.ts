/**
 * Copies a VM's disks in this process: one datastore reader on the run's vSphere session, each
 * disk into a raw image file with its checkpoint beside it (`<file>.checkpoint.json`), so a rerun
 * resumes a partial copy and returns at once for a finished one. The local target and the
 * cluster target's in-process executor both use it; a transfer Job's pod runs the same
 * `copyDisk` (see `transfer-job.ts`). A warm precopy round after the first copies only what changed.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatastoreReader } from '../transfer/datastore-reader.js';
import { diskCopyInput, type CopiedDisk, type CopyContext, type DiskWork } from './cold-vm.js';
import { copyDisk } from './disk-copy.js';

const MiB = 1024 * 1024;

/**
 * Copies each disk into `imageOf(disk)`, in order.
 * @throws the transfer library's errors (missing file, unsupported disk, aborted, HTTP failures)
 */
export async function copyDisksInProcess(
  disks: readonly DiskWork[],
  context: CopyContext,
  imageOf: (disk: DiskWork) => string,
): Promise<CopiedDisk[]> {
  const c = context.connection;
  const reader = new DatastoreReader({
    url: c.url,
    datacenterPath: context.datacenterPath,
    ...(c.caCert ? { caCert: c.caCert } : {}),
    insecureSkipVerify: c.insecureSkipVerify,
    sessionCookie: () => context.client.sessionCookie,
  });
  const copied: CopiedDisk[] = [];
  try {
    for (const d of disks) {
      const file = imageOf(d);
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const r = await copyDisk(context.client, reader, {
        ...diskCopyInput(d, context),
        target: file,
        checkpoint: `${file}.checkpoint.json`,
        ...(context.signal ? { signal: context.signal } : {}),
        onProgress: (p) => context.onDiskProgress?.(d.disk.key, p),
      });
      copied.push({
        key: d.disk.key,
        claim: d.name,
        path: file,
        sha256: r.sha256,
        bytes: r.bytes,
        sparseBytes: r.sparseBytes,
        resumedFrom: r.resumedFrom,
        copiedBytes: r.copiedBytes,
        durationMs: r.durationMs,
        throughputMiBps: r.durationMs > 0 ? r.copiedBytes / MiB / (r.durationMs / 1000) : 0,
      });
    }
  } finally {
    reader.close();
  }
  return copied;
}

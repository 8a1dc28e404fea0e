/**
 * `mtv transfer disk`: the program of a transfer Job's pod (cluster mode). Copies one vSphere
 * disk into the mounted claim with the same code the in-process executor runs, printing one JSON
 * progress line per interval and writing its result to the termination message. Not meant for
 * people; hidden from help.
 */
import { UsageError } from '../../api/index.js';
import type { DiskDelta } from '../../executor/disk-copy.js';
import { runTransfer } from '../../executor/transfer-job.js';
import type { CommandResult } from '../result.js';

/** Options of {@link run}. */
export interface TransferDiskOptions {
  sourceFile: string;
  datacenter: string;
  credentials: string;
  target: string;
  checkpoint: string;
  result?: string;
  /** Warm migration: the precopy round (a positive integer). */
  round?: string;
  /** Warm: the round's snapshot (moRef id); a delta round also: VM moRef id, device key, previous changeId, capacity (bytes). */
  vm?: string;
  snapshot?: string;
  diskKey?: string;
  changeId?: string;
  capacity?: string;
  /** Writes a progress line. */
  write(line: string): void;
}

/** A whole-number flag of at least `min`, or a UsageError naming it. */
function count(field: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError({
      field,
      value,
      message: `must be a whole number of at least ${String(min)}`,
      hint: 'the controller writes these flags into transfer Jobs; run `mtv transfer disk` only as they do',
    });
  return n;
}

/**
 * The delta round the flags describe: --vm, --disk-key, --change-id and --capacity together (with
 * --snapshot and --round), or none of them.
 * @throws UsageError when only some are given, or a number is malformed
 */
export function deltaFromFlags(o: TransferDiskOptions): DiskDelta | undefined {
  const flags = {
    '--vm': o.vm,
    '--disk-key': o.diskKey,
    '--change-id': o.changeId,
    '--capacity': o.capacity,
    '--snapshot': o.snapshot,
    '--round': o.round,
  };
  const delta = [o.vm, o.diskKey, o.changeId, o.capacity];
  if (delta.every((v) => v === undefined)) return undefined;
  const missing = Object.entries(flags)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length)
    throw new UsageError({
      field: missing.join(', '),
      message: `a delta round needs ${Object.keys(flags).join(', ')}; missing`,
    });
  return {
    vm: { type: 'VirtualMachine', value: o.vm ?? '' },
    snapshot: { type: 'VirtualMachineSnapshot', value: o.snapshot ?? '' },
    deviceKey: count('--disk-key', o.diskKey ?? '', 0),
    changeId: o.changeId ?? '',
    capacityBytes: count('--capacity', o.capacity ?? '', 1),
  };
}

/** Copies the disk; SIGTERM stops it at a checkpoint (the next pod resumes). */
export async function run(o: TransferDiskOptions): Promise<CommandResult> {
  const delta = deltaFromFlags(o);
  const round = o.round !== undefined ? count('--round', o.round, 1) : undefined;
  const stop = new AbortController();
  const onTerm = () => stop.abort(new Error('terminated'));
  process.once('SIGTERM', onTerm);
  try {
    const r = await runTransfer({
      sourceFile: o.sourceFile,
      datacenter: o.datacenter,
      credentials: o.credentials,
      target: o.target,
      checkpoint: o.checkpoint,
      ...(o.result ? { result: o.result } : {}),
      ...(delta ? { delta } : {}),
      ...(round !== undefined ? { round } : {}),
      ...(o.snapshot ? { snapshot: o.snapshot } : {}),
      signal: stop.signal,
      onProgress: (p) => o.write(`${JSON.stringify(p)}\n`),
    });
    return { kind: 'data', data: r, text: `${JSON.stringify(r)}\n` };
  } finally {
    process.off('SIGTERM', onTerm);
  }
}

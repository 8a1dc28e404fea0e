/**
 * `mtv transfer disk`: the program of a transfer Job's pod (cluster mode). Copies one vSphere
 * disk into the mounted claim with the same code the in-process executor runs, printing one JSON
 * progress line per interval and writing its result to the termination message. Not meant for
 * people; hidden from help.
 */
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
  /** Writes a progress line. */
  write(line: string): void;
}

/** Copies the disk; SIGTERM stops it at a checkpoint (the next pod resumes). */
export async function run(o: TransferDiskOptions): Promise<CommandResult> {
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
      signal: stop.signal,
      onProgress: (p) => o.write(`${JSON.stringify(p)}\n`),
    });
    return { kind: 'data', data: r, text: `${JSON.stringify(r)}\n` };
  } finally {
    process.off('SIGTERM', onTerm);
  }
}

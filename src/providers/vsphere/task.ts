/**
 * Waiting for a vSphere Task: a dedicated PropertyCollector with one filter on the task's
 * `info.state`, `info.error` and `info.result`, polled by WaitForUpdatesEx until the state is
 * `success` or `error` (govmomi's `task.Wait`).
 *
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.Task.html
 */
import { faultError, VSphereTimeoutError } from './errors.js';
import type { VSphereClient } from './client.js';
import { faultInfoFromLocalized } from './soap-codec.js';
import { asString, type MoRef, type VimValue } from './values.js';

/** Options of {@link waitForTask}. */
export interface WaitForTaskOptions {
  signal?: AbortSignal;
  /** Milliseconds to wait in total; 0 = no limit. @default 0 */
  timeoutMs?: number;
}

/** Task states (`TaskInfo.state`). */
export const TaskState = {
  Queued: 'queued',
  Running: 'running',
  Success: 'success',
  Error: 'error',
} as const;
/** One of {@link TaskState}'s values. */
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** Longest single WaitForUpdatesEx, in seconds, so an abandoned wait does not linger on the server. */
const maxWaitSeconds = 30;

interface TaskProgress {
  state: string | undefined;
  error: VimValue | undefined;
  result: VimValue | undefined;
  name: string | undefined;
}

/**
 * Waits until `task` succeeds or fails.
 *
 * @returns the task's `info.result` (undefined for tasks without one, such as power operations).
 * @throws the task's fault as a typed {@link VSphereFault} (e.g. {@link InvalidStateFault} for
 * InvalidPowerState); {@link VSphereTimeoutError} after `timeoutMs`; the signal's reason when aborted.
 */
export async function waitForTask(
  client: VSphereClient,
  task: MoRef,
  options: WaitForTaskOptions = {},
): Promise<VimValue | undefined> {
  const { signal, timeoutMs = 0 } = options;
  signal?.throwIfAborted();
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  const collector = await client.createPropertyCollector({ signal });
  try {
    await client.createFilter(
      {
        propSet: [{ type: 'Task', pathSet: ['info.state', 'info.error', 'info.result', 'info.name'] }],
        objectSet: [{ obj: task }],
      },
      { collector, signal },
    );
    const progress: TaskProgress = { state: undefined, error: undefined, result: undefined, name: undefined };
    let version = '';
    for (;;) {
      if (progress.state === TaskState.Success) return progress.result;
      if (progress.state === TaskState.Error)
        throw faultError(faultInfoFromLocalized(progress.error), progress.name ?? `task ${task.value}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new VSphereTimeoutError(client.address, timeoutMs, `task ${task.value}: not finished`);
      const wait = Math.min(maxWaitSeconds, Math.ceil(remaining / 1000));
      const update = await client.waitForUpdates(version, { collector, maxWaitSeconds: wait, signal });
      if (update) {
        version = update.version;
        applyChanges(
          progress,
          update.filterSet.flatMap((f) => f.objectSet.flatMap((o) => o.changeSet)),
        );
      }
    }
  } finally {
    // best effort: end a wait the abort left running, then drop the collector and its filter
    // (the session's end removes them anyway)
    if (signal?.aborted)
      await client.cancelWaitForUpdates(collector, { timeoutMs: 10_000 }).catch(() => undefined);
    await client.destroyPropertyCollector(collector, { timeoutMs: 10_000 }).catch(() => undefined);
  }
}

function applyChanges(
  progress: TaskProgress,
  changes: readonly { name: string; val: VimValue | undefined }[],
): void {
  for (const c of changes) {
    if (c.name === 'info.state') progress.state = asString(c.val);
    else if (c.name === 'info.error') progress.error = c.val;
    else if (c.name === 'info.result') progress.result = c.val;
    else if (c.name === 'info.name') progress.name = asString(c.val);
  }
}

/** `describe <kind> NAME [--vm VM]`: a readable account of one object (or of one VM of a plan). */
import { UsageError } from '../../api/index.js';
import type { Session } from '../context.js';
import { getNamed } from '../lookup.js';
import type { CommandResult } from '../result.js';
import type { ResourceView } from '../resources/view.js';

/** Options of {@link run}. */
export interface DescribeOptions {
  view: ResourceView;
  name: string;
  /** `--vm`: one VM of a plan, by name or id. */
  vm?: string | undefined;
}

/**
 * Builds the describe document; kinds that show progress also give the terminal variant (bars).
 * @throws NotFoundError; UsageError for `--vm` on a kind without VMs or a VM the plan lacks
 */
export async function run(session: Session, opts: DescribeOptions): Promise<CommandResult> {
  if (opts.vm !== undefined && !opts.view.describeProgress) {
    throw new UsageError({ field: '--vm', message: `is only for plans, not ${opts.view.noun}s` });
  }
  const obj = await getNamed(session, opts.view.type, opts.name, opts.view.noun, {
    hint: `list them with: get ${opts.view.noun}`,
  });
  if (!opts.view.describeProgress)
    return { kind: 'document', document: await opts.view.describe(obj, session) };
  const build = await opts.view.describeProgress(obj, session, { vm: opts.vm });
  return { kind: 'document', document: build(false), terminal: build(true) };
}

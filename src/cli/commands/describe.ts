/** `describe <kind> NAME`: a readable account of one object. */
import type { Session } from '../context.js';
import { getNamed } from '../lookup.js';
import type { CommandResult } from '../result.js';
import type { ResourceView } from '../resources/view.js';

/** Options of {@link run}. */
export interface DescribeOptions {
  view: ResourceView;
  name: string;
}

/** Builds the describe document. @throws NotFoundError */
export async function run(session: Session, opts: DescribeOptions): Promise<CommandResult> {
  const obj = await getNamed(session, opts.view.type, opts.name, opts.view.noun, {
    hint: `list them with: get ${opts.view.noun}`,
  });
  return { kind: 'document', document: await opts.view.describe(obj, session) };
}

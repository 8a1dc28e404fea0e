/** `describe <kind> NAME`: a readable account of one object. */
import { NotFoundError } from '../../api/errors.js';
import type { Session } from '../context.js';
import type { CommandResult } from '../result.js';
import type { ResourceView } from '../resources/view.js';

/** Options of {@link run}. */
export interface DescribeOptions {
  view: ResourceView;
  name: string;
}

/** Builds the describe document. @throws NotFoundError */
export async function run(session: Session, opts: DescribeOptions): Promise<CommandResult> {
  const obj = await session.store.get(opts.view.type, session.namespace, opts.name).catch((e: unknown) => {
    if (e instanceof NotFoundError)
      throw new NotFoundError(opts.view.noun, opts.name, session.namespace, {
        hint: `list them with: get ${opts.view.noun}`,
      });
    throw e;
  });
  return { kind: 'document', document: await opts.view.describe(obj, session) };
}

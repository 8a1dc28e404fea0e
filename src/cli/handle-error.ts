/**
 * The one place errors become messages and exit codes (only the entry point exits). A user mistake
 * never prints a stack trace; a defect says so and asks for a report.
 */
import { ExitCode, MtvError, UsageError, formatProblem } from '../api/errors.js';
import { styles, type Io } from './io.js';

/** Commander's own parse errors carry a code and an exit code. */
interface CommanderLike {
  code: string;
  exitCode: number;
}

function isCommanderError(e: unknown): e is CommanderLike & Error {
  return (
    e instanceof Error &&
    typeof (e as Partial<CommanderLike>).code === 'string' &&
    (e as Partial<CommanderLike>).code?.startsWith('commander.') === true
  );
}

/** Prints `e` on stderr and returns the exit code. */
export function handleError(e: unknown, io: Io, verbose: number): number {
  const s = styles(io.color);
  if (isCommanderError(e)) {
    // Commander already printed its message; help and version exits are not failures.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
      return ExitCode.Ok;
    return ExitCode.Usage;
  }
  if (e instanceof UsageError) {
    for (const p of e.problems) io.err(`${s.red('error:')} ${formatProblem(p)}\n`);
    if (e.hint) io.err(`${e.hint}\n`);
    return e.exitCode;
  }
  if (e instanceof MtvError) {
    io.err(`${s.red('error:')} ${e.message}\n`);
    if (e.hint) io.err(`  hint: ${e.hint}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.err(
    `${s.red('internal error:')} ${err.message}\n  this is a defect in mtv; please report it with the command you ran${verbose < 4 ? ' (add -v 4 for details)' : ''}\n`,
  );
  if (verbose >= 4 && err.stack) io.err(`${err.stack}\n`);
  return ExitCode.Failure;
}

/**
 * The one place errors become messages and exit codes (only the entry point exits). A user mistake
 * never prints a stack trace; an environment problem (a full disk, a permission) says what failed;
 * a defect says so and asks for a report.
 */
import { ExitCode, MtvError, UsageError, formatProblem } from '../api/index.js';
import { styles, type Io } from './io.js';

/** Commander's own parse errors carry a code and an exit code. */
interface CommanderLike {
  code: string;
  exitCode: number;
}

function isCommanderError(e: unknown): e is CommanderLike & Error {
  const code = (e as Partial<CommanderLike> | null)?.code;
  return e instanceof Error && typeof code === 'string' && code.startsWith('commander.');
}

/** Node system errors (`EACCES`, `ENOSPC`, `SQLITE_BUSY`…): the environment, not mtv, failed. */
function isSystemError(e: unknown): e is Error & { code: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && /^(E[A-Z]+|SQLITE_[A-Z_]+)$/.test(code);
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
    if (e.hint) io.err(`  hint: ${e.hint}\n`);
    return e.exitCode;
  }
  if (e instanceof MtvError) {
    io.err(`${s.red('error:')} ${e.message}\n`);
    if (e.hint) io.err(`  hint: ${e.hint.replace(/\n/g, '\n  hint: ')}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  // Only the first line: later lines of library messages may quote input (a kubeconfig line, a token).
  const first = err.message.split('\n')[0] ?? '';
  if (isSystemError(err)) {
    io.err(`${s.red('error:')} ${first}\n`);
    if (verbose >= 4 && err.stack) io.err(`${err.stack}\n`);
    return ExitCode.Failure;
  }
  io.err(
    `${s.red('internal error:')} ${first}\n  this is a defect in mtv; please report it with the command you ran${verbose < 4 ? ' (add -v 4 for details)' : ''}\n`,
  );
  if (verbose >= 4 && err.stack) io.err(`${err.stack}\n`);
  return ExitCode.Failure;
}

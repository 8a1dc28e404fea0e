/**
 * The small set of error classes every module throws. Only the CLI entry point turns them into
 * exit codes and messages (see `cli/handle-error.ts`).
 *
 * A user mistake is always one of these, never a bare `Error`: a bare `Error` is a defect and is
 * reported as an internal error.
 */

/**
 * One problem with user input: the field (flag, object path or position), the rule that was broken,
 * the value received, and how to fix it.
 */
export interface Problem {
  /** Flag (`--network-pairs`), object path (`spec.map[1].destination.type`) or position (`pair 2`). */
  field: string;
  /** The rule that was broken, in a sentence, e.g. `must be one of pod, multus, ignored`. */
  message: string;
  /** The offending value, quoted as received; omitted for a missing value. */
  value?: unknown;
  /** What to do instead, e.g. `write the pair as SOURCE:TARGET`. */
  hint?: string;
}

/** Exit codes of the CLI: 0 ok, 1 failure, 2 usage error. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;
/** One of {@link ExitCode}'s values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: a failure whose message is fit to show a user as-is. */
export class MtvError extends Error {
  /** CLI exit code for this failure. */
  readonly exitCode: ExitCode = ExitCode.Failure;
  /** Optional advice printed after the message (extended, e.g. with what a rollback left behind). */
  hint: string | undefined;
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint;
  }
}

/**
 * Bad input: flags, arguments, files or object fields. Carries every problem found, not only the
 * first. Exit code 2.
 */
export class UsageError extends MtvError {
  override readonly exitCode = ExitCode.Usage;
  readonly problems: readonly Problem[];
  constructor(problems: Problem | readonly Problem[], options?: { hint?: string }) {
    const list = Array.isArray(problems) ? (problems as readonly Problem[]) : [problems as Problem];
    super(list.map(formatProblem).join('\n'), options);
    this.problems = list;
  }
}

/** A named object does not exist. */
export class NotFoundError extends MtvError {
  readonly kind: string;
  readonly objectName: string;
  readonly namespace: string | undefined;
  constructor(kind: string, objectName: string, namespace?: string, options?: { hint?: string }) {
    super(`${kind} "${objectName}" not found${namespace ? ` in namespace "${namespace}"` : ''}`, options);
    this.kind = kind;
    this.objectName = objectName;
    this.namespace = namespace;
  }
}

/** An object to be created already exists. */
export class AlreadyExistsError extends MtvError {
  readonly kind: string;
  readonly objectName: string;
  readonly namespace: string | undefined;
  constructor(kind: string, objectName: string, namespace?: string, options?: { hint?: string }) {
    super(
      `${kind} "${objectName}" already exists${namespace ? ` in namespace "${namespace}"` : ''}`,
      options ?? { hint: 'choose another name, or delete the existing object first' },
    );
    this.kind = kind;
    this.objectName = objectName;
    this.namespace = namespace;
  }
}

/** An update was based on a stale resourceVersion (HTTP 409 from the API server). */
export class ConflictError extends MtvError {
  constructor(message: string, options?: { hint?: string }) {
    super(message, options ?? { hint: 'the object was changed by someone else; read it again and retry' });
  }
}

/** A watch asked for a resourceVersion that is no longer retained (HTTP 410 Gone). */
export class ExpiredError extends MtvError {}

/**
 * Any other failure reported by the API server or the local store, with its HTTP status
 * (0 when the server could not be reached).
 */
export class ApiError extends MtvError {
  /** HTTP status, 0 when the server could not be reached. */
  readonly status: number;
  constructor(message: string, status: number, options?: { hint?: string; cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** A defect in mtv itself; the message asks the user to report it. */
export class InternalError extends MtvError {}

/** Renders one problem as `field: message (got "value")` plus an indented hint. */
export function formatProblem(p: Problem): string {
  const got = p.value === undefined ? '' : ` (got ${JSON.stringify(p.value)})`;
  const hint = p.hint ? `\n  hint: ${p.hint}` : '';
  return `${p.field}: ${p.message}${got}${hint}`;
}

/** Adds a line to an error's hint (keeping its class, exit code and problems). */
export function appendHint(e: MtvError, line: string): MtvError {
  e.hint = e.hint ? `${e.hint}\n${line}` : line;
  return e;
}

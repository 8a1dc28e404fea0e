/**
 * Where a command writes. Commands never touch `process.stdout` directly, so tests and the MCP
 * server can capture output.
 */

/** Output sinks and terminal facts of one CLI invocation. */
export interface Io {
  /** Writes to standard output (no newline added). */
  out(text: string): void;
  /** Writes to standard error (no newline added). */
  err(text: string): void;
  /** Whether standard output is a terminal. */
  readonly isTTY: boolean;
  /** Whether to use ANSI colour (terminal, no `--no-color`, no `NO_COLOR`). */
  color: boolean;
}

/** An Io on the process's streams. */
export function processIo(env: Readonly<Record<string, string | undefined>>): Io {
  const isTTY = process.stdout.isTTY;
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY,
    color: isTTY && !env.NO_COLOR,
  };
}

/** ANSI styles that collapse to plain text when colour is off. */
export function styles(color: boolean): {
  bold: (s: string) => string;
  green: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  dim: (s: string) => string;
} {
  const wrap = (code: string) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap('1'), green: wrap('32'), red: wrap('31'), yellow: wrap('33'), dim: wrap('2') };
}

/**
 * The controller's structured log (pino, JSON lines): to stderr in the foreground, to
 * `$MTV_HOME/controller.log` for the background controller of local mode. Fields that could carry
 * credentials are redacted by path as a second line of defence; code never logs them on purpose.
 *
 * @see https://getpino.io/#/docs/api
 */
import { pino } from 'pino';

/** The logger type used across the controller. */
export type Logger = pino.Logger;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Append to this file; stderr when absent. */
  file?: string;
  /** @default 'info' */
  level?: string;
}

/** Creates the controller logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.file
    ? pino.destination({ dest: options.file, append: true, mkdir: true, sync: true })
    : pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'cookie', '*.cookie'],
        censor: '<redacted>',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A logger that drops everything (tests of pure parts). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

#!/usr/bin/env node
/** Entry point of `mtv` and `kubectl-mtv`: the only code that ends the process. */
import { homedir } from 'node:os';
import { processIo } from './io.js';
import { invokedAs, runCli } from './main.js';

declare const MTV_VERSION: string;

// The first Ctrl-C (or SIGTERM) aborts requests and watches so the command ends cleanly; if it
// has not ended half a second later, or on a second signal, exit at once (130 / 143, as shells do).
const controller = new AbortController();
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(code);
    controller.abort();
    setTimeout(() => process.exit(code), 500).unref();
  });
}
// A reader that stops early (`mtv … | head`, `| grep -q`) closes the pipe: stop quietly, as
// Unix tools do, instead of dying on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
const code = await runCli(process.argv.slice(2), {
  io: processIo(process.env),
  env: process.env,
  cwd: process.cwd(),
  homeDir: homedir(),
  invokedAs: invokedAs(process.argv[1]),
  version: typeof MTV_VERSION === 'string' ? MTV_VERSION : '0.0.0-dev',
  signal: controller.signal,
  self: [process.execPath, ...(process.argv[1] ? [process.argv[1]] : [])],
});
process.exitCode = code;
// Let pending stdout writes drain; do not wait for idle sockets.
setTimeout(() => process.exit(code), 2000).unref();

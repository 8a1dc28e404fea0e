/**
 * Runs the built CLI (dist/mtv.js) as a user would, in local or kube mode, and checks every
 * output for test secrets.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { findSecrets } from './secrets.js';
import { repoRoot } from './testbed.js';

/** One finished CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where a CLI suite runs. */
export interface CliTarget {
  mode: 'local' | 'kube';
  /** Environment for the CLI: MTV_HOME or KUBECONFIG. */
  env: Record<string, string>;
  namespace: string;
}

const bin = path.join(repoRoot, 'dist/mtv.js');

/** Every run's output, for the end-of-suite scan. */
export const transcript: string[] = [];

function scan(args: readonly string[], r: CliResult): void {
  const leaked = findSecrets(r.stdout + r.stderr);
  // Only what mtv printed: the command lines themselves carry the test credentials.
  transcript.push(`${r.stdout}${r.stderr}`);
  if (leaked.length) {
    throw new Error(
      `mtv ${args.join(' ')} printed a credential (${leaked.length} match(es)):\n${r.stdout}\n${r.stderr}`,
    );
  }
}

function baseEnv(target: CliTarget): NodeJS.ProcessEnv {
  const { KUBECONFIG: _k, MTV_HOME: _h, MTV_STORE: _s, ...rest } = process.env;
  // Suites that test reconciling opt in with MTV_AUTO_CONTROLLER=1; the rest create objects only.
  return {
    ...rest,
    NO_COLOR: '1',
    MTV_AUTO_CONTROLLER: '0',
    HOME: target.env.HOME ?? rest.HOME,
    ...target.env,
  };
}

/** Runs `mtv --store MODE -n NS ARGS…` and resolves with its exit code and output. */
export function runCli(
  target: CliTarget,
  args: readonly string[],
  opts: { cwd?: string; namespaced?: boolean } = {},
): Promise<CliResult> {
  const full = [
    '--store',
    target.mode,
    ...(opts.namespaced === false ? [] : ['-n', target.namespace]),
    ...args,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bin, ...full],
      { env: baseEnv(target), cwd: opts.cwd ?? repoRoot, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        const r = { code, stdout, stderr };
        try {
          scan(full, r);
          resolve(r);
        } catch (e: unknown) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      },
    );
  });
}

/** Runs the CLI and fails unless it exits 0; returns stdout. */
export async function ok(
  target: CliTarget,
  args: readonly string[],
  opts?: { cwd?: string },
): Promise<string> {
  const r = await runCli(target, args, opts);
  if (r.code !== 0) throw new Error(`mtv ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A long-running CLI process (e.g. `get -w`) whose output is collected as it arrives. */
export interface Background {
  child: ChildProcess;
  output(): string;
  /** Resolves once stdout matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<CliResult>;
}

/** Starts the CLI in the background. */
export function startCli(target: CliTarget, args: readonly string[]): Background {
  const full = ['--store', target.mode, '-n', target.namespace, ...args];
  const child = spawn(process.execPath, [bin, ...full], {
    env: baseEnv(target),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    listeners.forEach((l) => l());
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? 0)));
  return {
    child,
    output: () => stdout,
    waitFor: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(stdout)) resolve();
        };
        listeners.push(check);
        check();
        setTimeout(
          () =>
            reject(
              new Error(`timed out waiting for ${String(pattern)}; output so far:\n${stdout}\n${stderr}`),
            ),
          timeoutMs,
        );
      }),
    stop: async () => {
      child.kill('SIGINT');
      const code = await exited;
      const r = { code, stdout, stderr };
      scan(full, r);
      return r;
    },
  };
}

/**
 * The CLI as a function: `runCli(argv, …)` parses, runs one command and returns the exit code.
 * `bin.ts` calls it and is the only place that ends the process.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../api/index.js';
import { complete } from './complete.js';
import {
  createContext,
  verbosity,
  type CommandContext,
  type GlobalOptions,
  type Session,
} from './context.js';
import { normalizeBooleanFlags } from './flags.js';
import { handleError } from './handle-error.js';
import type { Io } from './io.js';
import { parseOutputFormat, listFormats } from './output/format.js';
import { objectName, printObjects, toJson, toYaml } from './output/print.js';
import { buildProgram } from './program.js';
import type { ResourceView } from './resources/view.js';
import { render, type CommandResult } from './result.js';

/** The environment of one invocation. */
export interface CliEnvironment {
  io: Io;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  homeDir: string;
  /** Basename the binary was invoked as (`kubectl-mtv` prints usage as `kubectl mtv`). */
  invokedAs: string;
  version: string;
  /** Aborts a running watch (SIGINT). */
  signal?: AbortSignal;
  /** How to start this program again (`[node, script]`), for the background controller. */
  self?: readonly string[];
}

/** The boolean flags of the program that have a `--no-` twin: long names, and short → long. */
function booleanFlags(program: Command): { long: Set<string>; short: Map<string, string> } {
  const long = new Set<string>();
  const short = new Map<string, string>();
  const walk = (c: Command): void => {
    const negated = new Set(c.options.filter((o) => o.negate).map((o) => o.long?.replace(/^--no-/, '')));
    for (const o of c.options) {
      const name = o.long?.slice(2);
      if (!name || o.required || o.optional || o.negate || !negated.has(name)) continue;
      long.add(name);
      if (o.short) short.set(o.short.slice(1), name);
    }
    c.commands.forEach(walk);
  };
  walk(program);
  return { long, short };
}

/** Commander echoes unknown options with their value (`--pasword=Hunter2`); keep the value out. */
export function sanitize(message: string): string {
  return message.replace(/(--?[\w-]+)=[^'"\s]*/g, '$1=…');
}

/** Index of `__complete` when it is the command word (only global flags before it), else -1. */
function completionIndex(argv: readonly string[], program: Command): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '__complete') return i;
    if (!a.startsWith('-')) return -1;
    const o = program.options.find((x) => x.long === a.split('=')[0] || x.short === a);
    if (o && (o.required || o.optional) && !a.includes('=')) i++;
  }
  return -1;
}

/** Runs the CLI; never throws, returns the exit code. */
export async function runCli(argv: readonly string[], e: CliEnvironment): Promise<number> {
  let ctx: CommandContext | undefined;
  let exitCode: number = ExitCode.Ok;
  let verbose = 0;
  const name = e.invokedAs.startsWith('kubectl-') ? 'kubectl mtv' : 'mtv';
  const contextFor = (cmd: Command): CommandContext => {
    const global = cmd.optsWithGlobals<GlobalOptions & { v?: string }>();
    if (global.color === false) e.io.color = false;
    ctx ??= createContext({
      io: e.io,
      env: e.env,
      cwd: e.cwd,
      homeDir: e.homeDir,
      signal: e.signal,
      self: e.self,
      global: { ...global, ...(global.v !== undefined ? { verbose: global.v } : {}) },
    });
    verbose = verbosity(ctx.global);
    return ctx;
  };
  const program = buildProgram(name, {
    version: e.version,
    session: (cmd) => contextFor(cmd).session(),
    render: (cmd, result: CommandResult) => {
      contextFor(cmd);
      render(result, cmd.opts<{ output?: string }>().output, e.io);
      if (result.kind === 'changes' && result.failed?.length) exitCode = ExitCode.Failure;
    },
    watch: (cmd, session, views, names, selector) => watch(cmd, session, views, names, selector, e),
    needsController: (session) => startLocalController(session, e),
    output: { writeOut: (s) => e.io.out(s), writeErr: (s) => e.io.err(sanitize(s)) },
  });
  try {
    const at = completionIndex(argv, program);
    if (at >= 0) {
      const words = argv.slice(at + 1);
      // Global flags before or among the words (--store, -n, --context…) select the store to read names from.
      try {
        program.parseOptions([...argv.slice(0, at), ...words.slice(0, -1)]);
      } catch {
        // an incomplete command line is normal while completing
      }
      const candidates = await complete(program, words, () => contextFor(program).session());
      e.io.out(candidates.map((c) => `${c}\n`).join(''));
      return ExitCode.Ok;
    }
    const bools = booleanFlags(program);
    await program.parseAsync(normalizeBooleanFlags(argv, bools.long, bools.short), { from: 'user' });
  } catch (err: unknown) {
    exitCode = handleError(err, e.io, verbose);
  } finally {
    await ctx?.close();
  }
  return exitCode;
}

/** `get -w`: the current objects, then one line (or document) per change, from the store's watch. */
async function watch(
  cmd: Command,
  session: Session,
  views: readonly ResourceView[],
  names: string[],
  selector: string | undefined,
  e: CliEnvironment,
): Promise<void> {
  const format = parseOutputFormat(cmd.opts<{ output?: string }>().output, listFormats);
  const { listObjects, watchChanges } = await import('./commands/get.js');
  const opts = { views, names, selector };
  const { groups, versions } = await listObjects(session, opts);
  render(
    {
      kind: 'objects',
      groups,
      list: names.length !== 1,
      allNamespaces: session.allNamespaces,
      namespace: session.namespace,
      now: session.now(),
    },
    cmd.opts<{ output?: string }>().output,
    e.io,
  );
  const controller = new AbortController();
  e.signal?.addEventListener('abort', () => controller.abort());
  for await (const change of watchChanges(session, opts, versions, controller.signal)) {
    const obj = change.event.object;
    if (format.kind === 'json') e.io.out(toJson(obj));
    else if (format.kind === 'yaml') e.io.out(`---\n${toYaml(obj)}`);
    else if (format.kind === 'name') e.io.out(`${objectName(change.view.type, obj)}\n`);
    else {
      const row = printObjects(
        [{ type: change.view.type, columns: change.view.columns, objects: [obj] }],
        format,
        {
          list: true,
          allNamespaces: session.allNamespaces,
          now: session.now(),
        },
      );
      e.io.out(format.kind === 'table' || format.kind === 'wide' ? row.split('\n').slice(1).join('\n') : row);
    }
  }
}

/**
 * Local mode: makes sure a background controller reconciles what a command wrote (unless
 * `MTV_AUTO_CONTROLLER=0`, for users who run `mtv controller run` themselves).
 */
async function startLocalController(session: Session, e: CliEnvironment): Promise<void> {
  if (session.mode !== 'local' || !e.self || e.env.MTV_AUTO_CONTROLLER === '0') return;
  const { ensureLocalController, idleExitSeconds } = await import('../controller/background.js');
  const r = await ensureLocalController({ home: session.home, self: e.self, env: e.env });
  if (r.started) {
    e.io.err(
      `mtv: started a background controller (pid ${String(r.state?.pid)}) for ${session.home}; it exits after ${String(idleExitSeconds(e.env))} s without use (mtv controller status|logs|stop)
`,
    );
  }
}

/** Basename of the running script, for `invokedAs`. */
export function invokedAs(argv1: string | undefined): string {
  return path.basename(argv1 ?? 'mtv').replace(/\.(c|m)?js$/, '');
}

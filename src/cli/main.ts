/**
 * The CLI as a function: `runCli(argv, …)` parses, runs one command and returns the exit code.
 * `bin.ts` calls it and is the only place that ends the process.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { ExitCode, planMigrationType } from '../api/index.js';
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
import { parseOutputFormat, listFormats, type OutputFormat } from './output/format.js';
import { liveFrames } from './output/live.js';
import { objectName, printObjects, toJson, toYaml, type ObjectGroup } from './output/print.js';
import { terminalStyle, type TerminalStyle } from './output/progress.js';
import { buildProgram } from './program.js';
import type { KubeObject, Plan } from '../api/index.js';
import type { ColumnFacts, WatchedChange } from './commands/get.js';
import type { PlanDetail } from './resources/plan-tables.js';
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
    watch: (cmd, session, views, names, selector, details) =>
      watch(cmd, session, views, names, selector, e, details),
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

/**
 * `get -w`: the current objects, then what changed, from the store's watch (never polling). Rows
 * are appended per change (kubectl's way), except where progress is shown on a terminal: the plan
 * table and `get plan NAME --vms/--disk` are redrawn in place; off a terminal the detail views
 * print a new snapshot whenever they change.
 */
async function watch(
  cmd: Command,
  session: Session,
  views: readonly ResourceView[],
  names: string[],
  selector: string | undefined,
  e: CliEnvironment,
  details?: readonly PlanDetail[],
): Promise<void> {
  const output = cmd.opts<{ output?: string }>().output;
  const format = parseOutputFormat(output, details ? ['table', 'json', 'yaml'] : listFormats);
  const style = terminalStyle(e.io, output);
  const { columnFacts, listObjects, watchChanges } = await import('./commands/get.js');
  const opts = { views, names, selector };
  const { groups, versions } = await listObjects(session, opts);
  const controller = new AbortController();
  e.signal?.addEventListener('abort', () => controller.abort());
  const changes = watchChanges(session, opts, versions, controller.signal);
  if (details) {
    await watchPlanDetail(groups, changes, details, format, style, e);
    return;
  }
  let facts = await columnFacts(session, groups);
  if (style.redraw && views.every((v) => v.progress)) {
    await watchRedrawn(session, groups, changes, format, facts, e, columnFacts);
    return;
  }
  render(
    {
      kind: 'objects',
      groups,
      list: names.length !== 1,
      allNamespaces: session.allNamespaces,
      namespace: session.namespace,
      now: session.now(),
      ...facts,
    },
    output,
    e.io,
  );
  for await (const change of changes) {
    const obj = change.event.object;
    // A warm plan's CUTOVER lives on its Migration (cutover plan moves it): read it again.
    if (isWarmPlan(obj)) facts = await columnFacts(session, [{ ...groupOf(groups, change), objects: [obj] }]);
    if (format.kind === 'json') e.io.out(toJson(obj));
    else if (format.kind === 'yaml') e.io.out(`---\n${toYaml(obj)}`);
    else if (format.kind === 'name') e.io.out(`${objectName(change.view.type, obj)}\n`);
    else {
      const row = printObjects(
        [{ type: change.view.type, columns: change.view.columns, objects: [obj] }],
        format,
        { list: true, allNamespaces: session.allNamespaces, now: session.now(), ...facts },
      );
      e.io.out(format.kind === 'table' || format.kind === 'wide' ? row.split('\n').slice(1).join('\n') : row);
    }
  }
}

/** True for a Plan of type warm (its CUTOVER column comes from its Migration). */
function isWarmPlan(o: KubeObject): boolean {
  return o.kind === 'Plan' && planMigrationType((o as Plan).spec) === 'warm';
}

/** The listed group a change belongs to. */
function groupOf(groups: readonly ObjectGroup[], change: WatchedChange): ObjectGroup {
  return (
    groups.find((g) => g.type === change.view.type) ?? {
      type: change.view.type,
      columns: change.view.columns,
      objects: [],
    }
  );
}

/** `get plan(s) -w` on a terminal: the whole table, redrawn in place on every change. */
async function watchRedrawn(
  session: Session,
  groups: readonly ObjectGroup[],
  changes: AsyncIterable<WatchedChange>,
  format: OutputFormat,
  initialFacts: ColumnFacts,
  e: CliEnvironment,
  columnFacts: (session: Session, groups: readonly ObjectGroup[]) => Promise<ColumnFacts>,
): Promise<void> {
  let facts = initialFacts;
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  const current = groups.map((g) => ({ ...g, objects: new Map(g.objects.map((o) => [key(o), o])) }));
  const screen = liveFrames((t) => e.io.out(t), true);
  const draw = (): void =>
    screen.show(
      printObjects(
        current.map((g) => ({ ...g, objects: [...g.objects.values()] })),
        format,
        { list: true, allNamespaces: session.allNamespaces, now: session.now(), bars: true, ...facts },
      ),
    );
  draw();
  for await (const change of changes) {
    const group = current.find((g) => g.type === change.view.type);
    const obj = change.event.object;
    if (change.event.type === 'DELETED') group?.objects.delete(key(obj));
    else group?.objects.set(key(obj), obj);
    // A warm plan's CUTOVER lives on its Migration (cutover plan moves it): read it again.
    if (isWarmPlan(obj))
      facts = await columnFacts(
        session,
        current.map((g) => ({ ...g, objects: [...g.objects.values()] })),
      );
    draw();
  }
}

/** `get plan NAME --vms/--disk -w`: the tables again on every change of the plan. */
async function watchPlanDetail(
  groups: readonly ObjectGroup[],
  changes: AsyncIterable<WatchedChange>,
  details: readonly PlanDetail[],
  format: OutputFormat,
  style: TerminalStyle,
  e: CliEnvironment,
): Promise<void> {
  const { planDetailData, planDetailText } = await import('./resources/plan-tables.js');
  const { runVms } = await import('./resources/plan-status.js');
  const first = groups[0]?.objects[0] as Plan | undefined;
  const name = first?.metadata.name ?? '';
  const frame = (plan: Plan): string => {
    if (!runVms(plan).length)
      return `plan ${name} has not started; waiting for it to start (mtv start plan ${name})\n`;
    if (format.kind === 'json') return toJson(planDetailData(plan, details));
    if (format.kind === 'yaml') return `---\n${toYaml(planDetailData(plan, details))}`;
    return planDetailText(plan, details, style.bars);
  };
  const screen = liveFrames((t) => e.io.out(t), style.redraw);
  if (first) screen.show(frame(first));
  for await (const change of changes) {
    if (change.event.type === 'DELETED') {
      screen.note(`plan ${name} deleted`);
      return;
    }
    screen.show(frame(change.event.object as Plan));
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

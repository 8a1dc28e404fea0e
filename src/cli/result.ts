/**
 * What commands return, and how the CLI prints it. Commands return data; the MCP server can use
 * the same results without parsing text.
 */
import type { KubeObject, Secret } from '../api/index.js';
import type { Io } from './io.js';
import { renderDocument, type Document } from './output/document.js';
import { parseOutputFormat, listFormats } from './output/format.js';
import { printObjects, toJson, toYaml, type ObjectGroup } from './output/print.js';
import { terminalStyle } from './output/progress.js';
import { UsageError, type MtvError } from '../api/index.js';

/** One object written (or not) by a command, e.g. `provider/vc1 created`. */
export interface Change {
  /** `kind/name`, e.g. `provider/vc1`. */
  ref: string;
  action: 'created' | 'patched' | 'deleted' | 'unchanged';
  /** Extra words after the action, e.g. `(credentials for provider/vc1)`. */
  note?: string;
}

/** A command's result. */
export type CommandResult =
  /** Written objects; `notes` explain choices made for the user (stderr), `warnings` flag risks. */
  | { kind: 'changes'; changes: Change[]; warnings?: string[]; notes?: string[]; failed?: MtvError[] }
  | {
      kind: 'objects';
      groups: ObjectGroup[];
      list: boolean;
      allNamespaces: boolean;
      namespace: string;
      now: Date;
      /** Inventory counts by provider uid, for the provider table. */
      inventoryCounts?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
      /** Cutover times of running warm plans, for the plan table. */
      cutovers?: ReadonlyMap<string, string>;
    }
  | { kind: 'dryRun'; objects: KubeObject[] }
  /** `terminal`: the same document with progress drawn as bars, for a terminal. */
  | { kind: 'document'; document: Document; terminal?: Document }
  /** Text for stdout; `stderr` carries warnings and empty-result notes. */
  | { kind: 'text'; text: string; stderr?: string }
  /**
   * Structured data: `-o json|yaml` prints `data`, the default prints `text` (or `terminal`, the
   * same text with progress bars, on a terminal).
   */
  | { kind: 'data'; data: unknown; text: string; terminal?: string };

/**
 * Replaces every Secret value with `<redacted>` (keys stay visible). The marker sits in `data`,
 * where it is not valid base64, so applying the output fails instead of storing it.
 */
export function redact(obj: KubeObject): KubeObject {
  if (obj.kind !== 'Secret') return obj;
  const s = obj as Secret;
  const keys = [...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})];
  const { data: _d, stringData: _s, ...rest } = s;
  return { ...rest, data: Object.fromEntries(keys.map((k) => [k, '<redacted>'])) } as Secret;
}

/** Prints a result in the `-o` format given. */
export function render(result: CommandResult, output: string | undefined, io: Io): void {
  const { bars } = terminalStyle(io, output);
  switch (result.kind) {
    case 'changes':
      for (const n of result.notes ?? []) io.err(`${n}\n`);
      for (const w of result.warnings ?? []) io.err(`Warning: ${w}\n`);
      for (const c of result.changes) io.out(`${c.ref} ${c.action}${c.note ? ` ${c.note}` : ''}\n`);
      for (const f of result.failed ?? [])
        io.err(`error: ${f.message}\n${f.hint ? `  hint: ${f.hint}\n` : ''}`);
      return;
    case 'text':
      if (result.stderr) io.err(result.stderr);
      io.out(result.text);
      return;
    case 'data': {
      const format = parseOutputFormat(output, ['table', 'json', 'yaml']);
      io.out(
        format.kind === 'json'
          ? toJson(result.data)
          : format.kind === 'yaml'
            ? toYaml(result.data)
            : bars && result.terminal !== undefined
              ? result.terminal
              : result.text,
      );
      return;
    }
    case 'document': {
      const format = parseOutputFormat(output, ['table', 'markdown', 'json', 'yaml']);
      const doc = bars && result.terminal ? result.terminal : result.document;
      io.out(renderDocument(doc, format.kind as 'table', io.color));
      return;
    }
    case 'dryRun': {
      const format = parseOutputFormat(output ?? 'yaml', ['json', 'yaml']);
      const objs = result.objects.map(redact);
      if (format.kind === 'json')
        io.out(toJson(objs.length === 1 ? objs[0] : { apiVersion: 'v1', kind: 'List', items: objs }));
      else io.out(objs.map((o) => toYaml(o)).join('---\n'));
      return;
    }
    case 'objects': {
      const format = parseOutputFormat(output, listFormats);
      const count = result.groups.reduce((n, g) => n + g.objects.length, 0);
      if (count === 0 && result.list && ['table', 'wide', 'markdown', 'name'].includes(format.kind)) {
        io.err(
          result.allNamespaces
            ? 'No resources found\n'
            : `No resources found in ${result.namespace} namespace.\n`,
        );
        return;
      }
      io.out(
        printObjects(result.groups, format, {
          list: result.list,
          allNamespaces: result.allNamespaces,
          now: result.now,
          ...(result.inventoryCounts ? { inventoryCounts: result.inventoryCounts } : {}),
          ...(result.cutovers ? { cutovers: result.cutovers } : {}),
          bars,
        }),
      );
      return;
    }
  }
}

/** Rejects `-o` on commands whose output is only a change list (unless dry-running). */
export function noOutputWithoutDryRun(output: string | undefined, dryRun: boolean | undefined): void {
  if (output !== undefined && !dryRun) {
    throw new UsageError({
      field: '--output',
      message: 'is only used with --dry-run here',
      value: output,
      hint: 'add --dry-run to print the objects instead of creating them',
    });
  }
}

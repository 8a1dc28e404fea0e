/**
 * Executes a parsed naming template over flat data, as Go's `text/template` executes Forklift's
 * templates over its template data structs: an unknown field is an error (a struct has no such
 * field), a value piped into a command becomes its last argument, `and`/`or` short-circuit, and
 * function arguments are type-checked.
 *
 * @see https://pkg.go.dev/text/template
 */
import {
  checkArguments,
  FunctionError,
  templateFunctions,
  unsupportedFunctions,
} from './go-template-functions.js';
import type { Command, Loc, Operand, ParsedTemplate, Pipeline, TemplateNode } from './go-template-parser.js';
import { goValue, printValue, truthy, type GoValue, type TemplateVars } from './go-template-values.js';

/** Kinds of execution failures. */
export type ExecIssueCode = 'unknown-variable' | 'unknown-function' | 'unsupported' | 'render';

/** Executing the template failed at a location. */
export class TemplateExecError extends Error {
  readonly code: ExecIssueCode;
  readonly start: number;
  readonly end: number;
  constructor(code: ExecIssueCode, message: string, at: Loc) {
    super(message);
    this.name = 'TemplateExecError';
    this.code = code;
    this.start = at.start;
    this.end = at.end;
  }
}

const nil: GoValue = { kind: 'nil' };

class Executor {
  private readonly vars: TemplateVars;
  constructor(vars: TemplateVars) {
    this.vars = vars;
  }

  nodes(nodes: readonly TemplateNode[]): string {
    let out = '';
    for (const node of nodes) {
      if (node.type === 'Text') out += node.text;
      else if (node.type === 'Action') out += printValue(this.pipeline(node.pipe));
      else {
        const branch = node.branches.find((b) => truthy(this.pipeline(b.cond)));
        const body = branch ? branch.body : node.otherwise;
        if (body) out += this.nodes(body);
      }
    }
    return out;
  }

  pipeline(pipe: Pipeline): GoValue {
    let piped: GoValue | undefined;
    for (const cmd of pipe.commands) piped = this.command(cmd, piped);
    return piped ?? nil;
  }

  private command(cmd: Command, piped: GoValue | undefined): GoValue {
    const [first, ...rest] = cmd.args;
    if (first?.type === 'Identifier') return this.call(first.name, first, rest, piped, cmd);
    if (rest.length > 0 || piped !== undefined || !first) {
      throw new TemplateExecError('render', `can't give argument to non-function ${describe(first)}`, cmd);
    }
    return this.operand(first);
  }

  private call(
    name: string,
    at: Loc,
    argNodes: readonly Operand[],
    piped: GoValue | undefined,
    cmd: Loc,
  ): GoValue {
    if (unsupportedFunctions.has(name)) {
      throw new TemplateExecError('unsupported', `function "${name}" is not supported in name templates`, at);
    }
    const fn = templateFunctions[name];
    if (!fn) throw new TemplateExecError('unknown-function', `function "${name}" not defined`, at);
    if (name === 'and' || name === 'or') return this.shortCircuit(name, argNodes, piped, cmd);
    const args = argNodes.map((a) => this.operand(a));
    if (piped !== undefined) args.push(piped);
    const problem = checkArguments(name, fn, args);
    if (problem) throw new TemplateExecError('render', `error calling ${name}: ${problem}`, cmd);
    try {
      return fn.call(args);
    } catch (e: unknown) {
      if (e instanceof FunctionError)
        throw new TemplateExecError('render', `error calling ${name}: ${e.message}`, cmd);
      throw e;
    }
  }

  /** `and` / `or`: evaluate left to right, stop at the first false (and) or true (or) value. */
  private shortCircuit(
    name: 'and' | 'or',
    argNodes: readonly Operand[],
    piped: GoValue | undefined,
    cmd: Loc,
  ): GoValue {
    const thunks: (() => GoValue)[] = argNodes.map((a) => () => this.operand(a));
    if (piped !== undefined) thunks.push(() => piped);
    if (thunks.length === 0)
      throw new TemplateExecError('render', `wrong number of args for ${name}: want at least 1 got 0`, cmd);
    let v: GoValue = nil;
    for (const thunk of thunks) {
      v = thunk();
      if (truthy(v) === (name === 'or')) return v;
    }
    return v;
  }

  operand(op: Operand): GoValue {
    switch (op.type) {
      case 'String':
        return { kind: 'string', value: op.value };
      case 'Number':
        return op.isInt ? { kind: 'int', value: op.value } : { kind: 'float', value: op.value };
      case 'Bool':
        return { kind: 'bool', value: op.value };
      case 'Nil':
        return nil;
      case 'Pipe':
        return this.pipeline(op.pipe);
      case 'Identifier':
        return this.call(op.name, op, [], undefined, op);
      case 'Dot':
        throw new TemplateExecError(
          'unsupported',
          'the template data itself cannot be used; use a field such as .VmName',
          op,
        );
      case 'Field':
        return this.field(op.names, op);
    }
  }

  private field(names: readonly string[], at: Loc): GoValue {
    const [head = '', ...tail] = names;
    const raw = Object.hasOwn(this.vars, head) ? this.vars[head] : undefined;
    if (raw === undefined)
      throw new TemplateExecError('unknown-variable', `can't evaluate field ${head}: no such variable`, at);
    const value = goValue(raw);
    if (tail.length > 0) {
      throw new TemplateExecError(
        'render',
        `can't evaluate field ${tail[0] ?? ''} in type ${value.kind}`,
        at,
      );
    }
    return value;
  }
}

function describe(op: Operand | undefined): string {
  if (!op) return '';
  if (op.type === 'Field') return `.${op.names.join('.')}`;
  if (op.type === 'String') return JSON.stringify(op.value);
  if (op.type === 'Number') return op.text;
  return op.type.toLowerCase();
}

/**
 * Renders a parsed template with `vars`.
 * @throws {@link TemplateExecError} for an unknown variable or function, a wrongly typed argument,
 *   or a function that fails.
 */
export function executeTemplate(template: ParsedTemplate, vars: TemplateVars): string {
  return new Executor(vars).nodes(template.nodes);
}

/** A field or function name used by a template, with its location. */
export interface TemplateReference extends Loc {
  kind: 'field' | 'function';
  name: string;
  /** For fields: the selector after the first name (`.A.B` → `['B']`). */
  tail?: string[];
}

function operandRefs(op: Operand, out: TemplateReference[]): void {
  if (op.type === 'Field') {
    const [name = '', ...tail] = op.names;
    out.push({ kind: 'field', name, start: op.start, end: op.end, ...(tail.length ? { tail } : {}) });
  } else if (op.type === 'Identifier')
    out.push({ kind: 'function', name: op.name, start: op.start, end: op.end });
  else if (op.type === 'Pipe') pipelineRefs(op.pipe, out);
}

function pipelineRefs(pipe: Pipeline, out: TemplateReference[]): void {
  for (const cmd of pipe.commands) for (const op of cmd.args) operandRefs(op, out);
}

/** Every field and function a template names, in every branch, in source order. */
export function templateReferences(template: ParsedTemplate): TemplateReference[] {
  const out: TemplateReference[] = [];
  const walk = (nodes: readonly TemplateNode[]): void => {
    for (const node of nodes) {
      if (node.type === 'Action') pipelineRefs(node.pipe, out);
      else if (node.type === 'If') {
        for (const b of node.branches) {
          pipelineRefs(b.cond, out);
          walk(b.body);
        }
        if (node.otherwise) walk(node.otherwise);
      }
    }
  };
  walk(template.nodes);
  return out;
}

/** Every `eq`/`ne` comparison of a field with string constants, for checks on known value sets. */
export function fieldComparisons(
  template: ParsedTemplate,
): { field: string; value: string; start: number; end: number }[] {
  const out: { field: string; value: string; start: number; end: number }[] = [];
  const visitPipe = (pipe: Pipeline): void => {
    for (const cmd of pipe.commands) {
      const [fn, ...args] = cmd.args;
      if (fn?.type === 'Identifier' && (fn.name === 'eq' || fn.name === 'ne')) {
        const field = args.find((a) => a.type === 'Field');
        for (const a of args) {
          if (a.type === 'String' && field?.type === 'Field') {
            out.push({ field: field.names.join('.'), value: a.value, start: a.start, end: a.end });
          }
        }
      }
      for (const a of cmd.args) if (a.type === 'Pipe') visitPipe(a.pipe);
    }
  };
  const walk = (nodes: readonly TemplateNode[]): void => {
    for (const node of nodes) {
      if (node.type === 'Action') visitPipe(node.pipe);
      else if (node.type === 'If') {
        for (const b of node.branches) {
          visitPipe(b.cond);
          walk(b.body);
        }
        if (node.otherwise) walk(node.otherwise);
      }
    }
  };
  walk(template.nodes);
  return out;
}

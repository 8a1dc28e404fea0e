/**
 * Names of what a migration creates, as Forklift chooses them: the target VM name (the source
 * name normalised to DNS-1123, with a random suffix when taken) and the Go-template names of PVCs,
 * volumes and network interfaces (`pvcNameTemplate`, `volumeNameTemplate`,
 * `networkNameTemplate`, resolved VM → plan → default).
 *
 * Pure functions: randomness is passed in.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/util/utils.go (ChangeVmName)
 * @see https://github.com/kubev2v/forklift/blob/main/docs/template-support-matrix.md
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/templateutil/README.md (functions)
 */
import { isDns1123Label, UsageError } from '../api/index.js';
import type { PlanSpec, PlanVM, Problem } from '../api/index.js';
import {
  executeTemplate,
  fieldComparisons,
  TemplateExecError,
  templateReferences,
} from './go-template-exec.js';
import { templateFunctions, unsupportedFunctions } from './go-template-functions.js';
import { parseTemplate, TemplateSyntaxError, type ParsedTemplate } from './go-template-parser.js';
import type { TemplateVars } from './go-template-values.js';
import { caretView } from '../query/index.js';

export type { TemplateVars } from './go-template-values.js';

/** Longest DNS-1123 label (VM names, volume and interface names). */
const labelMax = 63;

/** Characters Forklift turns into `-` when normalising a VM name. */
const dashed = /[_+* /\\]/g;

/** One dot-separated part of a name, normalised the way Forklift's `ChangeVmName` does. */
function normalizePart(part: string): string {
  const cleaned = part
    .replace(dashed, '-')
    .replace(/[^a-z0-9-]/g, '')
    .split('-')
    .filter((p) => p !== '')
    .join('-');
  return cleaned.slice(0, labelMax).replace(/^-+|-+$/g, '');
}

/**
 * Normalises a source VM name to a Kubernetes name, as Forklift's `ChangeVmName` does: lowercase;
 * `_ + * space / \` become `-`; other characters outside `[a-z0-9-.]` are dropped; runs of `-`
 * collapse; each dot-separated part is trimmed of `-` and cut to 63 characters; empty parts
 * vanish; the whole is cut to 63 characters and trimmed of `.` and `-`.
 *
 * Dots between parts are kept (Forklift keeps them: `db01.prod` stays `db01.prod`), so the result
 * is a DNS-1123 subdomain of at most 63 characters whose every part is a DNS-1123 label. A name
 * that normalises to nothing becomes `vm` (Forklift uses `vm-` plus 4 random characters; pass the
 * result to {@link uniqueName} for that).
 *
 * @example normalizeVmName('My_VM (prod)') // 'my-vm-prod'
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/util/utils.go
 */
export function normalizeVmName(name: string): string {
  const parts = name
    .toLowerCase()
    .replace(/^[.-]+|[.-]+$/g, '')
    .split('.')
    .map(normalizePart)
    .filter((p) => p !== '');
  const joined = parts
    .join('.')
    .slice(0, labelMax)
    .replace(/^[.-]+|[.-]+$/g, '');
  return joined === '' ? 'vm' : joined;
}

const suffixAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Returns `base` if it is not in `taken`, else `base-xxxx` with 4 random characters from
 * `[a-z0-9]` (Forklift's suffix), cutting `base` so that the result stays within 63 characters.
 *
 * @param random a source of numbers in [0, 1), e.g. `Math.random` or a seeded generator.
 * @throws Error when 1000 attempts all collide (a full namespace, or a broken `random`).
 */
export function uniqueName(base: string, taken: ReadonlySet<string>, random: () => number): string {
  if (!taken.has(base)) return base;
  const stem = base.slice(0, labelMax - 5).replace(/[.-]+$/, '');
  for (let attempt = 0; attempt < 1000; attempt++) {
    let suffix = '';
    for (let i = 0; i < 4; i++) suffix += suffixAlphabet.charAt(Math.floor(random() * suffixAlphabet.length));
    const candidate = `${stem}-${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
  throw new Error(`no free name for "${base}" after 1000 attempts`);
}

/** The three naming templates. */
export const NameTemplateKind = { Pvc: 'pvc', Volume: 'volume', Network: 'network' } as const;
/** One of {@link NameTemplateKind}'s values. */
export type NameTemplateKind = (typeof NameTemplateKind)[keyof typeof NameTemplateKind];

/**
 * Forklift's defaults for vSphere sources. The PVC default is rendered and used as a
 * `generateName` prefix (a `-` is appended, the API server — or the local store — adds 5 random
 * characters), so two migrations of one VM never collide.
 */
export const DefaultNameTemplates: Readonly<Record<NameTemplateKind, string>> = {
  pvc: '{{trunc 15 .PlanName}}-{{trunc 15 .TargetVmName}}-disk-{{.DiskIndex}}',
  volume: 'vol-{{.VolumeIndex}}',
  network: 'net-{{.NetworkIndex}}',
};

/**
 * The variables each template receives (Forklift's `VSpherePVCNameTemplateData`,
 * `VolumeNameTemplateData`, `NetworkNameTemplateData`):
 * - pvc: `VmName` (source name, as is), `TargetVmName` (target name, label-safe), `PlanName`,
 *   `DiskIndex` and `RootDiskIndex` (0-based, in target disk order), `Shared` (bool), `FileName`
 *   (the vmdk file name, e.g. `web-1_1.vmdk`), `WinDriveLetter` (e.g. `c`, or empty);
 * - volume: `PVCName`, `VolumeIndex`;
 * - network: `NetworkName`, `NetworkNamespace` (empty for the pod network), `NetworkType`
 *   (`pod` or `multus`, lowercase as Forklift's builder passes it), `NetworkIndex`.
 */
export const NameTemplateVariables: Readonly<Record<NameTemplateKind, readonly string[]>> = {
  pvc: [
    'VmName',
    'TargetVmName',
    'PlanName',
    'DiskIndex',
    'RootDiskIndex',
    'Shared',
    'FileName',
    'WinDriveLetter',
  ],
  volume: ['PVCName', 'VolumeIndex'],
  network: ['NetworkName', 'NetworkNamespace', 'NetworkType', 'NetworkIndex'],
};

/** Sample data a template is checked with (several sets, to reach both sides of conditions). */
const samples: Readonly<Record<NameTemplateKind, readonly TemplateVars[]>> = {
  pvc: [
    {
      VmName: 'Test_VM',
      TargetVmName: 'test-vm',
      PlanName: 'test-plan',
      DiskIndex: 0,
      RootDiskIndex: 0,
      Shared: false,
      FileName: 'test_vm.vmdk',
      WinDriveLetter: 'c',
    },
    {
      VmName: 'Test_VM',
      TargetVmName: 'test-vm',
      PlanName: 'test-plan',
      DiskIndex: 1,
      RootDiskIndex: 0,
      Shared: true,
      FileName: 'test_vm_1.vmdk',
      WinDriveLetter: '',
    },
  ],
  volume: [
    { PVCName: 'test-plan-test-vm-disk-0-x7k2q', VolumeIndex: 0 },
    { PVCName: 'test-plan-test-vm-disk-1-p9d4m', VolumeIndex: 1 },
  ],
  network: [
    {
      NetworkName: 'test-network',
      NetworkNamespace: 'test-namespace',
      NetworkType: 'multus',
      NetworkIndex: 0,
    },
    { NetworkName: '', NetworkNamespace: '', NetworkType: 'pod', NetworkIndex: 1 },
  ],
};

/** Values a field can take, for "this comparison never matches" warnings. */
const knownValues: Readonly<Record<string, readonly string[]>> = { NetworkType: ['pod', 'multus'] };

/** Severity of a {@link NameTemplateIssue}: errors make the template unusable. */
export type NameTemplateSeverity = 'error' | 'warning';

/** One problem found in a naming template. */
export interface NameTemplateIssue {
  severity: NameTemplateSeverity;
  /** syntax, unsupported, unknown-variable, unknown-function, render, empty, invalid-name, never-matches. */
  code:
    | 'syntax'
    | 'unsupported'
    | 'unknown-variable'
    | 'unknown-function'
    | 'render'
    | 'empty'
    | 'invalid-name'
    | 'never-matches';
  /** What is wrong, in a sentence. */
  message: string;
  /** Offset in the template of the offending part, when it has one. */
  start?: number;
  /** Offset just past it. */
  end?: number;
  /** How to fix it. */
  hint?: string;
}

/** The template was rejected; `problems` quote each issue with a caret under its position. */
export class NameTemplateError extends UsageError {
  readonly template: string;
  readonly issues: readonly NameTemplateIssue[];
  constructor(template: string, issues: readonly NameTemplateIssue[], field: string) {
    super(issues.map((issue) => issueProblem(template, issue, field)));
    this.template = template;
    this.issues = issues;
  }
}

function issueProblem(template: string, issue: NameTemplateIssue, field: string): Problem {
  const where = issue.start === undefined ? '' : `\n${caretView(template, issue.start, issue.end)}`;
  return { field, message: `${issue.message}${where}`, ...(issue.hint ? { hint: issue.hint } : {}) };
}

function syntaxIssue(e: TemplateSyntaxError): NameTemplateIssue {
  return {
    severity: 'error',
    code: e.issue.code,
    message: e.issue.message,
    start: e.issue.start,
    end: e.issue.end,
  };
}

function execIssue(e: TemplateExecError): NameTemplateIssue {
  return { severity: 'error', code: e.code, message: e.message, start: e.start, end: e.end };
}

/**
 * Renders a naming template with `vars`, as Go's `text/template` with Forklift's function set.
 *
 * Supported: `{{.Field}}`, string/number/bool constants, pipes (`{{.VmName | lower | trunc 10}}`),
 * parentheses, `{{if}}`/`{{else if}}`/`{{else}}`/`{{end}}`, comments, `{{-`/`-}}` trim markers;
 * Go's `eq ne lt le gt ge and or not len print printf println`; sprig's `lower upper title
 * untitle trim trimAll trimSuffix trimPrefix replace contains hasPrefix hasSuffix repeat substr
 * nospace trunc initials mustRegexReplaceAll add add1 sub div mod mul max min floor ceil round`.
 *
 * @param field where the template came from, for error messages (e.g. `spec.pvcNameTemplate`).
 * @returns the rendered text (not validated as a name; see {@link renderObjectName}).
 * @throws {@link NameTemplateError} for a syntax error, an unknown variable or function, or a
 *   failing function, with its position.
 */
export function renderNameTemplate(template: string, vars: TemplateVars, field = 'name template'): string {
  let parsed: ParsedTemplate;
  try {
    parsed = parseTemplate(template);
    return executeTemplate(parsed, vars);
  } catch (e: unknown) {
    if (e instanceof TemplateSyntaxError) throw new NameTemplateError(template, [syntaxIssue(e)], field);
    if (e instanceof TemplateExecError) throw new NameTemplateError(template, [execIssue(e)], field);
    throw e;
  }
}

function referenceIssues(parsed: ParsedTemplate, kind: NameTemplateKind): NameTemplateIssue[] {
  const allowed = NameTemplateVariables[kind];
  const issues: NameTemplateIssue[] = [];
  for (const ref of templateReferences(parsed)) {
    const at = { start: ref.start, end: ref.end };
    if (ref.kind === 'function' && unsupportedFunctions.has(ref.name)) {
      issues.push({
        severity: 'error',
        code: 'unsupported',
        message: `function "${ref.name}" is not supported in name templates`,
        ...at,
      });
    } else if (ref.kind === 'function' && !(ref.name in templateFunctions)) {
      issues.push({
        severity: 'error',
        code: 'unknown-function',
        message: `function "${ref.name}" not defined`,
        ...at,
      });
    } else if (ref.kind === 'field' && !allowed.includes(ref.name)) {
      issues.push({
        severity: 'error',
        code: 'unknown-variable',
        message: `.${ref.name} is not a ${kind} template variable`,
        hint: `use one of ${allowed.map((v) => `.${v}`).join(', ')}`,
        ...at,
      });
    } else if (ref.kind === 'field' && ref.tail) {
      issues.push({
        severity: 'error',
        code: 'render',
        message: `.${ref.name} has no field ${ref.tail.join('.')}`,
        ...at,
      });
    }
  }
  return issues;
}

function comparisonWarnings(parsed: ParsedTemplate): NameTemplateIssue[] {
  return fieldComparisons(parsed).flatMap((c) => {
    const values = knownValues[c.field];
    if (!values || values.includes(c.value)) return [];
    return [
      {
        severity: 'warning' as const,
        code: 'never-matches' as const,
        message: `.${c.field} is never "${c.value}": it is one of ${values.map((v) => `"${v}"`).join(', ')}`,
        hint: `compare with "${values.find((v) => v.toLowerCase() === c.value.toLowerCase()) ?? values[0] ?? ''}"`,
        start: c.start,
        end: c.end,
      },
    ];
  });
}

function sampleIssues(parsed: ParsedTemplate, kind: NameTemplateKind): NameTemplateIssue[] {
  const issues: NameTemplateIssue[] = [];
  const seen = new Set<string>();
  for (const vars of samples[kind]) {
    let out: string;
    try {
      out = executeTemplate(parsed, vars);
    } catch (e: unknown) {
      if (e instanceof TemplateExecError) issues.push(execIssue(e));
      else throw e;
      continue;
    }
    const problem = nameProblem(out);
    if (problem && !seen.has(problem.code)) {
      seen.add(problem.code);
      issues.push({ ...problem, message: `${problem.message} (with sample values ${JSON.stringify(vars)})` });
    }
  }
  return issues;
}

/** Why a rendered name is not usable, or undefined when it is a DNS-1123 label. */
function nameProblem(out: string): NameTemplateIssue | undefined {
  if (out === '') return { severity: 'error', code: 'empty', message: 'renders to an empty name' };
  if (isDns1123Label(out)) return undefined;
  return {
    severity: 'error',
    code: 'invalid-name',
    message: `renders to "${out}", which is not a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)`,
    hint: 'pipe free text through lower and replace, and cut it with trunc',
  };
}

/**
 * Checks a naming template without migrating anything: syntax; every variable (in every branch)
 * against the variables of `kind`; every function against the supported set; then renders it with
 * sample values and checks that each result is a DNS-1123 label of at most 63 characters — the
 * rule Forklift applies to all three kinds (`IsDNS1123Label` in its plan validation and builder),
 * PVC names included. Warns about comparisons that can never match (`eq .NetworkType "Pod"`:
 * Forklift's builder passes `pod` / `multus`).
 *
 * @returns every issue found, errors first, each located when it has a position; empty when the
 *   template is usable.
 */
export function checkNameTemplate(template: string, kind: NameTemplateKind): NameTemplateIssue[] {
  let parsed: ParsedTemplate;
  try {
    parsed = parseTemplate(template);
  } catch (e: unknown) {
    if (e instanceof TemplateSyntaxError) return [syntaxIssue(e)];
    throw e;
  }
  const structural = referenceIssues(parsed, kind);
  const rendered = structural.length > 0 ? [] : sampleIssues(parsed, kind);
  const unique = new Map<string, NameTemplateIssue>();
  for (const issue of [...structural, ...rendered, ...comparisonWarnings(parsed)]) {
    const key = `${issue.code}:${String(issue.start)}:${issue.message}`;
    if (!unique.has(key)) unique.set(key, issue);
  }
  return [...unique.values()].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
}

/**
 * The template that applies to one VM: the VM's own, else the plan's, else Forklift's default.
 * Empty strings count as unset, as in Forklift.
 */
export function resolveNameTemplate(
  kind: NameTemplateKind,
  planVM: Pick<PlanVM, 'pvcNameTemplate' | 'volumeNameTemplate' | 'networkNameTemplate'> | undefined,
  spec: Pick<PlanSpec, 'pvcNameTemplate' | 'volumeNameTemplate' | 'networkNameTemplate'> | undefined,
): { template: string; source: 'vm' | 'plan' | 'default' } {
  const key = `${kind}NameTemplate` as const;
  const fromVm = planVM?.[key];
  if (fromVm) return { template: fromVm, source: 'vm' };
  const fromPlan = spec?.[key];
  if (fromPlan) return { template: fromPlan, source: 'plan' };
  return { template: DefaultNameTemplates[kind], source: 'default' };
}

/**
 * Renders a template and checks that the result is a DNS-1123 label, as Forklift's builder does
 * before using it as a PVC, volume or interface name.
 * @param truncate cut the rendered text to this many characters before checking it (Forklift
 *   cuts volume names to 63).
 * @throws {@link NameTemplateError} when rendering fails or the result is not a label.
 */
export function renderObjectName(
  template: string,
  vars: TemplateVars,
  field: string,
  truncate?: number,
): string {
  const rendered = renderNameTemplate(template, vars, field);
  const out = truncate === undefined ? rendered : rendered.slice(0, truncate);
  const problem = nameProblem(out);
  if (problem) throw new NameTemplateError(template, [problem], field);
  return out;
}

/**
 * Turns a rendered PVC name into object metadata the way Forklift does: with `useGenerateName`
 * (the default) the name becomes a `generateName` prefix ending in `-`; otherwise it is the exact
 * name, trimmed of trailing `-`.
 */
export function pvcNameMetadata(
  rendered: string,
  useGenerateName = true,
): { name: string } | { generateName: string } {
  if (useGenerateName) return { generateName: rendered.endsWith('-') ? rendered : `${rendered}-` };
  return { name: rendered.replace(/-+$/, '') };
}

/**
 * A name made safe for label-only templates (`.TargetVmName` of the PVC template): cut to 63
 * characters, and dots replaced by `-` when it is not already a label — what Forklift's
 * `getPlanVMSafeName` does.
 */
export function labelSafeName(name: string): string {
  const cut = name.slice(0, labelMax);
  return isDns1123Label(cut) ? cut : cut.replace(/\./g, '-');
}

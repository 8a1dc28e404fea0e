import { describe, expect, it } from 'vitest';
import { UsageError } from '../api/index.js';
import {
  checkNameTemplate,
  DefaultNameTemplates,
  NameTemplateError,
  pvcNameMetadata,
  renderNameTemplate,
  renderObjectName,
  resolveNameTemplate,
  type NameTemplateIssue,
  type TemplateVars,
} from './naming.js';

const pvcVars: TemplateVars = {
  VmName: 'Web Server_01',
  TargetVmName: 'web-server-01',
  PlanName: 'migrate-production-web',
  DiskIndex: 2,
  RootDiskIndex: 0,
  Shared: true,
  FileName: 'web_server_01_1.vmdk',
  WinDriveLetter: 'd',
};

function renderError(template: string, vars: TemplateVars = pvcVars): NameTemplateError {
  try {
    renderNameTemplate(template, vars, 'spec.pvcNameTemplate');
  } catch (e: unknown) {
    if (e instanceof NameTemplateError) return e;
    throw e;
  }
  throw new Error(`no error for ${template}`);
}

const codes = (issues: readonly NameTemplateIssue[]): string[] =>
  issues.map((i) => `${i.severity}:${i.code}`);

describe('renderNameTemplate', () => {
  it.each([
    // Forklift's defaults
    [DefaultNameTemplates.pvc, 'migrate-product-web-server-01-disk-2'],
    ['vol-{{.DiskIndex}}', 'vol-2'],
    // Forklift's documented examples
    ['{{trunc 10 .PlanName}}-{{trunc 20 .TargetVmName}}-{{.DiskIndex}}', 'migrate-pr-web-server-01-2'],
    [
      '{{trunc 15 .TargetVmName}}-{{if eq .DiskIndex .RootDiskIndex}}root{{else}}data-{{.DiskIndex}}{{end}}',
      'web-server-01-data-2',
    ],
    ['{{if .Shared}}shared-{{end}}{{trunc 30 .VmName | lower}}-{{.DiskIndex}}', 'shared-web server_01-2'],
    ['{{.VmName | lower | replace " " "-" | replace "_" "-"}}', 'web-server-01'],
    ['{{if eq .Shared true}}s{{else}}o{{end}}', 's'],
    ['{{if not .Shared}}own{{else if gt .DiskIndex 1}}big{{else}}small{{end}}', 'big'],
    [
      '{{if and .Shared (eq .WinDriveLetter "c")}}c{{else if or (eq .DiskIndex 9) .Shared}}either{{end}}',
      'either',
    ],
    // functions
    ['{{printf "%s-disk-%03d" .TargetVmName .DiskIndex}}', 'web-server-01-disk-002'],
    ['{{printf "%d-%v-%t-%q-%x" 7 1.5 true "a" 255}}', '7-1.5-true-"a"-ff'],
    ['{{printf "%5d|%-4s|%05.1f" 42 "ab" 3.14159}}', '   42|ab  |003.1'],
    [
      '{{printf "%d" "x"}} {{printf "%s"}} {{printf "%d" 1 2}}',
      '%!d(string=x) %!s(MISSING) 1%!(EXTRA int=2)',
    ],
    ['{{trimSuffix ".vmdk" .FileName}}', 'web_server_01_1'],
    ['{{.FileName | trimSuffix ".vmdk" | replace "_" "-"}}', 'web-server-01-1'],
    ['{{trimPrefix "migrate-" .PlanName}}', 'production-web'],
    ['{{upper .WinDriveLetter}}{{title "hello world"}}{{untitle "Hello World"}}', 'DHello Worldhello world'],
    ['{{trunc -3 .PlanName}}|{{trunc 100 .PlanName}}', 'web|migrate-production-web'],
    ['{{substr 0 7 .PlanName}}|{{substr 8 100 .PlanName}}', 'migrate|production-web'],
    [
      '{{repeat 3 "ab"}}{{nospace " a b "}}{{initials "John Ronald Tolkien"}}{{trim "  x "}}{{trimAll "-" "--y--"}}',
      'ababababJRTxy',
    ],
    [
      '{{contains "web" .PlanName}} {{hasPrefix "mig" .PlanName}} {{hasSuffix "x" .PlanName}}',
      'true true false',
    ],
    ['{{mustRegexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W"}}', '-W-xxW-'],
    [
      '{{mustRegexReplaceAll "(?P<first>[a-z]+)-(?P<rest>.*)" .PlanName "${rest}.$first"}}',
      'production-web.migrate',
    ],
    ['{{add 1 2 3}} {{add1 .DiskIndex}} {{sub 5 3}} {{div 7 2}} {{mod 7 2}} {{mul 2 3 4}}', '6 3 2 3 1 24'],
    ['{{max 1 5 3}} {{min 4 2 8}} {{floor 3.75}} {{ceil 3.25}} {{round 3.75159 2}}', '5 2 3 4 3.75'],
    ['{{add "3" .DiskIndex}} {{floor 1234567}} {{ 0.00001 }}', '5 1.234567e+06 1e-05'],
    ['{{len .PlanName}} {{print "a" 1 2 "b"}} {{not .Shared}}', '22 a1 2b false'],
    ['{{lt 1 2}} {{le 2 2}} {{ge "a" "b"}} {{ne .DiskIndex 2}}', 'true true false false'],
    // syntax
    ['a {{- " b " -}} c', 'a b c'],
    ['a\n  {{- /* a comment */ -}}\n  b', 'ab'],
    ['{{/* only a comment */}}x', 'x'],
    ['{{ (printf "%s-%s" .PlanName "x") | trunc 9 }}', 'migrate-p'],
    ['{{"\\u0041\\x42\\n" | trim}}{{`raw\\n`}}', 'AB' + 'raw\\n'],
    ['{{-3}}{{ 0x1F }}{{ 1_000 }}', '-3311000'],
    ['plain-text', 'plain-text'],
  ])('%s', (template, want) => {
    expect(renderNameTemplate(template, pvcVars)).toBe(want);
  });

  it('prints a missing value as <no value> and nil as <nil> inside printf', () => {
    expect(renderNameTemplate('{{nil | print}}', {})).toBe('<nil>');
  });

  it.each([
    ['{{.Foo}}', 'unknown-variable', "can't evaluate field Foo", 2],
    ['x-{{bogus .PlanName}}', 'unknown-function', 'function "bogus" not defined', 4],
    [
      '{{trunc "a" .PlanName}}',
      'render',
      'error calling trunc: wrong type for value; expected int; got string',
      2,
    ],
    ['{{.DiskIndex | lower}}', 'render', 'expected string; got int', 15],
    ['{{trunc 3}}', 'render', 'wrong number of args for trunc: want 2 got 1', 2],
    ['{{div 1 0}}', 'render', 'integer divide by zero', 2],
    ['{{substr 5 2 "abc"}}', 'render', 'slice bounds out of range', 2],
    ['{{eq .DiskIndex "2"}}', 'render', 'incompatible types for comparison', 2],
    ['{{.PlanName.Foo}}', 'render', "can't evaluate field Foo in type string", 2],
    ['{{.PlanName 3}}', 'render', "can't give argument to non-function .PlanName", 2],
    ['{{.}}', 'unsupported', 'the template data itself cannot be used', 2],
    ['{{index .PlanName 0}}', 'unsupported', 'function "index" is not supported', 2],
    ['{{range .PlanName}}x{{end}}', 'unsupported', '{{range}} is not supported', 2],
    ['{{$x := 1}}', 'unsupported', 'variables ($x) are not supported', 2],
    ['{{.PlanName', 'syntax', 'unclosed action', 0],
    ['{{if .Shared}}x', 'syntax', '{{if}} has no {{end}}', 0],
    ['x{{end}}', 'syntax', 'unexpected {{end}}', 1],
    ['{{if .Shared}}a{{else}}b{{else}}c{{end}}', 'syntax', 'expected {{end}} after {{else}}', 26],
    ['{{"abc}}', 'syntax', 'unterminated quoted string', 2],
    ['{{ }}', 'syntax', 'missing value for command', 0],
    ['{{(trunc 3 .PlanName}}', 'syntax', 'expected ")"', 20],
    ['{{"\\q"}}', 'syntax', 'unknown escape sequence', 3],
  ])('%s fails: %s at %i', (template, code, message, start) => {
    const e = renderError(template);
    expect(e).toBeInstanceOf(UsageError);
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]?.code).toBe(code);
    expect(e.issues[0]?.message).toContain(message);
    expect(e.issues[0]?.start).toBe(start);
  });

  it('quotes the template with a caret under the error in the message', () => {
    const e = renderError('{{trunc 15 .PlanName}}-{{.Foo}}');
    expect(e.message).toContain('spec.pvcNameTemplate: ');
    expect(e.message).toContain('  {{trunc 15 .PlanName}}-{{.Foo}}\n                           ^^^^');
  });
});

describe('checkNameTemplate', () => {
  it.each([
    [DefaultNameTemplates.pvc, 'pvc'],
    [DefaultNameTemplates.volume, 'volume'],
    [DefaultNameTemplates.network, 'network'],
    ['{{.TargetVmName}}-{{if eq .DiskIndex .RootDiskIndex}}root{{else}}data-{{.DiskIndex}}{{end}}', 'pvc'],
    ['{{.FileName | trimSuffix ".vmdk" | replace "_" "-" | lower}}', 'pvc'],
    ['{{if eq .NetworkType "pod"}}pod-net{{else}}{{.NetworkName}}-{{.NetworkIndex}}{{end}}', 'network'],
    ['disk-{{.VolumeIndex}}', 'volume'],
  ] as const)('%s is a valid %s template', (template, kind) => {
    expect(checkNameTemplate(template, kind)).toEqual([]);
  });

  it('reports every unknown variable and function with its position', () => {
    const issues = checkNameTemplate('{{.VolumeIndex}}-{{if .Bogus}}{{frob .PlanName}}{{end}}', 'pvc');
    expect(issues.map((i) => [i.code, i.start, i.end])).toEqual([
      ['unknown-variable', 2, 14],
      ['unknown-variable', 22, 28],
      ['unknown-function', 32, 36],
    ]);
    expect(issues[0]?.hint).toContain('.TargetVmName');
  });

  it('reports a variable of another kind of template', () => {
    expect(codes(checkNameTemplate('{{.PVCName}}', 'network'))).toEqual(['error:unknown-variable']);
  });

  it('rejects renderings that are not DNS-1123 labels, even in a branch only some disks take', () => {
    const issues = checkNameTemplate('{{if .Shared}}Shared_{{end}}disk-{{.DiskIndex}}', 'pvc');
    expect(codes(issues)).toEqual(['error:invalid-name']);
    expect(issues[0]?.message).toContain('"Shared_disk-1"');
  });

  it('applies the label rule (at most 63 characters) to PVC names, as Forklift does', () => {
    const issues = checkNameTemplate(`${'p'.repeat(60)}-{{.DiskIndex}}-x`, 'pvc');
    expect(codes(issues)).toEqual(['error:invalid-name']);
  });

  it('rejects an empty rendering', () => {
    expect(codes(checkNameTemplate('{{if .Shared}}shared{{end}}', 'pvc'))).toEqual(['error:empty']);
  });

  it('reports raw source names that are not valid names', () => {
    expect(codes(checkNameTemplate('{{.VmName}}', 'pvc'))).toEqual(['error:invalid-name']);
    expect(codes(checkNameTemplate('{{.FileName}}', 'pvc'))).toEqual(['error:invalid-name']);
  });

  it('warns that NetworkType is lowercase at run time', () => {
    const issues = checkNameTemplate(
      '{{if eq .NetworkType "Pod"}}pod{{else}}net-{{.NetworkIndex}}{{end}}',
      'network',
    );
    expect(codes(issues)).toEqual(['warning:never-matches']);
    expect(issues[0]).toMatchObject({ start: 21, end: 26, hint: 'compare with "pod"' });
  });

  it('reports syntax errors alone, located', () => {
    expect(checkNameTemplate('disk-{{.DiskIndex', 'pvc')).toEqual([
      { severity: 'error', code: 'syntax', message: 'unclosed action: expected "}}"', start: 5, end: 17 },
    ]);
  });

  it('reports failures that only show at run time', () => {
    expect(codes(checkNameTemplate('{{trunc .DiskIndex}}', 'pvc'))).toEqual(['error:render']);
  });
});

describe('resolveNameTemplate', () => {
  it('takes the VM template, then the plan template, then the default', () => {
    expect(
      resolveNameTemplate('pvc', { pvcNameTemplate: 'vm-{{.DiskIndex}}' }, { pvcNameTemplate: 'p' }),
    ).toEqual({
      template: 'vm-{{.DiskIndex}}',
      source: 'vm',
    });
    expect(
      resolveNameTemplate(
        'network',
        { networkNameTemplate: '' },
        { networkNameTemplate: 'n{{.NetworkIndex}}' },
      ),
    ).toEqual({
      template: 'n{{.NetworkIndex}}',
      source: 'plan',
    });
    expect(resolveNameTemplate('volume', undefined, undefined)).toEqual({
      template: 'vol-{{.VolumeIndex}}',
      source: 'default',
    });
  });
});

describe('renderObjectName and pvcNameMetadata', () => {
  it('rejects a rendering that is not a label', () => {
    expect(() => renderObjectName('{{.PlanName}}.x', { PlanName: 'p' }, 'spec.volumeNameTemplate')).toThrow(
      /spec\.volumeNameTemplate: renders to "p\.x", which is not a DNS-1123 label/,
    );
  });

  it('cuts before checking when asked (volume names)', () => {
    expect(renderObjectName('v'.repeat(70), {}, 'f', 63)).toBe('v'.repeat(63));
  });

  it('uses the rendering as a generateName prefix by default, or as the exact name', () => {
    expect(pvcNameMetadata('plan1-web-1-disk-0')).toEqual({ generateName: 'plan1-web-1-disk-0-' });
    expect(pvcNameMetadata('plan1-web-1-disk-0-', true)).toEqual({ generateName: 'plan1-web-1-disk-0-' });
    expect(pvcNameMetadata('plan1-web-1-disk-0', false)).toEqual({ name: 'plan1-web-1-disk-0' });
  });
});

/**
 * `create hook NAME [--image I] [--playbook @FILE] …` or an AAP hook with `--aap-job-template-id`.
 * The playbook is checked as YAML and stored base64-encoded.
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/apis/forklift/v1beta1/hook.go
 */
import YAML from 'yaml';
import { UsageError, type Problem } from '../../../api/index.js';
import { DefaultHookImage, type Hook, type HookSpec } from '../../../api/index.js';
import { ForkliftApiVersion, Resources } from '../../../api/index.js';
import { checkObjectName, isDns1123Subdomain } from '../../../api/index.js';
import type { Session } from '../../context.js';
import { assertAbsent } from '../../lookup.js';
import type { CommandResult } from '../../result.js';

/** Hook flags (create and patch). */
export interface HookFlags {
  image?: string | undefined;
  /** Playbook text (already read from `@file`). */
  playbook?: string | undefined;
  serviceAccount?: string | undefined;
  deadline?: number | undefined;
  aapJobTemplateId?: number | undefined;
  aapUrl?: string | undefined;
  aapTokenSecret?: string | undefined;
  aapTimeout?: number | undefined;
}

/** Options of {@link run}. */
export interface CreateHookOptions extends HookFlags {
  name: string;
  dryRun?: boolean | undefined;
}

/** Checks a playbook: YAML whose top level is a list of plays. */
export function playbookProblem(text: string): Problem | undefined {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e: unknown) {
    const err = e as { message?: string; linePos?: { line: number; col: number }[] };
    const pos = err.linePos?.[0];
    return {
      field: '--playbook',
      message: `is not valid YAML${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}: ${(err.message ?? '').split('\n')[0] ?? ''}`,
    };
  }
  if (!Array.isArray(doc))
    return {
      field: '--playbook',
      message: 'must be an Ansible playbook: a YAML list of plays',
      hint: 'start it with "- hosts: localhost"',
    };
  return undefined;
}

/** Checks hook flags; `aap` says the result is an AAP hook. */
export function hookProblems(f: HookFlags, aap: boolean): Problem[] {
  const problems: Problem[] = [];
  if (aap && (f.image !== undefined || f.playbook !== undefined)) {
    problems.push({
      field: '--aap-job-template-id',
      message:
        'cannot be combined with --image or --playbook: an AAP hook runs a job template, not a container',
    });
  }
  if (!aap && (f.aapUrl !== undefined || f.aapTokenSecret !== undefined || f.aapTimeout !== undefined)) {
    problems.push({
      field:
        f.aapUrl !== undefined
          ? '--aap-url'
          : f.aapTokenSecret !== undefined
            ? '--aap-token-secret'
            : '--aap-timeout',
      message: 'needs --aap-job-template-id',
    });
  }
  if (f.playbook !== undefined) {
    const p = playbookProblem(f.playbook);
    if (p) problems.push(p);
  }
  if (f.serviceAccount !== undefined && !isDns1123Subdomain(f.serviceAccount)) {
    problems.push({
      field: '--service-account',
      message: 'must be a ServiceAccount name (DNS-1123)',
      value: f.serviceAccount,
    });
  }
  if (f.aapUrl !== undefined && !/^https?:\/\/\S+$/.test(f.aapUrl))
    problems.push({ field: '--aap-url', message: 'must be an http(s) URL', value: f.aapUrl });
  if (f.aapTokenSecret !== undefined) {
    const p = checkObjectName(f.aapTokenSecret, '--aap-token-secret');
    if (p) problems.push(p);
  }
  if (f.image !== undefined && !/^\S+$/.test(f.image))
    problems.push({ field: '--image', message: 'must be a container image reference', value: f.image });
  return problems;
}

/** The spec fields the flags set (only those given). */
export function hookSpec(f: HookFlags, namespace: string): HookSpec {
  return {
    ...(f.image !== undefined ? { image: f.image } : {}),
    ...(f.playbook !== undefined ? { playbook: Buffer.from(f.playbook, 'utf8').toString('base64') } : {}),
    ...(f.serviceAccount !== undefined ? { serviceAccount: f.serviceAccount } : {}),
    ...(f.deadline !== undefined ? { deadline: f.deadline } : {}),
    ...(f.aapJobTemplateId !== undefined
      ? {
          aap: {
            jobTemplateId: f.aapJobTemplateId,
            ...(f.aapUrl !== undefined ? { url: f.aapUrl } : {}),
            ...(f.aapTokenSecret !== undefined ? { tokenSecret: { name: f.aapTokenSecret, namespace } } : {}),
            ...(f.aapTimeout !== undefined ? { timeout: f.aapTimeout } : {}),
          },
        }
      : {}),
  };
}

/** Creates the hook. @throws UsageError, AlreadyExistsError */
export async function run(session: Session, o: CreateHookOptions): Promise<CommandResult> {
  const aap = o.aapJobTemplateId !== undefined;
  const problems = hookProblems(o, aap);
  if (problems.length) throw new UsageError(problems);
  const hook: Hook = {
    apiVersion: ForkliftApiVersion,
    kind: 'Hook',
    metadata: { name: o.name, namespace: session.namespace },
    spec: { ...(aap ? {} : { image: DefaultHookImage }), ...hookSpec(o, session.namespace) },
  };
  await assertAbsent(session, Resources.Hook, o.name, 'hook');
  if (o.dryRun)
    return { kind: 'dryRun', objects: [await session.store.create(Resources.Hook, hook, { dryRun: true })] };
  await session.store.create(Resources.Hook, hook);
  return { kind: 'changes', changes: [{ ref: `hook/${o.name}`, action: 'created' }] };
}

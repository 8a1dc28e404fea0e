/**
 * A VM's PreHook or PostHook in cluster mode, as Forklift runs it: a ConfigMap with the plan
 * (`plan.yml`), the source VM's inventory document (`workload.yml`) and, for a playbook hook, the
 * decoded playbook (`playbook.yml`), mounted at `/tmp/hook` into a Job running the hook's image
 * (Forklift's hook-runner by default) as the hook's service account, within its deadline. The
 * step succeeds when the Job completes; its failure fails the VM with the pod's message.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/hook.go
 */
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { DefaultHookImage, type Hook, type KubeObject, type Plan } from '../api/index.js';
import type { VM } from '../providers/vsphere/model.js';
import type { Job } from './transfer-job.js';

/** Where the hook's ConfigMap is mounted (the hook-runner image reads it there). */
export const HookMountPath = '/tmp/hook';

/** A ConfigMap, as far as hooks write it. */
export interface ConfigMap extends KubeObject {
  data: Record<string, string>;
}

/** Inputs of {@link buildHookObjects}. */
export interface HookJobInput {
  hook: Hook;
  step: 'PreHook' | 'PostHook';
  plan: Plan;
  vm: VM;
  /** Where the Job runs: the plan's target namespace. */
  namespace: string;
  /** `plan`, `migration`, `vmID` labels. */
  labels: Readonly<Record<string, string>>;
}

/** The hook Job's (and ConfigMap's) name: stable per plan, VM and step, a 63-character label. */
export function hookJobName(planUid: string, vmId: string, step: string): string {
  const digest = createHash('sha256').update(`${planUid}/${vmId}/${step}`).digest('hex').slice(0, 10);
  return `mtv-${step.toLowerCase()}-${vmId
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 30)}-${digest}`;
}

/**
 * The ConfigMap and Job of one hook run.
 * @throws Error for an AAP hook (mtv runs container hooks only)
 */
export function buildHookObjects(input: HookJobInput): { configMap: ConfigMap; job: Job } {
  const { hook, step } = input;
  if (hook.spec.aap)
    throw new Error(
      `hook ${hook.metadata.name ?? ''} runs an Ansible Automation Platform job template, which mtv does not run yet; give it an image or a playbook instead`,
    );
  const name = hookJobName(input.plan.metadata.uid ?? '', input.vm.id, step);
  const labels = { ...input.labels, step, 'mtv.konveyor.io/hook': hook.metadata.name ?? '' };
  const data: Record<string, string> = {
    'plan.yml': YAML.stringify(input.plan),
    'workload.yml': YAML.stringify(input.vm),
  };
  if (hook.spec.playbook) data['playbook.yml'] = Buffer.from(hook.spec.playbook, 'base64').toString('utf8');
  const configMap: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: input.namespace, labels },
    data,
  };
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: input.namespace, labels },
    spec: {
      // A hook need not be idempotent: it runs once.
      backoffLimit: 0,
      ...(hook.spec.deadline ? { activeDeadlineSeconds: hook.spec.deadline } : {}),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(hook.spec.serviceAccount ? { serviceAccountName: hook.spec.serviceAccount } : {}),
          containers: [
            {
              name: 'hook',
              image: hook.spec.image || DefaultHookImage,
              terminationMessagePolicy: 'FallbackToLogsOnError',
              volumeMounts: [{ name: 'hook', mountPath: HookMountPath }],
            },
          ],
          volumes: [{ name: 'hook', configMap: { name } }],
        },
      },
    },
  };
  return { configMap, job };
}

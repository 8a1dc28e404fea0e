/**
 * The plan commands' declarations (`create plan`), kept beside program.ts so that file stays
 * readable. Same pattern: options declared here, the action lazily loads `commands/…`.
 */
import type { Command } from 'commander';
import { UsageError, type PlanSpec } from '../api/index.js';
import {
  bool,
  boolOption,
  dryRunFlag,
  examples,
  storageDefaultFlags,
  storageDefaultValues,
  str,
  writeFlags,
  type Act,
  type Opts,
} from './program.js';
import { collect, manyNames, singleName } from './flags.js';

/** `k=v,k2=v2` → a map. @throws UsageError naming the flag and the bad item */
export function parseKeyValues(value: string | undefined, flag: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [i, item] of value.split(',').entries()) {
    const at = item.indexOf('=');
    if (at <= 0) {
      throw new UsageError({
        field: flag,
        message: `item ${String(i + 1)} must be KEY=VALUE`,
        value: item,
        hint: 'e.g. app=web,tier=db',
      });
    }
    out[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return out;
}

const powerStates = ['on', 'off', 'auto'];

/** `--target-affinity` / `--convertor-affinity` as given (KARL, parsed by the command). */
function affinityTexts(o: Opts): { target?: string; convertor?: string } {
  const target = str(o, 'targetAffinity');
  const convertor = str(o, 'convertorAffinity');
  return { ...(target !== undefined ? { target } : {}), ...(convertor !== undefined ? { convertor } : {}) };
}

/** The plan spec fields that map one-to-one to flags. */
function specFlags(o: Opts): Partial<PlanSpec> {
  const power = str(o, 'targetPowerState');
  if (power !== undefined && !powerStates.includes(power)) {
    throw new UsageError({ field: '--target-power-state', message: 'must be on, off or auto', value: power });
  }
  const tn = str(o, 'transferNetwork');
  const spec: Record<string, unknown> = {
    description: str(o, 'description'),
    ...(tn
      ? {
          transferNetwork: {
            namespace: tn.includes('/') ? tn.split('/')[0] : undefined,
            name: tn.includes('/') ? tn.split('/')[1] : tn,
          },
        }
      : {}),
    preserveStaticIPs: bool(o, 'preserveStaticIps'),
    targetPowerState: power,
    targetLabels: parseKeyValues(str(o, 'targetLabels'), '--target-labels'),
    targetNodeSelector: parseKeyValues(str(o, 'targetNodeSelector'), '--target-node-selector'),
    convertorLabels: parseKeyValues(str(o, 'convertorLabels'), '--convertor-labels'),
    convertorNodeSelector: parseKeyValues(str(o, 'convertorNodeSelector'), '--convertor-node-selector'),
    pvcNameTemplate: str(o, 'pvcNameTemplate'),
    volumeNameTemplate: str(o, 'volumeNameTemplate'),
    networkNameTemplate: str(o, 'networkNameTemplate'),
    migrateSharedDisks: bool(o, 'migrateSharedDisks'),
    skipGuestConversion: bool(o, 'skipGuestConversion'),
    useCompatibilityMode: bool(o, 'useCompatibilityMode'),
    deleteVmOnFailMigration: bool(o, 'deleteVmOnFailMigration'),
    archived: bool(o, 'archived'),
  };
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
}

/** The flags shared by `create plan` and `patch plan` (plan spec fields). */
function planSpecOptions(c: Command): Command {
  c.option('--description <text>', 'description')
    .option('--transfer-network <ns/name>', 'NetworkAttachmentDefinition for disk transfer')
    .option('--target-power-state <state>', 'on, off or auto (as the source)')
    .option('-L, --target-labels <k=v,…>', 'labels of the target VMs')
    .option('--target-node-selector <k=v,…>', 'node selector of the target VMs')
    .option('--convertor-labels <k=v,…>', 'labels of the conversion pods')
    .option('--convertor-node-selector <k=v,…>', 'node selector of the conversion pods')
    .option('--target-affinity <karl>', 'KARL rules for the target VMs, e.g. "REQUIRE nodes(disktype=ssd)"')
    .option(
      '--convertor-affinity <karl>',
      'KARL rules for the conversion pods, e.g. "AVOID pods(app=db) on node"',
    )
    .option('--pvc-name-template <tpl>', 'PVC names, e.g. "{{.VmName}}-disk-{{.DiskIndex}}"')
    .option('--volume-name-template <tpl>', 'volume names in the VM')
    .option('--network-name-template <tpl>', 'network names in the VM');
  for (const [flag, text] of [
    ['--preserve-static-ips', 'keep the guests’ static IPs'],
    ['--migrate-shared-disks', 'migrate disks shared between VMs'],
    ['--skip-guest-conversion', 'do not run virt-v2v on the guests'],
    ['--use-compatibility-mode', 'SATA disks and e1000e NICs instead of virtio'],
    ['--delete-vm-on-fail-migration', 'remove the target VM when its migration fails'],
    ['--archived', 'archived (a finished plan kept for its history)'],
  ] as const)
    boolOption(c, flag, text);
  return c;
}

/** Declares `start plan`. */
export function declareStart(program: Command, act: Act): void {
  const p = program
    .command('start')
    .description('Start migrations')
    .command('plan')
    .aliases(['plans'])
    .argument('[names...]')
    .option('-M, --name <names>', 'names (comma-separated)', collect)
    .option('--cutover <time>', 'warm plans: when to cut over, RFC 3339 (default: one hour from now)')
    .description('Start plans: creates a Migration for each Ready plan');
  boolOption(p, '--all', 'start every Ready plan in the namespace')
    .addHelpText(
      'after',
      examples(
        'mtv start plan web',
        'mtv start plans --all',
        'mtv start plan web-warm --cutover 2026-11-22T22:00:00Z',
        'mtv get plan web -w',
      ),
    )
    .action(
      act(
        () => import('./commands/start.js'),
        (args, o) => ({
          names: manyNames(args, o.name as string[] | undefined),
          all: bool(o, 'all') ?? false,
          ...(str(o, 'cutover') ? { cutover: str(o, 'cutover') } : {}),
        }),
      ),
    );
}

/** Declares `cutover plan`. */
export function declareCutover(program: Command, act: Act): void {
  const p = program
    .command('cutover')
    .description('Cut over running warm migrations')
    .command('plan')
    .aliases(['plans'])
    .argument('[names...]')
    .option('-M, --name <names>', 'names (comma-separated)', collect)
    .option('--cutover <time>', 'when, RFC 3339 (default: now)')
    .description(
      'Set when running warm plans cut over: sources power off, last changes copy, VMs are created',
    );
  boolOption(p, '--all', 'every running warm plan in the namespace')
    .addHelpText(
      'after',
      examples(
        'mtv cutover plan web',
        'mtv cutover plan web --cutover 2026-11-22T22:00:00Z',
        'mtv cutover plans --all',
      ),
    )
    .action(
      act(
        () => import('./commands/cutover.js'),
        (args, o) => ({
          names: manyNames(args, o.name as string[] | undefined),
          all: bool(o, 'all') ?? false,
          ...(str(o, 'cutover') ? { cutover: str(o, 'cutover') } : {}),
        }),
      ),
    );
}

/** Declares `cancel plan`. */
export function declareCancel(program: Command, act: Act): void {
  program
    .command('cancel')
    .description('Cancel VMs of running migrations')
    .command('plan')
    .argument('[name]', 'the plan')
    .option('-M, --name <name>', 'the plan (instead of the argument)')
    .option('--vms <vms>', 'VM names or ids (a,b) or @file')
    .description('Cancel VMs of a running plan: their copies stop, sources power back on, partial targets go')
    .addHelpText('after', examples('mtv cancel plan web --vms web-2', 'mtv cancel plan web --vms @vms.yaml'))
    .action(
      act(
        () => import('./commands/cancel.js'),
        (args, o) => ({ plan: singleName(args, str(o, 'name'), 'plan'), vms: str(o, 'vms') }),
      ),
    );
}

/** Declares `archive plan` and `unarchive plan`. */
export function declareArchive(program: Command, act: Act): void {
  for (const [verb, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    const c = program
      .command(verb)
      .description(
        archived ? 'Archive plans (keep them for their history; stop reconciling)' : 'Unarchive plans',
      );
    const p = c
      .command('plan')
      .aliases(['plans'])
      .argument('[names...]')
      .option('-M, --name <names>', 'names (comma-separated)', collect)
      .description(`${archived ? 'Archive' : 'Unarchive'} plans`);
    boolOption(p, '--all', `${verb} every plan in the namespace`)
      .addHelpText('after', examples(`mtv ${verb} plan web db`, `mtv ${verb} plans --all -n NAMESPACE`))
      .action(
        act(
          () => import('./commands/archive.js'),
          (args, o) => ({
            names: manyNames(args, o.name as string[] | undefined),
            all: bool(o, 'all') ?? false,
            archived,
          }),
        ),
      );
  }
}

/** Declares `patch planvm`. */
export function declarePatchPlanVm(patch: Command, act: Act): void {
  const c = patch
    .command('planvm')
    .argument('<plan>', 'the plan')
    .argument('<vm>', 'the VM (name or id)')
    .description('Change one VM of a plan')
    .option('--target-name <name>', 'name of the VM in KubeVirt')
    .option('--root-disk <device>', 'boot disk, e.g. /dev/sdb')
    .option('--instance-type <name>', 'KubeVirt instance type')
    .option('--pvc-name-template <tpl>', 'PVC names of this VM')
    .option('--volume-name-template <tpl>', 'volume names of this VM')
    .option('--network-name-template <tpl>', 'network names of this VM')
    .option('--target-power-state <state>', 'on, off or auto')
    .option('--add-pre-hook <hook>', 'run this hook before the VM migrates')
    .option('--add-post-hook <hook>', 'run this hook after the VM migrates')
    .option('--remove-hook <hook>', 'remove this hook from the VM');
  boolOption(c, '--clear-hooks', 'remove all the VM’s hooks')
    .addHelpText(
      'after',
      examples(
        'mtv patch planvm web web-1 --target-name web-one --root-disk /dev/sdb',
        'mtv patch planvm web web-1 --add-pre-hook quiesce-db',
      ),
    )
    .action(
      act(
        () => import('./commands/patch/planvm.js'),
        (args, o) => ({
          plan: args[0] ?? '',
          vm: args[1] ?? '',
          targetName: str(o, 'targetName'),
          rootDisk: str(o, 'rootDisk'),
          instanceType: str(o, 'instanceType'),
          pvcNameTemplate: str(o, 'pvcNameTemplate'),
          volumeNameTemplate: str(o, 'volumeNameTemplate'),
          networkNameTemplate: str(o, 'networkNameTemplate'),
          targetPowerState: str(o, 'targetPowerState'),
          addPreHook: str(o, 'addPreHook'),
          addPostHook: str(o, 'addPostHook'),
          removeHook: str(o, 'removeHook'),
          clearHooks: bool(o, 'clearHooks'),
        }),
      ),
    );
}

/** Declares `patch plan`. */
export function declarePatchPlan(patch: Command, act: Act): void {
  planSpecOptions(
    patch
      .command('plan')
      .argument('[name]', 'plan name')
      .description('Change plan fields; only the flags given are applied')
      .option('-M, --name <name>', 'plan name (instead of the argument)')
      .option('--target-namespace <ns>', 'where the VMs are created'),
  )
    .addHelpText(
      'after',
      examples('mtv patch plan web --target-power-state off', 'mtv patch plan web --archived'),
    )
    .action(
      act(
        () => import('./commands/patch/plan.js'),
        (args, o) => ({
          name: singleName(args, str(o, 'name'), 'plan'),
          spec: specFlags(o),
          affinity: affinityTexts(o),
          targetNamespace: str(o, 'targetNamespace'),
        }),
      ),
    );
}

/** Declares `create plan`. */
export function declareCreatePlan(create: Command, act: Act): void {
  const c = create
    .command('plan')
    .argument('[name]', 'plan name')
    .description('Create a migration plan for VMs of a source provider')
    .option('-M, --name <name>', 'plan name (instead of the argument)')
    .option('-S, --source <provider>', 'the source provider')
    .option(
      '-T, --target <provider>',
      'the target provider (default: the namespace’s local openshift provider)',
    )
    .option(
      '--vms <vms>',
      'VM names or ids (a,b), @file (planvms output or - name: x lists), or a query: "where …"',
    )
    .option('-t, --migration-type <type>', 'cold (default), warm, live or conversion')
    .option('--target-namespace <ns>', 'where the VMs are created (default: the plan’s namespace)')
    .option('--network-mapping <name>', 'an existing network mapping')
    .option('--storage-mapping <name>', 'an existing storage mapping')
    .option('--network-pairs <pairs>', 'inline network pairs; creates <plan>-network owned by the plan')
    .option('--storage-pairs <pairs>', 'inline storage pairs; creates <plan>-storage owned by the plan')
    .option(
      '--default-target-network <net>',
      'auto-mapping: pod (default), ignored, or NS/NAME of a Multus network',
    )
    .option('--default-target-storage-class <class>', 'auto-mapping: the storage class for every datastore')
    .option('--pre-hook <hook>', 'a hook to run before each VM migrates')
    .option('--post-hook <hook>', 'a hook to run after each VM migrates');
  for (const [flag, text] of [
    ['--skip-missing', 'leave out VMs that are not in the inventory instead of failing'],
    ['--ignore-extra-networks', 'auto-mapping: leave networks beyond the pod network unconnected'],
  ] as const)
    boolOption(c, flag, text);
  planSpecOptions(c);
  storageDefaultFlags(c);
  writeFlags(c)
    .addHelpText(
      'after',
      examples(
        'mtv create plan web --source vcenter --vms web-1,web-2 --default-target-storage-class standard',
        `mtv create plan prod --source vcenter --vms "where name like 'prod-%' and powerState = 'poweredOn'" --network-pairs "VM Network:default" --storage-pairs "datastore1:standard"`,
        'mtv create plan batch1 --source vcenter --vms @vms.yaml --network-mapping vc-net --storage-mapping vc-disks',
      ),
    )
    .action(
      act(
        () => import('./commands/create/plan.js'),
        (args, o) => ({
          name: singleName(args, str(o, 'name'), 'plan'),
          source: str(o, 'source'),
          target: str(o, 'target'),
          vms: str(o, 'vms'),
          skipMissing: bool(o, 'skipMissing'),
          migrationType: str(o, 'migrationType'),
          targetNamespace: str(o, 'targetNamespace'),
          networkMapping: str(o, 'networkMapping'),
          storageMapping: str(o, 'storageMapping'),
          networkPairs: str(o, 'networkPairs'),
          storagePairs: str(o, 'storagePairs'),
          storageDefaults: storageDefaultValues(o),
          defaultTargetNetwork: str(o, 'defaultTargetNetwork'),
          defaultTargetStorageClass: str(o, 'defaultTargetStorageClass'),
          ignoreExtraNetworks: bool(o, 'ignoreExtraNetworks'),
          preHook: str(o, 'preHook'),
          postHook: str(o, 'postHook'),
          spec: specFlags(o),
          affinity: affinityTexts(o),
          dryRun: dryRunFlag(o),
        }),
      ),
    );
}

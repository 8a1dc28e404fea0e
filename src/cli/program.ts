/**
 * Every command of `kubectl-mtv` / `mtv`, declared in one place with its options and examples.
 * Actions normalize flags, lazily import `commands/<verb>/<noun>.ts` and call its typed `run`.
 */
import { Command, Option } from 'commander';
import { ProviderType } from '../api/index.js';
import type { ResourceView } from './resources/view.js';
import type { PlanDetail } from './resources/plan-tables.js';
import { inventoryResources } from './resources/inventory.js';
import {
  declareArchive,
  declareCancel,
  declareCutover,
  declareCreatePlan,
  declarePatchPlan,
  declarePatchPlanVm,
  declareStart,
} from './program-plan.js';
import type { CommandResult } from './result.js';
import type { Session } from './context.js';
import { UsageError } from '../api/index.js';
import { collect, fileOrValue, manyNames, parseInteger, singleName } from './flags.js';
import { noOutputWithoutDryRun } from './result.js';

/** Flag values as commander hands them over. */
export type Opts = Record<string, unknown>;

/** How an action reaches the rest of the CLI (supplied by main). */
export interface ProgramHooks {
  /** Opens the session (store) for the command. */
  session(cmd: Command): Promise<Session>;
  /** Prints a result with the command's `-o`. */
  render(cmd: Command, result: CommandResult): void;
  /** Streams `get -w`; with `details`, re-renders `get plan NAME --vms/--disk` on each change. */
  watch(
    cmd: Command,
    session: Session,
    views: readonly ResourceView[],
    names: string[],
    selector: string | undefined,
    details?: readonly PlanDetail[],
  ): Promise<void>;
  /** Called after a command wrote objects: local mode starts the background controller. */
  needsController(session: Session): Promise<void>;
  /** The client version. */
  version: string;
  /** Where commander writes help and its own errors (set before any subcommand exists, so all inherit it). */
  output: { writeOut(s: string): void; writeErr(s: string): void };
}

/** A string flag value. */
export const str = (o: Opts, k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);

const kebab = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** `--dry-run`, checking that `-o` (which only shapes dry-run output here) comes with it. */
export function dryRunFlag(o: Opts): boolean | undefined {
  const dryRun = bool(o, 'dryRun');
  noOutputWithoutDryRun(str(o, 'output'), dryRun);
  return dryRun;
}

/** A secret given inline (`--password X`) or read from a file (`--password-file F`), not both. */
function valueOrFile(o: Opts, key: string, fileKey: string, cwd: string): string | undefined {
  const inline = str(o, key);
  const file = str(o, fileKey);
  if (inline !== undefined && file !== undefined) {
    throw new UsageError({ field: kebab(fileKey), message: `cannot be combined with ${kebab(key)}` });
  }
  return file === undefined ? inline : fileOrValue(`@${file}`, kebab(fileKey), cwd).replace(/\r?\n$/, '');
}
/** A boolean flag value. */
export const bool = (o: Opts, k: string): boolean | undefined =>
  typeof o[k] === 'boolean' ? o[k] : undefined;
const list = (o: Opts, k: string): string[] | undefined =>
  Array.isArray(o[k]) ? (o[k] as string[]) : undefined;

/** Adds `--flag` (and a hidden `--no-flag`, so `--flag false` can be expressed). */
export function boolOption(cmd: Command, flags: string, description: string): Command {
  cmd.option(flags, description);
  const long = /--([a-z0-9-]+)/.exec(flags)?.[1] ?? '';
  cmd.addOption(new Option(`--no-${long}`).hideHelp());
  return cmd;
}

/** The help's examples section. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

const providerTypes = Object.values(ProviderType).join(', ');

/** Provider flags shared by create and patch (all but --type). */
function providerFlags(cmd: Command): Command {
  cmd
    .option(
      '-U, --url <url>',
      'endpoint: https://vcenter/sdk, oVirt/OpenStack API URL, NFS server:/path (ova)',
    )
    .option('-u, --username <user>', 'user name (stored in the credentials Secret)')
    .option('-p, --password <password>', 'password (stored in the credentials Secret, never printed)')
    .option(
      '--password-file <path>',
      'read the password from a file (keeps it out of argv and shell history)',
    )
    .option('--cacert <pem|@file>', 'CA certificate(s) to verify the server with, PEM text or @FILE')
    .option('-T, --provider-token <token>', 'bearer token (openshift, openstack)')
    .option('--provider-token-file <path>', 'read the token from a file')
    .option('--secret <name>', 'use this existing Secret for credentials instead of creating one')
    .addOption(new Option('--existing-secret <name>').hideHelp())
    .option('--vddk-init-image <image>', 'vSphere: VDDK init image (kept for Forklift)')
    .option('--sdk-endpoint <vcenter|esxi>', 'vSphere: the URL is a vCenter or an ESXi host')
    .option('--vddk-buf-size-in-64k <n>', 'vSphere: VDDK NFC AIO buffer size, in 64 KiB units')
    .option('--vddk-buf-count <n>', 'vSphere: VDDK NFC AIO buffer count')
    .option('--esxi-clone-method <vib|ssh>', 'vSphere: copy-offload clone method')
    .option('--provider-domain-name <name>', 'OpenStack: domain')
    .option('--provider-project-name <name>', 'OpenStack: project')
    .option('--provider-region-name <name>', 'OpenStack: region')
    .addOption(new Option('--region <name>').hideHelp());
  boolOption(
    cmd,
    '--provider-insecure-skip-tls',
    'do not verify the server certificate (unsafe; shown as a warning)',
  );
  cmd.addOption(new Option('--insecure-skip-tls').hideHelp());
  cmd.addOption(new Option('--no-insecure-skip-tls').hideHelp());
  boolOption(cmd, '--use-vddk-aio-optimization', 'vSphere: VDDK AIO optimization');
  return cmd;
}

function providerFlagValues(o: Opts, cwd: string): Record<string, unknown> {
  const insecure = bool(o, 'providerInsecureSkipTls') ?? bool(o, 'insecureSkipTls');
  const cacert = str(o, 'cacert');
  return {
    url: str(o, 'url'),
    username: str(o, 'username'),
    password: valueOrFile(o, 'password', 'passwordFile', cwd),
    cacert: cacert === undefined ? undefined : fileOrValue(cacert, '--cacert', cwd),
    insecureSkipTls: insecure,
    secret: str(o, 'secret') ?? str(o, 'existingSecret'),
    token: valueOrFile(o, 'providerToken', 'providerTokenFile', cwd),
    vddkInitImage: str(o, 'vddkInitImage'),
    sdkEndpoint: str(o, 'sdkEndpoint'),
    useVddkAioOptimization: bool(o, 'useVddkAioOptimization'),
    vddkBufSizeIn64k: parseInteger(str(o, 'vddkBufSizeIn64k'), '--vddk-buf-size-in-64k', 1),
    vddkBufCount: parseInteger(str(o, 'vddkBufCount'), '--vddk-buf-count', 1),
    esxiCloneMethod: str(o, 'esxiCloneMethod'),
    domainName: str(o, 'providerDomainName'),
    projectName: str(o, 'providerProjectName'),
    regionName: str(o, 'providerRegionName') ?? str(o, 'region'),
  };
}

function hostCredentialFlags(cmd: Command): Command {
  cmd
    .option('-u, --username <user>', 'ESXi user')
    .option('--password <password>', 'ESXi password (stored in a Secret, never printed)')
    .option('--password-file <path>', 'read the ESXi password from a file')
    .option('--existing-secret <name>', 'use this existing Secret for ESXi credentials')
    .option('--cacert <pem|@file>', 'CA certificate(s) of the ESXi host, PEM text or @FILE');
  return boolOption(cmd, '--host-insecure-skip-tls', 'do not verify the ESXi certificate (unsafe)');
}

function hostCredentialValues(o: Opts, cwd: string): Record<string, unknown> {
  const cacert = str(o, 'cacert');
  return {
    username: str(o, 'username'),
    password: valueOrFile(o, 'password', 'passwordFile', cwd),
    existingSecret: str(o, 'existingSecret'),
    cacert: cacert === undefined ? undefined : fileOrValue(cacert, '--cacert', cwd),
    insecureSkipTls: bool(o, 'hostInsecureSkipTls'),
  };
}

function hookFlags(cmd: Command): Command {
  return cmd
    .option('--image <image>', 'hook runner image (default quay.io/kubev2v/hook-runner)')
    .option('--playbook <yaml|@file>', 'Ansible playbook, YAML text or @FILE (stored base64)')
    .option('--service-account <name>', 'ServiceAccount the hook runs as')
    .option('--deadline <seconds>', 'timeout of the hook, in seconds')
    .option(
      '--aap-job-template-id <id>',
      'run this Ansible Automation Platform job template instead of a container',
    )
    .option('--aap-url <url>', 'AAP base URL (default: the cluster setting)')
    .option('--aap-token-secret <name>', 'Secret with key "token", the AAP bearer token')
    .option('--aap-timeout <seconds>', 'seconds to wait for the AAP job');
}

function hookFlagValues(o: Opts, cwd: string): Record<string, unknown> {
  const playbook = str(o, 'playbook');
  return {
    image: str(o, 'image'),
    playbook: playbook === undefined ? undefined : fileOrValue(playbook, '--playbook', cwd),
    serviceAccount: str(o, 'serviceAccount'),
    deadline: parseInteger(str(o, 'deadline'), '--deadline', 1),
    aapJobTemplateId: parseInteger(str(o, 'aapJobTemplateId'), '--aap-job-template-id', 1),
    aapUrl: str(o, 'aapUrl'),
    aapTokenSecret: str(o, 'aapTokenSecret'),
    aapTimeout: parseInteger(str(o, 'aapTimeout'), '--aap-timeout', 1),
  };
}

/** The storage-pair default flags. */
export function storageDefaultFlags(cmd: Command): Command {
  return cmd
    .option('--default-volume-mode <mode>', 'volumeMode for pairs that set none (Filesystem|Block)')
    .option(
      '--default-access-mode <mode>',
      'accessMode for pairs that set none (ReadWriteOnce|ReadWriteMany|ReadOnlyMany)',
    )
    .option('--default-offload-plugin <plugin>', 'offloadPlugin for pairs that set none (vsphere)')
    .option('--default-offload-secret <name>', 'offloadSecret for pairs that set none')
    .option('--default-offload-vendor <vendor>', 'offloadVendor for pairs that set none');
}

/** The `--default-volume-mode` … flags of storage pairs. */
export function storageDefaultValues(o: Opts): Record<string, string | undefined> {
  return {
    volumeMode: str(o, 'defaultVolumeMode'),
    accessMode: str(o, 'defaultAccessMode'),
    offloadPlugin: str(o, 'defaultOffloadPlugin'),
    offloadSecret: str(o, 'defaultOffloadSecret'),
    offloadVendor: str(o, 'defaultOffloadVendor'),
  };
}

/** `--dry-run` and `-o`. */
export function writeFlags(cmd: Command): Command {
  boolOption(cmd, '--dry-run', 'print the objects instead of writing them (Secret values redacted)');
  return cmd.option('-o, --output <format>', 'with --dry-run: yaml (default) or json');
}

/** Builds the program. `name` is how the binary was invoked (mtv or kubectl-mtv). */
export function buildProgram(name: string, hooks: ProgramHooks): Command {
  const program = new Command(name);
  program.configureOutput(hooks.output);
  program
    .description(
      'Move virtual machines into KubeVirt: Forklift-compatible providers, mappings, plans and migrations',
    )
    .version(hooks.version, '--client-version', 'print the client version')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('-n, --namespace <namespace>', 'namespace (default: the context’s, else "default")')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .addOption(new Option('--no-all-namespaces').hideHelp())
    .option(
      '--store <kube|local>',
      'where objects live: a Kubernetes cluster, or the local store ($MTV_STORE)',
    )
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('-v, --v <level>', 'log level; 6 logs every API request')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  const act = makeAct(hooks);
  declareCreate(program, act);
  declareReadVerbs(program, hooks);
  declarePatch(program, act);
  declareDelete(program, hooks);
  declareArchive(program, act);
  declareStart(program, act);
  declareCancel(program, act);
  declareCutover(program, act);
  declareVersionAndCompletion(program, hooks);
  declareController(program, hooks);
  declareInventory(program, hooks);
  declareHelp(program, hooks);
  declareTransfer(program, hooks);
  return program;
}

function declareInventory(program: Command, hooks: ProgramHooks): void {
  const get = program.commands.find((c) => c.name() === 'get') as Command;
  const inv = get
    .command('inventory')
    .description('Explore a provider’s inventory (VMs, networks, datastores…)');
  for (const r of inventoryResources) {
    const c = inv
      .command(r.nouns[0] ?? '')
      .aliases(r.nouns.slice(1))
      .argument('[provider]', 'the provider (or -p)')
      .description(`List ${r.collection} of a provider`)
      .option('-p, --provider <provider>', 'the provider (NAME or NAMESPACE/NAME)')
      .option('-q, --query <query>', 'filter, select, group, sort and limit (see: mtv help query)')
      .option(
        '-o, --output <format>',
        `table, json, yaml, markdown${r.collection === 'vms' ? ' or planvms' : ''}`,
      )
      .option(
        '--inventory-url <url>',
        'the inventory service (cluster mode; else $MTV_INVENTORY_URL, else the API server’s service proxy)',
      );
    boolOption(c, '-w, --watch', 'keep the list on screen, updated as the inventory changes')
      .addHelpText(
        'after',
        examples(
          `mtv get inventory ${r.nouns[0] ?? ''} vcenter`,
          ...(r.collection === 'vms'
            ? [
                `mtv get inventory vm vcenter -q "where powerState = 'poweredOn' and memoryMB > 4096 and name like 'prod-%'"`,
                `mtv get inventory vm vcenter -q "select cluster, count(*) as vms, sum(memoryMB)/1024 as memGB group by cluster order by vms desc"`,
                'mtv get inventory vm vcenter -q "where len(disks) > 1" -o planvms > vms.yaml',
              ]
            : []),
        ),
      )
      .action(async (providerArg: string | undefined, o: Opts, cmd: Command) => {
        const provider = providerArg ?? str(o, 'provider');
        if (providerArg && str(o, 'provider') && providerArg !== str(o, 'provider'))
          throw new UsageError({
            field: '--provider',
            message: `conflicts with the argument "${providerArg}"`,
          });
        if (!provider) {
          throw new UsageError({
            field: 'PROVIDER',
            message: 'a provider is required',
            hint: `name it: mtv get inventory ${r.nouns[0] ?? ''} PROVIDER (list them with: mtv get providers)`,
          });
        }
        const session = await hooks.session(cmd);
        const m = await import('./commands/get-inventory.js');
        // Only a provider that exists is worth starting a controller for.
        await m.checkProvider(session, provider);
        await hooks.needsController(session);
        const opts = {
          resource: r,
          provider,
          ...(str(o, 'query') !== undefined ? { query: str(o, 'query') } : {}),
          ...(str(o, 'output') !== undefined ? { output: str(o, 'output') } : {}),
          ...(str(o, 'inventoryUrl') !== undefined ? { inventoryUrl: str(o, 'inventoryUrl') } : {}),
        };
        if (bool(o, 'watch')) await m.watch(session, opts, (t) => hooks.output.writeOut(t));
        else hooks.render(cmd, await m.run(session, opts));
      });
  }
}

function declareHelp(program: Command, hooks: ProgramHooks): void {
  program.helpCommand(false);
  program
    .command('help')
    .argument('[topic...]', 'a command (e.g. get inventory) or: query')
    .description('Show help for a command, or for the query language (mtv help query)')
    .action(async (topic: string[]) => {
      if (topic.length === 1 && topic[0] === 'query') {
        const { queryHelp } = await import('../query/index.js');
        hooks.output.writeOut(queryHelp.endsWith('\n') ? queryHelp : `${queryHelp}\n`);
        return;
      }
      let cmd: Command = program;
      for (const word of topic) {
        const next = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
        if (!next) {
          throw new UsageError({
            field: 'help',
            message: `no such command or topic: ${topic.join(' ')}`,
            hint: 'try: mtv --help, or mtv help query',
          });
        }
        cmd = next;
      }
      cmd.outputHelp();
    });
}

function declareController(program: Command, hooks: ProgramHooks): void {
  const c = program
    .command('controller')
    .description('Run the controller, or manage the local background controller');
  c.command('run')
    .description('Run the controller in the foreground (one per store: a lock locally, a Lease in a cluster)')
    .option('--idle-exit <seconds>', 'exit after this many seconds without CLI activity (0 = never)', '0')
    .option('--lease-namespace <ns>', 'namespace of the leader-election Lease (cluster mode; default: -n)')
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .option('--inventory-listen <host:port>', 'serve the inventory here (cluster mode default 0.0.0.0:8443)')
    .option('--tls-cert <file>', 'PEM certificate of the inventory service')
    .option('--tls-key <file>', 'PEM private key of the inventory service')
    .option('--inventory-plain-http', 'serve the inventory without TLS (not for production)')
    .addHelpText(
      'after',
      examples('mtv controller run --store local', 'mtv controller run --lease-namespace mtv-system'),
    )
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.opts();
      const session = await hooks.session(cmd);
      const { run } = await import('./commands/controller.js');
      hooks.render(
        cmd,
        await run(session, {
          idleExit: parseInteger(str(o, 'idleExit'), '--idle-exit', 0) ?? 0,
          version: hooks.version,
          ...(str(o, 'leaseNamespace') ? { leaseNamespace: str(o, 'leaseNamespace') } : {}),
          ...(str(o, 'logLevel') ? { logLevel: str(o, 'logLevel') } : {}),
          ...(str(o, 'inventoryListen') ? { inventoryListen: str(o, 'inventoryListen') } : {}),
          ...(str(o, 'tlsCert') ? { tlsCert: str(o, 'tlsCert') } : {}),
          ...(str(o, 'tlsKey') ? { tlsKey: str(o, 'tlsKey') } : {}),
          ...(o.inventoryPlainHttp === true ? { plainHttp: true } : {}),
        }),
      );
    });
  c.command('status')
    .description('Show whether a controller runs for this store')
    .option('-o, --output <format>', 'table (text), json or yaml')
    .addHelpText('after', examples('mtv controller status', 'mtv controller status -o json'))
    .action(async (_o: unknown, cmd: Command) => {
      const session = await hooks.session(cmd);
      const { status } = await import('./commands/controller.js');
      hooks.render(cmd, await status(session));
    });
  const logs = c
    .command('logs')
    .description('Print the local background controller’s log')
    .option('--tail <lines>', 'only the last N lines');
  boolOption(logs, '-f, --follow', 'keep printing new lines until Ctrl-C')
    .addHelpText('after', examples('mtv controller logs --tail 50', 'mtv controller logs -f'))
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.opts();
      const session = await hooks.session(cmd);
      const { logs: run } = await import('./commands/controller.js');
      const tail = str(o, 'tail');
      hooks.render(
        cmd,
        await run(session, {
          follow: bool(o, 'follow') === true,
          ...(tail !== undefined ? { tail: parseInteger(tail, '--tail', 0) ?? 0 } : {}),
          write: (t) => hooks.output.writeOut(t),
        }),
      );
    });
  c.command('stop')
    .description('Stop the local background controller')
    .addHelpText('after', examples('mtv controller stop'))
    .action(async (_o: unknown, cmd: Command) => {
      const session = await hooks.session(cmd);
      const { stop } = await import('./commands/controller.js');
      hooks.render(cmd, await stop(session));
    });
}

/** `transfer disk`: the program of a transfer Job's pod; hidden from help. */
function declareTransfer(program: Command, hooks: ProgramHooks): void {
  program
    .command('transfer', { hidden: true })
    .description('Data-path programs run by the controller’s Jobs')
    .command('disk')
    .description('Copy one vSphere disk into a file or block device (a transfer Job’s pod)')
    .requiredOption('--source-file <path>', 'the disk descriptor, "[datastore] folder/name.vmdk"')
    .requiredOption('--datacenter <path>', 'inventory path of the datacenter (dcPath)')
    .requiredOption('--credentials <dir>', 'directory with the source Secret’s keys as files')
    .requiredOption('--target <path>', 'raw image file or block device to write')
    .requiredOption('--checkpoint <path>', 'checkpoint file (resume after interruption)')
    .option('--result <path>', 'write the result JSON here (e.g. /dev/termination-log)')
    .option('--round <n>', 'warm migration: the precopy round (1 = the full copy)')
    .option('--vm <id>', 'warm delta round: the VM (moRef id)')
    .option('--snapshot <id>', 'warm: the round’s snapshot (moRef id)')
    .option('--disk-key <key>', 'warm delta round: the disk’s device key')
    .option('--change-id <id>', 'warm delta round: the disk’s changeId at the previous round')
    .option('--capacity <bytes>', 'warm delta round: the disk’s capacity')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.opts();
      const { run } = await import('./commands/transfer.js');
      hooks.render(
        cmd,
        await run({
          sourceFile: str(o, 'sourceFile') ?? '',
          datacenter: str(o, 'datacenter') ?? '',
          credentials: str(o, 'credentials') ?? '',
          target: str(o, 'target') ?? '',
          checkpoint: str(o, 'checkpoint') ?? '',
          ...(str(o, 'result') ? { result: str(o, 'result') } : {}),
          ...(str(o, 'round') ? { round: str(o, 'round') } : {}),
          ...(str(o, 'vm') ? { vm: str(o, 'vm') } : {}),
          ...(str(o, 'snapshot') ? { snapshot: str(o, 'snapshot') } : {}),
          ...(str(o, 'diskKey') ? { diskKey: str(o, 'diskKey') } : {}),
          ...(str(o, 'changeId') ? { changeId: str(o, 'changeId') } : {}),
          ...(str(o, 'capacity') ? { capacity: str(o, 'capacity') } : {}),
          write: (line) => hooks.output.writeOut(line),
        }),
      );
    });
}

/** An action that opens the session, builds typed options, lazily loads the module and renders. */
function makeAct(hooks: ProgramHooks): Act {
  return (load, build) =>
    async (...params: unknown[]): Promise<void> => {
      const cmd = params[params.length - 1] as Command;
      const session = await hooks.session(cmd);
      const opts = build(cmd.args, cmd.opts(), session);
      const mod = await load();
      const result = await mod.run(session, opts);
      hooks.render(cmd, result);
      if (result.kind === 'changes' && result.changes.length) await hooks.needsController(session);
    };
}

function declareCreate(program: Command, act: Act): void {
  const create = program.command('create').description('Create a resource');
  const createProvider = create
    .command('provider')
    .argument('[name]', 'provider name')
    .description('Create a provider and, unless --secret is given, its credentials Secret')
    .option('-M, --name <name>', 'provider name (instead of the argument)')
    .option('-t, --type <type>', `provider type: ${providerTypes}`);
  providerFlags(createProvider);
  writeFlags(createProvider)
    .addHelpText(
      'after',
      examples(
        'mtv create provider vcenter --type vsphere --url https://vc.example.com/sdk -u admin@vsphere.local -p "$PASS" --cacert @ca.pem',
        'mtv create provider host --type openshift',
        'mtv create provider esx1 --type vsphere --url https://esx1/sdk --sdk-endpoint esxi --secret esx-creds',
      ),
    )
    .action(
      act(
        () => import('./commands/create/provider.js'),
        (args, o, s) => ({
          ...providerFlagValues(o, s.cwd),
          name: singleName(args, str(o, 'name'), 'provider'),
          type: str(o, 'type') ?? '',
          dryRun: dryRunFlag(o),
        }),
      ),
    );

  declareCreateMapping(create, act);
  declareCreatePlan(create, act);

  const createHost = create
    .command('host')
    .description('Create ESXi hosts of a vSphere provider, for direct disk transfer')
    .option('--host-id <ids>', 'inventory host id(s), comma-separated', collect)
    .option('-p, --provider <provider>', 'the vSphere provider')
    .option('--ip-address <ip>', 'IP address of the ESXi interface used for transfer')
    .option('--network-adapter <name>', 'take the IP address from this adapter in the host’s inventory');
  hostCredentialFlags(createHost);
  writeFlags(createHost)
    .addHelpText(
      'after',
      examples(
        'mtv create host --host-id host-8 --provider vcenter --ip-address 10.0.0.8 -u root --password "$ESX_PASS"',
      ),
    )
    .action(
      act(
        () => import('./commands/create/host.js'),
        (_args, o, s) => ({
          ...hostCredentialValues(o, s.cwd),
          hostIds: (list(o, 'hostId') ?? [])
            .flatMap((v) => v.split(','))
            .map((v) => v.trim())
            .filter(Boolean),
          provider: str(o, 'provider'),
          ipAddress: str(o, 'ipAddress'),
          networkAdapter: str(o, 'networkAdapter'),
          dryRun: dryRunFlag(o),
        }),
      ),
    );

  const createHook = create
    .command('hook')
    .argument('[name]', 'hook name')
    .description('Create a hook: an Ansible playbook run before or after a VM migrates')
    .option('-M, --name <name>', 'hook name');
  hookFlags(createHook);
  writeFlags(createHook)
    .addHelpText(
      'after',
      examples('mtv create hook snapshot-db --playbook @pre.yaml --service-account hooks --deadline 600'),
    )
    .action(
      act(
        () => import('./commands/create/hook.js'),
        (args, o, s) => ({
          ...hookFlagValues(o, s.cwd),
          name: singleName(args, str(o, 'name'), 'hook'),
          dryRun: dryRunFlag(o),
        }),
      ),
    );
}

function declareCreateMapping(create: Command, act: Act): void {
  const createMapping = create.command('mapping').description('Create a network or storage mapping');
  for (const kind of ['network', 'storage'] as const) {
    const c = createMapping
      .command(kind)
      .argument('[name]', 'mapping name')
      .description(kind === 'network' ? 'Create a NetworkMap' : 'Create a StorageMap')
      .option('-M, --name <name>', 'mapping name')
      .option('-S, --source <provider>', 'source provider (NAME or NAMESPACE/NAME)')
      .option(
        '-T, --target <provider>',
        'target provider (default: the namespace’s local openshift provider)',
      );
    if (kind === 'network') {
      c.option(
        '--network-pairs <pairs>',
        'SOURCE[@VLAN]:TARGET,… with TARGET default (pod network), ignored, NAMESPACE/NAD or NAD',
      );
    } else {
      c.option('--storage-pairs <pairs>', 'SOURCE:CLASS[;volumeMode=…][;accessMode=…],…');
      storageDefaultFlags(c);
    }
    writeFlags(c)
      .addHelpText(
        'after',
        kind === 'network'
          ? examples(
              'mtv create mapping network vc-net --source vcenter --network-pairs "VM Network:default,DMZ@20:openshift-mtv/dmz,Backup:ignored"',
            )
          : examples(
              'mtv create mapping storage vc-disks --source vcenter --storage-pairs "datastore1:standard;volumeMode=Block,nfs-ds:nfs-csi"',
            ),
      )
      .action(
        act(
          () => import('./commands/create/mapping.js'),
          (args, o) => ({
            kind,
            name: singleName(args, str(o, 'name'), `${kind} mapping`),
            source: str(o, 'source'),
            target: str(o, 'target'),
            pairs: str(o, kind === 'network' ? 'networkPairs' : 'storagePairs'),
            defaults: storageDefaultValues(o),
            dryRun: dryRunFlag(o),
          }),
        ),
      );
  }
}

function declareVersionAndCompletion(program: Command, hooks: ProgramHooks): void {
  program
    .command('version')
    .description('Show the client version, the store, the server version and whether the CRDs are installed')
    .option('--client', 'client version only (no cluster access)')
    .addOption(new Option('--no-client').hideHelp())
    .option('-o, --output <format>', 'table, json or yaml')
    .addHelpText('after', examples('mtv version', 'mtv version --client -o json'))
    .action(async (...params: unknown[]) => {
      const cmd = params[params.length - 1] as Command;
      const { run } = await import('./commands/version.js');
      const clientOnly = bool(cmd.opts(), 'client') === true;
      try {
        const session = clientOnly ? undefined : await hooks.session(cmd);
        hooks.render(cmd, await run(session, { clientVersion: hooks.version }));
      } catch (e: unknown) {
        // Like kubectl: the client version is known even when the server is not reachable.
        hooks.render(cmd, await run(undefined, { clientVersion: hooks.version }));
        throw e;
      }
    });

  program
    .command('completion')
    .argument('<shell>', 'bash, zsh or fish')
    .description('Print a shell completion script')
    .addHelpText('after', examples('source <(mtv completion bash)', 'mtv completion fish | source'))
    .action(async (shell: string, _o: unknown, cmd: Command) => {
      const { run } = await import('./commands/completion.js');
      hooks.render(cmd, run(shell));
    });
}

/** Makes an action from a lazily loaded `run` and an options builder. */
export type Act = <O>(
  load: () => Promise<{ run(s: Session, o: O): Promise<CommandResult> }>,
  build: (args: string[], o: Opts, s: Session) => O,
) => (...params: unknown[]) => Promise<void>;

/** The kinds `get`, `describe` and `delete` know, with their nouns. */
export const kindNouns: { nouns: string[]; description: string; views: () => Promise<ResourceView[]> }[] = [
  {
    nouns: ['provider', 'providers'],
    description: 'providers',
    views: async () => [(await import('./resources/provider.js')).providerView],
  },
  {
    nouns: ['host', 'hosts'],
    description: 'ESXi hosts',
    views: async () => [(await import('./resources/host.js')).hostView],
  },
  {
    nouns: ['hook', 'hooks'],
    description: 'hooks',
    views: async () => [(await import('./resources/hook.js')).hookView],
  },
  {
    nouns: ['plan', 'plans'],
    description: 'migration plans',
    views: async () => [(await import('./resources/plan.js')).planView],
  },
];

async function mappingViews(kind: string | undefined): Promise<ResourceView[]> {
  const m = await import('./resources/mapping.js');
  if (kind === 'network') return [m.networkMapView];
  if (kind === 'storage') return [m.storageMapView];
  return [m.networkMapView, m.storageMapView];
}

/** `describe <kind> NAME`: one shape for every kind. */
function describeCommand(
  c: Command,
  hooks: ProgramHooks,
  views: () => Promise<ResourceView[]>,
  noun: string,
): Command {
  return c
    .argument('[name]')
    .option('-M, --name <name>', 'name')
    .option('-o, --output <format>', 'table (text), markdown, json or yaml')
    .action(async (...params: unknown[]) => {
      const cmd = params[params.length - 1] as Command;
      const session = await hooks.session(cmd);
      const [view] = await views();
      const { run } = await import('./commands/describe.js');
      if (view)
        hooks.render(
          cmd,
          await run(session, {
            view,
            name: singleName(cmd.args, str(cmd.opts(), 'name'), noun),
            vm: str(cmd.opts(), 'vm'),
          }),
        );
    });
}

function declareReadVerbs(program: Command, hooks: ProgramHooks): void {
  const get = program.command('get').description('List or show resources');
  const describe = program.command('describe').description('Show a resource in detail');
  const getAction =
    (views: (args: string[]) => Promise<{ views: ResourceView[]; names: string[] }>) =>
    async (...params: unknown[]): Promise<void> => {
      const cmd = params[params.length - 1] as Command;
      const o = cmd.opts();
      const session = await hooks.session(cmd);
      const v = await views(cmd.args);
      const names = manyNames(v.names, list(o, 'name'));
      const selector = str(o, 'selector');
      const details: PlanDetail[] = [
        ...(bool(o, 'vms') ? (['vms'] as const) : []),
        ...(bool(o, 'disk') ? (['disk'] as const) : []),
      ];
      if (details.length) {
        const name = singleName(names, undefined, 'plan');
        if (bool(o, 'watch')) {
          await hooks.watch(cmd, session, v.views, [name], undefined, details);
          return;
        }
        const m = await import('./commands/plan-vms.js');
        hooks.render(cmd, await m.run(session, { name, views: details }));
        return;
      }
      const { run } = await import('./commands/get.js');
      if (bool(o, 'watch')) await hooks.watch(cmd, session, v.views, names, selector);
      else hooks.render(cmd, await run(session, { views: v.views, names, selector }));
    };
  const getOptions = (c: Command): Command => {
    c.option('-M, --name <names>', 'names (comma-separated)', collect)
      .option(
        '-o, --output <format>',
        'table, wide, json, yaml, markdown, name, jsonpath=TEMPLATE, custom-columns=SPEC',
      )
      .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=db');
    return boolOption(c, '-w, --watch', 'after listing, print changes as they happen');
  };
  for (const k of kindNouns) {
    const g = getOptions(
      get
        .command(k.nouns[0] ?? '')
        .aliases(k.nouns.slice(1))
        .argument('[names...]')
        .description(`List or show ${k.description}`),
    );
    const plan = k.nouns[0] === 'plan';
    if (plan) {
      boolOption(
        g,
        '--vms',
        'one row per VM of the plan’s migration: phase, step, transfer (MiB/s, ETA), result',
      );
      boolOption(g, '--disk', 'one row per disk: progress, throughput, ETA, sha256');
    }
    g.addHelpText(
      'after',
      examples(
        `mtv get ${k.nouns[1] ?? ''} -A`,
        `mtv get ${k.nouns[0] ?? ''} NAME -o yaml`,
        ...(plan ? ['mtv get plan NAME --vms -w', 'mtv get plan NAME --disk -o json'] : []),
      ),
    ).action(getAction(async (args) => ({ views: await k.views(), names: args })));
    const d = describeCommand(
      describe.command(k.nouns[0] ?? '').aliases(k.nouns.slice(1)),
      hooks,
      k.views,
      k.nouns[0] ?? '',
    ).description(`Describe one of the ${k.description}`);
    if (plan) d.option('--vm <vm>', 'one VM of the plan (name or id): pipeline, disks, errors');
    d.addHelpText(
      'after',
      examples(
        `mtv describe ${k.nouns[0] ?? ''} NAME`,
        `mtv describe ${k.nouns[0] ?? ''} NAME -o markdown`,
        ...(plan ? ['mtv describe plan NAME --vm VM'] : []),
      ),
    );
  }
  getOptions(
    get
      .command('mapping')
      .aliases(['mappings'])
      .argument('[kind-or-names...]')
      .description('List or show network and storage mappings'),
  )
    .addHelpText('after', examples('mtv get mappings', 'mtv get mapping network vc-net -o yaml'))
    .action(
      getAction(async (args) => {
        const [first, ...rest] = args;
        const kind = first === 'network' || first === 'storage' ? first : undefined;
        return { views: await mappingViews(kind), names: kind ? rest : args };
      }),
    );
  const describeMapping = describe
    .command('mapping')
    .aliases(['mappings'])
    .description('Describe a network or storage mapping');
  for (const kind of ['network', 'storage'] as const) {
    describeCommand(describeMapping.command(kind), hooks, () => mappingViews(kind), `${kind} mapping`)
      .description(`Describe a ${kind} mapping`)
      .addHelpText('after', examples(`mtv describe mapping ${kind} NAME`));
  }
}

function declarePatch(program: Command, act: Act): void {
  const patch = program.command('patch').description('Change a resource; only the flags given are applied');
  declarePatchPlan(patch, act);
  declarePatchPlanVm(patch, act);
  const pp = patch
    .command('provider')
    .argument('[name]')
    .option('-M, --name <name>', 'provider name')
    .description('Change a provider (credentials go to its own Secret)');
  providerFlags(pp)
    .addHelpText(
      'after',
      examples(
        'mtv patch provider vcenter --password "$NEW_PASS"',
        'mtv patch provider vcenter --cacert @new-ca.pem',
      ),
    )
    .action(
      act(
        () => import('./commands/patch/provider.js'),
        (args, o, s) => ({
          ...providerFlagValues(o, s.cwd),
          name: singleName(args, str(o, 'name'), 'provider'),
        }),
      ),
    );
  const pm = patch.command('mapping').description('Change the pairs of a mapping');
  for (const kind of ['network', 'storage'] as const) {
    const c = pm
      .command(kind)
      .argument('[name]')
      .option('-M, --name <name>', 'mapping name')
      .option('--add-pairs <pairs>', 'pairs to add (same syntax as create)')
      .option('--update-pairs <pairs>', 'pairs whose source is mapped, with new targets')
      .option('--remove-pairs <sources>', 'source names to unmap, comma-separated');
    if (kind === 'storage') storageDefaultFlags(c);
    c.addHelpText(
      'after',
      examples(
        `mtv patch mapping ${kind} NAME --add-pairs "${kind === 'network' ? 'Backup:ignored' : 'ds2:fast'}" --remove-pairs old`,
      ),
    ).action(
      act(
        () => import('./commands/patch/mapping.js'),
        (args, o) => ({
          kind,
          name: singleName(args, str(o, 'name'), `${kind} mapping`),
          addPairs: str(o, 'addPairs'),
          updatePairs: str(o, 'updatePairs'),
          removePairs: str(o, 'removePairs'),
          defaults: storageDefaultValues(o),
        }),
      ),
    );
  }
  const ph = patch
    .command('host')
    .argument('[name]')
    .option('-M, --name <name>', 'host name')
    .option('--ip-address <ip>', 'new IP address')
    .description('Change an ESXi host');
  hostCredentialFlags(ph)
    .addHelpText('after', examples('mtv patch host host-8-1a2b --ip-address 10.0.0.9'))
    .action(
      act(
        () => import('./commands/patch/host.js'),
        (args, o, s) => ({
          ...hostCredentialValues(o, s.cwd),
          name: singleName(args, str(o, 'name'), 'host'),
          ipAddress: str(o, 'ipAddress'),
        }),
      ),
    );
  const pk = patch
    .command('hook')
    .argument('[name]')
    .option('-M, --name <name>', 'hook name')
    .description('Change a hook');
  hookFlags(pk);
  boolOption(pk, '--clear-aap', 'turn an AAP hook into a local (container) hook')
    .addHelpText('after', examples('mtv patch hook snapshot-db --playbook @pre-v2.yaml'))
    .action(
      act(
        () => import('./commands/patch/hook.js'),
        (args, o, s) => ({
          ...hookFlagValues(o, s.cwd),
          name: singleName(args, str(o, 'name'), 'hook'),
          clearAap: bool(o, 'clearAap'),
        }),
      ),
    );
}

function declareDelete(program: Command, hooks: ProgramHooks): void {
  const del = program.command('delete').description('Delete resources (Secrets they own go with them)');
  const action =
    (views: () => Promise<ResourceView[]>) =>
    async (...params: unknown[]): Promise<void> => {
      const cmd = params[params.length - 1] as Command;
      const o = cmd.opts();
      const session = await hooks.session(cmd);
      const [view] = await views();
      const { run } = await import('./commands/delete.js');
      // Deleting needs reconciling too: plans archive first, providers drop their inventory.
      if (!bool(o, 'dryRun')) await hooks.needsController(session);
      if (view) {
        hooks.render(
          cmd,
          await run(session, {
            view,
            names: manyNames(cmd.args, list(o, 'name')),
            all: bool(o, 'all') ?? false,
            dryRun: bool(o, 'dryRun') ?? false,
            skipArchive: bool(o, 'skipArchive') ?? false,
          }),
        );
      }
    };
  const options = (c: Command): Command => {
    c.argument('[names...]').option('-M, --name <names>', 'names (comma-separated)', collect);
    boolOption(c, '--all', 'delete all of this kind in the namespace');
    return boolOption(c, '--dry-run', 'show what would be deleted');
  };
  for (const k of kindNouns) {
    const c = options(
      del
        .command(k.nouns[0] ?? '')
        .aliases(k.nouns.slice(1))
        .description(`Delete ${k.description}`),
    );
    if (k.nouns[0] === 'plan')
      boolOption(c, '--skip-archive', 'delete at once, without archiving the plan first');
    c.addHelpText(
      'after',
      examples(
        `mtv delete ${k.nouns[0] ?? ''} NAME [NAME…]`,
        `mtv delete ${k.nouns[1] ?? ''} --all -n NAMESPACE`,
      ),
    ).action(action(k.views));
  }
  const dm = del.command('mapping').aliases(['mappings']).description('Delete network or storage mappings');
  for (const kind of ['network', 'storage'] as const) {
    options(dm.command(kind).description(`Delete ${kind} mappings`)).action(action(() => mappingViews(kind)));
  }
}

/**
 * Plan and map validation as pure functions producing Forklift's conditions (types, categories,
 * reasons and `items`). The reconcilers gather the inputs (objects, inventory, target facts).
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/validation.go
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/validation/provider.go
 */
import {
  Category,
  checkNamespaceName,
  hasTrueCondition,
  isBlocker,
  planMigrationType,
} from '../api/index.js';
import type { Condition, Hook, NetworkMap, Plan, Provider, Ref, StorageMap } from '../api/index.js';

/** A condition as validation states it (time added by the reconciler's staging). */
export type Finding = Omit<Condition, 'lastTransitionTime' | 'status'>;

/** The inventory VM fields validation reads (vSphere model). */
export interface ValidationVm {
  id: string;
  name: string;
  path?: string;
  isTemplate?: boolean;
  networks?: readonly { id: string }[];
  nics?: readonly { network: { id: string }; mac: string }[];
  disks?: readonly { datastore: { id: string } }[];
  concerns?: readonly { id: string; category: string; label: string }[];
  changeTrackingEnabled?: boolean;
  snapshot?: { id: string };
}

/** A source network or datastore of the inventory. */
export interface InventoryNamed {
  id: string;
  name: string;
  path?: string;
}

/** Facts about the target cluster; `undefined` = cannot be looked up (local mode). */
export interface TargetFacts {
  namespaceExists?: boolean;
  /** `ns/name` of NetworkAttachmentDefinitions that exist. */
  networkAttachments?: ReadonlySet<string>;
  /** Storage classes that exist. */
  storageClasses?: ReadonlySet<string>;
  /** Names of VirtualMachines in the target namespace. */
  existingVms?: ReadonlySet<string>;
}

/** Resolves an inventory reference (`{id}`, `{name}` or a path) to an object id. */
export function resolveRef(ref: Ref, objects: readonly InventoryNamed[]): string | undefined {
  if (ref.id) return objects.find((o) => o.id === ref.id)?.id;
  if (!ref.name) return undefined;
  const named = objects.filter((o) => o.name === ref.name || o.path === ref.name);
  return named.length === 1 ? named[0]?.id : undefined;
}

/** Provider checks shared by plans and maps (Forklift's ProviderPair validation). */
export function validateProviders(
  source: Provider | undefined,
  destination: Provider | undefined,
): Finding[] {
  const out: Finding[] = [];
  const check = (p: Provider | undefined, side: 'Source' | 'Destination') => {
    if (!p) {
      out.push({
        type: `${side}ProviderNotValid`,
        category: Category.Critical,
        reason: 'NotFound',
        message: `The ${side.toLowerCase()} provider is not valid.`,
      });
      return;
    }
    if (side === 'Destination' && p.spec.type !== 'openshift') {
      out.push({
        type: 'DestinationProviderNotValid',
        category: Category.Critical,
        reason: 'TypeNotValid',
        message: `The destination provider must be openshift, not ${p.spec.type}.`,
      });
      return;
    }
    if (!hasTrueCondition(p.status?.conditions, 'Ready')) {
      out.push({
        type: `${side}ProviderNotReady`,
        category: Category.Critical,
        reason: 'NotReady',
        message: `The ${side.toLowerCase()} provider ${p.metadata.name ?? ''} is not ready.`,
      });
    }
  };
  check(source, 'Source');
  check(destination, 'Destination');
  return out;
}

/** Inputs of {@link validateMap}. */
export interface MapInput {
  map: NetworkMap | StorageMap;
  source?: Provider;
  destination?: Provider;
  /** Source networks (network map) or datastores (storage map); undefined = no inventory yet. */
  inventory?: readonly InventoryNamed[];
  target?: TargetFacts;
}

/** Validates a NetworkMap or StorageMap: providers, every source resolvable, every destination complete. */
export function validateMap(input: MapInput): Finding[] {
  const out = validateProviders(input.source, input.destination);
  const network = input.map.kind === 'NetworkMap';
  const pairs = input.map.spec.map;
  if (input.inventory && input.source?.spec.type !== 'openshift') {
    const bad = pairs
      .filter((p) => !('type' in p.source && p.source.type === 'pod'))
      .filter((p) => !resolveRef(p.source, input.inventory ?? []))
      .map((p) => p.source.id ?? p.source.name ?? '');
    if (bad.length) {
      out.push({
        type: network ? 'SourceNetworkNotValid' : 'SourceStorageNotValid',
        category: Category.Critical,
        reason: 'NotFound',
        message: `${network ? 'Source networks' : 'Source datastores'} not found (or not unique) in the inventory: ${bad.join(', ')}.`,
        items: bad,
      });
    }
  }
  if (network) {
    const bad = (input.map as NetworkMap).spec.map.filter(
      (p) => p.destination.type === 'multus' && !p.destination.name,
    );
    if (bad.length) {
      out.push({
        type: 'DestinationNetworkNotValid',
        category: Category.Critical,
        reason: 'NotSet',
        message: 'Multus destinations need a name.',
        items: bad.map((p) => p.source.name ?? p.source.id ?? ''),
      });
    }
    const nads = input.target?.networkAttachments;
    if (nads) {
      const missing = (input.map as NetworkMap).spec.map
        .filter((p) => p.destination.type === 'multus')
        .map(
          (p) =>
            `${p.destination.namespace || input.map.metadata.namespace || ''}/${p.destination.name ?? ''}`,
        )
        .filter((n) => !nads.has(n));
      if (missing.length)
        out.push({
          type: 'DestinationNetworkNotValid',
          category: Category.Critical,
          reason: 'NotFound',
          message: `NetworkAttachmentDefinitions not found: ${missing.join(', ')}.`,
          items: missing,
        });
    }
  } else {
    const classes = input.target?.storageClasses;
    const bad = (input.map as StorageMap).spec.map.filter(
      (p) => !p.destination.storageClass || (classes && !classes.has(p.destination.storageClass)),
    );
    if (bad.length) {
      out.push({
        type: 'DestinationStorageNotValid',
        category: Category.Critical,
        reason: 'NotFound',
        message: `Storage classes not set or not found: ${bad.map((p) => p.destination.storageClass || '<empty>').join(', ')}.`,
        items: bad.map((p) => p.destination.storageClass),
      });
    }
  }
  return out;
}

/** Inputs of {@link validatePlan}. */
export interface PlanInput {
  plan: Plan;
  source?: Provider;
  destination?: Provider;
  networkMap?: NetworkMap;
  storageMap?: StorageMap;
  /** Inventory VMs by id; undefined = the inventory is not available yet. */
  vms?: ReadonlyMap<string, ValidationVm>;
  networks?: readonly InventoryNamed[];
  datastores?: readonly InventoryNamed[];
  hooks: ReadonlyMap<string, Hook | undefined>;
  target?: TargetFacts;
  /** DNS-1123 normalisation of VM names (the naming module's). */
  normalizeName: (name: string) => string;
}

const critical = (type: string, reason: string, message: string, items?: string[]): Finding => ({
  type,
  category: Category.Critical,
  reason,
  message,
  ...(items ? { items } : {}),
});

function mapChecks(input: PlanInput): Finding[] {
  const out: Finding[] = [];
  const { plan } = input;
  const ref = (kind: 'network' | 'storage') => plan.spec.map[kind];
  if (!ref('network').name)
    out.push(critical('NetworkMapRefNotValid', 'NotSet', 'Map.Network is not valid.'));
  else if (!input.networkMap)
    out.push(
      critical('NetworkMapRefNotValid', 'NotFound', `Map.Network ${ref('network').name ?? ''} not found.`),
    );
  else if (!hasTrueCondition(input.networkMap.status?.conditions, 'Ready'))
    out.push(critical('NetworkMapNotReady', 'NotReady', 'Map.Network does not have Ready condition.'));
  if (!ref('storage').name) out.push(critical('StorageRefNotValid', 'NotSet', 'Map.Storage is not valid.'));
  else if (!input.storageMap)
    out.push(
      critical('StorageRefNotValid', 'NotFound', `Map.Storage ${ref('storage').name ?? ''} not found.`),
    );
  else if (!hasTrueCondition(input.storageMap.status?.conditions, 'Ready'))
    out.push(critical('StorageMapNotReady', 'NotReady', 'Map.Storage does not have Ready condition.'));
  return out;
}

function specChecks(input: PlanInput): Finding[] {
  const out: Finding[] = [];
  const s = input.plan.spec;
  if (!s.targetNamespace) out.push(critical('NamespaceNotValid', 'NotSet', 'Target namespace is not valid.'));
  else if (checkNamespaceName(s.targetNamespace, 'targetNamespace'))
    out.push(
      critical(
        'NamespaceNotValid',
        'NotValid',
        `Target namespace ${s.targetNamespace} is not a DNS-1123 label.`,
      ),
    );
  else if (input.target?.namespaceExists === false)
    out.push(
      critical('NamespaceNotValid', 'NotFound', `Target namespace ${s.targetNamespace} does not exist.`),
    );
  const type = planMigrationType(s);
  if (type !== 'cold' && type !== 'warm') {
    out.push(
      critical(
        'MigrationTypeNotValid',
        'NotSupported',
        `Migration type ${type} is not supported from ${input.source?.spec.type ?? 'this'} providers; use cold or warm.`,
      ),
    );
  }
  const tn = s.transferNetwork;
  if (
    tn &&
    (!tn.name ||
      (input.target?.networkAttachments &&
        !input.target.networkAttachments.has(`${tn.namespace ?? ''}/${tn.name}`)))
  ) {
    out.push(
      critical(
        'TransferNetworkNotValid',
        'NotFound',
        `Transfer network ${tn.namespace ?? ''}/${tn.name ?? ''} not found.`,
      ),
    );
  }
  return out;
}

function hookChecks(input: PlanInput): Finding[] {
  const notValid: string[] = [];
  const notReady: string[] = [];
  for (const vm of input.plan.spec.vms) {
    for (const h of vm.hooks ?? []) {
      const key = `${h.hook.namespace ?? ''}/${h.hook.name ?? ''}`;
      const hook = input.hooks.get(key);
      if (!hook || (h.step !== 'PreHook' && h.step !== 'PostHook')) notValid.push(key);
      else if (hook.status?.conditions && hook.status.conditions.some(isBlocker)) notReady.push(key);
    }
  }
  const out: Finding[] = [];
  if (notValid.length)
    out.push(
      critical('HookNotValid', 'NotFound', 'Hook not found, or step not PreHook/PostHook.', [
        ...new Set(notValid),
      ]),
    );
  if (notReady.length)
    out.push(critical('HookNotReady', 'NotReady', 'Hook is not ready.', [...new Set(notReady)]));
  return out;
}

/** The per-VM checks, each collecting the affected VMs into one condition's `items`. */
function vmChecks(input: PlanInput): Finding[] {
  const { plan } = input;
  const items = new Map<string, string[]>();
  const add = (type: string, vm: string) => items.set(type, [...(items.get(type) ?? []), vm]);
  const seen = new Set<string>();
  const macs = new Map<string, string>();
  const warm = planMigrationType(plan.spec) === 'warm';
  const netMapped = new Map<string, string>(); // network id → destination type
  for (const p of input.networkMap?.spec.map ?? []) {
    const id = resolveRef(p.source, input.networks ?? []);
    if (id) netMapped.set(id, p.destination.type);
  }
  const dsMapped = new Set(
    (input.storageMap?.spec.map ?? []).map((p) => resolveRef(p.source, input.datastores ?? [])),
  );
  for (const ref of plan.spec.vms) {
    if (!ref.id && !ref.name) {
      add('VMRefNotValid', '<empty>');
      continue;
    }
    const label = ref.name ?? ref.id ?? '';
    if (!input.vms) continue;
    const vm = ref.id ? input.vms.get(ref.id) : [...input.vms.values()].find((v) => v.name === ref.name);
    if (!vm) {
      add('VMNotFound', label);
      continue;
    }
    if (seen.has(vm.id)) add('DuplicateVM', label);
    seen.add(vm.id);
    const target = ref.targetName ?? vm.name;
    if (input.normalizeName(target) !== target)
      add('TargetNameNotValid', `${label} → ${input.normalizeName(target)}`);
    if (
      input.target?.existingVms?.has(input.normalizeName(target)) &&
      !plan.status?.migration?.vms?.some((v) => v.id === vm.id)
    )
      add('VMAlreadyExists', label);
    if (input.networkMap && (vm.networks ?? []).some((n) => !netMapped.has(n.id)))
      add('VMNetworksNotMapped', label);
    if (input.storageMap && (vm.disks ?? []).some((d) => !dsMapped.has(d.datastore.id)))
      add('VMStorageNotMapped', label);
    const podNics = (vm.nics ?? []).filter((n) => netMapped.get(n.network.id) === 'pod').length;
    if (podNics > 1) add('VMMultiplePodNetworkMappings', label);
    for (const n of vm.nics ?? []) {
      const other = macs.get(n.mac);
      if (other && other !== vm.id) add('MacConflicts', `${label} (${n.mac})`);
      macs.set(n.mac, vm.id);
    }
    if ((vm.concerns ?? []).some((c) => c.category === 'Critical')) add('VMCriticalConcerns', label);
    if (vm.snapshot?.id) add('VMHasSnapshots', label);
    if (warm && !vm.changeTrackingEnabled) add('VMMissingChangedBlockTracking', label);
    if (vm.isTemplate) add('VMIsTemplate', label);
  }
  return [...items.entries()].map(([type, list]) => vmFinding(type, list));
}

const vmFindings: Readonly<Record<string, { category: string; reason: string; message: string }>> = {
  VMRefNotValid: {
    category: Category.Critical,
    reason: 'NotSet',
    message: 'Either `ID` or `Name` required.',
  },
  VMNotFound: { category: Category.Critical, reason: 'NotFound', message: 'VM not found.' },
  DuplicateVM: { category: Category.Critical, reason: 'NotUnique', message: 'Duplicate (source) VM.' },
  TargetNameNotValid: {
    category: Category.Warn,
    reason: 'NotValid',
    message: 'Target VM name does not comply with DNS1123 RFC, will be automatically changed.',
  },
  VMAlreadyExists: { category: Category.Critical, reason: 'NotUnique', message: 'Target VM already exists.' },
  VMNetworksNotMapped: {
    category: Category.Critical,
    reason: 'NotValid',
    message: 'VM has unmapped networks.',
  },
  VMStorageNotMapped: {
    category: Category.Critical,
    reason: 'NotValid',
    message: 'VM has unmapped storage.',
  },
  VMMultiplePodNetworkMappings: {
    category: Category.Critical,
    reason: 'NotValid',
    message: 'VM has more than one interface mapped to the pod network.',
  },
  MacConflicts: { category: Category.Critical, reason: 'NotUnique', message: 'VMs share a MAC address.' },
  VMCriticalConcerns: {
    category: Category.Critical,
    reason: 'NotValid',
    message: 'VM has critical concerns (see: mtv get inventory vm … -q "where criticalConcerns > 0").',
  },
  VMHasSnapshots: {
    category: Category.Warn,
    reason: 'NotValid',
    message: 'VM has snapshots; the current state is migrated.',
  },
  VMMissingChangedBlockTracking: {
    category: Category.Critical,
    reason: 'NotSupported',
    message: 'Warm migration needs changed block tracking (CBT) enabled on the VM.',
  },
  VMIsTemplate: {
    category: Category.Critical,
    reason: 'NotSupported',
    message: 'VM is a template and cannot be migrated.',
  },
};

function vmFinding(type: string, list: string[]): Finding {
  const f = vmFindings[type] ?? { category: Category.Critical, reason: 'NotValid', message: type };
  return { type, ...f, items: list };
}

/** Target-side checks that cannot run here (local mode), said as an Advisory. */
function targetAdvisory(input: PlanInput): Finding[] {
  if (input.target) return [];
  return [
    {
      type: 'TargetNotChecked',
      category: Category.Advisory,
      reason: 'NotSupported',
      message:
        'Local mode cannot look up the target cluster: namespace, NetworkAttachmentDefinitions, storage classes and existing VMs are checked when the manifests are applied.',
    },
  ];
}

/** Every finding about a plan, in Forklift's order. */
export function validatePlan(input: PlanInput): Finding[] {
  const providers = validateProviders(input.source, input.destination);
  if (providers.some((f) => f.type === 'SourceProviderNotValid' || f.type === 'SourceProviderNotReady'))
    return providers;
  return [
    ...providers,
    ...specChecks(input),
    ...mapChecks(input),
    ...vmChecks(input),
    ...hookChecks(input),
    ...targetAdvisory(input),
  ];
}

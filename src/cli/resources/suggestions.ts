/**
 * What to do about a condition: a short remedy per known Forklift condition type, naming the
 * command to run with the object's own names filled in. A condition's own `suggestion` (Forklift
 * writes some) wins.
 */
import type { Condition, ForkliftKind, KubeObject, ObjectReference } from '../../api/index.js';

/** Names a suggestion can quote. */
interface Names {
  /** The object's name. */
  name: string;
  /** The source provider (plans and maps). */
  source: string;
  /** The plan's network and storage maps. */
  networkMap: string;
  storageMap: string;
  /** The condition's items (VMs, hooks…), comma-separated, or a placeholder. */
  items: string;
  /** The first item, or a placeholder. */
  item: string;
}

type Remedy = (n: Names) => string;

const planRemedies: Readonly<Record<string, Remedy>> = {
  SourceProviderNotValid: () => 'the source provider does not exist; list them with: mtv get providers',
  SourceProviderNotReady: (n) => `see why: mtv describe provider ${n.source}`,
  DestinationProviderNotValid: () =>
    'the target must be an openshift provider; list them with: mtv get providers',
  DestinationProviderNotReady: () => 'see why: mtv describe provider TARGET (mtv get providers)',
  NetworkMapRefNotValid: (n) =>
    `create the network map (mtv create mapping network ${n.networkMap} …) or point spec.map.network at an existing one`,
  NetworkMapNotReady: (n) => `see why: mtv describe mapping network ${n.networkMap}`,
  StorageRefNotValid: (n) =>
    `create the storage map (mtv create mapping storage ${n.storageMap} …) or point spec.map.storage at an existing one`,
  StorageMapNotReady: (n) => `see why: mtv describe mapping storage ${n.storageMap}`,
  NamespaceNotValid: (n) =>
    `set an existing DNS-1123 namespace: mtv patch plan ${n.name} --target-namespace NS`,
  MigrationTypeNotValid: () => 'choose a migration type the source supports (cold works for every source)',
  TransferNetworkNotValid: (n) =>
    `create the NetworkAttachmentDefinition, or choose another: mtv patch plan ${n.name} --transfer-network NS/NAME`,
  VMRefNotValid: () => 'give every entry of spec.vms an id or a name',
  VMNotFound: (n) =>
    `check the name or id of ${n.items} against the source's VMs: mtv get inventory vm ${n.source}`,
  DuplicateVM: () => 'list each VM once in spec.vms',
  TargetNameNotValid: (n) =>
    `nothing to do (the name is made DNS-1123); to choose it: mtv patch planvm ${n.name} ${n.item} --target-name NAME`,
  VMAlreadyExists: (n) =>
    `choose another name (mtv patch planvm ${n.name} ${n.item} --target-name NAME) or delete the existing VM`,
  VMNetworksNotMapped: (n) =>
    `map the VM's networks: mtv describe mapping network ${n.networkMap}, then mtv patch mapping network ${n.networkMap} --add-pairs SOURCE:TARGET`,
  VMStorageNotMapped: (n) =>
    `map the VM's datastores: mtv describe mapping storage ${n.storageMap}, then mtv patch mapping storage ${n.storageMap} --add-pairs SOURCE:CLASS`,
  VMMultiplePodNetworkMappings: (n) =>
    `map at most one of the VM's networks to the pod network: mtv patch mapping network ${n.networkMap} --update-pairs SOURCE:ignored`,
  MacConflicts: () => 'migrate VMs that share a MAC address in separate plans, or change a MAC at the source',
  VMCriticalConcerns: (n) =>
    `read the concerns: mtv get inventory vm ${n.source} -q "where criticalConcerns > 0"`,
  VMHasSnapshots: () => 'only the current state is migrated; nothing to do unless the snapshots matter',
  VMMissingChangedBlockTracking: () =>
    'enable changed block tracking (ctkEnabled) on the VM in vSphere, or migrate it cold',
  VMIsTemplate: () => 'remove the template from the plan; templates cannot be migrated',
  HookNotValid: (n) =>
    `create the hook (mtv create hook …) or remove it: mtv patch planvm ${n.name} VM --remove-hook ${n.item}`,
  HookNotReady: (n) => `see why: mtv describe hook ${n.item}`,
  Failed: (n) =>
    `see each VM's error: mtv get plan ${n.name} --vms (mtv describe plan ${n.name} --vm VM); fix it, then mtv start plan ${n.name} runs the VMs that did not succeed`,
  Canceled: (n) => `mtv start plan ${n.name} runs the canceled VMs again`,
};

const vmRemedies: Readonly<Record<string, Remedy>> = {
  Failed: (n) =>
    `read the error below; fix its cause, then mtv start plan ${n.name} runs this VM again (VMs that succeeded are kept)`,
  Canceled: (n) => `mtv start plan ${n.name} runs this VM again`,
  Pending: () => 'nothing to do: the VM starts when a slot frees up (the scheduler limits VMs in flight)',
};

const providerRemedies: Readonly<Record<string, Remedy>> = {
  ConnectionTestFailed: (n) =>
    `check that the URL is right and reachable: mtv patch provider ${n.name} --url URL`,
  ConnectionAuthFailed: (n) =>
    `update the credentials: mtv patch provider ${n.name} --username USER --password-file FILE`,
  ConnectionInsecure: (n) => `give the server's CA: mtv patch provider ${n.name} --cacert @ca.pem`,
  SecretNotValid: (n) =>
    `set the credentials: mtv patch provider ${n.name} --username USER --password-file FILE`,
  UrlNotValid: (n) => `set the endpoint: mtv patch provider ${n.name} --url https://vcenter/sdk`,
};

const mapRemedies: Readonly<Record<string, Remedy>> = {
  SourceProviderNotValid: () => 'the source provider does not exist; list them with: mtv get providers',
  SourceProviderNotReady: (n) => `see why: mtv describe provider ${n.source}`,
  SourceNetworkNotValid: (n) =>
    `check the source networks: mtv get inventory network ${n.source} (then fix the pair)`,
  SourceStorageNotValid: (n) =>
    `check the source datastores: mtv get inventory storage ${n.source} (then fix the pair)`,
  DestinationNetworkNotValid: () =>
    'create the NetworkAttachmentDefinition, or map the network to pod or ignored',
  DestinationStorageNotValid: () => 'use an existing storage class (kubectl get storageclass)',
};

const remedies: Partial<Record<ForkliftKind | 'VM', Readonly<Record<string, Remedy>>>> = {
  Plan: planRemedies,
  VM: vmRemedies,
  Provider: providerRemedies,
  NetworkMap: mapRemedies,
  StorageMap: mapRemedies,
};

/** A name as one shell word (quoted when it has spaces or quotes). */
function word(s: string): string {
  return /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function names(o: KubeObject, c: Condition): Names {
  const spec = (o as { spec?: { provider?: { source?: ObjectReference }; map?: unknown } }).spec;
  const maps = spec?.map as { network?: ObjectReference; storage?: ObjectReference } | undefined;
  const items = c.items?.length ? c.items : undefined;
  return {
    name: word(o.metadata.name ?? 'NAME'),
    source: spec?.provider?.source?.name ?? 'SOURCE',
    networkMap: maps?.network?.name ?? 'MAP',
    storageMap: maps?.storage?.name ?? 'MAP',
    items: items ? items.join(', ') : 'the VM',
    // TargetNameNotValid items read `name → normalised`.
    item: items?.[0] ? word(items[0].split(' → ')[0] ?? '') : 'NAME',
  };
}

/**
 * A short remedy for a true condition of `kind` (or a plan's VM, kind `VM` with the plan as
 * `obj`), or undefined when there is nothing to suggest.
 */
export function conditionSuggestion(
  kind: ForkliftKind | 'VM',
  obj: KubeObject,
  c: Condition,
): string | undefined {
  if (c.status !== 'True') return undefined;
  if (c.suggestion) return c.suggestion;
  return remedies[kind]?.[c.type]?.(names(obj, c));
}

/** The suggestions for a list of conditions, as `Type: remedy` pairs. */
export function suggestions(
  kind: ForkliftKind | 'VM',
  obj: KubeObject,
  conditions: readonly Condition[],
): { type: string; text: string }[] {
  return conditions.flatMap((c) => {
    const text = conditionSuggestion(kind, obj, c);
    return text ? [{ type: c.type, text }] : [];
  });
}

/**
 * Automatic network and storage mapping for a plan created without mappings: every source network
 * and datastore the selected VMs use gets a destination, and every choice is explained.
 *
 * - Networks: the network most of the VMs use goes to the pod network (or to
 *   `--default-target-network`); a VM has one pod network, so further networks need a destination:
 *   the default target network when it is a Multus network, else `ignored` only when the user says
 *   so (`ignoreExtraNetworks`), else a problem naming them.
 * - Datastores: `--default-target-storage-class`, else the cluster's default virtualization
 *   storage class, else its default storage class; local mode cannot look those up.
 *
 * Pure: the caller fetches the inventory and the cluster's storage classes.
 */
import type { DestinationNetwork, NetworkPair, Problem, StoragePair } from '../api/index.js';

/** The inventory facts auto-mapping reads. */
export interface AutoMapVm {
  id: string;
  name: string;
  /** The networks the VM's NICs attach to (the inventory's `networks`). */
  networks?: readonly { id: string }[];
  disks?: readonly { datastore: { id: string } }[];
}

/** A named inventory object (network or datastore). */
export interface Named {
  id: string;
  name: string;
}

/** Inputs of {@link autoMap}. */
export interface AutoMapInput {
  vms: readonly AutoMapVm[];
  networks: readonly Named[];
  datastores: readonly Named[];
  /** `--default-target-network`: where networks go. @default pod */
  defaultNetwork?: DestinationNetwork;
  /** Map networks beyond the first to `ignored` (the user said so). */
  ignoreExtraNetworks?: boolean;
  /** `--default-target-storage-class`. */
  storageClass?: string;
  /** The cluster's defaults (cluster mode); undefined when they cannot be looked up. */
  clusterStorageClasses?: { virtDefault?: string; default?: string };
}

/** What auto-mapping decided. */
export interface AutoMapResult {
  network: NetworkPair[];
  storage: StoragePair[];
  /** One line per choice, for `create plan` to print. */
  notes: string[];
  problems: Problem[];
}

function usage(vms: readonly AutoMapVm[], ids: (vm: AutoMapVm) => string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const vm of vms) for (const id of new Set(ids(vm))) out.set(id, [...(out.get(id) ?? []), vm.name]);
  return out;
}

const label = (objs: readonly Named[], id: string): string => {
  const o = objs.find((n) => n.id === id);
  return o ? `${o.name} (${id})` : id;
};

const vmList = (names: readonly string[]): string =>
  names.length <= 3
    ? names.join(', ')
    : `${names.slice(0, 3).join(', ')} and ${String(names.length - 3)} more`;

/** Maps networks. */
function mapNetworks(input: AutoMapInput, out: AutoMapResult): void {
  const used = [...usage(input.vms, (vm) => (vm.networks ?? []).map((n) => n.id)).entries()].sort(
    (a, b) => b[1].length - a[1].length,
  );
  const dest = input.defaultNetwork ?? { type: 'pod' };
  const describe = (d: DestinationNetwork) =>
    d.type === 'multus'
      ? `Multus network ${d.namespace ?? ''}/${d.name ?? ''}`
      : d.type === 'pod'
        ? 'the pod network'
        : 'nothing (ignored)';
  const extra: string[] = [];
  used.forEach(([id, vms], i) => {
    const source = { id, name: input.networks.find((n) => n.id === id)?.name ?? id };
    if (dest.type !== 'pod' || i === 0) {
      out.network.push({ source, destination: dest });
      const why = input.defaultNetwork
        ? '--default-target-network'
        : i === 0 && used.length > 1
          ? 'used by the most VMs'
          : 'the default';
      out.notes.push(
        `network ${label(input.networks, id)} → ${describe(dest)} (${why}; VMs: ${vmList(vms)})`,
      );
      return;
    }
    if (input.ignoreExtraNetworks) {
      out.network.push({ source, destination: { type: 'ignored' } });
      out.notes.push(
        `network ${label(input.networks, id)} → ignored (--ignore-extra-networks; VMs: ${vmList(vms)})`,
      );
      return;
    }
    extra.push(label(input.networks, id));
  });
  if (extra.length) {
    out.problems.push({
      field: '--vms',
      message: `the VMs use ${String(used.length)} networks and only one can be the pod network; no destination for: ${extra.join(', ')}`,
      hint: 'map them with --network-pairs or --network-mapping, give a Multus network with --default-target-network NS/NAME, or leave them unconnected with --ignore-extra-networks',
    });
  }
}

/** Maps datastores. */
function mapStorage(input: AutoMapInput, out: AutoMapResult): void {
  const used = usage(input.vms, (vm) => (vm.disks ?? []).map((d) => d.datastore.id));
  if (!used.size) return;
  const cluster = input.clusterStorageClasses;
  const cls = input.storageClass ?? cluster?.virtDefault ?? cluster?.default;
  const why = input.storageClass
    ? '--default-target-storage-class'
    : cluster?.virtDefault
      ? "the cluster's default virtualization storage class"
      : "the cluster's default storage class";
  if (!cls) {
    out.problems.push({
      field: '--default-target-storage-class',
      message: cluster
        ? 'is needed: the cluster has no default storage class'
        : 'is needed: the cluster’s storage classes cannot be looked up here (local mode)',
      hint: 'name the storage class for the VMs’ disks, or map datastores with --storage-pairs',
    });
    return;
  }
  for (const [id, vms] of used) {
    out.storage.push({
      source: { id, name: input.datastores.find((d) => d.id === id)?.name ?? id },
      destination: { storageClass: cls },
    });
    out.notes.push(
      `datastore ${label(input.datastores, id)} → storage class ${cls} (${why}; VMs: ${vmList(vms)})`,
    );
  }
}

/** Decides the mappings for the selected VMs. */
export function autoMap(input: AutoMapInput): AutoMapResult {
  const out: AutoMapResult = { network: [], storage: [], notes: [], problems: [] };
  mapNetworks(input, out);
  mapStorage(input, out);
  return out;
}

/**
 * Disks and NICs of the target VirtualMachine, as Forklift's vSphere builder maps them
 * (`mapDisks`, `mapNetworks`): one PVC volume per source disk in target order, the root disk
 * first to boot; one interface per source NIC in guest order, keeping its MAC, on the pod network
 * (masquerade) or a Multus network (bridge), ignored networks left out.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/adapter/vsphere/builder.go
 */
import {
  UsageError,
  type DestinationNetwork,
  type PlanSpec,
  type PlanVM,
  type Problem,
} from '../api/index.js';
import type { Disk, NIC, VM } from '../providers/vsphere/model.js';
import { rootDiskIndex, sortDisks } from './disk-order.js';
import {
  InterfaceModel,
  KubevirtDiskBus,
  type Disk as KvDisk,
  type Interface,
  type Network,
  type Volume,
} from './kubevirt-types.js';
import { renderObjectName, resolveNameTemplate, type NameTemplateKind, type TemplateVars } from './naming.js';

/** What the device mappers need to know about the plan and the VM. */
export interface DeviceContext {
  vm: VM;
  spec: PlanSpec;
  planVM: PlanVM | undefined;
  /** SATA disks, e1000e NICs and a USB tablet (see `useCompatibilityMode`). */
  compatibility: boolean;
}

const serialChars = /^[A-Za-z0-9_.+-]+$/;
const pciAddress = /^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-9a-fA-F]{1,2}$/;

function templateField(
  ctx: DeviceContext,
  kind: NameTemplateKind,
  source: 'vm' | 'plan' | 'default',
): string {
  return source === 'vm' ? `spec.vms[${ctx.vm.id}].${kind}NameTemplate` : `spec.${kind}NameTemplate`;
}

/**
 * Renders names for several items and rejects duplicates (a template without an index). Volume
 * names are cut to 63 characters before they are checked, as Forklift cuts them.
 */
function renderNames(
  ctx: DeviceContext,
  kind: NameTemplateKind,
  varsList: readonly TemplateVars[],
  cut: boolean,
): string[] {
  const { template, source } = resolveNameTemplate(kind, ctx.planVM, ctx.spec);
  const field = templateField(ctx, kind, source);
  const names = varsList.map((vars) => renderObjectName(template, vars, field, cut ? 63 : undefined));
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new UsageError({
        field,
        message: `renders "${name}" for both ${kind} ${first} and ${kind} ${i}; names must be unique within the VM`,
        value: template,
        hint: `include .${kind === 'volume' ? 'VolumeIndex' : 'NetworkIndex'} in the template`,
      });
    }
    seen.set(name, i);
  });
  return names;
}

/** The index of the disk that boots, or undefined when it is out of range (Forklift then sets none). */
function bootIndex(
  planVM: PlanVM | undefined,
  detectedBootDisk: number | undefined,
  count: number,
): number | undefined {
  const index = planVM?.rootDisk
    ? (rootDiskIndex(planVM.rootDisk) ?? 0)
    : detectedBootDisk !== undefined && detectedBootDisk >= 0
      ? detectedBootDisk
      : 0;
  return index < count ? index : undefined;
}

function diskDevice(ctx: DeviceContext, disk: Disk, name: string): KvDisk {
  const lun = disk.rdm && (ctx.planVM?.rdmAsLun ?? ctx.spec.rdmAsLun ?? false);
  const reservation = ctx.planVM?.scsiReservation ?? ctx.spec.scsiReservation ?? false;
  const device: KvDisk = lun
    ? { name, lun: { bus: KubevirtDiskBus.Scsi, ...(reservation ? { reservation: true } : {}) } }
    : { name, disk: { bus: ctx.compatibility ? KubevirtDiskBus.Sata : KubevirtDiskBus.Virtio } };
  // The guest sees a disk's UUID as its serial only on SCSI with disk.EnableUUID (Forklift's rule).
  if (ctx.vm.diskEnableUuid && disk.bus === 'scsi' && disk.serial && serialChars.test(disk.serial)) {
    device.serial = disk.serial;
  }
  if (disk.shared) {
    device.shareable = true;
    device.cache = 'none';
  }
  return device;
}

/**
 * Volumes and disks for the VM's disks in target order.
 * @param claims PVC name by source disk key.
 * @param excluded disk keys left out on purpose (they need no claim).
 * @throws UsageError listing every disk without a claim, or duplicate volume names.
 */
export function mapDisks(
  ctx: DeviceContext,
  claims: Readonly<Record<number, string>>,
  excluded: ReadonlySet<number>,
  detectedBootDisk: number | undefined,
): { volumes: Volume[]; disks: KvDisk[] } {
  const disks = sortDisks(ctx.vm.disks).filter((d) => !excluded.has(d.key));
  const missing: Problem[] = disks
    .filter((d) => claims[d.key] === undefined)
    .map((d) => ({
      field: `disks[key=${d.key}]`,
      message: `VM ${ctx.vm.name} disk ${d.file} has no PersistentVolumeClaim`,
      hint: 'create its claim first, or exclude the disk',
    }));
  if (missing.length > 0) throw new UsageError(missing);
  const claimNames = disks.map((d) => claims[d.key] ?? '');
  const names = renderNames(
    ctx,
    'volume',
    claimNames.map((PVCName, VolumeIndex) => ({ PVCName, VolumeIndex })),
    true,
  );
  const boot = bootIndex(ctx.planVM, detectedBootDisk, disks.length);
  return {
    volumes: disks.map((_, i) => ({
      name: names[i] ?? '',
      persistentVolumeClaim: { claimName: claimNames[i] ?? '' },
    })),
    disks: disks.map((d, i) => ({
      ...diskDevice(ctx, d, names[i] ?? ''),
      ...(i === boot ? { bootOrder: 1 } : {}),
    })),
  };
}

function sortNics(nics: readonly NIC[]): NIC[] {
  return [...nics].sort((a, b) => a.order - b.order || a.deviceKey - b.deviceKey);
}

/**
 * Networks and interfaces for the VM's NICs in guest order; NICs on ignored networks are left
 * out and do not take an index.
 * @param networks destination by source network id.
 * @throws UsageError for NICs whose network has no mapping, more than one NIC on the pod
 *   network, or duplicate interface names.
 */
export function mapNics(
  ctx: DeviceContext,
  networks: Readonly<Record<string, DestinationNetwork>>,
): { networks: Network[]; interfaces: Interface[] } {
  const nics = sortNics(ctx.vm.nics);
  const unmapped: Problem[] = nics
    .filter((n) => !Object.hasOwn(networks, n.network.id))
    .map((n) => ({
      field: `nics[mac=${n.mac}]`,
      message: `VM ${ctx.vm.name} NIC ${n.mac} is on network ${n.network.id}, which the network map does not map`,
      hint: 'add the network to the network map (type pod, multus or ignored)',
    }));
  if (unmapped.length > 0) throw new UsageError(unmapped);
  const kept = nics
    .map((nic) => ({ nic, dest: networks[nic.network.id] }))
    .filter(
      (x): x is { nic: NIC; dest: DestinationNetwork } => x.dest !== undefined && x.dest.type !== 'ignored',
    );
  const pods = kept.filter((x) => x.dest.type === 'pod');
  if (pods.length > 1) {
    throw new UsageError({
      field: 'spec.map.network',
      message: `VM ${ctx.vm.name} has ${pods.length} NICs (${pods.map((p) => p.nic.mac).join(', ')}) on the pod network; KubeVirt allows one`,
      hint: 'map the other networks to Multus NetworkAttachmentDefinitions, or to ignored',
    });
  }
  const names = renderNames(
    ctx,
    'network',
    kept.map(({ dest }, NetworkIndex) => ({
      NetworkName: dest.name ?? '',
      NetworkNamespace: dest.namespace ?? '',
      NetworkType: dest.type,
      NetworkIndex,
    })),
    false,
  );
  return {
    networks: kept.map(({ dest }, i) => network(names[i] ?? '', dest)),
    interfaces: kept.map(({ nic, dest }, i) => iface(ctx, names[i] ?? '', nic, dest)),
  };
}

function network(name: string, dest: DestinationNetwork): Network {
  if (dest.type === 'pod') return { name, pod: {} };
  const nad = dest.namespace ? `${dest.namespace}/${dest.name ?? ''}` : (dest.name ?? '');
  return { name, multus: { networkName: nad } };
}

function iface(ctx: DeviceContext, name: string, nic: NIC, dest: DestinationNetwork): Interface {
  return {
    name,
    model: ctx.compatibility ? InterfaceModel.E1000e : InterfaceModel.Virtio,
    ...(nic.mac ? { macAddress: nic.mac } : {}),
    ...(nic.pciAddress && pciAddress.test(nic.pciAddress) ? { pciAddress: nic.pciAddress } : {}),
    ...(nic.startConnected === false ? { state: 'down' as const } : {}),
    ...(dest.type === 'pod' ? { masquerade: {} } : { bridge: {} }),
  };
}

/**
 * Validation of vSphere VMs: Forklift's OPA policies (`io.konveyor.forklift.vmware`) as one table
 * of pure rules. Ids, labels, categories and assessments are Forklift's, so reports, scripts and
 * the console read the same concerns; deliberate differences are noted on the rule.
 *
 * Rules read the VM and, through a {@link ValidationContext}, the objects it refers to (datastores,
 * hosts, clusters, networks), so a rule can tell that a disk's datastore is not in the inventory.
 * Forklift's input is the "workload" (the VM with `host.cluster` nested); here the context plays
 * that part.
 *
 * @see https://github.com/kubev2v/forklift/tree/main/validation/policies/io/konveyor/forklift/vmware
 */
import {
  ConcernCategory,
  DeviceKind,
  DiskMode,
  VsphereKind,
  hasRef,
  type Cluster,
  type Concern,
  type Datastore,
  type Disk,
  type GuestDisk,
  type Host,
  type Network,
  type VM,
} from './model.js';

/**
 * Version of this rule table, stored on each VM as `policyVersion`; a VM validated with another
 * version is out of date. Starts at Forklift's vmware `rules_version` (5); bump on every change.
 */
export const RulesVersion = 5;

/** Lookups of the objects a VM refers to; `undefined` when the inventory has no such object. */
export interface ValidationContext {
  datastore(id: string): Datastore | undefined;
  host(id: string): Host | undefined;
  cluster(id: string): Cluster | undefined;
  network(id: string): Network | undefined;
}

/** Label and assessment of one finding of a rule that reports per item (disk, filesystem). */
export interface Finding {
  label: string;
  assessment: string;
}

/**
 * One validation rule. `label` and `assessment` are the rule's fixed texts; a rule that reports
 * per item (e.g. per disk) returns one {@link Finding} per item with texts naming it.
 */
export interface ConcernRule {
  /** Forklift's concern id, e.g. `vmware.datastore.missing`. */
  readonly id: string;
  readonly category: ConcernCategory;
  readonly label: string;
  readonly assessment: string;
  /** Whether the VM has the concern: `true`/`false`, or the findings (empty = none). */
  test(vm: VM, ctx: ValidationContext): boolean | readonly Finding[];
}

/** Disks per VM the target platform accepts (CNV-91554). */
export const MaxDiskCount = 165;

const MiB = 1024 * 1024;

/** Minimum free space virt-v2v needs on a guest filesystem, bytes. */
function minFreeSpace(path: string): number {
  if (path === '/') return 100 * MiB;
  if (path === '/boot') return 50 * MiB;
  if (path.toLowerCase() === 'c:\\') return 100 * MiB;
  return 10 * MiB;
}

/** `scsi0:1`: the disk's controller-relative name, as in `extraConfig` keys. */
function deviceKey(d: Disk): string {
  return `${d.bus}${d.controllerKey % 100}:${d.unitNumber}`;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The cluster of the VM's host (workload `host.cluster` in Forklift). */
function clusterOf(vm: VM, ctx: ValidationContext): Cluster | undefined {
  const id = vm.cluster || ctx.host(vm.host)?.cluster;
  return id ? ctx.cluster(id) : undefined;
}

function hasDevice(vm: VM, ...kinds: string[]): boolean {
  return vm.devices.some((d) => kinds.includes(d.kind));
}

const unsupportedGuestId = /(rhel6guest|rhel6_64guest|photonguest|photon64guest)/;
const unsupportedGuestName = ['red hat enterprise linux 6', 'vmware photon os'];

function freeSpaceFindings(vm: VM): Finding[] {
  const out: Finding[] = [];
  for (const g of vm.guestDisks) {
    if (g.freeSpace === undefined) continue;
    const path = g.diskPath ?? '';
    const required = minFreeSpace(path);
    if (g.freeSpace >= required) continue;
    out.push({
      label: `Insufficient free space for conversion on '${path}'`,
      assessment:
        `The guest filesystem '${path}' has ${Math.round(g.freeSpace / MiB)} MB of free space, but a minimum of ` +
        `${required / MiB} MB is required for conversion. Free up space on this filesystem before migration.`,
    });
  }
  return out;
}

function missingKeyFindings(vm: VM): Finding[] {
  if (!vm.guestId.toLowerCase().includes('windows')) return [];
  return vm.guestDisks
    .filter((g: GuestDisk) => !g.key)
    .map((g) => ({
      label: `Missing disk key mapping for '${g.diskPath ?? ''}'`,
      assessment: 'winDriveLetter cannot be resolved in PVC name templates without a disk key mapping.',
    }));
}

/**
 * The rules, in the order {@link validateVM} reports them: Critical, then Warning, then
 * Information, each by id.
 */
export const ConcernRules: readonly ConcernRule[] = [
  // ---- Critical
  {
    id: 'vmware.datastore.missing',
    category: ConcernCategory.Critical,
    label: 'Disk is not located on a datastore',
    assessment:
      'The VM is configured with a disk that is not located on a datastore. The VM cannot be migrated.',
    // Forklift checks only for an empty datastore id; mtv also flags a datastore not in the inventory.
    test: (vm, ctx) => vm.disks.some((d) => !hasRef(d.datastore) || !ctx.datastore(d.datastore.id)),
  },
  {
    id: 'vmware.disk.capacity.invalid',
    category: ConcernCategory.Critical,
    label: 'Disk has an invalid capacity',
    assessment:
      'A disk has a capacity of 0 bytes or less, which is not allowed. Capacity must be greater than zero.',
    test: (vm) =>
      vm.disks
        .filter((d) => d.capacity <= 0)
        .map((d) => ({
          label: `Disk '${d.file}' has an invalid capacity of ${d.capacity} bytes`,
          assessment: `Disk '${d.file}' has a capacity of ${d.capacity} bytes, which is not allowed. Capacity must be greater than zero.`,
        })),
  },
  {
    id: 'vmware.guestDisks.freespace',
    category: ConcernCategory.Critical,
    label: 'Insufficient free space for conversion',
    assessment:
      'A guest filesystem has less free space than conversion needs (100 MB on / and C:\\, 50 MB on /boot, 10 MB elsewhere). Free up space on this filesystem before migration.',
    test: freeSpaceFindings,
  },
  {
    id: 'vmware.passthrough_device.detected',
    category: ConcernCategory.Critical,
    label: 'Passthrough device detected',
    assessment:
      'SCSI or PCI passthrough devices are not currently supported by Migration Toolkit for Virtualization. The VM cannot be migrated unless the passthrough device is removed.',
    // Forklift's policy tests PCI only although its text names SCSI too; mtv tests both.
    test: (vm) => hasDevice(vm, DeviceKind.PCIPassthrough, DeviceKind.SCSIPassthrough),
  },
  // ---- Warning
  {
    id: 'vmware.changed_block_tracking.disabled',
    category: ConcernCategory.Warning,
    label: 'Changed Block Tracking (CBT) not enabled',
    assessment: 'For VM warm migration, Changed Block Tracking (CBT) must be enabled in VMware.',
    test: (vm) => !vm.changeTrackingEnabled,
  },
  {
    id: 'vmware.changed_block_tracking.disk.disabled',
    category: ConcernCategory.Warning,
    label: 'Disk does not have CBT enabled',
    assessment:
      'Changed Block Tracking (CBT) has not been enabled for this device. This feature is a prerequisite for VM warm migration.',
    test: (vm) =>
      vm.disks
        .filter((d) => d.changeTrackingEnabled === false)
        .map((d) => ({
          label: `Disk - ${deviceKey(d)} does not have CBT enabled`,
          assessment:
            'Changed Block Tracking (CBT) has not been enabled for this device. This feature is a prerequisite for VM warm migration.',
        })),
  },
  {
    id: 'vmware.cpu_affinity.detected',
    category: ConcernCategory.Warning,
    label: 'CPU affinity detected',
    assessment:
      'The VM will be migrated without CPU affinity, but administrators can set it after migration.',
    test: (vm) => vm.cpuAffinity.length > 0,
  },
  {
    id: 'vmware.cpu_memory.hotplug.enabled',
    category: ConcernCategory.Warning,
    label: 'CPU/Memory hotplug detected',
    assessment:
      'Hot pluggable CPU or memory is not currently supported by Migration Toolkit for Virtualization. You can reconfigure CPU or memory after migration.',
    test: (vm) => vm.cpuHotAddEnabled || vm.cpuHotRemoveEnabled || vm.memoryHotAddEnabled,
  },
  {
    id: 'vmware.device.sriov.detected',
    category: ConcernCategory.Warning,
    label: 'SR-IOV passthrough adapter configuration detected',
    assessment:
      'SR-IOV passthrough adapter configuration is not currently supported by Migration Toolkit for Virtualization. Administrators can configure this after migration.',
    test: (vm) => hasDevice(vm, DeviceKind.SriovEthernetCard),
  },
  {
    id: 'vmware.disk.count.exceeds.limit',
    category: ConcernCategory.Warning,
    label: `VM has more than ${MaxDiskCount} disks`,
    assessment: `The target platform supports a maximum of ${MaxDiskCount} disks per VM.`,
    test: (vm) =>
      vm.disks.length > MaxDiskCount
        ? [
            {
              label: `VM has ${vm.disks.length} disks, which exceeds the limit of ${MaxDiskCount}`,
              assessment: `The VM has ${vm.disks.length} disks but the target platform supports a maximum of ${MaxDiskCount} disks per VM. Migration may result in network connectivity issues.`,
            },
          ]
        : [],
  },
  {
    id: 'vmware.disk.rdm.detected',
    category: ConcernCategory.Warning,
    label: 'Raw Device Mapped disk detected',
    assessment:
      'RDM disks are not supported when using VDDK transfer. If copy-offload (XCOPY) is enabled in the migration plan, RDM disks can be migrated. Otherwise, the RDM disks must be removed before migration and reattached after.',
    test: (vm) => vm.disks.some((d) => d.rdm),
  },
  {
    id: 'vmware.disk.shared.detected',
    category: ConcernCategory.Warning,
    label: 'Shared disk detected',
    assessment:
      'The VM has a disk that is shared with another VM. Shared disks require special handling during migration.',
    test: (vm) => vm.disks.some((d) => d.shared),
  },
  {
    id: 'vmware.disk_mode.independent',
    category: ConcernCategory.Warning,
    label: 'Independent disk detected',
    assessment:
      "Independent disks cannot be transferred using VDDK. If copy-offload (XCOPY) is enabled in the migration plan, independent disks can be migrated. Otherwise, the disks must be changed to 'Dependent' mode in VMware before migration.",
    test: (vm) =>
      vm.disks.some(
        (d) => d.mode === DiskMode.IndependentPersistent || d.mode === DiskMode.IndependentNonpersistent,
      ),
  },
  {
    id: 'vmware.guestDisks.btrfs.unsupported',
    category: ConcernCategory.Warning,
    label: 'BTRFS filesystem detected on disk',
    assessment: 'BTRFS filesystem is not supported and may cause issues during guest conversion',
    test: (vm) => vm.guestDisks.some((g) => (g.filesystemType ?? '').toLowerCase().includes('btrfs')),
  },
  {
    id: 'vmware.host_affinity.detected',
    category: ConcernCategory.Warning,
    label: 'VM-Host affinity detected',
    assessment:
      'The VM will be migrated without node affinity, but administrators can set it after migration.',
    test: (vm, ctx) => (clusterOf(vm, ctx)?.hostAffinityVms ?? []).some((r) => r.id === vm.id),
  },
  {
    id: 'vmware.hostname.default',
    category: ConcernCategory.Warning,
    label: 'Default Host Name',
    assessment:
      "The 'hostname' is set to 'localhost.localdomain', which is a default value. The hostname might be renamed during migration.",
    test: (vm) => vm.hostName === 'localhost.localdomain',
  },
  {
    id: 'vmware.hostname.empty',
    category: ConcernCategory.Warning,
    label: 'Empty Host Name',
    assessment: "The 'hostname' field is missing or empty. The hostname might be renamed during migration.",
    test: (vm) => vm.hostName === '',
  },
  {
    id: 'vmware.numa_affinity.detected',
    category: ConcernCategory.Warning,
    label: 'NUMA node affinity detected',
    assessment:
      'NUMA node affinity is not currently supported by Migration Toolkit for Virtualization. The VM can be migrated but it will not have this feature in the target environment.',
    test: (vm) => vm.numaNodeAffinity.length > 0,
  },
  {
    id: 'vmware.os.unsupported',
    category: ConcernCategory.Warning,
    label: 'Unsupported operating system detected',
    assessment:
      'The guest operating system is not currently supported by the Migration Toolkit for Virtualization',
    test: (vm) =>
      unsupportedGuestId.test(vm.guestId.toLowerCase()) ||
      unsupportedGuestName.some((n) => vm.guestNameFromVmwareTools.toLowerCase().includes(n)),
  },
  {
    id: 'vmware.tpm.detected',
    category: ConcernCategory.Warning,
    label: 'TPM detected',
    assessment:
      'The VM is configured with a TPM device. TPM data will not be transferred during the migration.',
    test: (vm) => vm.tpmEnabled,
  },
  {
    id: 'vmware.usb_controller.detected',
    category: ConcernCategory.Warning,
    label: 'USB controller detected',
    assessment:
      'USB controllers are not currently supported by Migration Toolkit for Virtualization. The VM can be migrated but the devices attached to the USB controller will not be migrated. Administrators can configure this after migration.',
    test: (vm) => hasDevice(vm, DeviceKind.USBController),
  },
  {
    id: 'vmware.vm.name.invalid',
    category: ConcernCategory.Warning,
    label: 'Invalid VM Name',
    // Forklift's text describes a DNS subdomain with periods; mtv names target VMs with DNS-1123
    // labels (no periods), so the text says so.
    assessment:
      'The VM name does not comply with the DNS label name format. Edit the name or it will be renamed automatically during the migration to meet RFC 1123. The VM name must be a maximum of 63 characters containing lowercase letters (a-z), numbers (0-9) and hyphens (-). The first and last character must be a letter or number. The name cannot contain uppercase letters, periods, spaces or special characters.',
    test: (vm) => !(vm.name.length <= 63 && dnsLabel.test(vm.name)),
  },
  {
    id: 'vmware.vm_missing_ip.detected',
    category: ConcernCategory.Warning,
    label: 'VM is missing IP addresses',
    assessment: 'Static IP preservation requires the VM to be powered on and running VMware tools.',
    test: (vm) => vm.guestNetworks.length === 0,
  },
  // ---- Information
  {
    id: 'vmware.consolidation_needed',
    category: ConcernCategory.Information,
    label: 'Snapshot consolidation required',
    assessment: 'VM has snapshots that require consolidation. This may cause delays between precopies.',
    test: (vm) => vm.consolidationNeeded,
  },
  {
    id: 'vmware.disk_serial.truncated',
    category: ConcernCategory.Information,
    label: 'Disk serial numbers may be truncated',
    assessment:
      'This VM is configured with at least one SCSI disk and the disk.EnableUUID parameter is set to TRUE. This may indicate a need for consistent SCSI disk serial numbers, but be advised that these serial numbers will be truncated after migration.',
    test: (vm) => vm.diskEnableUuid && vm.disks.some((d) => d.bus === 'scsi'),
  },
  {
    id: 'vmware.dpm.enabled',
    category: ConcernCategory.Information,
    label: 'vSphere DPM detected',
    assessment:
      'Distributed Power Management is not currently supported by OpenShift Virtualization. The VM can be migrated but it will not have this feature in the target environment.',
    test: (vm, ctx) => clusterOf(vm, ctx)?.dpmEnabled === true,
  },
  {
    id: 'vmware.drs.enabled',
    category: ConcernCategory.Information,
    label: 'VM running in a DRS-enabled cluster',
    assessment:
      'Distributed resource scheduling is not currently supported by Migration Toolkit for Virtualization. The VM can be migrated but it will not have this feature in the target environment.',
    test: (vm, ctx) => clusterOf(vm, ctx)?.drsEnabled ?? vm.drsEnabled,
  },
  {
    id: 'vmware.fault_tolerance.enabled',
    category: ConcernCategory.Information,
    label: 'Fault tolerance',
    assessment:
      'Fault tolerance is not currently supported by OpenShift Virtualization. The VM can be migrated but it will not have this feature in the target environment.',
    test: (vm) => vm.faultToleranceEnabled,
  },
  {
    id: 'vmware.guestDisks.key.not_found',
    category: ConcernCategory.Information,
    label: 'Missing disk key mapping',
    assessment: 'winDriveLetter cannot be resolved in PVC name templates without a disk key mapping.',
    test: missingKeyFindings,
  },
  {
    id: 'vmware.snapshot.detected',
    category: ConcernCategory.Information,
    label: 'VM snapshot detected',
    assessment:
      'Online snapshots are not currently supported by OpenShift Virtualization. VM will be migrated with current snapshot.',
    test: (vm) => hasRef(vm.snapshot),
  },
];

/**
 * Validates a VM: the concerns of every rule of {@link ConcernRules} that applies, in table order
 * (per-item rules in item order). Pure; the same VM and context give the same list.
 */
export function validateVM(vm: VM, ctx: ValidationContext): Concern[] {
  const out: Concern[] = [];
  for (const rule of ConcernRules) {
    const result = rule.test(vm, ctx);
    const base = { id: rule.id, category: rule.category };
    if (result === true) out.push({ ...base, label: rule.label, assessment: rule.assessment });
    else if (result !== false) for (const f of result) out.push({ ...base, ...f });
  }
  return out;
}

/**
 * The VM with `concerns` and `policyVersion` set from {@link validateVM}: what a validator
 * registered with the inventory database returns (the database stamps `revisionValidated`).
 */
export function withConcerns(vm: VM, ctx: ValidationContext): VM {
  return { ...vm, concerns: validateVM(vm, ctx), policyVersion: RulesVersion };
}

/**
 * A {@link ValidationContext} over any lookup by kind and id, e.g. the inventory database's `get`
 * (`(kind, id) => db.get(kind, id)`), or maps in tests.
 */
export function contextFromLookup(get: (kind: VsphereKind, id: string) => unknown): ValidationContext {
  return {
    datastore: (id) => get(VsphereKind.Datastore, id) as Datastore | undefined,
    host: (id) => get(VsphereKind.Host, id) as Host | undefined,
    cluster: (id) => get(VsphereKind.Cluster, id) as Cluster | undefined,
    network: (id) => get(VsphereKind.Network, id) as Network | undefined,
  };
}

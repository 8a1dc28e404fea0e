/**
 * The target KubeVirt VirtualMachine of a migrated vSphere VM, built the way Forklift's vSphere
 * builder and KubeVirt adapter build it (forklift.md §3.8–3.9): pure data in, one
 * `kubevirt.io/v1` VirtualMachine out. The caller creates the disk claims first (see
 * `buildDataVolume`) and passes their names.
 *
 * What it sets:
 * - metadata: name (the resolved target name), namespace (`targetNamespace`); labels `migration`,
 *   `plan` (UIDs, when known), `vmID`, `guestConverted`; when renamed, annotations
 *   `openshift.io/display-name` (the source name) and `original-ID` (the source id);
 * - `runStrategy` Always or Halted from `targetPowerState` (VM's, then plan's; `auto` follows the
 *   source power state before migration);
 * - template labels `targetLabels` + `app=<name>`, empty `vm.kubevirt.io/{flavor,os,workload}`
 *   annotations, `targetNodeSelector`, `targetAffinity`;
 * - hardware: sockets = cpuCount / coresPerSocket, cores = coresPerSocket (unless an
 *   instancetype is set), `memory.guest` = memoryMB MiB, nested virtualization flags, firmware
 *   serial = BIOS UUID, BIOS or EFI (+ SMM with Secure Boot), clock time zone of the ESXi host, a
 *   tablet, TPM persistent when the source has one (else disabled);
 * - disks, volumes, interfaces and networks: see `target-vm-devices.ts`.
 *
 * Compatibility mode (SATA disks, e1000e NICs, USB tablet) applies, as in Forklift, only when the
 * plan skips guest conversion (`skipGuestConversion: true`) and `useCompatibilityMode` is not false.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/adapter/vsphere/builder.go
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/plan/kubevirt.go (virtualMachine)
 * @see https://kubevirt.io/api-reference/main/definitions.html#_v1_virtualmachine
 */
import {
  isDns1123Subdomain,
  UsageError,
  type DestinationNetwork,
  type Plan,
  type PlanSpec,
  type PlanVM,
} from '../api/index.js';
import { planMigrationType } from '../api/plan.js';
import type { VM } from '../providers/vsphere/model.js';
import { formatQuantity } from './data-volume.js';
import {
  KubevirtKinds,
  RunStrategy,
  type Cpu,
  type Devices,
  type DomainSpec,
  type Firmware,
  type Features,
  type Matcher,
  type VirtualMachine,
} from './kubevirt-types.js';
import { normalizeVmName } from './naming.js';
import { mapDisks, mapNics, type DeviceContext } from './target-vm-devices.js';

/** Annotations Forklift puts on a renamed VM. */
export const TargetVmAnnotation = {
  /** The source VM's name. */
  DisplayName: 'openshift.io/display-name',
  /** The source VM's inventory id. */
  OriginalId: 'original-ID',
} as const;

/** Everything the target VM is built from. */
export interface TargetVmInput {
  /** The source VM (inventory, full detail). */
  vm: VM;
  /** The plan: name and uid, and the spec (target namespace, placement, templates, modes). */
  plan: Pick<Plan, 'metadata' | 'spec'>;
  /** The plan's entry for this VM; default: the entry of `plan.spec.vms` with the VM's id. */
  planVM?: PlanVM;
  /** Destination of each source network, by source network id (from the network map). */
  networks: Readonly<Record<string, DestinationNetwork>>;
  /** Name of the PersistentVolumeClaim of each source disk, by disk key. */
  claims: Readonly<Record<number, string>>;
  /** Disks left out on purpose (by key); they need no claim. */
  excludedDiskKeys?: readonly number[];
  /** The target name, when the caller resolved it (e.g. with `uniqueName`); default: `targetName` or the normalised source name. */
  name?: string;
  /** UID of the running Migration, for the `migration` label. */
  migrationUid?: string;
  /** Source power state recorded before the migration powered it off (`VMStatus.restorePowerState`: On, Off, Unknown). */
  restorePowerState?: string;
  /** Boot disk index detected by virt-v2v (`VMStatus.detectedBootDisk`), used when `rootDisk` is unset. */
  detectedBootDisk?: number;
  /** Firmware detected by virt-v2v (`VMStatus.firmware`), which corrects the inventory's. */
  detectedFirmware?: 'bios' | 'efi';
  /** Time zone of the source ESXi host (`Host.timezone`), for the guest clock. */
  hostTimezone?: string;
  /** Kind of `planVM.instanceType`. @default 'virtualmachineclusterinstancetype' */
  instanceTypeKind?: string;
  /** A preference (e.g. from the OS map), set as `spec.preference`. */
  preference?: Matcher;
}

function planVMOf(input: TargetVmInput): PlanVM | undefined {
  return input.planVM ?? input.plan.spec.vms.find((v) => v.id === input.vm.id);
}

function checkSource(input: TargetVmInput): void {
  const { vm, plan } = input;
  const field = `spec.vms[${vm.id}]`;
  if (vm.isTemplate) {
    throw new UsageError({
      field,
      message: `VM ${vm.name} is a vSphere template, not a virtual machine; templates cannot be migrated`,
      hint: 'convert the template to a VM in vCenter, or remove it from the plan',
    });
  }
  if (vm.connectionState && vm.connectionState !== 'connected') {
    throw new UsageError({
      field,
      message: `VM ${vm.name} is not connected (${vm.connectionState})`,
      hint: 'reconnect its host in vCenter',
    });
  }
  if (planMigrationType(plan.spec) === 'warm' && !vm.changeTrackingEnabled) {
    throw new UsageError({
      field,
      message: `VM ${vm.name} has Changed Block Tracking disabled; a warm migration needs it`,
      hint: 'enable CBT on the VM, or migrate it cold',
    });
  }
}

/** The target VM name: given, else `targetName`, else the normalised source name. */
function targetName(input: TargetVmInput, planVM: PlanVM | undefined): string {
  const name = input.name ?? (planVM?.targetName?.trim() || normalizeVmName(input.vm.name));
  if (!isDns1123Subdomain(name)) {
    throw new UsageError({
      field: `spec.vms[${input.vm.id}].targetName`,
      message: 'must be a DNS-1123 name: lowercase letters, digits, "-" and ".", at most 253 characters',
      value: name,
      hint: `use "${normalizeVmName(name)}"`,
    });
  }
  return name;
}

function runStrategy(input: TargetVmInput, planVM: PlanVM | undefined): RunStrategy {
  const state = planVM?.targetPowerState ?? input.plan.spec.targetPowerState ?? 'auto';
  if (state === 'on') return RunStrategy.Always;
  if (state === 'off') return RunStrategy.Halted;
  const on = input.restorePowerState ? input.restorePowerState === 'On' : input.vm.powerState === 'poweredOn';
  return on ? RunStrategy.Always : RunStrategy.Halted;
}

/** vmx/svm policy: explicit (VM, then plan), else `optional` when the source has nested HV. */
function nestedPolicy(vm: VM, planVM: PlanVM | undefined, spec: PlanSpec): string | undefined {
  const setting =
    planVM?.enableNestedVirtualization ??
    spec.enableNestedVirtualization ??
    (vm.nestedHVEnabled ? true : undefined);
  if (setting === undefined) return undefined;
  return setting ? 'optional' : 'disable';
}

function cpu(vm: VM, policy: string | undefined): Cpu {
  const cores = vm.coresPerSocket > 0 && vm.cpuCount % vm.coresPerSocket === 0 ? vm.coresPerSocket : 1;
  const sockets = Math.max(1, Math.floor(vm.cpuCount / cores));
  return {
    sockets,
    cores,
    ...(policy
      ? {
          features: [
            { name: 'vmx', policy },
            { name: 'svm', policy },
          ],
        }
      : {}),
  };
}

function firmware(vm: VM, detected: 'bios' | 'efi' | undefined): { firmware: Firmware; features?: Features } {
  const kind = detected ?? vm.firmware;
  const serial = vm.uuid ? { serial: vm.uuid } : {};
  if (kind !== 'efi') return { firmware: { ...serial, bootloader: { bios: {} } } };
  return {
    firmware: { ...serial, bootloader: { efi: { secureBoot: vm.secureBoot } } },
    ...(vm.secureBoot ? { features: { smm: { enabled: true } } } : {}),
  };
}

function domain(
  input: TargetVmInput,
  planVM: PlanVM | undefined,
  ctx: DeviceContext,
  devices: Pick<Devices, 'disks' | 'interfaces'>,
): DomainSpec {
  const { vm, plan } = input;
  const fw = firmware(vm, input.detectedFirmware);
  const sized = !planVM?.instanceType;
  return {
    ...(sized ? { cpu: cpu(vm, nestedPolicy(vm, planVM, plan.spec)) } : {}),
    ...(sized ? { memory: { guest: formatQuantity(vm.memoryMB * 1024 * 1024) } } : {}),
    firmware: fw.firmware,
    ...(fw.features ? { features: fw.features } : {}),
    ...(input.hostTimezone ? { clock: { timezone: input.hostTimezone } } : {}),
    devices: {
      ...devices,
      inputs: [{ type: 'tablet', name: 'tablet', bus: ctx.compatibility ? 'usb' : 'virtio' }],
      tpm: vm.tpmEnabled ? { persistent: true } : { enabled: false },
    },
  };
}

/** `app` label value: the name, cut to a valid label value when it is longer than 63. */
function appLabel(name: string): string {
  return name.length <= 63 ? name : name.slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

function vmLabels(input: TargetVmInput): Record<string, string> {
  return {
    ...(input.migrationUid ? { migration: input.migrationUid } : {}),
    ...(input.plan.metadata.uid ? { plan: input.plan.metadata.uid } : {}),
    vmID: input.vm.id,
    guestConverted: String(input.plan.spec.skipGuestConversion !== true),
  };
}

/**
 * Builds the target VirtualMachine of one source VM.
 *
 * @returns a `kubevirt.io/v1` VirtualMachine, ready to create in `plan.spec.targetNamespace`.
 * @throws UsageError (with every problem found) when the source is a template, disconnected, or
 *   (warm) without CBT; when a disk has no claim, a NIC's network is not mapped, more than one NIC
 *   is on the pod network; when a name template fails, renders an invalid or duplicate name; when
 *   the target name is not a DNS-1123 name.
 */
export function buildTargetVirtualMachine(input: TargetVmInput): VirtualMachine {
  checkSource(input);
  const { vm, plan } = input;
  const planVM = planVMOf(input);
  const name = targetName(input, planVM);
  const ctx: DeviceContext = {
    vm,
    spec: plan.spec,
    planVM,
    compatibility: plan.spec.skipGuestConversion === true && plan.spec.useCompatibilityMode !== false,
  };
  const { volumes, disks } = mapDisks(
    ctx,
    input.claims,
    new Set(input.excludedDiskKeys ?? []),
    input.detectedBootDisk,
  );
  const { networks, interfaces } = mapNics(ctx, input.networks);
  const renamed = name !== vm.name;
  return {
    ...KubevirtKinds.VirtualMachine,
    metadata: {
      name,
      namespace: plan.spec.targetNamespace,
      labels: vmLabels(input),
      ...(renamed
        ? {
            annotations: {
              [TargetVmAnnotation.DisplayName]: vm.name,
              [TargetVmAnnotation.OriginalId]: vm.id,
            },
          }
        : {}),
    },
    spec: {
      runStrategy: runStrategy(input, planVM),
      ...(planVM?.instanceType
        ? {
            instancetype: {
              name: planVM.instanceType,
              kind: input.instanceTypeKind ?? 'virtualmachineclusterinstancetype',
            },
          }
        : {}),
      ...(input.preference ? { preference: input.preference } : {}),
      template: {
        metadata: {
          labels: { ...plan.spec.targetLabels, app: appLabel(name) },
          annotations: {
            'vm.kubevirt.io/flavor': '',
            'vm.kubevirt.io/os': '',
            'vm.kubevirt.io/workload': '',
          },
        },
        spec: {
          domain: domain(input, planVM, ctx, { disks, interfaces }),
          volumes,
          networks,
          ...(plan.spec.targetNodeSelector && Object.keys(plan.spec.targetNodeSelector).length > 0
            ? { nodeSelector: { ...plan.spec.targetNodeSelector } }
            : {}),
          ...(plan.spec.targetAffinity ? { affinity: structuredClone(plan.spec.targetAffinity) } : {}),
        },
      },
    },
  };
}

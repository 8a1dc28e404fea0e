/**
 * The local-mode target: each claim is a directory `$MTV_HOME/volumes/<namespace>/<claim>/` holding
 * the raw image `disk.img`; the VirtualMachine and its claims are written as one YAML manifest,
 * `$MTV_HOME/manifests/<namespace>/<vm>.yaml`, atomically.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { PersistentVolumeClaim, VirtualMachine } from '../planner/kubevirt-types.js';
import { ApiError, type Hook } from '../api/index.js';
import type { CopiedDisk, CopyContext, DiskWork, HookStep, VmTarget } from './cold-vm.js';
import { copyDisksInProcess } from './in-process-copy.js';

/** Annotation naming a claim's local raw image in a local manifest. */
export const LocalImageAnnotation = 'mtv.konveyor.io/local-image';

/** Writes a file atomically (rename), so a crash never leaves half a manifest. */
function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Volumes and manifests under `$MTV_HOME`. */
export class LocalTarget implements VmTarget {
  private readonly home: string;
  private readonly namespace: string;

  /**
   * @param home `$MTV_HOME`
   * @param namespace the plan's target namespace (a directory level)
   */
  constructor(home: string, namespace: string) {
    this.home = home;
    this.namespace = namespace;
  }

  /** The raw image of a claim. */
  imagePath(claim: string): string {
    return path.join(this.home, 'volumes', this.namespace, claim, 'disk.img');
  }

  /** The manifest of a VM. */
  manifestPath(vmName: string): string {
    return path.join(this.home, 'manifests', this.namespace, `${vmName}.yaml`);
  }

  createVolumes(disks: readonly DiskWork[]): Promise<void> {
    for (const d of disks) mkdirSync(path.dirname(this.imagePath(d.name)), { recursive: true, mode: 0o700 });
    return Promise.resolve();
  }

  copyDisks(disks: readonly DiskWork[], context: CopyContext): Promise<CopiedDisk[]> {
    return copyDisksInProcess(disks, context, (d) => this.imagePath(d.name));
  }

  createVm(claims: readonly PersistentVolumeClaim[], vm: VirtualMachine): Promise<string> {
    const file = this.manifestPath(vm.metadata.name ?? '');
    const local = claims.map((c) => ({
      ...c,
      metadata: {
        ...c.metadata,
        annotations: {
          ...c.metadata.annotations,
          [LocalImageAnnotation]: this.imagePath(c.metadata.name ?? ''),
        },
      },
    }));
    writeAtomic(file, [...local, vm].map((o) => YAML.stringify(o)).join('---\n'));
    return Promise.resolve(file);
  }

  /** @throws always: hooks are container images, which local mode does not run. */
  runHook(step: HookStep, hook: Hook): Promise<void> {
    return Promise.reject(
      new ApiError(
        `${step} ${hook.metadata.name ?? ''} cannot run in local mode: hooks are container images, and local mode runs no containers`,
        0,
        { hint: 'run the plan in cluster mode, or remove the hook: mtv patch planvm PLAN VM --clear-hooks' },
      ),
    );
  }

  remove(disks: readonly DiskWork[], vmName: string): Promise<void> {
    for (const d of disks) rmSync(path.dirname(this.imagePath(d.name)), { recursive: true, force: true });
    rmSync(this.manifestPath(vmName), { force: true });
    return Promise.resolve();
  }
}

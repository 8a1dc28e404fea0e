/**
 * Fields mtv stores and round-trips for Forklift compatibility but does not act on (yet). One
 * table: `describe` lists the ones an object sets; reconcilers turn them into Advisory conditions.
 */
import type { Hook } from './hook.js';
import type { Host } from './host.js';
import type { ForkliftKind } from './kinds.js';
import type { StorageMap } from './mapping.js';
import type { KubeObject } from './meta.js';
import type { Provider } from './provider.js';

/** A set field mtv ignores, and why. */
export interface UnsupportedField {
  field: string;
  reason: string;
}

/** Provider types mtv migrates from (or to). */
export const SupportedProviderTypes: readonly string[] = ['vsphere', 'openshift'];

const vddkSettings = ['vddkInitImage', 'useVddkAioOptimization', 'vddkConfig'];

const rules: Partial<Record<ForkliftKind, (o: KubeObject) => UnsupportedField[]>> = {
  Provider: (o) => {
    const p = o as Provider;
    const out: UnsupportedField[] = [];
    if (!SupportedProviderTypes.includes(p.spec.type)) {
      out.push({ field: 'spec.type', reason: `mtv does not migrate from ${p.spec.type} providers yet` });
    }
    for (const k of vddkSettings) {
      if (p.spec.settings?.[k] !== undefined) {
        out.push({
          field: `spec.settings.${k}`,
          reason: 'mtv reads disks over the datastore HTTP interface, not VDDK; kept for Forklift',
        });
      }
    }
    if (p.spec.settings?.esxiCloneMethod !== undefined) {
      out.push({
        field: 'spec.settings.esxiCloneMethod',
        reason: 'storage copy offload is not supported by mtv',
      });
    }
    return out;
  },
  Host: (o) => [
    {
      field: 'spec.ipAddress',
      reason: `mtv transfers disks through vCenter, not through the ESXi host at ${(o as Host).spec.ipAddress}; kept for Forklift`,
    },
  ],
  StorageMap: (o) =>
    (o as StorageMap).spec.map.flatMap((pair, i) =>
      pair.offloadPlugin
        ? [{ field: `spec.map[${i}].offloadPlugin`, reason: 'storage copy offload is not supported by mtv' }]
        : [],
    ),
  Hook: (o) =>
    (o as Hook).spec.aap
      ? [{ field: 'spec.aap', reason: 'Ansible Automation Platform hooks are not run by mtv yet' }]
      : [],
};

/** The fields of `obj` mtv does not act on. */
export function unsupportedFields(kind: ForkliftKind, obj: KubeObject): UnsupportedField[] {
  return rules[kind]?.(obj) ?? [];
}

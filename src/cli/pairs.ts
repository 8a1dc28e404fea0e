/**
 * The pair languages of `create mapping` / `patch mapping` (kubectl-mtv's syntax):
 *
 * - network: `SOURCE[@VLAN]:TARGET,…` where TARGET is `default` (the pod network, at most one
 *   source), `ignored`, `NAMESPACE/NAD` or `NAD` (in the mapping's namespace);
 * - storage: `SOURCE:CLASS[;volumeMode=…][;accessMode=…][;offloadPlugin=vsphere;offloadSecret=…;offloadVendor=…],…`.
 *
 * Pure functions; every bad pair is reported with its position, value and a fix. Sources are kept
 * as names here; resolving them to inventory ids is the inventory's job.
 */
import type { Problem } from '../api/index.js';
import {
  AccessMode,
  StorageVendorProduct,
  VolumeMode,
  type NetworkPair,
  type StoragePair,
  type VSphereXcopyConfig,
} from '../api/index.js';
import { isDns1123Label, isDns1123Subdomain } from '../api/index.js';

/** Result of parsing: the pairs that parsed and every problem found. */
export interface Parsed<T> {
  pairs: T[];
  problems: Problem[];
}

/** Splits a pair list on commas, trimming and skipping empty entries (with their 1-based position). */
function splitPairs(text: string): { text: string; position: number }[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .map((t, i) => ({ text: t, position: i + 1 }))
    .filter((p) => p.text !== '');
}

/** Splits `SOURCE:TARGET` at the last colon (source names may contain colons, targets cannot). */
function splitSourceTarget(pair: string): [string, string] | undefined {
  const i = pair.lastIndexOf(':');
  if (i < 0) return undefined;
  return [pair.slice(0, i).trim(), pair.slice(i + 1).trim()];
}

/**
 * Parses network pairs.
 * @param flag the flag the text came from, for messages.
 * @param mapNamespace namespace of a bare `NAD` target.
 */
export function parseNetworkPairs(text: string, flag: string, mapNamespace: string): Parsed<NetworkPair> {
  const pairs: NetworkPair[] = [];
  const problems: Problem[] = [];
  let podPair: string | undefined;
  const where = (pos: number, pair: string): string => `${flag} pair ${pos} "${pair}"`;
  for (const { text: pair, position } of splitPairs(text)) {
    const st = splitSourceTarget(pair);
    if (!st) {
      problems.push({
        field: where(position, pair),
        message: 'has no target',
        hint: `write SOURCE:TARGET, e.g. "${pair}:default" (pod network), "${pair}:ignored" or "${pair}:NAMESPACE/NAD"`,
      });
      continue;
    }
    const [src, target] = st;
    const source = parseNetworkSource(src, where(position, pair), problems);
    if (!source) continue;
    if (!target) {
      problems.push({
        field: where(position, pair),
        message: 'has an empty target',
        hint: 'use default, ignored, NAMESPACE/NAD or NAD',
      });
      continue;
    }
    if (target === 'default') {
      if (podPair !== undefined) {
        problems.push({
          field: where(position, pair),
          message: `maps a second source to the pod network (pair "${podPair}" already does); a VM has one pod network`,
          hint: 'map the other sources to a NetworkAttachmentDefinition, or to "ignored"',
        });
        continue;
      }
      podPair = pair;
      pairs.push({ source, destination: { type: 'pod' } });
    } else if (target === 'ignored') {
      pairs.push({ source, destination: { type: 'ignored' } });
    } else {
      const parts = target.split('/');
      const [ns, name] = parts.length === 2 ? parts : [mapNamespace, parts[0]];
      if (parts.length > 2 || !ns || !name || !isDns1123Label(ns) || !isDns1123Subdomain(name)) {
        problems.push({
          field: where(position, pair),
          message: `target "${target}" is not default, ignored, NAMESPACE/NAD or NAD (DNS-1123 names)`,
          hint: 'e.g. "VM Network:default" or "VM Network:openshift-mtv/vlan-10"',
        });
        continue;
      }
      pairs.push({ source, destination: { type: 'multus', name, namespace: ns } });
    }
  }
  const seen = new Map<string, number>();
  for (const [i, p] of pairs.entries()) {
    const key = `${p.source.name ?? ''}@${p.source.vlan ?? ''}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        field: flag,
        message: `source "${p.source.name ?? ''}" is mapped twice (pairs ${first + 1} and ${i + 1})`,
        hint: 'keep one pair per source',
      });
    } else seen.set(key, i);
  }
  return { pairs, problems };
}

function parseNetworkSource(
  src: string,
  where: string,
  problems: Problem[],
): NetworkPair['source'] | undefined {
  if (!src) {
    problems.push({ field: where, message: 'has an empty source network name' });
    return undefined;
  }
  const at = src.lastIndexOf('@');
  const vlanText = at > 0 ? src.slice(at + 1).trim() : '';
  if (at > 0 && /^\d+$/.test(vlanText)) {
    const vlan = Number(vlanText);
    if (vlan < 1 || vlan > 4094) {
      problems.push({
        field: where,
        message: `VLAN ${vlan} is outside 1–4094`,
        hint: 'VLAN ids run from 1 to 4094',
      });
      return undefined;
    }
    return { name: src.slice(0, at).trim(), vlan: String(vlan) };
  }
  if (at > 0 && vlanText === '') {
    problems.push({
      field: where,
      message: 'has "@" but no VLAN after it',
      hint: 'write SOURCE@VLAN with VLAN 1–4094',
    });
    return undefined;
  }
  return { name: src };
}

/** Defaults applied to storage pairs that do not set them. */
export interface StorageDefaults {
  volumeMode?: string | undefined;
  accessMode?: string | undefined;
  offloadPlugin?: string | undefined;
  offloadSecret?: string | undefined;
  offloadVendor?: string | undefined;
}

const storageKeys = ['volumeMode', 'accessMode', 'offloadPlugin', 'offloadSecret', 'offloadVendor'] as const;

/** Matches a value case-insensitively against a closed set, returning the canonical spelling. */
function canonical(value: string, allowed: readonly string[]): string | undefined {
  return allowed.find((a) => a.toLowerCase() === value.toLowerCase());
}

/** Checks the `--default-*` storage flags. */
export function checkStorageDefaults(d: StorageDefaults): { defaults: StorageDefaults; problems: Problem[] } {
  const problems: Problem[] = [];
  const out: StorageDefaults = { ...d };
  const check = (
    key: 'volumeMode' | 'accessMode' | 'offloadVendor' | 'offloadPlugin',
    flag: string,
    allowed: readonly string[],
  ): void => {
    const v = d[key];
    if (v === undefined) return;
    const c = canonical(v, allowed);
    if (c) out[key] = c;
    else problems.push({ field: flag, message: `must be one of ${allowed.join(', ')}`, value: v });
  };
  check('volumeMode', '--default-volume-mode', Object.values(VolumeMode));
  check('accessMode', '--default-access-mode', Object.values(AccessMode));
  check('offloadVendor', '--default-offload-vendor', StorageVendorProduct);
  check('offloadPlugin', '--default-offload-plugin', ['vsphere']);
  return { defaults: out, problems };
}

/** Parses storage pairs, applying `defaults` where a pair does not set an option. */
export function parseStoragePairs(
  text: string,
  flag: string,
  defaults: StorageDefaults = {},
): Parsed<StoragePair> {
  const pairs: StoragePair[] = [];
  const problems: Problem[] = [];
  for (const { text: pairText, position } of splitPairs(text)) {
    const where = `${flag} pair ${position} "${pairText}"`;
    const [head = '', ...options] = pairText.split(';').map((s) => s.trim());
    const st = splitSourceTarget(head);
    if (!st || !st[0] || !st[1]) {
      problems.push({
        field: where,
        message: st ? 'needs both a source datastore and a storage class' : 'has no storage class',
        hint: `write SOURCE:STORAGECLASS, e.g. "${st?.[0] || head || 'datastore1'}:standard"`,
      });
      continue;
    }
    const [source, cls] = st;
    if (cls.includes('/')) {
      problems.push({
        field: where,
        message: `storage class "${cls}" has a namespace, but storage classes are cluster-wide`,
        hint: `write just "${cls.split('/').pop() ?? ''}"`,
      });
      continue;
    }
    if (!isDns1123Subdomain(cls)) {
      problems.push({ field: where, message: `storage class "${cls}" is not a valid name (DNS-1123)` });
      continue;
    }
    const opts: StorageDefaults = {};
    let bad = false;
    for (const opt of options.filter(Boolean)) {
      const eq = opt.indexOf('=');
      const key = eq > 0 ? opt.slice(0, eq).trim() : opt;
      const value = eq > 0 ? opt.slice(eq + 1).trim() : '';
      const k = storageKeys.find((s) => s.toLowerCase() === key.toLowerCase());
      if (!k || eq <= 0) {
        problems.push({
          field: where,
          message: `option "${opt}" is not KEY=VALUE with KEY one of ${storageKeys.join(', ')}`,
        });
        bad = true;
        continue;
      }
      opts[k] = value;
    }
    const merged: StorageDefaults = { ...defaults, ...opts };
    const pair = storagePair(source, cls, merged, where, problems);
    if (pair && !bad) pairs.push(pair);
  }
  const seen = new Set<string>();
  for (const p of pairs) {
    const name = p.source.name ?? '';
    if (seen.has(name))
      problems.push({
        field: flag,
        message: `source "${name}" is mapped twice`,
        hint: 'keep one pair per datastore',
      });
    seen.add(name);
  }
  return { pairs, problems };
}

function storagePair(
  source: string,
  cls: string,
  o: StorageDefaults,
  where: string,
  problems: Problem[],
): StoragePair | undefined {
  const before = problems.length;
  const volumeMode =
    o.volumeMode === undefined ? undefined : canonical(o.volumeMode, Object.values(VolumeMode));
  if (o.volumeMode !== undefined && !volumeMode)
    problems.push({ field: where, message: 'volumeMode must be Filesystem or Block', value: o.volumeMode });
  const accessMode =
    o.accessMode === undefined ? undefined : canonical(o.accessMode, Object.values(AccessMode));
  if (o.accessMode !== undefined && !accessMode) {
    problems.push({
      field: where,
      message: 'accessMode must be ReadWriteOnce, ReadWriteMany or ReadOnlyMany',
      value: o.accessMode,
    });
  }
  let offload: VSphereXcopyConfig | undefined;
  const anyOffload =
    o.offloadPlugin !== undefined || o.offloadSecret !== undefined || o.offloadVendor !== undefined;
  if (anyOffload) {
    const vendor =
      o.offloadVendor === undefined ? undefined : canonical(o.offloadVendor, StorageVendorProduct);
    if (o.offloadPlugin !== undefined && o.offloadPlugin.toLowerCase() !== 'vsphere') {
      problems.push({ field: where, message: 'offloadPlugin must be vsphere', value: o.offloadPlugin });
    } else if (!o.offloadPlugin || !o.offloadSecret || !o.offloadVendor) {
      problems.push({
        field: where,
        message:
          'copy offload needs offloadPlugin=vsphere, offloadSecret=SECRET and offloadVendor=VENDOR together',
      });
    } else if (!vendor) {
      problems.push({
        field: where,
        message: `offloadVendor must be one of ${StorageVendorProduct.join(', ')}`,
        value: o.offloadVendor,
      });
    } else {
      offload = {
        secretRef: o.offloadSecret,
        storageVendorProduct: vendor as VSphereXcopyConfig['storageVendorProduct'],
      };
    }
  }
  if (problems.length > before) return undefined;
  return {
    source: { name: source },
    destination: {
      storageClass: cls,
      ...(volumeMode ? { volumeMode: volumeMode as 'Block' } : {}),
      ...(accessMode ? { accessMode: accessMode as 'ReadWriteOnce' } : {}),
    },
    ...(offload ? { offloadPlugin: { vsphereXcopyConfig: offload } } : {}),
  };
}

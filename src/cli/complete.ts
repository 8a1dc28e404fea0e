/**
 * Candidates for shell completion (`__complete WORDS…`, the last word being the one typed):
 * subcommands, flags, enumerated flag values, and object names read from the store.
 */
import type { Command, Option } from 'commander';
import {
  AccessMode,
  EsxiCloneMethod,
  ProviderType,
  Resources,
  SdkEndpoint,
  StorageVendorProduct,
  VolumeMode,
} from '../api/index.js';
import type { Session } from './context.js';
import { kindNouns } from './program.js';

const enumerations: Record<string, readonly string[]> = {
  type: Object.values(ProviderType),
  output: ['table', 'wide', 'json', 'yaml', 'markdown', 'name', 'jsonpath=', 'custom-columns='],
  'sdk-endpoint': SdkEndpoint,
  'esxi-clone-method': EsxiCloneMethod,
  store: ['kube', 'local'],
  'default-volume-mode': Object.values(VolumeMode),
  'default-access-mode': Object.values(AccessMode),
  'default-offload-vendor': StorageVendorProduct,
};
const providerFlags = new Set(['source', 'target', 'provider']);

function options(cmd: Command): Option[] {
  const out: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) out.push(...c.options);
  return out;
}

function findOption(cmd: Command, word: string): Option | undefined {
  const flag = word.split('=')[0];
  return options(cmd).find((o) => o.long === flag || o.short === flag);
}

/** Returns completion candidates for `words`. Store errors yield no names (never an error). */
export async function complete(
  program: Command,
  words: readonly string[],
  session: () => Promise<Session>,
): Promise<string[]> {
  const current = words[words.length - 1] ?? '';
  let cmd = program;
  let pending: Option | undefined;
  for (const w of words.slice(0, -1)) {
    if (pending) {
      pending = undefined;
      continue;
    }
    if (w.startsWith('-')) {
      const o = findOption(cmd, w);
      if (o && (o.required || o.optional) && !w.includes('=')) pending = o;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub) cmd = sub;
  }
  let candidates: string[] = [];
  if (pending) {
    const name = pending.long?.replace(/^--/, '') ?? '';
    candidates = [...(enumerations[name] ?? [])];
    if (providerFlags.has(name)) candidates = await names(session, 'providers');
  } else if (current.startsWith('-')) {
    candidates = options(cmd)
      .filter((o) => !o.hidden && o.long)
      .map((o) => o.long ?? '');
  } else {
    candidates = cmd.commands
      .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
      .map((c) => c.name());
    const verb = cmd.parent?.name();
    if (
      verb &&
      ['get', 'describe', 'delete', 'patch'].includes(verb) &&
      kindNouns.some((k) => k.nouns.includes(cmd.name()))
    ) {
      candidates.push(...(await names(session, `${cmd.name().replace(/s$/, '')}s`)));
    }
  }
  return candidates.filter((c) => c.startsWith(current));
}

async function names(session: () => Promise<Session>, plural: string): Promise<string[]> {
  const type = Object.values(Resources).find((r) => r.plural === plural);
  if (!type) return [];
  try {
    const s = await session();
    const list = await s.store.list(type, { namespace: s.namespace });
    return list.items.map((o) => o.metadata.name ?? '');
  } catch {
    return [];
  }
}

/** `version`: the client version, the store in use, the server version and whether mtv's CRDs are installed. */
import type { StoreInfo } from '../../store/index.js';
import type { Session } from '../context.js';
import type { CommandResult } from '../result.js';

/** What `version -o json` prints. */
export interface VersionInfo {
  clientVersion: string;
  store?: StoreInfo;
}

/** Formats the table output. */
export function versionText(v: VersionInfo): string {
  const lines = [`Client Version: ${v.clientVersion}`];
  const s = v.store;
  if (s) {
    lines.push(`Store:          ${s.mode} (${s.endpoint})`);
    if (s.serverVersion) lines.push(`Server Version: ${s.serverVersion}`);
    const missing = s.crds.filter((c) => c.installed === false).map((c) => c.name);
    const unknown = s.crds.filter((c) => c.installed === undefined);
    const versions = [
      ...new Set(s.crds.filter((c) => c.installed).map((c) => c.version ?? 'not installed by mtv')),
    ];
    if (!missing.length && !unknown.length) lines.push(`CRDs:           installed (${versions.join(', ')})`);
    else {
      if (missing.length)
        lines.push(
          `CRDs:           missing: ${missing.join(', ')} (install with: kubectl apply -f deploy/crds/)`,
        );
      for (const u of unknown) lines.push(`CRD ${u.name}: unknown (${u.error ?? ''})`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Reports versions; with `client`, does not contact any store. */
export async function run(
  session: Session | undefined,
  o: { clientVersion: string },
): Promise<CommandResult> {
  const info: VersionInfo = {
    clientVersion: o.clientVersion,
    ...(session ? { store: await session.store.info() } : {}),
  };
  return { kind: 'data', data: info, text: versionText(info) };
}

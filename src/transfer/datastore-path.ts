/**
 * vSphere datastore paths (`[LocalDS_0] vm/vm.vmdk`) and the URL of a file on the datastore HTTP
 * interface (`https://HOST/folder/<path>?dcPath=<datacenter>&dsName=<datastore>`).
 */
import { posix } from 'node:path';
import { UsageError } from '../api/errors.js';

/**
 * A file on a datastore: `[datastore] path`.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.vm.device.VirtualDevice.FileBackingInfo.html
 */
export interface DatastorePath {
  /** Datastore name, e.g. `LocalDS_0`. */
  datastore: string;
  /** Path inside the datastore, `/`-separated, no leading slash, e.g. `vm/vm.vmdk`. */
  path: string;
}

/**
 * Parses the bracket form of a datastore path, as found in a `VirtualDisk` backing's `fileName`.
 *
 * @param text e.g. `[LocalDS_0] DC0_H0_VM0/disk1.vmdk` (the space after `]` is optional).
 * @throws {@link UsageError} when the text has no `[datastore]` prefix, names no file, or has a
 * `..` segment.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.vm.device.VirtualDevice.FileBackingInfo.html
 */
export function parseDatastorePath(text: string): DatastorePath {
  const m = /^\s*\[([^\]]+)\]\s*(.*?)\s*$/.exec(text);
  const datastore = m?.[1]?.trim() ?? '';
  const path = (m?.[2] ?? '').replace(/^\/+/, '');
  const problem = (message: string, hint: string): UsageError =>
    new UsageError({ field: 'datastore path', message, value: text, hint });
  if (!m || datastore === '') {
    throw problem(
      'must be "[datastore] dir/file"',
      'write it as in the disk backing, e.g. "[ds1] vm/vm.vmdk"',
    );
  }
  if (path === '')
    throw problem('names no file after the datastore', 'add the file, e.g. "[ds1] vm/vm.vmdk"');
  if (path.split('/').includes('..'))
    throw problem('must not contain ".." segments', "use the file's own path");
  return { datastore, path };
}

/**
 * Renders a {@link DatastorePath} in the bracket form, `[ds] dir/file`.
 * @see https://developer.broadcom.com/xapis/vsphere-web-services-api/latest/vim.vm.device.VirtualDevice.FileBackingInfo.html
 */
export function formatDatastorePath(p: DatastorePath): string {
  return `[${p.datastore}] ${p.path}`;
}

/**
 * The path of a file next to another on the same datastore (how a VMDK descriptor names its
 * extents: relative to the descriptor's folder).
 *
 * @param sibling a relative name from the descriptor, e.g. `vm-flat.vmdk`.
 * @throws {@link UsageError} for an absolute name or one that leaves the datastore.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export function siblingPath(of: DatastorePath, sibling: string): DatastorePath {
  const joined = posix.normalize(posix.join(posix.dirname(of.path), sibling));
  if (sibling.startsWith('/') || joined.startsWith('../') || joined === '..') {
    throw new UsageError({
      field: 'extent file',
      message: 'must be a name relative to the descriptor that stays inside the datastore',
      value: sibling,
    });
  }
  return { datastore: of.datastore, path: joined };
}

/**
 * The URL of a datastore file on vCenter's (or ESXi's) datastore HTTP interface.
 *
 * @param sdkUrl the provider URL, e.g. `https://vcenter.example.com/sdk`; only its origin is used.
 * @param datacenterPath the datacenter's inventory path, e.g. `DC0` or `Folder1/DC0`.
 * @param datastoreName e.g. `LocalDS_0`.
 * @param filePath the path inside the datastore (`vm/vm.vmdk`), or the whole bracket form
 * (`[LocalDS_0] vm/vm.vmdk`), whose datastore then wins over `datastoreName`.
 * @returns e.g. `https://vcenter.example.com/folder/vm/vm.vmdk?dcPath=DC0&dsName=LocalDS_0`.
 * @throws {@link UsageError} for a URL that is not http(s) or a malformed bracket path.
 * @see https://github.com/vmware/govmomi/blob/main/object/datastore.go (the `/folder` URL layout)
 */
export function datastoreFileUrl(
  sdkUrl: string | URL,
  datacenterPath: string,
  datastoreName: string,
  filePath: string,
): URL {
  const base = parseProviderUrl(sdkUrl);
  const p = filePath.trimStart().startsWith('[')
    ? parseDatastorePath(filePath)
    : { datastore: datastoreName, path: filePath.replace(/^\/+/, '') };
  const url = new URL(`/folder/${p.path.split('/').map(encodeURIComponent).join('/')}`, base.origin);
  url.searchParams.set('dcPath', datacenterPath);
  url.searchParams.set('dsName', p.datastore);
  return url;
}

/**
 * Parses a provider URL (`https://vcenter.example.com/sdk`).
 * @throws {@link UsageError} for something that is not an http(s) URL.
 * @see https://github.com/vmware/govmomi/blob/main/object/datastore.go (the `/folder` URL layout)
 */
export function parseProviderUrl(sdkUrl: string | URL): URL {
  let u: URL | undefined;
  try {
    u = new URL(sdkUrl);
  } catch {
    u = undefined;
  }
  if (u?.protocol !== 'https:' && u?.protocol !== 'http:') {
    throw new UsageError({
      field: 'url',
      message: 'must be a URL like https://vcenter.example.com/sdk',
      value: String(sdkUrl),
    });
  }
  return u;
}

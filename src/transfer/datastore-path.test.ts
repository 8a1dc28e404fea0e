import { describe, expect, it } from 'vitest';
import { UsageError } from '../api/errors.js';
import { datastoreFileUrl, formatDatastorePath, parseDatastorePath, siblingPath } from './datastore-path.js';

describe('parseDatastorePath', () => {
  it.each([
    ['[LocalDS_0] DC0_H0_VM0/disk1.vmdk', 'LocalDS_0', 'DC0_H0_VM0/disk1.vmdk'],
    ['[ds 1]vm/vm.vmdk', 'ds 1', 'vm/vm.vmdk'],
    ['  [ds]  /vm dir/a b.vmdk ', 'ds', 'vm dir/a b.vmdk'],
  ])('%s', (text, datastore, path) => {
    expect(parseDatastorePath(text)).toEqual({ datastore, path });
  });

  it.each(['vm/vm.vmdk', '[] vm.vmdk', '[ds]', '[ds] a/../../etc/passwd'])('rejects %j', (text) => {
    expect(() => parseDatastorePath(text)).toThrow(UsageError);
  });

  it('round-trips through formatDatastorePath', () => {
    expect(formatDatastorePath(parseDatastorePath('[ds1] vm/vm.vmdk'))).toBe('[ds1] vm/vm.vmdk');
  });
});

describe('siblingPath', () => {
  const desc = { datastore: 'ds', path: 'vm/vm.vmdk' };
  it('resolves relative to the descriptor', () => {
    expect(siblingPath(desc, 'vm-flat.vmdk')).toEqual({ datastore: 'ds', path: 'vm/vm-flat.vmdk' });
    expect(siblingPath({ datastore: 'ds', path: 'top.vmdk' }, 'top-s001.vmdk').path).toBe('top-s001.vmdk');
  });
  it('refuses absolute names and names that leave the datastore', () => {
    expect(() => siblingPath(desc, '/etc/passwd')).toThrow(UsageError);
    expect(() => siblingPath(desc, '../../x')).toThrow(UsageError);
  });
});

describe('datastoreFileUrl', () => {
  it('uses the origin of the SDK URL and encodes each path segment', () => {
    const u = datastoreFileUrl('https://vc.example.com/sdk', 'Folder 1/DC0', 'LocalDS_0', 'vm dir/a#b.vmdk');
    expect(u.origin).toBe('https://vc.example.com');
    expect(u.pathname).toBe('/folder/vm%20dir/a%23b.vmdk');
    expect(u.searchParams.get('dcPath')).toBe('Folder 1/DC0');
    expect(u.searchParams.get('dsName')).toBe('LocalDS_0');
  });
  it('accepts the bracket form, whose datastore wins', () => {
    const u = datastoreFileUrl('https://127.0.0.1:8989/sdk', 'DC0', 'ignored', '[ds2] vm/vm.vmdk');
    expect(u.href).toBe('https://127.0.0.1:8989/folder/vm/vm.vmdk?dcPath=DC0&dsName=ds2');
  });
  it('rejects a URL that is not http(s)', () => {
    expect(() => datastoreFileUrl('ftp://x/sdk', 'DC0', 'ds', 'a')).toThrow(UsageError);
    expect(() => datastoreFileUrl('not a url', 'DC0', 'ds', 'a')).toThrow(UsageError);
  });
});

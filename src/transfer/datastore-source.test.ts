import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DatastorePath } from './datastore-path.js';
import { extentSource, fileIdentity } from './datastore-source.js';

const a = randomBytes(4096);
const b = randomBytes(4096);
const files: Record<string, Buffer> = { 'a-flat.vmdk': a, 'b-flat.vmdk': b };
const calls: string[] = [];
const reader = {
  read: (file: string | DatastorePath, offset: number, length: number): Promise<Buffer> => {
    const name = typeof file === 'string' ? file : file.path;
    calls.push(`${name}@${offset}+${length}`);
    return Promise.resolve(Buffer.from((files[name] ?? Buffer.alloc(0)).subarray(offset, offset + length)));
  },
};
const at = (path: string): DatastorePath => ({ datastore: 'ds', path });

describe('extentSource', () => {
  // a[1024..3072) + 1000 zeros + b[0..4096) of which only 2048 bytes exist (a short extent)
  const source = extentSource(
    reader,
    [
      { kind: 'file', file: at('a-flat.vmdk'), fileOffset: 1024, length: 2048, available: 2048 },
      { kind: 'zero', length: 1000 },
      { kind: 'file', file: at('b-flat.vmdk'), fileOffset: 0, length: 4096, available: 2048 },
    ],
    'id',
  );
  const whole = Buffer.concat([
    a.subarray(1024, 3072),
    Buffer.alloc(1000),
    b.subarray(0, 2048),
    Buffer.alloc(2048),
  ]);

  it("has the parts' total size", () => {
    expect(source.size).toBe(2048 + 1000 + 4096);
  });

  it.each([
    [0, 7144],
    [0, 100],
    [2000, 1100],
    [3000, 100],
    [4000, 200],
    [5100, 2044],
  ])('reads %i+%i across parts, zeros where there is no data', async (offset, length) => {
    const got = await source.read(offset, length, new AbortController().signal);
    expect(got.equals(whole.subarray(offset, offset + length))).toBe(true);
  });

  it('reads a single whole part without splitting', async () => {
    calls.length = 0;
    const single = extentSource(
      reader,
      [{ kind: 'file', file: at('a-flat.vmdk'), fileOffset: 0, length: 4096, available: 4096 }],
      'id',
    );
    expect((await single.read(100, 200, new AbortController().signal)).equals(a.subarray(100, 300))).toBe(
      true,
    );
    expect(calls).toEqual(['a-flat.vmdk@100+200']);
  });
});

describe('fileIdentity', () => {
  it('joins path, size and version headers', () => {
    const info = {
      path: at('vm/x-flat.vmdk'),
      url: new URL('https://h/'),
      size: 5,
      lastModified: 'Mon',
      etag: undefined,
    };
    expect(fileIdentity(info)).toBe('[ds] vm/x-flat.vmdk|5|Mon|');
  });
});

/**
 * {@link RangeSource}s over datastore files: one whole file, or a disk made of raw extents laid end
 * to end (parts of files, and `ZERO` extents).
 */
import { formatDatastorePath, type DatastorePath } from './datastore-path.js';
import type { DatastoreFileInfo, DatastoreReader } from './datastore-reader.js';
import type { RangeSource } from './copy-to-target.js';

/**
 * One piece of a disk, in order.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export type SourcePart =
  | {
      kind: 'file';
      /** The extent file. */
      file: DatastorePath;
      /** Where the piece starts in the file, bytes. */
      fileOffset: number;
      /** The piece's size in the disk, bytes. */
      length: number;
      /** Bytes the file actually has for the piece (less than `length` for a short extent; the rest reads as zeros). */
      available: number;
    }
  | {
      kind: 'zero';
      /** Bytes of zeros. */
      length: number;
    };

/**
 * A disk made of parts: reads that span parts are split, zero parts and short tails read as zeros.
 *
 * @param identity see {@link RangeSource.identity}.
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export function extentSource(
  reader: Pick<DatastoreReader, 'read'>,
  parts: readonly SourcePart[],
  identity: string,
): RangeSource {
  const starts: number[] = [];
  let size = 0;
  for (const p of parts) {
    starts.push(size);
    size += p.length;
  }
  return {
    size,
    identity,
    read: async (offset, length, signal, into) => {
      const only = parts.length === 1 ? parts[0] : undefined;
      if (only?.kind === 'file' && offset + length <= only.available) {
        return reader.read(only.file, only.fileOffset + offset, length, { signal, into }); // no copy
      }
      const out = into ? into.subarray(0, length).fill(0) : Buffer.alloc(length);
      const reads: Promise<void>[] = [];
      parts.forEach((p, i) => {
        const start = starts[i] ?? 0;
        const from = Math.max(offset, start);
        const to = Math.min(
          offset + length,
          start + p.length,
          p.kind === 'file' ? start + p.available : start,
        );
        if (p.kind !== 'file' || to <= from) return;
        const where = out.subarray(from - offset, to - offset);
        const read = reader.read(p.file, p.fileOffset + from - start, to - from, { signal, into: where });
        reads.push(
          read.then((b) => {
            if (b.buffer !== where.buffer || b.byteOffset !== where.byteOffset) b.copy(where); // it ignored `into`
          }),
        );
      });
      await Promise.all(reads);
      return out;
    },
  };
}

/**
 * A whole datastore file as a source, from what {@link DatastoreReader.stat} returned.
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-range-requests
 */
export function fileSource(reader: Pick<DatastoreReader, 'read'>, info: DatastoreFileInfo): RangeSource {
  return extentSource(
    reader,
    [{ kind: 'file', file: info.path, fileOffset: 0, length: info.size, available: info.size }],
    fileIdentity(info),
  );
}

/**
 * A file's identity for checkpoints: its path, size and version headers.
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-range-requests
 */
export function fileIdentity(info: DatastoreFileInfo): string {
  return [formatDatastorePath(info.path), info.size, info.lastModified ?? '', info.etag ?? ''].join('|');
}

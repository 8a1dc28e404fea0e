/** Finding all-zero blocks in a buffer, so that the copy leaves holes instead of writing zeros. */

/**
 * A byte range `[start, end)` of a buffer.
 * @see https://man7.org/linux/man-pages/man2/truncate.2.html
 */
export interface Span {
  start: number;
  end: number;
}

let zeros = Buffer.alloc(64 * 1024);

/**
 * True when every byte of `buf` is 0.
 * @see https://man7.org/linux/man-pages/man2/truncate.2.html
 */
export function isAllZero(buf: Buffer): boolean {
  for (let at = 0; at < buf.length; at += zeros.length) {
    const part = buf.subarray(at, Math.min(buf.length, at + zeros.length));
    if (!part.equals(zeros.subarray(0, part.length))) return false;
  }
  return true;
}

/**
 * The ranges of `buf` that hold data, block by block: each `blockBytes` block (the last may be
 * shorter) that is not all zeros belongs to a span, and adjacent data blocks are merged into one span
 * (one write).
 *
 * @param blockBytes the hole granularity in bytes, > 0; 4096 matches file system blocks.
 * @returns spans in ascending order; empty for an all-zero buffer.
 * @see https://man7.org/linux/man-pages/man2/truncate.2.html
 */
export function dataSpans(buf: Buffer, blockBytes: number): Span[] {
  if (zeros.length < blockBytes) zeros = Buffer.alloc(blockBytes);
  const zero = zeros.subarray(0, blockBytes);
  const spans: Span[] = [];
  let open: Span | undefined;
  for (let at = 0; at < buf.length; at += blockBytes) {
    const end = Math.min(buf.length, at + blockBytes);
    const block = buf.subarray(at, end);
    const empty =
      block.length === blockBytes ? block.equals(zero) : block.equals(zero.subarray(0, block.length));
    if (empty) {
      open = undefined;
    } else if (open) {
      open.end = end;
    } else {
      open = { start: at, end };
      spans.push(open);
    }
  }
  return spans;
}

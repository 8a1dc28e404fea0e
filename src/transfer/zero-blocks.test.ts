import { describe, expect, it } from 'vitest';
import { dataSpans, isAllZero } from './zero-blocks.js';

function buf(blocks: string, blockBytes = 4): Buffer {
  // "0" = zero block, "x" = data block, "y" = a block with one non-zero byte at its end
  const b = Buffer.alloc(blocks.length * blockBytes);
  for (let i = 0; i < blocks.length; i++) {
    if (blocks[i] === 'x') b.fill(7, i * blockBytes, (i + 1) * blockBytes);
    if (blocks[i] === 'y') b[(i + 1) * blockBytes - 1] = 1;
  }
  return b;
}

describe('dataSpans', () => {
  it.each([
    ['0000', []],
    ['xxxx', [[0, 16]]],
    [
      'x00x',
      [
        [0, 4],
        [12, 16],
      ],
    ],
    [
      '0xy0x',
      [
        [4, 12],
        [16, 20],
      ],
    ],
  ])('%s', (blocks, spans) => {
    expect(dataSpans(buf(blocks), 4).map((s) => [s.start, s.end])).toEqual(spans);
  });

  it('handles a short last block', () => {
    const b = Buffer.concat([Buffer.alloc(8), Buffer.from([0, 0, 3])]);
    expect(dataSpans(b, 4)).toEqual([{ start: 8, end: 11 }]);
  });

  it('works with blocks larger than its cached zero buffer', () => {
    const b = Buffer.alloc(3 * 128 * 1024);
    b[128 * 1024 + 5] = 1;
    expect(dataSpans(b, 128 * 1024)).toEqual([{ start: 128 * 1024, end: 256 * 1024 }]);
  });
});

describe('isAllZero', () => {
  it('tells zeros from data, past its 64 KiB compare buffer', () => {
    const b = Buffer.alloc(200_000);
    expect(isAllZero(b)).toBe(true);
    b[199_999] = 1;
    expect(isAllZero(b)).toBe(false);
  });
});

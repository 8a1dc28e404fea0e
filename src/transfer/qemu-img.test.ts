import { describe, expect, it } from 'vitest';
import { ConversionError } from './errors.js';
import { parseQemuImgProgress, qemuImgConvert } from './qemu-img.js';

describe('parseQemuImgProgress', () => {
  it('extracts each complete report and keeps the tail', () => {
    expect(parseQemuImgProgress('    (0.00/100%)\r    (1.05/100%)\r    (2.')).toEqual({
      percents: [0, 1.05],
      rest: '\r    (2.',
    });
    expect(parseQemuImgProgress('    (100.00/100%)\r\n').percents).toEqual([100]);
  });
});

describe('qemuImgConvert', () => {
  it('says how to install qemu-img when it is missing', async () => {
    const e: unknown = await qemuImgConvert('a', 'b', { qemuImg: '/nonexistent/qemu-img' }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ConversionError);
    expect((e as ConversionError).hint).toContain('qemu-utils');
  });
});

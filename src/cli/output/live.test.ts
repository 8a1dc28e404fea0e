import { describe, expect, it } from 'vitest';
import { liveFrames } from './live.js';

function capture(redraw: boolean): { frames: ReturnType<typeof liveFrames>; written: string[] } {
  const written: string[] = [];
  return { frames: liveFrames((t) => written.push(t), redraw), written };
}

describe('liveFrames', () => {
  it('off a terminal appends each changed frame after a blank line and skips repeats', () => {
    const { frames, written } = capture(false);
    frames.show('A\n1\n');
    frames.show('A\n1\n');
    frames.show('A\n2\n');
    expect(written.join('')).toBe('A\n1\n\nA\n2\n');
  });

  it('on a terminal moves up over the previous frame and clears before drawing', () => {
    const { frames, written } = capture(true);
    frames.show('A\n1\n');
    frames.show('A\n2\nB\n');
    frames.show('A\n2\nB\n');
    frames.show('C\n');
    expect(written).toEqual(['A\n1\n', '\u001b[2A\u001b[JA\n2\nB\n', '\u001b[3A\u001b[JC\n']);
  });

  it('draws the next frame under a note instead of over it', () => {
    const { frames, written } = capture(true);
    frames.show('A\n');
    frames.note('plan web deleted');
    frames.show('A\n');
    expect(written).toEqual(['A\n', 'plan web deleted\n', 'A\n']);
  });
});

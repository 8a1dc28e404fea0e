import { describe, expect, it } from 'vitest';
import { progressText, rateText, terminalStyle, transferText } from './progress.js';

describe('progress text', () => {
  it.each([
    [0, 1000, 0],
    [520, 1000, 52],
    [999, 1000, 99],
    [1000, 1000, 100],
    [1200, 1000, 100],
  ])('%i of %i is %i%%', (completed, total, pct) => {
    expect(progressText({ completed, total }, { bars: false })).toBe(`${String(pct)}%`);
  });

  it.each([
    [0, 10, '[----------]'],
    [52, 100, '[#####-----]'],
    [99, 100, '[#########-]'],
    [100, 100, '[##########]'],
  ])('bar of %i/%i is %s', (completed, total, bar) => {
    expect(progressText({ completed, total }, { bars: true })).toMatch(
      new RegExp(`^\\${bar.slice(0, -1)}\\] \\d+%$`),
    );
  });

  it('shows MiB done and in all, with a bar only when asked', () => {
    const p = { completed: 520, total: 1000 };
    expect(progressText(p, { bars: false, unit: 'MiB' })).toBe('52% (520/1000 MiB)');
    expect(progressText(p, { bars: true, unit: 'MiB' })).toBe('[#####-----] 52% (520/1000 MiB)');
    expect(progressText(p, { bars: false })).toBe('52%');
  });

  it('is a dash while the total is unknown', () => {
    expect(progressText({ completed: 0, total: 0 }, { bars: true, unit: 'MiB' })).toBe('-');
    expect(transferText({ completed: 0, total: 0, throughputMiBps: 5 }, false)).toBe('-');
  });

  it('formats rates with one decimal and ETAs as kubectl durations', () => {
    expect(rateText(48.25)).toBe('48.3 MiB/s');
    expect(rateText(8)).toBe('8.0 MiB/s');
    const eta = (etaSeconds: number) => transferText({ completed: 1, total: 2, etaSeconds }, false);
    expect(eta(13)).toBe('50% (1/2 MiB) ETA 13s');
    expect(eta(500)).toBe('50% (1/2 MiB) ETA 8m20s');
    expect(eta(4 * 3600 + 60)).toBe('50% (1/2 MiB) ETA 4h1m');
  });

  it('adds the rate and the ETA to a transfer only when known', () => {
    const t = { completed: 2960, total: 7768 };
    expect(transferText(t, false)).toBe('38% (2960/7768 MiB)');
    expect(transferText({ ...t, throughputMiBps: 48.25 }, false)).toBe('38% (2960/7768 MiB) 48.3 MiB/s');
    expect(transferText({ ...t, throughputMiBps: 48.25, etaSeconds: 500 }, true)).toBe(
      '[###-------] 38% (2960/7768 MiB) 48.3 MiB/s ETA 8m20s',
    );
  });
});

describe('terminalStyle', () => {
  it.each([
    [true, undefined, true],
    [true, 'table', true],
    [true, 'wide', true],
    [true, 'json', false],
    [true, 'markdown', false],
    [false, undefined, false],
    [false, 'table', false],
  ])('a TTY %s with -o %s draws bars: %s', (isTTY, output, bars) => {
    expect(terminalStyle({ isTTY }, output)).toEqual({ bars, redraw: bars });
  });
});

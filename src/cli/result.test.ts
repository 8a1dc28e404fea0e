import { describe, expect, it } from 'vitest';
import type { Io } from './io.js';
import { render, type CommandResult } from './result.js';

function io(isTTY: boolean): Io & { text(): string } {
  let out = '';
  return { out: (t) => (out += t), err: () => undefined, isTTY, color: false, text: () => out };
}

const doc = (value: string) => ({
  title: 'Plan demo/web',
  fields: [{ label: 'Progress', value }],
  sections: [],
});

describe('render picks the terminal variant only on a TTY with table output', () => {
  const data: CommandResult = {
    kind: 'data',
    data: [{ pct: 52 }],
    text: '52%\n',
    terminal: '[#####-----] 52%\n',
  };
  const described: CommandResult = {
    kind: 'document',
    document: doc('52%'),
    terminal: doc('[#####-----] 52%'),
  };

  it.each([
    [true, undefined, '[#####-----] 52%\n'],
    [false, undefined, '52%\n'],
    [true, 'json', '[\n    {\n        "pct": 52\n    }\n]\n'],
  ])('data: TTY %s, -o %s', (tty, output, expected) => {
    const o = io(tty);
    render(data, output, o);
    expect(o.text()).toBe(expected);
  });

  it.each([
    [true, undefined, 'Progress:  [#####-----] 52%\n'],
    [false, undefined, 'Progress:  52%\n'],
    [true, 'markdown', '# Plan demo/web\n\n- **Progress:** 52%\n'],
  ])('document: TTY %s, -o %s', (tty, output, expected) => {
    const o = io(tty);
    render(described, output, o);
    expect(o.text()).toBe(expected);
  });
});

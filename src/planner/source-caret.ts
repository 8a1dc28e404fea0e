/**
 * Locating a position in user-written text (a naming template, an affinity rule) for error
 * messages: line and column, and the line with carets under the offending span.
 */

/** 1-based line and column (UTF-16 code units) of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/**
 * The line of `text` holding `start`, indented two spaces, with carets under `start`..`end`
 * (at least one caret; a span running past the line stops at its end).
 */
export function caretView(text: string, start: number, end = start + 1): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', start);
  const lineEnd = nl === -1 ? text.length : nl;
  const line = text.slice(lineStart, lineEnd).replace(/\t/g, ' ');
  const width = Math.max(1, Math.min(end, lineEnd) - start);
  return `  ${line}\n  ${' '.repeat(Math.max(0, start - lineStart))}${'^'.repeat(width)}`;
}

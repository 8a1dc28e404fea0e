/**
 * Progress as text: percentages with MiB, a `[#####-----]` bar for terminals, throughput and ETA.
 * Pure formatting; whether bars are drawn is decided once, by {@link terminalStyle}.
 */
import type { Io } from '../io.js';
import { humanDuration } from './age.js';

/** Units done and in all (Forklift's `Progress`). */
export interface ProgressValue {
  completed: number;
  total: number;
}

/** How live output is drawn on this standard output. */
export interface TerminalStyle {
  /** Progress as `[#####-----] 52%` bars rather than plain numbers. */
  bars: boolean;
  /** `-w` views redraw in place rather than appending. */
  redraw: boolean;
}

/**
 * The CLI's one decision about the terminal for progress: bars and in-place redraws only when
 * standard output is a TTY and the output is a table (`-o` absent, `table` or `wide`); pipes,
 * files, tests and the structured formats get plain numbers.
 */
export function terminalStyle(io: Pick<Io, 'isTTY'>, output: string | undefined): TerminalStyle {
  const table = output === undefined || output === 'table' || output === 'wide';
  const tty = io.isTTY && table;
  return { bars: tty, redraw: tty };
}

/** Width of a progress bar, in cells between the brackets. @default 10 */
const barWidth = 10;

/** Whole percent done, floored and kept within 0–100; 0 when the total is unknown. */
function percentDone(p: ProgressValue): number {
  if (!(p.total > 0)) return 0;
  return Math.min(100, Math.max(0, Math.floor((100 * p.completed) / p.total)));
}

/** `[#####-----]`: a cell per tenth (of {@link barWidth}) done, full only when done. */
function progressBar(p: ProgressValue, width = barWidth): string {
  const filled = p.total > 0 ? Math.min(width, Math.max(0, Math.floor((width * p.completed) / p.total))) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/**
 * `52% (520/1000 MiB)`, or `[#####-----] 52% (520/1000 MiB)` with bars; `-` when the total is
 * unknown (0). Without a unit only the percentage is shown.
 */
export function progressText(p: ProgressValue, opts: { bars: boolean; unit?: string }): string {
  if (!(p.total > 0)) return '-';
  const pct = `${String(percentDone(p))}%`;
  const amount = opts.unit ? ` (${String(p.completed)}/${String(p.total)} ${opts.unit})` : '';
  return `${opts.bars ? `${progressBar(p)} ` : ''}${pct}${amount}`;
}

/** `48.2 MiB/s` (one decimal). */
export function rateText(mibPerSecond: number): string {
  return `${mibPerSecond.toFixed(1)} MiB/s`;
}

/** `ETA 3m20s` in kubectl's duration style. */
function etaText(seconds: number): string {
  return `ETA ${humanDuration(seconds)}`;
}

/** A transfer's progress, rate and ETA: `52% (520/1000 MiB) 48.2 MiB/s ETA 10s`. */
export function transferText(
  t: ProgressValue & { throughputMiBps?: number | undefined; etaSeconds?: number | undefined },
  bars: boolean,
): string {
  const parts = [progressText(t, { bars, unit: 'MiB' })];
  if (parts[0] === '-') return '-';
  if (t.throughputMiBps !== undefined) parts.push(rateText(t.throughputMiBps));
  if (t.etaSeconds !== undefined) parts.push(etaText(t.etaSeconds));
  return parts.join(' ');
}

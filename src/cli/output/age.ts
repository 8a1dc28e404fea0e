/**
 * kubectl's human-readable durations (`5s`, `3m20s`, `4h`, `12d`, `2y45d`).
 * @see https://github.com/kubernetes/apimachinery/blob/master/pkg/util/duration/duration.go
 */

/** Formats a duration in seconds the way kubectl's AGE column does. */
export function humanDuration(seconds: number): string {
  if (seconds < -1) return '<invalid>';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (y < 8) return d % 365 ? `${y}y${d % 365}d` : `${y}y`;
  return `${y}y`;
}

/** AGE of an object from its creationTimestamp, relative to `now`; `<unknown>` when absent. */
export function age(creationTimestamp: string | undefined, now: Date): string {
  if (!creationTimestamp) return '<unknown>';
  return humanDuration((now.getTime() - Date.parse(creationTimestamp)) / 1000);
}

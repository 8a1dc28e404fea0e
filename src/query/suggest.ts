/**
 * "Did you mean" suggestions: the candidates closest to a misspelt name by edit distance.
 */

/**
 * Edit distance between `a` and `b`: insertions, deletions, substitutions and swaps of two
 * adjacent characters each cost 1 (optimal string alignment), so `nmae` is 1 from `name`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    const prev = rows[i - 1] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      cur.push(d);
    }
    rows.push(cur);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * Up to `max` candidates close to `word`, closest first (ties keep candidate order). Case is
 * ignored when measuring, so `memorymb` suggests `memoryMB`. A candidate is close when its
 * distance is at most a third of the longer name's length (at least 1, at most 3), or when the
 * candidate starts with the word, or with all of it but its last letter (`cpus` → `cpuCount`).
 * @default max 3
 */
export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.toLowerCase();
  const scored: { name: string; d: number }[] = [];
  const seen = new Set<string>();
  for (const name of candidates) {
    if (seen.has(name) || name === word) continue;
    seen.add(name);
    const n = name.toLowerCase();
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(w.length, n.length) / 3)));
    const d = editDistance(w, n);
    const stem = w.length >= 4 ? w.slice(0, -1) : w;
    const prefix = w.length >= 3 && (n.startsWith(stem) || w.startsWith(n));
    if (d <= limit || prefix) scored.push({ name, d: prefix ? Math.min(d, limit) : d });
  }
  return scored
    .sort((x, y) => x.d - y.d)
    .slice(0, max)
    .map((s) => s.name);
}

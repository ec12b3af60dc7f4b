// "Did you mean …?" for a name typed by hand: the known name at the smallest edit distance, if it
// is close enough to be a typo (at most 2 edits, and less than half the word).

/** Edit distance: insert, delete, substitute, or swap two neighbours ("hots" is one from "host"). */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], before[j - 2] + 1);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length];
}

export function nearestName(word: string, known: readonly string[]): string | undefined {
  const w = word.trim().toLowerCase();
  if (known.includes(w)) return undefined;
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = editDistance(w, name);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= 2 && best.d < w.length / 2 ? best.name : undefined;
}

// Stacked force plot geometry: instance orderings and pixel-column binning. Pure, tested in test/stacked-layout.test.ts.

export type Ordering = "original" | "output" | "similarity" | "feature";

/** Instance indices in display order. `key` sorts ("output", "feature"); `given` is a precomputed order. */
export function orderInstances(n: number, ordering: Ordering, key: ArrayLike<number> | null, given: ArrayLike<number> | null): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (ordering === "similarity" && given && given.length === n) return Int32Array.from(given);
  if ((ordering === "output" || ordering === "feature") && key) {
    const sorted = Array.from(order).sort((a, b) => (key[a] as number) - (key[b] as number) || a - b);
    return Int32Array.from(sorted);
  }
  return order;
}

/**
 * Split `n` ordered instances into at most `columns` contiguous groups of near-equal size. With fewer instances
 * than pixel columns every instance is its own group; with more, a group is one pixel column and is drawn as the
 * mean of its instances (still additive: the mean contributions add up to the mean output).
 */
export function binColumns(n: number, columns: number): Array<[number, number]> {
  const count = Math.max(1, Math.min(n, Math.floor(columns)));
  const bins: Array<[number, number]> = [];
  for (let c = 0; c < count; c++) bins.push([Math.floor((c * n) / count), Math.floor(((c + 1) * n) / count)]);
  return bins.filter(([a, b]) => b > a);
}

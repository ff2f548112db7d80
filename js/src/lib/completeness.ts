// The one way views state completeness: base + Σ parts against the model's output, and the gap a reader should weigh
// the picture by (how far the parts' sum misses f(x)), as a share of what the parts explain (f(x) − base).
import { formatAt, formatNumber, resolutionOf } from "./format";

export interface Completeness {
  lines: string[];
  /** |Σ parts + base − f(x)|, or null when the method does not report it */
  gap: number | null;
}

/**
 * `parts` names what is summed ("tokens", "pixels"); `delta` = Σ parts + base − f(x) as the method reports it (null:
 * it does not). `resolution`: the finest step the view's values are shown at (the gap is printed no coarser).
 */
export function completeness(parts: string, method: string, base: number, total: number, delta: number | null, resolution = Infinity): Completeness {
  const shown = resolutionOf(Math.abs(total - base) || Math.abs(total) || 1);
  const lines = [`base ${formatAt(base, shown)} + Σ ${parts} = ${formatAt(total, shown)}.`];
  if (delta === null) {
    lines.push(`${method || "the method"} reports no completeness gap: Σ ${parts} + base is not checked against f(x) here.`);
    return { lines, gap: null };
  }
  const gap = Math.abs(delta);
  const change = Math.abs(total - delta - base); // |f(x) − base|: delta = Σ parts + base − f(x)
  const relative = change > 0 ? ` (${formatNumber((100 * gap) / change, 2)} % of f(x) − base)` : "";
  lines.push(`completeness gap: |Σ ${parts} + base − f(x)| = ${formatAt(gap, Math.min(shown, resolution))}${relative}.`);
  return { lines, gap };
}

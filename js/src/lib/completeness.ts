// The one way views state completeness: base + Σ parts against the model's output, and the gap a reader should weigh
// the picture by (how far the parts' sum misses f(x)), as a share of what the parts explain (f(x) − base).
import { formatAt, formatNumber, resolutionOf } from "./format";

export interface Completeness {
  lines: string[];
  /** |Σ parts + base − f(x)|, or null when the method does not report it */
  gap: number | null;
}

/**
 * The gap line alone (for views that state base + Σ themselves): `delta` = Σ parts + base − f(x) as the method
 * reports it (null: it does not), printed no finer than `resolution` (the step the view shows its numbers at).
 */
export function gapLine(parts: string, method: string, base: number, total: number, delta: number | null, resolution: number): string {
  if (delta === null) return `${method || "the method"} reports no completeness gap: Σ ${parts} + base is not checked against f(x) here.`;
  const gap = Math.abs(delta);
  const printed = formatAt(gap, resolution);
  if (printed === "0" || printed === "≈0") return `Complete: Σ ${parts} + base equals the model's output f(x) to the precision shown.`;
  const change = Math.abs(total - delta - base); // |f(x) − base|: delta = Σ parts + base − f(x)
  const relative = change > 0 ? ` (${formatNumber((100 * gap) / change, 2)} % of f(x) − base)` : "";
  return `completeness gap: |Σ ${parts} + base − f(x)| = ${printed}${relative}.`;
}

/** The sum line and the gap line (see gapLine); `resolution` defaults to the sum's own. */
export function completeness(parts: string, method: string, base: number, total: number, delta: number | null, resolution = Infinity): Completeness {
  const shown = resolutionOf(Math.abs(total - base) || Math.abs(total) || 1);
  return {
    lines: [`base ${formatAt(base, shown)} + Σ ${parts} = ${formatAt(total, shown)}.`, gapLine(parts, method, base, total, delta, Math.min(shown, resolution))],
    gap: delta === null ? null : Math.abs(delta),
  };
}

/**
 * For views of every instance (beeswarm, stacked force plot): the largest completeness gap over the instances, for
 * one output, or that the method does not report one. `deltas` holds (instance, output) row-major.
 */
export function largestGapLine(parts: string, method: string, deltas: Float32Array | null, nOutputs: number, output: number, resolution: number): string {
  if (!deltas) return `${method || "the method"} reports no completeness gap: Σ ${parts} + base is not checked against f(x) here.`;
  let worst = 0;
  let at = -1;
  for (let i = output; i < deltas.length; i += nOutputs) {
    const gap = Math.abs(deltas[i] as number);
    if (gap > worst) {
      worst = gap;
      at = (i - output) / nOutputs;
    }
  }
  const printed = formatAt(worst, resolution);
  if (at < 0 || printed === "0" || printed === "≈0") return `Complete for every instance: Σ ${parts} + base equals f(x) to the precision shown.`;
  return `Largest completeness gap |Σ ${parts} + base − f(x)| over the instances: ${printed} (instance ${at}).`;
}

/**
 * What the end of a force plot or waterfall is: f(x) when the parts add up to it (to the precision shown, or the
 * method reports no gap), else only "base + Σ" (LIME's surrogate): a view must not label as the model's output what
 * its own gap line says is not.
 */
export function outputLabel(delta: number | null, resolution: number): string {
  if (delta === null) return "f(x)";
  const printed = formatAt(Math.abs(delta), resolution);
  return printed === "0" || printed === "≈0" ? "f(x)" : "base + Σ";
}

// Waterfall layout and row labels: pure maths, tested in test/waterfall-layout.test.ts and test/label-layout.test.ts.
import { fitAround, shorten } from "./format";

export interface WaterfallRow {
  /** features in the row: one, or the remaining ones summed ("N other features") */
  features: number[];
  contribution: number;
  /** running total before and after this row (bottom row starts at the base value) */
  from: number;
  to: number;
}

export interface WaterfallLayout {
  /** top to bottom: the largest |contribution| first, the "other features" row last */
  rows: WaterfallRow[];
  base: number;
  output: number;
  domain: [number, number];
}

/**
 * Sort features by |contribution|; keep `maxDisplay - 1` rows and sum the rest into one (when more than
 * `maxDisplay` features). Running totals go from the base value at the bottom to f(x) at the top.
 */
export function waterfallLayout(contributions: ArrayLike<number>, base: number, maxDisplay: number): WaterfallLayout {
  const order = Array.from({ length: contributions.length }, (_, i) => i).sort(
    (a, b) => Math.abs(contributions[b] as number) - Math.abs(contributions[a] as number) || a - b,
  );
  const shown = order.length > maxDisplay ? order.slice(0, Math.max(1, maxDisplay - 1)) : order;
  const rest = order.slice(shown.length);
  const groups = shown.map((f) => [f]);
  if (rest.length) groups.push(rest);
  // accumulate bottom-up, so that the bottom row starts at the base value
  let total = base;
  const bottomUp = groups.reverse().map((features) => {
    const contribution = features.reduce((sum, f) => sum + (contributions[f] as number), 0);
    const row = { features, contribution, from: total, to: total + contribution };
    total += contribution;
    return row;
  });
  const rows = bottomUp.reverse();
  const points = [base, total, ...rows.flatMap((r) => [r.from, r.to])];
  const lo = Math.min(...points);
  const hi = Math.max(...points);
  const pad = (hi - lo || Math.abs(total) || 1) * 0.05;
  return { rows, base, output: total, domain: [lo - pad, hi + pad] };
}

/** A row's label: the feature's name between what comes before it (a LIME condition's lower bound) and after it
 * ("= value", or the condition's upper bound). */
export interface RowLabel {
  prefix: string;
  name: string;
  suffix: string;
}

export function fullText({ prefix, name, suffix }: RowLabel): string {
  return `${prefix}${name}${suffix}`;
}

/**
 * The label in `maxChars`: whole; or with a condition's lower bound left to the tooltip ("… name <= 6.2", the
 * ellipsis saying something is left out) when that keeps the name whole; or the name shortened in its middle with
 * what surrounds it kept whole; or, at the very least, the name alone, shortened (the value is in the tooltip). Never
 * a cut through a value: "= −1.2" cut to "1.2" would flip its sign.
 */
export function fitRowLabel(label: RowLabel, maxChars: number): string {
  const { prefix, name, suffix } = label;
  return (
    fitAround(prefix, name, suffix, maxChars, name.length) ??
    (prefix ? fitAround("… ", name, suffix, maxChars, name.length) : null) ??
    fitAround(prefix, name, suffix, maxChars, 8) ??
    (prefix ? fitAround("… ", name, suffix, maxChars, 8) : null) ??
    shorten(name, maxChars)
  );
}

/** Split a LIME condition ("name <= 6.2", "4.1 < name <= 6.2") around its feature's name, matched as a whole word. */
export function conditionLabel(condition: string, name: string): RowLabel {
  if (condition.startsWith(`${name} `)) return { prefix: "", name, suffix: condition.slice(name.length) };
  const at = condition.indexOf(` ${name} `);
  if (at < 0) return { prefix: "", name: condition, suffix: "" };
  return { prefix: condition.slice(0, at + 1), name, suffix: condition.slice(at + 1 + name.length) };
}

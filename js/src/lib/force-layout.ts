// The additive force layout: pure maths, tested in test/force-layout.test.ts.

export interface ForceSegment {
  feature: number;
  contribution: number;
  /** where the segment starts and ends on the output axis (start < end) */
  start: number;
  end: number;
}

export interface ForceLayout {
  base: number;
  output: number;
  /** increasing segments, nearest the output first */
  positive: ForceSegment[];
  /** decreasing segments, nearest the output first */
  negative: ForceSegment[];
  domain: [number, number];
}

/**
 * Stack contributions from the output value outwards: positive pushes end at f(x) and extend left, negative
 * pushes start at f(x) and extend right, biggest nearest f(x). Zero contributions draw nothing.
 * By construction base + Σ contributions = output, and the left end of the positive stack minus the negative
 * total equals the base value.
 */
export function forceLayout(contributions: ArrayLike<number>, base: number): ForceLayout {
  const indices = Array.from({ length: contributions.length }, (_, i) => i);
  const value = (i: number) => contributions[i] as number;
  let output = base;
  for (const i of indices) output += value(i);
  const stack = (selected: number[], direction: 1 | -1): ForceSegment[] => {
    selected.sort((a, b) => Math.abs(value(b)) - Math.abs(value(a)) || a - b);
    let edge = output;
    return selected.map((feature) => {
      const width = Math.abs(value(feature));
      const far = edge - direction * width;
      const segment = { feature, contribution: value(feature), start: Math.min(edge, far), end: Math.max(edge, far) };
      edge = far;
      return segment;
    });
  };
  const positive = stack(indices.filter((i) => value(i) > 0), 1);
  const negative = stack(indices.filter((i) => value(i) < 0), -1);
  const lo = Math.min(base, output, positive.at(-1)?.start ?? output);
  const hi = Math.max(base, output, negative.at(-1)?.end ?? output);
  const pad = (hi - lo || Math.abs(output) || 1) * 0.05;
  return { base, output, positive, negative, domain: [lo - pad, hi + pad] };
}

/** Chevron polygon points for a segment pointing right (positive push) or left (negative push). */
export function chevron(x0: number, x1: number, y: number, height: number, pointsRight: boolean, tip = 6): string {
  const width = x1 - x0;
  const a = Math.min(tip, width);
  const mid = y + height / 2;
  const points = pointsRight
    ? [[x0, y], [x1 - a, y], [x1, mid], [x1 - a, y + height], [x0, y + height], [x0 + a, mid]]
    : [[x1, y], [x0 + a, y], [x0, mid], [x0 + a, y + height], [x1, y + height], [x1 - a, mid]];
  return points.map(([px, py]) => `${(px as number).toFixed(2)},${(py as number).toFixed(2)}`).join(" ");
}

// Colour ramps. Low → high runs from the view's "negative" blue to its "positive" vermillion through grey:
// the Okabe–Ito pair stays distinguishable for the common colour-vision deficiencies.

export type RGB = [number, number, number];

export function parseColor(css: string, fallback: RGB): RGB {
  const hex = css.trim().match(/^#([0-9a-f]{6})$/i);
  if (hex) {
    const n = Number.parseInt(hex[1] as string, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const rgb = css.match(/rgba?\((\d+),\s*(\d+),\s*(\d+)/);
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : fallback;
}

/** `steps` colours from `low` through a neutral grey to `high`, as CSS strings. */
export function divergingRamp(low: RGB, high: RGB, steps: number, mid: RGB = [170, 170, 170]): string[] {
  const ramp: string[] = [];
  for (let i = 0; i < steps; i++) {
    const t = steps === 1 ? 0.5 : i / (steps - 1);
    const [a, b, u] = t < 0.5 ? [low, mid, t * 2] : [mid, high, (t - 0.5) * 2];
    const c = a.map((v, j) => Math.round(v + ((b[j] as number) - v) * u));
    ramp.push(`rgb(${c[0]}, ${c[1]}, ${c[2]})`);
  }
  return ramp;
}

/** Robust [lo, hi] of finite values: the 5th and 95th percentiles, so outliers do not wash out the colours. */
export function robustRange(values: ArrayLike<number>): [number, number] {
  const finite = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (!finite.length) return [0, 1];
  const at = (q: number) => finite[Math.min(finite.length - 1, Math.max(0, Math.round(q * (finite.length - 1))))] as number;
  const lo = at(0.05);
  const hi = at(0.95);
  return hi > lo ? [lo, hi] : [finite[0] as number, (finite.at(-1) as number) + (finite.at(-1) === finite[0] ? 1 : 0)];
}

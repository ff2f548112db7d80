// Colour ramps. Low → high runs from the view's "negative" blue to its "positive" vermillion through a purple (the
// theme's --iw-mid): the Okabe–Ito pair stays distinguishable for the common colour-vision deficiencies, and a grey
// middle would read as "no value".

export type RGB = [number, number, number];

export function parseColor(css: string, fallback: RGB): RGB {
  // themes write #rgb as often as #rrggbb (JupyterLab's dark theme: --jp-layout-color0 is #111)
  const short = css.trim().match(/^#([0-9a-f])([0-9a-f])([0-9a-f])$/i);
  if (short) return [1, 2, 3].map((i) => Number.parseInt(`${short[i]}${short[i]}`, 16)) as RGB;
  const hex = css.trim().match(/^#([0-9a-f]{6})([0-9a-f]{2})?$/i);
  if (hex) {
    const n = Number.parseInt(hex[1] as string, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const rgb = css.match(/rgba?\((\d+),\s*(\d+),\s*(\d+)/);
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : fallback;
}

/** `steps` colours from `low` through `mid` to `high`, as CSS strings. */
export function divergingRamp(low: RGB, mid: RGB, high: RGB, steps: number): string[] {
  const ramp: string[] = [];
  for (let i = 0; i < steps; i++) {
    const t = steps === 1 ? 0.5 : i / (steps - 1);
    const [a, b, u] = t < 0.5 ? [low, mid, t * 2] : [mid, high, (t - 0.5) * 2];
    const c = a.map((v, j) => Math.round(v + ((b[j] as number) - v) * u));
    ramp.push(`rgb(${c[0]}, ${c[1]}, ${c[2]})`);
  }
  return ramp;
}

/** Values taken from a large array to estimate its percentiles: the estimate's error is well under one colour. */
export const PERCENTILE_SAMPLE = 10_000;

/**
 * Robust [lo, hi] of finite values: the 5th and 95th percentiles, so outliers do not wash out the colours. Linear
 * time (selection, not a sort) on at most PERCENTILE_SAMPLE evenly spaced values: it runs on every feature of
 * 100,000 instances when a beeswarm first draws.
 */
export function robustRange(values: ArrayLike<number>): [number, number] {
  const sample = sampleOf(values, (v) => v);
  const n = sample.length;
  if (!n) return [0, 1];
  const at = (q: number) => select(sample, Math.min(n - 1, Math.max(0, Math.round(q * (n - 1)))));
  const lo = at(0.05);
  const hi = at(0.95);
  if (hi > lo) return [lo, hi];
  let min = Infinity;
  let max = -Infinity;
  for (const v of sample) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max + (max === min ? 1 : 0)];
}

/**
 * At most PERCENTILE_SAMPLE evenly spaced values of `values`, each through `keep` (which may map it, or drop it with
 * NaN); non-finite values are left out. What percentiles are estimated from.
 */
export function sampleOf(values: ArrayLike<number>, keep: (value: number) => number): Float64Array {
  const stride = Math.max(1, Math.floor(values.length / PERCENTILE_SAMPLE));
  const kept = new Float64Array(Math.ceil(values.length / stride));
  let n = 0;
  for (let i = 0; i < values.length; i += stride) {
    const v = keep(values[i] as number);
    if (Number.isFinite(v)) kept[n++] = v;
  }
  return kept.subarray(0, n);
}

/** The theme's signed ramp, negative → background → positive, in `steps` colours (token heat maps, signed tiles). */
export function signedRamp(colours: { negative: string; bg: string; positive: string }, steps: number): RGB[] {
  return rampColours([parseColor(colours.negative, [0, 114, 178]), parseColor(colours.bg, [255, 255, 255]), parseColor(colours.positive, [213, 94, 0])], steps);
}

/** The k-th smallest value of `a` (reordered in place): Hoare's selection, expected linear time. */
export function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

/** `steps` colours evenly along the piecewise-linear path through `stops` (at least two). */
export function rampColours(stops: readonly RGB[], steps: number): RGB[] {
  const out: RGB[] = [];
  const segments = stops.length - 1;
  for (let i = 0; i < steps; i++) {
    const t = (steps === 1 ? 0.5 : i / (steps - 1)) * segments;
    const k = Math.min(segments - 1, Math.floor(t));
    const [a, b, u] = [stops[k] as RGB, stops[k + 1] as RGB, t - k];
    out.push(a.map((v, j) => Math.round(v + ((b[j] as number) - v) * u)) as RGB);
  }
  return out;
}

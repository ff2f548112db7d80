// Beeswarm geometry: feature order and deterministic swarm offsets. Pure, tested in test/beeswarm-layout.test.ts.

/** Features ordered by mean |contribution| over instances, largest first. */
export function featureOrder(meanAbs: ArrayLike<number>): number[] {
  return Array.from({ length: meanAbs.length }, (_, i) => i).sort((a, b) => (meanAbs[b] as number) - (meanAbs[a] as number) || a - b);
}

/**
 * Vertical offsets that pile points sharing an x-bin above and below the row's centre line (0, +1, −1, +2…),
 * in units of `step` pixels, wrapping inside ±`halfHeight` so dense bins stay within their row. Linear time, typed
 * arrays only: `xs` are pixel positions ≥ 0.
 */
export function swarmOffsets(xs: ArrayLike<number>, binPx: number, step: number, halfHeight: number): Float32Array {
  const offsets = new Float32Array(xs.length);
  let maxBin = 0;
  for (let i = 0; i < xs.length; i++) maxBin = Math.max(maxBin, Math.floor((xs[i] as number) / binPx));
  const counts = new Int32Array(maxBin + 1);
  const slots = Math.max(1, Math.floor(halfHeight / step));
  for (let i = 0; i < xs.length; i++) {
    const bin = Math.max(0, Math.floor((xs[i] as number) / binPx));
    const k = counts[bin] as number;
    counts[bin] = k + 1;
    const level = Math.ceil(k / 2) % (slots + 1);
    offsets[i] = level === 0 ? 0 : (k % 2 === 1 ? 1 : -1) * level * step;
  }
  return offsets;
}

/** A uniform grid of point indices for nearest-point look-ups under the pointer (compressed rows: typed arrays). */
export class PointGrid {
  private readonly columns: number;
  private readonly rows: number;
  private readonly start: Int32Array;
  private readonly items: Int32Array;

  constructor(private readonly xs: Float32Array, private readonly ys: Float32Array, private readonly cell = 8) {
    let maxX = 0;
    let maxY = 0;
    for (let i = 0; i < xs.length; i++) {
      maxX = Math.max(maxX, xs[i] as number);
      maxY = Math.max(maxY, ys[i] as number);
    }
    this.columns = Math.floor(maxX / cell) + 1;
    this.rows = Math.floor(maxY / cell) + 1;
    const cellOf = new Int32Array(xs.length);
    const counts = new Int32Array(this.columns * this.rows + 1);
    for (let i = 0; i < xs.length; i++) {
      const c = this.cellAt(Math.floor((xs[i] as number) / cell), Math.floor((ys[i] as number) / cell));
      cellOf[i] = c;
      counts[c + 1] = (counts[c + 1] as number) + 1;
    }
    for (let c = 1; c < counts.length; c++) counts[c] = (counts[c] as number) + (counts[c - 1] as number);
    this.start = counts;
    const fill = counts.slice(0, -1);
    this.items = new Int32Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      const c = cellOf[i] as number;
      this.items[fill[c] as number] = i;
      fill[c] = (fill[c] as number) + 1;
    }
  }

  private cellAt(cx: number, cy: number): number {
    return Math.min(this.rows - 1, Math.max(0, cy)) * this.columns + Math.min(this.columns - 1, Math.max(0, cx));
  }

  /** Index of the nearest point within `radius` pixels of (x, y), or -1. */
  nearest(x: number, y: number, radius = 6): number {
    const cx = Math.floor(x / this.cell);
    const cy = Math.floor(y / this.cell);
    let best = -1;
    let bestDistance = radius * radius;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const gx = cx + dx;
        const gy = cy + dy;
        if (gx < 0 || gy < 0 || gx >= this.columns || gy >= this.rows) continue;
        const c = gy * this.columns + gx;
        for (let p = this.start[c] as number; p < (this.start[c + 1] as number); p++) {
          const i = this.items[p] as number;
          const d = ((this.xs[i] as number) - x) ** 2 + ((this.ys[i] as number) - y) ** 2;
          if (d <= bestDistance) {
            bestDistance = d;
            best = i;
          }
        }
      }
    }
    return best;
  }
}

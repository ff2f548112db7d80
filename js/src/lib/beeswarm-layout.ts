// Beeswarm geometry: feature order and deterministic swarm offsets. Pure, tested in test/beeswarm-layout.test.ts.

/** Features ordered by mean |contribution| over instances, largest first. */
export function featureOrder(meanAbs: ArrayLike<number>): number[] {
  return Array.from({ length: meanAbs.length }, (_, i) => i).sort((a, b) => (meanAbs[b] as number) - (meanAbs[a] as number) || a - b);
}

/**
 * Vertical offsets that pile points sharing an x-bin above and below the row's centre line (0, +1, −1, +2…),
 * in units of `step` pixels, wrapping inside ±`halfHeight` so dense bins stay within their row.
 */
export function swarmOffsets(xs: ArrayLike<number>, binPx: number, step: number, halfHeight: number): Float32Array {
  const offsets = new Float32Array(xs.length);
  const counts = new Map<number, number>();
  const slots = Math.max(1, Math.floor(halfHeight / step));
  for (let i = 0; i < xs.length; i++) {
    const bin = Math.floor((xs[i] as number) / binPx);
    const k = counts.get(bin) ?? 0;
    counts.set(bin, k + 1);
    const level = Math.ceil(k / 2) % (slots + 1);
    offsets[i] = level === 0 ? 0 : (k % 2 === 1 ? 1 : -1) * level * step;
  }
  return offsets;
}

/** A uniform grid of point indices for nearest-point look-ups under the pointer. */
export class PointGrid {
  private readonly cells = new Map<number, number[]>();

  constructor(private readonly xs: Float32Array, private readonly ys: Float32Array, private readonly cell = 8) {
    for (let i = 0; i < xs.length; i++) {
      const key = this.key(Math.floor((xs[i] as number) / cell), Math.floor((ys[i] as number) / cell));
      const bucket = this.cells.get(key);
      if (bucket) bucket.push(i);
      else this.cells.set(key, [i]);
    }
  }

  private key(cx: number, cy: number): number {
    return cx * 100_003 + cy;
  }

  /** Index of the nearest point within `radius` pixels of (x, y), or -1. */
  nearest(x: number, y: number, radius = 6): number {
    const cx = Math.floor(x / this.cell);
    const cy = Math.floor(y / this.cell);
    let best = -1;
    let bestDistance = radius * radius;
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const i of this.cells.get(this.key(cx + dx, cy + dy)) ?? []) {
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

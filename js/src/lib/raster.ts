// Dense points drawn straight into pixels: a 100,000-row beeswarm has over a million points, and one canvas path
// call per point costs more than writing their few pixels.
import type { RGB } from "./colors";

/** An opaque colour as the 32-bit word of one RGBA pixel (ImageData's bytes are R, G, B, A in memory order). */
export function pixelWord([r, g, b]: RGB): number {
  const bytes = new Uint8Array([r, g, b, 255]);
  return new Uint32Array(bytes.buffer)[0] as number;
}

/**
 * Paint squares of `size` device pixels centred on (xs[i], ys[i]) (CSS pixels, scaled by `ratio`) into `pixels`, an
 * image `width` device pixels wide. Squares are painted in the order of their colour index, so that a higher index
 * lies on top (a counting sort: linear time). Index 255 means "not drawn".
 */
export function paintSquares(
  pixels: Uint32Array,
  width: number,
  ratio: number,
  xs: Float32Array,
  ys: Float32Array,
  colour: Uint8Array,
  palette: Uint32Array,
  size: number,
): void {
  const height = Math.floor(pixels.length / width);
  const counts = new Int32Array(palette.length + 1);
  for (let i = 0; i < colour.length; i++) if ((colour[i] as number) < palette.length) counts[(colour[i] as number) + 1]! += 1;
  for (let c = 1; c < counts.length; c++) counts[c] = (counts[c] as number) + (counts[c - 1] as number);
  const order = new Int32Array(counts[palette.length] as number);
  for (let i = 0; i < colour.length; i++) {
    const c = colour[i] as number;
    if (c < palette.length) order[counts[c]!++] = i;
  }
  const half = size / 2;
  for (let p = 0; p < order.length; p++) {
    const i = order[p] as number;
    const word = palette[colour[i] as number] as number;
    const x0 = Math.max(0, Math.round((xs[i] as number) * ratio - half));
    const y0 = Math.max(0, Math.round((ys[i] as number) * ratio - half));
    const x1 = Math.min(width, x0 + size);
    const y1 = Math.min(height, y0 + size);
    // a plain loop: a million squares of a few pixels each cost less than a million fill() calls
    for (let y = y0; y < y1; y++) {
      const row = y * width;
      for (let x = x0; x < x1; x++) pixels[row + x] = word;
    }
  }
}

/** A vertical line one device pixel wide at CSS x, from CSS y0 to y1. */
export function paintVertical(pixels: Uint32Array, width: number, ratio: number, x: number, y0: number, y1: number, word: number): void {
  const column = Math.round(x * ratio);
  if (column < 0 || column >= width) return;
  const bottom = Math.min(Math.floor(pixels.length / width), Math.round(y1 * ratio));
  for (let y = Math.max(0, Math.round(y0 * ratio)); y < bottom; y++) pixels[y * width + column] = word;
}

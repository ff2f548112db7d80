// Painting an attribution over its image, in the browser: sign modes, outlier clipping, opacity and colours change
// here with no message to the kernel. Pure functions over pixel arrays (tested in js/test/image.test.ts); the views
// put the result on a canvas.
import { type RGB, rampColours, sampleOf, select } from "./colors";

export type SignMode = "all" | "positive" | "negative" | "absolute";
export type ColourMap = "diverging" | "magnitude";
export const SIGN_MODES: readonly SignMode[] = ["all", "positive", "negative", "absolute"];
export const COLOUR_MAPS: readonly ColourMap[] = ["diverging", "magnitude"];

export interface OverlayOptions {
  sign: SignMode;
  colours: ColourMap;
  /** the level at which colours saturate: values beyond it are clipped (see clipLevel) */
  clip: number;
  /** the overlay's strength at full colour, 0..1 */
  opacity: number;
}

export interface OverlayColours {
  negative: RGB;
  positive: RGB;
  /** low → high, for magnitudes: the views' one feature-value ramp (negative → mid → positive) */
  ramp: RGB[];
}

/** The value a sign mode shows: every value, only positive or only negative ones (as magnitudes), or magnitudes. */
export function shown(value: number, sign: SignMode): number {
  if (sign === "positive") return value > 0 ? value : 0;
  if (sign === "negative") return value < 0 ? -value : 0;
  if (sign === "absolute") return Math.abs(value);
  return value;
}

/**
 * The clipping level: the `percentile` (0..100) of the magnitudes a sign mode shows, among the pixels it shows at
 * all (non-zero). captum's `visualize_image_attr` clips at the 98th-99th percentile the same way: a few extreme
 * pixels would otherwise leave every other one pale.
 */
export function clipLevel(values: ArrayLike<number>, sign: SignMode, percentile: number): number {
  const magnitudes = sampleOf(values, (v) => Math.abs(shown(v, sign)) || Number.NaN);
  const n = magnitudes.length;
  if (!n) return 0;
  const q = Math.min(100, Math.max(0, percentile)) / 100;
  const level = select(magnitudes, Math.min(n - 1, Math.round(q * (n - 1))));
  return level > 0 ? level : Math.max(...magnitudes);
}

/** The colours of the overlay modes from the theme's: sign hues for "diverging", the one ramp for "magnitude". */
export function overlayColours(negative: RGB, mid: RGB, positive: RGB): OverlayColours {
  return { negative, positive, ramp: rampColours([negative, mid, positive], 256) };
}

/**
 * The image with the attribution over it, as RGBA bytes (`out`, width·height·4). Each pixel is the image blended
 * with its value's colour, the colour's weight growing with the value's magnitude up to `opacity` at the clip
 * level: where a method gives nothing, the image shows unchanged. `rgb` holds 3 bytes per pixel.
 */
export function paintOverlay(rgb: Uint8Array, values: ArrayLike<number>, options: OverlayOptions, colours: OverlayColours, out: Uint8ClampedArray): void {
  const clip = options.clip > 0 ? options.clip : 1;
  const opacity = Math.min(1, Math.max(0, options.opacity));
  const magnitude = options.colours === "magnitude" || options.sign === "absolute";
  const last = colours.ramp.length - 1;
  for (let p = 0; p < values.length; p++) {
    const raw = values[p] as number;
    const t = Math.min(1, Math.abs(shown(raw, options.sign)) / clip);
    // the hue is the value's own sign: "negative" mode shows negative values in the negative hue
    const colour = magnitude ? (colours.ramp[Math.round(t * last)] as RGB) : raw < 0 ? colours.negative : colours.positive;
    const a = t * opacity;
    for (let c = 0; c < 3; c++) out[p * 4 + c] = (rgb[p * 3 + c] as number) * (1 - a) + (colour[c] as number) * a;
    out[p * 4 + 3] = 255;
  }
}

/**
 * The `k` superpixels LIME shows (its `get_image_and_mask`): the largest weights under the sign mode (positive
 * only, by default in LIME; "all" and "absolute" rank by magnitude). Returns their segment ids, strongest first.
 */
export function topSegments(segments: Int32Array, values: ArrayLike<number>, sign: SignMode, k: number): number[] {
  const weights = new Map<number, number>();
  for (let p = 0; p < segments.length; p++) {
    const id = segments[p] as number;
    if (!weights.has(id)) weights.set(id, Math.abs(shown(values[p] as number, sign)));
  }
  return [...weights]
    .filter(([, w]) => w > 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, Math.max(0, k))
    .map(([id]) => id);
}

/**
 * Outline the chosen superpixels, each in its own weight's hue (LIME's `get_image_and_mask(positive_only=False)` marks
 * the two signs apart): a pixel of a chosen segment whose 4-neighbour lies in another segment, or on the image's
 * edge, takes the line colour. Unlike `mark_boundaries` on LIME's mask, a border between two chosen segments is drawn
 * too, so each one can be told apart. With `greyRest`, the pixels outside every chosen segment turn grey at half
 * contrast (LIME's `hide_rest`, gentler).
 */
export function outlineSegments(
  out: Uint8ClampedArray,
  segments: Int32Array,
  values: ArrayLike<number>,
  width: number,
  chosen: ReadonlySet<number>,
  hues: { negative: RGB; positive: RGB },
  greyRest: boolean,
): void {
  const height = segments.length / width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const id = segments[p] as number;
      if (!chosen.has(id)) {
        if (greyRest) {
          const grey = 0.299 * (out[p * 4] as number) + 0.587 * (out[p * 4 + 1] as number) + 0.114 * (out[p * 4 + 2] as number);
          const dimmed = 128 + (grey - 128) * 0.5;
          out[p * 4] = dimmed;
          out[p * 4 + 1] = dimmed;
          out[p * 4 + 2] = dimmed;
        }
        continue;
      }
      const edge =
        x === 0 || y === 0 || x === width - 1 || y === height - 1 || segments[p + 1] !== id || segments[p - 1] !== id || segments[p + width] !== id || segments[p - width] !== id;
      if (edge) {
        const line = (values[p] as number) < 0 ? hues.negative : hues.positive;
        out[p * 4] = line[0];
        out[p * 4 + 1] = line[1];
        out[p * 4 + 2] = line[2];
      }
    }
  }
}

/** The image alone as RGBA bytes (a thumbnail, or the overlay at opacity 0). */
export function rgba(rgb: Uint8Array, out: Uint8ClampedArray): void {
  for (let p = 0, n = rgb.length / 3; p < n; p++) {
    out[p * 4] = rgb[p * 3] as number;
    out[p * 4 + 1] = rgb[p * 3 + 1] as number;
    out[p * 4 + 2] = rgb[p * 3 + 2] as number;
    out[p * 4 + 3] = 255;
  }
}

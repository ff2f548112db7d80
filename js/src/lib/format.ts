// Number formatting and label fitting shared by every view.

/** Compact, readable number: 3 significant digits, no trailing zeros, exponent only for extremes. */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const magnitude = Math.abs(x);
  if (magnitude >= 1e6 || magnitude < 1e-4) return x.toExponential(digits - 1).replace(/-/g, "−");
  const text = Number(x.toPrecision(digits)).toString();
  return text.startsWith("-") ? `−${text.slice(1)}` : text;
}

/** A signed contribution: "+0.12" / "−0.03". */
export function formatSigned(x: number, digits = 3): string {
  const text = formatNumber(x, digits);
  return x > 0 ? `+${text}` : text;
}

/**
 * The finest step a plot spanning `span` can show: a power of ten near a 500th of the span (about a pixel at the
 * widths views are drawn at). Numbers printed beside a plot are rounded to it, so that rounding noise such as
 * −1.67e−16 prints as what the plot shows.
 */
export function resolutionOf(span: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 0;
  return 10 ** Math.floor(Math.log10(span / 500));
}

/**
 * `x` to the precision `resolution` (from `resolutionOf`) and at most `digits` significant digits. A non-zero
 * number that rounds to zero prints as "≈0", not as an exact 0 nor as noise.
 */
export function formatAt(x: number, resolution: number, digits = 3): string {
  if (!(resolution > 0) || !Number.isFinite(x)) return formatNumber(x, digits);
  if (x === 0) return "0";
  const magnitude = Math.abs(x);
  // one rounding, at the coarser of the plot's resolution and `digits` significant digits (never past the units)
  const byResolution = Math.max(0, -Math.round(Math.log10(resolution)));
  const byDigits = Math.max(0, digits - 1 - Math.floor(Math.log10(magnitude)));
  const decimals = Math.min(byResolution, byDigits);
  const scale = 10 ** decimals;
  const step = Math.max(resolution, 1 / scale);
  const rounded = (Math.sign(x) * Math.round(magnitude / step) * step);
  const clean = Number(rounded.toFixed(decimals)); // drops the binary noise of the multiplication
  if (clean === 0) return "≈0";
  if (Math.abs(clean) >= 1e6 || Math.abs(clean) < 1e-4) return formatNumber(x, digits); // exponent form: its own digits
  const text = String(clean);
  return text.startsWith("-") ? `−${text.slice(1)}` : text;
}

/** `formatAt` with a sign: "+0.12" / "−0.03" / "≈0". */
export function formatSignedAt(x: number, resolution: number, digits = 3): string {
  const text = formatAt(x, resolution, digits);
  return x > 0 && text !== "≈0" ? `+${text}` : text;
}

/**
 * `text` in at most `maxChars` characters. A longer one loses its middle, not its end: feature names tell each other
 * apart by their last words as often as by their first ("worst concave points" / "mean concave points").
 */
export function shorten(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars < 3) return text.slice(0, Math.max(0, maxChars));
  const room = Math.max(2, maxChars - 1);
  const head = Math.ceil(room * 0.55);
  return `${text.slice(0, head)}…${text.slice(text.length - (room - head))}`;
}

/**
 * `prefix + name + suffix` in at most `maxChars` characters: the prefix and suffix (a value, a condition's bounds) are
 * kept whole and the name shortened in its middle, never below `minName` characters, or the label would name
 * nothing. `null` when it cannot fit.
 */
export function fitAround(prefix: string, name: string, suffix: string, maxChars: number, minName = 10): string | null {
  const room = maxChars - prefix.length - suffix.length;
  if (room >= name.length) return `${prefix}${name}${suffix}`;
  if (room < Math.min(name.length, minName)) return null;
  return `${prefix}${shorten(name, room)}${suffix}`;
}

/** "name = value" (or the name alone for no value) in at most `maxChars` characters: see `fitAround`. */
export function nameValueLabel(name: string, valueText: string, maxChars: number, minName = 10): string | null {
  return fitAround("", name, valueText ? ` = ${valueText}` : "", maxChars, minName);
}

/** Approximate width in px of one character of the views' 11 px UI font, for fitting labels without measuring. */
export const CHAR_PX = 6.6;

/** Width in px of a column of labels: the longest one, bounded by [minimum, share × width]. */
export function labelColumn(labels: readonly string[], width: number, share = 0.4, minimum = 90): number {
  const longest = labels.reduce((most, label) => Math.max(most, label.length), 0);
  return Math.round(Math.max(minimum, Math.min(longest * CHAR_PX + 16, width * share)));
}

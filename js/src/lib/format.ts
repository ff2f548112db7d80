// Number formatting shared by every view.

/** Compact, readable number: 3 significant digits, no trailing zeros, exponent only for extremes. */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const magnitude = Math.abs(x);
  if (magnitude >= 1e6 || magnitude < 1e-4) return x.toExponential(digits - 1).replace("-", "−");
  const text = Number(x.toPrecision(digits)).toString();
  return text.startsWith("-") ? `−${text.slice(1)}` : text;
}

/** A signed contribution: "+0.12" / "−0.03". */
export function formatSigned(x: number, digits = 3): string {
  const text = formatNumber(x, digits);
  return x > 0 ? `+${text}` : text;
}

/** `text` cut to `maxChars` characters, the cut marked with an ellipsis. */
export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(1, maxChars - 1))}…`;
}

/** Approximate width in px of one character of the views' 11 px UI font, for fitting labels without measuring. */
export const CHAR_PX = 6.6;

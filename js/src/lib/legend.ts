// The one legend of the colour ramps: feature values (beeswarm dots, dependence-plot colours) and signed
// attributions (token heat maps, image overlays). Colours come from the
// theme's CSS variables (--iw-negative → --iw-mid → --iw-positive; --iw-missing for "no value").
import { html } from "./dom";
import { formatNumber } from "./format";

export interface LegendSpec {
  /** what the colour encodes, e.g. "feature value" or a feature's name */
  label: string;
  /** the values at the ramp's ends (its clipping range), or null for "low" / "high" */
  range: [number, number] | null;
  /** add the "no value" swatch */
  missing: boolean;
  /** the diverging ramp (negative → background → positive, for signed values) instead of the feature-value ramp */
  diverging?: boolean;
  /** how the range's ends are written (default: formatNumber) */
  format?: (value: number) => string;
}

export function rampLegend({ label, range, missing, diverging = false, format = (v) => formatNumber(v) }: LegendSpec): HTMLElement {
  const row = html("div", { class: "iw-legend-row" });
  const [low, high] = range ? range.map(format) : ["low", "high"];
  const ramp = html("span", { class: diverging ? "iw-ramp iw-ramp-diverging" : "iw-ramp" });
  row.append(html("span", { class: "iw-legend-label" }, `${label} `), html("span", {}, `${low} `), ramp, html("span", {}, ` ${high}`));
  if (missing) row.append(html("span", {}, " ·"), html("span", { class: "iw-swatch-missing" }), html("span", {}, " no value"));
  return row;
}

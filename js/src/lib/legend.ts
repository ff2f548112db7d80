// The one legend of the feature-value colour ramp (beeswarm dots, dependence-plot colours). Colours come from the
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
}

export function rampLegend({ label, range, missing }: LegendSpec): HTMLElement {
  const row = html("div", { class: "iw-legend-row" });
  const [low, high] = range ? range.map((v) => formatNumber(v)) : ["low", "high"];
  row.append(html("span", { class: "iw-legend-label" }, `${label} `), html("span", {}, `${low} `), html("span", { class: "iw-ramp" }), html("span", {}, ` ${high}`));
  if (missing) row.append(html("span", {}, " ·"), html("span", { class: "iw-swatch-missing" }), html("span", {}, " no value"));
  return row;
}

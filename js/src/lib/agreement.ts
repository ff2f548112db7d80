// The one agreement table: methods × methods, Spearman's rank correlation in each cell, coloured on the signed ramp,
// the top-k overlap in the cell's tooltip. Method names are text.
import { type RGB, signedRamp } from "./colors";
import { html } from "./dom";
import { formatNumber } from "./format";
import { type ArrayPayload, decode } from "./codecs";
import type { Params } from "./requests";
import { palette } from "./theme";

export interface Agreement {
  methods: string[];
  /** Spearman's rank correlation of the magnitudes, methods × methods (NaN: a constant map) */
  spearman: Float32Array;
  /** the share of one method's top pixels the other's top holds too */
  topOverlap: Float32Array;
  topFraction: number;
}

export function readAgreement(content: Params): Agreement {
  return {
    methods: (content.methods as string[]) ?? [],
    spearman: decode(content.spearman as ArrayPayload).data as Float32Array,
    topOverlap: decode(content.top_overlap as ArrayPayload).data as Float32Array,
    topFraction: Number(content.top_fraction ?? 0),
  };
}

/** A method's name as a label: "integrated_gradients" → "integrated gradients" (it can wrap between words). */
export function methodLabel(method: string): string {
  return method.replace(/_/g, " ");
}

/** The methods × methods table of rank correlations, each cell also giving the top pixels' overlap. */
export function agreementTable(root: HTMLElement, agreement: Agreement, parts: string): HTMLElement[] {
  const colours = palette(root);
  // −1 → negative hue, 0 → background, +1 → positive hue: agreement reads at a glance, the number says how much
  const ramp = signedRamp(colours, 201);
  const { methods, spearman, topOverlap, topFraction } = agreement;
  const n = methods.length;
  const table = html("table", { class: "iw-agreement-table" });
  const head = html("tr");
  head.append(html("th", {}, ""), ...methods.map((m) => html("th", { scope: "col" }, methodLabel(m))));
  table.append(head);
  for (let i = 0; i < n; i++) {
    const row = html("tr");
    row.append(html("th", { scope: "row" }, methodLabel(methods[i] as string)));
    for (let j = 0; j < n; j++) {
      const rho = spearman[i * n + j] as number;
      const overlap = topOverlap[i * n + j] as number;
      const cell = html("td", { title: `${methods[i]} vs ${methods[j]}: Spearman ${formatNumber(rho, 2)}; ${Math.round(overlap * 100)} % of the top ${Math.round(topFraction * 100)} % ${parts} shared` }, Number.isNaN(rho) ? "—" : rho.toFixed(2));
      if (!Number.isNaN(rho)) {
        const colour = ramp[Math.round((rho + 1) * 100)] as RGB;
        cell.style.background = `rgb(${colour.join(",")})`;
        // the strongest colours take the contrasting text colour, as the token heat map's do
        if (Math.abs(rho) > 2 / 3) cell.style.color = "var(--iw-on-bar)";
      }
      row.append(cell);
    }
    table.append(row);
  }
  const caption = html(
    "div",
    { class: "iw-caption" },
    `Agreement between methods: Spearman's rank correlation of the ${parts}' magnitudes (1: the same order; 0: unrelated). Hover a cell for the share of top ${Math.round(topFraction * 100)} % ${parts} two methods share. Methods that disagree cannot all be right about this prediction.`,
  );
  return [table, caption];
}

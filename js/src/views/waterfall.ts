// Waterfall: one instance's contributions as sorted bars, base value at the bottom, f(x) at the top.
import type { RenderProps } from "@anywidget/types";
import type { Attribution } from "../lib/attribution";
import { gapLine, outputLabel } from "../lib/completeness";
import { edgeText, html, svg } from "../lib/dom";
import { chevron } from "../lib/force-layout";
import { CHAR_PX, formatAt, formatNumber, formatSigned, formatSignedAt, labelColumn, resolutionOf } from "../lib/format";
import { type Frame, itemTooltips } from "../lib/frame";
import { linearScale, niceTicks } from "../lib/scale";
import { type DrawInput, mountView, type ViewTraits } from "../lib/view";
import { conditionLabel, fitRowLabel, fullText, type RowLabel, type WaterfallLayout, type WaterfallRow, waterfallLayout } from "../lib/waterfall-layout";

interface WaterfallTraits extends ViewTraits {
  max_display: number;
}

const ROW_H = 26;
const TOP = 34;
const RIGHT = 60;
const MIN_WIDTH = 280;

function render(props: RenderProps<WaterfallTraits>): () => void {
  return mountView(props, {
    name: "Waterfall",
    className: "iw-waterfall",
    scope: "one-instance",
    options: ["max_display"],
    controls: ["instance", "output"],
    setup({ model, frame, disposer, selection }) {
      const chart = svg("svg", { class: "iw-waterfall-svg", role: "img" });
      frame.plot.append(chart);
      let current: { layout: WaterfallLayout; attribution: Attribution; instance: number } | null = null;
      itemTooltips(chart, frame, disposer, (target) => {
        const node = target instanceof Element ? target.closest("[data-row]") : null;
        const row = node && current ? current.layout.rows[Number(node.getAttribute("data-row"))] : undefined;
        return row && current ? tooltipLines(row, current.attribution, current.instance) : null;
      });
      disposer.listen(chart, "click", (event: MouseEvent) => {
        const node = event.target instanceof Element ? event.target.closest("[data-feature]") : null;
        if (node) selection().select({ feature: Number(node.getAttribute("data-feature")) });
      });
      return ({ attribution, instance, output, width }: DrawInput) => {
        const layout = waterfallLayout(attribution.contributions(instance, output), attribution.baseValue(instance, output), model.get("max_display"));
        current = { layout, attribution, instance };
        drawChart(chart, width, layout, attribution, instance, output);
        describe(frame, layout, attribution, instance, output);
      };
    },
  });
}

function tooltipLines(row: WaterfallRow, attribution: Attribution, instance: number): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  if (row.features.length === 1) {
    const feature = row.features[0] as number;
    lines.push(["feature", attribution.featureName(feature)]);
    const value = attribution.featureValue(instance, feature);
    if (value !== null) lines.push(["value", formatNumber(value, 4)]);
    const condition = attribution.condition(instance, feature);
    if (condition !== null) lines.push(["condition", condition]);
  } else {
    lines.push(["features", `${row.features.length} others, summed`]);
  }
  const digits = attribution.digits;
  lines.push(["contribution", formatSigned(row.contribution, digits)], ["running total", `${formatNumber(row.from, digits)} → ${formatNumber(row.to, digits)}`]);
  return lines;
}

/** A row's label: the feature's name between what comes before it (a LIME condition's lower bound) and after it
 * ("= value", or the condition's upper bound); or "N other features". */
function rowLabel(row: WaterfallRow, attribution: Attribution, instance: number): RowLabel {
  if (row.features.length !== 1) return { prefix: "", name: `${row.features.length} other features`, suffix: "" };
  const feature = row.features[0] as number;
  const name = attribution.featureName(feature);
  const condition = attribution.condition(instance, feature);
  if (condition !== null) return conditionLabel(condition, name);
  const value = attribution.featureValue(instance, feature);
  return { prefix: "", name, suffix: value === null ? "" : ` = ${formatNumber(value)}` };
}

function drawChart(chart: SVGSVGElement, plotWidth: number, layout: WaterfallLayout, attribution: Attribution, instance: number, output: number): void {
  const width = Math.max(MIN_WIDTH, plotWidth);
  const height = TOP + layout.rows.length * ROW_H + 40;
  chart.setAttribute("width", String(width));
  chart.setAttribute("height", String(height));
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const labels = layout.rows.map((row) => rowLabel(row, attribution, instance));
  const left = labelColumn(labels.map(fullText), width, 0.45);
  const maxChars = Math.floor((left - 12) / CHAR_PX);
  const x = linearScale(layout.domain, [left, width - RIGHT]);
  const shown = resolutionOf(layout.domain[1] - layout.domain[0]);
  const bottom = TOP + layout.rows.length * ROW_H;
  const nodes: SVGElement[] = [];

  const axis = svg("g", { class: "iw-axis" });
  axis.append(svg("line", { x1: left, x2: width - RIGHT, y1: bottom + 4, y2: bottom + 4 }));
  for (const tick of niceTicks(layout.domain[0], layout.domain[1], Math.max(3, Math.floor((width - left - RIGHT) / 70)))) {
    axis.append(svg("line", { x1: x(tick), x2: x(tick), y1: bottom + 4, y2: bottom + 8 }));
    axis.append(svg("text", { x: x(tick), y: bottom + 20, "text-anchor": "middle" }, formatNumber(tick)));
  }
  nodes.push(axis);
  nodes.push(svg("line", { class: "iw-marker iw-marker-base", x1: x(layout.base), x2: x(layout.base), y1: TOP - 4, y2: bottom + 4 }));
  nodes.push(edgeText("iw-waterfall-base", x(layout.base), bottom + 34, `base value = ${formatAt(layout.base, shown)}`, width));
  nodes.push(svg("line", { class: "iw-marker", x1: x(layout.output), x2: x(layout.output), y1: TOP - 12, y2: bottom }));
  const end = outputLabel(attribution.convergenceDelta(instance, output), shown);
  nodes.push(edgeText("iw-waterfall-output", x(layout.output), TOP - 16, `${end} = ${formatAt(layout.output, shown)}`, width));

  const bars = svg("g", { class: "iw-waterfall-bars" });
  layout.rows.forEach((row, index) => {
    const y = TOP + index * ROW_H;
    const positive = row.contribution >= 0;
    const x0 = x(Math.min(row.from, row.to));
    const x1 = Math.max(x0 + 1, x(Math.max(row.from, row.to)));
    const parts = labels[index] as RowLabel;
    const full = fullText(parts);
    // the value stays whole and the name loses its middle: a label must still say which feature it is
    const label = fitRowLabel(parts, maxChars);
    const group = svg("g", { class: "iw-waterfall-row", "data-row": index, tabindex: 0, "aria-label": `${full}: ${formatSigned(row.contribution)}` });
    if (row.features.length === 1) group.setAttribute("data-feature", String(row.features[0]));
    else group.setAttribute("data-others", String(row.features.length));
    const text = svg("text", { class: "iw-waterfall-label", x: left - 8, y: y + ROW_H / 2 + 4, "text-anchor": "end" }, label);
    if (label !== full) text.append(svg("title", {}, full));
    group.append(
      svg("rect", { class: "iw-row-hit", x: 0, y, width, height: ROW_H }),
      text,
      svg("polygon", { class: `iw-waterfall-bar ${positive ? "iw-pos" : "iw-neg"}`, points: chevron(x0, x1, y + 4, ROW_H - 8, positive) }),
    );
    const value = formatSignedAt(row.contribution, shown, Math.min(3, attribution.digits));
    const valuePx = value.length * CHAR_PX;
    const inside = x1 - x0 > valuePx + 10;
    // outside the bar, on its pointing side unless that would run into the label column or off the right edge
    const right = (positive && x1 + 4 + valuePx <= width) || x0 - 4 - valuePx < left;
    const tx = inside ? (x0 + x1) / 2 : right ? x1 + 4 : x0 - 4;
    group.append(svg("text", {
      class: `iw-waterfall-value ${inside ? "iw-on-bar" : positive ? "iw-pos-text" : "iw-neg-text"}`,
      x: tx, y: y + ROW_H / 2 + 4, "text-anchor": inside ? "middle" : right ? "start" : "end",
    }, value));
    if (index > 0) {
      // connector from this row's end to the row above's start (they share the running total)
      bars.append(svg("line", { class: "iw-connector", x1: x(row.to), x2: x(row.to), y1: y + 4, y2: y - 4 }));
    }
    bars.append(group);
  });
  nodes.push(bars);
  chart.dataset.resolution = String(shown);
  chart.replaceChildren(...nodes);
}

function describe(frame: Frame, layout: WaterfallLayout, attribution: Attribution, instance: number, output: number): void {
  const space = attribution.outputSpace;
  const method = attribution.method;
  const baseline = attribution.baseline;
  const shown = resolutionOf(layout.domain[1] - layout.domain[0]);
  const { root, caption } = frame;
  root.dataset.instance = String(instance);
  root.dataset.output = String(output);
  root.dataset.method = method;
  root.dataset.base = String(layout.base);
  root.dataset.outputValue = String(layout.output);
  root.dataset.rows = String(layout.rows.length);
  const lines = [
    `Explaining output “${attribution.outputName(output)}”${space ? ` (${space})` : ""} for instance ${instance}${method ? ` · method: ${method}` : ""}.`,
    `Read from the bottom: base value ${formatAt(layout.base, shown)}, each bar adds its contribution, ${outputLabel(attribution.convergenceDelta(instance, output), shown)} ${formatAt(layout.output, shown)} at the top.`,
  ];
  if (baseline) lines.push(`The base value is the ${baseline}.`);
  if (method === "lime") lines.push("LIME weights belong to a local linear surrogate: they need not add up to the model's own output.");
  lines.push(gapLine("contributions", method, layout.base, layout.output, attribution.convergenceDelta(instance, output), shown));
  caption.replaceChildren(...lines.map((line) => html("div", {}, line)));
}

export default { render };

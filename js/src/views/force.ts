// ForcePlot: base value → output value, features stacked as pushes up (warm) and down (cool).
import type { RenderProps } from "@anywidget/types";
import type { Attribution } from "../lib/attribution";
import { gapLine, outputLabel } from "../lib/completeness";
import { edgeText, html, svg } from "../lib/dom";
import { chevron, type ForceLayout, type ForceSegment, forceLayout } from "../lib/force-layout";
import { CHAR_PX, formatAt, formatNumber, formatSigned, nameValueLabel, resolutionOf } from "../lib/format";
import { type Frame, itemTooltips } from "../lib/frame";
import { placeLabels } from "../lib/label-layout";
import { linearScale, niceTicks } from "../lib/scale";
import { type DrawInput, mountView, type ViewTraits } from "../lib/view";

const MARGIN = 16;
const BAR_Y = 78;
const BAR_H = 20;
/** label rows under the bar; a label away from its segment is tied to it by a leader line */
const LABEL_ROWS = 3;
const ROW_PX = 16;
const LABEL_Y = BAR_Y + BAR_H + 22;
const HEIGHT = LABEL_Y + LABEL_ROWS * ROW_PX + 30;
/** segments narrower than this get no label (a leader line to them would point at nothing visible) */
const LABEL_MIN_PX = 3;
const MAX_LABELS = 12;

function render(props: RenderProps<ViewTraits>): () => void {
  return mountView(props, {
    name: "ForcePlot",
    className: "iw-force",
    scope: "one-instance",
    options: [],
    controls: ["instance", "output"],
    setup({ frame, disposer }) {
      const chart = svg("svg", { class: "iw-force-svg", role: "img", height: HEIGHT });
      frame.plot.append(chart);
      let current: { layout: ForceLayout; attribution: Attribution; instance: number } | null = null;
      itemTooltips(chart, frame, disposer, (target) => {
        const node = target instanceof Element ? target.closest("[data-feature]") : null;
        if (!node || !current) return null;
        const feature = Number(node.getAttribute("data-feature"));
        const segment = [...current.layout.positive, ...current.layout.negative].find((s) => s.feature === feature);
        return segment ? tooltipLines(segment, current.attribution, current.instance) : null;
      });
      return ({ attribution, instance, output, width }: DrawInput) => {
        const layout = forceLayout(attribution.contributions(instance, output), attribution.baseValue(instance, output));
        current = { layout, attribution, instance };
        drawChart(chart, width, layout, attribution, instance, output);
        describe(frame, layout, attribution, instance, output);
      };
    },
  });
}

function tooltipLines(segment: ForceSegment, attribution: Attribution, instance: number): Array<[string, string]> {
  const lines: Array<[string, string]> = [["feature", attribution.featureName(segment.feature)]];
  const value = attribution.featureValue(instance, segment.feature);
  if (value !== null) lines.push(["value", formatNumber(value, 4)]);
  const condition = attribution.condition(instance, segment.feature);
  if (condition !== null) lines.push(["condition", condition]);
  lines.push(["contribution", formatSigned(segment.contribution, attribution.digits)]);
  return lines;
}

function drawChart(chart: SVGSVGElement, plotWidth: number, layout: ForceLayout, attribution: Attribution, instance: number, output: number): void {
  const width = Math.max(280, plotWidth);
  chart.setAttribute("width", String(width));
  chart.setAttribute("viewBox", `0 0 ${width} ${HEIGHT}`);
  const x = linearScale(layout.domain, [MARGIN, width - MARGIN]);
  const nodes: SVGElement[] = [];

  const axis = svg("g", { class: "iw-axis" });
  axis.append(svg("line", { x1: MARGIN, x2: width - MARGIN, y1: BAR_Y - 10, y2: BAR_Y - 10 }));
  for (const tick of niceTicks(layout.domain[0], layout.domain[1], Math.max(3, Math.floor(width / 90)))) {
    axis.append(svg("line", { x1: x(tick), x2: x(tick), y1: BAR_Y - 14, y2: BAR_Y - 10 }));
    axis.append(svg("text", { x: x(tick), y: BAR_Y - 17, "text-anchor": "middle" }, formatNumber(tick)));
  }
  nodes.push(axis);

  const outputX = x(layout.output);
  const baseX = x(layout.base);
  const close = Math.abs(outputX - baseX) < 150;
  const shown = resolutionOf(layout.domain[1] - layout.domain[0]);
  const end = outputLabel(attribution.convergenceDelta(instance, output), shown);
  nodes.push(edgeText("iw-force-output", outputX, 20, `${end} = ${formatAt(layout.output, shown)}`, width));
  nodes.push(svg("line", { class: "iw-marker", x1: outputX, x2: outputX, y1: 24, y2: BAR_Y + BAR_H + 4 }));
  nodes.push(edgeText("iw-force-base", baseX, close ? 40 : 20, `base value = ${formatAt(layout.base, shown)}`, width));
  nodes.push(svg("line", { class: "iw-marker iw-marker-base", x1: baseX, x2: baseX, y1: close ? 44 : 24, y2: BAR_Y + BAR_H + 4 }));

  const segments = svg("g", { class: "iw-force-segments" });
  const items = [...layout.positive.map((segment) => ({ segment, positive: true })), ...layout.negative.map((segment) => ({ segment, positive: false }))].map(
    ({ segment, positive }) => {
      const name = attribution.featureName(segment.feature);
      const value = attribution.featureValue(instance, segment.feature);
      const valueText = value === null ? "" : formatNumber(value);
      const x0 = x(segment.start);
      const x1 = x(segment.end);
      return { segment, positive, name, valueText, text: valueText ? `${name} = ${valueText}` : name, x0, x1 };
    },
  );
  for (const { segment, positive, text, x0, x1 } of items) {
    segments.append(svg("polygon", {
      class: `iw-force-segment ${positive ? "iw-pos" : "iw-neg"}`,
      points: chevron(x0, x1, BAR_Y, BAR_H, positive),
      tabindex: 0,
      "data-feature": segment.feature,
      "data-contribution": segment.contribution,
      "aria-label": `${text}: ${formatSigned(segment.contribution)}`,
    }));
  }
  // The biggest pushes are labelled first, each as near its segment as the rows allow. Labels keep the value whole
  // and shorten a long name in its middle (down to 18 characters; a shorter name is never cut): a name cut to a stub
  // would tell the reader nothing.
  const labelled = items
    .filter(({ x0, x1 }) => x1 - x0 >= LABEL_MIN_PX)
    .sort((a, b) => Math.abs(b.segment.contribution) - Math.abs(a.segment.contribution))
    .slice(0, MAX_LABELS);
  const requests = labelled.map(({ name, valueText, text, x0, x1 }) => {
    const shorter = nameValueLabel(name, valueText, (valueText ? valueText.length + 3 : 0) + 18, 18);
    return { anchor: (x0 + x1) / 2, texts: shorter && shorter !== text ? [text, shorter] : [text] };
  });
  const placed = placeLabels(requests, LABEL_ROWS, MARGIN, width - MARGIN, CHAR_PX);
  const leaders = svg("g", { class: "iw-force-leaders" });
  const labels = svg("g", { class: "iw-force-labels" });
  for (const label of placed) {
    const { segment, positive, text: full } = labelled[label.index] as (typeof labelled)[number];
    const y = LABEL_Y + label.row * ROW_PX;
    const anchor = (requests[label.index] as { anchor: number }).anchor;
    if (label.moved) leaders.append(svg("polyline", { class: "iw-leader", points: `${anchor},${BAR_Y + BAR_H + 2} ${anchor},${BAR_Y + BAR_H + 8} ${label.x},${y - 11}`, "data-feature": segment.feature }));
    else leaders.append(svg("line", { class: "iw-leader", x1: anchor, x2: anchor, y1: BAR_Y + BAR_H + 2, y2: y - 11, "data-feature": segment.feature }));
    // an opaque backing: a leader line to a lower row passes behind the labels above it, not through their letters
    const half = (label.text.length * CHAR_PX) / 2 + 2;
    labels.append(svg("rect", { class: "iw-label-backing", x: label.x - half, y: y - 10, width: 2 * half, height: 13 }));
    const text = svg("text", {
      class: `iw-force-label ${positive ? "iw-pos-text" : "iw-neg-text"}`,
      x: label.x, y, "text-anchor": "middle", "data-feature": segment.feature,
    }, label.text);
    if (label.text !== full) text.append(svg("title", {}, full));
    labels.append(text);
  }
  nodes.push(segments, leaders, labels);
  chart.dataset.labels = String(placed.length);
  chart.dataset.resolution = String(shown);

  const legend = svg("g", { class: "iw-legend", transform: `translate(${MARGIN}, ${HEIGHT - 22})` });
  legend.append(
    svg("rect", { class: "iw-pos", x: 0, y: -9, width: 10, height: 10 }),
    svg("text", { x: 14, y: 0 }, "pushes higher"),
    svg("rect", { class: "iw-neg", x: 110, y: -9, width: 10, height: 10 }),
    svg("text", { x: 124, y: 0 }, "pushes lower"),
  );
  nodes.push(legend);
  chart.replaceChildren(...nodes);
}

function describe(frame: Frame, layout: ForceLayout, attribution: Attribution, instance: number, output: number): void {
  const outputName = attribution.outputName(output);
  const space = attribution.outputSpace;
  const method = attribution.method;
  const count = layout.positive.length + layout.negative.length;
  const shown = resolutionOf(layout.domain[1] - layout.domain[0]);
  const { root, caption } = frame;
  root.dataset.instance = String(instance);
  root.dataset.output = String(output);
  root.dataset.method = method;
  root.dataset.base = String(layout.base);
  root.dataset.outputValue = String(layout.output);
  root.dataset.segments = String(count);
  const lines = [
    `Explaining output “${outputName}”${space ? ` (${space})` : ""} for instance ${instance}${method ? ` · method: ${method}` : ""}.`,
    `base value ${formatAt(layout.base, shown)} + Σ ${count} contributions = ${formatAt(layout.output, shown)}.`,
    gapLine("contributions", method, layout.base, layout.output, attribution.convergenceDelta(instance, output), shown),
  ];
  if (attribution.baseline) lines.push(`The base value is the ${attribution.baseline}: contributions are relative to it, not absolute.`);
  caption.replaceChildren(...lines.map((line) => html("div", {}, line)));
  frame.plot.querySelector("svg")?.setAttribute(
    "aria-label",
    `Force plot: from base value ${formatAt(layout.base, shown)} to ${outputName} ${formatAt(layout.output, shown)}`,
  );
}

export default { render };

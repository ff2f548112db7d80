// ForcePlot: base value → output value, features stacked as pushes up (warm) and down (cool).
import type { RenderProps } from "@anywidget/types";
import type { Attribution } from "../lib/attribution";
import { html, svg } from "../lib/dom";
import { chevron, type ForceLayout, type ForceSegment, forceLayout } from "../lib/force-layout";
import { CHAR_PX, formatNumber, formatSigned, truncate } from "../lib/format";
import { type Frame, itemTooltips } from "../lib/frame";
import { linearScale, niceTicks } from "../lib/scale";
import { type DrawInput, mountView, type ViewTraits } from "../lib/view";

const HEIGHT = 170;
const MARGIN = 16;
const BAR_Y = 78;
const BAR_H = 20;
const LABEL_MIN_PX = 44;

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
        drawChart(chart, width, layout, attribution, instance);
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

function drawChart(chart: SVGSVGElement, plotWidth: number, layout: ForceLayout, attribution: Attribution, instance: number): void {
  const width = Math.max(320, plotWidth);
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
  nodes.push(markerLabel("iw-force-output", outputX, 20, `f(x) = ${formatNumber(layout.output)}`, width));
  nodes.push(svg("line", { class: "iw-marker", x1: outputX, x2: outputX, y1: 24, y2: BAR_Y + BAR_H + 4 }));
  nodes.push(markerLabel("iw-force-base", baseX, close ? 40 : 20, `base value = ${formatNumber(layout.base)}`, width));
  nodes.push(svg("line", { class: "iw-marker iw-marker-base", x1: baseX, x2: baseX, y1: close ? 44 : 24, y2: BAR_Y + BAR_H + 4 }));

  const segments = svg("g", { class: "iw-force-segments" });
  const labels = svg("g", { class: "iw-force-labels" });
  const place = (segment: ForceSegment, positive: boolean) => {
    const x0 = x(segment.start);
    const x1 = x(segment.end);
    const name = attribution.featureName(segment.feature);
    const value = attribution.featureValue(instance, segment.feature);
    const valueText = value === null ? "" : ` = ${formatNumber(value)}`;
    const text = `${name}${valueText}`;
    segments.append(svg("polygon", {
      class: `iw-force-segment ${positive ? "iw-pos" : "iw-neg"}`,
      points: chevron(x0, x1, BAR_Y, BAR_H, positive),
      tabindex: 0,
      "data-feature": segment.feature,
      "data-contribution": segment.contribution,
      "aria-label": `${text}: ${formatSigned(segment.contribution)}`,
    }));
    // Shorten the name, never the value: the number is what the reader compares. Too narrow → hover only.
    const room = Math.floor((x1 - x0) / CHAR_PX) - 1 - valueText.length;
    if (x1 - x0 >= LABEL_MIN_PX && room >= Math.min(name.length, 7)) {
      labels.append(svg("text", {
        class: `iw-force-label ${positive ? "iw-pos-text" : "iw-neg-text"}`,
        x: (x0 + x1) / 2,
        y: BAR_Y + BAR_H + 16,
        "text-anchor": "middle",
        "data-feature": segment.feature,
      }, `${truncate(name, room)}${valueText}`));
    }
  };
  for (const segment of layout.positive) place(segment, true);
  for (const segment of layout.negative) place(segment, false);
  nodes.push(segments, labels);

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

function markerLabel(cls: string, at: number, y: number, text: string, width: number): SVGTextElement {
  const anchor = at < 90 ? "start" : at > width - 90 ? "end" : "middle";
  return svg("text", { class: cls, x: at, y, "text-anchor": anchor }, text);
}

function describe(frame: Frame, layout: ForceLayout, attribution: Attribution, instance: number, output: number): void {
  const outputName = attribution.outputName(output);
  const space = attribution.outputSpace;
  const method = attribution.method;
  const count = layout.positive.length + layout.negative.length;
  const { root, caption } = frame;
  root.dataset.instance = String(instance);
  root.dataset.output = String(output);
  root.dataset.method = method;
  root.dataset.base = String(layout.base);
  root.dataset.outputValue = String(layout.output);
  root.dataset.segments = String(count);
  const lines = [
    `Explaining output “${outputName}”${space ? ` (${space})` : ""} for instance ${instance}${method ? ` · method: ${method}` : ""}.`,
    `base value ${formatNumber(layout.base)} + Σ ${count} contributions = f(x) ${formatNumber(layout.output)}.`,
  ];
  if (attribution.baseline) lines.push(`The base value is the ${attribution.baseline}: contributions are relative to it, not absolute.`);
  caption.replaceChildren(...lines.map((line) => html("div", {}, line)));
  frame.plot.querySelector("svg")?.setAttribute(
    "aria-label",
    `Force plot: from base value ${formatNumber(layout.base)} to ${outputName} ${formatNumber(layout.output)}`,
  );
}

export default { render };

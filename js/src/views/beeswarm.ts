// Beeswarm: every instance's contribution for every feature, one row per feature, coloured by feature value.
// Canvas for the points (it must stay fast at 100k rows), SVG for text, DOM for the tooltip.
import type { RenderProps } from "@anywidget/types";
import type { AttributionTraits, TabularAttribution } from "../lib/attribution";
import { attributionView } from "../lib/attribution-view";
import { featureOrder, PointGrid, swarmOffsets } from "../lib/beeswarm-layout";
import { divergingRamp, parseColor, robustRange } from "../lib/colors";
import { outputPicker } from "../lib/controls";
import { Disposer, html, svg } from "../lib/dom";
import { formatNumber, formatSigned } from "../lib/format";
import { createFrame, hideTooltip, showTooltip } from "../lib/frame";
import { setTrait } from "../lib/model";
import { linearScale, niceTicks } from "../lib/scale";

interface BeeswarmTraits extends AttributionTraits {
  max_display: number;
  feature: number;
}

const LABEL_W = 210;
const RIGHT = 16;
const TOP = 8;
const AXIS_H = 34;
const COLOURS = 24;

interface Layout {
  rows: number[];
  rowHeight: number;
  width: number;
  height: number;
  xs: Float32Array;
  ys: Float32Array;
  bucket: Uint8Array;
  grid: PointGrid;
  x: ReturnType<typeof linearScale>;
}

function render({ model, el }: RenderProps<BeeswarmTraits>): () => void {
  const disposer = new Disposer();
  const frame = createFrame(el, "iw-beeswarm");
  const updatePicker = outputPicker(frame.toolbar, model, disposer);
  const stage = html("div", { class: "iw-stage" });
  const canvas = html("canvas", { class: "iw-beeswarm-canvas", tabindex: 0, role: "img" });
  const overlay = svg("svg", { class: "iw-overlay" });
  stage.append(canvas, overlay);
  frame.plot.append(stage);
  let layout: Layout | null = null;

  const computeLayout = (a: TabularAttribution, output: number): Layout => {
    const n = a.nInstances;
    const meanAbs = new Float64Array(a.nFeatures);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < a.nFeatures; j++) meanAbs[j] = (meanAbs[j] as number) + Math.abs(a.contribution(i, j, output)) / n;
    }
    const rows = featureOrder(meanAbs).slice(0, Math.max(1, model.get("max_display")));
    for (const j of rows) {
      for (let i = 0; i < n; i++) {
        const v = a.contribution(i, j, output);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const pad = (hi - lo || 1) * 0.04;
    const width = Math.max(420, frame.plot.clientWidth || 720);
    const rowHeight = Math.max(16, Math.min(30, Math.round(360 / rows.length)));
    const height = TOP + rows.length * rowHeight + AXIS_H;
    const x = linearScale([Math.min(lo, 0) - pad, Math.max(hi, 0) + pad], [LABEL_W, width - RIGHT]);
    const xs = new Float32Array(rows.length * n);
    const ys = new Float32Array(rows.length * n);
    const bucket = new Uint8Array(rows.length * n);
    rows.forEach((feature, r) => {
      const rowXs = new Float32Array(n);
      for (let i = 0; i < n; i++) rowXs[i] = x(a.contribution(i, feature, output));
      const offsets = swarmOffsets(rowXs, 2, Math.max(1, rowHeight / 14), rowHeight * 0.42);
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = a.featureValue(i, feature) ?? Number.NaN;
      const [vlo, vhi] = robustRange(values);
      for (let i = 0; i < n; i++) {
        const p = r * n + i;
        xs[p] = rowXs[i] as number;
        ys[p] = TOP + r * rowHeight + rowHeight / 2 + (offsets[i] as number);
        const v = values[i] as number;
        bucket[p] = Number.isFinite(v) ? 1 + Math.round(Math.min(1, Math.max(0, (v - vlo) / (vhi - vlo))) * (COLOURS - 1)) : 0;
      }
    });
    return { rows, rowHeight, width, height, xs, ys, bucket, grid: new PointGrid(xs, ys), x };
  };

  const paint = (attribution: TabularAttribution) => {
    if (!layout) return;
    const { width, height, xs, ys, bucket } = layout;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("this browser gives no 2-D canvas");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const style = getComputedStyle(frame.root);
    const ramp = divergingRamp(parseColor(style.getPropertyValue("--iw-negative"), [0, 114, 178]), parseColor(style.getPropertyValue("--iw-positive"), [213, 94, 0]), COLOURS);
    const colours = ["rgb(150, 150, 150)", ...ramp];
    ctx.strokeStyle = style.getPropertyValue("--iw-border") || "#d0d7de";
    ctx.beginPath();
    ctx.moveTo(layout.x(0), TOP);
    ctx.lineTo(layout.x(0), TOP + layout.rows.length * layout.rowHeight);
    ctx.stroke();
    colours.forEach((colour, b) => {
      ctx.fillStyle = colour;
      ctx.beginPath();
      for (let p = 0; p < xs.length; p++) if (bucket[p] === b) ctx.rect((xs[p] as number) - 1.5, (ys[p] as number) - 1.5, 3, 3);
      ctx.fill();
    });
    const instance = model.get("instance");
    if (instance >= 0 && instance < attribution.nInstances) {
      const n = attribution.nInstances;
      ctx.strokeStyle = style.getPropertyValue("--iw-fg") || "#1f2328";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      layout.rows.forEach((_, r) => {
        const p = r * n + instance;
        if (r === 0) ctx.moveTo(xs[p] as number, ys[p] as number);
        else ctx.lineTo(xs[p] as number, ys[p] as number);
      });
      ctx.globalAlpha = 0.5;
      ctx.stroke();
      ctx.globalAlpha = 1;
      layout.rows.forEach((_, r) => {
        const p = r * n + instance;
        ctx.beginPath();
        ctx.arc(xs[p] as number, ys[p] as number, 4.5, 0, 2 * Math.PI);
        ctx.stroke();
      });
    }
    frame.root.dataset.instance = String(instance);
  };

  const drawText = (a: TabularAttribution, l: Layout, output: number) => {
    overlay.setAttribute("width", String(l.width));
    overlay.setAttribute("height", String(l.height));
    const nodes: SVGElement[] = [];
    l.rows.forEach((feature, r) => {
      const y = TOP + r * l.rowHeight + l.rowHeight / 2 + 4;
      nodes.push(svg("text", { class: "iw-beeswarm-label", x: LABEL_W - 10, y, "text-anchor": "end", "data-feature": feature }, a.featureName(feature)));
    });
    const base = TOP + l.rows.length * l.rowHeight;
    const axis = svg("g", { class: "iw-axis" });
    axis.append(svg("line", { x1: LABEL_W, x2: l.width - RIGHT, y1: base + 2, y2: base + 2 }));
    for (const tick of niceTicks(l.x.domain[0], l.x.domain[1], Math.max(3, Math.floor((l.width - LABEL_W) / 90)))) {
      axis.append(svg("line", { x1: l.x(tick), x2: l.x(tick), y1: base + 2, y2: base + 6 }));
      axis.append(svg("text", { x: l.x(tick), y: base + 18, "text-anchor": "middle" }, formatNumber(tick)));
    }
    nodes.push(axis);
    overlay.replaceChildren(...nodes);
    const space = model.get("output_space");
    const method = model.get("method");
    const root = frame.root;
    root.dataset.output = String(output);
    root.dataset.points = String(l.xs.length);
    root.dataset.rows = String(l.rows.length);
    root.dataset.firstRowY = String(TOP + l.rowHeight / 2);
    root.dataset.plotLeft = String(LABEL_W);
    root.dataset.plotRight = String(l.width - RIGHT);
    const legend = html("div", { class: "iw-legend-row" });
    legend.append(html("span", {}, "feature value: low "), html("span", { class: "iw-ramp" }), html("span", {}, " high · grey: no value"));
    frame.caption.replaceChildren(
      legend,
      html("div", {}, `Contribution to output “${a.outputName(output)}”${space ? ` (${space})` : ""} of ${a.nInstances} instances${method ? ` · method: ${method}` : ""}; features ordered by mean |contribution|. Click a point to select its instance.`),
      html("div", {}, "Spread is not importance for any one instance, and a feature's colour pattern shows association in this model, not cause."),
    );
  };


  const pointAt = (event: PointerEvent | MouseEvent): { instance: number; feature: number } | null => {
    const attribution = attributionNow();
    if (!layout || !attribution) return null;
    const box = canvas.getBoundingClientRect();
    const p = layout.grid.nearest(event.clientX - box.left, event.clientY - box.top);
    if (p < 0) return null;
    const n = attribution.nInstances;
    return { instance: p % n, feature: layout.rows[Math.floor(p / n)] as number };
  };
  disposer.listen(canvas, "pointermove", (event: PointerEvent) => {
    const hit = pointAt(event);
    const attribution = attributionNow();
    if (!hit || !attribution) {
      canvas.style.cursor = "default";
      return hideTooltip(frame);
    }
    canvas.style.cursor = "pointer";
    const { instance, feature } = hit;
    const value = attribution.featureValue(instance, feature);
    const lines: Array<[string, string]> = [["instance", String(instance)], ["feature", attribution.featureName(feature)]];
    if (value !== null) lines.push(["value", formatNumber(value, 4)]);
    lines.push(["contribution", formatSigned(attribution.contribution(instance, feature, model.get("output")), 4)]);
    showTooltip(frame, lines, event.clientX, event.clientY);
  });
  disposer.listen(canvas, "pointerleave", () => hideTooltip(frame));
  disposer.listen(canvas, "click", (event: MouseEvent) => {
    const hit = pointAt(event);
    if (!hit) return;
    model.set("feature", hit.feature);
    setTrait(model, "instance", hit.instance);
  });
  disposer.listen(canvas, "keydown", (event: KeyboardEvent) => {
    const attribution = attributionNow();
    if (!attribution || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    const step = event.key === "ArrowRight" ? 1 : -1;
    const next = Math.min(attribution.nInstances - 1, Math.max(0, model.get("instance") + step));
    setTrait(model, "instance", next);
    event.preventDefault();
  });

  const attributionNow = attributionView(model, frame, disposer, {
    name: "Beeswarm",
    redrawOn: ["output", "max_display"],
    draw(attribution) {
      const output = model.get("output");
      updatePicker();
      attribution.check(0, output);
      layout = computeLayout(attribution, output);
      drawText(attribution, layout, output);
      paint(attribution);
    },
    repaintOn: ["instance"],
    repaint: (attribution) => paint(attribution),
  });
  return () => {
    disposer.dispose();
    el.replaceChildren();
  };
}

export default { render };

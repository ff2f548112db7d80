// StackedForce: every instance's force plot rotated upright and set side by side; canvas, binned per pixel.
import type { RenderProps } from "@anywidget/types";
import type { AttributionTraits, TabularAttribution } from "../lib/attribution";
import { attributionView } from "../lib/attribution-view";
import { type ArrayPayload, decodeOptional } from "../lib/codecs";
import { outputPicker } from "../lib/controls";
import { Disposer, html, svg } from "../lib/dom";
import { formatNumber, formatSigned } from "../lib/format";
import { createFrame, hideTooltip, showTooltip } from "../lib/frame";
import { setTrait } from "../lib/model";
import { linearScale, niceTicks } from "../lib/scale";
import { binColumns, type Ordering, orderInstances } from "../lib/stacked-layout";

interface StackedTraits extends AttributionTraits {
  ordering: Ordering;
  feature: number;
  similarity_order: ArrayPayload | null;
}

const LEFT = 56;
const RIGHT = 12;
const TOP = 10;
const HEIGHT = 300;
const AXIS_H = 28;

interface Geometry {
  order: Int32Array;
  bins: Array<[number, number]>;
  columnWidth: number;
  width: number;
  y: ReturnType<typeof linearScale>;
  /** per bin: mean output and mean contribution per feature */
  outputs: Float64Array;
  means: Float64Array[];
  features: number[];
}

function render({ model, el }: RenderProps<StackedTraits>): () => void {
  const disposer = new Disposer();
  const frame = createFrame(el, "iw-stacked");
  const updatePicker = outputPicker(frame.toolbar, model, disposer);
  const orderLabel = html("label", { class: "iw-control" }, "order by ");
  const orderSelect = html("select", { class: "iw-ordering-select", "aria-label": "order instances by" });
  for (const [value, text] of [["original", "original order"], ["output", "output value"], ["similarity", "similarity (clustering)"], ["feature", "selected feature's value"]]) {
    orderSelect.append(html("option", { value: value as string }, text));
  }
  orderLabel.append(orderSelect);
  frame.toolbar.append(orderLabel);
  disposer.listen(orderSelect, "change", () => setTrait(model, "ordering", orderSelect.value as Ordering));
  const stage = html("div", { class: "iw-stage" });
  const canvas = html("canvas", { class: "iw-stacked-canvas", tabindex: 0, role: "img" });
  const overlay = svg("svg", { class: "iw-overlay" });
  const crosshair = svg("line", { class: "iw-crosshair", y1: TOP, y2: HEIGHT - AXIS_H, visibility: "hidden" });
  stage.append(canvas, overlay);
  frame.plot.append(stage);
  let geometry: Geometry | null = null;

  const compute = (a: TabularAttribution, output: number): Geometry => {
    const n = a.nInstances;
    const fx = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let total = a.baseValue(i, output);
      for (let j = 0; j < a.nFeatures; j++) total += a.contribution(i, j, output);
      fx[i] = total;
    }
    const ordering = model.get("ordering");
    const feature = model.get("feature");
    let key: Float64Array | null = ordering === "output" ? fx : null;
    if (ordering === "feature") {
      key = new Float64Array(n);
      for (let i = 0; i < n; i++) key[i] = a.featureValue(i, feature) ?? a.contribution(i, feature, output);
    }
    const given = ordering === "similarity" ? decodeOptional(model.get("similarity_order"))?.data ?? null : null;
    const order = orderInstances(n, ordering, key, given);
    const width = Math.max(420, frame.plot.clientWidth || 720);
    const bins = binColumns(n, width - LEFT - RIGHT);
    const meanAbs = new Float64Array(a.nFeatures);
    const outputs = new Float64Array(bins.length);
    const means = bins.map(([start, end], b) => {
      const mean = new Float64Array(a.nFeatures);
      let out = 0;
      for (let p = start; p < end; p++) {
        const i = order[p] as number;
        out += fx[i] as number;
        for (let j = 0; j < a.nFeatures; j++) mean[j] = (mean[j] as number) + a.contribution(i, j, output);
      }
      const count = end - start;
      outputs[b] = out / count;
      for (let j = 0; j < a.nFeatures; j++) {
        mean[j] = (mean[j] as number) / count;
        meanAbs[j] = (meanAbs[j] as number) + Math.abs(mean[j] as number);
      }
      return mean;
    });
    // one stacking order for every column, so that a feature's band runs continuously across instances
    const features = Array.from({ length: a.nFeatures }, (_, j) => j).sort((p, q) => (meanAbs[q] as number) - (meanAbs[p] as number));
    let lo = Infinity;
    let hi = -Infinity;
    means.forEach((mean, b) => {
      let pos = 0;
      let neg = 0;
      for (const v of mean) {
        if (v > 0) pos += v;
        else neg -= v;
      }
      lo = Math.min(lo, (outputs[b] as number) - pos);
      hi = Math.max(hi, (outputs[b] as number) + neg);
    });
    const pad = (hi - lo || 1) * 0.05;
    const y = linearScale([lo - pad, hi + pad], [HEIGHT - AXIS_H, TOP]);
    return { order, bins, columnWidth: (width - LEFT - RIGHT) / bins.length, width, y, outputs, means, features };
  };

  const paint = () => {
    if (!geometry) return;
    const g = geometry;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(g.width * ratio);
    canvas.height = Math.round(HEIGHT * ratio);
    canvas.style.width = `${g.width}px`;
    canvas.style.height = `${HEIGHT}px`;
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("this browser gives no 2-D canvas");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, g.width, HEIGHT);
    const style = getComputedStyle(frame.root);
    const positive = style.getPropertyValue("--iw-positive").trim() || "#d55e00";
    const negative = style.getPropertyValue("--iw-negative").trim() || "#0072b2";
    const separator = style.getPropertyValue("--iw-bg").trim() || "#ffffff";
    const gap = g.columnWidth >= 4 ? 0.5 : 0;
    for (const [colour, sign] of [[positive, 1], [negative, -1]] as const) {
      ctx.fillStyle = colour;
      ctx.beginPath();
      g.means.forEach((mean, b) => {
        const x = LEFT + b * g.columnWidth;
        let edge = g.outputs[b] as number;
        for (const j of g.features) {
          const v = mean[j] as number;
          if (sign * v <= 0) continue;
          const next = edge - v; // positives stack downwards from f(x), negatives upwards
          const top = Math.min(g.y(edge), g.y(next));
          ctx.rect(x, top, Math.max(0.5, g.columnWidth - gap), Math.abs(g.y(next) - g.y(edge)));
          edge = next;
        }
      });
      ctx.fill();
    }
    if (g.columnWidth >= 6) {
      // thin separators between feature bands, only where columns are wide enough to show them
      ctx.strokeStyle = separator;
      ctx.lineWidth = 0.5;
      ctx.beginPath();
      g.means.forEach((mean, b) => {
        const x = LEFT + b * g.columnWidth;
        let up = g.outputs[b] as number;
        let down = up;
        for (const j of g.features) {
          const v = mean[j] as number;
          if (v > 0) down -= v;
          else up -= v;
          const yy = g.y(v > 0 ? down : up);
          ctx.moveTo(x, yy);
          ctx.lineTo(x + g.columnWidth, yy);
        }
      });
      ctx.stroke();
    }
    ctx.strokeStyle = style.getPropertyValue("--iw-fg").trim() || "#1f2328";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    g.outputs.forEach((out, b) => {
      const x = LEFT + (b + 0.5) * g.columnWidth;
      if (b === 0) ctx.moveTo(x, g.y(out));
      else ctx.lineTo(x, g.y(out));
    });
    ctx.stroke();
    const instance = model.get("instance");
    const position = g.order.indexOf(instance);
    if (position >= 0) {
      const b = g.bins.findIndex(([s, e]) => position >= s && position < e);
      const x = LEFT + (b + 0.5) * g.columnWidth;
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, TOP);
      ctx.lineTo(x, HEIGHT - AXIS_H);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    frame.root.dataset.instance = String(instance);
  };

  const drawText = (a: TabularAttribution, g: Geometry, output: number) => {
    overlay.setAttribute("width", String(g.width));
    overlay.setAttribute("height", String(HEIGHT));
    const axis = svg("g", { class: "iw-axis" });
    axis.append(svg("line", { x1: LEFT - 2, x2: LEFT - 2, y1: TOP, y2: HEIGHT - AXIS_H }));
    for (const tick of niceTicks(g.y.domain[0], g.y.domain[1], 6)) {
      axis.append(svg("line", { x1: LEFT - 6, x2: LEFT - 2, y1: g.y(tick), y2: g.y(tick) }));
      axis.append(svg("text", { x: LEFT - 8, y: g.y(tick) + 4, "text-anchor": "end" }, formatNumber(tick)));
    }
    const ordering = model.get("ordering");
    const what = ordering === "feature" ? `instances ordered by ${a.featureName(model.get("feature"))}` : ordering === "original" ? "instances in their original order" : `instances ordered by ${ordering}`;
    axis.append(svg("text", { x: (LEFT + g.width - RIGHT) / 2, y: HEIGHT - 8, "text-anchor": "middle" }, what));
    overlay.replaceChildren(axis, crosshair);
    const binned = g.bins.length < a.nInstances;
    const space = model.get("output_space");
    frame.root.dataset.output = String(output);
    frame.root.dataset.columns = String(g.bins.length);
    frame.root.dataset.ordering = ordering;
    frame.root.dataset.order = Array.from(g.order.slice(0, 200)).join(",");
    frame.caption.replaceChildren(
      html("div", {}, `Output “${a.outputName(output)}”${space ? ` (${space})` : ""} of ${a.nInstances} instances: the dark line is f(x); warm bands below it pushed it up, cool bands above pushed it down.`),
      html("div", {}, binned ? `Each pixel column is the mean of ${Math.round(a.nInstances / g.bins.length)} neighbouring instances (means stay additive). Hover for details, click to select.` : "Each column is one instance. Hover for details, click to select."),
    );
    orderSelect.value = ordering;
  };


  const binAt = (event: MouseEvent): number => {
    if (!geometry) return -1;
    const x = event.clientX - canvas.getBoundingClientRect().left;
    const b = Math.floor((x - LEFT) / geometry.columnWidth);
    return b >= 0 && b < geometry.bins.length ? b : -1;
  };
  const instanceIn = (b: number, event: MouseEvent): number => {
    const g = geometry as Geometry;
    const [start, end] = g.bins[b] as [number, number];
    // inside a binned column the pointer's sub-pixel position picks among its instances
    const x = event.clientX - canvas.getBoundingClientRect().left - LEFT - b * g.columnWidth;
    const p = Math.min(end - 1, start + Math.floor((x / g.columnWidth) * (end - start)));
    return g.order[Math.max(start, p)] as number;
  };
  disposer.listen(canvas, "pointermove", (event: PointerEvent) => {
    const b = binAt(event);
    const attribution = attributionNow();
    if (b < 0 || !geometry || !attribution) {
      crosshair.setAttribute("visibility", "hidden");
      return hideTooltip(frame);
    }
    const x = LEFT + (b + 0.5) * geometry.columnWidth;
    crosshair.setAttribute("x1", String(x));
    crosshair.setAttribute("x2", String(x));
    crosshair.setAttribute("visibility", "visible");
    const [start, end] = geometry.bins[b] as [number, number];
    const mean = geometry.means[b] as Float64Array;
    const top = Array.from(mean.keys()).sort((p, q) => Math.abs(mean[q] as number) - Math.abs(mean[p] as number)).slice(0, 3);
    const lines: Array<[string, string]> = end - start === 1
      ? [["instance", String(geometry.order[start])], ["f(x)", formatNumber(geometry.outputs[b] as number, 4)]]
      : [["instances", `${end - start} (mean)`], ["mean f(x)", formatNumber(geometry.outputs[b] as number, 4)]];
    for (const j of top) lines.push([attribution.featureName(j), formatSigned(mean[j] as number)]);
    showTooltip(frame, lines, event.clientX, event.clientY);
  });
  disposer.listen(canvas, "pointerleave", () => {
    crosshair.setAttribute("visibility", "hidden");
    hideTooltip(frame);
  });
  disposer.listen(canvas, "click", (event: MouseEvent) => {
    const b = binAt(event);
    if (b >= 0) setTrait(model, "instance", instanceIn(b, event));
  });

  const attributionNow = attributionView(model, frame, disposer, {
    name: "StackedForce",
    redrawOn: ["output", "ordering", "feature", "similarity_order"],
    draw(attribution) {
      const output = model.get("output");
      updatePicker();
      attribution.check(0, output);
      geometry = compute(attribution, output);
      drawText(attribution, geometry, output);
      paint();
    },
    repaintOn: ["instance"],
    repaint: () => paint(),
  });
  return () => {
    disposer.dispose();
    el.replaceChildren();
  };
}

export default { render };

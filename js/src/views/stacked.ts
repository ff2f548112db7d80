// StackedForce: every instance's force plot rotated upright and set side by side; canvas, binned per pixel column.
// Layout in two stages: the order of the instances (data, output, ordering) and the pixel columns (width).
import type { RenderProps } from "@anywidget/types";
import type { Attribution } from "../lib/attribution";
import { decode } from "../lib/codecs";
import { html, svg } from "../lib/dom";
import { largestGapLine } from "../lib/completeness";
import { formatNumber, formatSigned, resolutionOf } from "../lib/format";
import { count, hideTooltip, showStatus, showTooltip } from "../lib/frame";
import { linearScale, niceTicks } from "../lib/scale";
import { Memo } from "../lib/schedule";
import { type Palette, palette } from "../lib/theme";
import type { Lookup } from "../lib/shared-requests";
import { binColumns, type Ordering, orderInstances } from "../lib/stacked-layout";
import { type DrawInput, mountView, type ViewTraits } from "../lib/view";

interface StackedTraits extends ViewTraits {
  ordering: Ordering;
}

const LEFT = 56;
const RIGHT = 12;
const TOP = 10;
const HEIGHT = 300;
const AXIS_H = 28;
const MIN_WIDTH = 280;

/** Data stage: each instance's f(x) and the order drawn, with what that order is (said on the axis). */
interface Order {
  attribution: Attribution;
  output: number;
  fx: Float64Array;
  order: Int32Array;
  /** positions[instance]: where the instance stands in `order` */
  positions: Int32Array;
  label: string;
}

/** Width stage: pixel columns, each the mean of its instances (means stay additive). */
interface Geometry {
  order: Order;
  bins: Array<[number, number]>;
  columnWidth: number;
  width: number;
  y: ReturnType<typeof linearScale>;
  outputs: Float64Array;
  means: Float64Array[];
  features: number[];
}

function orderOf(a: Attribution, output: number, ordering: Ordering, feature: number, given: Int32Array | null, label: string): Order {
  const n = a.nRows;
  const fx = Float64Array.from({ length: n }, (_, i) => a.outputValue(i, output));
  let key: Float64Array | null = ordering === "output" ? fx : null;
  if (ordering === "feature") {
    key = new Float64Array(n);
    for (let i = 0; i < n; i++) key[i] = a.featureValue(i, feature) ?? a.contribution(i, feature, output);
  }
  const order = orderInstances(n, ordering, key, given);
  const positions = new Int32Array(n);
  order.forEach((instance, p) => {
    positions[instance] = p;
  });
  return { attribution: a, output, fx, order, positions, label };
}

function geometryOf(o: Order, plotWidth: number): Geometry {
  const a = o.attribution;
  const output = o.output;
  const width = Math.max(MIN_WIDTH, plotWidth);
  const bins = binColumns(a.nRows, width - LEFT - RIGHT);
  const meanAbs = new Float64Array(a.nFeatures);
  const outputs = new Float64Array(bins.length);
  const means = bins.map(([start, end], b) => {
    const mean = new Float64Array(a.nFeatures);
    let out = 0;
    for (let p = start; p < end; p++) {
      const i = o.order[p] as number;
      out += o.fx[i] as number;
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
  return { order: o, bins, columnWidth: (width - LEFT - RIGHT) / bins.length, width, y, outputs, means, features };
}

function render(props: RenderProps<StackedTraits>): () => void {
  return mountView(props, {
    name: "StackedForce",
    className: "iw-stacked",
    scope: "every-instance",
    options: ["ordering"],
    controls: ["output"],
    setup({ model, frame, disposer, selection, drawn, requests, redraw, holder }) {
      const orderLabel = html("label", { class: "iw-control iw-ordering-control" }, "order by ");
      const orderSelect = html("select", { class: "iw-ordering-select", "aria-label": "order instances by" });
      for (const [value, text] of [["original", "original order"], ["output", "output value"], ["similarity", "similarity (clustering)"], ["feature", "selected feature's value"]]) {
        orderSelect.append(html("option", { value: value as string }, text));
      }
      orderLabel.append(orderSelect);
      frame.toolbar.append(orderLabel);
      // the ordering is this view's own option, not a selection: an explorer keeps it even with its controls hidden
      disposer.listen(orderSelect, "change", () => {
        model.set("ordering", orderSelect.value as Ordering);
        model.save_changes();
      });
      const stage = html("div", { class: "iw-stage" });
      const canvas = html("canvas", { class: "iw-stacked-canvas", tabindex: 0, role: "img" });
      const overlay = svg("svg", { class: "iw-overlay" });
      const crosshair = svg("line", { class: "iw-crosshair", y1: TOP, y2: HEIGHT - AXIS_H, visibility: "hidden" });
      // the selected instance: a line over the bands, so that a click moves it without repainting them
      const marker = svg("line", { class: "iw-stacked-marker", y1: TOP, y2: HEIGHT - AXIS_H, visibility: "hidden" });
      const placeMarker = (g: Geometry, instance: number) => {
        const position = g.order.positions[instance] ?? -1;
        const b = position < 0 ? -1 : g.bins.findIndex(([s, e]) => position >= s && position < e);
        const x = LEFT + (b + 0.5) * g.columnWidth;
        marker.setAttribute("x1", String(x));
        marker.setAttribute("x2", String(x));
        marker.setAttribute("visibility", b < 0 ? "hidden" : "visible");
        frame.root.dataset.instance = String(instance);
      };
      const paintedMemo = new Memo<void>();
      stage.append(canvas, overlay);
      frame.plot.append(stage);
      const similarityHolder = holder();
      const orderMemo = new Memo<Order>();
      const geometryMemo = new Memo<Geometry>();
      let geometry: Geometry | null = null;

      /** The similarity order of `output`: asked of Python once per data and output, shared by every view. */
      const similarity = (output: number): Lookup<Int32Array> => {
        const shared = requests();
        if (!shared) return { status: "error", message: "no data" };
        const read = (content: Record<string, unknown>) => decode(content.order as never).data as Int32Array;
        return shared.want(similarityHolder, `similarity:${output}`, "similarity_order", { output }, read, redraw);
      };

      const paint = (g: Geometry, colours: Palette) => {
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.round(g.width * ratio);
      canvas.height = Math.round(HEIGHT * ratio);
      canvas.style.width = `${g.width}px`;
      canvas.style.height = `${HEIGHT}px`;
      const ctx = canvas.getContext("2d");
      if (!ctx) throw new Error("this browser gives no 2-D canvas");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, g.width, HEIGHT);
      const { positive, negative, bg: separator } = colours;
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
      ctx.strokeStyle = colours.fg;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      g.outputs.forEach((out, b) => {
        const x = LEFT + (b + 0.5) * g.columnWidth;
        if (b === 0) ctx.moveTo(x, g.y(out));
        else ctx.lineTo(x, g.y(out));
      });
      ctx.stroke();
    };

      const drawText = (g: Geometry) => {
        const a = g.order.attribution;
        overlay.setAttribute("width", String(g.width));
        overlay.setAttribute("height", String(HEIGHT));
        const axis = svg("g", { class: "iw-axis" });
        axis.append(svg("line", { x1: LEFT - 2, x2: LEFT - 2, y1: TOP, y2: HEIGHT - AXIS_H }));
        for (const tick of niceTicks(g.y.domain[0], g.y.domain[1], 6)) {
          axis.append(svg("line", { x1: LEFT - 6, x2: LEFT - 2, y1: g.y(tick), y2: g.y(tick) }));
          axis.append(svg("text", { x: LEFT - 8, y: g.y(tick) + 4, "text-anchor": "end" }, formatNumber(tick)));
        }
        axis.append(svg("text", { class: "iw-stacked-order-label", x: (LEFT + g.width - RIGHT) / 2, y: HEIGHT - 8, "text-anchor": "middle" }, g.order.label));
        overlay.replaceChildren(axis, marker, crosshair);
        const binned = g.bins.length < a.nRows;
        const space = a.outputSpace;
        frame.caption.replaceChildren(
          html("div", {}, `Output “${a.outputName(g.order.output)}”${space ? ` (${space})` : ""} of ${a.nRows} instances${a.method ? ` · method: ${a.method}` : ""}: the dark line is f(x); warm bands below it pushed it up, cool bands above pushed it down.`),
          html("div", {}, binned ? `Each pixel column is the mean of ${Math.round(a.nRows / g.bins.length)} neighbouring instances (means stay additive). Hover for details, click to select.` : "Each column is one instance. Hover for details, click to select."),
          html("div", {}, largestGapLine("contributions", a.method, a.delta, a.nOutputs, g.order.output, resolutionOf(g.y.domain[1] - g.y.domain[0]))),
        );
        frame.root.dataset.output = String(g.order.output);
        frame.root.dataset.columns = String(g.bins.length);
        frame.root.dataset.order = Array.from(g.order.order.slice(0, 200)).join(",");
      };

      const binAt = (event: MouseEvent): number => {
        if (!geometry) return -1;
        const x = event.clientX - canvas.getBoundingClientRect().left;
        const b = Math.floor((x - LEFT) / geometry.columnWidth);
        return b >= 0 && b < geometry.bins.length ? b : -1;
      };
      const instanceIn = (g: Geometry, b: number, event: MouseEvent): number => {
        const [start, end] = g.bins[b] as [number, number];
        // inside a binned column the pointer's sub-pixel position picks among its instances
        const x = event.clientX - canvas.getBoundingClientRect().left - LEFT - b * g.columnWidth;
        const p = Math.min(end - 1, start + Math.floor((x / g.columnWidth) * (end - start)));
        return g.order.order[Math.max(start, p)] as number;
      };
      disposer.listen(canvas, "pointermove", (event: PointerEvent) => {
        const b = binAt(event);
        const a = drawn();
        if (b < 0 || !geometry || !a) {
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
          ? [["instance", String(geometry.order.order[start])], ["f(x)", formatNumber(geometry.outputs[b] as number, 4)]]
          : [["instances", `${end - start} (mean)`], ["mean f(x)", formatNumber(geometry.outputs[b] as number, 4)]];
        for (const j of top) lines.push([a.featureName(j), formatSigned(mean[j] as number, a.digits)]);
        showTooltip(frame, lines, event.clientX, event.clientY);
      });
      disposer.listen(canvas, "pointerleave", () => {
        crosshair.setAttribute("visibility", "hidden");
        hideTooltip(frame);
      });
      disposer.listen(canvas, "click", (event: MouseEvent) => {
        const b = binAt(event);
        if (b >= 0 && geometry) selection().select({ instance: instanceIn(geometry, b, event) });
      });

      return ({ attribution, instance, output, feature, width }: DrawInput) => {
        const ordering = model.get("ordering");
        orderSelect.value = ordering;
        frame.root.dataset.ordering = ordering;
        let drawnOrdering: Ordering = ordering;
        let given: Int32Array | null = null;
        let label = ordering === "feature" ? `instances ordered by ${attribution.featureName(feature)}` : ordering === "original" ? "instances in their original order" : `instances ordered by ${ordering}`;
        if (ordering === "similarity") {
          const lookup = similarity(output);
          if (lookup.status === "ready") given = lookup.value;
          else {
            // never label an order that is not drawn: the original order, said as such, until the reply comes
            drawnOrdering = "original";
            label = lookup.status === "pending" ? "instances in their original order (similarity order: computing…)" : `instances in their original order (similarity order failed: ${lookup.message})`;
          }
          showStatus(frame, lookup.status === "pending" ? `Computing the similarity order for output “${attribution.outputName(output)}”…` : null);
        } else {
          requests()?.drop(similarityHolder);
        }
        frame.root.dataset.drawnOrdering = drawnOrdering;
        const orderKey = drawnOrdering === "feature" ? feature : -1;
        const o = orderMemo.get([attribution, output, drawnOrdering, orderKey, given, label], () => {
          count(frame.root, "dataLayouts");
          return orderOf(attribution, output, drawnOrdering, feature, given, label);
        });
        const g = geometryMemo.get([o, Math.max(MIN_WIDTH, width)], () => {
          count(frame.root, "widthLayouts");
          return geometryOf(o, width);
        });
        geometry = g;
        const colours = palette(frame.root);
        paintedMemo.get([g, colours.key, window.devicePixelRatio], () => {
          drawText(g);
          paint(g, colours);
        });
        placeMarker(g, instance);
      };
    },
  });
}

export default { render };

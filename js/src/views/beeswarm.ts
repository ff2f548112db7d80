// Beeswarm: every instance's contribution for every feature, one row per feature, coloured by feature value.
// Pixels for the points (it must stay fast at 100k rows), a second canvas for the selected instance, SVG for text.
// Layout in two stages: what depends on the data and output (row order, colours) and what on the width (pixel
// positions, swarm offsets): a resize or a click re-sorts nothing.
import type { RenderProps } from "@anywidget/types";
import type { Attribution } from "../lib/attribution";
import { featureOrder, PointGrid, swarmOffsets } from "../lib/beeswarm-layout";
import { divergingRamp, PERCENTILE_SAMPLE, parseColor, robustRange } from "../lib/colors";
import { html, svg } from "../lib/dom";
import { largestGapLine } from "../lib/completeness";
import { CHAR_PX, formatNumber, formatSigned, labelColumn, resolutionOf, shorten } from "../lib/format";
import { count, hideTooltip, showTooltip } from "../lib/frame";
import { rampLegend } from "../lib/legend";
import { paintSquares, paintVertical, pixelWord } from "../lib/raster";
import { linearScale, niceTicks } from "../lib/scale";
import { Memo } from "../lib/schedule";
import { type Palette, palette } from "../lib/theme";
import { type DrawInput, mountView, type ViewTraits } from "../lib/view";

interface BeeswarmTraits extends ViewTraits {
  max_display: number;
}

const RIGHT = 16;
const TOP = 8;
const AXIS_H = 34;
const COLOURS = 24;
const MIN_WIDTH = 280;

/** Data stage: which features are rows, their contributions and colour buckets (0: no value, 1..COLOURS). */
interface Rows {
  attribution: Attribution;
  output: number;
  rows: number[];
  /** contributions[r * n + i]: row r, instance i */
  contributions: Float32Array;
  bucket: Uint8Array;
  domain: [number, number];
}

/** Width stage: pixel positions. */
interface Geometry {
  rows: Rows;
  width: number;
  height: number;
  rowHeight: number;
  /** the label column's width: the plot starts here */
  left: number;
  x: ReturnType<typeof linearScale>;
  xs: Float32Array;
  ys: Float32Array;
  grid: PointGrid | null;
}

function layoutRows(a: Attribution, output: number, maxDisplay: number): Rows {
  const n = a.nRows;
  const f = a.nFeatures;
  const k = a.nOutputs;
  const values = a.values;
  const meanAbs = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    const base = i * f * k + output;
    for (let j = 0; j < f; j++) meanAbs[j] = (meanAbs[j] as number) + Math.abs(values[base + j * k] as number);
  }
  const rows = featureOrder(meanAbs).slice(0, Math.max(1, maxDisplay));
  const m = rows.length;
  // each row's colour range from a sample of its feature's values (the percentiles' error is well under one colour)
  const stride = Math.max(1, Math.floor(n / PERCENTILE_SAMPLE));
  const sample = new Float64Array(Math.ceil(n / stride));
  const low = new Float64Array(m);
  const scale = new Float64Array(m);
  rows.forEach((feature, r) => {
    let s = 0;
    for (let i = 0; i < n; i += stride) sample[s++] = a.data ? (a.data[i * f + feature] as number) : Number.NaN;
    const [vlo, vhi] = robustRange(sample.subarray(0, s));
    low[r] = vlo;
    scale[r] = (COLOURS - 1) / (vhi - vlo);
  });
  // one pass in memory order: each instance's contributions and colours for every row
  const contributions = new Float32Array(m * n);
  const bucket = new Uint8Array(m * n);
  const data = a.data;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const base = i * f * k + output;
    for (let r = 0; r < m; r++) {
      const feature = rows[r] as number;
      const v = values[base + feature * k] as number;
      contributions[r * n + i] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      const x = data ? (data[i * f + feature] as number) : Number.NaN;
      // 0: no value; 1..COLOURS: low to high, clamped at the robust range
      bucket[r * n + i] = Number.isFinite(x) ? 1 + Math.min(COLOURS - 1, Math.max(0, Math.round((x - (low[r] as number)) * (scale[r] as number)))) : 0;
    }
  }
  const pad = (hi - lo || 1) * 0.04;
  return { attribution: a, output, rows, contributions, bucket, domain: [Math.min(lo, 0) - pad, Math.max(hi, 0) + pad] };
}

function layoutGeometry(rows: Rows, plotWidth: number): Geometry {
  const n = rows.attribution.nRows;
  const width = Math.max(MIN_WIDTH, plotWidth);
  const rowHeight = Math.max(16, Math.min(30, Math.round(360 / rows.rows.length)));
  const height = TOP + rows.rows.length * rowHeight + AXIS_H;
  const left = labelColumn(rows.rows.map((feature) => rows.attribution.featureName(feature)), width);
  const x = linearScale(rows.domain, [left, width - RIGHT]);
  const xs = new Float32Array(rows.contributions.length);
  const ys = new Float32Array(rows.contributions.length);
  const rowXs = new Float32Array(n);
  // the scale inlined: a function call per point costs more than the arithmetic
  const [d0, d1] = x.domain;
  const [r0, r1] = x.range;
  const perUnit = (r1 - r0) / (d1 - d0 || 1);
  for (let r = 0; r < rows.rows.length; r++) {
    for (let i = 0; i < n; i++) rowXs[i] = r0 + ((rows.contributions[r * n + i] as number) - d0) * perUnit;
    const offsets = swarmOffsets(rowXs, 2, Math.max(1, rowHeight / 14), rowHeight * 0.42);
    const centre = TOP + r * rowHeight + rowHeight / 2;
    for (let i = 0; i < n; i++) {
      xs[r * n + i] = rowXs[i] as number;
      ys[r * n + i] = centre + (offsets[i] as number);
    }
  }
  return { rows, width, height, rowHeight, left, x, xs, ys, grid: null };
}

function render(props: RenderProps<BeeswarmTraits>): () => void {
  return mountView(props, {
    name: "Beeswarm",
    className: "iw-beeswarm",
    scope: "every-instance",
    options: ["max_display"],
    controls: ["output"],
    setup({ model, frame, disposer, selection, drawn }) {
      const stage = html("div", { class: "iw-stage" });
      const canvas = html("canvas", { class: "iw-beeswarm-canvas", tabindex: 0, role: "img" });
      const overlay = svg("svg", { class: "iw-overlay" });
      // the selected instance: a few SVG nodes over the points, so that a click moves them and repaints nothing else
      const highlight = svg("g", { class: "iw-beeswarm-highlight" });
      stage.append(canvas, overlay);
      frame.plot.append(stage);
      const rowsMemo = new Memo<Rows>();
      const geometryMemo = new Memo<Geometry>();
      const paintedMemo = new Memo<void>();
      let geometry: Geometry | null = null;

      const paintPoints = (g: Geometry, colours: Palette) => {
        const ratio = window.devicePixelRatio || 1;
        canvas.width = Math.round(g.width * ratio);
        canvas.height = Math.round(g.height * ratio);
        canvas.style.width = `${g.width}px`;
        canvas.style.height = `${g.height}px`;
        const ctx = canvas.getContext("2d");
        if (!ctx) throw new Error("this browser gives no 2-D canvas");
        const image = ctx.createImageData(canvas.width, canvas.height);
        const pixels = new Uint32Array(image.data.buffer);
        const negative = parseColor(colours.negative, [0, 114, 178]);
        const positive = parseColor(colours.positive, [213, 94, 0]);
        const mid = parseColor(colours.mid, [141, 95, 166]);
        const ramp = divergingRamp(negative, mid, positive, COLOURS).map((c) => parseColor(c, mid));
        const words = Uint32Array.from([pixelWord(parseColor(colours.missing, [207, 207, 207])), ...ramp.map(pixelWord)]);
        const zeroLine = pixelWord(parseColor(colours.border, [208, 215, 222]));
        paintVertical(pixels, canvas.width, ratio, g.x(0), TOP, TOP + g.rows.rows.length * g.rowHeight, zeroLine);
        paintSquares(pixels, canvas.width, ratio, g.xs, g.ys, g.rows.bucket, words, Math.max(2, Math.round(3 * ratio)));
        ctx.putImageData(image, 0, 0);
      };

      const placeSelected = (g: Geometry, instance: number) => {
        const n = g.rows.attribution.nRows;
        if (instance < 0 || instance >= n) {
          highlight.replaceChildren();
          return;
        }
        const points = g.rows.rows.map((_, r) => [g.xs[r * n + instance] as number, g.ys[r * n + instance] as number]);
        highlight.replaceChildren(
          svg("polyline", { class: "iw-beeswarm-path", points: points.map(([x, y]) => `${x},${y}`).join(" ") }),
          ...points.map(([x, y]) => svg("circle", { class: "iw-beeswarm-ring", cx: x as number, cy: y as number, r: 4.5 })),
        );
      };

      const drawText = (g: Geometry) => {
        const a = g.rows.attribution;
        overlay.setAttribute("width", String(g.width));
        overlay.setAttribute("height", String(g.height));
        const nodes: SVGElement[] = [];
        g.rows.rows.forEach((feature, r) => {
          const y = TOP + r * g.rowHeight + g.rowHeight / 2 + 4;
          const name = a.featureName(feature);
          const label = shorten(name, Math.floor((g.left - 14) / CHAR_PX));
          const text = svg("text", { class: "iw-beeswarm-label", x: g.left - 10, y, "text-anchor": "end", "data-feature": feature }, label);
          if (label !== name) text.append(svg("title", {}, name));
          nodes.push(text);
        });
        const base = TOP + g.rows.rows.length * g.rowHeight;
        const axis = svg("g", { class: "iw-axis" });
        axis.append(svg("line", { x1: g.left, x2: g.width - RIGHT, y1: base + 2, y2: base + 2 }));
        for (const tick of niceTicks(g.x.domain[0], g.x.domain[1], Math.max(2, Math.floor((g.width - g.left) / 80)))) {
          axis.append(svg("line", { x1: g.x(tick), x2: g.x(tick), y1: base + 2, y2: base + 6 }));
          axis.append(svg("text", { x: g.x(tick), y: base + 18, "text-anchor": "middle" }, formatNumber(tick)));
        }
        nodes.push(axis, highlight);
        overlay.replaceChildren(...nodes);
        const root = frame.root;
        root.dataset.output = String(g.rows.output);
        root.dataset.points = String(g.xs.length);
        root.dataset.rows = String(g.rows.rows.length);
        root.dataset.firstRowY = String(TOP + g.rowHeight / 2);
        root.dataset.plotLeft = String(g.left);
        root.dataset.plotRight = String(g.width - RIGHT);
        const space = a.outputSpace;
        frame.caption.replaceChildren(
          rampLegend({ label: "feature value", range: null, missing: true }),
          html("div", {}, `Contribution to output “${a.outputName(g.rows.output)}”${space ? ` (${space})` : ""} of ${a.nRows} instances${a.method ? ` · method: ${a.method}` : ""}; features ordered by mean |contribution|. Click a point to select its instance.`),
          html("div", {}, "Spread is not importance for any one instance, and a feature's colour pattern shows association in this model, not cause."),
          html("div", {}, largestGapLine("contributions", a.method, a.delta, a.nOutputs, g.rows.output, resolutionOf(g.x.domain[1] - g.x.domain[0]))),
        );
      };

      const pointAt = (event: MouseEvent): { instance: number; feature: number } | null => {
        if (!geometry) return null;
        geometry.grid ??= new PointGrid(geometry.xs, geometry.ys); // built on first use: not on the way to first paint
        const box = canvas.getBoundingClientRect();
        const p = geometry.grid.nearest(event.clientX - box.left, event.clientY - box.top);
        if (p < 0) return null;
        const n = geometry.rows.attribution.nRows;
        return { instance: p % n, feature: geometry.rows.rows[Math.floor(p / n)] as number };
      };
      disposer.listen(canvas, "pointermove", (event: PointerEvent) => {
        const hit = pointAt(event);
        const a = drawn();
        if (!hit || !a || !geometry) {
          canvas.style.cursor = "default";
          return hideTooltip(frame);
        }
        canvas.style.cursor = "pointer";
        const { instance, feature } = hit;
        const value = a.featureValue(instance, feature);
        const lines: Array<[string, string]> = [["instance", String(instance)], ["feature", a.featureName(feature)]];
        if (value !== null) lines.push(["value", formatNumber(value, 4)]);
        lines.push(["contribution", formatSigned(a.contribution(instance, feature, geometry.rows.output), a.digits)]);
        showTooltip(frame, lines, event.clientX, event.clientY);
      });
      disposer.listen(canvas, "pointerleave", () => hideTooltip(frame));
      disposer.listen(canvas, "click", (event: MouseEvent) => {
        const hit = pointAt(event);
        if (hit) selection().select({ instance: hit.instance, feature: hit.feature });
      });
      disposer.listen(canvas, "keydown", (event: KeyboardEvent) => {
        const a = drawn();
        if (!a || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
        const step = event.key === "ArrowRight" ? 1 : -1;
        selection().select({ instance: Math.min(a.nRows - 1, Math.max(0, selection().index("instance") + step)) });
        event.preventDefault();
      });

      return ({ attribution, instance, output, width }: DrawInput) => {
        const rows = rowsMemo.get([attribution, output, model.get("max_display")], () => {
          count(frame.root, "dataLayouts");
          return layoutRows(attribution, output, model.get("max_display"));
        });
        const g = geometryMemo.get([rows, Math.max(MIN_WIDTH, width)], () => {
          count(frame.root, "widthLayouts");
          return layoutGeometry(rows, width);
        });
        geometry = g;
        const colours = palette(frame.root); // the theme's colours are part of what the pixels depend on
        paintedMemo.get([g, colours.key, window.devicePixelRatio], () => {
          paintPoints(g, colours);
          drawText(g);
        });
        placeSelected(g, instance);
        frame.root.dataset.instance = String(instance);
      };
    },
  });
}

export default { render };

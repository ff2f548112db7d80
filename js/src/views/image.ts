// ImageView: an image with its attribution over it, on canvas: a heat map (sign modes, clipping, opacity, colours),
// or the top superpixels outlined (as mark_boundaries outlines LIME's mask, each in its weight's hue). Those settings are the view's own and redraw here
// with no message to the kernel; instance, class and method come from the selection.
import type { RenderProps } from "@anywidget/types";
import { drawScaled } from "../lib/canvas";
import type { RGB } from "../lib/colors";
import { completeness } from "../lib/completeness";
import { indexPicker, instanceStepper, methodPicker, rangeControl, selectControl, type Update } from "../lib/controls";
import { html } from "../lib/dom";
import { formatAt, formatNumber, resolutionOf } from "../lib/format";
import { type Frame, hideTooltip, showStatus, showTooltip } from "../lib/frame";
import { type ImageMap, ImageRequests, type ImageTraits, type RgbImage, shownMethod } from "../lib/image-data";
import { overlayCanvas } from "../lib/image-canvas";
import { COLOUR_MAPS, type ColourMap, outlineSegments, SIGN_MODES, type SignMode, topSegments } from "../lib/image-paint";
import { rampLegend } from "../lib/legend";
import type { Model } from "../lib/model";
import { mountRequestView, type RequestViewTraits } from "../lib/request-view";

interface Traits extends RequestViewTraits {
  instance: number;
  output: number;
  method: string;
  controls: boolean;
  overlay: string;
  sign: string;
  colormap: string;
  clip: number;
  opacity: number;
  top: number;
  grey_rest: boolean;
}

/** The view's own settings: seeded from its traits, changed in the browser alone. */
interface Settings {
  overlay: "" | "heatmap" | "outline";
  sign: SignMode;
  colormap: ColourMap;
  clip: number;
  opacity: number;
  top: number;
  grey_rest: boolean;
}

const SETTING_NAMES = ["overlay", "sign", "colormap", "clip", "opacity", "top", "grey_rest"] as const;
/** the image is drawn at most this wide (CSS pixels); small images (digits) are enlarged, pixels kept square */
const MAX_PX = 420;

/** What was painted: for the tooltip. */
interface Painted {
  map: ImageMap;
  ranks: Map<number, number> | null;
  sign: SignMode;
}

function render(props: RenderProps<Traits>): () => void {
  return mountRequestView<Traits, ImageTraits, ImageRequests>(props, {
    name: "ImageView",
    className: "iw-image",
    options: ["controls", ...SETTING_NAMES],
    follows: ["instance", "output", "method"],
    requests: (data, shared, settled) => new ImageRequests(data, shared, settled),
    setup(host) {
      const { frame, disposer, model } = host;
      let data: Model<ImageTraits> | null = null;
      const settings = {} as Settings;
      const seen = {} as Record<string, unknown>;
      /** adopt a trait's value when Python changed it since it was last seen (the browser's own changes stay local) */
      const adopt = () => {
        for (const name of SETTING_NAMES) {
          const value = model.get(name);
          if (seen[name] !== value) {
            seen[name] = value;
            (settings as unknown as Record<string, unknown>)[name] = value;
          }
        }
      };
      const local = (patch: Partial<Settings>) => {
        Object.assign(settings, patch);
        host.redraw();
      };

      const selectionBar = html("span", { class: "iw-selection-controls" });
      const updates: Update[] = [
        instanceStepper(selectionBar, host.selection, () => data?.get("n_instances") ?? 0, disposer),
        indexPicker(selectionBar, "class", "output", () => data?.get("output_names") ?? [], host.selection, disposer),
        methodPicker(selectionBar, () => (data?.get("methods") ?? []).map((m): [string, string] => [m, m]), host.selection, disposer),
      ];
      const overlayPicker = selectControl("show", "iw-overlay-select");
      const signPicker = selectControl("sign", "iw-sign-select");
      const colourPicker = selectControl("colours", "iw-colour-select");
      const topPicker = selectControl("top", "iw-top-select");
      const grey = html("input", { type: "checkbox", class: "iw-grey-rest" });
      const greyLabel = html("label", { class: "iw-control" });
      greyLabel.append(grey, " grey the rest");
      const opacity = rangeControl("opacity", "iw-opacity", [0, 1, 0.05], (v) => `${Math.round(v * 100)} %`, (v) => local({ opacity: v }), disposer);
      const clip = rangeControl("clip at", "iw-clip", [50, 100, 0.5], (v) => `${formatNumber(v, 3)}th pct`, (v) => local({ clip: v }), disposer);
      const settingsBar = html("span", { class: "iw-view-controls" });
      settingsBar.append(overlayPicker.label, signPicker.label, colourPicker.label, topPicker.label, greyLabel, clip.label, opacity.label);
      frame.toolbar.append(selectionBar, settingsBar);
      disposer.listen(overlayPicker.select, "change", () => local({ overlay: overlayPicker.select.value as Settings["overlay"] }));
      disposer.listen(signPicker.select, "change", () => local({ sign: signPicker.select.value as SignMode }));
      disposer.listen(colourPicker.select, "change", () => local({ colormap: colourPicker.select.value as ColourMap }));
      disposer.listen(topPicker.select, "change", () => local({ top: Number(topPicker.select.value) }));
      disposer.listen(grey, "change", () => local({ grey_rest: grey.checked }));

      const canvas = html("canvas", { class: "iw-image-canvas", role: "img" });
      const legend = html("div", { class: "iw-legend" });
      frame.plot.append(canvas, legend);
      const offscreen = document.createElement("canvas");
      let painted: Painted | null = null;

      disposer.listen(canvas, "pointermove", (event: PointerEvent) => {
        if (!painted) return;
        const box = canvas.getBoundingClientRect();
        // the box as laid out (CSS zoom and rounding included), not the scale asked for
        const x = Math.floor(((event.clientX - box.left) / box.width) * painted.map.width);
        const y = Math.floor(((event.clientY - box.top) / box.height) * painted.map.height);
        const lines = pixelLines(painted, x, y);
        if (lines) showTooltip(frame, lines, event.clientX, event.clientY);
        else hideTooltip(frame);
      });
      disposer.listen(canvas, "pointerleave", () => hideTooltip(frame));

      return ({ data: next, requests, selection, width }) => {
        data = next;
        adopt();
        for (const update of updates) update();
        selectionBar.hidden = !model.get("controls");
        const instance = selection.index("instance");
        const output = selection.index("output");
        const method = shownMethod(selection, next);
        const image = requests.image("image", instance);
        const map = requests.map("shown", instance, output, method);
        for (const lookup of [image, map]) if (lookup.status === "error") throw new Error(lookup.message);
        if (image.status !== "ready" || map.status !== "ready") {
          showStatus(frame, `Computing ${method} for image ${instance}, class “${next.get("output_names")[output] ?? output}”…`);
          return;
        }
        showStatus(frame, null);
        const outline = (settings.overlay || (map.value.segments ? "outline" : "heatmap")) === "outline" && map.value.segments !== null;
        overlayPicker.fill(
          [["heatmap", "heat map"], ...(map.value.segments ? ([["outline", "top superpixels"]] as Array<[string, string]>) : [])],
          outline ? "outline" : "heatmap",
        );
        signPicker.fill(SIGN_MODES.map((s) => [s, s]), settings.sign);
        colourPicker.fill(COLOUR_MAPS.map((c) => [c, c]), settings.colormap);
        colourPicker.label.hidden = outline || settings.sign === "absolute";
        const segmentCount = map.value.segments ? new Set(map.value.segments).size : 0;
        const tops = Math.max(settings.top, Math.min(segmentCount, 20), 1);
        topPicker.fill(Array.from({ length: tops }, (_, i) => [String(i + 1), String(i + 1)]), String(settings.top));
        topPicker.label.hidden = greyLabel.hidden = !outline;
        grey.checked = settings.grey_rest;
        clip.set(settings.clip);
        opacity.set(settings.opacity);
        painted = paint(frame, canvas, offscreen, legend, image.value, map.value, settings, outline, width);
        describe(frame, next, map.value, instance, output, settings, outline);
      };
    },
  });
}

function paint(frame: Frame, canvas: HTMLCanvasElement, offscreen: HTMLCanvasElement, legend: HTMLElement, image: RgbImage, map: ImageMap, settings: Settings, outline: boolean, width: number): Painted {
  const segments = map.segments;
  const order = segments ? topSegments(segments, map.values, settings.sign, Number.MAX_SAFE_INTEGER) : [];
  const ranks = segments ? new Map(order.map((id, i) => [id, i + 1])) : null;
  const overlay = { sign: settings.sign, colours: settings.colormap, percentile: settings.clip, opacity: outline ? 0 : settings.opacity };
  const decorate = (pixels: Uint8ClampedArray, hues: { negative: RGB; positive: RGB }) => {
    if (outline && segments) outlineSegments(pixels, segments, map.values, map.width, new Set(order.slice(0, settings.top)), hues, settings.grey_rest);
  };
  const { clip } = overlayCanvas(frame.root, image, map, overlay, decorate, offscreen);
  const scale = Math.max(0.05, Math.min(width, MAX_PX) / image.width);
  drawScaled(canvas, offscreen, scale);
  frame.root.dataset.clip = String(clip);
  // as paintOverlay colours: one ramp by magnitude, or the value's sign as hue (one sign hidden in those modes)
  const magnitude = settings.colormap === "magnitude" || settings.sign === "absolute";
  const hidden = settings.sign === "positive" ? " (negative values hidden)" : settings.sign === "negative" ? " (positive values hidden)" : "";
  legend.replaceChildren(
    outline
      ? html("div", { class: "iw-legend-row" }, outlineLegend(settings.sign, Math.min(settings.top, ranks?.size ?? 0)))
      : rampLegend({ label: `${magnitude ? "|attribution|" : "attribution"} per pixel${hidden}`, range: magnitude ? [0, clip] : [-clip, clip], missing: false, diverging: !magnitude }),
  );
  return { map, ranks, sign: settings.sign };
}

/** What the outline shows, in words: how many superpixels, ranked how, in which hues. */
function outlineLegend(sign: SignMode, count: number): string {
  const ranked = sign === "positive" ? "largest positive weights" : sign === "negative" ? "largest negative weights" : "largest |weights|";
  return `outlined: the ${count} superpixels with the ${ranked}; each in its weight's hue (warm: raises the class, cool: lowers it)`;
}

function pixelLines(painted: Painted, x: number, y: number): Array<[string, string]> | null {
  const { map, ranks, sign } = painted;
  if (x < 0 || y < 0 || x >= map.width || y >= map.height) return null;
  const p = y * map.width + x;
  const value = map.values[p] as number;
  const resolution = resolutionOf(2 * map.peak || 1);
  const lines: Array<[string, string]> = [["pixel", `x ${x}, y ${y}`]];
  if (map.segments && ranks) {
    const id = map.segments[p] as number;
    lines.push(["superpixel", `#${id}`], ["weight", formatAt(value, resolution)]);
    const rank = ranks.get(id);
    const hidden = value === 0 ? "no weight" : `not shown (${value > 0 ? "positive" : "negative"})`;
    lines.push(["rank", rank === undefined ? hidden : `${rank} of ${ranks.size} by ${sign === "all" || sign === "absolute" ? "|weight|" : "weight"}`]);
  } else {
    lines.push([map.summedChannels ? "value (Σ channels)" : "value", formatAt(value, resolution)]);
  }
  return lines;
}

function describe(frame: Frame, data: Model<ImageTraits>, map: ImageMap, instance: number, output: number, settings: Settings, outline: boolean): void {
  const root = frame.root;
  Object.assign(root.dataset, { instance: String(instance), output: String(output), method: map.method, mode: outline ? "outline" : "heatmap", opacity: String(settings.opacity), sign: settings.sign });
  const name = data.get("output_names")[output] ?? `class ${output}`;
  const space = map.outputSpace ? ` (${map.outputSpace})` : "";
  const unit = map.segments ? `${new Set(map.segments).size} superpixels` : map.summedChannels ? "pixels, each the sum over its colour channels" : "pixels";
  const lines = [`${map.method} for class “${name}”${space}, image ${instance}: ${unit}.`];
  // a superpixel map holds each segment's weight in every one of its pixels: the parts summed are the segments
  const parts = map.segments ? "superpixels" : "pixels";
  const total = map.segments ? segmentTotal(map.segments, map.values) : map.values.reduce((sum, v) => sum + v, 0);
  delete root.dataset.gap;
  if (map.gap !== null) {
    const stated = completeness(parts, map.method, map.base, map.base + total, map.gap);
    lines.push(...stated.lines);
    root.dataset.gap = String(stated.gap);
  } else if (!map.baseline.startsWith("not additive")) {
    lines.push(`${map.method} reports no completeness gap: its values are not checked against the output here.`);
  }
  if (!outline) lines.push(`Colours saturate at |value| = ${formatNumber(Number(root.dataset.clip))}, the ${formatNumber(settings.clip, 3)}th percentile of those shown (the largest: ${formatNumber(map.peak)}).`);
  if (map.baseline) lines.push(`Baseline: ${map.baseline}.`);
  frame.caption.replaceChildren(...lines.map((line) => html("div", {}, line)));
}

/** Σ of the segments' weights (each counted once, not once per pixel). */
function segmentTotal(segments: Int32Array, values: Float32Array): number {
  const seen = new Set<number>();
  let total = 0;
  for (let p = 0; p < segments.length; p++) {
    const id = segments[p] as number;
    if (!seen.has(id)) {
      seen.add(id);
      total += values[p] as number;
    }
  }
  return total;
}

export default { render };

// AttentionView: one head's attention (or a layer's map) as lines from each token to the tokens it reads, or as a
// matrix. Both on canvas; hovering a token highlights its row (what it reads) and column (what reads it) here and in
// every view of the same selection.
import type { RenderProps } from "@anywidget/types";
import { KIND_LABELS, ON_REQUEST, type Tile, tileValue, type TextInfo } from "../lib/attention-data";
import { tileImage, tileLevels } from "../lib/attention-paint";
import { sizeCanvas } from "../lib/canvas";
import { type AttentionDraw, type AttentionViewTraits, message, mountAttention } from "../lib/attention-view";
import { KEEP_BYTES } from "../lib/shared-requests";
import { selectControl } from "../lib/controls";
import { html } from "../lib/dom";
import { CHAR_PX, formatAt, formatNumber, labelColumn, shorten } from "../lib/format";
import { type Frame, hideTooltip, showError, showStatus, showTooltip } from "../lib/frame";
import { save } from "../lib/model";
import { palette } from "../lib/theme";

interface Traits extends AttentionViewTraits {
  mode: string;
}

/** lines up to this many tokens by default; the matrix beyond (lines of 512 tokens are a 8,000-pixel column) */
const LINES_UP_TO = 64;
const ROW_PX = 16;
/** the lines view scrolls beyond this height; only the rows in sight are drawn */
const VIEWPORT_PX = 480;
const MATRIX_MAX_PX = 640;
/** cells smaller than this get no token labels (the tooltip names them) */
const LABEL_CELL_PX = 9;
/** opacity levels of the lines: one canvas path per level, not one stroke per line */
const LEVELS = 16;
/** lines crossing the view with neither end in sight are looked for up to this many tokens (n² pairs per frame) */
const CROSSING_UP_TO = 512;

/** What a drawing needs: the canvas and its scrolling stage, the tile and its text, and what to highlight. */
interface Scene {
  canvas: HTMLCanvasElement;
  stage: HTMLElement;
  spacer: HTMLElement;
  frame: Frame;
  tile: Tile;
  text: TextInfo;
  width: number;
  pointer: { i: number; j: number } | null;
  /** the token hovered in another view (-1: none; -2: this view's pointer decides) */
  hovered: number;
}

interface Shown {
  tile: Tile;
  text: TextInfo;
  mode: "lines" | "matrix";
  /** matrix geometry, or the lines' columns */
  left: number;
  top: number;
  cell: number;
  right: number;
}

function render(props: RenderProps<Traits>): () => void {
  return mountAttention(props, {
    name: "AttentionView",
    className: "iw-attention",
    options: ["mode"],
    setup(host) {
      const { frame, disposer, model } = host;
      const controls = html("span", { class: "iw-selection-controls" });
      const layerPicker = selectControl("layer", "iw-layer-select");
      const kindPicker = selectControl("map", "iw-map-select");
      const headPicker = selectControl("head", "iw-head-select");
      const modePicker = selectControl("view", "iw-mode-select");
      modePicker.select.append(html("option", { value: "lines" }, "lines"), html("option", { value: "matrix" }, "matrix"));
      controls.append(layerPicker.label, kindPicker.label, headPicker.label, modePicker.label);
      frame.toolbar.append(controls);
      disposer.listen(layerPicker.select, "change", () => host.selection().select({ layer: Number(layerPicker.select.value) }));
      disposer.listen(headPicker.select, "change", () => host.selection().select({ head: Number(headPicker.select.value) }));
      disposer.listen(kindPicker.select, "change", () => host.selection().select({ map_kind: kindPicker.select.value }));
      disposer.listen(modePicker.select, "change", () => save(model, { mode: modePicker.select.value } as Partial<Traits>));

      const stage = html("div", { class: "iw-stage iw-attention-stage" });
      const spacer = html("div", { class: "iw-attention-spacer" });
      const canvas = html("canvas", { class: "iw-attention-canvas", tabindex: 0, role: "img" });
      stage.append(canvas, spacer);
      frame.plot.append(stage);
      let shown: Shown | null = null;
      let pointer: { i: number; j: number } | null = null;
      let last: AttentionDraw | null = null;
      let frameRequest = 0;
      /** the layer whose other heads were prefetched: once per layer, not per paint (a paint runs on every move) */
      let prefetched = "";
      // a repaint outside the host's draw (scroll, pointer): same drawing, its errors shown in the view
      const repaint = () => {
        if (!last) return;
        try {
          paint(last);
        } catch (error) {
          showError(frame, `AttentionView could not draw: ${message(error)}`);
        }
      };
      disposer.add(() => cancelAnimationFrame(frameRequest));
      disposer.listen(stage, "scroll", () => {
        if (frameRequest || !shown || shown.mode !== "lines") return;
        frameRequest = requestAnimationFrame(() => {
          frameRequest = 0;
          repaint();
        });
      });
      disposer.listen(canvas, "pointermove", (event: PointerEvent) => {
        if (!shown) return;
        const box = canvas.getBoundingClientRect();
        const hit = hitTest(shown, event.clientX - box.left, event.clientY - box.top, stage.scrollTop);
        pointer = hit;
        if (!hit) {
          hideTooltip(frame);
          host.hover(-1);
          repaint();
          return;
        }
        const token = hit.i >= 0 ? hit.i : hit.j;
        host.hover(token);
        showTooltip(frame, tooltipLines(shown, hit), event.clientX, event.clientY);
        repaint();
      });
      disposer.listen(canvas, "pointerleave", () => {
        pointer = null;
        hideTooltip(frame);
        host.hover(-1);
      });
      disposer.listen(canvas, "click", () => {
        if (!pointer) return;
        const token = pointer.i >= 0 ? pointer.i : pointer.j;
        host.selection().select({ token });
      });

      const paint = (input: AttentionDraw) => {
        last = input;
        const { data, requests, instance, layer, head, kind, text, width, output } = input;
        layerPicker.fill(Array.from({ length: data.get("n_layers") }, (_, i) => [String(i), String(i)]), String(layer));
        kindPicker.fill(data.get("kinds").map((k) => [k, KIND_LABELS[k] ?? k]), kind);
        headPicker.fill(Array.from({ length: data.get("n_heads") }, (_, i) => [String(i), String(i)]), String(head));
        headPicker.label.hidden = kind !== "head";
        const lookup = requests.tile("shown", instance, kind, layer, head, output);
        if (lookup.status === "error") throw new Error(lookup.message);
        if (!text || lookup.status === "pending") {
          showStatus(frame, ON_REQUEST.has(kind) ? `Computing ${KIND_LABELS[kind]} attention for layer ${layer}…` : `Loading layer ${layer}${kind === "head" ? `, head ${head}` : ""}…`);
          return;
        }
        showStatus(frame, null);
        const tile = lookup.value;
        if (tile.n !== text.tokens.length) throw new Error(`the map has ${tile.n} tokens and the text ${text.tokens.length}`);
        const layerKey = `${instance}:${layer}`;
        if (kind === "head" && prefetched !== layerKey && data.get("n_heads") * tile.n * tile.n <= KEEP_BYTES / 2) {
          // the next click most likely picks another head of this layer: have it here by then (when the layer's
          // heads fit the cache: past that a prefetch would push out the tiles it fetched before)
          prefetched = layerKey;
          for (let h = 0; h < data.get("n_heads"); h++) if (h !== head) requests.prefetchTile(instance, kind, layer, h);
        }
        const chosen = model.get("mode");
        const mode: "lines" | "matrix" = chosen === "lines" || chosen === "matrix" ? chosen : tile.n <= LINES_UP_TO ? "lines" : "matrix";
        modePicker.select.value = mode;
        const hovered = pointer ? -2 : input.hovered; // -2: this view's own pointer decides what is highlighted
        const scene: Scene = { canvas, stage, spacer, frame, tile, text, width, pointer, hovered };
        shown = mode === "lines" ? drawLines(scene) : drawMatrix(scene);
        describe(frame, input, tile, mode);
      };
      return paint;
    },
  });
}

/** The token a highlight is about: the pointer's, or the one hovered in another view. */
function highlighted(pointer: { i: number; j: number } | null, hovered: number): { row: number; column: number } {
  if (pointer) return { row: pointer.i, column: pointer.j };
  return { row: hovered, column: hovered };
}

function drawLines({ canvas, stage, spacer, frame, tile, text, width, pointer, hovered }: Scene): Shown {
  const n = tile.n;
  const total = n * ROW_PX + 8;
  const viewport = Math.min(total, VIEWPORT_PX);
  stage.style.maxHeight = `${VIEWPORT_PX}px`;
  stage.classList.toggle("iw-scrolls", total > VIEWPORT_PX);
  spacer.style.height = `${total}px`;
  canvas.style.position = "absolute";
  const w = Math.max(280, width);
  const label = Math.min(labelColumn(text.tokens, w, 0.3, 40), 160);
  const left = label;
  const right = w - label;
  const scroll = stage.scrollTop;
  const context = sizeCanvas(canvas, w, viewport);
  canvas.style.top = `${scroll}px`;
  const colours = palette(frame.root);
  const levels = tileLevels(tile);
  const first = Math.max(0, Math.floor((scroll - 8) / ROW_PX));
  const last = Math.min(n - 1, Math.ceil((scroll + viewport) / ROW_PX));
  const y = (row: number) => 4 + row * ROW_PX + ROW_PX / 2 - scroll;
  const { row: focusRow, column: focusColumn } = highlighted(pointer, hovered);
  const focused = focusRow >= 0 || focusColumn >= 0;

  // bucket lines by colour (sign), emphasis and opacity: a few dozen paths, whatever the number of lines
  const paths = Array.from({ length: 4 * LEVELS }, () => new Path2D());
  const x0 = left + 6;
  const x1 = right - 6;
  const add = (i: number, j: number) => {
    const level = levels[tile.q[i * n + j] as number] as number;
    const strength = tile.signed ? Math.abs(level - 127.5) / 127.5 : level / 255;
    const bucket = Math.min(LEVELS - 1, Math.floor(strength * LEVELS));
    if (bucket === 0) return; // under 1/16 of the peak (the caption says so)
    const on = focused && (i === focusRow || j === focusColumn) ? 1 : 0;
    const negative = tile.signed && level < 127.5 ? 1 : 0;
    const path = paths[((negative * 2 + on) * LEVELS + bucket) as number] as Path2D;
    path.moveTo(x0, y(i));
    path.lineTo(x1, y(j));
  };
  for (let i = first; i <= last; i++) for (let j = 0; j < n; j++) add(i, j);
  for (let j = first; j <= last; j++) {
    for (let i = 0; i < n; i++) if (i < first || i > last) add(i, j);
  }
  if (n <= CROSSING_UP_TO) {
    // lines from a row above the view to a row below it (or back) cross it too
    for (let i = 0; i < first; i++) for (let j = last + 1; j < n; j++) add(i, j);
    for (let i = last + 1; i < n; i++) for (let j = 0; j < first; j++) add(i, j);
  }
  context.lineWidth = 1.5;
  for (const negative of [0, 1]) {
    context.strokeStyle = tile.signed ? (negative ? colours.negative : colours.positive) : colours.attention;
    for (const on of [0, 1]) {
      for (let b = 1; b < LEVELS; b++) {
        context.globalAlpha = (focused && !on ? 0.12 : 1) * (b / (LEVELS - 1));
        context.stroke(paths[(negative * 2 + on) * LEVELS + b] as Path2D);
      }
    }
  }
  context.globalAlpha = 1;
  const family = getComputedStyle(frame.root).fontFamily;
  context.textBaseline = "middle";
  const maxChars = Math.floor((label - 10) / CHAR_PX);
  for (let i = first; i <= last; i++) {
    const token = shorten(text.tokens[i] ?? "", maxChars);
    const special = text.special[i];
    context.fillStyle = colours.fg;
    context.globalAlpha = special ? 0.5 : 1;
    context.font = `${i === focusRow ? "bold " : ""}11px ${family}`;
    context.textAlign = "right";
    context.fillText(token, left, y(i));
    context.font = `${i === focusColumn ? "bold " : ""}11px ${family}`;
    context.textAlign = "left";
    context.fillText(token, right, y(i));
  }
  canvas.setAttribute("aria-label", `Attention lines between ${n} tokens`);
  return { tile, text, mode: "lines", left, top: 4, cell: ROW_PX, right };
}

function drawMatrix({ canvas, stage, spacer, frame, tile, text, width, pointer, hovered }: Scene): Shown {
  const n = tile.n;
  stage.style.maxHeight = "";
  stage.classList.remove("iw-scrolls");
  spacer.style.height = "0px";
  canvas.style.position = "static";
  canvas.style.top = "0px";
  const w = Math.max(280, width);
  const labelled = Math.min(w * 0.7, MATRIX_MAX_PX) / n >= LABEL_CELL_PX;
  const label = labelled ? Math.min(labelColumn(text.tokens, w, 0.25, 40), 120) : 4;
  const side = Math.max(40, Math.min(w - label - 8, MATRIX_MAX_PX));
  const cell = side / n;
  const context = sizeCanvas(canvas, label + side + 4, label + side + 4);
  const colours = palette(frame.root);
  context.imageSmoothingEnabled = cell < 1;
  context.drawImage(tileImage(tile, colours), label, label, side, side);
  const { row, column } = highlighted(pointer, hovered);
  context.strokeStyle = colours.fg;
  context.lineWidth = 1;
  if (row >= 0 && row < n) context.strokeRect(label + 0.5, label + row * cell + 0.5, side - 1, Math.max(1, cell - 1));
  if (column >= 0 && column < n) context.strokeRect(label + column * cell + 0.5, label + 0.5, Math.max(1, cell - 1), side - 1);
  if (labelled) {
    const family = getComputedStyle(frame.root).fontFamily;
    const maxChars = Math.floor((label - 8) / CHAR_PX);
    context.textBaseline = "middle";
    for (let i = 0; i < n; i++) {
      const token = shorten(text.tokens[i] ?? "", maxChars);
      context.fillStyle = colours.fg;
      context.globalAlpha = text.special[i] ? 0.5 : 1;
      context.font = `${i === row ? "bold " : ""}11px ${family}`;
      context.textAlign = "right";
      context.fillText(token, label - 4, label + (i + 0.5) * cell);
      context.save();
      context.translate(label + (i + 0.5) * cell, label - 4);
      context.rotate(-Math.PI / 2);
      context.font = `${i === column ? "bold " : ""}11px ${family}`;
      context.textAlign = "left";
      context.fillText(token, 0, 0);
      context.restore();
    }
  }
  canvas.setAttribute("aria-label", `Attention matrix of ${n} tokens: rows attend to columns`);
  return { tile, text, mode: "matrix", left: label, top: label, cell, right: label + side };
}

/** What is under the pointer: query i and key j (either may be -1 over a label). */
function hitTest(shown: Shown, x: number, y: number, scroll: number): { i: number; j: number } | null {
  const n = shown.tile.n;
  if (shown.mode === "matrix") {
    const i = Math.floor((y - shown.top) / shown.cell);
    const j = Math.floor((x - shown.left) / shown.cell);
    if (x < shown.left && i >= 0 && i < n) return { i, j: -1 };
    if (y < shown.top && j >= 0 && j < n) return { i: -1, j };
    return i >= 0 && i < n && j >= 0 && j < n ? { i, j } : null;
  }
  const row = Math.floor((y + scroll - shown.top) / shown.cell);
  if (row < 0 || row >= n) return null;
  if (x <= shown.left + 4) return { i: row, j: -1 };
  if (x >= shown.right - 4) return { i: -1, j: row };
  return null;
}

function tooltipLines(shown: Shown, { i, j }: { i: number; j: number }): Array<[string, string]> {
  const { tile, text } = shown;
  const name = (t: number) => `${text.tokens[t] ?? ""} (#${t})`;
  if (i >= 0 && j >= 0) {
    // printed at the tile's quantisation step: uint8 holds no more than that
    return [["query", name(i)], ["key", name(j)], ["weight", formatAt(tileValue(tile, i, j), tile.scale)]];
  }
  const token = i >= 0 ? i : j;
  let top = 0;
  let best = -Infinity;
  for (let t = 0; t < tile.n; t++) {
    const value = i >= 0 ? tileValue(tile, i, t) : tileValue(tile, t, j);
    if (value > best) {
      best = value;
      top = t;
    }
  }
  return i >= 0
    ? [["token", name(token)], ["reads most", `${name(top)}: ${formatNumber(best, 3)}`]]
    : [["token", name(token)], ["read most by", `${name(top)}: ${formatNumber(best, 3)}`]];
}

const DESCRIPTIONS: Record<string, string> = {
  head: "each token (left) to the tokens it attends to (right)",
  mean: "the mean of the layer's heads",
  rollout: "attention rolled out from the input through this layer (residual 0.5): how much of each input token reaches each token",
  flow: "attention flow: the maximum flow from each input token to each token through this layer",
  value_weighted: "‖Σ_h α·f(x)‖: the norm of what the layer's heads together move from each token (Kobayashi et al. 2020)",
  gradient_weighted: "each weight times the gradient of the explained class's logit with respect to it (mean of heads)",
};

function describe(frame: Frame, input: AttentionDraw, tile: Tile, mode: string): void {
  const { layer, head, kind, data } = input;
  const root = frame.root;
  root.dataset.layer = String(layer);
  root.dataset.head = String(head);
  root.dataset.kind = kind;
  root.dataset.mode = mode;
  root.dataset.tokens = String(tile.n);
  root.dataset.hovered = String(input.hovered);
  const explained = kind === "gradient_weighted" ? (input.output === null ? " of the predicted class" : ` of class ${input.output}`) : "";
  const what = kind === "head" ? `Layer ${layer}, head ${head} of ${data.get("n_heads")}` : `Layer ${layer}, ${KIND_LABELS[kind]}${explained}`;
  const scale = tile.signed ? `colours: −${formatNumber(tile.peak)} … +${formatNumber(tile.peak)}` : `${mode === "lines" ? "line opacity" : "colour"}: weight ÷ ${formatNumber(tile.peak)} (the largest)`;
  const description = kind === "head" && mode === "matrix" ? "row i: how token i spreads its attention over the tokens (columns)" : (DESCRIPTIONS[kind] ?? kind);
  const reading = mode === "matrix" ? " Hover a cell for its tokens." : " Lines under 1/16 of the largest are not drawn.";
  frame.caption.replaceChildren(html("div", {}, `${what}: ${description}.`), html("div", {}, `${tile.n} tokens · ${scale}.${reading}`));
}

export default { render };

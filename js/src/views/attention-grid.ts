// AttentionGrid: every layer × head as a thumbnail, and under them one row per derived map (mean of heads, rollout,
// value-weighted, gradient-weighted, flow), one thumbnail per layer. A click selects what the attention view shows.
// Thumbnails are averaged down in Python (at most 32 × 32 cells each) and come in one reply per map kind.
import type { RenderProps } from "@anywidget/types";
import { KIND_LABELS, ON_REQUEST, type Thumbnails } from "../lib/attention-data";
import { thumbnailAtlas } from "../lib/attention-paint";
import { sizeCanvas } from "../lib/canvas";
import { type AttentionDraw, type AttentionViewTraits, mountAttention } from "../lib/attention-view";
import { type Disposer, html } from "../lib/dom";
import { formatNumber } from "../lib/format";
import { type Frame, hideTooltip, showStatus, showTooltip } from "../lib/frame";
import type { SelectionSource } from "../lib/selection";
import { palette } from "../lib/theme";

const LABEL_PX = 56;
const HEADER_PX = 16;
const GAP_PX = 3;
const MIN_CELL = 18;
const MAX_CELL = 64;

interface Geometry {
  cell: number;
  columns: number;
  rows: number;
}

interface Row {
  kind: string;
  element: HTMLDivElement;
  canvas: HTMLCanvasElement;
  button: HTMLButtonElement;
  /** why this row has no thumbnails (its map failed or is refused at this size): the other rows still draw */
  note: HTMLDivElement;
  geometry: Geometry | null;
  thumbnails: Thumbnails | null;
}

function render(props: RenderProps<AttentionViewTraits>): () => void {
  return mountAttention(props, {
    name: "AttentionGrid",
    className: "iw-attention-grid",
    options: [],
    setup(host) {
      const { frame, disposer } = host;
      const heads = html("canvas", { class: "iw-grid-heads", role: "img", tabindex: 0 });
      const derived = html("div", { class: "iw-grid-derived" });
      const derivedHeader = html("div", { class: "iw-grid-derived-title" }, "One map per layer, from the weights of every head:");
      derived.append(derivedHeader);
      frame.plot.append(heads, derived);
      const rows = new Map<string, Row>();
      /** on-request kinds the reader asked for, per instance: they stay computed when the selection moves */
      const asked = new Set<string>();
      let headGeometry: Geometry | null = null;
      let headThumbnails: Thumbnails | null = null;
      let current: AttentionDraw | null = null;

      const select = (patch: Parameters<SelectionSource["select"]>[0]) => host.selection().select(patch);
      pointerOn(heads, frame, disposer, () => headGeometry, (r, c) => {
        const peak = headThumbnails ? headThumbnails.peaks[r * headThumbnails.columns + c] : undefined;
        return [["layer", String(r)], ["head", String(c)], ...(peak === undefined ? [] : [["largest weight", formatNumber(peak, 3)] as [string, string]]), ["click", "show it"]];
      }, (r, c) => select({ layer: r, head: c, map_kind: "head" }));

      const rowFor = (kind: string): Row => {
        let row = rows.get(kind);
        if (row) return row;
        const element = html("div", { class: "iw-grid-row", "data-kind": kind });
        const title = html("span", { class: "iw-grid-row-label" }, KIND_LABELS[kind] ?? kind);
        const canvas = html("canvas", { class: "iw-grid-row-canvas", role: "img", tabindex: 0 });
        const button = html("button", { type: "button", class: "iw-grid-compute" }, `compute ${KIND_LABELS[kind] ?? kind}`);
        const note = html("div", { class: "iw-grid-row-note", role: "status", hidden: "" });
        element.append(title, canvas, button, note);
        derived.append(element);
        const made: Row = { kind, element, canvas, button, note, geometry: null, thumbnails: null };
        row = made;
        rows.set(kind, made);
        disposer.listen(button, "click", () => {
          asked.add(`${current?.instance ?? 0}:${kind}`);
          host.redraw();
        });
        pointerOn(canvas, frame, disposer, () => made.geometry, (_r, c) => {
          const peak = made.thumbnails?.peaks[c];
          return [["layer", String(c)], ["map", KIND_LABELS[kind] ?? kind], ...(peak === undefined ? [] : [["largest value", formatNumber(peak, 3)] as [string, string]]), ["click", "show it"]];
        }, (_r, c) => select({ layer: c, map_kind: kind }));
        return made;
      };

      return (input: AttentionDraw) => {
        current = input;
        const { data, requests, instance, layer, head, kind, width, output } = input;
        const nLayers = data.get("n_layers");
        const nHeads = data.get("n_heads");
        const colours = palette(frame.root);
        const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((Math.max(280, width) - LABEL_PX) / Math.max(nHeads, nLayers)) - GAP_PX));
        const waiting: string[] = [];

        const lookup = requests.thumbnails("heads", instance, "head");
        if (lookup.status === "error") throw new Error(lookup.message);
        headGeometry = { cell, columns: nHeads, rows: nLayers };
        headThumbnails = lookup.status === "ready" ? lookup.value : null;
        if (lookup.status === "pending") waiting.push("the heads");
        paintGrid(heads, frame, headGeometry, headThumbnails, colours, kind === "head" ? { row: layer, column: head } : null, "head");
        heads.setAttribute("aria-label", `Attention of ${nLayers} layers × ${nHeads} heads; layer ${layer}, head ${head} selected`);

        for (const k of data.get("kinds")) {
          if (k === "head") continue;
          const row = rowFor(k);
          // a costly map is computed when asked for here, or when the selection shows it (another view asked)
          const wanted = !ON_REQUEST.has(k) || asked.has(`${instance}:${k}`) || kind === k;
          row.button.hidden = wanted;
          row.canvas.hidden = !wanted;
          row.note.hidden = true;
          row.geometry = { cell, columns: nLayers, rows: 1 };
          if (!wanted) {
            row.thumbnails = null;
            requests.drop(k);
            continue;
          }
          const result = requests.thumbnails(k, instance, k, output);
          row.note.hidden = result.status !== "error";
          row.note.textContent = result.status === "error" ? result.message : "";
          row.canvas.hidden = result.status === "error";
          if (result.status === "error") continue;
          row.thumbnails = result.status === "ready" ? result.value : null;
          if (result.status === "pending") waiting.push(KIND_LABELS[k] ?? k);
          paintGrid(row.canvas, frame, row.geometry, row.thumbnails, colours, kind === k ? { row: 0, column: layer } : null, k);
        }
        for (const [k, row] of rows) row.element.hidden = !data.get("kinds").includes(k);
        showStatus(frame, waiting.length ? `Computing ${waiting.join(", ")}…` : null);
        const root = frame.root;
        root.dataset.layer = String(layer);
        root.dataset.head = String(head);
        root.dataset.kind = kind;
        frame.caption.replaceChildren(
          html("div", {}, `${nLayers} layers × ${nHeads} heads. Each thumbnail is scaled to its own largest weight (colour ∝ √weight, so that weak weights show); click one to show it.`),
        );
      };
    },
  });
}

/** Tooltips and clicks on a grid of thumbnails: `at(row, column)` says what the tooltip shows. */
function pointerOn(
  canvas: HTMLCanvasElement,
  frame: Frame,
  disposer: Disposer,
  geometry: () => Geometry | null,
  lines: (row: number, column: number) => Array<[string, string]>,
  click: (row: number, column: number) => void,
): void {
  const cellAt = (event: PointerEvent | MouseEvent): [number, number] | null => {
    const g = geometry();
    if (!g) return null;
    const box = canvas.getBoundingClientRect();
    const x = event.clientX - box.left - LABEL_PX;
    const y = event.clientY - box.top - HEADER_PX;
    const column = Math.floor(x / (g.cell + GAP_PX));
    const row = Math.floor(y / (g.cell + GAP_PX));
    return x >= 0 && y >= 0 && column < g.columns && row < g.rows ? [row, column] : null;
  };
  disposer.listen(canvas, "pointermove", (event: PointerEvent) => {
    const at = cellAt(event);
    if (at) showTooltip(frame, lines(at[0], at[1]), event.clientX, event.clientY);
    else hideTooltip(frame);
    canvas.style.cursor = at ? "pointer" : "default";
  });
  disposer.listen(canvas, "pointerleave", () => hideTooltip(frame));
  disposer.listen(canvas, "click", (event: MouseEvent) => {
    const at = cellAt(event);
    if (at) click(at[0], at[1]);
  });
}

function paintGrid(
  canvas: HTMLCanvasElement,
  frame: Frame,
  g: Geometry,
  thumbnails: Thumbnails | null,
  colours: ReturnType<typeof palette>,
  selected: { row: number; column: number } | null,
  kind: string,
): void {
  const step = g.cell + GAP_PX;
  const context = sizeCanvas(canvas, LABEL_PX + g.columns * step, HEADER_PX + g.rows * step);
  const family = getComputedStyle(frame.root).fontFamily;
  context.font = `10px ${family}`;
  context.fillStyle = colours.fg;
  context.textBaseline = "middle";
  context.textAlign = "center";
  // one header label per column, thinned out where the cells are too narrow for every number
  const every = Math.max(1, Math.ceil(22 / step));
  for (let c = 0; c < g.columns; c += every) context.fillText(kind === "head" ? `h${c}` : `L${c}`, LABEL_PX + c * step + g.cell / 2, HEADER_PX / 2);
  context.textAlign = "right";
  for (let r = 0; r < g.rows; r++) {
    if (kind === "head") context.fillText(`layer ${r}`, LABEL_PX - 6, HEADER_PX + r * step + g.cell / 2);
  }
  const atlas = thumbnails ? thumbnailAtlas(thumbnails, colours) : null;
  context.imageSmoothingEnabled = false;
  context.strokeStyle = colours.border;
  context.lineWidth = 1;
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.columns; c++) {
      const x = LABEL_PX + c * step;
      const y = HEADER_PX + r * step;
      if (atlas && thumbnails) {
        const size = thumbnails.size;
        const [sr, sc] = thumbnails.rows === g.rows ? [r, c] : [c, 0]; // a derived map: one thumbnail per layer
        context.drawImage(atlas, sc * size, sr * size, size, size, x, y, g.cell, g.cell);
      }
      context.strokeRect(x + 0.5, y + 0.5, g.cell - 1, g.cell - 1);
    }
  }
  if (selected) {
    context.strokeStyle = colours.fg;
    context.lineWidth = 2;
    context.strokeRect(LABEL_PX + selected.column * step - 1, HEADER_PX + selected.row * step - 1, g.cell + 2, g.cell + 2);
  }
  canvas.dataset.selected = selected ? `${selected.row},${selected.column}` : "";
  canvas.dataset.cell = String(g.cell);
}

export default { render };

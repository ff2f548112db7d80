// ProbeView's link between the bqplot figure and the selection, in the browser: a click on a layer's point is one
// update of the selection's `layer` (attention views beside it follow), and the selected layer is highlighted from the
// selection. A probed layer that stands for no layer of the selection (the embeddings) is highlighted here only. Its
// view is the caption: the selected layer's numbers, selectivity first.
import type { AnyModel, RenderProps } from "@anywidget/types";
import { type BqModel, interceptClicks } from "../lib/bqplot";
import { Disposer, html } from "../lib/dom";
import { formatNumber } from "../lib/format";
import { keepLocal, type Model, resolveRef, watch } from "../lib/model";
import { SelectionSource } from "../lib/selection";
import { onThemeChange, palette, themeProbe } from "../lib/theme";

interface LayerRow {
  name: string;
  /** the selection's layer this probed layer stands for, or -1 */
  target: number;
  accuracy: number | null;
  accuracy_std: number | null;
  control_accuracy: number | null;
  control_std: number | null;
  selectivity: number | null;
}

interface LinkTraits {
  selection: string;
  points: string;
  highlight: string;
  layers: LayerRow[];
  chance: number;
  error: string;
  /** browser-only: the probed layer highlighted (its index), for the caption */
  iw_shown?: number;
}

const SHOWN = "iw_shown";

/** The probed layer to highlight: the one clicked when it stands for no selection layer, else the selection's. */
export function shownLayer(layers: readonly LayerRow[], selected: number, clicked: number | null): number {
  if (clicked !== null && (layers[clicked]?.target ?? -1) < 0) return clicked;
  return layers.findIndex((row) => row.target === selected);
}

function initialize({ model }: { model: AnyModel<LinkTraits> }): () => void {
  const disposer = new Disposer();
  const linked = new Disposer();
  let clicked: number | null = null;
  let resolving = 0;
  let parts: { selection: SelectionSource; points: BqModel; highlight: Model } | null = null;

  const update = () => {
    if (!parts) return;
    const layers = model.get("layers") ?? [];
    const index = shownLayer(layers, parts.selection.index("layer"), clicked);
    const x = parts.points.get("x") as ArrayLike<number>;
    const y = parts.points.get("y") as ArrayLike<number>;
    parts.highlight.set("x", new Float64Array(index >= 0 ? [x[index] as number] : []));
    parts.highlight.set("y", new Float64Array(index >= 0 ? [y[index] as number] : []));
    // bqplot takes colour values, not CSS variables: the theme's text colour, so the ring shows on dark themes
    parts.highlight.set("colors", [palette(themeProbe(), true).fg]);
    model.set(SHOWN, index);
  };

  const resolve = async () => {
    const version = ++resolving;
    const [selection, points, highlight] = await Promise.all(
      (["selection", "points", "highlight"] as const).map((name) => resolveRef(model as unknown as Model, model.get(name))),
    );
    if (version !== resolving || !selection || !points || !highlight) return;
    linked.dispose();
    const chosen = new SelectionSource(selection);
    parts = { selection: chosen, points: points as BqModel, highlight };
    interceptClicks(
      parts.points,
      (index) => {
        const target = model.get("layers")?.[index]?.target ?? -1;
        clicked = index;
        if (target >= 0) chosen.select({ layer: target });
        update();
      },
      linked,
    );
    // drawn from the selection here, and bqplot's hover state: nothing sent back
    keepLocal(highlight, ["x", "y", "hovered_point", "colors"], linked);
    keepLocal(points, ["hovered_point"], linked);
    watch(selection, ["layer"], () => {
      clicked = null;
      update();
    }, linked);
    update();
  };

  watch(model as unknown as Model, ["selection", "points", "highlight"], () => void resolve(), disposer);
  watch(model as unknown as Model, ["layers"], update, disposer);
  onThemeChange(update, disposer);
  void resolve();
  return () => {
    resolving++;
    linked.dispose();
    disposer.dispose();
  };
}

function render({ model, el }: RenderProps<LinkTraits>): () => void {
  const disposer = new Disposer();
  const root = html("div", { class: "iw-root iw-probe" });
  const caption = html("div", { class: "iw-caption", role: "status" });
  const error = html("div", { class: "iw-error", role: "alert", hidden: "" });
  root.append(error, caption);
  el.replaceChildren(root);
  const show = () => {
    const layers = model.get("layers") ?? [];
    const index = model.get(SHOWN) ?? -1;
    const row = layers[index];
    const chance = model.get("chance");
    const lines = [
      `Probe accuracy per layer (a linear classifier on each layer's representation, cross-validated; bars: ± one standard deviation over the folds), beside the control task (each input type given a random label) and chance (${percent(chance)}).`,
    ];
    if (row) {
      const control = row.control_accuracy === null ? "" : `, control task ${percent(row.control_accuracy)}`;
      const selectivity = row.selectivity === null ? "" : `selectivity ${formatNumber(100 * row.selectivity, 3)} points: `;
      lines.unshift(`${row.name}: ${selectivity}probe ${percent(row.accuracy)} ± ${percent(row.accuracy_std)}${control}.`);
    }
    lines.push("High accuracy says the property can be decoded from the layer, not that the model uses it; low selectivity says the probe memorises (when input types repeat: with every input unique, the control task sits at chance).");
    caption.replaceChildren(...lines.map((line) => html("div", {}, line)));
    root.dataset.layer = String(index);
    const text = model.get("error") ?? "";
    error.textContent = text;
    error.hidden = !text;
  };
  watch(model as unknown as Model, [SHOWN, "layers", "chance", "error"], show, disposer);
  show();
  return () => {
    disposer.dispose();
    el.replaceChildren();
  };
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? "—" : `${formatNumber(100 * value, 3)} %`;
}

export default { initialize, render };

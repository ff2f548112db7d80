// DependencePlot's link between the bqplot figure and the selection, in the browser. `initialize` runs once per
// model whether or not a view shows it (and in an exported page, with no kernel): it fills the scatter from the
// shared, decoded data (nothing is sent twice), follows the selection (feature, output, instance) and turns a click
// on a dot into one selection update. Its view is the caption under the figure: what the colour means, or that the
// strongest interaction is still being found.
import type { AnyModel, RenderProps } from "@anywidget/types";
import { attributionOf, type DataTraits } from "../lib/attribution";
import { type BqModel, interceptClicks } from "../lib/bqplot";
import { Disposer, html } from "../lib/dom";
import { keepLocal, type Model, resolveRef, watch } from "../lib/model";
import { Coalescer, Memo } from "../lib/schedule";
import { extent, niceTicks } from "../lib/scale";
import { SelectionSource } from "../lib/selection";
import { SharedRequests } from "../lib/shared-requests";
import { robustRange } from "../lib/colors";
import { type LegendSpec, rampLegend } from "../lib/legend";
import { onThemeChange, palette, themeProbe } from "../lib/theme";
import { message } from "../lib/view";

interface LinkTraits {
  data: string;
  selection: string;
  scatter: string;
  highlight: string;
  x_axis: string;
  y_axis: string;
  colour_scale: string;
  figure: string;
  /** "auto": the strongest interaction, found on request; "fixed": `interaction`; "none": no colour */
  colour_mode: "auto" | "fixed" | "none";
  interaction: number | null;
  /** browser-only: what the caption says and the colour drawn (set by initialize, read by the views) */
  iw_caption?: string;
  iw_error?: string;
  iw_interaction?: number | null;
  iw_instance?: number | null;
  iw_legend?: LegendSpec | null;
}


const CAPTION = "iw_caption";
const ERROR = "iw_error";
const DRAWN = "iw_interaction";
const HIGHLIGHTED = "iw_instance";
const LEGEND = "iw_legend";
/** Beyond this many instances the scatter shows a fixed random sample: bqplot draws one SVG node per dot. */
export const MAX_POINTS = 5000;

/** The instances shown, ascending: every one, or a fixed random sample of MAX_POINTS (the same on every page). */
export function sampleOf(n: number, limit = MAX_POINTS): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (n <= limit) return all;
  let seed = 0x9e3779b9;
  const random = () => {
    // mulberry32: a small seeded generator, so that every page samples the same dots
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < limit; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = all[i] as number;
    all[i] = all[j] as number;
    all[j] = t;
  }
  return all.slice(0, limit).sort();
}

/** Position of `instance` in the ascending `shown`, or -1. */
function positionOf(shown: Int32Array, instance: number): number {
  let lo = 0;
  let hi = shown.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const value = shown[mid] as number;
    if (value === instance) return mid;
    if (value < instance) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Each link's theme step, for its views to run once they show (and the stylesheet has loaded). */
const rethemes = new WeakMap<object, () => void>();

function initialize({ model }: { model: AnyModel<LinkTraits> }): () => void {
  const disposer = new Disposer();
  const linked = new Disposer();
  const holder = {};
  let requests: SharedRequests | null = null;
  let parts: {
    data: Model<DataTraits>;
    selection: SelectionSource;
    scatter: BqModel;
    highlight: Model;
    x: Model;
    y: Model;
    colour: Model;
    figure: Model;
  } | null = null;
  let themed = () => {};
  let resolving = 0;
  let shown: Int32Array = new Int32Array(0);
  let colourRange: [number, number] | null = null;
  // what the scatter's arrays were drawn for: a click changes the highlighted dot only
  const drawn = new Memo<string[]>();
  const say = (caption: string, error = "", interaction: number | null = null, highlighted: number | null = null, legend: LegendSpec | null = null) => {
    model.set(LEGEND, legend);
    model.set(DRAWN, interaction);
    model.set(HIGHLIGHTED, highlighted);
    model.set(CAPTION, caption);
    model.set(ERROR, error);
  };

  const update = () => {
    if (!parts) return;
    const { data, selection, scatter, highlight, x, y } = parts;
    try {
      const a = attributionOf(data);
      const feature = selection.index("feature");
      const output = selection.index("output");
      a.check(0, output);
      if (!(feature >= 0 && feature < a.nFeatures)) throw new Error(`feature ${feature} is out of range: the data has ${a.nFeatures} features`);
      if (!a.data) throw new Error("the dependence plot needs the feature values: the attribution has none");
      const n = a.nRows;
      if (shown.length !== Math.min(n, MAX_POINTS)) shown = sampleOf(n);
      const column = (j: number) => {
        const out = new Float32Array(shown.length);
        shown.forEach((i, p) => {
          out[p] = a.data?.[i * a.nFeatures + j] as number;
        });
        return out;
      };
      const contribution = () => {
        const out = new Float32Array(shown.length);
        shown.forEach((i, p) => {
          out[p] = a.contribution(i, feature, output);
        });
        return out;
      };
      const mode = model.get("colour_mode");
      let interaction: number | null = mode === "fixed" ? model.get("interaction") : null;
      let caption = "";
      if (mode === "auto" && requests) {
        const lookup = requests.want(holder, `interaction:${feature}:${output}`, "interaction", { feature, output }, (content) => content.interaction as number | null, coalesced.request);
        if (lookup.status === "ready") {
          interaction = lookup.value;
          caption = interaction === null
            ? "No other feature to colour by."
            : `Colour: ${a.featureName(interaction)}, the feature whose values best explain the spread of this feature's contributions (shap's approximate_interactions: binned correlations, not Shapley interaction values).`;
        } else if (lookup.status === "pending") {
          caption = `Colour: finding the feature that interacts most with ${a.featureName(feature)}…`;
        } else {
          caption = `Colour: the interaction search failed (${lookup.message}); points are not coloured.`;
        }
      } else if (mode === "fixed" && interaction !== null) {
        caption = `Colour: ${a.featureName(interaction)}.`;
      }
      const instance = selection.index("instance");
      const position = positionOf(shown, instance);
      if (shown.length < n) {
        const sampled = `A fixed random sample of ${shown.length.toLocaleString("en")} of the ${n.toLocaleString("en")} instances is drawn`;
        caption = `${sampled}${position < 0 ? `; instance ${instance} is not among them` : ""}. ${caption}`;
      }
      // the colour values clipped at their robust range, as the beeswarm's: one outlier must not wash out every
      // other dot (clipped here, not with the scale's min/max, which bqplot's scatter does not follow)
      const arrays = drawn.get([a, feature, output, interaction, shown], () => {
        const colours = interaction === null ? null : column(interaction);
        colourRange = colours ? robustRange(colours) : null;
        if (colours && colourRange) {
          const [lo, hi] = colourRange;
          for (let i = 0; i < colours.length; i++) colours[i] = Math.min(hi, Math.max(lo, colours[i] as number));
        }
        const xs = column(feature);
        const ys = contribution();
        return [
          () => scatter.set("x", xs),
          () => scatter.set("y", ys),
          // round ticks, few enough for a narrow figure: bqplot's own are d3's ten, or evenly spaced with num_ticks
          () => x.set("tick_values", ticksOf(xs, 5)),
          () => y.set("tick_values", ticksOf(ys, 6)),
          () => scatter.set("color", colours),
          () => x.set("label", `${a.featureName(feature)} (feature value)`),
          () => y.set("label", `contribution to ${a.outputName(output)}`),
        ].flatMap(attempt);
      });
      const legend: LegendSpec | null = interaction === null ? null : { label: `colour: ${a.featureName(interaction)}`, range: colourRange, missing: false };
      const at = (values: Float32Array) => new Float32Array(position >= 0 ? [values[position] as number] : []);
      const failures = [
        ...arrays,
        ...attempt(() => highlight.set("x", at(scatter.get("x") as Float32Array))),
        ...attempt(() => highlight.set("y", at(scatter.get("y") as Float32Array))),
      ];
      const problem = failures.length ? `bqplot could not draw a part of the plot: ${failures.join("; ")}` : "";
      say(caption, problem, interaction, position >= 0 ? instance : null, legend);
    } catch (error) {
      say("", `DependencePlot could not draw: ${message(error)}`);
    }
  };
  const coalesced = new Coalescer(update);

  const resolve = async () => {
    const version = ++resolving;
    try {
      const names = ["data", "selection", "scatter", "highlight", "x_axis", "y_axis", "colour_scale", "figure"] as const;
      const models = await Promise.all(names.map((name) => resolveRef(model as unknown as Model, model.get(name))));
      if (version !== resolving) return;
      if (models.some((m) => m === null)) throw new Error("a part of the plot is missing");
      const [data, selection, scatter, highlight, x, y, colour, figure] = models as Model[];
      linked.dispose();
      drawn.clear(); // new bqplot models have none of our arrays yet
      requests?.drop(holder);
      requests?.release();
      requests = SharedRequests.acquire(data as Model);
      parts = {
        data: data as Model<DataTraits>,
        selection: new SelectionSource(selection as Model),
        scatter: scatter as BqModel,
        highlight: highlight as Model,
        x: x as Model,
        y: y as Model,
        colour: colour as Model,
        figure: figure as Model,
      };
      const chosen = parts.selection;
      interceptClicks(
        parts.scatter,
        (index) => {
          const instance = shown[index] ?? -1;
          if (instance >= 0) chosen.select({ instance });
        },
        linked,
      );
      // drawn here from the shared data: never sent back (and bqplot's hover stays off the wire too)
      keepLocal(parts.scatter, ["x", "y", "color", "hovered_point"], linked);
      keepLocal(parts.highlight, ["x", "y", "hovered_point", "colors"], linked);
      // bqplot takes colour values, not CSS variables: the theme's colours are set here, and again when it changes
      const current = parts;
      themed = () => {
        const colours = palette(themeProbe(), true); // read afresh: the stylesheet may have loaded since
        const text = colours.fg;
        attempt(() => current.highlight.set("colors", [text]));
        attempt(() => current.colour.set("colors", [colours.negative, colours.mid, colours.positive]));
        for (const axis of [current.x, current.y]) attempt(() => axis.set("label_color", text));
      };
      themed();
      rethemes.set(model, themed);
      keepLocal(parts.colour, ["colors"], linked);
      for (const part of [parts.x, parts.y]) keepLocal(part, ["label", "label_color", "tick_values"], linked);
      (data as Model).on("change", coalesced.request);
      linked.add(() => (data as Model).off("change", coalesced.request));
      watch(selection as Model, ["feature", "output", "instance"], coalesced.request, linked);
      coalesced.request();
    } catch (error) {
      if (version === resolving) say("", `DependencePlot could not load its parts: ${message(error)}`);
    }
  };

  watch(model as unknown as Model, ["data", "selection", "scatter", "highlight", "x_axis", "y_axis", "colour_scale", "figure"], () => void resolve(), disposer);
  onThemeChange(() => themed(), disposer);
  watch(model as unknown as Model, ["colour_mode", "interaction"], coalesced.request, disposer);
  void resolve();
  return () => {
    resolving++;
    rethemes.delete(model);
    coalesced.dispose();
    linked.dispose();
    requests?.drop(holder);
    requests?.release();
    disposer.dispose();
  };
}

/** Round tick values across the extent of `values` (what bqplot's linear scale spans by default). */
function ticksOf(values: Float32Array, count: number): number[] {
  const [lo, hi] = extent(values);
  return niceTicks(lo, hi, count);
}

/** Run one change of a bqplot model: its listeners draw synchronously, and one that throws must not stop the rest. */
function attempt(change: () => unknown): string[] {
  try {
    change();
    return [];
  } catch (error) {
    return [message(error)];
  }
}

function render({ model, el }: RenderProps<LinkTraits>): () => void {
  const disposer = new Disposer();
  const caption = html("div", { class: "iw-caption iw-dependence-caption", role: "status" });
  const error = html("div", { class: "iw-error", role: "alert", hidden: "" });
  const root = html("div", { class: "iw-root iw-dependence" });
  root.append(error, caption);
  el.replaceChildren(root);
  const legend = html("div", { class: "iw-dependence-legend" });
  root.prepend(legend);
  const show = () => {
    const spec = model.get(LEGEND);
    legend.replaceChildren(...(spec ? [rampLegend(spec)] : []));
    caption.textContent = model.get(CAPTION) ?? "";
    const text = model.get(ERROR) ?? "";
    error.textContent = text;
    error.hidden = !text;
    const interaction = model.get(DRAWN);
    root.dataset.interaction = interaction === null || interaction === undefined ? "" : String(interaction);
    const highlighted = model.get(HIGHLIGHTED);
    root.dataset.instance = highlighted === null || highlighted === undefined ? "" : String(highlighted);
  };
  watch(model as unknown as Model, [CAPTION, ERROR, DRAWN, HIGHLIGHTED, LEGEND], show, disposer);
  rethemes.get(model)?.(); // the stylesheet is surely loaded once a view shows
  show();
  return () => {
    disposer.dispose();
    el.replaceChildren();
  };
}

export default { initialize, render };

// HonestyPanel's view: for the selected instance, class and method, the agreement between the explorer's methods,
// the deletion and insertion curves (drawn into the panel's bqplot lines here, never sent back) with their areas
// beside chance, and the baseline switcher. Everything comes on request from the panel's data widget.
import type { RenderProps } from "@anywidget/types";
import { agreementTable, methodLabel, readAgreement } from "../lib/agreement";
import { type ArrayPayload, decode } from "../lib/codecs";
import { selectControl } from "../lib/controls";
import { Disposer, html } from "../lib/dom";
import { formatNumber } from "../lib/format";
import { showStatus } from "../lib/frame";
import { palette } from "../lib/theme";
import { keepLocal, type Model, resolveRef, type Traits } from "../lib/model";
import type { Params } from "../lib/requests";
import { mountRequestView, type RequestViewTraits } from "../lib/request-view";
import { PurposeRequests, type Lookup, type SharedRequests } from "../lib/shared-requests";

interface HonestyTraits extends Traits {
  n_instances: number;
  methods: string[];
  output_names: string[];
  unit: string;
  gradient_method: string;
  baselines: string[];
}

interface ViewTraits extends RequestViewTraits {
  lines: string[];
  y_scale: string;
}

interface Curves {
  method: string;
  fractions: Float32Array;
  deletion: Float32Array;
  insertion: Float32Array;
  randomDeletion: Float32Array;
  randomInsertion: Float32Array;
  deletionAuc: number;
  insertionAuc: number;
  randomDeletionAuc: number;
  randomInsertionAuc: number;
  unit: string;
  nUnits: number;
  baseline: string;
  nRandom: number;
}

interface Moved {
  spearman: number;
  /** Pearson's correlation of the signed values */
  signed: number;
  topOverlap: number;
  topFraction: number;
  totalFirst: number;
  totalOther: number;
}

function array(content: Params, key: string): Float32Array {
  return decode(content[key] as ArrayPayload).data as Float32Array;
}

export function readCurves(content: Params): Curves {
  return {
    method: String(content.method ?? ""),
    fractions: array(content, "fractions"),
    deletion: array(content, "deletion"),
    insertion: array(content, "insertion"),
    randomDeletion: array(content, "random_deletion"),
    randomInsertion: array(content, "random_insertion"),
    deletionAuc: Number(content.deletion_auc),
    insertionAuc: Number(content.insertion_auc),
    randomDeletionAuc: Number(content.random_deletion_auc),
    randomInsertionAuc: Number(content.random_insertion_auc),
    unit: String(content.unit ?? "feature"),
    nUnits: Number(content.n_units ?? 0),
    baseline: String(content.baseline ?? ""),
    nRandom: Number(content.n_random ?? 0),
  };
}

/** A number of a reply; null (Python's NaN) stays NaN. */
function numberOf(value: unknown): number {
  return value === null || value === undefined ? Number.NaN : Number(value);
}

function readMoved(content: Params): Moved {
  return {
    spearman: numberOf(content.spearman),
    signed: numberOf(content.pearson_signed),
    topOverlap: numberOf(content.top_overlap),
    topFraction: numberOf(content.top_fraction),
    totalFirst: numberOf(content.total_first),
    totalOther: numberOf(content.total_other),
  };
}

class HonestyRequests extends PurposeRequests {
  agreement(instance: number, output: number) {
    return this.want("agreement", `agreement:${instance}:${output}`, "agreement", { instance, output }, readAgreement);
  }

  curves(instance: number, output: number, method: string): Lookup<Curves> {
    return this.want("curves", `curves:${instance}:${output}:${method}`, "curves", { instance, output, method }, readCurves);
  }

  baseline(instance: number, output: number, baseline: string): Lookup<Moved> {
    return this.want("baseline", `baseline:${instance}:${output}:${baseline}`, "baseline", { instance, output, baseline }, readMoved);
  }
}

/** What the curves say, in words: each area beside chance's, and whether the order beats chance. */
export function curvesVerdict(curves: Curves, method: string): string[] {
  const deletes = curves.deletionAuc < curves.randomDeletionAuc;
  const inserts = curves.insertionAuc > curves.randomInsertionAuc;
  let low = Infinity;
  let high = -Infinity;
  for (const series of [curves.deletion, curves.insertion, curves.randomDeletion, curves.randomInsertion]) {
    for (const v of series) {
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
  }
  // a saturated output (a probability of 1 whatever is removed) moves no curve: nothing to tell apart
  const flat = !(high - low > 1e-6 * Math.max(1, Math.abs(high)));
  const verdict = flat
    ? `The output does not move as ${curves.unit}s are removed or inserted: these curves cannot tell ${method} from chance for this instance.`
    : deletes && inserts
      ? `The order of ${method} beats chance both ways.`
      : !deletes && !inserts
        ? `The order of ${method} does no better than chance either way: its picture may not be what the model uses.`
        : `The order of ${method} beats chance one way only (${deletes ? "deletion" : "insertion"}).`;
  return [
    `Removing ${curves.unit}s most important first (${curves.nUnits} in all; a removed ${curves.unit} shows the baseline: ${curves.baseline}): area ${formatNumber(curves.deletionAuc)} against ${formatNumber(curves.randomDeletionAuc)} for random orders (lower is more faithful).`,
    `Inserting them over the baseline: area ${formatNumber(curves.insertionAuc)} against ${formatNumber(curves.randomInsertionAuc)} (higher is more faithful). Random: the mean of ${curves.nRandom} orders.`,
    verdict,
  ];
}

function render(props: RenderProps<ViewTraits>): () => void {
  const lineModels: Model[] = [];
  const lineDisposer = new Disposer();
  let resolving = 0;
  return mountRequestView<ViewTraits, HonestyTraits, HonestyRequests>(props, {
    name: "HonestyPanel",
    className: "iw-honesty",
    options: [],
    follows: ["instance", "output", "method"],
    requests: (_data, shared: SharedRequests, settled) => new HonestyRequests(shared, settled),
    setup(host) {
      const { frame, disposer, model } = host;
      const agreement = html("section", { class: "iw-honesty-agreement" });
      const curvesText = html("section", { class: "iw-caption iw-honesty-curves" });
      // the curves' legend: bqplot's own box covers the lines in a narrow figure
      const legend = html("div", { class: "iw-legend-row iw-honesty-legend" });
      for (const [label, hue, dashed] of [["deletion", "negative", false], ["insertion", "positive", false], ["dashed: random orders", "muted", true]] as const) {
        const swatch = html("span", { class: `iw-line-swatch${dashed ? " iw-line-dashed" : ""}` });
        swatch.style.borderTopColor = `var(--iw-${hue})`;
        legend.append(swatch, html("span", {}, ` ${label}  `));
      }
      const switcher = selectControl("baseline", "iw-baseline-select");
      const moved = html("div", { class: "iw-caption iw-honesty-moved", role: "status" });
      const baselineRow = html("section", { class: "iw-honesty-baseline" });
      baselineRow.append(switcher.label, moved);
      frame.plot.append(agreement, baselineRow, curvesText, legend);
      let chosen = "";
      disposer.listen(switcher.select, "change", () => {
        chosen = switcher.select.value;
        host.redraw();
      });
      // the panel's bqplot lines, filled here: resolved once, their x and y kept in the browser
      const resolveLines = async () => {
        const version = ++resolving;
        const refs = (model.get("lines") ?? []) as string[];
        const models = await Promise.all(refs.map((ref) => resolveRef(model as unknown as Model, ref)));
        if (version !== resolving) return;
        lineDisposer.dispose();
        lineModels.splice(0, lineModels.length, ...models.filter((m): m is Model => m !== null));
        for (const line of lineModels) keepLocal(line, ["x", "y", "colors"], lineDisposer);
        host.redraw();
      };
      void resolveLines();
      disposer.add(() => {
        resolving++;
        lineDisposer.dispose();
      });

      return ({ data, requests, selection }) => {
        const instance = selection.index("instance");
        const output = selection.index("output");
        const methods = data.get("methods");
        const method = methods.includes(selection.method()) ? selection.method() : (methods[0] ?? "");
        const waiting: string[] = [];
        // agreement between the methods
        if (methods.length > 1) {
          const agreed = requests.agreement(instance, output);
          if (agreed.status === "error") agreement.replaceChildren(html("div", { class: "iw-error-inline" }, `Agreement could not be computed: ${agreed.message}`));
          else if (agreed.status === "ready") agreement.replaceChildren(...agreementTable(frame.root, agreed.value, `${data.get("unit")}s`));
          else waiting.push("the agreement between methods");
        } else {
          agreement.replaceChildren(html("div", { class: "iw-caption" }, "One method: nothing to compare it with."));
        }
        // deletion and insertion curves of the selected method
        const curves = requests.curves(instance, output, method);
        if (curves.status !== "ready") {
          // nothing of the previous selection stays on screen while this one computes (or after it failed)
          for (const line of lineModels) {
            line.set("x", new Float64Array(0));
            line.set("y", new Float64Array(0));
          }
          delete frame.root.dataset.deletionAuc;
          curvesText.replaceChildren();
        }
        if (curves.status === "error") curvesText.replaceChildren(html("div", { class: "iw-error-inline" }, `Curves could not be computed: ${curves.message}`));
        else if (curves.status === "ready") {
          const c = curves.value;
          const series = [c.deletion, c.insertion, c.randomDeletion, c.randomInsertion];
          // bqplot takes colour values, not CSS variables: the theme's, as the legend shows them
          const colours = palette(frame.root);
          lineModels.forEach((line, i) => {
            line.set("x", Float64Array.from(c.fractions));
            line.set("y", Float64Array.from(series[i] ?? []));
            line.set("colors", [i % 2 === 0 ? colours.negative : colours.positive]);
          });
          curvesText.replaceChildren(...curvesVerdict(c, methodLabel(method)).map((line) => html("div", {}, line)));
          frame.root.dataset.deletionAuc = String(c.deletionAuc);
        } else waiting.push(`the curves of ${methodLabel(method)}`);
        // the baseline switcher
        const baselines = data.get("baselines");
        const gradient = data.get("gradient_method");
        baselineRow.hidden = !gradient || baselines.length < 2;
        if (!baselineRow.hidden) {
          if (!baselines.includes(chosen)) chosen = baselines[1] ?? "";
          switcher.fill(baselines.slice(1).map((b): [string, string] => [b, b]), chosen);
          const change = requests.baseline(instance, output, chosen);
          delete frame.root.dataset.moved;
          if (change.status === "error") moved.textContent = `Could not recompute: ${change.message}`;
          else if (change.status === "ready") {
            const m = change.value;
            // the rank correlation is of magnitudes: the signed correlation says whether values also kept their sign
            moved.textContent = `${methodLabel(gradient)} with the ${chosen} baseline instead of ${baselines[0]}: rank correlation ${formatNumber(m.spearman, 2)} (of magnitudes; signed values: ${formatNumber(m.signed, 2)}), ${Math.round(m.topOverlap * 100)} % of the top ${Math.round(m.topFraction * 100)} % ${data.get("unit")}s shared; Σ attributions ${formatNumber(m.totalFirst)} → ${formatNumber(m.totalOther)}.`;
            frame.root.dataset.moved = String(m.spearman);
          } else {
            moved.textContent = "";
            waiting.push(`${methodLabel(gradient)} with the ${chosen} baseline`);
          }
        }
        Object.assign(frame.root.dataset, { instance: String(instance), output: String(output), method });
        showStatus(frame, waiting.length ? `Computing ${waiting.join(", ")}…` : null);
      };
    },
  });
}

export default { render };

// ControlBar: an explorer's one set of selection controls (instance, class, method) and what is known about the
// selected instance. Every view of the explorer hides its own controls and follows the same selection.
import type { RenderProps } from "@anywidget/types";
import { type ArrayPayload, decodeOptional } from "../lib/codecs";
import { methodPicker } from "../lib/controls";
import { html } from "../lib/dom";
import { formatAt, formatNumber, resolutionOf } from "../lib/format";
import { extent } from "../lib/scale";
import { Memo } from "../lib/schedule";
import { type DrawInput, mountView, type ViewTraits } from "../lib/view";

interface ControlTraits extends ViewTraits {
  true_values: ArrayPayload | null;
  true_names: string[];
}

function render(props: RenderProps<ControlTraits>): () => void {
  return mountView(props, {
    name: "ControlBar",
    className: "iw-controlbar",
    scope: "every-instance",
    options: ["true_values", "true_names"],
    controls: ["instance", "output"],
    setup({ model, frame, disposer, selection, sources }) {
      const methods = () => sources().map((source): [string, string] => {
        const method = source.get("method");
        return [method, source.get("kind") === "lazy" ? `${method} (computed per instance)` : method];
      });
      const updateMethods = methodPicker(frame.toolbar, methods, selection, disposer);
      const summary = html("div", { class: "iw-controlbar-summary" });
      frame.plot.append(summary);
      let truth: { payload: ArrayPayload | null; values: ArrayLike<number> | null } = { payload: null, values: null };
      // outputs print to the precision of their range over every instance (the stacked plot's axis)
      const resolution = new Memo<number>();
      return ({ attribution: a, instance, output }: DrawInput) => {
        updateMethods();
        const payload = model.get("true_values");
        if (payload !== truth.payload) truth = { payload, values: decodeOptional(payload)?.data ?? null };
        const parts = [`instance ${instance} of ${a.nRows}`];
        const outputs = Array.from({ length: a.nOutputs }, (_, k) => a.outputValue(instance, k));
        const space = a.outputSpace ? ` (${a.outputSpace})` : "";
        const step = resolution.get([a, output], () => {
          if (a.outputSpace === "probability") return resolutionOf(1);
          const [lo, hi] = extent(Array.from({ length: a.nRows }, (_, i) => a.outputValue(i, output)));
          return resolutionOf(hi - lo);
        });
        parts.push(`${a.outputName(output)} = ${formatAt(outputs[output] as number, step)}${space} by ${a.method || "the method"}`);
        if (a.nOutputs > 1) {
          const predicted = outputs.indexOf(Math.max(...outputs));
          // the class shown is said to be the predicted one, or the predicted one is named
          parts.push(predicted === output ? "the predicted class" : `predicted: ${a.outputName(predicted)}`);
        }
        const truthValue = truth.values?.[instance];
        if (truthValue !== undefined && Number.isFinite(truthValue)) {
          const names = model.get("true_names");
          parts.push(`true ${names.length ? "label" : "value"}: ${names.length ? (names[truthValue] ?? String(truthValue)) : formatNumber(truthValue)}`);
        }
        summary.textContent = parts.join(" · ");
        frame.root.dataset.instance = String(instance);
        frame.root.dataset.output = String(output);
        frame.root.dataset.method = selection().method() || a.method;
      };
    },
  });
}

export default { render };

// The life cycle every tabular view shares: decode the attribution once (again only when its arrays change),
// redraw on the traits it shows, show errors in place of the plot, follow the width, clean up everything.
import type { AnyModel } from "@anywidget/types";
import { ATTRIBUTION_ARRAYS, ATTRIBUTION_TEXT, type AttributionTraits, TabularAttribution } from "./attribution";
import type { Disposer } from "./dom";
import { type Frame, hideTooltip, redrawOnResize, showError } from "./frame";
import { watch } from "./model";

export interface AttributionViewSpec<T extends AttributionTraits> {
  /** the view's name, for error messages */
  name: string;
  /** traits (besides the attribution's own and `error`) whose change needs a full redraw */
  redrawOn: ReadonlyArray<keyof T & string>;
  draw(attribution: TabularAttribution): void;
  /** optional cheap path: traits that only need `repaint` (e.g. the highlighted instance on a canvas) */
  repaintOn?: ReadonlyArray<keyof T & string>;
  repaint?(attribution: TabularAttribution): void;
}

/** Wire a view to its model; returns a getter for the decoded attribution (null until the first draw). */
export function attributionView<T extends AttributionTraits>(
  model: AnyModel<T>,
  frame: Frame,
  disposer: Disposer,
  spec: AttributionViewSpec<T>,
): () => TabularAttribution | null {
  let attribution: TabularAttribution | null = null;
  const guarded = (work: (a: TabularAttribution) => void) => () => {
    hideTooltip(frame);
    try {
      const message = model.get("error");
      if (message) return showError(frame, message);
      attribution ??= new TabularAttribution(model as unknown as AnyModel<AttributionTraits>);
      work(attribution);
      showError(frame, null);
    } catch (error) {
      showError(frame, `${spec.name} could not draw: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const draw = guarded((a) => spec.draw(a));
  watch(model, ATTRIBUTION_ARRAYS, () => {
    attribution = null;
    draw();
  }, disposer);
  watch(model, [...ATTRIBUTION_TEXT, "error", ...spec.redrawOn] as Array<keyof T & string>, draw, disposer);
  if (spec.repaintOn && spec.repaint) {
    const repaint = spec.repaint;
    watch(model, spec.repaintOn, guarded((a) => repaint(a)), disposer);
  }
  redrawOnResize(frame, draw, disposer);
  draw();
  return () => attribution;
}

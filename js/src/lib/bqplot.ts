// What the bqplot-based views (DependencePlot, ProbeView) share in the browser.
import type { Disposer } from "./dom";
import type { Model } from "./model";

export type BqModel = Model & { send: (content: unknown, callbacks?: unknown, buffers?: unknown) => void };

/**
 * bqplot tells Python of a click on a dot with an `element_click` message from the mark's model. Taken here
 * instead, it becomes `clicked(index)` in the browser (one update of the shared selection: every view follows there,
 * and an exported page keeps working). Every other message of the mark passes through.
 */
export function interceptClicks(mark: BqModel, clicked: (index: number) => void, disposer: Disposer): void {
  const original = mark.send;
  mark.send = function (this: unknown, content: unknown, callbacks?: unknown, buffers?: unknown) {
    const event = content as { event?: string; data?: { index?: number } } | null;
    if (event?.event === "element_click" && Number.isInteger(event.data?.index)) {
      clicked(event.data?.index as number);
      return;
    }
    original.call(mark, content, callbacks, buffers);
  };
  disposer.add(() => {
    mark.send = original;
  });
}

// TextList: the texts of an explorer, one line each; a click (or Enter) selects one. Texts are text nodes.
import type { RenderProps } from "@anywidget/types";
import { html } from "../lib/dom";
import { createFrame } from "../lib/frame";
import { type Model, resolveRef, type Traits, watch } from "../lib/model";
import { Disposer } from "../lib/dom";
import { SelectionSource } from "../lib/selection";

interface ListTraits extends Traits {
  texts: string[];
  labels: string[];
  selection: string | null;
  instance: number;
}

function render({ model, el }: RenderProps<ListTraits>): () => void {
  const disposer = new Disposer();
  const linked = new Disposer();
  const frame = createFrame(el, "iw-texts");
  const list = html("ol", { class: "iw-text-list", start: 0 });
  frame.plot.append(list);
  let selection = new SelectionSource(model as unknown as Model);
  const draw = () => {
    const texts = model.get("texts");
    const labels = model.get("labels");
    const current = selection.index("instance");
    list.replaceChildren(
      ...texts.map((text, i) => {
        const item = html("li", { class: `iw-text-item${i === current ? " iw-text-selected" : ""}`, tabindex: 0, "data-instance": i, "aria-selected": String(i === current) });
        item.append(html("span", { class: "iw-text-index" }, `${i}`), html("span", { class: "iw-text-body" }, text));
        if (labels[i]) item.append(html("span", { class: "iw-text-label" }, labels[i] as string));
        return item;
      }),
    );
    frame.root.dataset.instance = String(current);
  };
  const pick = (target: EventTarget | null) => {
    const item = target instanceof Element ? target.closest<HTMLElement>("[data-instance]") : null;
    if (item) selection.select({ instance: Number(item.dataset.instance) });
  };
  disposer.listen(list, "click", (event: MouseEvent) => pick(event.target));
  disposer.listen(list, "keydown", (event: KeyboardEvent) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      pick(event.target);
    }
  });
  let resolving = 0;
  const relink = async () => {
    const version = ++resolving;
    const shared = await resolveRef(model, model.get("selection"));
    if (version !== resolving) return; // a newer reference, or the view went away, meanwhile
    linked.dispose();
    selection = new SelectionSource(shared ?? (model as unknown as Model));
    if (shared) watch(shared, ["instance"], draw, linked);
    draw();
  };
  watch(model, ["texts", "labels", "instance"], draw, disposer);
  watch(model, ["selection"], () => void relink(), disposer);
  void relink();
  return () => {
    resolving++;
    linked.dispose();
    disposer.dispose();
    el.replaceChildren();
  };
}

export default { render };

// Selection controls shared by the views: step/pick an instance, pick an output.
import type { AnyModel } from "@anywidget/types";
import { type Disposer, html } from "./dom";
import { setTrait } from "./model";

export interface SelectionTraits {
  instance: number;
  output: number;
  output_names: string[];
  [key: string]: unknown;
}

/** ◀ [n] ▶ "of N": sets `instance`. Returns an update function for when the count or selection changes. */
export function instanceStepper(
  container: HTMLElement,
  model: AnyModel<SelectionTraits>,
  disposer: Disposer,
): (count: number) => void {
  const label = html("label", { class: "iw-control" }, "instance ");
  const prev = html("button", { type: "button", class: "iw-step iw-prev", "aria-label": "previous instance" }, "◀");
  const input = html("input", { type: "number", class: "iw-instance-input", min: 0, step: 1, "aria-label": "instance" });
  const next = html("button", { type: "button", class: "iw-step iw-next", "aria-label": "next instance" }, "▶");
  const total = html("span", { class: "iw-count" });
  label.append(prev, input, next, total);
  container.append(label);
  let count = 0;
  const go = (value: number) => {
    if (!Number.isInteger(value) || value < 0 || value >= count) {
      input.value = String(model.get("instance"));
      return;
    }
    if (value !== model.get("instance")) setTrait(model, "instance", value);
  };
  disposer.listen(prev, "click", () => go(model.get("instance") - 1));
  disposer.listen(next, "click", () => go(model.get("instance") + 1));
  disposer.listen(input, "change", () => go(Number(input.value)));
  disposer.listen(input, "keydown", (event: KeyboardEvent) => {
    if (event.key === "Enter") go(Number(input.value));
  });
  return (n: number) => {
    count = n;
    const current = model.get("instance");
    input.max = String(Math.max(0, n - 1));
    input.value = String(current);
    total.textContent = ` of ${n}`;
    prev.disabled = current <= 0;
    next.disabled = current >= n - 1;
  };
}

/** A <select> of output names: sets `output`. Hidden when there is a single output. */
export function outputPicker(
  container: HTMLElement,
  model: AnyModel<SelectionTraits>,
  disposer: Disposer,
): () => void {
  const label = html("label", { class: "iw-control" }, "output ");
  const select = html("select", { class: "iw-output-select", "aria-label": "output" });
  label.append(select);
  container.append(label);
  disposer.listen(select, "change", () => setTrait(model, "output", Number(select.value)));
  return () => {
    const names = model.get("output_names");
    const options = names.map((name, i) => html("option", { value: i }, name));
    select.replaceChildren(...options);
    select.value = String(model.get("output"));
    label.hidden = names.length < 2;
  };
}

// Selection controls: step/pick an instance, pick an output, pick a method. Used by a standalone view's toolbar and
// by an explorer's control bar; they read and write whatever selection is current.
import { type Disposer, html } from "./dom";
import type { IndexKey, SelectionSource } from "./selection";

export type Update = () => void;

/** ◀ [n] ▶ "of N": sets `instance`. The returned update reads the count and the selection again. */
export function instanceStepper(container: HTMLElement, selection: () => SelectionSource, count: () => number, disposer: Disposer): Update {
  const label = html("label", { class: "iw-control" }, "instance ");
  const prev = html("button", { type: "button", class: "iw-step iw-prev", "aria-label": "previous instance" }, "◀");
  const input = html("input", { type: "number", class: "iw-instance-input", min: 0, step: 1, "aria-label": "instance" });
  const next = html("button", { type: "button", class: "iw-step iw-next", "aria-label": "next instance" }, "▶");
  const total = html("span", { class: "iw-count" });
  label.append(prev, input, next, total);
  container.append(label);
  const go = (value: number) => {
    if (!Number.isInteger(value) || value < 0 || value >= count()) {
      input.value = String(selection().index("instance"));
      return;
    }
    selection().select({ instance: value });
  };
  disposer.listen(prev, "click", () => go(selection().index("instance") - 1));
  disposer.listen(next, "click", () => go(selection().index("instance") + 1));
  disposer.listen(input, "change", () => go(Number(input.value)));
  disposer.listen(input, "keydown", (event: KeyboardEvent) => {
    if (event.key === "Enter") go(Number(input.value));
  });
  return () => {
    const n = count();
    const current = selection().index("instance");
    input.max = String(Math.max(0, n - 1));
    input.value = String(current);
    total.textContent = ` of ${n}`;
    prev.disabled = current <= 0;
    next.disabled = current >= n - 1;
  };
}

/** A <select> of `names()`, writing the index of the chosen one to `key` (hidden when there is one choice). */
export function indexPicker(
  container: HTMLElement,
  text: string,
  key: IndexKey,
  names: () => readonly string[],
  selection: () => SelectionSource,
  disposer: Disposer,
): Update {
  const label = html("label", { class: "iw-control" }, `${text} `);
  const select = html("select", { class: `iw-${key}-select`, "aria-label": text });
  label.append(select);
  container.append(label);
  disposer.listen(select, "change", () => selection().select({ [key]: Number(select.value) }));
  let shown: readonly string[] = [];
  return () => {
    const current = names();
    if (current !== shown) {
      select.replaceChildren(...current.map((name, i) => html("option", { value: i }, name)));
      shown = current;
    }
    select.value = String(selection().index(key));
    label.hidden = current.length < 2;
  };
}

/** A <select> of method names, writing the chosen name to the selection's `method`. */
export function methodPicker(container: HTMLElement, methods: () => ReadonlyArray<[string, string]>, selection: () => SelectionSource, disposer: Disposer): Update {
  const label = html("label", { class: "iw-control" }, "method ");
  const select = html("select", { class: "iw-method-select", "aria-label": "method" });
  label.append(select);
  container.append(label);
  disposer.listen(select, "change", () => selection().select({ method: select.value }));
  let shown = "";
  return () => {
    const options = methods();
    const key = options.map(([value, text]) => `${value}=${text}`).join("|");
    if (key !== shown) {
      // rebuilt only when the methods change: a redraw (each step of a slider's drag) must not reset an open menu
      select.replaceChildren(...options.map(([value, text]) => html("option", { value }, text)));
      shown = key;
    }
    select.value = selection().method() || (options[0]?.[0] ?? "");
    label.hidden = options.length < 2;
  };
}

export interface SelectControl {
  label: HTMLLabelElement;
  select: HTMLSelectElement;
  /** set the options (rebuilt only when they change) and the value shown */
  fill(options: ReadonlyArray<[string, string]>, value: string): void;
}

/** A labelled <select> whose options are set at each draw; the caller listens to its "change". */
export function selectControl(text: string, cls: string): SelectControl {
  const label = html("label", { class: "iw-control" }, `${text} `);
  const select = html("select", { class: cls, "aria-label": text });
  label.append(select);
  let shown = "";
  return {
    label,
    select,
    fill(options, value) {
      const key = options.map(([v, t]) => `${v}=${t}`).join("|");
      if (key !== shown) {
        select.replaceChildren(...options.map(([v, t]) => html("option", { value: v }, t)));
        shown = key;
      }
      select.value = value;
    },
  };
}

export interface RangeControl {
  label: HTMLLabelElement;
  input: HTMLInputElement;
  /** show `value` (and its text beside the slider) */
  set(value: number): void;
}

/** A labelled range slider with its value written beside it; `changed` runs on every step of a drag. */
export function rangeControl(text: string, cls: string, [min, max, step]: [number, number, number], format: (v: number) => string, changed: (value: number) => void, disposer: Disposer): RangeControl {
  const label = html("label", { class: "iw-control" }, `${text} `);
  const input = html("input", { type: "range", class: cls, min, max, step, "aria-label": text });
  const readout = html("span", { class: "iw-range-value" });
  label.append(input, readout);
  const set = (value: number) => {
    input.value = String(value);
    readout.textContent = format(value);
  };
  disposer.listen(input, "input", () => {
    readout.textContent = format(Number(input.value));
    changed(Number(input.value));
  });
  return { label, input, set };
}

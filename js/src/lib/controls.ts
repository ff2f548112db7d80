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
  return () => {
    const options = methods();
    select.replaceChildren(...options.map(([value, text]) => html("option", { value }, text)));
    select.value = selection().method() || (options[0]?.[0] ?? "");
    label.hidden = options.length < 2;
  };
}

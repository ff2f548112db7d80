// The frame every view draws into: toolbar, plot area, caption, error box and tooltip.
import { type Disposer, html } from "./dom";

export interface Frame {
  root: HTMLDivElement;
  toolbar: HTMLDivElement;
  /** "computing…" notes: what the view waits for, while the plot still shows (dimmed) what it last drew */
  status: HTMLDivElement;
  plot: HTMLDivElement;
  caption: HTMLDivElement;
  error: HTMLDivElement;
  tooltip: HTMLDivElement;
}

export function createFrame(el: HTMLElement, viewClass: string): Frame {
  // Keys typed into a view's controls belong to the view, not to JupyterLab's notebook shortcuts.
  const root = html("div", { class: `iw-root ${viewClass}`, "data-lm-suppress-shortcuts": "true" });
  const toolbar = html("div", { class: "iw-toolbar" });
  const plot = html("div", { class: "iw-plot" });
  const status = html("div", { class: "iw-status", role: "status", hidden: "" });
  const error = html("div", { class: "iw-error", role: "alert", hidden: "" });
  const caption = html("div", { class: "iw-caption" });
  const tooltip = html("div", { class: "iw-tooltip", role: "tooltip", hidden: "" });
  root.append(toolbar, status, error, plot, caption, tooltip);
  el.replaceChildren(root);
  return { root, toolbar, status, plot, caption, error, tooltip };
}

/** Add one to a counter kept on the view's root (`data-<name>`): how often a stage ran, for tests and benchmarks. */
export function count(root: HTMLElement, name: string): void {
  root.dataset[name] = String(Number(root.dataset[name] ?? 0) + 1);
}

/** Say what the view is waiting for (or clear it with null); while it waits, what it last drew is dimmed. */
export function showStatus(frame: Frame, message: string | null): void {
  frame.status.textContent = message ?? "";
  frame.status.hidden = !message;
  frame.root.classList.toggle("iw-waiting", Boolean(message));
}

/** Show a message in place of the plot (or clear it with null). The message is text, never HTML. */
export function showError(frame: Frame, message: string | null): void {
  frame.error.textContent = message ?? "";
  frame.error.hidden = !message;
  frame.plot.hidden = Boolean(message);
}

/** Fill the tooltip with label/value lines and place it next to the pointer, inside the frame. */
export function showTooltip(frame: Frame, lines: Array<[string, string]>, clientX: number, clientY: number): void {
  const rows = lines.map(([label, value]) => {
    const row = html("div", { class: "iw-tooltip-row" });
    row.append(html("span", { class: "iw-tooltip-label" }, label), html("span", { class: "iw-tooltip-value" }, value));
    return row;
  });
  frame.tooltip.replaceChildren(...rows);
  frame.tooltip.hidden = false;
  const box = frame.root.getBoundingClientRect();
  const left = Math.min(clientX - box.left + 12, Math.max(0, box.width - frame.tooltip.offsetWidth - 4));
  frame.tooltip.style.left = `${left}px`;
  frame.tooltip.style.top = `${clientY - box.top + 14}px`;
}

export function hideTooltip(frame: Frame): void {
  frame.tooltip.hidden = true;
}

/**
 * Tooltips for the items of an SVG chart, by mouse and by keyboard focus. `linesFor` maps the event target
 * (or one of its ancestors) to tooltip lines, or null when the target is not an item.
 */
export function itemTooltips(
  chart: Element,
  frame: Frame,
  disposer: Disposer,
  linesFor: (target: EventTarget | null) => Array<[string, string]> | null,
): void {
  disposer.listen(chart, "pointermove", (event: PointerEvent) => {
    const lines = linesFor(event.target);
    if (lines) showTooltip(frame, lines, event.clientX, event.clientY);
    else hideTooltip(frame);
  });
  disposer.listen(chart, "pointerleave", () => hideTooltip(frame));
  disposer.listen(chart, "focusin", (event: FocusEvent) => {
    const lines = linesFor(event.target);
    const box = (event.target as Element).getBoundingClientRect();
    if (lines) showTooltip(frame, lines, box.left + box.width / 2, box.bottom);
  });
  disposer.listen(chart, "focusout", () => hideTooltip(frame));
}

/**
 * The plot area's width, followed: `changed` is called when it changes (the notebook resized, a sidebar opened). The
 * width comes from the ResizeObserver, so a draw never has to ask the browser for layout; it is 0 until the view has
 * been laid out (a view draws once it knows its width, not at a guess and again).
 */
export function followWidth(frame: Frame, changed: () => void, disposer: Disposer): () => number {
  let width = 0;
  const resize = new ResizeObserver((entries) => {
    const next = Math.round(entries[entries.length - 1]?.contentRect.width ?? 0);
    // 0: hidden (an error shown in its place, a closed tab): the plot keeps the width it had
    if (next > 0 && next !== width) {
      width = next;
      changed();
    }
  });
  resize.observe(frame.plot);
  disposer.add(() => resize.disconnect());
  return () => width;
}

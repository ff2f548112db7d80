// The frame every view draws into: toolbar, plot area, caption, error box and tooltip.
import { html } from "./dom";

export interface Frame {
  root: HTMLDivElement;
  toolbar: HTMLDivElement;
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
  const error = html("div", { class: "iw-error", role: "alert", hidden: "" });
  const caption = html("div", { class: "iw-caption" });
  const tooltip = html("div", { class: "iw-tooltip", role: "tooltip", hidden: "" });
  root.append(toolbar, error, plot, caption, tooltip);
  el.replaceChildren(root);
  return { root, toolbar, plot, caption, error, tooltip };
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

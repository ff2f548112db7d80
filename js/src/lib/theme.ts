// The colours canvas views paint with, read from the CSS variables once per theme. Reading computed style during a
// draw makes the browser recompute styles after every other view's DOM changes (a click redraws six views); and a
// theme switch must repaint canvases, which CSS alone cannot do.
import type { Disposer } from "./dom";

export interface Palette {
  positive: string;
  negative: string;
  /** the middle of feature-value ramps (negative → mid → positive) */
  mid: string;
  /** "no value": apart from every ramp colour */
  missing: string;
  /** attention weights (a sequential ramp from the background): a hue of its own, not read as a push up or down */
  attention: string;
  fg: string;
  bg: string;
  border: string;
  /** the values above, joined: a key for caches of what was painted with them */
  key: string;
}

let version = 0;
const cached = new WeakMap<Element, { version: number; palette: Palette }>();

/** The theme's colours as seen by `root` (a view's root element), read once per theme (or afresh: `fresh`). */
export function palette(root: Element, fresh = false): Palette {
  const hit = cached.get(root);
  if (hit && hit.version === version && !fresh) return hit.palette;
  const style = getComputedStyle(root);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const colours = {
    positive: read("--iw-positive", "#d55e00"),
    negative: read("--iw-negative", "#0072b2"),
    mid: read("--iw-mid", "#8d5fa6"),
    missing: read("--iw-missing", "#cfcfcf"),
    attention: read("--iw-attention", "#00796b"),
    fg: read("--iw-fg", "#1f2328"),
    bg: read("--iw-bg", "#ffffff"),
    border: read("--iw-border", "#d0d7de"),
  };
  const result = { ...colours, key: Object.values(colours).join() };
  cached.set(root, { version, palette: result });
  return result;
}

/**
 * Call `callback` when the notebook's theme changes: JupyterLab marks <body> with data-jp-theme-*, VS Code with a
 * class. The disposer stops listening.
 */
export function onThemeChange(callback: () => void, disposer: Disposer): void {
  const observer = new MutationObserver(() => {
    version++;
    callback();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ["class", "data-jp-theme-light", "data-jp-theme-name"] });
  disposer.add(() => observer.disconnect());
}

const PROBE_ID = "iw-theme-probe";

/**
 * A hidden element that carries the views' CSS variables, for code that draws with no element of its own (a bqplot
 * figure filled from a widget's `initialize`). One per page, shared by every bundle.
 */
export function themeProbe(): Element {
  let probe = document.getElementById(PROBE_ID);
  if (!probe) {
    probe = document.createElement("div");
    probe.id = PROBE_ID;
    probe.className = "iw-root";
    probe.hidden = true;
    document.body.append(probe);
  }
  return probe;
}

// DOM helpers. User strings only ever reach the page through textContent.
import { CHAR_PX } from "./format";

const SVG_NS = "http://www.w3.org/2000/svg";

type Attrs = Record<string, string | number>;

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function html<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Collects cleanups (listeners, observers) so that a view's render can return one function undoing them all. */
export class Disposer {
  private cleanups: Array<() => void> = [];

  add(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  listen<K extends keyof HTMLElementEventMap>(
    target: EventTarget,
    type: K | string,
    handler: (event: HTMLElementEventMap[K]) => void,
    options?: AddEventListenerOptions,
  ): void {
    const listener = handler as EventListener;
    target.addEventListener(type, listener, options);
    this.add(() => target.removeEventListener(type, listener, options));
  }

  get size(): number {
    return this.cleanups.length;
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
  }
}

/** Text centred at `at` unless that would run off the chart: then it ends (or starts) at the edge. */
export function edgeText(cls: string, at: number, y: number, text: string, width: number): SVGTextElement {
  const half = (text.length * CHAR_PX) / 2;
  const anchor = at + half > width - 2 ? "end" : at - half < 2 ? "start" : "middle";
  return svg("text", { class: cls, x: anchor === "end" ? Math.min(at, width - 2) : anchor === "start" ? Math.max(at, 2) : at, y, "text-anchor": anchor }, text);
}

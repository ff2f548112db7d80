// ImageComparison: the same image and class under every method, side by side, and how much the methods agree (rank
// correlation of the pixels' magnitudes; overlap of their top pixels). No single method's picture is the model's
// reasoning: where they disagree, none of them should be trusted alone. A click on a panel selects its method.
import type { RenderProps } from "@anywidget/types";
import { agreementTable, methodLabel } from "../lib/agreement";
import { html } from "../lib/dom";
import { showStatus } from "../lib/frame";
import { type ImageMap, ImageRequests, type ImageTraits, type RgbImage, shownMethod } from "../lib/image-data";
import { drawScaled } from "../lib/canvas";
import { overlayCanvas } from "../lib/image-canvas";
import { mountRequestView, type RequestViewTraits } from "../lib/request-view";
import { palette } from "../lib/theme";

interface Traits extends RequestViewTraits {
  instance: number;
  output: number;
  method: string;
}

const PANEL_MIN_PX = 120;
const PANEL_MAX_PX = 200;
/** the comparison's fixed look: every value in two hues, clipped at the 99th percentile */
const CLIP_PERCENTILE = 99;
const OPACITY = 0.75;

function render(props: RenderProps<Traits>): () => void {
  return mountRequestView<Traits, ImageTraits, ImageRequests>(props, {
    name: "ImageComparison",
    className: "iw-image-compare",
    options: [],
    follows: ["instance", "output", "method"],
    requests: (data, shared, settled) => new ImageRequests(data, shared, settled),
    setup(host) {
      const { frame, disposer } = host;
      const panels = html("div", { class: "iw-compare-panels", role: "list" });
      const agreement = html("div", { class: "iw-agreement" });
      const cards = new Map<string, { panel: HTMLElement; body: HTMLElement; drawn: { what: unknown; how: string } | null }>();
      frame.plot.append(panels, agreement);
      const pick = (target: EventTarget | null) => {
        const panel = target instanceof Element ? target.closest<HTMLElement>("[data-method]") : null;
        if (panel?.dataset.method) host.selection().select({ method: panel.dataset.method });
      };
      disposer.listen(panels, "click", (event: MouseEvent) => pick(event.target));
      disposer.listen(panels, "keydown", (event: KeyboardEvent) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          pick(event.target);
        }
      });

      return ({ data, requests, selection, width }) => {
        const instance = selection.index("instance");
        const output = selection.index("output");
        const methods = data.get("methods");
        const selected = shownMethod(selection, data);
        const image = requests.image("image", instance);
        if (image.status === "error") throw new Error(image.message);
        const columns = Math.max(1, Math.min(methods.length, Math.floor(width / PANEL_MIN_PX)));
        const side = Math.min(PANEL_MAX_PX, Math.floor(width / columns) - 12);
        const maps = methods.map((method) => requests.map(`panel:${method}`, instance, output, method));
        // panels kept per method and updated in place: a keyboard user's focus survives every redraw
        const shownPanels = methods.map((method, i) => {
          let entry = cards.get(method);
          if (!entry) {
            const panel = html("div", { class: "iw-compare-panel", role: "listitem", tabindex: 0, "data-method": method });
            panel.append(html("div", { class: "iw-compare-title" }, methodLabel(method)));
            const body = html("div", { class: "iw-compare-body" });
            panel.append(body);
            entry = { panel, body, drawn: null };
            cards.set(method, entry);
          }
          const selectedHere = method === selected;
          entry.panel.classList.toggle("iw-compare-selected", selectedHere);
          entry.panel.setAttribute("aria-selected", String(selectedHere));
          const lookup = maps[i];
          const key = lookup?.status === "ready" && image.status === "ready" ? lookup.value : (lookup?.status ?? "pending");
          const drawnKey = `${side}:${palette(frame.root).key}`;
          if (entry.drawn?.what !== key || entry.drawn.how !== drawnKey) {
            entry.drawn = { what: key, how: drawnKey };
            if (lookup?.status === "error") entry.body.replaceChildren(html("div", { class: "iw-compare-failed" }, lookup.message));
            else if (lookup?.status === "ready" && image.status === "ready") entry.body.replaceChildren(panelCanvas(frame.root, image.value, lookup.value, side));
            else entry.body.replaceChildren(html("div", { class: "iw-compare-pending", style: `width:${side}px;height:${side}px` }, "computing…"));
          }
          return entry.panel;
        });
        for (const method of [...cards.keys()]) if (!methods.includes(method)) cards.delete(method);
        if (shownPanels.some((panel, i) => panels.children[i] !== panel) || panels.children.length !== shownPanels.length) panels.replaceChildren(...shownPanels);
        const pending = maps.filter((m) => m.status === "pending").length;
        showStatus(frame, pending ? `Computing ${pending} of ${methods.length} methods for image ${instance}…` : null);
        frame.root.dataset.instance = String(instance);
        frame.root.dataset.output = String(output);
        frame.root.dataset.method = selected;
        frame.root.dataset.panels = String(maps.length - pending);
        if (methods.length < 2) {
          agreement.replaceChildren(html("div", { class: "iw-caption" }, "One method: nothing to compare it with. Give the explorer several methods."));
          return;
        }
        // asked for once every map is here: it needs them all, and Python would compute the missing ones in one go
        if (pending || maps.some((m) => m.status === "error")) {
          requests.drop("agreement");
          agreement.replaceChildren();
          return;
        }
        const agreed = requests.agreement("agreement", instance, output);
        if (agreed.status === "error") throw new Error(agreed.message);
        agreement.replaceChildren(...(agreed.status === "ready" ? agreementTable(frame.root, agreed.value, "pixels") : []));
      };
    },
  });
}

function panelCanvas(root: HTMLElement, image: RgbImage, map: ImageMap, side: number): HTMLCanvasElement {
  const { canvas: source } = overlayCanvas(root, image, map, { sign: "all", colours: "diverging", percentile: CLIP_PERCENTILE, opacity: OPACITY });
  const canvas = html("canvas", { class: "iw-compare-canvas", role: "img", "aria-label": `${map.method} over the image` });
  drawScaled(canvas, source, side / Math.max(image.width, image.height));
  return canvas;
}

export default { render };

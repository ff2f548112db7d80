// ImageStrip: every image as a thumbnail (one request for all of them); a click (or Enter) selects one.
import type { RenderProps } from "@anywidget/types";
import { html } from "../lib/dom";
import { showStatus } from "../lib/frame";
import { ImageRequests, type ImageTraits, type Thumbnails } from "../lib/image-data";
import { rgba } from "../lib/image-paint";
import { mountRequestView, type RequestViewTraits } from "../lib/request-view";

interface Traits extends RequestViewTraits {
  instance: number;
}

const THUMB_PX = 56;

function render(props: RenderProps<Traits>): () => void {
  return mountRequestView<Traits, ImageTraits, ImageRequests>(props, {
    name: "ImageStrip",
    className: "iw-image-strip",
    options: [],
    follows: ["instance"],
    requests: (data, shared, settled) => new ImageRequests(data, shared, settled),
    setup(host) {
      const { frame, disposer } = host;
      const strip = html("div", { class: "iw-strip", role: "listbox", "aria-label": "images" });
      frame.plot.append(strip);
      let drawn: Thumbnails | null = null;
      const pick = (target: EventTarget | null) => {
        const item = target instanceof Element ? target.closest<HTMLElement>("[data-instance]") : null;
        if (item) host.selection().select({ instance: Number(item.dataset.instance) });
      };
      disposer.listen(strip, "click", (event: MouseEvent) => pick(event.target));
      disposer.listen(strip, "keydown", (event: KeyboardEvent) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          pick(event.target);
        }
      });
      return ({ requests, selection }) => {
        const current = selection.index("instance");
        const lookup = requests.thumbnails("strip");
        if (lookup.status === "error") throw new Error(lookup.message);
        if (lookup.status === "pending") return showStatus(frame, "Loading the images…");
        showStatus(frame, null);
        if (drawn !== lookup.value) {
          drawn = lookup.value;
          strip.replaceChildren(...thumbnails(lookup.value));
        }
        for (const item of strip.children as HTMLCollectionOf<HTMLElement>) {
          const selected = Number(item.dataset.instance) === current;
          item.classList.toggle("iw-strip-selected", selected);
          item.setAttribute("aria-selected", String(selected));
        }
        frame.root.dataset.instance = String(current);
      };
    },
  });
}

function thumbnails({ pixels, count, width, height }: Thumbnails): HTMLElement[] {
  const size = width * height * 3;
  const scale = THUMB_PX / Math.max(width, height);
  return Array.from({ length: count }, (_, i) => {
    const item = html("button", { type: "button", class: "iw-strip-item", role: "option", "data-instance": i, title: `image ${i}` });
    const canvas = html("canvas", { class: "iw-strip-canvas", width, height });
    canvas.style.width = `${Math.round(width * scale)}px`;
    canvas.style.height = `${Math.round(height * scale)}px`;
    const context = canvas.getContext("2d") as CanvasRenderingContext2D;
    const image = context.createImageData(width, height);
    rgba(pixels.subarray(i * size, (i + 1) * size), image.data);
    context.putImageData(image, 0, 0);
    item.append(canvas, html("span", { class: "iw-strip-index" }, String(i)));
    return item;
  });
}

export default { render };

// An attribution painted over its image, in the theme's colours, as a canvas at the image's own pixels (the views
// scale it with drawScaled): the one place the image views turn a map into pixels.
import { parseColor, type RGB } from "./colors";
import type { ImageMap, RgbImage } from "./image-data";
import { clipLevel, type ColourMap, overlayColours, paintOverlay, type SignMode } from "./image-paint";
import { palette } from "./theme";

export interface Overlay {
  sign: SignMode;
  colours: ColourMap;
  /** the percentile at which colours saturate */
  percentile: number;
  opacity: number;
}

export interface Painted {
  canvas: HTMLCanvasElement;
  /** the clip level the percentile gave */
  clip: number;
  /** the theme's hues, for what is drawn over the overlay (outlines) */
  negative: RGB;
  positive: RGB;
}

/**
 * The image with `map` over it. `decorate` may change the pixels before they are put on the canvas (superpixel
 * outlines). `into` is reused when given.
 */
export function overlayCanvas(root: Element, image: RgbImage, map: ImageMap, overlay: Overlay, decorate?: (pixels: Uint8ClampedArray, hues: { negative: RGB; positive: RGB }) => void, into?: HTMLCanvasElement): Painted {
  if (image.width !== map.width || image.height !== map.height) {
    throw new Error(`the map is ${map.width} × ${map.height} pixels but the image ${image.width} × ${image.height}`);
  }
  const colours = palette(root);
  const negative = parseColor(colours.negative, [0, 114, 178]);
  const positive = parseColor(colours.positive, [213, 94, 0]);
  const canvas = into ?? document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d") as CanvasRenderingContext2D;
  const pixels = context.createImageData(image.width, image.height);
  const clip = clipLevel(map.values, overlay.sign, overlay.percentile);
  const hues = overlayColours(negative, parseColor(colours.mid, [141, 95, 166]), positive);
  paintOverlay(image.pixels, map.values, { sign: overlay.sign, colours: overlay.colours, clip, opacity: overlay.opacity }, hues, pixels.data);
  decorate?.(pixels.data, { negative, positive });
  context.putImageData(pixels, 0, 0);
  return { canvas, clip, negative, positive };
}

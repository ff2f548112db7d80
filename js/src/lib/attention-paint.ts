// Painting attention on canvas: colour tables for weights, a tile or a thumbnail as an image, and the canvas set up
// for the device's pixel ratio. Tokens are drawn with fillText: user strings never become DOM here.
import type { Thumbnails, Tile } from "./attention-data";
import { parseColor, rampColours, signedRamp } from "./colors";
import type { Palette } from "./theme";
import { pixelWord } from "./raster";

/** 256 pixel words: 0 → the background, 255 → the attention colour; signed maps run negative → background → positive. */
export function colourTable(palette: Palette, signed: boolean): Uint32Array {
  const ramp = signed ? signedRamp(palette, 256) : rampColours([parseColor(palette.bg, [255, 255, 255]), parseColor(palette.attention, [0, 121, 107])], 256);
  return Uint32Array.from(ramp, pixelWord);
}

/** The colour level (0..255) of every quantised value of a tile: 0 is no weight, 255 the tile's peak. */
export function tileLevels(tile: Tile): Uint8Array {
  const levels = new Uint8Array(256);
  const peak = tile.peak || 1;
  for (let q = 0; q < 256; q++) {
    const value = tile.offset + q * tile.scale;
    const level = tile.signed ? 127.5 + (127.5 * value) / peak : (255 * value) / peak;
    levels[q] = Math.max(0, Math.min(255, Math.round(level)));
  }
  return levels;
}

const images = new WeakMap<object, { key: string; image: HTMLCanvasElement }>();

/** A tile as an n × n image in the theme's colours (made once per tile and theme). */
export function tileImage(tile: Tile, palette: Palette): HTMLCanvasElement {
  const key = palette.key;
  const hit = images.get(tile);
  if (hit && hit.key === key) return hit.image;
  const table = colourTable(palette, tile.signed);
  const levels = tileLevels(tile);
  const image = document.createElement("canvas");
  image.width = tile.n;
  image.height = tile.n;
  const context = image.getContext("2d") as CanvasRenderingContext2D;
  const pixels = context.createImageData(tile.n, tile.n);
  const words = new Uint32Array(pixels.data.buffer);
  for (let i = 0; i < tile.q.length; i++) words[i] = table[levels[tile.q[i] as number] as number] as number;
  context.putImageData(pixels, 0, 0);
  images.set(tile, { key, image });
  return image;
}

/** Every thumbnail laid out in a (rows·size) × (columns·size) atlas, made once per reply and theme. */
export function thumbnailAtlas(thumbnails: Thumbnails, palette: Palette): HTMLCanvasElement {
  const key = palette.key;
  const hit = images.get(thumbnails);
  if (hit && hit.key === key) return hit.image;
  const { rows, columns, size, levels } = thumbnails;
  const table = colourTable(palette, thumbnails.signed);
  const atlas = document.createElement("canvas");
  atlas.width = Math.max(1, columns * size);
  atlas.height = Math.max(1, rows * size);
  const context = atlas.getContext("2d") as CanvasRenderingContext2D;
  const pixels = context.createImageData(atlas.width, atlas.height);
  const words = new Uint32Array(pixels.data.buffer);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const base = (r * columns + c) * size * size;
      for (let y = 0; y < size; y++) {
        const row = (r * size + y) * atlas.width + c * size;
        for (let x = 0; x < size; x++) words[row + x] = table[levels[base + y * size + x] as number] as number;
      }
    }
  }
  context.putImageData(pixels, 0, 0);
  images.set(thumbnails, { key, image: atlas });
  return atlas;
}

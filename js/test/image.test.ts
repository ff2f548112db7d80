import { describe, expect, it } from "vitest";
import type { RGB } from "../src/lib/colors";
import { readMap } from "../src/lib/image-data";
import { clipLevel, outlineSegments, overlayColours, paintOverlay, shown, topSegments } from "../src/lib/image-paint";

const BLUE: RGB = [0, 0, 255];
const RED: RGB = [255, 0, 0];
const colours = overlayColours(BLUE, [128, 0, 128], RED);

function grey(n: number, level = 100): Uint8Array {
  return new Uint8Array(n * 3).fill(level);
}

describe("image overlay", () => {
  it("shows every value, one sign, or magnitudes", () => {
    expect([shown(-2, "all"), shown(-2, "positive"), shown(-2, "negative"), shown(-2, "absolute")]).toEqual([-2, 0, 2, 2]);
    expect([shown(3, "positive"), shown(3, "negative")]).toEqual([3, 0]);
  });

  it("clips at a percentile of the magnitudes it shows, among the pixels it shows", () => {
    const values = Float32Array.from({ length: 101 }, (_, i) => i - 50); // −50..50
    expect(clipLevel(values, "absolute", 100)).toBe(50);
    expect(clipLevel(values, "positive", 50)).toBe(26); // 1..50: the value at rank round(0.5 · 49) = 25 from 0
    expect(clipLevel(values, "negative", 100)).toBe(50);
    expect(clipLevel(new Float32Array(4), "all", 99)).toBe(0); // nothing shown
  });

  it("leaves the image where the value is 0 and blends to the sign's hue at the clip level", () => {
    const values = new Float32Array([0, 2, -4, 1]);
    const out = new Uint8ClampedArray(16);
    paintOverlay(grey(4), values, { sign: "all", colours: "diverging", clip: 2, opacity: 0.5 }, colours, out);
    expect([...out.subarray(0, 4)]).toEqual([100, 100, 100, 255]);
    expect([...out.subarray(4, 8)]).toEqual([178, 50, 50, 255]); // ½ grey + ½ red (100·½ + 255·½ = 177.5)
    expect([...out.subarray(8, 12)]).toEqual([50, 50, 178, 255]); // beyond the clip: saturated, blue
    expect([...out.subarray(12, 16)]).toEqual([139, 75, 75, 255]); // half the clip: a quarter of red (100·¾ + 255·¼)
    paintOverlay(grey(4), values, { sign: "positive", colours: "diverging", clip: 2, opacity: 0.5 }, colours, out);
    expect([...out.subarray(8, 12)]).toEqual([100, 100, 100, 255]); // a negative value, not shown
    paintOverlay(grey(4), values, { sign: "negative", colours: "diverging", clip: 2, opacity: 0.5 }, colours, out);
    expect([...out.subarray(8, 12)]).toEqual([50, 50, 178, 255]); // shown in the negative hue
    expect([...out.subarray(4, 8)]).toEqual([100, 100, 100, 255]); // a positive value, not shown
    paintOverlay(grey(4), values, { sign: "all", colours: "diverging", clip: 2, opacity: 0 }, colours, out);
    expect([...out.subarray(4, 8)]).toEqual([100, 100, 100, 255]); // opacity 0: the image alone
  });

  it("ranks superpixels by their weight, as LIME's get_image_and_mask does", () => {
    const segments = new Int32Array([0, 0, 1, 1, 2, 2, 3, 3]);
    const values = new Float32Array([0.5, 0.5, -2, -2, 1, 1, 0, 0]);
    expect(topSegments(segments, values, "positive", 5)).toEqual([2, 0]); // negative and zero weights left out
    expect(topSegments(segments, values, "all", 2)).toEqual([1, 2]);
    expect(topSegments(segments, values, "negative", 5)).toEqual([1]);
  });

  it("outlines the chosen superpixels at their edges, each in its weight's hue, and greys the rest", () => {
    // 5 × 4: segment 1 is the 3 × 3 block at the right (x 2..4, y 0..2), with a negative weight; segment 0 the rest
    const width = 5;
    const segments = new Int32Array(20).map((_, p) => (p % width >= 2 && Math.floor(p / width) <= 2 ? 1 : 0));
    const values = new Float32Array(20).map((_, p) => (segments[p] === 1 ? -0.5 : 0.25));
    const out = new Uint8ClampedArray(20 * 4);
    for (let p = 0; p < 20; p++) out.set([200, 100, 0, 255], p * 4);
    outlineSegments(out, segments, values, width, new Set([1]), { negative: BLUE, positive: RED }, true);
    const pixel = (x: number, y: number) => [...out.subarray((y * width + x) * 4, (y * width + x) * 4 + 3)];
    for (const [x, y] of [[2, 0], [4, 0], [2, 1], [2, 2], [4, 2], [3, 2]]) expect(pixel(x as number, y as number)).toEqual(BLUE);
    expect(pixel(3, 1)).toEqual([200, 100, 0]); // the centre is not an edge: it keeps its colour
    const greyed = Math.round(128 + (0.299 * 200 + 0.587 * 100 - 128) * 0.5);
    expect(pixel(0, 0)).toEqual([greyed, greyed, greyed]);
    outlineSegments(out, segments, values.map((v) => -v), width, new Set([1]), { negative: BLUE, positive: RED }, false);
    expect(pixel(2, 0)).toEqual(RED); // a positive weight: the positive hue
  });

  it("reads a map back from float16 of value ÷ peak", () => {
    const half = new Uint16Array([0x3c00, 0xbc00, 0x3800, 0]); // 1, −1, 0.5, 0
    const map = readMap({
      method: "saliency",
      map: { dtype: "float16", shape: [2, 2], buffer: new DataView(half.buffer) },
      peak: 4,
      segments: null,
      summed_channels: true,
      base: 0.25,
      baseline: "b",
      output_space: "raw",
      gap: null,
    });
    expect([...map.values]).toEqual([4, -4, 2, 0]);
    expect([map.width, map.height, map.gap, map.summedChannels]).toEqual([2, 2, null, true]);
  });
});

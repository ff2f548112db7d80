import { describe, expect, it } from "vitest";
import { robustRange, select } from "../src/lib/colors";
import { paintSquares, paintVertical, pixelWord } from "../src/lib/raster";

describe("paintSquares", () => {
  it("paints squares of the given size, higher colour indices on top, clipped to the image", () => {
    const width = 8;
    const pixels = new Uint32Array(width * 6);
    const palette = Uint32Array.from([pixelWord([1, 1, 1]), pixelWord([2, 2, 2])]);
    // point 0 (colour 1) first in the data, point 1 (colour 0) overlapping it: colour 1 must end on top
    paintSquares(pixels, width, 1, new Float32Array([2, 3, 7.5]), new Float32Array([2, 2, 5.5]), new Uint8Array([1, 0, 1]), palette, 2);
    const at = (x: number, y: number) => pixels[y * width + x];
    expect(at(1, 1)).toBe(palette[1]);
    expect(at(2, 1)).toBe(palette[1]); // overlap: colour 1 over colour 0
    expect(at(3, 1)).toBe(palette[0]);
    expect(at(7, 5)).toBe(palette[1]); // clipped at the right and bottom edges, no wrap to the next row
    expect(at(0, 0)).toBe(0);
    expect(pixels.filter((p) => p !== 0).length).toBe(4 + 2 + 1);
  });

  it("scales CSS pixels by the device pixel ratio, and skips colour 255", () => {
    const pixels = new Uint32Array(10 * 10);
    paintSquares(pixels, 10, 2, new Float32Array([2, 1]), new Float32Array([2, 1]), new Uint8Array([0, 255]), Uint32Array.from([7]), 2);
    expect(pixels[3 * 10 + 3]).toBe(7);
    expect(pixels.filter((p) => p !== 0).length).toBe(4);
    paintVertical(pixels, 10, 1, 9, 0, 10, 5);
    expect(pixels[9 * 10 + 9]).toBe(5);
  });
});

describe("selection in linear time", () => {
  it("finds the k-th smallest value like a sort would", () => {
    const values = Float64Array.from({ length: 1001 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const sorted = Array.from(values).sort((a, b) => a - b);
    for (const k of [0, 1, 500, 999, 1000]) expect(select(Float64Array.from(values), k)).toBe(sorted[k]);
    expect(robustRange(values)).toEqual([sorted[50], sorted[950]]);
  });
});

describe("the dependence plot's sample", () => {
  it("keeps every instance up to the limit, beyond it the same random, distinct, ascending sample every time", async () => {
    const { sampleOf } = await import("../src/views/dependence");
    expect(Array.from(sampleOf(5, 10))).toEqual([0, 1, 2, 3, 4]);
    const sample = sampleOf(100_000, 5000);
    expect(sample.length).toBe(5000);
    expect(new Set(sample).size).toBe(5000);
    expect(Array.from(sample).every((v, i, all) => i === 0 || v > (all[i - 1] as number))).toBe(true);
    expect(Array.from(sampleOf(100_000, 5000))).toEqual(Array.from(sample));
    // spread over the whole range, not the first rows: each tenth of the data holds about a tenth of the sample
    const deciles = Array.from({ length: 10 }, (_, d) => sample.filter((v) => Math.floor(v / 10_000) === d).length);
    for (const count of deciles) expect(count).toBeGreaterThan(400);
  });
});

import { describe, expect, it } from "vitest";
import { featureOrder, PointGrid, swarmOffsets } from "../src/lib/beeswarm-layout";
import { divergingRamp, robustRange } from "../src/lib/colors";

describe("beeswarm layout", () => {
  it("orders features by mean |contribution|", () => {
    expect(featureOrder([0.1, 0.5, 0.3, 0.5])).toEqual([1, 3, 2, 0]);
  });

  it("piles points of one bin alternately above and below, and keeps them inside the row", () => {
    const offsets = Array.from(swarmOffsets([10, 10.5, 11, 11.2, 50], 2, 2, 3));
    expect(offsets.slice(0, 4)).toEqual([0, 2, -2, 0]); // the 4th wraps: one slot fits in ±3 px
    expect(offsets[4]).toBe(0);
    const many = swarmOffsets(new Float32Array(1000).fill(5), 2, 1, 6);
    for (const o of many) expect(Math.abs(o)).toBeLessThanOrEqual(6);
  });

  it("finds the nearest point within a radius", () => {
    const grid = new PointGrid(new Float32Array([10, 30, 31]), new Float32Array([10, 30, 30]));
    expect(grid.nearest(11, 11)).toBe(0);
    expect(grid.nearest(31.2, 30)).toBe(2);
    expect(grid.nearest(100, 100)).toBe(-1);
  });
});

describe("colours", () => {
  it("ramps from low to high through the middle colour", () => {
    const ramp = divergingRamp([0, 0, 255], [128, 0, 128], [255, 0, 0], 3);
    expect(ramp).toEqual(["rgb(0, 0, 255)", "rgb(128, 0, 128)", "rgb(255, 0, 0)"]);
  });

  it("takes a robust range that ignores NaN and outliers", () => {
    const values = [...Array.from({ length: 98 }, (_, i) => i), 1e9, Number.NaN];
    const [lo, hi] = robustRange(values);
    expect(lo).toBeGreaterThanOrEqual(4);
    expect(hi).toBeLessThan(1000);
    expect(robustRange([2, 2])).toEqual([2, 3]);
  });
});

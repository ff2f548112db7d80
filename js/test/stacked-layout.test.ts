import { describe, expect, it } from "vitest";
import { binColumns, orderInstances } from "../src/lib/stacked-layout";

describe("orderInstances", () => {
  it("keeps, sorts by a key, or uses a given order", () => {
    expect(Array.from(orderInstances(3, "original", null, null))).toEqual([0, 1, 2]);
    expect(Array.from(orderInstances(3, "output", [0.5, -1, 0.2], null))).toEqual([1, 2, 0]);
    expect(Array.from(orderInstances(3, "similarity", null, [2, 0, 1]))).toEqual([2, 0, 1]);
    // a similarity order that has not arrived yet falls back to the original order
    expect(Array.from(orderInstances(3, "similarity", null, null))).toEqual([0, 1, 2]);
  });
});

describe("binColumns", () => {
  it("gives one column per instance when they fit, and near-equal contiguous bins when not", () => {
    expect(binColumns(3, 10)).toEqual([[0, 1], [1, 2], [2, 3]]);
    const bins = binColumns(10_000, 700);
    expect(bins.length).toBe(700);
    expect(bins[0]?.[0]).toBe(0);
    expect(bins.at(-1)?.[1]).toBe(10_000);
    for (let i = 1; i < bins.length; i++) expect(bins[i]?.[0]).toBe(bins[i - 1]?.[1]);
    const sizes = bins.map(([a, b]) => b - a);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
});

import { describe, expect, it } from "vitest";
import { waterfallLayout } from "../src/lib/waterfall-layout";

describe("waterfallLayout", () => {
  it("sorts by |contribution|, sums the rest, and runs from the base up to f(x)", () => {
    // base 1; contributions 0.5, -2, 0.1, 0.05, -0.3 → f(x) = -0.65
    const layout = waterfallLayout([0.5, -2, 0.1, 0.05, -0.3], 1, 3);
    expect(layout.rows.map((r) => r.features)).toEqual([[1], [0], [4, 2, 3]]);
    expect(layout.rows[2]?.contribution).toBeCloseTo(-0.15, 12);
    expect(layout.rows[2]?.from).toBe(1); // bottom row starts at the base value
    expect(layout.rows[0]?.to).toBeCloseTo(-0.65, 12); // top row ends at f(x)
    expect(layout.output).toBeCloseTo(-0.65, 12);
    for (let i = 0; i + 1 < layout.rows.length; i++) expect(layout.rows[i]?.from).toBeCloseTo(layout.rows[i + 1]?.to ?? NaN, 12);
  });

  it("shows every feature when they fit, with no 'other' row", () => {
    const layout = waterfallLayout([1, 2], 0, 10);
    expect(layout.rows.map((r) => r.features)).toEqual([[1], [0]]);
    expect(layout.domain[0]).toBeLessThan(0);
    expect(layout.domain[1]).toBeGreaterThan(3);
  });
});

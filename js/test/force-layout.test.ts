import { describe, expect, it } from "vitest";
import { chevron, forceLayout } from "../src/lib/force-layout";

describe("forceLayout", () => {
  it("stacks pushes from f(x) outwards, biggest nearest the output, and adds up", () => {
    // base 0.5; contributions +0.2, -0.1, +0.05, 0, -0.3 → f(x) = 0.35
    const layout = forceLayout([0.2, -0.1, 0.05, 0, -0.3], 0.5);
    expect(layout.output).toBeCloseTo(0.35, 12);
    expect(layout.positive.map((s) => s.feature)).toEqual([0, 2]);
    expect(layout.negative.map((s) => s.feature)).toEqual([4, 1]);
    // positive stack ends at f(x) and extends left
    expect(layout.positive[0]?.end).toBe(layout.output);
    expect(layout.positive[0]?.start).toBeCloseTo(0.15, 12);
    expect(layout.positive[1]?.start).toBeCloseTo(0.1, 12);
    // negative stack starts at f(x) and extends right
    expect(layout.negative[0]?.start).toBeCloseTo(0.35, 12);
    expect(layout.negative[1]?.end).toBeCloseTo(0.75, 12);
    // left end of positives + negative total = base
    expect((layout.positive.at(-1)?.start ?? 0) + 0.4).toBeCloseTo(0.5, 12);
    // domain covers everything
    expect(layout.domain[0]).toBeLessThan(0.1);
    expect(layout.domain[1]).toBeGreaterThan(0.75);
  });

  it("segments tile without gaps or overlaps", () => {
    const values = Array.from({ length: 40 }, (_, i) => Math.sin(i * 1.7) * (i + 1));
    const layout = forceLayout(values, 3);
    for (const stack of [layout.positive, layout.negative]) {
      for (let i = 1; i < stack.length; i++) {
        const prev = stack[i - 1]!;
        const seg = stack[i]!;
        const touching = Math.abs(prev.start - seg.end) < 1e-9 || Math.abs(prev.end - seg.start) < 1e-9;
        expect(touching).toBe(true);
      }
    }
    expect(layout.positive.length + layout.negative.length).toBe(values.filter((v) => v !== 0).length);
  });

  it("has a usable domain when every contribution is zero", () => {
    const layout = forceLayout([0, 0], 0);
    expect(layout.domain[1]).toBeGreaterThan(layout.domain[0]);
  });
});

describe("chevron", () => {
  it("points right for positive pushes and never pokes beyond a narrow segment", () => {
    const right = chevron(0, 100, 0, 20, true).split(" ").map((p) => p.split(",").map(Number));
    expect(right[2]).toEqual([100, 10]);
    const narrow = chevron(0, 2, 0, 20, false).split(" ").map((p) => p.split(",").map(Number));
    for (const [x] of narrow) expect(x).toBeGreaterThanOrEqual(0);
    for (const [x] of narrow) expect(x).toBeLessThanOrEqual(2);
  });
});

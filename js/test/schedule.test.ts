import { describe, expect, it } from "vitest";
import { Coalescer, Memo } from "../src/lib/schedule";
import { FakeModel } from "./fake-model";

describe("Coalescer", () => {
  it("runs once for a burst of changes, before the next task", async () => {
    let runs = 0;
    const coalescer = new Coalescer(() => runs++);
    const model = new FakeModel();
    for (const name of ["values", "base_values", "data", "feature_names"]) model.on(`change:${name}`, coalescer.request);
    model.set({ values: 1, base_values: 2, data: 3, feature_names: [] }); // one kernel message, four events
    expect(runs).toBe(0);
    await Promise.resolve();
    expect(runs).toBe(1);
    coalescer.request();
    coalescer.request();
    await Promise.resolve();
    expect(runs).toBe(2);
  });

  it("does nothing once disposed", async () => {
    let runs = 0;
    const coalescer = new Coalescer(() => runs++);
    coalescer.request();
    coalescer.dispose();
    await Promise.resolve();
    expect(runs).toBe(0);
  });
});

describe("Memo", () => {
  it("recomputes only when a dependency changes, by identity", () => {
    const memo = new Memo<number[]>();
    let computed = 0;
    const data = { n: 3 };
    const first = memo.get([data, 800], () => [++computed]);
    expect(memo.get([data, 800], () => [++computed])).toBe(first);
    expect(memo.get([data, 640], () => [++computed])).toEqual([2]); // a resize: the width stage only
    expect(memo.get([{ n: 3 }, 640], () => [++computed])).toEqual([3]); // new data
  });
});

import { describe, expect, it } from "vitest";
import { Disposer } from "../src/lib/dom";
import { keepLocal, type Model } from "../src/lib/model";

class Saving {
  sent: Array<Record<string, unknown>> = [];
  _buffered_state_diff: Record<string, unknown> = {};
  save_changes() {
    this.sent.push({ ...this._buffered_state_diff });
    this._buffered_state_diff = {};
  }
}

describe("keepLocal", () => {
  it("keeps every view's keys local until that view goes away, whatever order views go in", () => {
    const model = new Saving();
    const first = new Disposer();
    const second = new Disposer();
    keepLocal(model as unknown as Model, ["x", "y"], first);
    keepLocal(model as unknown as Model, ["y", "colors"], second);
    model._buffered_state_diff = { x: 1, y: 2, colors: 3, other: 4 };
    model.save_changes();
    expect(model.sent.at(-1)).toEqual({ other: 4 });
    first.dispose(); // the second view still keeps y and colors
    model._buffered_state_diff = { x: 1, y: 2, colors: 3 };
    model.save_changes();
    expect(model.sent.at(-1)).toEqual({ x: 1 });
    second.dispose();
    model._buffered_state_diff = { y: 2 };
    model.save_changes();
    expect(model.sent.at(-1)).toEqual({ y: 2 });
  });
});

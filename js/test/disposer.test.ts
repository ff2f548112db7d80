import { describe, expect, it } from "vitest";
import { Disposer } from "../src/lib/dom";
import { watch } from "../src/lib/model";

class FakeModel {
  handlers = new Map<string, Set<() => void>>();
  on(event: string, cb: () => void) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(cb);
  }
  off(event: string, cb: () => void) {
    this.handlers.get(event)?.delete(cb);
  }
  count() {
    return [...this.handlers.values()].reduce((n, s) => n + s.size, 0);
  }
}

describe("Disposer", () => {
  it("removes every DOM listener it added", () => {
    const target = new EventTarget();
    const disposer = new Disposer();
    let calls = 0;
    disposer.listen(target, "ping", () => calls++);
    disposer.listen(target, "pong", () => calls++);
    target.dispatchEvent(new Event("ping"));
    disposer.dispose();
    target.dispatchEvent(new Event("ping"));
    target.dispatchEvent(new Event("pong"));
    expect(calls).toBe(1);
    expect(disposer.size).toBe(0);
  });

  it("removes model listeners registered through watch", () => {
    const model = new FakeModel();
    const disposer = new Disposer();
    // the fake implements only what watch needs
    watch(model as never, ["instance", "output"], () => {}, disposer);
    expect(model.count()).toBe(2);
    disposer.dispose();
    expect(model.count()).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { Attribution, attributionOf } from "../src/lib/attribution";
import { SharedRequests } from "../src/lib/shared-requests";
import { stats } from "../src/lib/shared";
import { FakeModel, float32Payload } from "./fake-model";

function dataModel(scale = 1) {
  return new FakeModel({
    kind: "full",
    n_instances: 2,
    values: float32Payload([1, 2, 3, 4].map((v) => v * scale), [2, 2, 1]),
    base_values: float32Payload([0.5, 0.5], [2, 1]),
    data: null,
    convergence_delta: null,
    feature_names: ["a", "b"],
    feature_conditions: [],
    output_names: ["y"],
    method: "tree",
    output_space: "raw",
    baseline: "",
  });
}

type Sent = { iw: string; id: string; kind?: string };

describe("shared decode", () => {
  it("decodes a data model once for every view, again only when its arrays change", () => {
    const model = dataModel();
    const before = stats().decodes;
    const first = attributionOf(model as never);
    expect(attributionOf(model as never)).toBe(first); // a second view (in any bundle) gets the same object
    expect(stats().decodes).toBe(before + 1);
    expect(first.contribution(1, 0, 0)).toBe(3);
    model.set("values", float32Payload([10, 20, 30, 40], [2, 2, 1]));
    const second = attributionOf(model as never);
    expect(second).not.toBe(first);
    expect(second.contribution(1, 0, 0)).toBe(30);
    expect(stats().decodes).toBe(before + 2);
  });

  it("reads a lazily computed instance at its own index", () => {
    const model = dataModel();
    const fields = Object.fromEntries(["feature_names", "feature_conditions", "output_names", "method", "output_space", "baseline"].map((k) => [k, model.get(k)]));
    const one = new Attribution({ ...fields, n_instances: 1, data: null, convergence_delta: null, values: float32Payload([7, 8], [1, 2, 1]), base_values: float32Payload([1], [1, 1]) } as never, 42);
    expect(one.has(42) && !one.has(0)).toBe(true);
    expect(Array.from(one.contributions(42, 0))).toEqual([7, 8]);
    expect(one.baseValue(42, 0)).toBe(1);
    expect(() => one.check(3, 0)).toThrow(/instance 3/);
  });
});

describe("SharedRequests", () => {
  it("asks once for a key that several views want, and tells each when it arrives", async () => {
    const model = dataModel();
    const requests = SharedRequests.acquire(model as never);
    let told = 0;
    const first = requests.want({}, "similarity:0", "similarity_order", { output: 0 }, (c) => c.n, () => told++);
    const second = requests.want({}, "similarity:0", "similarity_order", { output: 0 }, (c) => c.n, () => told++);
    expect(first).toEqual({ status: "pending" });
    expect(second).toEqual({ status: "pending" });
    expect(model.sent).toHaveLength(1);
    model.reply({ iw: "reply", id: (model.sent[0] as Sent).id, content: { n: 5 } });
    await Promise.resolve();
    await Promise.resolve();
    expect(told).toBe(2);
    expect(requests.want({}, "similarity:0", "similarity_order", {}, (c) => c.n, () => {})).toEqual({ status: "ready", value: 5 });
    requests.release();
  });

  it("cancels a pending request when the last view that wanted it moves on", () => {
    const model = dataModel();
    const requests = SharedRequests.acquire(model as never);
    const view = {};
    requests.want(view, "attribution:1", "attribution", { instance: 1 }, (c) => c, () => {});
    requests.want(view, "attribution:2", "attribution", { instance: 2 }, (c) => c, () => {}); // the user stepped on
    const [first, cancel] = model.sent as Sent[];
    expect(cancel).toEqual({ iw: "cancel", id: first?.id });
    requests.drop(view); // the view went away
    expect((model.sent as Sent[]).filter((m) => m.iw === "cancel")).toHaveLength(2);
    requests.release();
  });

  it("forgets results when the data's arrays change, and closes its channel with the last view", async () => {
    const model = dataModel();
    const requests = SharedRequests.acquire(model as never);
    expect(SharedRequests.acquire(model as never)).toBe(requests);
    requests.want({}, "similarity:0", "similarity_order", {}, (c) => c.n, () => {});
    model.reply({ iw: "reply", id: (model.sent[0] as Sent).id, content: { n: 1 } });
    await Promise.resolve();
    model.set("values", float32Payload([0, 0, 0, 0], [2, 2, 1]));
    expect(requests.want({}, "similarity:0", "similarity_order", {}, (c) => c.n, () => {})).toEqual({ status: "pending" });
    expect(model.sent).toHaveLength(2); // asked again for the new data
    requests.release();
    requests.release();
    expect(model.listeners("msg:custom") + model.listeners("change:values")).toBe(0);
  });
});

describe("printing precision", () => {
  it("prints contributions that travelled as float16 to 3 significant digits, float32 ones to 4", () => {
    const model = dataModel();
    expect(attributionOf(model as never).digits).toBe(4);
    const half = new DataView(new ArrayBuffer(8));
    [0x3c00, 0x4000, 0x4200, 0x4400].forEach((bits, i) => half.setUint16(2 * i, bits, true));
    model.set("values", { dtype: "float16", shape: [2, 2, 1], buffer: half });
    const decoded = attributionOf(model as never);
    expect(decoded.digits).toBe(3);
    expect(Array.from(decoded.values)).toEqual([1, 2, 3, 4]);
  });
});

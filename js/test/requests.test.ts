import { describe, expect, it } from "vitest";
import { CancelledError, RequestChannel, RequestError } from "../src/lib/requests";
import { stats } from "../src/lib/shared";
import { FakeModel } from "./fake-model";

type Sent = { iw: string; id: string; kind?: string; params?: unknown };

describe("RequestChannel", () => {
  it("sends {iw, id, kind, params} and resolves with the reply, buffers put back in place", async () => {
    const model = new FakeModel();
    const channel = new RequestChannel(model);
    const pending = channel.request("similarity_order", { output: 1 });
    const sent = model.sent[0] as Sent;
    expect(sent).toMatchObject({ iw: "request", kind: "similarity_order", params: { output: 1 } });
    const buffer = new DataView(new Int32Array([2, 0, 1]).buffer);
    model.reply({ iw: "reply", id: sent.id, content: { order: { dtype: "int32", shape: [3], buffer: { __iw_buffer__: 0 } } } }, [buffer]);
    const content = (await pending) as { order: { buffer: DataView } };
    expect(content.order.buffer).toBe(buffer);
    expect(channel.size).toBe(0);
  });

  it("rejects with the error Python sent", async () => {
    const model = new FakeModel();
    const pending = new RequestChannel(model).request("attribution", { instance: 99 });
    model.reply({ iw: "error", id: (model.sent[0] as Sent).id, error: "instance must be in 0..9; received 99", type: "ValueError" });
    await expect(pending).rejects.toEqual(new RequestError("instance must be in 0..9; received 99", "ValueError"));
  });

  it("cancels the older request of a slot when a newer one is made, and drops its late reply", async () => {
    const model = new FakeModel();
    const channel = new RequestChannel(model);
    const first = channel.request("attribution", { instance: 1 });
    const second = channel.request("attribution", { instance: 2 });
    const [a, cancel, b] = model.sent as Sent[];
    expect(cancel).toEqual({ iw: "cancel", id: a?.id });
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    const stale = stats().stale;
    model.reply({ iw: "reply", id: a?.id, content: { instance: 1 } }); // Python had already started it
    expect(stats().stale).toBe(stale + 1);
    model.reply({ iw: "reply", id: b?.id, content: { instance: 2 } });
    await expect(second).resolves.toEqual({ instance: 2 });
  });

  it("keeps requests of different slots apart and ignores other channels' replies", async () => {
    const model = new FakeModel();
    const mine = new RequestChannel(model);
    const theirs = new RequestChannel(model);
    const one = mine.request("attribution", { instance: 1 }, "i:1");
    const two = mine.request("attribution", { instance: 2 }, "i:2");
    const other = theirs.request("attribution", { instance: 1 }, "i:1");
    expect(model.sent.filter((m) => (m as Sent).iw === "cancel")).toHaveLength(0);
    const [a, b, c] = model.sent as Sent[];
    model.reply({ iw: "reply", id: c?.id, content: { who: "theirs" } });
    model.reply({ iw: "reply", id: b?.id, content: { who: "two" } });
    model.reply({ iw: "reply", id: a?.id, content: { who: "one" } });
    await expect(Promise.all([one, two, other])).resolves.toEqual([{ who: "one" }, { who: "two" }, { who: "theirs" }]);
  });

  it("cancels everything and stops listening when disposed (a view's cleanup)", async () => {
    const model = new FakeModel();
    const channel = new RequestChannel(model);
    const pending = [channel.request("a"), channel.request("b")];
    channel.dispose();
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(model.sent.filter((m) => (m as Sent).iw === "cancel")).toHaveLength(2);
    expect(model.listeners("msg:custom")).toBe(0);
    await expect(channel.request("c")).rejects.toBeInstanceOf(CancelledError);
  });
});

import { describe, expect, it } from "vitest";
import { readThumbnails, readTile, tileKey } from "../src/lib/attention-data";
import { tileLevels } from "../src/lib/attention-paint";
import { parseColor, rampColours } from "../src/lib/colors";
import type { Model } from "../src/lib/model";
import { bytesOf, KEEP_BYTES, SharedRequests } from "../src/lib/shared-requests";
import { tokenText } from "../src/views/tokens";
import { FakeModel } from "./fake-model";

interface Sent {
  iw: string;
  id: string;
  kind: string;
}

function uint8(values: number[], shape: number[], scale: number, offset: number) {
  return { dtype: "uint8" as const, shape, buffer: new DataView(new Uint8Array(values).buffer), scale, offset };
}

describe("attention tiles", () => {
  it("keep their quantised bytes, and take their peak and sign from Python", () => {
    const tile = readTile({ tile: uint8([0, 255, 128, 64], [2, 2], 0.5 / 255, 0), peak: 0.5, signed: false });
    expect(tile.n).toBe(2);
    expect(tile.q).toBeInstanceOf(Uint8Array);
    expect(tile.peak).toBeCloseTo(0.5);
    expect(tile.signed).toBe(false);
    // colour levels: 0 is no weight, 255 the peak, linear between
    const levels = tileLevels(tile);
    expect([levels[0], levels[255], levels[128]]).toEqual([0, 255, 128]);
    const signed = readTile({ tile: uint8([0, 255, 0, 255], [2, 2], 2 / 255, -1), peak: 1, signed: true });
    const middle = tileLevels(signed);
    expect(middle[0]).toBe(0); // −1: the negative end
    expect(middle[255]).toBe(255); // +1: the positive end
    // a constant tile (quantised with scale 1): its peak is what Python says, not offset + 255 · scale
    const constant = readTile({ tile: uint8([0, 0, 0, 0], [2, 2], 1, 0), peak: 0, signed: true });
    expect(constant.peak).toBe(0);
    expect(tileLevels(constant)[0]).toBe(128); // zero sits in the middle of a diverging scale
  });

  it("thumbnail levels come back whole whatever range they were quantised over", () => {
    // levels 1..255 quantised between their own min and max: offset 1, scale 254/255
    const thumbnails = readThumbnails({
      thumbnails: uint8([0, 255, 128], [1, 1, 1, 3], 254 / 255, 1),
      peaks: { dtype: "float32", shape: [1, 1], buffer: new DataView(new Float32Array([0.7]).buffer) },
      signed: false,
    });
    expect([...thumbnails.levels]).toEqual([1, 255, 128]);
    expect(thumbnails.peaks[0]).toBeCloseTo(0.7);
  });

  it("keys tiles of derived maps by layer only", () => {
    expect(tileKey(0, "rollout", 2, 5)).toBe(tileKey(0, "rollout", 2, 0));
    expect(tileKey(0, "head", 2, 5)).not.toBe(tileKey(0, "head", 2, 0));
  });
});

describe("shared request results", () => {
  it("count the bytes of the arrays they hold", () => {
    expect(bytesOf({ q: new Uint8Array(10), shape: [2, 5], inner: { data: new Float32Array(4) } })).toBe(26);
  });

  it("are trimmed to the memory bound, oldest first, never one a view is showing", () => {
    const model = new FakeModel();
    const shared = SharedRequests.acquire(model as unknown as Model);
    const tile = 16 * 1024 * 1024;
    const read = (content: Record<string, unknown>) => ({ q: new Uint8Array(content.n as number) });
    const showing = {};
    shared.want(showing, "tile:0", "tile", { i: 0 }, read, () => {});
    const answer = () => {
      const sent = model.sent.filter((m) => (m as Sent).iw === "request") as Sent[];
      const last = sent[sent.length - 1] as Sent;
      model.reply({ iw: "reply", id: last.id, content: { n: tile } });
    };
    answer();
    for (let i = 1; i <= 6; i++) {
      shared.prefetch(`tile:${i}`, "tile", { i }, read);
      answer();
    }
    return Promise.resolve().then(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(shared.bytes).toBeLessThanOrEqual(KEEP_BYTES);
      expect(shared.has("tile:0")).toBe(true); // the one shown stays
      expect(shared.has("tile:1")).toBe(false); // the oldest prefetch went first
      expect(shared.has("tile:6")).toBe(true);
      shared.release();
    });
  });
});

describe("token text", () => {
  it("shows word pieces without their mark and byte-level BPE's space as a space", () => {
    expect(tokenText("##ing")).toEqual({ text: "ing", continues: true });
    expect(tokenText("Ġworld")).toEqual({ text: "world", continues: false });
    expect(tokenText("<img src=x>")).toEqual({ text: "<img src=x>", continues: false });
    expect(tokenText("##")).toEqual({ text: "##", continues: false });
  });
});

describe("colour ramps", () => {
  it("run through every stop, evenly", () => {
    const ramp = rampColours([[0, 0, 0], [100, 100, 100], [200, 0, 0]], 5);
    expect(ramp).toEqual([[0, 0, 0], [50, 50, 50], [100, 100, 100], [150, 50, 50], [200, 0, 0]]);
  });
});

describe("theme colours", () => {
  it("parse in the forms themes write them", () => {
    expect(parseColor("#111", [9, 9, 9])).toEqual([17, 17, 17]);
    expect(parseColor(" #00796b ", [9, 9, 9])).toEqual([0, 121, 107]);
    expect(parseColor("#00796bff", [9, 9, 9])).toEqual([0, 121, 107]);
    expect(parseColor("rgb(1, 2, 3)", [9, 9, 9])).toEqual([1, 2, 3]);
    expect(parseColor("var(--x)", [9, 9, 9])).toEqual([9, 9, 9]);
  });
});

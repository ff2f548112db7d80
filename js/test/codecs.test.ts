import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type ArrayPayload, decode, halfToFloat, offsetOf } from "../src/lib/codecs";

function float32Bytes(values: number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return new Uint8Array(view.buffer);
}

describe("decode", () => {
  it("reads float32 from a DataView that starts at an unaligned byteOffset", () => {
    const payload = float32Bytes([1.5, -2.25, 3e-8, 65504]);
    const message = new Uint8Array(3 + payload.length + 5);
    message.set(payload, 3);
    const view = new DataView(message.buffer, 3, payload.length);
    const out = decode({ dtype: "float32", shape: [2, 2], buffer: view });
    expect(out.shape).toEqual([2, 2]);
    expect(Array.from(out.data)).toEqual([1.5, -2.25, Math.fround(3e-8), 65504]);
  });

  it("honours byteLength: trailing bytes of the underlying buffer are not read", () => {
    const message = new Uint8Array(16);
    message.set(float32Bytes([7, 8]), 4);
    const out = decode({ dtype: "float32", shape: [2], buffer: new DataView(message.buffer, 4, 8) });
    expect(Array.from(out.data)).toEqual([7, 8]);
  });

  it("reads int32 little-endian including negatives", () => {
    const view = new DataView(new ArrayBuffer(12));
    [-1, 2147483647, -2147483648].forEach((v, i) => view.setInt32(i * 4, v, true));
    expect(Array.from(decode({ dtype: "int32", shape: [3], buffer: view }).data)).toEqual([-1, 2147483647, -2147483648]);
  });

  it("reads float16 bit patterns: normal, subnormal, zero, infinities and NaN", () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555];
    const view = new DataView(new ArrayBuffer(bits.length * 2));
    bits.forEach((b, i) => view.setUint16(i * 2, b, true));
    const out = Array.from(decode({ dtype: "float16", shape: [bits.length], buffer: view }).data);
    expect(out.slice(0, 4)).toEqual([1, -2, 65504, 2 ** -24]);
    expect(Object.is(out[4], -0)).toBe(true);
    expect(out[5]).toBe(Infinity);
    expect(out[6]).toBe(-Infinity);
    expect(Number.isNaN(out[7])).toBe(true);
    expect(out[8]).toBeCloseTo(1 / 3, 3);
  });

  it("dequantises uint8 with scale and offset", () => {
    const bytes = new Uint8Array([0, 1, 255]);
    const out = decode({ dtype: "uint8", shape: [3], buffer: bytes, scale: 0.5, offset: -1 });
    expect(Array.from(out.data)).toEqual([-1, -0.5, 126.5]);
  });

  it("handles 0-d and empty arrays", () => {
    expect(Array.from(decode({ dtype: "float32", shape: [], buffer: float32Bytes([4]) }).data)).toEqual([4]);
    const empty = decode({ dtype: "float32", shape: [0, 3], buffer: new ArrayBuffer(0) });
    expect(empty.data.length).toBe(0);
    expect(empty.shape).toEqual([0, 3]);
  });

  it("rejects a buffer whose size does not match the shape, and unknown dtypes", () => {
    expect(() => decode({ dtype: "float32", shape: [3], buffer: float32Bytes([1, 2]) })).toThrow(/needs 12/);
    expect(() => decode({ dtype: "float64" as never, shape: [1], buffer: new ArrayBuffer(8) })).toThrow(/unsupported dtype/);
  });
});

describe("payloads written by Python's _transfer.encode", () => {
  interface Case { name: string; payload: Omit<ArrayPayload, "buffer"> & { buffer_base64: string }; expected: Array<number | string>; tolerance: number }
  const cases: Case[] = JSON.parse(readFileSync(new URL("./fixtures/python-payloads.json", import.meta.url), "utf8"));

  it("has cases for every wire dtype", () => {
    expect(new Set(cases.map((c) => c.payload.dtype))).toEqual(new Set(["float32", "float16", "int32", "uint8"]));
  });

  for (const c of cases) {
    it(`decodes ${c.name} within its documented error`, () => {
      const bytes = Buffer.from(c.payload.buffer_base64, "base64");
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out = decode({ ...c.payload, buffer: view });
      expect(out.shape).toEqual(c.payload.shape);
      expect(out.data.length).toBe(c.expected.length);
      c.expected.forEach((e, i) => {
        const got = out.data[i] as number;
        if (e === "nan") expect(Number.isNaN(got)).toBe(true);
        else if (e === "inf" || e === "-inf") expect(got).toBe(e === "inf" ? Infinity : -Infinity);
        else expect(Math.abs(got - (e as number))).toBeLessThanOrEqual(c.tolerance);
      });
    });
  }
});

describe("offsetOf", () => {
  it("computes row-major offsets and rejects out-of-range indices", () => {
    expect(offsetOf([2, 3, 4], [1, 2, 3])).toBe(23);
    expect(offsetOf([5], [0])).toBe(0);
    expect(() => offsetOf([2, 3], [2, 0])).toThrow(RangeError);
  });
});

describe("halfToFloat", () => {
  it("agrees with exact powers of two across the exponent range", () => {
    for (let e = -14; e <= 15; e++) expect(halfToFloat((e + 15) << 10)).toBe(2 ** e);
  });
});

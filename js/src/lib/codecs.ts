// Binary payloads from interpretwidgets/_transfer.py → typed arrays. The wire is little-endian, C-ordered.

export type WireDType = "float32" | "float16" | "int32" | "uint8";

export interface ArrayPayload {
  dtype: WireDType;
  shape: number[];
  buffer: DataView | ArrayBuffer | ArrayBufferView;
  /** uint8 quantisation: value = offset + q * scale */
  scale?: number;
  offset?: number;
}

export interface NdArray<T extends Float32Array | Int32Array | Uint8Array = Float32Array | Int32Array | Uint8Array> {
  data: T;
  shape: number[];
}

const BYTES: Record<WireDType, number> = { float32: 4, float16: 2, int32: 4, uint8: 1 };

function asDataView(buffer: ArrayPayload["buffer"]): DataView {
  if (buffer instanceof DataView) return buffer;
  if (ArrayBuffer.isView(buffer)) return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return new DataView(buffer);
}

/** Every browser in use is little-endian, like the wire; the check keeps a big-endian host correct (slow path). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The view's bytes in a fresh, aligned ArrayBuffer: one memcpy, whatever the view's byteOffset. */
function copyBytes(view: DataView): ArrayBuffer {
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Half-precision bits → number (handles subnormals, infinities and NaN). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

let HALF_TABLE: Float32Array | null = null;

/** Every half-precision bit pattern's value: decoding millions of float16 values is then one look-up each. */
function halfTable(): Float32Array {
  if (!HALF_TABLE) {
    HALF_TABLE = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) HALF_TABLE[bits] = halfToFloat(bits);
  }
  return HALF_TABLE;
}

/**
 * Decode a payload into a typed array. Honours the DataView's byteOffset/byteLength: ipywidgets hands out views
 * into larger message buffers, and a float32 view may start at an offset that is not a multiple of 4.
 */
export function decode(payload: ArrayPayload): NdArray {
  const { dtype, shape } = payload;
  if (!(dtype in BYTES)) throw new Error(`unsupported dtype ${String(dtype)}`);
  const view = asDataView(payload.buffer);
  const n = size(shape);
  if (view.byteLength !== n * BYTES[dtype]) {
    throw new Error(`buffer has ${view.byteLength} bytes; ${dtype} shape [${shape.join(", ")}] needs ${n * BYTES[dtype]}`);
  }
  switch (dtype) {
    case "float32": {
      if (LITTLE_ENDIAN) return { data: new Float32Array(copyBytes(view)), shape: [...shape] };
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return { data: out, shape: [...shape] };
    }
    case "int32": {
      if (LITTLE_ENDIAN) return { data: new Int32Array(copyBytes(view)), shape: [...shape] };
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      return { data: out, shape: [...shape] };
    }
    case "float16": {
      const out = new Float32Array(n);
      const table = halfTable();
      if (LITTLE_ENDIAN) {
        const bits = new Uint16Array(copyBytes(view));
        for (let i = 0; i < n; i++) out[i] = table[bits[i] as number] as number;
      } else {
        for (let i = 0; i < n; i++) out[i] = table[view.getUint16(2 * i, true)] as number;
      }
      return { data: out, shape: [...shape] };
    }
    case "uint8": {
      const bytes = new Uint8Array(view.buffer, view.byteOffset, n);
      if (payload.scale === undefined) return { data: bytes.slice(), shape: [...shape] };
      const scale = payload.scale;
      const offset = payload.offset ?? 0;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = offset + (bytes[i] as number) * scale;
      return { data: out, shape: [...shape] };
    }
  }
}

/** A uint8 payload kept quantised (a quarter of float32's memory): value = offset + q * scale. */
export interface Quantized {
  q: Uint8Array;
  shape: number[];
  scale: number;
  offset: number;
}

export function decodeQuantized(payload: ArrayPayload): Quantized {
  if (payload.dtype !== "uint8") throw new Error(`expected a uint8 payload; received ${String(payload.dtype)}`);
  const { data, shape } = decode({ dtype: "uint8", shape: payload.shape, buffer: payload.buffer });
  return { q: data as Uint8Array, shape, scale: payload.scale ?? 1, offset: payload.offset ?? 0 };
}

/** Decode a payload that may be null (an optional array trait). */
export function decodeOptional(payload: ArrayPayload | null | undefined): NdArray | null {
  return payload ? decode(payload) : null;
}

/** Row-major offset of an index into an array of the given shape. */
export function offsetOf(shape: readonly number[], index: readonly number[]): number {
  let offset = 0;
  for (let axis = 0; axis < shape.length; axis++) {
    const i = index[axis] ?? 0;
    const n = shape[axis] ?? 1;
    if (i < 0 || i >= n) throw new RangeError(`index ${i} out of range for axis ${axis} of size ${n}`);
    offset = offset * n + i;
  }
  return offset;
}

/** The placeholder Python's `_transfer.pack` leaves where a binary buffer of a message goes: {__iw_buffer__: i}. */
const BUFFER_KEY = "__iw_buffer__";

/** Put a message's binary buffers back where `_transfer.pack` took them out (the inverse of `pack`). */
export function unpack(content: unknown, buffers: ReadonlyArray<DataView>): unknown {
  if (Array.isArray(content)) return content.map((item) => unpack(item, buffers));
  if (content === null || typeof content !== "object") return content;
  const entries = Object.entries(content as Record<string, unknown>);
  if (entries.length === 1 && entries[0]?.[0] === BUFFER_KEY) {
    const index = entries[0][1] as number;
    const buffer = buffers[index];
    if (!buffer) throw new Error(`message refers to buffer ${index}; it came with ${buffers.length}`);
    return buffer;
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, unpack(value, buffers)]));
}

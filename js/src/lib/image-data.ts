// The image data model (twin: widgets/_image_data.py): what an image view asks for, and the decoded replies. Images,
// maps and the agreement between methods come on request, shared by every view of the model.
import { type Agreement, readAgreement } from "./agreement";
import { type ArrayPayload, decode } from "./codecs";
import type { Model, Traits } from "./model";
import type { Params } from "./requests";
import type { SelectionSource } from "./selection";
import { type Lookup, PurposeRequests, type SharedRequests } from "./shared-requests";

export interface ImageTraits extends Traits {
  n_instances: number;
  height: number;
  width: number;
  output_names: string[];
  methods: string[];
}

/** RGB bytes, 3 per pixel, row by row. */
export interface RgbImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

export interface Thumbnails {
  /** RGB bytes of every image, one after another */
  pixels: Uint8Array;
  count: number;
  width: number;
  height: number;
}

/** One attribution map: one value per pixel, and what its method says of itself. */
export interface ImageMap {
  method: string;
  values: Float32Array;
  width: number;
  height: number;
  /** the largest |value| */
  peak: number;
  /** superpixel methods: each pixel's segment id */
  segments: Int32Array | null;
  /** the pixel values are sums over the colour channels */
  summedChannels: boolean;
  base: number;
  baseline: string;
  outputSpace: string;
  /** how far Σ values + base misses the model's output (null: the method does not say) */
  gap: number | null;
}


export function readImage(content: Params): RgbImage {
  const image = decode(content.image as ArrayPayload);
  const [height = 0, width = 0] = image.shape;
  return { pixels: image.data as Uint8Array, width, height };
}

export function readThumbnails(content: Params): Thumbnails {
  const images = decode(content.thumbnails as ArrayPayload);
  const [count = 0, height = 0, width = 0] = images.shape;
  return { pixels: images.data as Uint8Array, count, width, height };
}

export function readMap(content: Params): ImageMap {
  const scaled = decode(content.map as ArrayPayload);
  const peak = Number(content.peak ?? 0);
  // float16 of value ÷ peak: back to the values
  const values = Float32Array.from(scaled.data as Float32Array, (v) => v * (peak || 1));
  const [height = 0, width = 0] = scaled.shape;
  const segments = content.segments ? (decode(content.segments as ArrayPayload).data as Int32Array) : null;
  return {
    method: String(content.method ?? ""),
    values,
    width,
    height,
    peak,
    segments,
    summedChannels: Boolean(content.summed_channels),
    base: Number(content.base ?? 0),
    baseline: String(content.baseline ?? ""),
    outputSpace: String(content.output_space ?? ""),
    gap: content.gap === null || content.gap === undefined ? null : Number(content.gap),
  };
}



/** The method shown: the selection's when the data has it, else the data's first. */
export function shownMethod(selection: SelectionSource, data: Model<ImageTraits>): string {
  const methods = data.get("methods");
  const chosen = selection.method();
  return methods.includes(chosen) ? chosen : (methods[0] ?? "");
}

export function mapKey(instance: number, output: number, method: string): string {
  return `map:${instance}:${output}:${method}`;
}

/** What one view wants from the image data, each thing for its own purpose. */
export class ImageRequests extends PurposeRequests {
  constructor(
    readonly data: Model<ImageTraits>,
    shared: SharedRequests,
    settled: () => void,
  ) {
    super(shared, settled);
  }

  image(purpose: string, instance: number): Lookup<RgbImage> {
    return this.want(purpose, `image:${instance}`, "image", { instance }, readImage);
  }

  thumbnails(purpose: string): Lookup<Thumbnails> {
    return this.want(purpose, "thumbnails", "thumbnails", {}, readThumbnails);
  }

  map(purpose: string, instance: number, output: number, method: string): Lookup<ImageMap> {
    return this.want(purpose, mapKey(instance, output, method), "map", { instance, output, method }, readMap);
  }

  agreement(purpose: string, instance: number, output: number): Lookup<Agreement> {
    return this.want(purpose, `agreement:${instance}:${output}`, "agreement", { instance, output }, readAgreement);
  }
}

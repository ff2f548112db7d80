// The attention data model (twin: widgets/_attention_data.py): what a view asks for, and the decoded replies. Tiles
// and thumbnails come on request, shared by every view of the model and kept within SharedRequests' memory bound.
import { decode, decodeQuantized, type ArrayPayload, type Quantized } from "./codecs";
import type { Model, Traits } from "./model";
import type { Params } from "./requests";
import { type Lookup, PurposeRequests, type SharedRequests } from "./shared-requests";

export interface AttentionTraits extends Traits {
  n_instances: number;
  n_layers: number;
  n_heads: number;
  method: string;
  kinds: string[];
}

/** What a map kind is called in the views. */
export const KIND_LABELS: Record<string, string> = {
  head: "one head",
  mean: "mean of heads",
  rollout: "rollout",
  value_weighted: "value-weighted",
  gradient_weighted: "gradient-weighted",
  flow: "flow",
};

/** Map kinds that cost real work in Python (a backward pass, a maximum flow per pair): computed when asked for. */
export const ON_REQUEST = new Set(["gradient_weighted", "flow"]);

export interface TextInfo {
  tokens: string[];
  special: boolean[];
  warning: string;
  method: string;
}

export interface Tile extends Quantized {
  n: number;
  /** the largest |value|: colours run from 0 to it (or from −it to it when signed) */
  peak: number;
  signed: boolean;
}

export interface Thumbnails {
  /** levels 0..255 (signed: 127.5 is zero), each thumbnail scaled to its own peak */
  levels: Uint8Array;
  rows: number;
  columns: number;
  size: number;
  peaks: Float32Array;
  signed: boolean;
}

export function textKey(instance: number): string {
  return `text:${instance}`;
}

/** Map kinds that depend on the output explained (the selected class): their requests carry it. */
export const PER_OUTPUT = new Set(["gradient_weighted"]);

export function tileKey(instance: number, kind: string, layer: number, head: number, output: number | null = null): string {
  return `tile:${instance}:${kind}:${layer}:${kind === "head" ? head : 0}:${PER_OUTPUT.has(kind) ? (output ?? "") : ""}`;
}

function targeted(params: Params, kind: string, output: number | null): Params {
  return PER_OUTPUT.has(kind) && output !== null ? { ...params, output } : params;
}

export function readText(content: Params): TextInfo {
  return {
    tokens: (content.tokens as string[]) ?? [],
    special: (content.special as boolean[]) ?? [],
    warning: String(content.warning ?? ""),
    method: String(content.method ?? ""),
  };
}

export function readTile(content: Params): Tile {
  const tile = decodeQuantized(content.tile as ArrayPayload);
  // the scale's end comes from Python: a constant tile's quantisation step says nothing of it
  return { ...tile, n: tile.shape[0] ?? 0, peak: Number(content.peak ?? 0), signed: Boolean(content.signed) };
}

export function readThumbnails(content: Params): Thumbnails {
  // levels 0..255 travel as quantised uint8 between their own min and max: back to whole levels
  const quantized = decodeQuantized(content.thumbnails as ArrayPayload);
  const levels = quantized.q.map((q) => Math.round(quantized.offset + q * quantized.scale));
  const [rows = 0, columns = 0, size = 0] = quantized.shape;
  return {
    levels,
    rows,
    columns,
    size,
    peaks: decode(content.peaks as ArrayPayload).data as Float32Array,
    signed: Boolean(content.signed),
  };
}

/** A tile's value at (query i, key j). */
export function tileValue(tile: Tile, i: number, j: number): number {
  return tile.offset + (tile.q[i * tile.n + j] as number) * tile.scale;
}

/** What one view wants from the attention data, each thing for its own purpose. */
export class AttentionRequests extends PurposeRequests {
  constructor(
    readonly data: Model<AttentionTraits>,
    shared: SharedRequests,
    settled: () => void,
  ) {
    super(shared, settled);
  }

  text(instance: number): Lookup<TextInfo> {
    return this.want("text", textKey(instance), "text", { instance }, readText);
  }

  /** `output`: the class a gradient-weighted map explains (null: the model's own, e.g. its predicted class) */
  tile(purpose: string, instance: number, kind: string, layer: number, head: number, output: number | null = null): Lookup<Tile> {
    const params = targeted({ instance, map: kind, layer, head }, kind, output);
    return this.want(purpose, tileKey(instance, kind, layer, head, output), "tile", params, readTile);
  }

  thumbnails(purpose: string, instance: number, kind: string, output: number | null = null): Lookup<Thumbnails> {
    const key = `thumbnails:${instance}:${kind}:${PER_OUTPUT.has(kind) ? (output ?? "") : ""}`;
    return this.want(purpose, key, "thumbnails", targeted({ instance, map: kind }, kind, output), readThumbnails);
  }

  /** Fetch a tile the next click will likely show (the other heads of the layer shown). */
  prefetchTile(instance: number, kind: string, layer: number, head: number): void {
    this.shared.prefetch(tileKey(instance, kind, layer, head), "tile", { instance, map: kind, layer, head }, readTile);
  }
}

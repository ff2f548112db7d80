// The selection a view reads and writes: an explorer's shared Selection model, or, for a standalone view, the
// view's own traits (which ipywidgets.link / jslink tie together). Same trait names either way.
import { type Model, save } from "./model";

export const SELECTION_KEYS = ["instance", "output", "feature", "layer", "head", "token", "method", "map_kind"] as const;
export type SelectionKey = (typeof SELECTION_KEYS)[number];
export type IndexKey = Exclude<SelectionKey, "method" | "map_kind">;

export interface SelectionTraits {
  instance: number;
  output: number;
  feature: number;
  layer: number;
  head: number;
  token: number;
  method: string;
  map_kind: string;
}

export class SelectionSource {
  constructor(readonly model: Model<Partial<SelectionTraits>>) {}

  index(key: IndexKey): number {
    return Number(this.model.get(key) ?? 0);
  }

  method(): string {
    return String(this.model.get("method") ?? "");
  }

  /** The attention map shown: "head", "mean" (of the layer's heads) or a derived map ("rollout", "flow"...). */
  mapKind(): string {
    return String(this.model.get("map_kind") ?? "head");
  }

  /**
   * Select: one state update to the kernel whatever the number of keys, none when nothing changes. Every view of
   * the same selection model follows in the browser.
   */
  select(patch: Partial<SelectionTraits>): void {
    const changed = Object.fromEntries(Object.entries(patch).filter(([key, value]) => this.model.get(key as SelectionKey) !== value));
    if (Object.keys(changed).length) save(this.model, changed);
  }
}

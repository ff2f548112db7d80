// The tabular attribution every tabular view receives (traits of widgets/_tabular.py), decoded once.
import type { AnyModel } from "@anywidget/types";
import { type ArrayPayload, type NdArray, decode, decodeOptional } from "./codecs";
import type { SelectionTraits } from "./controls";

export interface AttributionTraits extends SelectionTraits {
  values: ArrayPayload;
  base_values: ArrayPayload;
  data: ArrayPayload | null;
  feature_names: string[];
  feature_conditions: string[][];
  method: string;
  output_space: string;
  baseline: string;
  error: string;
}

/** Names of the traits that carry the attribution (a change means: decode again). */
export const ATTRIBUTION_ARRAYS = ["values", "base_values", "data"] as const;
export const ATTRIBUTION_TEXT = ["feature_names", "feature_conditions", "output_names", "method", "output_space", "baseline"] as const;

export class TabularAttribution {
  readonly values: NdArray;
  readonly base: NdArray;
  readonly data: NdArray | null;
  readonly nInstances: number;
  readonly nFeatures: number;
  readonly nOutputs: number;

  constructor(private readonly model: AnyModel<AttributionTraits>) {
    this.values = decode(model.get("values"));
    this.base = decode(model.get("base_values"));
    this.data = decodeOptional(model.get("data"));
    const [n = 0, f = 0, k = 0] = this.values.shape;
    this.nInstances = n;
    this.nFeatures = f;
    this.nOutputs = k;
  }

  /** Throws a readable error when the selection does not index this attribution (e.g. set through a link). */
  check(instance: number, output: number): void {
    if (!(Number.isInteger(instance) && instance >= 0 && instance < this.nInstances) || !(Number.isInteger(output) && output >= 0 && output < this.nOutputs)) {
      throw new Error(`instance ${instance} / output ${output} is out of range: this view has ${this.nInstances} instances and ${this.nOutputs} outputs`);
    }
  }

  contribution(instance: number, feature: number, output: number): number {
    return this.values.data[(instance * this.nFeatures + feature) * this.nOutputs + output] as number;
  }

  contributions(instance: number, output: number): Float64Array {
    const row = new Float64Array(this.nFeatures);
    for (let j = 0; j < this.nFeatures; j++) row[j] = this.contribution(instance, j, output);
    return row;
  }

  baseValue(instance: number, output: number): number {
    return this.base.data[instance * this.nOutputs + output] as number;
  }

  featureValue(instance: number, feature: number): number | null {
    return this.data ? (this.data.data[instance * this.nFeatures + feature] as number) : null;
  }

  featureName(feature: number): string {
    return this.model.get("feature_names")[feature] ?? `feature ${feature}`;
  }

  /** LIME-style condition ("x <= 3.2") when the kernel gave one, else null. */
  condition(instance: number, feature: number): string | null {
    return this.model.get("feature_conditions")[instance]?.[feature] ?? null;
  }

  outputName(output: number): string {
    return this.model.get("output_names")[output] ?? `output ${output}`;
  }
}

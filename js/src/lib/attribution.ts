// An attribution decoded from its data model (widgets/_data.py: AttributionData), or from the reply to a request
// for one lazily computed instance (LazyAttributionData). Decoded once per data model and version, shared by every
// view of it across bundles (shared.ts).
import { type ArrayPayload, decode, decodeOptional } from "./codecs";
import type { Model } from "./model";
import { sharedCache, stats } from "./shared";

/** The fields that carry an attribution: a data model's traits, or a lazy reply's content. */
export interface AttributionFields {
  n_instances: number;
  values: ArrayPayload;
  base_values: ArrayPayload;
  data: ArrayPayload | null;
  convergence_delta: ArrayPayload | null;
  feature_names: string[];
  feature_conditions: string[][];
  /** text: each instance's tokens (values are padded with zeros after them); empty otherwise */
  tokens?: string[][];
  output_names: string[];
  method: string;
  output_space: string;
  baseline: string;
}

/** The traits of every attribution source (AttributionSource in Python); `kind` says how values are had. */
export interface SourceTraits {
  kind: "full" | "lazy";
  n_instances: number;
  feature_names: string[];
  output_names: string[];
  method: string;
  output_space: string;
  baseline: string;
}

export type DataTraits = SourceTraits & AttributionFields;

const FIELDS = ["values", "base_values", "data", "convergence_delta", "feature_names", "feature_conditions", "tokens", "output_names", "method", "output_space", "baseline"] as const;

export class Attribution {
  /** values[(row * nFeatures + feature) * nOutputs + output] */
  readonly values: Float32Array;
  readonly base: Float32Array;
  readonly data: Float32Array | null;
  readonly delta: Float32Array | null;
  /** rows held (every instance, or the one instance a lazy reply carries) */
  readonly nRows: number;
  readonly nFeatures: number;
  readonly nOutputs: number;
  readonly featureNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly conditions: readonly (readonly string[])[];
  private readonly tokens: readonly (readonly string[])[];
  readonly method: string;
  readonly outputSpace: string;
  readonly baseline: string;
  /** significant digits that the wire precision supports when a contribution is printed */
  readonly digits: number;

  /** `first`: the instance in row 0 (0 for every instance; the instance itself for a lazy reply) */
  constructor(fields: AttributionFields, private readonly first = 0) {
    const values = decode(fields.values);
    const [n = 0, f = 0, k = 0] = values.shape;
    this.values = values.data as Float32Array;
    this.base = decode(fields.base_values).data as Float32Array;
    this.data = (decodeOptional(fields.data)?.data as Float32Array | undefined) ?? null;
    this.delta = (decodeOptional(fields.convergence_delta)?.data as Float32Array | undefined) ?? null;
    this.nRows = n;
    this.nFeatures = f;
    this.nOutputs = k;
    this.featureNames = fields.feature_names;
    this.outputNames = fields.output_names;
    this.conditions = fields.feature_conditions;
    this.tokens = fields.tokens ?? [];
    this.method = fields.method;
    this.outputSpace = fields.output_space;
    this.baseline = fields.baseline;
    this.digits = fields.values.dtype === "float16" ? 3 : 4;
  }

  /** Whether this attribution holds `instance`. */
  has(instance: number): boolean {
    const row = instance - this.first;
    return Number.isInteger(row) && row >= 0 && row < this.nRows;
  }

  /** Throws a readable error when the selection does not index this attribution (e.g. set through a link). */
  check(instance: number, output: number): void {
    if (!this.has(instance) || !(Number.isInteger(output) && output >= 0 && output < this.nOutputs)) {
      throw new Error(`instance ${instance} / output ${output} is out of range: this view has ${this.first + this.nRows} instances and ${this.nOutputs} outputs`);
    }
  }

  contribution(instance: number, feature: number, output: number): number {
    return this.values[((instance - this.first) * this.nFeatures + feature) * this.nOutputs + output] as number;
  }

  contributions(instance: number, output: number): Float64Array {
    const row = new Float64Array(this.nFeatures);
    for (let j = 0; j < this.nFeatures; j++) row[j] = this.contribution(instance, j, output);
    return row;
  }

  /** base + Σ contributions: the output the explanation ends at (the model's, for a complete method) */
  outputValue(instance: number, output: number): number {
    let total = this.baseValue(instance, output);
    for (let j = 0; j < this.nFeatures; j++) total += this.contribution(instance, j, output);
    return total;
  }

  baseValue(instance: number, output: number): number {
    return this.base[(instance - this.first) * this.nOutputs + output] as number;
  }

  /** How far the method misses completeness for this instance and output, when it reports it. */
  convergenceDelta(instance: number, output: number): number | null {
    return this.delta ? (this.delta[(instance - this.first) * this.nOutputs + output] as number) : null;
  }

  featureValue(instance: number, feature: number): number | null {
    return this.data ? (this.data[(instance - this.first) * this.nFeatures + feature] as number) : null;
  }

  featureName(feature: number): string {
    return this.featureNames[feature] ?? `feature ${feature}`;
  }

  /** LIME-style condition ("x <= 3.2") when the kernel gave one, else null. */
  condition(instance: number, feature: number): string | null {
    return this.conditions[instance - this.first]?.[feature] ?? null;
  }

  /** A text's tokens (its values end where they end), or null for attributions that are not per token. */
  tokensOf(instance: number): readonly string[] | null {
    return this.tokens[instance - this.first] ?? null;
  }

  outputName(output: number): string {
    return this.outputNames[output] ?? `output ${output}`;
  }
}

interface Decoded {
  sources: unknown[];
  attribution: Attribution;
}

/**
 * The attribution of a data model, decoded once per version of its arrays and shared by every view of it: a second
 * view of the same data (in any bundle) gets the same object.
 */
export function attributionOf(model: Model<DataTraits>): Attribution {
  const cache = sharedCache<object, Decoded>("attribution");
  const sources = FIELDS.map((name) => model.get(name));
  const hit = cache.get(model);
  if (hit && hit.sources.every((source, i) => source === sources[i])) return hit.attribution;
  const fields = Object.fromEntries(FIELDS.map((name, i) => [name, sources[i]])) as unknown as AttributionFields;
  const attribution = new Attribution({ ...fields, n_instances: model.get("n_instances") });
  stats().decodes++;
  cache.set(model, { sources, attribution });
  return attribution;
}

// Requests to one model on behalf of all its views: each key is asked for once and its result kept; a request still
// pending when no view wants it any more is cancelled. Views of a lazily computed attribution ask for an instance,
// views of full data for a similarity order or an interaction.
import type { Model } from "./model";
import { CancelledError, type Params, RequestChannel } from "./requests";
import { sharedCache } from "./shared";

export type Lookup<T> = { status: "pending" } | { status: "ready"; value: T } | { status: "error"; message: string };

interface Entry {
  state: Lookup<unknown>;
  wanted: Map<object, () => void>;
  /** bytes of binary data the settled result holds */
  bytes: number;
}

/** Settled results kept per model, beyond those a view is showing... */
const KEEP = 256;
/** ...and the bytes they may hold: attention tiles of 2,048 tokens are 4 MB each. */
export const KEEP_BYTES = 64 * 1024 * 1024;

/** Bytes of the typed arrays in `value`: itself, its fields, and their fields (a decoded array is {data, shape}). */
export function bytesOf(value: unknown, depth = 2): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (depth === 0 || value === null || typeof value !== "object") return 0;
  let total = 0;
  for (const field of Object.values(value)) total += bytesOf(field, depth - 1);
  return total;
}

export class SharedRequests {
  private readonly channel: RequestChannel;
  private readonly entries = new Map<string, Entry>();
  private readonly wants = new Map<object, string>();
  private users = 0;

  private constructor(private readonly model: Model) {
    this.channel = new RequestChannel(model);
    model.on("change:values", this.invalidate); // results derived from the old arrays are wrong now
  }

  /** The shared requests of `model`; `release()` when the view goes away (the last one closes the channel). */
  static acquire(model: Model): SharedRequests {
    const cache = sharedCache<object, SharedRequests>("requests");
    let requests = cache.get(model);
    if (!requests) {
      requests = new SharedRequests(model);
      cache.set(model, requests);
    }
    requests.users++;
    return requests;
  }

  release(): void {
    if (--this.users > 0) return;
    this.model.off("change:values", this.invalidate);
    this.channel.dispose();
    this.entries.clear();
    this.wants.clear();
    sharedCache<object, SharedRequests>("requests").delete(this.model);
  }

  /**
   * What `holder` (a view, for one purpose) wants now: `key`, requested as `kind` with `params` unless known. Whatever
   * the holder wanted before is let go. `settled` is called when a pending result arrives.
   */
  want<T>(holder: object, key: string, kind: string, params: Params, read: (content: Params) => T, settled: () => void): Lookup<T> {
    const previous = this.wants.get(holder);
    if (previous !== undefined && previous !== key) this.letGo(holder, previous);
    this.wants.set(holder, key);
    const entry = this.entries.get(key) ?? this.fetch(key, kind, params, read);
    entry.wanted.set(holder, settled);
    return entry.state as Lookup<T>;
  }

  /** `holder` wants nothing any more (its view went away). */
  drop(holder: object): void {
    const key = this.wants.get(holder);
    if (key !== undefined) this.letGo(holder, key);
    this.wants.delete(holder);
  }

  /** Forget every result (the data changed): pending requests are cancelled; views ask again when they redraw. */
  readonly invalidate = (): void => {
    for (const [key, entry] of this.entries) {
      if (entry.state.status === "pending") this.channel.cancelSlot(key);
    }
    this.entries.clear();
  };

  private settle(key: string, entry: Entry, state: () => Lookup<unknown>): void {
    if (this.entries.get(key) !== entry) return; // invalidated meanwhile
    try {
      entry.state = state();
      if (entry.state.status === "ready") entry.bytes = bytesOf(entry.state.value);
    } catch (error) {
      entry.state = { status: "error", message: error instanceof Error ? error.message : String(error) };
    }
    this.trim();
    for (const notify of [...entry.wanted.values()]) notify();
  }

  private letGo(holder: object, key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.wanted.delete(holder);
    if (entry.state.status === "pending" && entry.wanted.size === 0) {
      this.channel.cancelSlot(key); // nobody wants it: Python skips it if it has not started
      this.entries.delete(key);
    }
  }

  /** Bytes held by settled results (for tests and benchmarks: the memory bound). */
  get bytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.bytes;
    return total;
  }

  /** Whether `key` is settled (ready or failed) here: a view can prefetch what is not. */
  has(key: string): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.state.status !== "pending";
  }

  /**
   * Ask for `key` with nobody waiting for it yet (a view fetching what the next click will likely need); a later
   * `want` finds it settled or pending. Like any result nobody wants, it may be trimmed.
   */
  prefetch<T>(key: string, kind: string, params: Params, read: (content: Params) => T): void {
    if (!this.entries.has(key)) this.fetch(key, kind, params, read);
  }

  private fetch<T>(key: string, kind: string, params: Params, read: (content: Params) => T): Entry {
    const entry: Entry = { state: { status: "pending" }, wanted: new Map(), bytes: 0 };
    this.entries.set(key, entry);
    this.channel.request(kind, params, key).then(
      (content) => this.settle(key, entry, () => ({ status: "ready", value: read(content) })),
      (error: unknown) => {
        if (!(error instanceof CancelledError)) this.settle(key, entry, () => ({ status: "error", message: error instanceof Error ? error.message : String(error) }));
      },
    );
    this.trim();
    return entry;
  }

  private trim(): void {
    // oldest first (a Map keeps insertion order), only what no view is showing
    let bytes = this.bytes;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= KEEP && bytes <= KEEP_BYTES) return;
      if (entry.state.status !== "pending" && entry.wanted.size === 0) {
        this.entries.delete(key);
        bytes -= entry.bytes;
      }
    }
  }
}

/**
 * What one view wants from a model's shared requests, one thing per purpose ("shown", "prefetch", a panel's name):
 * wanting something new for a purpose lets go of what it wanted before; `dispose` lets go of everything.
 */
export class PurposeRequests {
  private readonly holders = new Map<string, object>();

  constructor(
    readonly shared: SharedRequests,
    private readonly settled: () => void,
  ) {}

  want<T>(purpose: string, key: string, kind: string, params: Params, read: (content: Params) => T): Lookup<T> {
    let holder = this.holders.get(purpose);
    if (!holder) {
      holder = {};
      this.holders.set(purpose, holder);
    }
    return this.shared.want(holder, key, kind, params, read, this.settled);
  }

  /** Let go of what `purpose` wanted. */
  drop(purpose: string): void {
    const holder = this.holders.get(purpose);
    if (holder) this.shared.drop(holder);
  }

  dispose(): void {
    for (const holder of this.holders.values()) this.shared.drop(holder);
    this.holders.clear();
  }
}

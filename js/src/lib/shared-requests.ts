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
}

/** Settled results kept per model, beyond those a view is showing. */
const KEEP = 256;

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
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = { state: { status: "pending" }, wanted: new Map() };
      entry = created;
      this.entries.set(key, created);
      this.channel.request(kind, params, key).then(
        (content) => this.settle(key, created, () => ({ status: "ready", value: read(content) })),
        (error: unknown) => {
          if (!(error instanceof CancelledError)) this.settle(key, created, () => ({ status: "error", message: error instanceof Error ? error.message : String(error) }));
        },
      );
      this.trim();
    }
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
    } catch (error) {
      entry.state = { status: "error", message: error instanceof Error ? error.message : String(error) };
    }
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

  private trim(): void {
    if (this.entries.size <= KEEP) return;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= KEEP) return;
      if (entry.state.status !== "pending" && entry.wanted.size === 0) this.entries.delete(key);
    }
  }
}

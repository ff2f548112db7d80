// Requests to Python and their replies: the one request/response channel (twin: widgets/_messages.py).
//
//   view → Python   {iw: "request", id, kind, params}          {iw: "cancel", id}
//   Python → view   {iw: "reply", id, content} + buffers       {iw: "error", id, error, type}
//
// Each request belongs to a slot (by default its kind): a newer request in the same slot cancels the older one,
// `dispose()` (a view's cleanup) cancels them all, and a reply nobody waits for any more is dropped. No timeout:
// some work takes seconds (LIME for one instance), and the view says "computing…" while it waits.
import { unpack } from "./codecs";
import type { Model } from "./model";
import { stats } from "./shared";

export type Params = Record<string, unknown>;

/** Python answered with an error: `type` is the exception's class, the message is meant for the reader. */
export class RequestError extends Error {
  constructor(message: string, readonly type: string) {
    super(message);
    this.name = "RequestError";
  }
}

/** The request was cancelled (a newer one replaced it, or its view went away) before its reply came. */
export class CancelledError extends Error {
  constructor(readonly kind: string) {
    super(`request ${kind} cancelled`);
    this.name = "CancelledError";
  }
}

interface Pending {
  kind: string;
  slot: string | null;
  resolve(content: Params): void;
  reject(error: Error): void;
}

interface Message {
  iw?: unknown;
  id?: unknown;
  content?: unknown;
  error?: unknown;
  type?: unknown;
}

/** Where requests go: any widget model (the view's own or a data model it references). */
export type MessageModel = Pick<Model, "on" | "off" | "send">;

export class RequestChannel {
  // several channels may talk to one model (every view of a data model): ids carry the channel's own prefix
  private readonly prefix = `${Math.random().toString(36).slice(2, 10)}-`;
  private counter = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly slots = new Map<string, string>();
  private disposed = false;

  constructor(private readonly model: MessageModel) {
    model.on("msg:custom", this.receive);
  }

  /** Ask Python for `kind` with `params`; resolves with the reply's content (binary buffers put back in place). */
  request<T extends Params = Params>(kind: string, params: Params = {}, slot: string | null = kind): Promise<T> {
    if (this.disposed) return Promise.reject(new CancelledError(kind));
    if (slot !== null) this.cancelSlot(slot);
    const id = `${this.prefix}${++this.counter}`;
    const promise = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { kind, slot, resolve: resolve as (content: Params) => void, reject });
    });
    if (slot !== null) this.slots.set(slot, id);
    stats().requests++;
    this.model.send({ iw: "request", id, kind, params });
    return promise;
  }

  /** Cancel the request pending in `slot`, if any: Python skips it if it has not started it, its reply is dropped. */
  cancelSlot(slot: string): void {
    const id = this.slots.get(slot);
    if (id !== undefined) this.cancel(id);
  }

  /** Cancel everything still pending and stop listening. */
  dispose(): void {
    if (this.disposed) return;
    for (const id of [...this.pending.keys()]) this.cancel(id);
    this.disposed = true;
    this.model.off("msg:custom", this.receive);
  }

  get size(): number {
    return this.pending.size;
  }

  private cancel(id: string): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.forget(id, pending);
    stats().cancels++;
    this.model.send({ iw: "cancel", id });
    pending.reject(new CancelledError(pending.kind));
  }

  private forget(id: string, pending: Pending): void {
    this.pending.delete(id);
    if (pending.slot !== null && this.slots.get(pending.slot) === id) this.slots.delete(pending.slot);
  }

  private readonly receive = (message: Message, buffers: DataView[] = []): void => {
    if ((message?.iw !== "reply" && message?.iw !== "error") || typeof message.id !== "string") return;
    if (!message.id.startsWith(this.prefix)) return; // another channel's
    const pending = this.pending.get(message.id);
    if (!pending) {
      stats().stale++; // cancelled or replaced: nobody waits for it
      return;
    }
    this.forget(message.id, pending);
    stats().replies++;
    if (message.iw === "error") {
      pending.reject(new RequestError(String(message.error ?? "the request failed"), String(message.type ?? "Error")));
      return;
    }
    try {
      pending.resolve(unpack(message.content ?? {}, buffers) as Params);
    } catch (error) {
      pending.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
}

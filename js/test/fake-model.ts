// A widget model with Backbone's event semantics (on/off/trigger, change:<name> on set) and a record of what it
// sends, for the logic that talks to models. It stands in for the browser's model object, not for our code.
// Backbone handlers take whatever the event carries
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => void;

export class FakeModel {
  readonly sent: unknown[] = [];
  saves = 0;
  private readonly handlers = new Map<string, Handler[]>();
  widget_manager = { get_model: async () => this as never };

  constructor(private readonly attributes: Record<string, unknown> = {}) {}

  get(name: string): never {
    return this.attributes[name] as never;
  }

  /** Set attributes the way a kernel message does: every change:<name> fires, then one "change". */
  set(name: string | Record<string, unknown>, value?: unknown): void {
    const patch = typeof name === "string" ? { [name]: value } : name;
    Object.assign(this.attributes, patch);
    for (const key of Object.keys(patch)) this.trigger(`change:${key}`);
    this.trigger("change");
  }

  save_changes(): void {
    this.saves++;
  }

  on(event: string, handler: Handler): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }

  off(event?: string | null, handler?: Handler | null): void {
    if (!event) return this.handlers.clear();
    this.handlers.set(event, (this.handlers.get(event) ?? []).filter((h) => handler && h !== handler));
  }

  send(content: unknown): void {
    this.sent.push(content);
  }

  trigger(event: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }

  /** What Python would answer: a custom message to this model. */
  reply(content: unknown, buffers: DataView[] = []): void {
    this.trigger("msg:custom", content, buffers);
  }

  listeners(event?: string): number {
    return event ? (this.handlers.get(event) ?? []).length : [...this.handlers.values()].reduce((n, h) => n + h.length, 0);
  }
}

export function float32Payload(values: number[], shape: number[] = [values.length]) {
  return { dtype: "float32" as const, shape, buffer: new DataView(new Float32Array(values).buffer) };
}

// Redraw once per batch of changes, and recompute only what a change affects.

/**
 * Runs `work` once after the current burst of synchronous changes, however many times it was requested: a widget
 * model applies one kernel message (several traits) as several change events in one task, and a view must draw
 * once for them all. A microtask runs before the browser paints, so nothing stale is ever shown.
 */
export class Coalescer {
  private queued = false;
  private disposed = false;

  constructor(private readonly work: () => void) {}

  /** Ask for the work (an arrow, so that it can be handed to listeners as it is). */
  readonly request = (): void => {
    if (this.queued || this.disposed) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      if (!this.disposed) this.work();
    });
  };

  dispose(): void {
    this.disposed = true;
  }
}

/**
 * A one-entry cache: `get(deps, compute)` returns the previous result while every dependency is the same (by
 * identity, `Object.is`), else recomputes. Views keep one per layout stage (what depends on the data, what on the
 * width), so a resize recomputes the width stage only.
 */
export class Memo<T> {
  private deps: readonly unknown[] | null = null;
  private value: T | undefined;

  get(deps: readonly unknown[], compute: () => T): T {
    const previous = this.deps;
    if (previous && previous.length === deps.length && deps.every((d, i) => Object.is(d, previous[i]))) {
      return this.value as T;
    }
    this.value = compute();
    this.deps = [...deps];
    return this.value;
  }

  clear(): void {
    this.deps = null;
    this.value = undefined;
  }
}

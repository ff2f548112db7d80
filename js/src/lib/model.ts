// Typed access to widget models: the view's own (anywidget's proxy) and the ones it references (ipywidgets'
// WidgetModel, resolved through the widget manager). Both have get/set/save_changes/on/off/send.
import type { AnyModel } from "@anywidget/types";
import type { Disposer } from "./dom";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Traits = Record<string, any>;
export type Model<T extends Traits = Traits> = AnyModel<T>;

const REF_PREFIX = "IPY_MODEL_";

/** The model id inside a widget reference ("IPY_MODEL_<id>", as `widget_serialization` writes it), or null. */
export function refId(ref: unknown): string | null {
  return typeof ref === "string" && ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : null;
}

/** Resolve a widget reference held by `owner` to its model (null for no reference). */
export async function resolveRef<T extends Traits>(owner: Model, ref: unknown): Promise<Model<T> | null> {
  const id = refId(ref);
  return id === null ? null : owner.widget_manager.get_model<T>(id);
}

/** Call `callback` whenever one of `names` changes on `model`; the disposer removes the listeners. */
export function watch<T extends Traits>(model: Model<T>, names: ReadonlyArray<string>, callback: () => void, disposer: Disposer): void {
  for (const name of names) {
    const event = `change:${name}`;
    model.on(event, callback);
    disposer.add(() => model.off(event, callback));
  }
}

/** Set traits from the browser and send them to Python: one state update, however many traits. */
export function save<T extends Traits>(model: Model<T>, patch: Partial<T>): void {
  for (const [name, value] of Object.entries(patch)) model.set(name as keyof T, value as T[keyof T]);
  model.save_changes();
}

/**
 * Keep `keys` of a model in the browser: whatever the browser sets them to is never sent to the kernel, even when
 * the model's own views save their other changes (bqplot saves everything set since the last save on each hover).
 * Used for what a view computes from shared data in the browser, which Python already has. Relies on ipywidgets'
 * `_buffered_state_diff`, the changes a model sends at its next `save_changes`.
 */
/** Per model, the keys some view keeps local, each with how many views keep it. */
const localKeys = new WeakMap<object, Map<string, number>>();

export function keepLocal(model: Model, keys: ReadonlyArray<string>, disposer: Disposer): void {
  type Saving = { save_changes(...args: unknown[]): void; _buffered_state_diff?: Record<string, unknown> };
  const target = model as unknown as Saving;
  let counts = localKeys.get(target);
  if (!counts) {
    // one wrapper per model, for every view that keeps keys of it: a view going away drops its keys only (restoring
    // the original here would drop another view's filter, and its keys would reach Python)
    const kept = new Map<string, number>();
    const original = target.save_changes;
    target.save_changes = function (this: Saving, ...args: unknown[]) {
      for (const key of kept.keys()) delete this._buffered_state_diff?.[key];
      return original.apply(this, args);
    };
    localKeys.set(target, kept);
    counts = kept;
  }
  const held = counts;
  for (const key of keys) held.set(key, (held.get(key) ?? 0) + 1);
  disposer.add(() => {
    for (const key of keys) {
      const left = (held.get(key) ?? 1) - 1;
      if (left > 0) held.set(key, left);
      else held.delete(key);
    }
  });
}

// Typed access to the anywidget model: listen with automatic cleanup, set a trait from the browser.
import type { AnyModel } from "@anywidget/types";
import type { Disposer } from "./dom";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Traits = Record<string, any>;

/** Call `callback` whenever one of `names` changes; the disposer removes the listeners. */
export function watch<T extends Traits>(model: AnyModel<T>, names: ReadonlyArray<keyof T & string>, callback: () => void, disposer: Disposer): void {
  for (const name of names) {
    const event = `change:${name}` as const;
    model.on(event, callback);
    disposer.add(() => model.off(event, callback));
  }
}

/** Set a synced trait from the browser and send it to Python. */
export function setTrait<T extends Traits, K extends keyof T & string>(model: AnyModel<T>, name: K, value: T[K]): void {
  model.set(name, value);
  model.save_changes();
}

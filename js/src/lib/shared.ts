// State shared by every view on the page. Each view is its own ESM bundle with its own copy of module-level state,
// so what views must share (decoded data, requests in flight, counters) hangs on globalThis under a registered
// symbol: every bundle finds the same object.

export interface Stats {
  /** attribution data models decoded (once per data model and version, whatever the number of views) */
  decodes: number;
  /** requests sent to Python, replies received, replies dropped because nobody waited for them any more */
  requests: number;
  replies: number;
  stale: number;
  cancels: number;
}

interface Shared {
  caches: Map<string, WeakMap<object, unknown>>;
  stats: Stats;
}

const KEY = Symbol.for("interpretwidgets.shared.v1");

function state(): Shared {
  const host = globalThis as unknown as Record<symbol, Shared | undefined>;
  host[KEY] ??= { caches: new Map(), stats: { decodes: 0, requests: 0, replies: 0, stale: 0, cancels: 0 } };
  return host[KEY];
}

/** A page-wide cache keyed by an object (a widget model), under `name`. */
export function sharedCache<K extends object, V>(name: string): WeakMap<K, V> {
  const caches = state().caches;
  let cache = caches.get(name);
  if (!cache) {
    cache = new WeakMap();
    caches.set(name, cache);
  }
  return cache as WeakMap<K, V>;
}

export function stats(): Stats {
  return state().stats;
}

/**
 * The token under the pointer, shared by every view of one selection model (page-wide, browser-only: a hover is not
 * a selection and never reaches the kernel). Listeners get a CustomEvent whose `detail` is the token, or -1.
 */
export function hoverBus(selection: object): EventTarget {
  const cache = sharedCache<object, EventTarget>("hover");
  let bus = cache.get(selection);
  if (!bus) {
    bus = new EventTarget();
    cache.set(selection, bus);
  }
  return bus;
}

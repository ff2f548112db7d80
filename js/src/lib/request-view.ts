// The life cycle of a view whose data lives in Python and comes on request (attention tiles, image maps): resolve the
// data and selection models it references, ask through the requests shared by every view of the data, follow the
// selection, the width and the theme, draw once per batch of changes, show errors in place of the plot, and remove
// every listener when the view goes away.
import type { RenderProps } from "@anywidget/types";
import { Disposer } from "./dom";
import { count, createFrame, followWidth, type Frame, hideTooltip, showError, showStatus } from "./frame";
import { type Model, resolveRef, type Traits, watch } from "./model";
import { Coalescer } from "./schedule";
import { SelectionSource } from "./selection";
import { SharedRequests } from "./shared-requests";
import { onThemeChange } from "./theme";

export interface RequestViewTraits extends Traits {
  data: string;
  selection: string | null;
  error: string;
}

/** What a view asks its data for: made per data model, disposed (every holder let go) when the view relinks. */
export interface ViewRequests {
  dispose(): void;
}

export interface RequestDraw<D extends Traits, R extends ViewRequests> {
  data: Model<D>;
  requests: R;
  selection: SelectionSource;
  /** the plot area's width in CSS pixels */
  width: number;
}

export interface RequestHost<T extends RequestViewTraits> {
  model: Model<T>;
  frame: Frame;
  disposer: Disposer;
  selection(): SelectionSource;
  redraw(): void;
}

export interface RequestViewSpec<T extends RequestViewTraits, D extends Traits, R extends ViewRequests> {
  /** for messages: "ImageView" */
  name: string;
  className: string;
  /** the view's own traits whose change needs a redraw */
  options: ReadonlyArray<keyof T & string>;
  /** the selection traits the view follows (its own copies of them, when it has no shared selection) */
  follows: readonly string[];
  /** what the view asks the data for, made when the data is resolved */
  requests(data: Model<D>, shared: SharedRequests, settled: () => void): R;
  /** listeners that live as long as the data and selection resolved (removed when they change) */
  link?(data: Model<D>, selection: Model, linked: Disposer, redraw: () => void): void;
  /** build the view's DOM and listeners once; return how it draws (it says itself what it waits for) */
  setup(host: RequestHost<T>): (input: RequestDraw<D, R>) => void;
}

export function mountRequestView<T extends RequestViewTraits, D extends Traits, R extends ViewRequests>(
  { model, el }: RenderProps<T>,
  spec: RequestViewSpec<T, D, R>,
): () => void {
  const disposer = new Disposer();
  const frame = createFrame(el, spec.className);
  const linked = new Disposer();
  let data: Model<D> | null = null;
  let shared: SharedRequests | null = null;
  let requests: R | null = null;
  let selection = new SelectionSource(model as unknown as Model);
  let resolving = 0;
  const coalescer = new Coalescer(() => drawNow());
  const host: RequestHost<T> = { model, frame, disposer, selection: () => selection, redraw: () => coalescer.request() };
  const draw = spec.setup(host);

  const relink = (next: Model<D>, chosen: Model) => {
    linked.dispose();
    requests?.dispose();
    shared?.release();
    data = next;
    selection = new SelectionSource(chosen);
    shared = SharedRequests.acquire(next as unknown as Model);
    requests = spec.requests(next, shared, coalescer.request);
    next.on("change", coalescer.request);
    linked.add(() => next.off("change", coalescer.request));
    spec.link?.(next, chosen, linked, coalescer.request);
    if (chosen !== (model as unknown as Model)) watch(chosen, spec.follows, coalescer.request, linked);
  };

  const resolve = async () => {
    const version = ++resolving;
    try {
      const [next, chosen] = await Promise.all([resolveRef<D>(model, model.get("data")), resolveRef(model, model.get("selection"))]);
      if (version !== resolving) return;
      if (!next) throw new Error("this view references no data");
      relink(next, chosen ?? (model as unknown as Model));
      coalescer.request();
    } catch (error) {
      if (version === resolving) showError(frame, `${spec.name} could not load its data: ${message(error)}`);
    }
  };

  const drawNow = () => {
    if (!data || !requests) return;
    hideTooltip(frame);
    const error = model.get("error");
    if (error) {
      showStatus(frame, null);
      return showError(frame, error);
    }
    if (!width()) return;
    try {
      showError(frame, null);
      draw({ data, requests, selection, width: width() });
      count(frame.root, "draws");
    } catch (error) {
      showStatus(frame, null);
      showError(frame, `${spec.name} could not draw: ${message(error)}`);
    }
  };

  watch(model, ["data", "selection"], () => void resolve(), disposer);
  watch(model, ["error", ...spec.follows, ...spec.options], coalescer.request, disposer);
  const width = followWidth(frame, coalescer.request, disposer);
  onThemeChange(coalescer.request, disposer);
  void resolve();

  return () => {
    coalescer.dispose();
    resolving++;
    linked.dispose();
    requests?.dispose();
    shared?.release();
    disposer.dispose();
    el.replaceChildren();
  };
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

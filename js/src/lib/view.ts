// The life cycle every attribution view shares: resolve the data and selection models it references, decode the
// data once (shared), follow the selection, draw once per batch of changes, say what it waits for, show errors in
// place of the plot, follow the width, and remove every listener when the view goes away.
import type { RenderProps } from "@anywidget/types";
import { Attribution, type AttributionFields, attributionOf, type DataTraits } from "./attribution";
import { instanceStepper, indexPicker, methodPicker, type Update } from "./controls";
import { Disposer, html } from "./dom";
import { count, createFrame, followWidth, type Frame, hideTooltip, showError, showStatus } from "./frame";
import { type Model, resolveRef, type Traits, watch } from "./model";
import { Coalescer } from "./schedule";
import { SelectionSource } from "./selection";
import { SharedRequests } from "./shared-requests";
import { onThemeChange } from "./theme";

export interface ViewTraits extends Traits {
  data: string;
  selection: string | null;
  alternatives?: string[];
  compare?: boolean;
  controls: boolean;
  error: string;
  instance: number;
  output: number;
  feature: number;
}

export interface DrawInput {
  /** the attribution shown: every instance (global views), or one that holds `instance` */
  attribution: Attribution;
  instance: number;
  output: number;
  feature: number;
  /** the plot area's width in CSS pixels */
  width: number;
}

export interface ViewHost<T extends ViewTraits> {
  model: Model<T>;
  frame: Frame;
  disposer: Disposer;
  /** the selection the view reads and writes (shared, or its own traits) */
  selection(): SelectionSource;
  /** requests to the data model, shared with every other view of it */
  requests(): SharedRequests | null;
  /** ask for a redraw (coalesced with every other change of this task) */
  redraw(): void;
  /** the attribution last drawn (null before the first draw) */
  drawn(): Attribution | null;
  /** the data model and the alternatives, in that order */
  sources(): ReadonlyArray<Model<DataTraits>>;
  /** a new holder for `requests().want(...)`: what it wants is let go when the view relinks or goes away */
  holder(): object;
}

export interface ViewSpec<T extends ViewTraits> {
  /** for messages: "ForcePlot" */
  name: string;
  className: string;
  /** a global view needs every instance; an instance view can show one computed on request */
  scope: "every-instance" | "one-instance";
  /** the view's own traits whose change needs a redraw */
  options: ReadonlyArray<keyof T & string>;
  /** the toolbar controls of a standalone view (an explorer's control bar replaces them) */
  controls: ReadonlyArray<"instance" | "output" | "method">;
  /** build the view's DOM and listeners once; return how it draws */
  setup(host: ViewHost<T>): (input: DrawInput) => void;
}

export function mountView<T extends ViewTraits>({ model, el }: RenderProps<T>, spec: ViewSpec<T>): () => void {
  const disposer = new Disposer();
  const frame = createFrame(el, spec.className);
  const linked = new Disposer(); // listeners on the referenced models, renewed when the references change
  const holder = {}; // what this view wants from lazily computed data
  const holders = new Set<object>([holder]); // and everything else it wants from shared requests
  let data: Model<DataTraits> | null = null;
  let sources: Model<DataTraits>[] = [];
  let selection = new SelectionSource(model as unknown as Model);
  const requests = new Map<Model, SharedRequests>();
  let drawn: Attribution | null = null;
  let resolving = 0;
  const coalescer = new Coalescer(() => drawNow());

  const host: ViewHost<T> = {
    model,
    frame,
    disposer,
    selection: () => selection,
    requests: () => (data ? (requests.get(data) ?? null) : null),
    redraw: () => coalescer.request(),
    drawn: () => drawn,
    sources: () => sources,
    holder: () => {
      const made = {};
      holders.add(made);
      return made;
    },
  };
  // a standalone view's selection controls; in an explorer the control bar has them (its views' options stay)
  const selectionControls = html("span", { class: "iw-selection-controls" });
  frame.toolbar.append(selectionControls);
  const updates: Update[] = [];
  const instanceCount = () => data?.get("n_instances") ?? 0;
  if (spec.controls.includes("instance")) updates.push(instanceStepper(selectionControls, host.selection, instanceCount, disposer));
  if (spec.controls.includes("output")) {
    updates.push(indexPicker(selectionControls, "output", "output", () => data?.get("output_names") ?? [], host.selection, disposer));
  }
  if (spec.controls.includes("method")) {
    // listed only when the view has alternatives to pick from (the picker hides itself for one method)
    updates.push(methodPicker(selectionControls, () => sources.map((s): [string, string] => [s.get("method"), s.get("method")]), host.selection, disposer));
  }
  const draw = spec.setup(host);

  const relink = (next: Model<DataTraits>, chosen: Model, alternatives: Model<DataTraits>[]) => {
    linked.dispose();
    for (const [source, shared] of requests) {
      for (const h of holders) shared.drop(h);
      shared.release();
      requests.delete(source);
    }
    data = next;
    sources = [next, ...alternatives];
    selection = new SelectionSource(chosen);
    for (const source of sources) {
      requests.set(source, SharedRequests.acquire(source));
      source.on("change", coalescer.request);
      linked.add(() => source.off("change", coalescer.request));
    }
    if (chosen !== (model as unknown as Model)) {
      // the view's own copies of the selection traits are not read while a shared selection exists
      watch(chosen, ["instance", "output", "feature", "token", "method"], coalescer.request, linked);
    }
  };

  const resolve = async () => {
    const version = ++resolving;
    try {
      const refs = (model.get("alternatives") ?? []) as string[];
      const [next, shared, ...alternatives] = await Promise.all([
        resolveRef<DataTraits>(model, model.get("data")),
        resolveRef(model, model.get("selection")),
        ...refs.map((ref) => resolveRef<DataTraits>(model, ref)),
      ]);
      if (version !== resolving) return; // a newer reference arrived meanwhile
      if (!next) throw new Error("this view references no data");
      relink(next as Model<DataTraits>, (shared as Model | null) ?? (model as unknown as Model), alternatives.filter((m): m is Model<DataTraits> => m !== null));
      coalescer.request();
    } catch (error) {
      if (version === resolving) showError(frame, `${spec.name} could not load its data: ${message(error)}`);
    }
  };

  /** The data model shown: the one whose method is selected (or, comparing, the first that is not). */
  const pick = (): Model<DataTraits> => {
    const primary = data as Model<DataTraits>;
    if (sources.length === 1) return primary;
    const selected = selection.method() || primary.get("method");
    if (model.get("compare")) return sources.find((s) => s.get("method") !== selected) ?? primary;
    return sources.find((s) => s.get("method") === selected) ?? primary;
  };

  const attributionFor = (source: Model<DataTraits>, instance: number): Attribution | null => {
    if (source.get("kind") === "full") return attributionOf(source);
    if (spec.scope === "every-instance") {
      throw new Error(`${spec.name} shows every instance at once; its data computes one instance at a time`);
    }
    const shared = requests.get(source) as SharedRequests;
    const method = source.get("method");
    const read = (content: Record<string, unknown>) => new Attribution(content as unknown as AttributionFields, instance);
    const lookup = shared.want(holder, `attribution:${instance}`, "attribution", { instance }, read, coalescer.request);
    if (lookup.status === "error") throw new Error(`${method || "the method"} failed for instance ${instance}: ${lookup.message}`);
    if (lookup.status === "pending") {
      showStatus(frame, `Computing ${method || "the attribution"} for instance ${instance}…`);
      return null;
    }
    return lookup.value;
  };

  const drawNow = () => {
    if (!data) return;
    hideTooltip(frame);
    for (const update of updates) update();
    selectionControls.hidden = !model.get("controls");
    const shown = (control: HTMLElement) => !control.hidden && !(control.parentElement as HTMLElement).hidden;
    frame.toolbar.hidden = ![...frame.toolbar.querySelectorAll<HTMLElement>(".iw-control")].some(shown);
    const error = model.get("error");
    if (error) {
      showStatus(frame, null);
      return showError(frame, error);
    }
    if (!width()) return; // not laid out yet: the first width reported draws
    try {
      const instance = selection.index("instance");
      const output = selection.index("output");
      const feature = selection.index("feature");
      const source = spec.scope === "every-instance" ? data : pick();
      if (spec.scope === "one-instance") {
        for (const [other, shared] of requests) if (other !== source) shared.drop(holder);
      }
      const attribution = attributionFor(source, instance);
      if (!attribution) return; // waiting: the last drawing stays, dimmed, under the status line
      attribution.check(spec.scope === "every-instance" ? 0 : instance, output);
      showStatus(frame, null);
      showError(frame, null);
      draw({ attribution, instance, output, feature, width: width() });
      drawn = attribution;
      count(frame.root, "draws");
    } catch (error) {
      showStatus(frame, null);
      showError(frame, `${spec.name} could not draw: ${message(error)}`);
    }
  };

  watch(model, ["data", "selection", "alternatives"], () => void resolve(), disposer);
  watch(model, ["error", "controls", "compare", "instance", "output", "feature", ...spec.options], coalescer.request, disposer);
  const width = followWidth(frame, coalescer.request, disposer);
  onThemeChange(coalescer.request, disposer);
  void resolve();

  return () => {
    coalescer.dispose();
    resolving++;
    linked.dispose();
    for (const shared of requests.values()) {
      for (const h of holders) shared.drop(h);
      shared.release();
    }
    requests.clear();
    disposer.dispose();
    el.replaceChildren();
  };
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

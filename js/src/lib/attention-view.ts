// The life cycle both attention views share (AttentionView, AttentionGrid): resolve the data and selection models,
// ask for what is drawn through the shared requests, follow the selection, the hovered token, the width and the
// theme, draw once per batch of changes, show the attention caveat with its switch to a gradient-based view, and
// remove every listener when the view goes away.
import type { RenderProps } from "@anywidget/types";
import { AttentionRequests, type AttentionTraits, KIND_LABELS, type TextInfo } from "./attention-data";
import { Disposer, html } from "./dom";
import { count, createFrame, followWidth, type Frame, hideTooltip, showError, showStatus } from "./frame";
import { type Model, resolveRef, type Traits, watch } from "./model";
import { Coalescer } from "./schedule";
import { SelectionSource, type SelectionTraits } from "./selection";
import { hoverBus } from "./shared";
import { SharedRequests } from "./shared-requests";
import { onThemeChange } from "./theme";

export interface AttentionViewTraits extends Traits {
  data: string;
  selection: string | null;
  error: string;
  instance: number;
  layer: number;
  head: number;
  token: number;
  map_kind: string;
  gradient_method: string;
}

export interface AttentionDraw {
  data: Model<AttentionTraits>;
  requests: AttentionRequests;
  instance: number;
  layer: number;
  head: number;
  kind: string;
  /** the text's tokens (null while they are on their way) */
  text: TextInfo | null;
  /** the token under the pointer in any view of this selection, or -1 */
  hovered: number;
  /** the class a gradient-weighted map explains: the shared selection's output (null: the model's own) */
  output: number | null;
  width: number;
}

export interface AttentionHost<T extends AttentionViewTraits> {
  model: Model<T>;
  frame: Frame;
  disposer: Disposer;
  selection(): SelectionSource;
  /** tell every view of this selection which token is under the pointer (-1: none) */
  hover(token: number): void;
  redraw(): void;
}

export interface AttentionSpec<T extends AttentionViewTraits> {
  name: string;
  className: string;
  /** the view's own traits whose change needs a redraw */
  options: ReadonlyArray<keyof T & string>;
  /** build the view's DOM and listeners once; return how it draws (it says itself what it waits for) */
  setup(host: AttentionHost<T>): (input: AttentionDraw) => void;
}

const CAVEAT = "Attention weights are not importances: a token can be attended to and matter little to the output.";

export function mountAttention<T extends AttentionViewTraits>({ model, el }: RenderProps<T>, spec: AttentionSpec<T>): () => void {
  const disposer = new Disposer();
  const frame = createFrame(el, `iw-attention-root ${spec.className}`);
  const linked = new Disposer();
  let data: Model<AttentionTraits> | null = null;
  let shared: SharedRequests | null = null;
  let requests: AttentionRequests | null = null;
  let selection = new SelectionSource(model as unknown as Model);
  let hovered = -1;
  let resolving = 0;
  const coalescer = new Coalescer(() => drawNow());

  const onHover = (event: Event) => {
    const token = (event as CustomEvent<number>).detail;
    if (token !== hovered) {
      hovered = token;
      coalescer.request();
    }
  };
  const host: AttentionHost<T> = {
    model,
    frame,
    disposer,
    selection: () => selection,
    hover: (token) => {
      if (token === hovered) return;
      hoverBus(selection.model).dispatchEvent(new CustomEvent("hover", { detail: token }));
    },
    redraw: () => coalescer.request(),
  };

  const caveat = caveatBar(frame, () => selection, () => data, () => model.get("gradient_method"), disposer);
  const draw = spec.setup(host);

  const relink = (next: Model<AttentionTraits>, chosen: Model) => {
    linked.dispose();
    requests?.dispose();
    shared?.release();
    data = next;
    selection = new SelectionSource(chosen);
    shared = SharedRequests.acquire(next as unknown as Model);
    requests = new AttentionRequests(next, shared, coalescer.request);
    next.on("change", coalescer.request);
    linked.add(() => next.off("change", coalescer.request));
    const bus = hoverBus(chosen);
    bus.addEventListener("hover", onHover);
    linked.add(() => bus.removeEventListener("hover", onHover));
    if (chosen !== (model as unknown as Model)) watch(chosen, ["instance", "output", "layer", "head", "token", "map_kind", "method"], coalescer.request, linked);
  };

  const resolve = async () => {
    const version = ++resolving;
    try {
      const [next, chosen] = await Promise.all([
        resolveRef<AttentionTraits>(model, model.get("data")),
        resolveRef(model, model.get("selection")),
      ]);
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
      const instance = selection.index("instance");
      const kind = selection.mapKind();
      const text = requests.text(instance);
      if (text.status === "error") throw new Error(text.message);
      caveat.update(text.status === "ready" ? text.value.warning : "");
      showError(frame, null);
      draw({
        data,
        requests,
        instance,
        layer: selection.index("layer"),
        head: selection.index("head"),
        kind: data.get("kinds").includes(kind) ? kind : "head",
        text: text.status === "ready" ? text.value : null,
        hovered,
        // only an explorer's selection has an output; a standalone view explains the model's own prediction
        output: selection.model.get("output") === undefined ? null : selection.index("output"),
        width: width(),
      });
      count(frame.root, "draws");
    } catch (error) {
      showStatus(frame, null);
      showError(frame, `${spec.name} could not draw: ${message(error)}`);
    }
  };

  watch(model, ["data", "selection"], () => void resolve(), disposer);
  watch(model, ["error", "instance", "layer", "head", "map_kind", "gradient_method", ...spec.options], coalescer.request, disposer);
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

/**
 * The caveat every attention view shows, visibly and briefly, and its switch: to gradient-weighted attention when
 * the data has it, else (in an explorer) to the gradient-based token attribution of the same text. The truncation
 * warning, when the text was cut to the model's limit, goes beside it.
 */
function caveatBar(
  frame: Frame,
  selection: () => SelectionSource,
  data: () => Model<AttentionTraits> | null,
  gradientMethod: () => string,
  disposer: Disposer,
): { update(warning: string): void } {
  const bar = html("div", { class: "iw-caveat", role: "note" });
  const text = html("span", { class: "iw-caveat-text" }, CAVEAT);
  const button = html("button", { type: "button", class: "iw-caveat-switch" }, "Show a gradient-based view");
  const warning = html("div", { class: "iw-warning", role: "status", hidden: "" });
  bar.append(text, button);
  frame.root.insertBefore(bar, frame.status);
  frame.root.insertBefore(warning, frame.status);
  disposer.listen(button, "click", () => {
    const kinds = data()?.get("kinds") ?? [];
    const method = gradientMethod();
    const patch: Partial<SelectionTraits> = {};
    if (kinds.includes("gradient_weighted")) patch.map_kind = "gradient_weighted";
    if (method) patch.method = method;
    selection().select(patch);
  });
  return {
    update(message: string) {
      const kinds = data()?.get("kinds") ?? [];
      const method = gradientMethod();
      const possible = kinds.includes("gradient_weighted") || Boolean(method);
      button.disabled = !possible;
      button.title = possible
        ? kinds.includes("gradient_weighted")
          ? `Show ${KIND_LABELS.gradient_weighted} attention: each weight times the gradient of the output with respect to it`
          : `Show the ${method} attribution of the same text`
        : "These maps were given without their model: build them with iw.attention(model, tokenizer, text) for a gradient-based view";
      warning.textContent = message;
      warning.hidden = !message;
    },
  };
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

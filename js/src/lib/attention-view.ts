// What both attention views add (AttentionView, AttentionGrid) to the request-view life cycle (request-view.ts): the
// text's tokens, the hovered token shared by every view of the selection, and the attention caveat with its switch to
// a gradient-based view.
import type { RenderProps } from "@anywidget/types";
import { AttentionRequests, type AttentionTraits, KIND_LABELS, type TextInfo } from "./attention-data";
import { type Disposer, html } from "./dom";
import type { Frame } from "./frame";
import type { Model, Traits } from "./model";
import { mountRequestView } from "./request-view";
import type { SelectionSource, SelectionTraits } from "./selection";
import { hoverBus } from "./shared";

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

export function mountAttention<T extends AttentionViewTraits>(props: RenderProps<T>, spec: AttentionSpec<T>): () => void {
  let hovered = -1;
  return mountRequestView<T, AttentionTraits, AttentionRequests>(props, {
    name: spec.name,
    className: `iw-attention-root ${spec.className}`,
    options: ["gradient_method", ...spec.options],
    follows: ["instance", "output", "layer", "head", "token", "map_kind", "method"],
    requests: (data, shared, settled) => new AttentionRequests(data, shared, settled),
    link(_data, chosen, linked, redraw) {
      const onHover = (event: Event) => {
        const token = (event as CustomEvent<number>).detail;
        if (token !== hovered) {
          hovered = token;
          redraw();
        }
      };
      const bus = hoverBus(chosen);
      bus.addEventListener("hover", onHover);
      linked.add(() => bus.removeEventListener("hover", onHover));
    },
    setup(requestHost) {
      let data: Model<AttentionTraits> | null = null;
      const host: AttentionHost<T> = {
        ...requestHost,
        hover: (token) => {
          if (token !== hovered) hoverBus(requestHost.selection().model).dispatchEvent(new CustomEvent("hover", { detail: token }));
        },
      };
      const caveat = caveatBar(requestHost.frame, () => requestHost.selection(), () => data, () => requestHost.model.get("gradient_method"), requestHost.disposer);
      const draw = spec.setup(host);
      return (input) => {
        data = input.data;
        const instance = input.selection.index("instance");
        const kind = input.selection.mapKind();
        const text = input.requests.text(instance);
        if (text.status === "error") throw new Error(text.message);
        caveat.update(text.status === "ready" ? text.value.warning : "");
        draw({
          data: input.data,
          requests: input.requests,
          instance,
          layer: input.selection.index("layer"),
          head: input.selection.index("head"),
          kind: input.data.get("kinds").includes(kind) ? kind : "head",
          text: text.status === "ready" ? text.value : null,
          hovered,
          // only an explorer's selection has an output; a standalone view explains the model's own prediction
          output: input.selection.model.get("output") === undefined ? null : input.selection.index("output"),
          width: input.width,
        });
      };
    },
  });
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

export { message } from "./request-view";

// TokenHeatmap: a text's tokens on a diverging scale of their attributions. Hover shows the value (and highlights the
// token in every view of the same selection); a click selects the token. Tokens are text nodes, never HTML.
import type { RenderProps } from "@anywidget/types";
import type { Attribution } from "../lib/attribution";
import { type RGB, signedRamp } from "../lib/colors";
import { completeness } from "../lib/completeness";
import { html } from "../lib/dom";
import { formatSignedAt, resolutionOf } from "../lib/format";
import { type Frame, hideTooltip, showTooltip } from "../lib/frame";
import type { Model } from "../lib/model";
import { hoverBus } from "../lib/shared";
import { rampLegend } from "../lib/legend";
import { palette } from "../lib/theme";
import { type DrawInput, mountView, type ViewTraits } from "../lib/view";

/** colour steps of the scale: enough that neighbouring tokens differ visibly, few enough to tell apart */
const STEPS = 21;

/** What a token shows: word pieces lose their continuation mark and byte-level BPE's space marker becomes a space. */
export function tokenText(token: string): { text: string; continues: boolean } {
  if (token.startsWith("##") && token.length > 2) return { text: token.slice(2), continues: true };
  if (/^[Ġ▁]/.test(token)) return { text: token.slice(1) || " ", continues: false };
  return { text: token, continues: false };
}

function render(props: RenderProps<ViewTraits>): () => void {
  return mountView(props, {
    name: "TokenHeatmap",
    className: "iw-tokens",
    scope: "one-instance",
    options: ["token"],
    controls: ["instance", "output", "method"],
    setup(host) {
      const { frame, disposer } = host;
      const text = html("div", { class: "iw-token-text", role: "list" });
      const legend = html("div", { class: "iw-token-legend" });
      frame.plot.append(text, legend);
      let hovered = -1;
      let bus: EventTarget | null = null;
      let shown: { attribution: Attribution; instance: number; output: number; resolution: number } | null = null;
      const onHover = (event: Event) => {
        hovered = (event as CustomEvent<number>).detail;
        for (const node of text.children) node.classList.toggle("iw-token-hovered", Number((node as HTMLElement).dataset.token) === hovered);
      };
      disposer.add(() => bus?.removeEventListener("hover", onHover));
      const follow = (model: Model) => {
        const next = hoverBus(model);
        if (next === bus) return;
        bus?.removeEventListener("hover", onHover);
        bus = next;
        bus.addEventListener("hover", onHover);
      };
      const tokenAt = (target: EventTarget | null): number | null => {
        const node = target instanceof Element ? target.closest<HTMLElement>("[data-token]") : null;
        return node ? Number(node.dataset.token) : null;
      };
      disposer.listen(text, "pointermove", (event: PointerEvent) => {
        const token = tokenAt(event.target);
        if (token === null || !shown) {
          hideTooltip(frame);
          return;
        }
        showTooltip(frame, tooltipLines(shown, token), event.clientX, event.clientY);
        if (token !== hovered) bus?.dispatchEvent(new CustomEvent("hover", { detail: token }));
      });
      disposer.listen(text, "pointerleave", () => {
        hideTooltip(frame);
        bus?.dispatchEvent(new CustomEvent("hover", { detail: -1 }));
      });
      disposer.listen(text, "click", (event: MouseEvent) => {
        const token = tokenAt(event.target);
        if (token !== null) host.selection().select({ token });
      });
      disposer.listen(text, "keydown", (event: KeyboardEvent) => {
        const token = tokenAt(event.target);
        if (token !== null && (event.key === "Enter" || event.key === " ")) {
          event.preventDefault();
          host.selection().select({ token });
        }
      });

      return ({ attribution, instance, output }: DrawInput) => {
        follow(host.selection().model as Model);
        const tokens = attribution.tokensOf(instance) ?? attribution.featureNames;
        const values = attribution.contributions(instance, output).subarray(0, tokens.length);
        let peak = 0;
        for (const v of values) peak = Math.max(peak, Math.abs(v));
        const colours = palette(frame.root);
        const ramp = signedRamp(colours, STEPS);
        const selected = host.selection().index("token");
        const resolution = resolutionOf(2 * peak || 1);
        shown = { attribution, instance, output, resolution };
        text.replaceChildren(
          ...Array.from(tokens, (token, t) => {
            const { text: shownText, continues } = tokenText(token);
            const value = values[t] as number;
            const step = peak > 0 ? Math.round(((value / peak + 1) / 2) * (STEPS - 1)) : (STEPS - 1) / 2;
            const rgb = ramp[step] as RGB;
            const node = html("span", {
              class: `iw-token${continues ? " iw-token-continues" : ""}${t === selected ? " iw-token-selected" : ""}${t === hovered ? " iw-token-hovered" : ""}`,
              role: "listitem",
              tabindex: 0,
              "data-token": t,
              "data-value": value,
              "aria-label": `${token}: ${formatSignedAt(value, resolution)}`,
            }, shownText);
            node.style.background = `rgb(${rgb.join(",")})`;
            // text on the strongest colours needs the contrasting colour; near the middle the theme's own
            if (Math.abs(step - (STEPS - 1) / 2) > STEPS / 3) node.style.color = "var(--iw-on-bar)";
            return node;
          }),
        );
        legend.replaceChildren(rampLegend({ label: "attribution", range: [-peak, peak], missing: false, diverging: true, format: (v) => formatSignedAt(v, resolution) }));
        describe(frame, attribution, instance, output, tokens.length, resolution);
      };
    },
  });
}

function tooltipLines(shown: { attribution: Attribution; instance: number; output: number; resolution: number }, token: number): Array<[string, string]> {
  const { attribution, instance, output, resolution } = shown;
  const tokens = attribution.tokensOf(instance) ?? attribution.featureNames;
  const value = attribution.contribution(instance, token, output);
  const values = attribution.contributions(instance, output).subarray(0, tokens.length);
  let rank = 1;
  for (const v of values) if (Math.abs(v) > Math.abs(value)) rank++;
  return [
    ["token", `${tokens[token] ?? ""} (#${token})`],
    ["attribution", formatSignedAt(value, resolution)],
    ["rank", `${rank} of ${tokens.length} by size`],
  ];
}

function describe(frame: Frame, attribution: Attribution, instance: number, output: number, count: number, resolution: number): void {
  const root = frame.root;
  root.dataset.instance = String(instance);
  root.dataset.output = String(output);
  root.dataset.method = attribution.method;
  root.dataset.tokens = String(count);
  const base = attribution.baseValue(instance, output);
  const total = attribution.outputValue(instance, output);
  const space = attribution.outputSpace ? ` (${attribution.outputSpace})` : "";
  const stated = completeness("tokens", attribution.method, base, total, attribution.convergenceDelta(instance, output), resolution);
  const lines = [`${attribution.method || "attribution"} of output “${attribution.outputName(output)}”${space} for text ${instance}, ${count} tokens.`, ...stated.lines];
  if (stated.gap === null) delete root.dataset.gap;
  else root.dataset.gap = String(stated.gap);
  if (attribution.baseline) lines.push(`Baseline: ${attribution.baseline}.`);
  frame.caption.replaceChildren(...lines.map((line) => html("div", {}, line)));
}

export default { render };

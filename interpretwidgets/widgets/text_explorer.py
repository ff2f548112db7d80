"""TextExplorer: a text classifier's attention and token attributions, every view on one selection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets
import numpy as np

from ..data import Attribution, check_index
from ._attention_data import AttentionData, available_kinds
from ._base import Strict
from ._data import LazyAttributionData
from ._selection import Selection
from .attention import AttentionGrid, AttentionView
from .honesty import HonestyPanel, HonestySource, collapsed
from .texts import TextList
from .tokens import TokenHeatmap

#: token attribution methods shown by default: two gradient methods and two perturbation methods, so that no single
#: method's picture is taken for the model's reasoning
DEFAULT_METHODS = ("integrated_gradients", "gradient_x_input", "lime", "shap")
#: the methods the attention caveat's switch prefers, in order
GRADIENT_METHODS = ("integrated_gradients", "gradient_x_input")


class TextExplorer(Strict, ipywidgets.VBox):
    """Explore a text classifier: the texts, its attention (grid and view), and token attributions by several
    methods, linked by ``instance``, ``layer``, ``head``, ``token`` and ``method``.

    Attention is extracted, and token attributions computed, when a view first asks for a text (one text and method
    at a time, cached): building the explorer runs the model once, on the first text.

    Parameters
    ----------
    model : transformers model
        A sequence classifier with an eager attention implementation (sdpa is switched for each call).
    tokenizer : transformers tokenizer
        The model's own (a fast one, for LIME's and SHAP's word offsets).
    texts : sequence of str
        The texts to explore.
    methods : sequence of str, optional
        Token attribution methods of ``iw.explain_text`` (default: integrated gradients, gradient × input, LIME and
        SHAP); the first is shown first and the second beside it for comparison.
    class_names : sequence of str, optional
        Names of the classes (default: the model's ``id2label``).
    max_length : int, optional
        Tokens kept per text (default: the model's limit; longer texts are truncated, and the views say so).
    instance, output : int, optional
        What is selected first (default: the first text and its predicted class).
    random_state : int, optional
        Seeds LIME and SHAP.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        texts: Sequence[str],
        methods: Sequence[str] | None = None,
        class_names: Sequence[str] | None = None,
        *,
        max_length: int | None = None,
        instance: int = 0,
        output: int | None = None,
        random_state: int | None = 0,
        **kwargs: Any,
    ) -> None:
        self._check_keywords(kwargs)
        from ..kernels._hf import token_limit
        from ..kernels._text_inputs import check_texts
        from ..kernels.attention import attention
        from ..kernels.text import TEXT

        texts = list(check_texts(texts))
        methods = list(DEFAULT_METHODS if methods is None else methods)
        if not methods:
            raise ValueError("methods must name at least one method of iw.explain_text; received none")
        for method in methods:
            TEXT.get(method)  # an unknown name fails here, listing the registered ones
        instance = check_index("instance", instance, len(texts))
        limit = token_limit(model, tokenizer, max_length)  # the kernels' cut: the tokenizer's and the model's limits
        first = attention(model, tokenizer, texts[instance], limit)
        predicted, names = _predictions(model, tokenizer, texts[instance], class_names, limit)
        output = predicted if output is None else check_index("output", output, len(names))
        self.texts = texts
        self.selection = Selection(
            limits={"instance": len(texts), "output": len(names), "layer": first.n_layers, "head": first.n_heads},
            instance=instance, output=output, method=methods[0],
        )  # fmt: skip
        self.selection.methods = methods
        cache = {instance: first}

        def maps_for(i: int) -> Any:
            if i not in cache:
                cache[i] = attention(model, tokenizer, texts[i], limit)
            return cache[i]

        self.attention_data = AttentionData(
            maps_for, n_instances=len(texts), n_layers=first.n_layers, n_heads=first.n_heads, method=first.method,
            kinds=available_kinds(first),
        )  # fmt: skip
        width = _token_width(tokenizer, texts, first.n_tokens, limit)
        positions = [f"token {j}" for j in range(width)]
        self.attributions = {
            method: LazyAttributionData(
                _explain_one(model, tokenizer, texts, method, names, limit, random_state, width),
                len(texts),
                feature_names=positions,
                output_names=names,
                method=method,
            )
            for method in methods
        }
        sources = list(self.attributions.values())
        gradient = next((m for m in GRADIENT_METHODS if m in self.attributions), "")
        shared = {"selection": self.selection}
        self.text_list = TextList(texts, **shared)
        self.grid = AttentionGrid(self.attention_data, gradient_method=gradient, **shared)
        self.attention_view = AttentionView(self.attention_data, gradient_method=gradient, **shared)
        self.tokens = TokenHeatmap(sources[0], alternatives=sources[1:], **shared)
        self.comparison: TokenHeatmap | None = None
        heatmaps: list[ipywidgets.Widget] = [self.tokens]
        if len(sources) > 1:
            self.comparison = TokenHeatmap(sources[0], alternatives=sources[1:], compare=True, controls=False, **shared)
            heatmaps.append(self.comparison)
        for view in [self.grid, self.attention_view, *heatmaps]:  # side by side where they fit
            view.layout.flex = "1 1 420px"
            view.layout.min_width = "0"
        row = {"flex_flow": "row wrap"}
        attention_row = ipywidgets.HBox([self.grid, self.attention_view], layout=row)
        source = _honesty_source(model, tokenizer, texts, self, names, limit, random_state)
        self.honesty = HonestyPanel(source, self.selection)
        heatmap_row = ipywidgets.HBox(heatmaps, layout=row)
        super().__init__([self.text_list, heatmap_row, attention_row, collapsed(self.honesty)], **kwargs)

    def attribution_for(self, instance: int, method: str | None = None) -> Attribution:
        """The token attribution of one text by ``method`` (default: the selected one), computed once."""
        return self.attributions[method or self.selection.method].attribution_for(instance)

    def __repr__(self) -> str:
        return (
            f"TextExplorer(texts={len(self.texts)}, methods={list(self.attributions)}, "
            f"instance={self.selection.instance}, layer={self.selection.layer}, head={self.selection.head})"
        )


def _honesty_source(
    model: Any,
    tokenizer: Any,
    texts: list[str],
    explorer: TextExplorer,
    names: list[str],
    max_length: int | None,
    random_state: int | None,
) -> HonestySource:
    """The honesty panel's view of the explorer: each method's token attributions, deletion/insertion curves over a
    text's tokens, and integrated gradients with another baseline token."""
    from ..kernels.honesty import faithfulness_curves, instance_map
    from ..kernels.text import explain_text

    methods = list(explorer.attributions)

    def one(method: str, instance: int) -> Attribution:
        return _unpadded(explorer.attribution_for(instance, method))

    def flat_map(method: str, instance: int, output: int) -> np.ndarray:
        return instance_map(explorer.attribution_for(instance, method), 0, output)

    def curves(method: str, instance: int, output: int) -> Any:
        return faithfulness_curves(
            model, [texts[instance]], one(method, instance), output=output, tokenizer=tokenizer, target=output,
            progress=False,
        )  # fmt: skip

    gradient = "integrated_gradients" if "integrated_gradients" in methods else ""
    special = [tokenizer.pad_token, tokenizer.unk_token, getattr(tokenizer, "mask_token", None)]
    baselines = [t for t in dict.fromkeys(special) if t] if gradient else []

    def rebaselined(baseline: str, instance: int, output: int) -> np.ndarray:
        switched = explain_text(
            model, tokenizer, texts[instance], gradient, baseline=baseline, output_names=names, max_length=max_length,
            random_state=random_state, progress=False,
        )  # fmt: skip
        return instance_map(switched, 0, output)

    return HonestySource(
        methods=methods, output_names=names, n_instances=len(texts), flat_map=flat_map, curves=curves, unit="token",
        gradient_method=gradient, baselines=baselines, rebaselined=rebaselined if gradient else None,
    )  # fmt: skip


def _unpadded(attribution: Attribution) -> Attribution:
    """One text's attribution cut back to its own tokens (the explorer pads every text to a common width)."""
    tokens = attribution.tokens_of(0)
    n = len(tokens)
    data = None if attribution.data is None else attribution.data[:, :n]
    return Attribution(
        attribution.values[:, :n], attribution.base_values, data, [list(tokens)], attribution.output_names,
        attribution.method, convergence_delta=attribution.convergence_delta, output_space=attribution.output_space,
        baseline=attribution.baseline,
    )  # fmt: skip


def _predictions(
    model: Any, tokenizer: Any, text: str, class_names: Sequence[str] | None, max_length: int | None
) -> tuple[int, list[str]]:
    """The predicted class of ``text`` and the class names (given, the model's labels, or "class i")."""
    import torch

    from ..kernels._borrow import borrowed

    device = next(model.parameters()).device
    encoded = tokenizer(text, return_tensors="pt", truncation=True, max_length=max_length)
    with borrowed(model), torch.no_grad():
        model.eval()
        logits = model(**{k: v.to(device) for k, v in encoded.items()}).logits[0]
    n = int(logits.shape[-1])
    if class_names is not None:
        names = [str(c) for c in class_names]
        if len(names) != n:
            raise ValueError(f"class_names must have one name per class of the model ({n}); received {len(names)}")
    else:
        labels = getattr(model.config, "id2label", None) or {}
        names = [str(labels.get(k, f"class {k}")) for k in range(n)]
    return int(torch.argmax(logits)), names


def _token_width(tokenizer: Any, texts: list[str], first: int, max_length: int | None) -> int:
    """The most tokens any text has (as the kernels will cut it): every text's values are padded to it."""
    lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]]
    return max(first, *lengths)


def _explain_one(
    model: Any,
    tokenizer: Any,
    texts: list[str],
    method: str,
    names: list[str],
    max_length: int | None,
    random_state: int | None,
    width: int,
) -> Callable[[int], Attribution]:
    from ..kernels.text import explain_text

    def compute(i: int) -> Attribution:
        one = explain_text(
            model, tokenizer, texts[i], method, output_names=names, max_length=max_length, random_state=random_state,
            progress=False,
        )  # fmt: skip
        return _padded(one, width)

    return compute


def _padded(attribution: Attribution, width: int) -> Attribution:
    """One text's attribution with its values padded to ``width`` tokens (the explorer's common width)."""
    n, length, k = attribution.values.shape
    values = np.zeros((n, width, k))
    values[:, :length] = attribution.values
    data = None
    if attribution.data is not None:
        data = np.full((n, width), np.nan)
        data[:, :length] = attribution.data
    return Attribution(
        values, attribution.base_values, data, [list(t) for t in attribution.tokens or ()], attribution.output_names,
        attribution.method, convergence_delta=attribution.convergence_delta, output_space=attribution.output_space,
        baseline=attribution.baseline,
    )  # fmt: skip

"""Probing classifiers: what a linear probe can read off each layer's representations, and how much of that is the
representation rather than the probe.

For each layer, a cross-validated logistic-regression probe predicts the labels from the layer's pooled output. High
accuracy alone says little: a probe can also fit arbitrary labels it memorises per input. The control task of Hewitt
& Liang (2019) reassigns labels at random per input *type* (the same text, word or input always gets the same random
label) and probes the same representations on those; **selectivity** = accuracy − control accuracy is what the
representation adds beyond the probe's capacity to memorise.

Representations come through forward hooks that pool as they go (memory holds one batch's activations, never all of
them) and are removed however the run ends, on a borrowed model run in eval mode without gradients.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._probing_capture import capture
from ._probing_fit import control_labels, fit_layers, probe_pipeline
from ._probing_inputs import (
    check_control_types,
    check_labels,
    check_model,
    check_options,
    check_probe_options,
    inputs_of,
    text_source,
)
from ._probing_layers import resolve_layers

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ProbeResult", "probe", "representations"]

BATCH_SIZE = 32
MAX_ITER = 1000


@dataclass(frozen=True, repr=False, eq=False)  # eq would compare arrays elementwise
class ProbeResult:
    """Per-layer accuracy of linear probes, with the control task that makes it interpretable.

    Attributes
    ----------
    layers : tuple of str
        The probed layers' module names, in order.
    accuracy, accuracy_std : numpy.ndarray, shape (n_layers,)
        Mean and standard deviation (over the folds) of the probe's held-out accuracy.
    control_accuracy, control_std : numpy.ndarray, shape (n_layers,)
        The same on the control task (NaN when it was not run).
    selectivity : numpy.ndarray, shape (n_layers,)
        ``accuracy - control_accuracy``: what the representation adds beyond what the probe memorises.
    n_inputs, n_classes : int
        How many inputs were probed, and how many distinct labels they have.
    chance : float
        The majority-class rate: the accuracy of always guessing the most frequent label.
    pool : str
        How each layer's output became one vector per input: ``"mean"``, ``"cls"`` or ``"none"``.
    cv : int
        The number of cross-validation folds.
    classes : tuple
        The distinct labels, in the order their indices use.
    n_features : tuple of int
        The width of each layer's pooled representation.
    control_labels : numpy.ndarray or None, shape (n_inputs,)
        The control task's labels (indices into ``classes``), or None without a control task.
    """

    layers: tuple[str, ...]
    accuracy: np.ndarray
    accuracy_std: np.ndarray
    control_accuracy: np.ndarray
    control_std: np.ndarray
    selectivity: np.ndarray
    n_inputs: int
    n_classes: int
    chance: float
    pool: str
    cv: int
    classes: tuple = ()
    n_features: tuple[int, ...] = ()
    control_labels: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(str(name) for name in self.layers))
        for name in ("accuracy", "accuracy_std", "control_accuracy", "control_std", "selectivity"):
            values = np.asarray(getattr(self, name), dtype=float)
            if values.shape != (len(self.layers),):
                raise ValueError(f"{name} must have one value per layer ({len(self.layers)}); received shape "
                                 f"{values.shape}")  # fmt: skip
            values.setflags(write=False)
            object.__setattr__(self, name, values)

    @property
    def control(self) -> bool:
        """Whether the control task was run (its accuracies are not NaN)."""
        return bool(np.isfinite(self.control_accuracy).any())

    def to_frame(self) -> pd.DataFrame:
        """One row per layer (indexed by its name): accuracy, accuracy_std, control_accuracy, control_std and
        selectivity, and n_features when known.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        columns = {
            "accuracy": self.accuracy,
            "accuracy_std": self.accuracy_std,
            "control_accuracy": self.control_accuracy,
            "control_std": self.control_std,
            "selectivity": self.selectivity,
        }
        if len(self.n_features) == len(self.layers):
            columns["n_features"] = np.asarray(self.n_features, dtype=int)
        return pd.DataFrame(columns, index=pd.Index(self.layers, name="layer"))

    def __repr__(self) -> str:
        head = (
            f"ProbeResult: {len(self.layers)} layers, {self.n_inputs} inputs, {self.n_classes} classes "
            f"(chance {self.chance:.3f}), pool={self.pool!r}, {self.cv}-fold CV"
        )
        width = max([len("layer"), *(len(name) for name in self.layers)])
        lines = [head, f"  {'layer':<{width}}  {'accuracy':<15}{'control':<15}selectivity"]
        for i, name in enumerate(self.layers):
            control = (f"{self.control_accuracy[i]:.3f} ± {self.control_std[i]:.3f}  {self.selectivity[i]:+.3f}"
                       if np.isfinite(self.control_accuracy[i]) else f"{'-':<15}-")  # fmt: skip
            lines.append(f"  {name:<{width}}  {self.accuracy[i]:.3f} ± {self.accuracy_std[i]:.3f}  {control}")
        return "\n".join(lines)


def probe(
    model: Any,
    inputs: Any,
    labels: Any,
    layers: Any = None,
    *,
    pool: str = "mean",
    cv: int = 5,
    control: bool = True,
    control_types: Sequence[Hashable] | None = None,
    random_state: int | None = 0,
    batch_size: int = BATCH_SIZE,
    progress: bool | None = None,
    tokenizer: Any = None,
    max_length: int | None = None,
    C: float = 1.0,
    max_iter: int = MAX_ITER,
) -> ProbeResult:
    """Probe what each layer of a torch model represents about ``labels``, with a control task.

    Parameters
    ----------
    model : torch.nn.Module
        Any torch model, Hugging Face transformers models included. Borrowed: run in eval mode without gradients and
        given back as lent (mode, requires_grad, hooks, ``.grad``).
    inputs : tensor, array or list of str
        A batch ``(n_inputs, ...)`` that ``model`` takes as its one argument; or, with ``tokenizer``, a list of
        texts (padded per batch; padding never enters a pooled vector).
    labels : array-like, shape (n_inputs,)
        One class label per input (any hashable values). Each class needs at least ``cv`` inputs.
    layers : str, module, or list of them, optional
        Module names as in ``model.named_modules()``, or the modules. Default: for a Hugging Face model its
        embeddings and every transformer block (``embeddings``, ``encoder.layer.{i}``; GPT-2: ``transformer.wte``,
        ``transformer.h.{i}``); for other models every direct child.
    pool : {"mean", "cls", "none"}
        How a layer's ``(batch, tokens, hidden)`` output becomes one vector per input: the mean over real tokens,
        the first token, or every token flattened (texts must then all have the same length). 2-D outputs are used
        as they are; 4-D and larger (convolutions) are averaged over their spatial positions by "mean".
    cv : int
        Folds of the stratified, shuffled cross-validation.
    control : bool
        Also run the control task and report selectivity.
    control_types : sequence of hashable, optional
        Each input's type for the control task (e.g. the word a token vector stands for). Default: the input's
        identity — the text string, or the input's values. When no type repeats, the control task sits at chance by
        construction (a ``UserWarning`` says so): give types that repeat for selectivity to mean something.
    random_state : int or None
        Seeds the folds and the control labels.
    batch_size : int
        Inputs per forward pass; memory holds one batch's activations at a time.
    progress : bool or None
        Show tqdm bars; None shows them when there is more than one batch.
    tokenizer : transformers tokenizer, optional
        Makes ``inputs`` a list of texts.
    max_length : int, optional
        Truncate texts to this many tokens (default: the model's limit).
    C, max_iter : float, int
        The logistic regression's inverse regularisation strength and iteration budget.

    Returns
    -------
    ProbeResult

    Raises
    ------
    TypeError
        ``model`` is not a torch module; inputs, labels or layers of the wrong kind.
    ValueError
        Unknown layers (the valid names are listed), labels of the wrong length, a single class, too few inputs of
        a class for ``cv`` folds, ``pool="none"`` on texts of unequal length: all checked before any forward pass.
        A named layer that does not run exactly once per forward pass: found in the first batch.

    Examples
    --------
    >>> result = iw.probe(model, texts, labels, tokenizer=tokenizer)   # doctest: +SKIP
    >>> result.to_frame()                                               # doctest: +SKIP
    """
    check_model(model)
    check_options(pool, batch_size)
    check_probe_options(cv, control, random_state)
    tensors, texts, n = inputs_of(model, inputs, tokenizer)
    y, classes = check_labels(labels, n, cv)
    types = check_control_types(control_types, n) if control else None
    chosen, named = resolve_layers(model, layers)
    source = tensors if tensors is not None else text_source(model, tokenizer, texts or (), max_length, pool)

    show = progress if progress is not None else source.n > batch_size
    representations = capture(model, source, chosen, pool, batch_size, progress, required=named)
    controls = None
    if control:
        chosen_types = types if types is not None else source.types()
        if len(set(chosen_types)) == len(chosen_types):
            # every type unseen in training: the control task is at chance by construction and says nothing
            warnings.warn(
                "every input is its own type, so the control task cannot be memorised and sits at chance: "
                "selectivity then says nothing about memorisation. Pass control_types= (e.g. the word each input "
                "stands for) so that types repeat across inputs",
                UserWarning,
                stacklevel=2,
            )
        controls = control_labels(chosen_types, y, random_state)
    estimator = probe_pipeline(C, max_iter)
    accuracy, accuracy_std, control_accuracy, control_std = fit_layers(
        representations, y, controls, cv, random_state, estimator, show
    )
    return ProbeResult(
        layers=tuple(representations),
        accuracy=accuracy,
        accuracy_std=accuracy_std,
        control_accuracy=control_accuracy,
        control_std=control_std,
        selectivity=accuracy - control_accuracy,
        n_inputs=int(n),
        n_classes=len(classes),
        chance=float(np.bincount(y).max() / len(y)),
        pool=pool,
        cv=cv,
        classes=tuple(classes),
        n_features=tuple(int(r.shape[1]) for r in representations.values()),
        control_labels=controls,
    )


def representations(
    model: Any,
    inputs: Any,
    layers: Any = None,
    *,
    pool: str = "mean",
    batch_size: int = BATCH_SIZE,
    progress: bool | None = None,
    tokenizer: Any = None,
    max_length: int | None = None,
) -> dict[str, np.ndarray]:
    """The pooled representations ``probe`` fits its probes on, for your own analysis.

    Takes ``model``, ``inputs``, ``layers``, ``pool``, ``batch_size``, ``progress``, ``tokenizer`` and
    ``max_length`` as :func:`probe` does, with the same checks, borrowing and hook removal.

    Returns
    -------
    dict of str to numpy.ndarray
        Per layer name, in order, a float32 array of shape ``(n_inputs, n_features)``: all that is kept of the
        layer's activations.
    """
    check_model(model)
    check_options(pool, batch_size)
    tensors, texts, _ = inputs_of(model, inputs, tokenizer)
    chosen, named = resolve_layers(model, layers)
    source = tensors if tensors is not None else text_source(model, tokenizer, texts or (), max_length, pool)
    return capture(model, source, chosen, pool, batch_size, progress, required=named)

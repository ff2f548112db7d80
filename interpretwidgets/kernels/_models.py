"""What a kernel needs to know about a model: the function it explains, its output space and output names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Predict = Callable[[np.ndarray], np.ndarray]


def is_torch_module(model: Any) -> bool:
    """True for a ``torch.nn.Module`` — checked without importing torch when it was never imported."""
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)


_NUMPY_FLOATS = ("torch.float16", "torch.float32", "torch.float64")


def to_numpy(value: Any) -> np.ndarray:
    """A tensor (on any device) or an array as a numpy array in its own float type (bfloat16, which numpy lacks,
    as float32): a long text's attention is large, and float64 would double or quadruple it."""
    if hasattr(value, "detach"):  # a torch tensor, on any device, in any float dtype
        tensor = value.detach().cpu()
        if str(tensor.dtype) not in _NUMPY_FLOATS:
            tensor = tensor.float()
        return tensor.numpy()
    return np.asarray(value)


def model_input(model: Any, X: np.ndarray) -> Any:
    """``X`` as the model was fitted: a DataFrame with its column names when it was fitted on one."""
    columns = getattr(model, "feature_names_in_", None)
    if columns is None:
        return X
    import pandas as pd

    return pd.DataFrame(X, columns=list(columns))


def prediction_function(model: Any, output_space: str | None = None) -> tuple[Predict, str]:
    """The function a model-agnostic method explains, returning (n, n_outputs), and its output space.

    Classifiers are explained in probability (``predict_proba``) unless ``output_space="log-odds"`` asks for
    ``decision_function``; regressors and plain callables in their raw output; torch modules in their raw
    output (logits for a classifier).

    Raises
    ------
    TypeError
        A model that is neither a fitted estimator with ``predict``, a torch module, nor a callable.
    """
    if is_torch_module(model):
        return _torch_predict(model), "raw"
    classifier = getattr(model, "classes_", None) is not None
    if output_space == "log-odds" and hasattr(model, "decision_function"):
        function, space = model.decision_function, "log-odds"
    elif hasattr(model, "predict_proba") and output_space in (None, "probability"):
        function, space = model.predict_proba, "probability"
    elif classifier and hasattr(model, "decision_function"):
        function, space = model.decision_function, "margin"  # class labels are not an explainable output
    elif classifier:
        raise TypeError(
            f"{type(model).__name__} is a classifier with neither predict_proba nor decision_function; "
            "explaining its predicted labels is meaningless. Fit it with probability estimates "
            "(e.g. SVC(probability=True) or CalibratedClassifierCV)"
        )
    elif hasattr(model, "predict"):
        function, space = model.predict, "raw"
    elif callable(model):
        function, space = model, "raw"
    else:
        raise TypeError(
            "model must be a fitted estimator with predict/predict_proba, a torch.nn.Module or a callable "
            f"f(X) -> outputs; received {type(model).__name__}"
        )
    return lambda X: np.asarray(function(model_input(model, X)), dtype=float).reshape(len(X), -1), space


def _torch_predict(model: Any) -> Predict:
    import torch

    from ._borrow import borrowed

    def predict(X: np.ndarray) -> np.ndarray:
        parameter = next(model.parameters(), None)
        dtype = parameter.dtype if parameter is not None else torch.float32
        with borrowed(model), torch.no_grad():
            model.eval()
            out = model(torch.as_tensor(np.asarray(X), dtype=dtype))
        return out.detach().cpu().double().numpy().reshape(len(X), -1)

    return predict


def default_output_names(model: Any, n_outputs: int) -> list[str]:
    """Class names from ``classes_``; ``"prediction"`` for one output; ``"output i"`` otherwise."""
    classes = getattr(model, "classes_", None)
    if classes is None:
        return ["prediction"] if n_outputs == 1 else [f"output {i}" for i in range(n_outputs)]
    classes = [str(c) for c in np.asarray(classes).ravel()]
    if n_outputs == len(classes):
        return classes
    if n_outputs == 1 and len(classes) == 2:
        return [classes[1]]  # a binary margin is the score of the positive class
    return [f"output {i}" for i in range(n_outputs)]


def explained_function(
    model: Any, X: np.ndarray, names: Sequence[str] | None, output_space: str | None = None
) -> tuple[Predict, str, list[str]]:
    """The prediction function, its output space and validated output names, after one cheap call on ``X[:1]``
    (so a model that cannot run on ``X`` fails before any explainer starts)."""
    predict, space = prediction_function(model, output_space)
    return predict, space, output_names_for(model, predict(X[:1]).shape[1], names)


def output_names_for(model: Any, n_outputs: int, names: Sequence[str] | None) -> list[str]:
    """Validated user names, or the defaults."""
    from ._inputs import check_names

    return check_names("output_names", names, n_outputs) or default_output_names(model, n_outputs)

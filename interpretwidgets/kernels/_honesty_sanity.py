"""The model-randomisation sanity check (Adebayo et al. 2018, "Sanity Checks for Saliency Maps").

An explanation that describes the model must change when the model does: re-initialise its layers one after
another, from the output down, and the maps should stop resembling the original. A method whose maps stay the same
(an edge detector in disguise) explains the input, not the model. All of it happens on a deep copy: the user's model
is never touched.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data import Attribution
from ._honesty_common import check_seed, explain_arity, instance_map, output_index
from ._models import is_torch_module

#: when a parametrised module has no ``reset_parameters``, its parameters are redrawn from N(0, σ²) with σ their
#: own standard deviation (this one when that is 0, e.g. a bias that was never trained)
FALLBACK_STD = 0.02


@dataclass(frozen=True)
class RandomizationCheck:
    """The rank correlation of each instance's map with its original as more and more layers are re-initialised.

    Attributes
    ----------
    layers : tuple of str
        The layer re-initialised at each step, in order (cascading: every layer before it stays re-initialised).
    spearman : numpy.ndarray, shape (n_instances, n_steps)
        Spearman's rank correlation of the signed values with the original map (NaN where a map is constant).
    spearman_abs : numpy.ndarray, shape (n_instances, n_steps)
        The same of the magnitudes (sign flips do not count).
    cascade : bool
        True: layers re-initialised cumulatively from the top; False: one layer at a time (independent).
    original : tuple of numpy.ndarray
        Each instance's original map, flattened (pixels summed over channels, tokens without padding).
    maps : tuple of tuple of numpy.ndarray, or None
        Each step's maps (``maps[step][instance]``) when asked for with ``keep_maps=True``.

    A method that passes the check has correlations falling towards 0 as the steps go on.
    """

    layers: tuple[str, ...]
    spearman: np.ndarray
    spearman_abs: np.ndarray
    cascade: bool
    original: tuple[np.ndarray, ...]
    maps: tuple[tuple[np.ndarray, ...], ...] | None = None

    def to_frame(self) -> Any:
        """A long pandas DataFrame: one row per (instance, step) with the layer and both correlations."""
        import pandas as pd

        n, steps = self.spearman.shape
        return pd.DataFrame({
            "instance": np.repeat(np.arange(n), steps),
            "step": np.tile(np.arange(steps), n),
            "layer": np.tile(np.asarray(self.layers, dtype=object), n),
            "spearman": self.spearman.ravel(),
            "spearman_abs": self.spearman_abs.ravel(),
        })  # fmt: skip


def randomization_check(
    model: Any,
    inputs: Any,
    explain: str | Callable[..., Any],
    *,
    layers: Sequence[str] | None = None,
    output: int | str = 0,
    options: dict[str, Any] | None = None,
    cascade: bool = True,
    keep_maps: bool = False,
    random_state: int | None = 0,
    progress: bool | None = None,
) -> RandomizationCheck:
    """Re-initialise a copy of the model layer by layer, top down, and compare each new map with the original.

    The model is deep-copied once (twice the memory); the original map is computed on the untouched copy, then the
    copy's layers are re-initialised one at a time from the output down (cascading), with the explanation and its
    Spearman rank correlation with the original (of signed values, and of magnitudes) after each. Modules with a
    ``reset_parameters`` use it (torch's own initialisation); others redraw their parameters from N(0, σ²), σ their
    own standard deviation. The user's model is never called nor changed: its parameters, modes, hooks,
    ``requires_grad`` and ``.grad`` stay exactly as they were.

    Parameters
    ----------
    model : torch.nn.Module
        The explained model.
    inputs : any
        The explained inputs: passed to ``explain`` when it takes them (or to the named ``explain_*`` method).
    explain : str or callable
        ``explain(model) -> Attribution or array`` (the inputs closed over; a callable with exactly one positional
        parameter is called so), ``explain(model, inputs)``, or an ``explain_tabular`` / ``explain_image`` method
        name called with ``inputs`` and ``**options``. It must use the model it is given. An array holds one map
        per instance along its first axis; an Attribution gives :func:`method_agreement`'s maps (pixels summed over
        channels, tokens without padding).
    layers : sequence of str, optional
        The modules to re-initialise, by dotted name, in the order given (top first). Default: every module with
        parameters of its own, in reverse order of registration (for a ``Sequential``, output to input).
    output : int or str
        The explained output of Attribution results, by index or name.
    options : dict, optional
        Keyword arguments for a named ``explain_*`` method (e.g. ``{"target": 1}``).
    cascade : bool
        True (the paper's cascading randomisation): re-initialised layers stay so. False: each step re-initialises
        only its own layer on a fresh copy (independent randomisation).
    keep_maps : bool
        Keep each step's maps in the result (memory: one map per instance and step).
    random_state : int, optional
        Seeds the re-initialisation and the explanation's sampling (torch's and numpy's global generators,
        restored afterwards).
    progress : bool, optional
        A tqdm.auto bar over the steps (default: shown). Ctrl-C lands between steps.

    Returns
    -------
    RandomizationCheck

    Raises
    ------
    TypeError
        A model that is not a torch module, an ``explain`` that is neither a method name nor a callable, or a model
        that cannot be deep-copied.
    ValueError
        Layer names that are not modules with parameters (the message lists the valid ones), duplicates, or maps
        whose size changes between steps.
    """
    from tqdm.auto import tqdm

    from ._random import seeded

    if not is_torch_module(model):
        raise TypeError(f"randomization_check needs a torch.nn.Module; received {type(model).__name__}")
    call = _explain(explain, inputs, options)
    chosen = _layers(model, layers)
    random_state = check_seed(random_state)
    if not isinstance(cascade, bool):
        raise TypeError(f"cascade must be a bool; received {type(cascade).__name__}")
    with seeded(random_state):
        working = _copy(model)
        original = _maps(call(working), output)
        steps: list[tuple[np.ndarray, ...]] = []
        for name in tqdm(chosen, desc="Randomising layers", unit="layer", disable=progress is False):
            if not cascade:
                working = _copy(model)
            _reinitialise(working.get_submodule(name))
            maps = _maps(call(working), output)
            if [m.shape for m in maps] != [m.shape for m in original]:
                raise ValueError(
                    f"explain gave maps of another size after re-initialising {name!r}: "
                    f"{[m.shape for m in maps]} instead of {[m.shape for m in original]}"
                )
            steps.append(maps)
    signed = np.array([[_spearman(o, s[i]) for s in steps] for i, o in enumerate(original)])
    magnitude = np.array([[_spearman(np.abs(o), np.abs(s[i])) for s in steps] for i, o in enumerate(original)])
    return RandomizationCheck(
        layers=tuple(chosen), spearman=signed.reshape(len(original), len(chosen)),
        spearman_abs=magnitude.reshape(len(original), len(chosen)), cascade=cascade, original=original,
        maps=tuple(steps) if keep_maps else None,
    )  # fmt: skip


def _explain(explain: Any, inputs: Any, options: dict[str, Any] | None) -> Callable[[Any], Any]:
    if isinstance(explain, str):
        from .image import IMAGE
        from .tabular import TABULAR

        image = np.ndim(inputs) != 2
        (IMAGE if image else TABULAR).get(explain)  # an unknown name lists the registered ones, before any work
        settings = {"progress": False, **(options or {})}
        if image:
            from .image import explain_image

            return lambda m: explain_image(m, inputs, explain, **settings)
        from .tabular import explain_tabular

        return lambda m: explain_tabular(m, inputs, explain, **settings)
    if not callable(explain):
        raise TypeError(f"explain must be a method name or a callable explain(model[, inputs]); received {explain!r}")
    if options:
        raise ValueError("options are for an explain_* method given by name; a callable takes none")
    return explain if explain_arity(explain) == 1 else lambda m: explain(m, inputs)


def parametrised_layers(model: Any) -> list[str]:
    """The names of the modules with parameters of their own, in registration order."""
    return [name for name, module in model.named_modules() if next(module.parameters(recurse=False), None) is not None]


def _layers(model: Any, layers: Sequence[str] | None) -> list[str]:
    valid = parametrised_layers(model)
    if layers is None:
        if not valid:
            raise ValueError("the model has no parameters to re-initialise")
        return valid[::-1]
    if isinstance(layers, str) or not isinstance(layers, Sequence):
        raise TypeError(f"layers must be a sequence of module names; received {type(layers).__name__}")
    named = dict(model.named_modules())
    bad = [n for n in layers if not isinstance(n, str) or n not in named or next(named[n].parameters(), None) is None]
    if bad or not layers:
        listed = ", ".join(repr(n) for n in valid[::-1])
        raise ValueError(f"layers must name modules of the model that have parameters ({listed}); received {bad}")
    if len(set(layers)) != len(layers):
        raise ValueError(f"layers must not name a module twice; received {list(layers)}")
    return list(layers)


def _copy(model: Any) -> Any:
    try:
        return copy.deepcopy(model)
    except Exception as exc:  # e.g. a non-leaf tensor kept as an attribute
        raise TypeError(
            f"the model cannot be deep-copied ({type(exc).__name__}: {exc}); the check never changes the model "
            "itself, so it needs a copy"
        ) from exc


def _reinitialise(layer: Any) -> None:
    import torch

    with torch.no_grad():
        for module in layer.modules():
            own = list(module.parameters(recurse=False))
            if not own:
                continue
            reset = getattr(module, "reset_parameters", None)
            if callable(reset):
                reset()
                continue
            for parameter in own:
                std = float(parameter.std()) if parameter.numel() > 1 else 0.0
                parameter.normal_(0.0, std if std > 0 else FALLBACK_STD)


def _maps(result: Any, output: Any) -> tuple[np.ndarray, ...]:
    if isinstance(result, Attribution):
        column = output_index(result, output)
        return tuple(instance_map(result, i, column).astype(float) for i in range(result.n_instances))
    if hasattr(result, "detach"):
        result = result.detach().cpu().numpy()
    array = np.asarray(result, dtype=float)
    if array.ndim == 0:
        raise ValueError("explain must return an Attribution or an array with one map per instance")
    if array.ndim == 1:
        array = array[None]
    return tuple(row.ravel() for row in array)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import rankdata

    ra, rb = rankdata(a), rankdata(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])

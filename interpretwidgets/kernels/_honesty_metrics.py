"""captum's explanation metrics, for the attributions and ``explain_*`` methods of this package: infidelity and
max-sensitivity (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations").

Both are captum's own functions (``captum.metrics``); this module turns an ``Attribution`` into the tensor captum
expects, an ``explain_*`` call into the explanation function it perturbs, and the model into its forward function,
borrowed (eval mode, given back as lent) and seeded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..data import Attribution
from ._honesty_common import (
    as_tensor,
    check_attribution,
    check_seed,
    domain_of,
    image_inputs,
    output_column,
    output_index,
    tabular_inputs,
    torch_forward,
)
from ._models import is_torch_module

PERTURBATIONS = ("gaussian", "subset")

Explain = Callable[..., Any]


def infidelity(
    model: Any,
    inputs: Any,
    attribution: Attribution,
    *,
    perturbations: str | Callable[[Any], tuple[Any, Any]] = "gaussian",
    n_perturb_samples: int = 10,
    noise_scale: float = 0.1,
    output: int | str = 0,
    target: int | None = None,
    normalize: bool = False,
    max_examples_per_batch: int | None = None,
    random_state: int | None = 0,
) -> np.ndarray:
    """Explanation infidelity (captum ``infidelity``) of an attribution of a torch model, per instance.

    The expected squared difference between Σ attribution × perturbation and the output change the perturbation
    causes, ``E[(Σ a·I − (f(x) − f(x − I)))²]``: 0 for an attribution that predicts every output change exactly.
    Meaningful for attributions that multiply by the input (integrated gradients, DeepLift, GradientShap, SHAP);
    ``normalize=True`` rescales the attribution optimally first (captum's option), so the scale of a map such as
    saliency does not count against it.

    Parameters
    ----------
    model : torch.nn.Module
        The explained model (tabular rows or images); run in eval mode without gradients, given back as lent.
    inputs : array_like or torch.Tensor
        The explained rows (n, n_features) or images (n, C, H, W), as given to the ``explain_*`` function.
    attribution : Attribution
        Its attribution of ``inputs``. A per-pixel map (H, W) (Grad-CAM, LIME) is spread evenly over the channels,
        and a superpixel's weight over its pixels, so that each pixel's or segment's total stays what it was.
    perturbations : {"gaussian", "subset"} or callable
        ``"gaussian"``: I ~ N(0, noise_scale²) per input value (the paper's noisy baseline). ``"subset"``: each
        feature (each pixel, all its channels) removed to 0 with probability ½, I = x · mask. Or captum's
        ``perturb_func(inputs) -> (perturbations, perturbed_inputs)``.
    n_perturb_samples : int
        Perturbations per instance.
    noise_scale : float
        The Gaussian perturbations' standard deviation, in input units.
    output : int or str
        The explained output, by index or name.
    target : int, optional
        The model's output column for ``output``, when the output names do not say (``"class 3"`` does).
    normalize : bool
        captum's ``normalize``: rescale the attribution by the best factor β first.
    max_examples_per_batch : int, optional
        captum's limit on perturbed inputs per forward pass (default: all at once).
    random_state : int, optional
        Seeds the perturbations (numpy's and torch's global generators, restored afterwards).

    Returns
    -------
    numpy.ndarray, shape (n_instances,)

    Raises
    ------
    TypeError, ValueError
        Before any model call: a model that is not a torch module, inputs that are not the explained ones, an
        unknown perturbation, a bad budget, output or target.
    """
    import torch
    from captum.metrics import infidelity as captum_infidelity

    from ._borrow import borrowed
    from ._inputs import check_count
    from ._random import seeded

    check_attribution(attribution)
    _check_torch(model, "infidelity")
    column = output_index(attribution, output)
    n_perturb_samples = check_count("n_perturb_samples", n_perturb_samples) or 10
    max_examples_per_batch = check_count("max_examples_per_batch", max_examples_per_batch)
    random_state = check_seed(random_state)
    perturb = _perturbation(perturbations, noise_scale)
    if domain_of(attribution) == "text":
        raise ValueError("infidelity perturbs continuous inputs: tabular rows or images, not token ids")
    with borrowed(model):
        model.eval()
        array = _inputs(model, inputs, attribution)
        x = as_tensor(model, array)
        forward = torch_forward(model)
        with torch.no_grad():
            n_outputs = forward(x[:1]).shape[1]
        model_column = output_column(attribution, column, n_outputs, target)
        attributions = as_tensor(model, _input_shaped(attribution, column, array.shape))
        with seeded(random_state):
            scores = captum_infidelity(
                forward, perturb, x, attributions, target=model_column, n_perturb_samples=n_perturb_samples,
                max_examples_per_batch=max_examples_per_batch, normalize=normalize,
            )  # fmt: skip
    return scores.detach().double().cpu().numpy()


def sensitivity(
    model: Any,
    inputs: Any,
    explain: str | Explain,
    *,
    options: Mapping[str, Any] | None = None,
    output: int | str = 0,
    perturb_radius: float = 0.02,
    n_perturb_samples: int = 10,
    norm_ord: str | float = "fro",
    max_examples_per_batch: int | None = None,
    random_state: int | None = 0,
) -> np.ndarray:
    """Max-sensitivity (captum ``sensitivity_max``) of an explanation method, per instance.

    The largest relative change ‖φ(x') − φ(x)‖ / ‖φ(x)‖ of the explanation φ over ``n_perturb_samples`` inputs x'
    drawn uniformly within ``perturb_radius`` of x (L∞): how fragile the explanation is to noise the model barely
    notices.

    Parameters
    ----------
    model : torch.nn.Module
        A tabular network or image classifier.
    inputs : array_like or torch.Tensor
        Rows (n, n_features) or images (n, C, H, W).
    explain : str or callable
        A method name of ``explain_tabular`` (2-D inputs) or ``explain_image`` (images), called with
        ``**options``; or ``explain(model, inputs) -> Attribution or array`` where an array has the inputs' shape.
    options : mapping, optional
        Keyword arguments for the ``explain_*`` function (e.g. ``{"target": 3, "n_steps": 16}``).
    output : int or str
        The explained output of the attributions, by index or name.
    perturb_radius : float
        The radius of the L∞ ball perturbations are drawn from (captum's default perturbation), in input units.
    n_perturb_samples : int
        Perturbed inputs per instance.
    norm_ord : str or float
        The norm of the explanation's change (captum's ``norm_ord``).
    max_examples_per_batch : int, optional
        captum's limit on perturbed inputs per explanation call (default: all at once).
    random_state : int, optional
        Seeds the perturbations (restored afterwards).

    Returns
    -------
    numpy.ndarray, shape (n_instances,)

    Raises
    ------
    TypeError, ValueError
        Before any explanation: a model that is not a torch module, an ``explain`` that is neither a registered
        method name nor a callable, bad inputs, budgets or radius.
    """
    from captum.metrics import sensitivity_max

    from ._inputs import check_count
    from ._random import seeded

    _check_torch(model, "sensitivity")
    explain_fn = _explainer(model, inputs, explain, options, output)
    n_perturb_samples = check_count("n_perturb_samples", n_perturb_samples) or 10
    max_examples_per_batch = check_count("max_examples_per_batch", max_examples_per_batch)
    if isinstance(perturb_radius, bool) or not isinstance(perturb_radius, int | float) or not perturb_radius > 0:
        raise ValueError(f"perturb_radius must be a positive number; received {perturb_radius!r}")
    random_state = check_seed(random_state)
    import torch

    from ._borrow import borrowed

    array = tabular_inputs(inputs) if np.ndim(inputs) == 2 else image_inputs(model, inputs)
    x = as_tensor(model, array)
    with borrowed(model), seeded(random_state):  # a user's explain that forgets to give the model back is undone
        scores = sensitivity_max(
            explain_fn, x, perturb_radius=float(perturb_radius), n_perturb_samples=n_perturb_samples,
            norm_ord=norm_ord, max_examples_per_batch=max_examples_per_batch,
        )  # fmt: skip
    return torch.as_tensor(scores).detach().double().cpu().numpy()


def _check_torch(model: Any, what: str) -> None:
    if not is_torch_module(model):
        raise TypeError(f"{what} needs a torch.nn.Module (captum perturbs tensors); received {type(model).__name__}")


def _inputs(model: Any, inputs: Any, attribution: Attribution) -> np.ndarray:
    if domain_of(attribution) == "image":
        return image_inputs(model, inputs, attribution)
    return tabular_inputs(inputs, attribution)


def _input_shaped(attribution: Attribution, column: int, shape: tuple[int, ...]) -> np.ndarray:
    """The attribution of one output in the inputs' shape: per-pixel maps spread evenly over the channels (and a
    superpixel's weight over its pixels), so that totals stay what they were."""
    values = attribution.values[..., column]
    if values.shape == shape:
        return values
    values = values.copy()
    if attribution.segments is not None:
        for i, segments in enumerate(attribution.segments):
            _, inverse, counts = np.unique(segments, return_inverse=True, return_counts=True)
            values[i] /= counts[inverse.reshape(segments.shape)]
    channels = shape[1]
    return np.broadcast_to((values / channels)[:, None], shape)


def _perturbation(perturbations: Any, noise_scale: float) -> Callable[[Any], tuple[Any, Any]]:
    if callable(perturbations):
        return perturbations
    if perturbations not in PERTURBATIONS:
        raise ValueError(
            f"perturbations must be one of {', '.join(repr(p) for p in PERTURBATIONS)} or a function "
            f"inputs -> (perturbations, perturbed_inputs); received {perturbations!r}"
        )
    if isinstance(noise_scale, bool) or not isinstance(noise_scale, int | float) or not noise_scale > 0:
        raise ValueError(f"noise_scale must be a positive number; received {noise_scale!r}")
    if perturbations == "gaussian":
        return lambda x: _gaussian(x, float(noise_scale))
    return _subset


def _gaussian(x: Any, scale: float) -> tuple[Any, Any]:
    import torch

    noise = torch.randn_like(x) * scale
    return noise, x - noise


def _subset(x: Any) -> tuple[Any, Any]:
    import torch

    shape = (x.shape[0], 1, *x.shape[2:]) if x.ndim == 4 else x.shape  # a pixel goes with all its channels
    removed = (torch.rand(shape, device=x.device) < 0.5).to(x.dtype)
    perturbation = x * removed
    return perturbation, x - perturbation


def _explainer(model: Any, inputs: Any, explain: Any, options: Mapping[str, Any] | None, output: Any) -> Any:
    """captum's explanation function: perturbed input tensors → the explanation's values of ``output``, a tensor
    of the inputs' shape (or the map's)."""
    options = dict(options or {})
    if isinstance(explain, str):
        image = np.ndim(inputs) != 2
        from .image import IMAGE
        from .tabular import TABULAR

        registry = IMAGE if image else TABULAR
        registry.get(explain)  # an unknown name lists the registered ones, before any work

        def call(m: Any, x: np.ndarray) -> Any:
            if image:
                from .image import explain_image

                return explain_image(m, x, explain, **{"progress": False, **options})
            from .tabular import explain_tabular

            return explain_tabular(m, x, explain, **{"progress": False, **options})

    elif callable(explain):
        if options:
            raise ValueError("options are for an explain_* method given by name; a callable takes none")
        call = explain
    else:
        raise TypeError(f"explain must be a method name or a callable explain(model, inputs); received {explain!r}")
    if isinstance(output, bool) or not isinstance(output, int | np.integer | str):
        raise TypeError(f"output must be an int or an output name; received {type(output).__name__}")

    def explanation(x: Any) -> Any:
        import torch

        as_tuple = isinstance(x, tuple)  # captum passes a tuple of tensors and expects one back
        if as_tuple:
            (x,) = x
        result = call(model, x.detach().cpu().numpy())
        values = (
            result.values[..., output_index(result, output)]
            if isinstance(result, Attribution)
            else np.asarray(result, dtype=float)
        )
        tensor = torch.as_tensor(np.ascontiguousarray(values), dtype=x.dtype, device=x.device)
        return (tensor,) if as_tuple else tensor

    return explanation

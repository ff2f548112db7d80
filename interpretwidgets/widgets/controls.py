"""ControlBar: one set of selection controls (instance, class, method) for all the views of an explorer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import traitlets

from ._base import array_trait, static_file
from ._data import AttributionData, AttributionSource
from ._selection import Selection
from ._tabular import InstanceView


class ControlBar(InstanceView):
    """The instance stepper, class picker and method picker of an explorer, with what is known of the instance.

    Parameters
    ----------
    data : AttributionData
        The attribution computed for every instance (its method is the first in the method picker).
    selection : Selection
        The explorer's shared selection, read and written by every view.
    alternatives : sequence of data widgets
        Other methods of the same instances (e.g. LIME computed on request); the method picker lists them.
    true_values : array_like, shape (n_instances,), optional
        True labels (indices into ``true_names``) or true values of a regression, shown beside the prediction.
    true_names : sequence of str, optional
        Names of the true labels.
    """

    _esm = static_file("controls.js")
    _repr_traits: ClassVar[tuple[str, ...]] = ("data", "instance", "output")

    true_values = array_trait()
    true_names = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(
        self,
        data: AttributionData,
        selection: Selection,
        alternatives: Sequence[AttributionSource] = (),
        true_values: Any = None,
        true_names: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        values = None if true_values is None else np.asarray(true_values, dtype=float)
        if values is not None and values.shape != (data.n_instances,):
            raise ValueError(
                f"true_values must have one value per instance ({data.n_instances}); received {values.shape}"
            )
        super().__init__(
            data, selection=selection, alternatives=list(alternatives), true_values=values,
            true_names=[str(n) for n in true_names], **kwargs,
        )  # fmt: skip

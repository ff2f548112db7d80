"""interpretwidgets: linked, honest model-interpretability views for Jupyter.

Importing the package is cheap: shap, lime, captum, torch and even the widget classes load on first use.

>>> import interpretwidgets as iw
>>> attribution = iw.explain_tabular(model, X)          # doctest: +SKIP
>>> iw.ForcePlot(attribution, instance=0)                # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "Attribution": "interpretwidgets.data",
    "AttentionMaps": "interpretwidgets.data",
    "AttributionData": "interpretwidgets.widgets._data",
    "LazyAttributionData": "interpretwidgets.widgets._data",
    "Selection": "interpretwidgets.widgets._selection",
    "explain_tabular": "interpretwidgets.kernels.tabular",
    "explain_text": "interpretwidgets.kernels.text",
    "explain_image": "interpretwidgets.kernels.image",
    "attention": "interpretwidgets.kernels.attention",
    "probe": "interpretwidgets.kernels.probing",
    "completeness_gap": "interpretwidgets.kernels.honesty",
    "method_agreement": "interpretwidgets.kernels.honesty",
    "faithfulness_curves": "interpretwidgets.kernels.honesty",
    "randomization_check": "interpretwidgets.kernels.honesty",
    "ProbeResult": "interpretwidgets.kernels.probing",
    "ForcePlot": "interpretwidgets.widgets.force",
    "Waterfall": "interpretwidgets.widgets.waterfall",
    "Beeswarm": "interpretwidgets.widgets.beeswarm",
    "StackedForce": "interpretwidgets.widgets.stacked",
    "DependencePlot": "interpretwidgets.widgets.dependence",
    "TabularExplorer": "interpretwidgets.widgets.explorers",
    "AttentionData": "interpretwidgets.widgets._attention_data",
    "AttentionView": "interpretwidgets.widgets.attention",
    "AttentionGrid": "interpretwidgets.widgets.attention",
    "TokenHeatmap": "interpretwidgets.widgets.tokens",
    "TextList": "interpretwidgets.widgets.texts",
    "TextExplorer": "interpretwidgets.widgets.text_explorer",
    "ImageData": "interpretwidgets.widgets._image_data",
    "ImageView": "interpretwidgets.widgets.image",
    "ImageComparison": "interpretwidgets.widgets.image",
    "ImageStrip": "interpretwidgets.widgets.image",
    "ImageExplorer": "interpretwidgets.widgets.image_explorer",
    "ProbeView": "interpretwidgets.widgets.probe",
}

__all__ = [
    "AttentionData",
    "AttentionGrid",
    "AttentionMaps",
    "AttentionView",
    "Attribution",
    "AttributionData",
    "Beeswarm",
    "DependencePlot",
    "ForcePlot",
    "ImageComparison",
    "ImageData",
    "ImageExplorer",
    "ImageStrip",
    "ImageView",
    "LazyAttributionData",
    "ProbeResult",
    "ProbeView",
    "Selection",
    "StackedForce",
    "TabularExplorer",
    "TextExplorer",
    "TextList",
    "TokenHeatmap",
    "Waterfall",
    "attention",
    "completeness_gap",
    "explain_image",
    "explain_tabular",
    "explain_text",
    "faithfulness_curves",
    "method_agreement",
    "probe",
    "randomization_check",
]

if TYPE_CHECKING:
    from .data import AttentionMaps, Attribution
    from .kernels.attention import attention
    from .kernels.honesty import completeness_gap, faithfulness_curves, method_agreement, randomization_check
    from .kernels.image import explain_image
    from .kernels.probing import ProbeResult, probe
    from .kernels.tabular import explain_tabular
    from .kernels.text import explain_text
    from .widgets._attention_data import AttentionData
    from .widgets._data import AttributionData, LazyAttributionData
    from .widgets._image_data import ImageData
    from .widgets._selection import Selection
    from .widgets.attention import AttentionGrid, AttentionView
    from .widgets.beeswarm import Beeswarm
    from .widgets.dependence import DependencePlot
    from .widgets.explorers import TabularExplorer
    from .widgets.force import ForcePlot
    from .widgets.image import ImageComparison, ImageStrip, ImageView
    from .widgets.image_explorer import ImageExplorer
    from .widgets.probe import ProbeView
    from .widgets.stacked import StackedForce
    from .widgets.text_explorer import TextExplorer
    from .widgets.texts import TextList
    from .widgets.tokens import TokenHeatmap
    from .widgets.waterfall import Waterfall


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'interpretwidgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])

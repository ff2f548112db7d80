"""The data model: plain, validated containers that every kernel produces and every view consumes.

``attribution`` holds :class:`Attribution`, ``attention`` :class:`AttentionMaps`, ``interop`` reads and writes
other libraries' objects (shap, lime), and ``_checks`` the validators they share.
Nothing here imports a widget or a kernel.
"""

from ._checks import check_feature, check_index
from .attention import AttentionMaps
from .attribution import Attribution

__all__ = ["AttentionMaps", "Attribution", "check_feature", "check_index"]

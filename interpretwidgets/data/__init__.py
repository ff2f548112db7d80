"""The data model: plain, validated containers that every kernel produces and every view consumes.

``attribution`` holds :class:`Attribution`, ``interop`` reads and writes other libraries' objects (shap, lime), and
``_checks`` the validators they share. Nothing here imports a widget or a kernel.
"""

from ._checks import check_index
from .attribution import Attribution

__all__ = ["Attribution", "check_index"]

"""Whether a device's float32 matrix products are exact enough to build inputs from: the kernels that mix images
by a matrix product (LIME's perturbed images, GradientShap's path points) use one only where it rounds as float32
does, else a gather."""

from __future__ import annotations

import os
from typing import Any


def exact_products(device: Any) -> bool:
    """Whether float32 matrix products on ``device`` round as float32 does: on a CPU unless oneDNN was asked for
    bfloat16 or TF32 (``torch.set_float32_matmul_precision("medium")`` or ``"high"``,
    ``torch.backends.mkldnn.matmul.fp32_precision``, or ``ONEDNN_DEFAULT_FPMATH_MODE``); never assumed on a GPU,
    which may run them in TF32."""
    import torch

    if device.type != "cpu":
        return False
    for name in ("ONEDNN_DEFAULT_FPMATH_MODE", "DNNL_DEFAULT_FPMATH_MODE"):  # oneDNN's own, unseen by torch
        if os.environ.get(name, "STRICT").upper() != "STRICT":
            return False
    matmul = getattr(getattr(torch.backends, "mkldnn", None), "matmul", None)
    precision = getattr(matmul, "fp32_precision", None)  # torch >= 2.9; "none": nothing set, full float32
    if precision is not None:
        return precision in ("none", "ieee")
    try:
        return torch.get_float32_matmul_precision() == "highest"
    except RuntimeError:  # set through both the legacy and the new API: no single answer
        return False

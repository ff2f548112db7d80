"""Run a kernel over rows in chunks: a tqdm.auto bar advances, and Ctrl-C lands between chunks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Chunk = Callable[[np.ndarray], tuple[np.ndarray, ...]]


def run_in_chunks(
    compute: Chunk, X: np.ndarray, chunk_rows: int, label: str, progress: bool | None, unit: str = "row"
) -> list[Any]:
    """Call ``compute`` on consecutive row chunks of ``X`` and concatenate each returned array along axis 0.

    ``progress=None`` shows the bar only when there is more than one chunk; ``unit`` names what a row is ("text").
    """
    from tqdm.auto import tqdm

    starts = range(0, len(X), chunk_rows)
    show = len(starts) > 1 if progress is None else progress
    pieces: list[tuple[np.ndarray, ...]] = []
    with tqdm(total=len(X), desc=label, unit=unit, disable=not show) as bar:
        for start in starts:
            rows = X[start : start + chunk_rows]
            pieces.append(compute(rows))
            bar.update(len(rows))
    return [np.concatenate(parts) for parts in zip(*pieces, strict=True)]

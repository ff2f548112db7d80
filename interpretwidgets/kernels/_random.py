"""Deterministic sampling without side effects: seed the generators libraries draw from, then put them back."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np


@contextlib.contextmanager
def seeded(random_state: int | None) -> Iterator[None]:
    """Seed numpy's legacy global generator (shap and captum draw from it) and, when torch is loaded, torch's CPU
    generator; restore both afterwards so the caller's random streams are untouched. ``None`` does nothing."""
    if random_state is None:
        yield
        return
    torch = sys.modules.get("torch")
    state = np.random.get_state()  # noqa: NPY002 - the libraries use the legacy global generator
    with torch.random.fork_rng(devices=[]) if torch is not None else contextlib.nullcontext():
        np.random.seed(random_state)  # noqa: NPY002
        if torch is not None:
            _seed_torch(torch, random_state)
        try:
            yield
        finally:
            np.random.set_state(state)  # noqa: NPY002


def _seed_torch(torch: Any, random_state: int) -> None:
    """Seed torch as ``torch.manual_seed`` does. On a machine with no accelerator only the CPU generator: there
    ``torch.manual_seed`` queues a lazy seeding of each absent device, formatting the call stack for each (a fifth
    of a millisecond a call)."""
    accelerator = getattr(torch, "accelerator", None)  # torch >= 2.6: any device type, custom backends included
    if accelerator is not None:
        present = accelerator.is_available()
    else:
        mps = getattr(torch.backends, "mps", None)
        present = torch.cuda.is_available() or (mps is not None and mps.is_available())
    if present:
        torch.manual_seed(int(random_state))
    else:
        torch.random.default_generator.manual_seed(int(random_state))

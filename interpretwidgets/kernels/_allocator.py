"""Keep the C allocator from handing each pass's tensors back to the system, only to fault them in again."""

from __future__ import annotations

import functools
from typing import Any

#: glibc's ceiling for its dynamic mmap threshold on 64-bit systems (``DEFAULT_MMAP_THRESHOLD_MAX``, 32 MiB) less
#: 64 KiB, so that the block, with malloc's header and torch's alignment, stays under it
REUSED_BLOCK = 2**25 - 2**16


def reuse_freed_memory(device: Any) -> None:
    """Let the C allocator keep freed blocks of up to 32 MiB for reuse, when ``device`` is a CPU.

    glibc's malloc serves a block at least its mmap threshold (128 KiB at first) with a fresh ``mmap`` and unmaps
    it when freed, so a loop of forward and backward passes whose activations and input gradient are that large
    faults in every page of them again on every pass (measured on this project's VM: about 1 µs a 4 KiB page;
    GradientShap on 4 photos of 224 px, 50 samples, through a 2 M multiply-add CNN: 27,000 faults a call). Freeing
    a mapped block of at most 32 MiB raises the threshold to that block's size (glibc's dynamic threshold, which
    only rises), and the threshold for giving back the top of its heap to twice that. This allocates one block
    just under the ceiling and frees it without touching it, so it costs no page faults; from then on smaller
    blocks come from malloc's heap, whose pages the process keeps and reuses, as happens anyway once any tensor of
    that size has been freed.

    The change is process-wide and lasts as long as the process (a notebook's kernel): freed memory stays with the
    process for reuse rather than going back to the system at once. It does nothing where the threshold is fixed
    (``MALLOC_MMAP_THRESHOLD_``, ``GLIBC_TUNABLES``) or malloc is not glibc's, which only see one allocation. Only
    the first call in a process allocates the block (a second one would come from the heap and grow it by 32 MiB
    a call, measured with ``mallinfo2``).
    """
    if device.type == "cpu":
        _raise_threshold()


@functools.cache
def _raise_threshold() -> None:
    """The block allocated and freed, once a process."""
    import torch

    torch.empty(REUSED_BLOCK, dtype=torch.uint8)  # allocated and freed at once

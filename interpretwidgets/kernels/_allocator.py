"""Keep the C allocator from handing each pass's tensors back to the system, only to fault them in again."""

from __future__ import annotations

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
    a mapped block raises the threshold to that block's size (glibc's dynamic threshold, which only rises); this
    allocates one block just under the ceiling and frees it without touching it, so it costs no page faults and
    blocks smaller than it come from malloc's heap from then on, as they do once any larger tensor has been freed.
    Freed memory up to twice that size then stays with the process. Other allocators only see one allocation.
    """
    if device.type == "cpu":
        import torch

        torch.empty(REUSED_BLOCK, dtype=torch.uint8)  # allocated and freed at once

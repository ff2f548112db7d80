"""reuse_freed_memory: glibc's malloc maps a block at least its mmap threshold afresh (every page faulted in again)
and gives it back when freed; after reuse_freed_memory, blocks up to 32 MiB come from its heap, whose memory the
process keeps; and calling it again takes nothing from that heap. Run in a fresh process, whose thresholds no
earlier test has raised."""

from __future__ import annotations

import ctypes
import os
import pathlib
import platform
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

SCRIPT = """
import ctypes, torch
from interpretwidgets.kernels._allocator import reuse_freed_memory

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2

def mapped(megabytes):  # whether a tensor of that size gets a mapping of its own
    before = libc.mallinfo2().hblkhd
    tensor = torch.ones(megabytes * 2**18)
    own = libc.mallinfo2().hblkhd - before >= megabytes * 2**20
    del tensor
    return own

print(mapped(24), mapped(24), mapped(28))  # the second from the heap: the first raised the threshold to its size
reuse_freed_memory(torch.device("cpu"))
print(mapped(30), mapped(31))
heap = libc.mallinfo2().arena
reuse_freed_memory(torch.device("cpu"))  # again: no block from the heap, which would grow it by 32 MiB a call
print(libc.mallinfo2().arena - heap)
"""


def _has_mallinfo2() -> bool:
    return platform.system() == "Linux" and hasattr(ctypes.CDLL(None), "mallinfo2")  # glibc >= 2.33


@pytest.mark.skipif(not _has_mallinfo2(), reason="glibc's malloc (mallinfo2)")
def test_after_reuse_freed_memory_blocks_up_to_32_mib_come_from_the_heap():
    # glibc's thresholds fixed by the environment, torch's own huge-page allocations or another malloc would each
    # change what is measured
    fixed = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES", "THP_MEM_ALLOC_ENABLE", "LD_PRELOAD")
    environment = {name: value for name, value in os.environ.items() if name not in fixed}
    printed = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
        check=True,
    ).stdout  # fmt: skip
    assert printed.split() == ["True", "False", "True", "False", "False", "0"]

"""Every Python block in the README runs as written, in order, in one namespace (as a reader pastes them)."""

from __future__ import annotations

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_every_python_block_in_the_readme_runs():
    blocks = BLOCK.findall(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 3, "the README lost its examples"
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"README.md block {number}", "exec"), namespace)  # the README is ours
    explorer = namespace["explorer"]
    assert explorer.selection.instance == 42
    assert all(view.instance == 42 for view in (explorer.force, explorer.waterfall))

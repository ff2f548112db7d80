"""`import interpretwidgets` against `import shap`, each in fresh interpreters, side by side.

    .venv/bin/python -m tests.benchmarks.bench_import [--repeat 7]

Prints a table (work, ours, anchor, ratio) of median wall-clock seconds and writes it as JSON.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def import_seconds(module: str, repeat: int) -> float:
    runs = [
        float(subprocess.run([sys.executable, "-c", PROBE.format(module=module)], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(repeat)
    ]  # fmt: skip
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "benchmarks" / "results" / "import.json")
    args = parser.parse_args(argv)
    import_seconds("shap", 1)  # warm the file cache for both
    ours, anchor = import_seconds("interpretwidgets", args.repeat), import_seconds("shap", args.repeat)
    row = {"work": "import (median s, fresh interpreter)", "ours": ours, "anchor": anchor, "ratio": ours / anchor}
    print(f"{'work':<40} {'ours':>9} {'shap':>9} {'ratio':>9}")
    print(f"{row['work']:<40} {ours:>9.4f} {anchor:>9.4f} {row['ratio']:>9.4f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(row, indent=1))
    return row


if __name__ == "__main__":
    main()

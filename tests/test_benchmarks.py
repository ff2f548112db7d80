"""Benchmarks are scripts, not timed tests: run each once at a tiny size so they keep working."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.browser
def test_tabular_views_benchmark_runs_and_reports_ratios(tmp_path):
    # its own process: the benchmark drives its own Playwright, which cannot nest in this session's
    out = tmp_path / "tabular_views.json"
    command = [sys.executable, "-m", "tests.benchmarks.bench_tabular_views", "--rows", "200", "--features", "6",
               "--timeout", "180", "--out", str(out)]  # fmt: skip
    printed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=True).stdout
    rows = json.loads(out.read_text())["table"]
    assert len(rows) == 6 and "ratio" in printed
    for row in rows:
        assert row["ours"] is not None and row["ours"] > 0, row
        if row["anchor"] is not None:
            assert row["ratio"] == pytest.approx(row["ours"] / row["anchor"])
    assert rows[0]["work"] == "Beeswarm first paint (s) vs shap.plots.beeswarm to PNG"


def test_import_benchmark_runs(tmp_path):
    from tests.benchmarks.bench_import import main

    row = main(["--repeat", "1", "--out", str(tmp_path / "import.json")])
    assert row["ours"] > 0 and row["anchor"] > 0 and row["ratio"] == pytest.approx(row["ours"] / row["anchor"])

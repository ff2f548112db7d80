"""Benchmarks are scripts, not timed tests: run each once at a tiny size so they keep working."""

from __future__ import annotations

import json

import pytest


@pytest.mark.browser
def test_tabular_views_benchmark_runs_and_reports_ratios(tmp_path):
    from tests.benchmarks.bench_tabular_views import main

    out = tmp_path / "tabular_views.json"
    rows = main(["--rows", "200", "--features", "6", "--timeout", "180", "--out", str(out)])
    saved = json.loads(out.read_text())
    assert saved["table"] == rows and len(rows) == 6
    for row in rows:
        assert row["ours"] is not None and row["ours"] > 0, row
        if row["anchor"] is not None:
            assert row["ratio"] == pytest.approx(row["ours"] / row["anchor"])
    assert {r["work"].split(",")[0] for r in rows} >= {"Beeswarm first paint (s) vs shap.plots.beeswarm to PNG"}


def test_import_benchmark_runs(tmp_path):
    from tests.benchmarks.bench_import import main

    row = main(["--repeat", "1", "--out", str(tmp_path / "import.json")])
    assert row["ours"] > 0 and row["anchor"] > 0 and row["ratio"] == pytest.approx(row["ours"] / row["anchor"])

"""Benchmarks are scripts, not timed tests: run each once at a tiny size so they keep working."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BASELINE_REF = "22f0c23"  # tests.benchmarks.bench_explorer.BASELINE_REF, without importing Playwright here


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


@pytest.mark.browser
def test_explorer_benchmark_runs_beside_main_and_reports_ratios(tmp_path):
    # main before the rebuild is checked out in a worktree when this clone has it (a shallow clone may not)
    has_baseline = subprocess.run(["git", "cat-file", "-e", f"{BASELINE_REF}^{{commit}}"], cwd=ROOT).returncode == 0
    out = tmp_path / "explorer.json"
    baseline = BASELINE_REF if has_baseline else "none"
    command = [sys.executable, "-m", "tests.benchmarks.bench_explorer", "--rows", "300", "--features", "6",
               "--timeout", "180", "--out", str(out), "--baseline-ref", baseline]  # fmt: skip
    printed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=True).stdout
    result = json.loads(out.read_text())
    ours = next(r for r in result["results"] if r["version"] == "ours")
    assert "ratio" in printed and ours["click_updates"] == 1 and ours["first_paint_s"] > 0
    assert ours["display_bytes"] > ours["one_copy_bytes"]  # the arrays, once, and the views' code
    for row in result["table"]:
        if row["ours"] is not None and row["anchor"]:
            assert row["ratio"] == pytest.approx(row["ours"] / row["anchor"])
    if has_baseline:
        main = next(r for r in result["results"] if r["version"] == "main")
        assert "baseline" in main["source"] and main["click_updates"] > 1


def test_import_benchmark_runs(tmp_path):
    from tests.benchmarks.bench_import import main

    row = main(["--repeat", "1", "--out", str(tmp_path / "import.json")])
    assert row["ours"] > 0 and row["anchor"] > 0 and row["ratio"] == pytest.approx(row["ours"] / row["anchor"])


@pytest.mark.browser
def test_label_measurement_runs_and_reports(tmp_path):
    out = tmp_path / "labels.json"
    command = [sys.executable, "-m", "tests.benchmarks.measure_labels", "--instances", "2", "--baseline-ref", "none",
               "--out", str(out)]  # fmt: skip
    printed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=True).stdout
    result = json.loads(out.read_text())
    assert "labelled segments per plot" in printed and len(result["table"]) == 9
    labelled = [row["ours"] for row in result["table"] if row["work"].startswith("labelled")]
    assert all(n >= 3 for n in labelled), labelled


def test_flow_benchmark_runs_and_agrees_with_networkx(tmp_path):
    from tests.benchmarks.bench_flow import main

    report = main(["--tokens", "5", "--layers", "2", "--heads", "2", "--pairs", "0", "--out", str(tmp_path / "f.json")])
    rows = report["table"]
    assert rows[0]["note"] == "measured on every pair" and report["results"]["networkx_pairs"] == 50
    assert rows[0]["ratio"] == pytest.approx(rows[0]["ours"] / rows[0]["anchor"])
    assert report["results"]["max_abs_difference"] < 1e-6


@pytest.mark.browser
def test_attention_benchmark_runs_and_reports_ratios(tmp_path):
    # its own process, like the others; BertViz and CircuitsVis kept at this tiny size (they take well under a second)
    out = tmp_path / "attention.json"
    command = [sys.executable, "-m", "tests.benchmarks.bench_attention", "--tokens", "16", "--synthetic-tokens", "64",
               "--synthetic-layers", "2", "--synthetic-heads", "2", "--switches", "3", "--timeout", "120",
               "--out", str(out)]  # fmt: skip
    printed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=True).stdout
    report = json.loads(out.read_text())
    rows, result = report["table"], report["results"][0]
    assert "ratio" in printed and len(rows) == 20
    for row in rows:
        # the longest task is 0 when no task reached 50 ms (the Long Tasks API's threshold), as at this size
        assert row["ours"] is not None and (row["ours"] >= 0 if "longest" in row["work"] else row["ours"] > 0), row
        if row["anchor"] is not None:
            assert row["anchor"] > 0 and row["ratio"] == pytest.approx(row["ours"] / row["anchor"]), row
    assert sum(row["anchor"] is not None for row in rows) == 6  # bytes and Python time against both anchors
    ours = result["ours"]
    assert ours["tokens"] == 16 and ours["prefetched_tiles"] == 11  # MiniLM: the layer's 11 other heads
    assert ours["settled_bytes"] > ours["first_paint_bytes"] > ours["widget_open_bytes"] > 0
    assert ours["head_switch_timeouts"] == 0 and ours["head_switch_tile_requests"] == 0  # prefetched: no round trip
    synthetic = result["synthetic"]
    assert (synthetic["tokens"], synthetic["layers"], synthetic["heads"]) == (64, 2, 2)
    assert synthetic["switch_timeouts"] == 0 and synthetic["heap_after_gc_mb"] > 0


def test_image_benchmark_runs_and_its_lime_gives_lime_s_explanation(tmp_path):
    from tests.benchmarks.bench_image import main

    report = main(["--quick", "--out", str(tmp_path / "image.json")])
    rows, results = report["table"], report["results"]
    assert len(rows) == 8 and rows[0]["work"] == "LIME 100 samples, digits CNN (s)"
    for row in rows:
        assert row["ours"] > 0 and row["anchor"] > 0 and row["ratio"] == pytest.approx(row["ours"] / row["anchor"])
    for lime in results[:2]:  # the digits CNN and the photo: lime's segments and weights
        assert lime["same_segments"] and lime["same_ranking"] and lime["max_abs_weight_difference"] < 1e-4
    for gradient in results[2:5]:  # the anchors: n_steps (n_samples) passes of the model, timed as one loop
        for method in ("integrated_gradients", "gradient_shap"):
            assert gradient[f"{method}_anchor_s"] >= 4 * gradient["forward_backward_s"] > 0
    assert all("4 consecutive forward+backward passes" in row["note"] for row in rows[2:])

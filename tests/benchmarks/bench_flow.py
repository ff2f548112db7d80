"""Exact attention flow: ``AttentionMaps.flow`` (scipy's Dinic on integer capacities) against networkx's
``maximum_flow_value`` per pair on the same layered graph, as Abnar & Zuidema's code computes it.

    .venv/bin/python -m tests.benchmarks.bench_flow --tokens 64 --layers 6 --pairs 300

networkx at full size takes hours, so it is timed on ``--pairs`` pairs sampled evenly across the layers (each layer's
graph is as deep as that layer) and extrapolated per layer to all ``layers × tokens²`` pairs; the table says so.
``--pairs 0`` times every pair. The values are checked on the pairs networkx solved (max abs difference printed).
Prints a table (work, ours, anchor, ratio = ours / anchor) and writes it as JSON. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from typing import Any

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks._common import write_report  # noqa: E402


def random_maps(tokens: int, layers: int, heads: int, seed: int) -> Any:
    """Peaked softmax attention, like a trained model's, over ``tokens`` tokens."""
    import interpretwidgets as iw

    scores = 3 * np.random.default_rng(seed).normal(size=(layers, heads, tokens, tokens))
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return iw.AttentionMaps(weights / weights.sum(axis=-1, keepdims=True), [f"t{i}" for i in range(tokens)])


def networkx_graph(steps: np.ndarray) -> Any:
    """The layered graph through ``steps`` with float capacities: node (layer, token)."""
    import networkx as nx

    graph = nx.DiGraph()
    n_layers, n, _ = steps.shape
    for layer in range(n_layers):
        for i in range(n):
            for j in range(n):
                graph.add_edge((layer, j), (layer + 1, i), capacity=float(steps[layer, i, j]))
    return graph


def sample_pairs(layers: int, tokens: int, pairs: int, seed: int) -> list[tuple[int, int, int]]:
    """(layer, query, key) triples: every one when ``pairs`` is 0 or covers them, else about pairs/layers a layer."""
    every = [(layer, i, j) for layer in range(layers) for i in range(tokens) for j in range(tokens)]
    if pairs <= 0 or pairs >= len(every):
        return every
    rng = np.random.default_rng(seed)
    per_layer = max(1, pairs // layers)
    chosen = []
    for layer in range(layers):
        picks = rng.choice(tokens * tokens, size=min(per_layer, tokens * tokens), replace=False)
        chosen += [(layer, int(p) // tokens, int(p) % tokens) for p in picks]
    return chosen


def time_networkx(steps: np.ndarray, sample: list[tuple[int, int, int]]) -> tuple[dict[int, float], dict, float]:
    """Mean seconds per pair at each layer, the values, and the graph-building time (once per layer)."""
    import networkx as nx

    n_layers = steps.shape[0]
    per_layer: dict[int, list[float]] = {layer: [] for layer in range(n_layers)}
    values: dict[tuple[int, int, int], float] = {}
    start = time.perf_counter()
    graphs = {layer: networkx_graph(steps[: layer + 1]) for layer in {p[0] for p in sample}}
    build = time.perf_counter() - start
    for layer, i, j in sample:
        start = time.perf_counter()
        values[(layer, i, j)] = nx.maximum_flow_value(graphs[layer], (0, j), (layer + 1, i))
        per_layer[layer].append(time.perf_counter() - start)
    return {layer: float(np.mean(t)) for layer, t in per_layer.items() if t}, values, build


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--pairs", type=int, default=300, help="networkx pairs to time (0: every pair)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "benchmarks" / "results" / "flow.json")
    args = parser.parse_args(argv)
    n, n_layers = args.tokens, args.layers
    maps = random_maps(n, n_layers, args.heads, args.seed)

    start = time.perf_counter()
    ours = maps.flow(progress=False)
    ours_all = time.perf_counter() - start
    start = time.perf_counter()
    maps.flow(layers=[n_layers - 1], queries=[0], progress=False)
    ours_one = time.perf_counter() - start

    sample = sample_pairs(n_layers, n, args.pairs, args.seed)
    per_pair, values, build = time_networkx(maps._residual_steps("mean", 0.5), sample)
    exhaustive = len(sample) == n_layers * n * n
    anchor_all = build + sum(per_pair[layer] * n * n for layer in range(n_layers))
    anchor_one = per_pair[n_layers - 1] * n
    difference = max(abs(ours[layer, i, j] - v) for (layer, i, j), v in values.items())
    note = "measured on every pair" if exhaustive else f"extrapolated from {len(sample)} sampled pairs"
    size = f"{n}×{n_layers}"
    rows = [
        {"size": size, "work": f"flow, all {n_layers * n * n:,} pairs (s)", "ours": ours_all, "anchor": anchor_all,
         "ratio": ours_all / anchor_all, "note": note},
        {"size": size, "work": f"flow, last layer, one query: {n} pairs (s)", "ours": ours_one,
         "anchor": anchor_one, "ratio": ours_one / anchor_one, "note": note},
        {"size": size, "work": "max |ours - networkx| on the pairs networkx solved", "ours": difference,
         "anchor": None, "ratio": None, "note": f"{len(values)} pairs; bound {n_layers * n * n / 2**29:.1e}"},
    ]  # fmt: skip
    results = {"tokens": n, "layers": n_layers, "heads": args.heads, "networkx_pairs": len(sample),
               "networkx_graph_build_s": build, "networkx_s_per_pair_by_layer": per_pair,
               "max_abs_difference": difference}  # fmt: skip
    write_report(args.out, [results], rows, "networkx")
    return {"results": results, "table": rows}


if __name__ == "__main__":
    main()

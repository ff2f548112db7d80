"""ProbeView in Python: what the figure plots is the ProbeResult's, layers map to the selection's, and bad input
is refused before anything is drawn."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import interpretwidgets as iw


@pytest.fixture(scope="module")
def result():
    """A real probe of a small MLP: block.1 carries the label, block.0 noise."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((120, 6)).astype(np.float32)
    labels = (x[:, 0] > 0).astype(int)
    model = torch.nn.Sequential()
    model.add_module("embed", torch.nn.Linear(6, 6))
    model.add_module("block", torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.Linear(4, 2)))
    return iw.probe(model, x, labels, layers=["embed", "block.0", "block.1"], cv=3)


def test_the_figure_plots_the_results_numbers(result):
    view = iw.ProbeView(result)
    marks = view._figure.marks
    probe = next(m for m in marks if list(m.labels) == ["probe"])
    np.testing.assert_allclose(probe.y, result.accuracy)
    control = next(m for m in marks if list(m.labels) == ["control task"])
    np.testing.assert_allclose(control.y, result.control_accuracy)
    bars = marks[0]
    np.testing.assert_allclose(bars.y[:, 1] - bars.y[:, 0], np.minimum(result.accuracy + result.accuracy_std, 1)
                               - np.maximum(result.accuracy - result.accuracy_std, 0))  # fmt: skip
    chance = next(m for m in marks if list(m.labels) == ["chance"])
    np.testing.assert_allclose(chance.y, [result.chance, result.chance])
    rows = view._link.layers
    assert [r["name"] for r in rows] == ["embed", "block.0", "block.1"]
    assert [r["target"] for r in rows] == [-1, 0, 1]  # a trailing number is the selection's layer
    assert rows[2]["selectivity"] == pytest.approx(result.selectivity[2])
    assert view._figure.axes[0].tick_labels == {0: "embed", 1: "0", 2: "1"}


def test_a_shared_selection_is_bounded_and_followed(result):
    selection = iw.Selection()
    view = iw.ProbeView(result, selection=selection, layer=1)
    assert selection.layer == 1 and view.layer == 1
    with pytest.raises(ValueError, match=r"layer must be in 0..1; received 2"):
        selection.layer = 2
    selection.layer = 0
    assert view.layer == 0
    mapped = iw.ProbeView(result, layer_map={"embed": 0, "block.1": 5})
    assert [r["target"] for r in mapped._link.layers] == [0, -1, 5]


def test_bad_input_is_refused(result):
    with pytest.raises(TypeError, match="ProbeView expected a ProbeResult"):
        iw.ProbeView({"accuracy": [0.5]})
    with pytest.raises(ValueError, match=r"layer_map names layers that were not probed: \['nope'\]"):
        iw.ProbeView(result, layer_map={"nope": 1})
    with pytest.raises(TypeError, match="selection must be an interpretwidgets Selection"):
        iw.ProbeView(result, selection="layer 1")

"""ForcePlot traits, state and bad input, without a browser."""

from __future__ import annotations

import numpy as np
import pytest

import interpretwidgets as iw
from interpretwidgets._transfer import decode


def test_state_references_the_data_widget_whose_arrays_are_binary(cancer_attribution):
    plot = iw.ForcePlot(cancer_attribution, instance=2, output=1)
    state = plot.get_state()
    assert state["data"] == f"IPY_MODEL_{plot.data.model_id}" and "values" not in state
    assert state["instance"] == 2 and state["output"] == 1 and state["selection"] is None
    data = plot.data.get_state()
    assert data["values"]["dtype"] == "float32"
    assert isinstance(data["values"]["buffer"], memoryview)
    assert data["values"]["shape"] == [60, 30, 2]
    np.testing.assert_allclose(decode(data["values"]), cancer_attribution.values, atol=1e-6)
    assert data["feature_names"][0] == "mean radius"
    assert data["output_space"] == "probability" and data["kind"] == "full"
    assert plot._esm.strip().startswith(("var", "function", "const", "let", "import", "(", "//", "/*"))


def test_repr_is_cheap_and_does_not_dump_arrays(cancer_attribution):
    text = repr(iw.ForcePlot(cancer_attribution))
    assert len(text) < 300 and "instance=0" in text and "0.0" not in text.split("Attribution")[0]


def test_python_changes_are_validated_and_rolled_back(cancer_attribution):
    plot = iw.ForcePlot(cancer_attribution)
    plot.instance = 59
    with pytest.raises(ValueError, match=r"instance must be in 0\.\.59; received 60"):
        plot.instance = 60
    assert plot.instance == 59
    with pytest.raises(ValueError, match=r"output must be in 0\.\.1; received 2"):
        plot.output = 2


def test_bad_value_from_the_browser_becomes_the_error_trait(cancer_attribution):
    plot = iw.ForcePlot(cancer_attribution)
    plot.set_state({"instance": 1000})  # what the comm handler calls for a browser message
    assert plot.instance == 0
    assert "instance must be in 0..59; received 1000" in plot.error
    plot.set_state({"instance": 4})
    assert plot.instance == 4 and plot.error == ""


def test_new_attribution_points_the_view_at_its_data_and_clamps_the_selection(cancer_attribution, forest, cancer):
    plot = iw.ForcePlot(cancer_attribution, instance=50)
    first = plot.data
    smaller = iw.explain_tabular(forest, cancer.data.iloc[:10])
    sent = record_messages(plot)
    plot.attribution = smaller
    assert plot.instance == 9 and plot.attribution is smaller and plot.data is not first
    assert plot.data.get_state()["values"]["shape"] == [10, 30, 2]
    assert first.attribution is cancer_attribution  # the other views of the first data are untouched
    assert len(sent) == 1 and set(sent[0]) >= {"data", "instance"}  # one message: the view redraws once


def record_messages(widget):
    """The state updates a widget sends to the browser (what ipywidgets would put on the comm)."""
    sent = []
    original = widget._send

    def send(msg, buffers=None):
        if msg.get("method") == "update":
            sent.append(msg["state"])
        return original(msg, buffers)

    widget._send = send
    return sent


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((np.zeros((2, 3, 1)),), {}, TypeError, "expected an interpretwidgets.Attribution .*; received ndarray"),
        ((), {"instance": 60}, ValueError, r"instance must be in 0\.\.59; received 60"),
        ((), {"output": 5}, ValueError, r"output must be in 0\.\.1; received 5"),
        ((), {"instance": "3"}, TypeError, "instance must be an int; received str"),
        ((), {"colour": "red"}, TypeError, "unexpected keyword argument.*colour.*valid keywords are:.*instance"),
    ],
)
def test_bad_input(cancer_attribution, args, kwargs, error, message):
    with pytest.raises(error, match=message):
        iw.ForcePlot(*(args or (cancer_attribution,)), **kwargs)


def test_image_attribution_is_refused_with_a_pointer():
    image = iw.Attribution(np.zeros((1, 4, 4, 1)), np.zeros((1, 1)))
    with pytest.raises(ValueError, match=r"\(n_instances, n_features, n_outputs\)"):
        iw.ForcePlot(image)

"""The tabular explorer's honesty panel in a real JupyterLab: closed, it asks Python for nothing; opened, it shows
the methods' agreement and the deletion/insertion curves of the selected instance, and follows the selection."""

from __future__ import annotations

import pytest

from .harness import NotebookPage, write_notebook

SETUP = """
import json
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
import interpretwidgets as iw

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X, y = X.iloc[:60], y.iloc[:60]
model = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
explorer = iw.TabularExplorer(model, X, y, class_names=["malignant", "benign"])
explorer
"""

READ = """answered = explorer.honesty.data.requests.answered  # read before the line below computes anything
s = explorer.selection
print(json.dumps({"answered": answered, "auc": float(explorer.honesty.data.curves("tree", s.instance, s.output)
                                                     .deletion_auc[0])}))"""


def test_a_closed_panel_computes_nothing_and_an_open_one_follows_the_selection(jupyter, page):
    name = write_notebook(jupyter.root, "tabular-honesty.ipynb", [SETUP, READ])
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0, timeout=240_000)
    page.wait_for_selector(".iw-force")
    page.wait_for_timeout(1000)
    nb.run_cell(1)
    assert nb.output_json(1)["answered"] == 0  # closed: the panel's view has no width and asks for nothing
    page.get_by_text("How far to trust this picture").click()
    page.wait_for_function(
        "() => { const p = document.querySelector('.iw-honesty'); return p && p.dataset.deletionAuc"
        " && !p.classList.contains('iw-waiting'); }",
        timeout=120_000,
    )
    assert page.locator(".iw-honesty .iw-agreement-table tr").count() == 3  # tree and LIME
    shown = float(page.locator(".iw-honesty").get_attribute("data-deletion-auc"))
    nb.run_cell(1)
    state = nb.output_json(1)
    assert state["answered"] >= 2 and abs(shown - state["auc"]) < 1e-4
    # another instance: the panel follows, its curves are that instance's (none of the previous one stays)
    page.locator(".iw-controlbar .iw-next").click()
    page.wait_for_function(
        "() => { const p = document.querySelector('.iw-honesty'); return p.dataset.instance === '1'"
        " && p.dataset.deletionAuc && !p.classList.contains('iw-waiting'); }",
        timeout=60_000,
    )
    nb.run_cell(1)
    assert nb.output_json(1)["auc"] == pytest.approx(
        float(page.locator(".iw-honesty").get_attribute("data-deletion-auc")), abs=1e-4
    )
    assert page.locator(".iw-error:not([hidden])").count() == 0
    # the curves are drawn in the panel's bqplot figure, shown once the accordion opened
    page.wait_for_function(
        "() => [...document.querySelectorAll('.iw-honesty ~ * path.line, .bqplot path.line')]"
        ".filter(p => (p.getAttribute('d') || '').length > 100).length >= 4",
        timeout=30_000,
    )
    page.locator(".iw-honesty").scroll_into_view_if_needed()
    nb.screenshot("tabular-honesty")

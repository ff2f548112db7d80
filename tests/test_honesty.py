"""kernels/honesty: the completeness gap, agreement between methods, deletion/insertion curves, captum's metrics and
the model-randomisation check — each by hand or against the library called directly, with the model given back as
lent and bad input refused before any work. Models: the known-truth tasks' (tests/test_known_truth.py), a small
random BERT (tests/test_text_methods.py) and the breast-cancer forest (conftest)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

import interpretwidgets as iw
from interpretwidgets.kernels.honesty import (
    completeness_gap,
    faithfulness_curves,
    infidelity,
    method_agreement,
    model_outputs,
    randomization_check,
    rank_agreement,
    sensitivity,
)
from tests.image_models import one_thread
from tests.test_known_truth import grid_segments, patch_task, tabular_task
from tests.test_text_methods import bert, bert_tokenizer, bpe_tokenizer, gpt2  # noqa: F401 - fixtures reused


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    with one_thread():  # tiny models on a shared 2-core machine: torch's threads only wait on each other
        yield


@pytest.fixture(scope="module")
def patch():
    model, images, where = patch_task()
    return model, images[:4], where[:4]


@pytest.fixture(scope="module")
def patch_ig(patch):
    model, images, _ = patch
    return iw.explain_image(model, images, "integrated_gradients", target=1, n_steps=16)


@pytest.fixture(scope="module")
def patch_lime(patch):
    model, images, _ = patch
    return iw.explain_image(model, images, "lime", target=1, segmentation=grid_segments, n_samples=200, progress=False)


@pytest.fixture(scope="module")
def tabular():
    _, background, explained, _, mlp = tabular_task()
    return mlp, explained[:6], background


# -- completeness ------------------------------------------------------------------------------------------------


def test_completeness_gap_by_hand():
    values = np.array([[[1.0, 0.5], [2.0, -0.5]], [[0.0, 1.0], [-1.0, 0.0]]])  # (2 instances, 2 features, 2 outputs)
    a = iw.Attribution(values, np.array([[0.5, 0.0], [1.0, 1.0]]))
    outputs = np.array([[3.0, 1.0], [0.0, 2.0]])
    gap = completeness_gap(a, outputs)
    np.testing.assert_allclose(gap.totals, [[3.0, 0.0], [-1.0, 1.0]])
    np.testing.assert_allclose(gap.gap, [[0.5, -1.0], [0.0, 0.0]])  # Σ values + base − f(x)
    np.testing.assert_allclose(gap.relative, [[0.5 / 2.5, 1.0], [0.0, 0.0]])  # |gap| / |f(x) − base|
    np.testing.assert_array_equal(gap.outputs, outputs)
    flat = completeness_gap(iw.Attribution(values[..., :1], np.array([0.5])), np.array([3.5, 0.5]))
    np.testing.assert_allclose(flat.gap, [[0.0], [-1.0]])
    assert np.isnan(flat.relative[1, 0])  # f(x) = base: nothing to explain, the relative gap is undefined


def test_completeness_gap_counts_each_superpixel_once():
    segments = np.array([[[0, 0, 1], [0, 2, 1]]])  # 3 segments over a 2×3 image, of 3, 2 and 1 pixels
    weights = np.array([0.5, -1.0, 2.0])
    a = iw.Attribution(weights[segments][..., None], np.array([1.0]), segments=segments)
    gap = completeness_gap(a, [[2.5]])
    assert gap.totals[0, 0] == pytest.approx(1.5) and gap.gap[0, 0] == pytest.approx(0.0)


def test_completeness_gap_equals_each_kernels_own_delta(tabular, patch, patch_ig, patch_lime, forest, cancer):
    mlp, rows, _ = tabular
    ig = iw.explain_tabular(mlp, rows, "integrated_gradients", n_samples=8)
    gap = completeness_gap(ig, model_outputs(mlp, rows, ig))
    np.testing.assert_allclose(gap.gap, ig.convergence_delta, atol=1e-5)
    shap_like = iw.explain_tabular(mlp, rows, "gradient_shap", n_samples=4, random_state=0)
    sampled = completeness_gap(shap_like, model_outputs(mlp, rows, shap_like))
    np.testing.assert_allclose(sampled.gap, shap_like.convergence_delta, atol=1e-5)
    assert np.nanmax(sampled.relative) > 1e-3  # complete in expectation only: 4 samples leave a gap to show
    tree = iw.explain_tabular(forest, cancer.data.iloc[:5])
    outputs = model_outputs(forest, cancer.data.iloc[:5], tree)
    np.testing.assert_allclose(outputs, forest.predict_proba(cancer.data.iloc[:5]))
    assert np.abs(completeness_gap(tree, outputs).gap).max() < 1e-6  # TreeSHAP adds up exactly
    model, images, _ = patch
    for a in (patch_ig, patch_lime):  # image outputs: "class 1" is the model's column 1
        image_gap = completeness_gap(a, model_outputs(model, images, a))
        np.testing.assert_allclose(image_gap.gap, a.convergence_delta, atol=1e-5)


def test_model_outputs_of_texts_and_of_reordered_classes(bert, bert_tokenizer, patch):  # noqa: F811
    texts = ["the movie was very good", "a cat"]
    a = iw.explain_text(bert, bert_tokenizer, texts, target="present", n_samples=8)
    outputs = model_outputs(bert, texts, a, tokenizer=bert_tokenizer)
    with torch.no_grad():
        logits = [bert(**bert_tokenizer(t, return_tensors="pt")).logits[0, 1].item() for t in texts]
    np.testing.assert_allclose(outputs[:, 0], logits, atol=1e-5)
    np.testing.assert_allclose(completeness_gap(a, outputs).gap, a.convergence_delta, atol=1e-5)
    np.testing.assert_allclose(model_outputs(bert, texts, tokenizer=bert_tokenizer)[:, 1], logits, atol=1e-5)
    model, images, _ = patch
    both = iw.explain_image(model, images, "saliency", target=[1, 0])
    with torch.no_grad():
        scores = model(torch.from_numpy(images)).double().numpy()
    np.testing.assert_allclose(model_outputs(model, images, both), scores[:, [1, 0]], rtol=1e-6)
    np.testing.assert_allclose(model_outputs(model, images), scores, rtol=1e-6)
    named = iw.explain_image(model, images, "saliency", target=[1], output_names=["no patch", "patch"])
    with pytest.raises(ValueError, match=r"explains 1 output\(s\) \['patch'\] of a model with 2; pass target="):
        model_outputs(model, images, named)
    np.testing.assert_allclose(model_outputs(model, images, named, target=[1])[:, 0], scores[:, 1], rtol=1e-6)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda a: completeness_gap(a.values, np.zeros((2, 1))), TypeError, "must be an interpretwidgets Attribution"),
        (lambda a: completeness_gap(a, np.zeros((3, 1))), ValueError, r"shape \(n_instances, n_outputs\) = \(2, 1\)"),
        (lambda a: completeness_gap(a, [[np.nan], [0.0]]), ValueError, "outputs must be finite"),
        (lambda a: completeness_gap(a, [["a"], ["b"]]), TypeError, "outputs"),
    ],
    ids=["not an attribution", "wrong shape", "NaN", "not numeric"],
)
def test_completeness_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call(iw.Attribution(np.ones((2, 3, 1)), np.zeros(1)))


# -- agreement ----------------------------------------------------------------------------------------------------


def test_rank_agreement_gives_kendall_as_scipy_does_with_ties():
    from scipy.stats import kendalltau, spearmanr

    rng = np.random.default_rng(0)
    maps = [rng.standard_normal((6, 7)), np.repeat(rng.standard_normal((6, 1)), 7, axis=1), rng.standard_normal(42)]
    maps[2] = maps[2].reshape(6, 7)
    agreement = rank_agreement(maps, top_fraction=0.2)
    for i in range(3):
        for j in range(3):
            a, b = np.abs(maps[i]).ravel(), np.abs(maps[j]).ravel()
            np.testing.assert_allclose(agreement.kendall[i, j], kendalltau(a, b).statistic, atol=1e-12)
            np.testing.assert_allclose(agreement.spearman[i, j], spearmanr(a, b).statistic, atol=1e-12)
    assert agreement.top_fraction == 0.2 and agreement.top_overlap.shape == (3, 3) and agreement.names == ()
    constant = rank_agreement([maps[0], np.ones((6, 7))])
    assert np.isnan(constant.kendall[0, 1]) and np.isnan(constant.kendall[1, 1])
    big = rank_agreement([rng.standard_normal(50_000), rng.standard_normal(50_000)])  # kendalltau is O(n log n)
    assert abs(big.kendall[0, 1]) < 0.02


def test_method_agreement_compares_pixels_tokens_and_features(patch, patch_ig, patch_lime, bert, bert_tokenizer):  # noqa: F811
    model, images, _ = patch
    cam = iw.explain_image(model, images, "gradcam", target=1)
    agreement = method_agreement({"ig": patch_ig, "gradcam": cam, "lime": patch_lime}, instance=2, output="class 1")
    maps = [patch_ig.values[2, ..., 0].sum(axis=0), cam.values[2, ..., 0], patch_lime.values[2, ..., 0]]
    expected = rank_agreement(maps)
    assert agreement.names == ("ig", "gradcam", "lime")
    for field in ("spearman", "kendall", "top_overlap"):
        np.testing.assert_array_equal(getattr(agreement, field), getattr(expected, field))
    texts = ["a cat", "the movie was very good"]
    ig = iw.explain_text(bert, bert_tokenizer, texts, n_samples=8)
    gxi = iw.explain_text(bert, bert_tokenizer, texts, method="gradient_x_input")
    short = method_agreement({"ig": ig, "gxi": gxi}, instance=0, output=1)
    by_hand = rank_agreement([ig.values[0, :4, 1], gxi.values[0, :4, 1]])  # 4 tokens, not the 7 of the padding
    np.testing.assert_array_equal(short.spearman, by_hand.spearman)
    with pytest.raises(ValueError, match="different tokens"):
        method_agreement({"a": ig, "b": iw.explain_text(bert, bert_tokenizer, ["a dog", "the movie was very bad"],
                                                        method="gradient_x_input")})  # fmt: skip
    merged = iw.explain_text(bert, bert_tokenizer, ["the cats", "good"], method="gradient_x_input", merge_subwords=True)
    pieces = iw.explain_text(bert, bert_tokenizer, ["the cats", "good"], method="gradient_x_input")
    with pytest.raises(ValueError, match=r"same size for instance 0; received \{'words': 4, 'pieces': 5\}"):
        method_agreement({"words": merged, "pieces": pieces})


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda a: method_agreement([a]), TypeError, "must be a mapping of method names to Attributions"),
        (lambda a: method_agreement({}), ValueError, "at least one method"),
        (lambda a: method_agreement({"x": a.values}), TypeError, r"attributions\['x'\] must be an interpretwidgets"),
        (lambda a: method_agreement({"x": a}, instance=5), ValueError, r"instance must be in 0\.\.1; received 5"),
        (lambda a: method_agreement({"x": a}, output="nope"), ValueError, "output 'nope' is not one of the output"),
        (lambda a: method_agreement({"x": a}, top_fraction=2), ValueError, r"top_fraction must be a number in \(0, 1"),
    ],
    ids=["not a mapping", "empty", "not an attribution", "instance", "output name", "top fraction"],
)
def test_method_agreement_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call(iw.Attribution(np.ones((2, 3, 1)), np.zeros(1)))


# -- deletion and insertion curves --------------------------------------------------------------------------------


class Counting:
    """A linear model f(X) = X·w as a plain callable that counts its calls."""

    def __init__(self, weights: np.ndarray) -> None:
        self.weights, self.calls = weights, 0

    def __call__(self, X: np.ndarray) -> np.ndarray:
        self.calls += 1
        return X @ self.weights


def by_hand(f, x, baseline, order, counts, insertion=False):
    """The output with the first ``count`` units of ``order`` removed (or, for insertion, only they shown)."""
    points = []
    for count in counts:
        taken = np.zeros(len(x), dtype=bool)
        taken[order[:count]] = True
        shown = taken if insertion else ~taken
        points.append(f(np.where(shown, x, baseline)[None])[0])
    return np.array(points)


def test_tabular_curves_by_hand_with_one_batched_call_per_instance():
    w = np.array([3.0, -1.0, 2.0, 0.5])
    X = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 0.0, -1.0, 4.0]])
    baseline = np.array([0.5, 0.5, 0.5, 0.5])
    a = iw.Attribution((w * (X - baseline))[..., None], np.array([baseline @ w]), output_names=["y"])
    f = Counting(w)
    curves = faithfulness_curves(f, X, a, baseline=baseline, n_random=3, random_state=7, progress=False)
    assert f.calls == 1 + 2  # one call to learn the outputs, then one batched call per instance
    np.testing.assert_allclose(curves.fractions, [0, 0.25, 0.5, 0.75, 1])
    counts = [0, 1, 2, 3, 4]
    rng = np.random.default_rng(7)
    for i in range(2):
        order = np.argsort(-a.values[i, :, 0], kind="stable")
        np.testing.assert_allclose(curves.deletion[i], by_hand(f, X[i], baseline, order, counts))
        np.testing.assert_allclose(curves.insertion[i], by_hand(f, X[i], baseline, order, counts, insertion=True))
        randoms = [rng.permutation(4) for _ in range(3)]
        np.testing.assert_allclose(
            curves.random_deletion[i], np.mean([by_hand(f, X[i], baseline, o, counts) for o in randoms], axis=0)
        )
    area = ((curves.deletion[:, 1:] + curves.deletion[:, :-1]) / 2 * 0.25).sum(axis=1)
    np.testing.assert_allclose(curves.deletion_auc, area)
    assert curves.deletion[0, 0] == pytest.approx(X[0] @ w) and curves.deletion[0, -1] == pytest.approx(baseline @ w)
    assert curves.unit == "feature" and curves.output == "y" and curves.baseline == "the given baseline row"
    assert curves.instances == (0, 1) and curves.n_units.tolist() == [4, 4] and curves.n_random == 3
    magnitude = faithfulness_curves(f, X, a, baseline=baseline, order="magnitude", instances=[1], steps=2)
    order = np.argsort(-np.abs(a.values[1, :, 0]), kind="stable")
    np.testing.assert_allclose(magnitude.deletion[0], by_hand(f, X[1], baseline, order, [0, 2, 4]))
    mean = faithfulness_curves(f, X, a, background=np.zeros((3, 4)), instances=0, n_random=1)
    assert mean.deletion[0, -1] == 0 and mean.baseline == "the mean of the 3 background rows"


def test_curves_and_sensitivity_of_a_torch_tabular_network(tabular):
    mlp, rows, background = tabular
    a = iw.explain_tabular(mlp, rows, "integrated_gradients", background=background, n_samples=16)
    curves = faithfulness_curves(mlp, rows, a, background=background, progress=False)
    with torch.no_grad():
        outputs = mlp(torch.tensor(rows, dtype=torch.float32))[:, 0].numpy()
        at_mean = mlp(torch.tensor(background.mean(axis=0)[None], dtype=torch.float32))[0, 0].item()
    np.testing.assert_allclose(curves.deletion[:, 0], outputs, rtol=1e-5)
    np.testing.assert_allclose(curves.deletion[:, -1], at_mean, rtol=1e-5)
    assert (curves.deletion_auc < curves.random_deletion_auc).all()
    fragile = sensitivity(mlp, rows, "integrated_gradients", options={"n_samples": 8}, n_perturb_samples=3)
    assert fragile.shape == (6,) and np.isfinite(fragile).all() and (fragile >= 0).all()


def test_image_curves_remove_pixels_or_whole_superpixels_in_batches(patch, patch_ig, patch_lime):
    model, images, _ = patch
    calls = []
    handle = model.register_forward_hook(lambda *args: calls.append(1))
    try:
        pixels = faithfulness_curves(model, images, patch_ig, steps=8, n_random=2, progress=False)
        assert len(calls) == 1 + len(images)  # learning the outputs, then one batched call per image
        superpixels = faithfulness_curves(model, images, patch_lime, steps=4, n_random=2, baseline="blur")
    finally:
        handle.remove()
    assert pixels.unit == "pixel" and pixels.n_units.tolist() == [256] * 4 and pixels.output == "class 1"
    assert superpixels.unit == "superpixel" and superpixels.n_units.tolist() == [64] * 4
    assert "blur" in superpixels.baseline and pixels.baseline == "the all-zeros image"
    # by hand: the 16 superpixels of highest weight (a quarter) of image 0 replaced by its blurred self
    from interpretwidgets.kernels._baselines import baseline_images

    blurred = baseline_images("blur", images, None, 0).images[0]
    segments = patch_lime.segments[0]
    weights = np.array([patch_lime.values[0][segments == s][0, 0] for s in range(64)])
    removed = np.isin(segments, np.argsort(-weights, kind="stable")[:16])
    image = np.where(removed, blurred, images[0])
    with torch.no_grad():
        expected = model(torch.as_tensor(image[None], dtype=torch.float32))[0, 1].item()
    assert superpixels.deletion[0, 1] == pytest.approx(expected, abs=1e-5)
    with torch.no_grad():
        full = model(torch.from_numpy(images))[:, 1].numpy()
    np.testing.assert_allclose(pixels.deletion[:, 0], full, rtol=1e-5)
    np.testing.assert_allclose(pixels.insertion[:, -1], full, rtol=1e-5)


def test_text_curves_replace_tokens_but_not_the_ones_the_tokenizer_adds(bert, bert_tokenizer):  # noqa: F811
    texts = ["the movie was very good", "a cat"]
    a = iw.explain_text(bert, bert_tokenizer, texts, n_samples=8)
    curves = faithfulness_curves(bert, texts, a, output="present", tokenizer=bert_tokenizer, n_random=2)
    assert curves.n_units.tolist() == [5, 2] and curves.fractions.size == 6  # steps: every token of the longest
    assert curves.baseline == "the token '[MASK]'"
    for i, text in enumerate(texts):
        ids = bert_tokenizer(text, return_tensors="pt")["input_ids"]
        masked = ids.clone()
        masked[0, 1:-1] = bert_tokenizer.mask_token_id
        with torch.no_grad():
            original, gone = bert(input_ids=ids).logits[0, 1].item(), bert(input_ids=masked).logits[0, 1].item()
        assert curves.deletion[i, 0] == pytest.approx(original, abs=1e-5)
        assert curves.deletion[i, -1] == pytest.approx(gone, abs=1e-5)
        assert curves.insertion[i, 0] == pytest.approx(gone, abs=1e-5)
    unk = faithfulness_curves(bert, texts, a, output=1, tokenizer=bert_tokenizer, baseline="[UNK]", steps=1)
    assert unk.baseline == "the token '[UNK]'" and unk.fractions.tolist() == [0.0, 1.0]


def test_causal_lm_curves_follow_each_texts_own_next_token(gpt2, bpe_tokenizer):  # noqa: F811
    texts = ["the cat sat", "a good movie"]
    a = iw.explain_text(gpt2, bpe_tokenizer, texts, n_samples=8)  # each text's own most likely next token
    own = []
    for text in texts:
        with torch.no_grad():
            own.append(gpt2(**bpe_tokenizer(text, return_tensors="pt")).logits[0, -1].max().item())
    np.testing.assert_allclose(model_outputs(gpt2, texts, a, tokenizer=bpe_tokenizer)[:, 0], own, atol=1e-5)
    curves = faithfulness_curves(gpt2, texts, a, tokenizer=bpe_tokenizer, n_random=2, progress=False)
    np.testing.assert_allclose(curves.deletion[:, 0], own, atol=1e-5)
    assert curves.n_units.tolist() == [len(t) for t in a.tokens]  # GPT-2 adds no tokens: every one is a unit
    assert curves.baseline == "the token '<|endoftext|>'"


def test_curves_give_the_model_back_as_lent(patch, patch_ig):
    model, images, _ = patch
    model.train()
    stale = model[0].weight
    stale.grad = torch.ones_like(stale)
    model[2].weight.requires_grad_(False)
    before = [p.detach().clone() for p in model.parameters()]
    try:
        faithfulness_curves(model, images, patch_ig, steps=4, n_random=1)
        assert all(m.training for m in model.modules())
        assert torch.equal(stale.grad, torch.ones_like(stale)) and model[2].weight.grad is None
        assert not model[2].weight.requires_grad and model[0].weight.requires_grad
        assert all(torch.equal(b, p) for b, p in zip(before, model.parameters(), strict=True))
        assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
    finally:
        model.eval()
        model[2].weight.requires_grad_(True)
        model.zero_grad(set_to_none=True)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"attribution": np.ones((2, 4, 1))}, TypeError, "must be an interpretwidgets Attribution"),
        ({"order": "sign"}, ValueError, "order must be one of 'value', 'magnitude'; received 'sign'"),
        ({"steps": 0}, ValueError, "steps must be at least 1"),
        ({"n_random": 0}, ValueError, "n_random must be at least 1"),
        ({"instances": [3]}, ValueError, r"instance must be in 0\.\.1; received 3"),
        ({"instances": []}, ValueError, "at least one instance"),
        ({"output": 1}, ValueError, r"output must be in 0\.\.0; received 1"),
        ({"baseline": np.zeros(3)}, ValueError, r"baseline must be one row \(4,\) or one per instance \(2, 4\)"),
        ({"inputs": np.zeros((3, 4))}, ValueError, r"inputs must be the explained rows, shape \(2, 4\)"),
        ({"random_state": -1}, ValueError, "random_state must be at least 0"),
        ({"target": 2}, ValueError, r"target must be in 0\.\.0 \(the model's outputs\); received 2"),
    ],
    ids=["not an attribution", "order", "steps", "n_random", "instance", "no instances", "output", "baseline",
         "inputs", "seed", "target"],
)  # fmt: skip
def test_curves_bad_input(kwargs, error, message):
    X = np.ones((2, 4))
    settings = {"model": Counting(np.ones(4)), "inputs": X, "attribution": iw.Attribution(np.ones((2, 4, 1)), [0.0])}
    with pytest.raises(error, match=message):
        faithfulness_curves(**{**settings, **kwargs})


def test_curves_bad_input_per_domain(bert, bert_tokenizer, patch, patch_ig):  # noqa: F811
    a = iw.explain_text(bert, bert_tokenizer, ["the cats"], method="gradient_x_input")
    with pytest.raises(TypeError, match="text curves need the model's tokenizer: pass tokenizer="):
        faithfulness_curves(bert, ["the cats"], a)
    merged = iw.explain_text(bert, bert_tokenizer, ["the cats"], method="gradient_x_input", merge_subwords=True)
    with pytest.raises(ValueError, match=r"no token ids in data .* merge_subwords=True"):
        faithfulness_curves(bert, ["the cats"], merged, tokenizer=bert_tokenizer)
    with pytest.raises(ValueError, match=r"baseline must be a token id in 0\.\.25; received 99"):
        faithfulness_curves(bert, ["the cats"], a, tokenizer=bert_tokenizer, baseline=99)
    model, images, _ = patch
    with pytest.raises(TypeError, match=r"image curves need the torch\.nn\.Module"):
        faithfulness_curves(lambda x: x, images, patch_ig)
    with pytest.raises(ValueError, match=r"inputs must be the 4 explained images of 16×16 pixels"):
        faithfulness_curves(model, images[:2], patch_ig)
    with pytest.raises(ValueError, match="baseline must be one of 'zeros', 'blur', 'uniform', 'mean'"):
        faithfulness_curves(model, images, patch_ig, baseline="black")


# -- captum's infidelity and sensitivity --------------------------------------------------------------------------


def test_infidelity_equals_captum_called_directly(tabular, patch, patch_ig, patch_lime):
    from captum.metrics import infidelity as captum_infidelity

    def noise(inputs):
        perturbation = torch.randn_like(inputs) * 0.1
        return perturbation, inputs - perturbation

    mlp, rows, _ = tabular
    a = iw.explain_tabular(mlp, rows, "integrated_gradients", n_samples=16)
    x, attribution = torch.tensor(rows, dtype=torch.float32), torch.tensor(a.values[..., 0], dtype=torch.float32)
    ours = infidelity(mlp, rows, a, n_perturb_samples=8, random_state=3)  # the default: Gaussian noise, σ = 0.1
    torch.manual_seed(3)
    direct = captum_infidelity(mlp, noise, x, attribution, target=0, n_perturb_samples=8).double().numpy()
    np.testing.assert_allclose(ours, direct, rtol=1e-5)
    assert ours.shape == (6,)
    model, images, _ = patch
    torch.manual_seed(5)
    x, attribution = torch.from_numpy(images), torch.tensor(patch_ig.values[..., 0], dtype=torch.float32)
    direct = captum_infidelity(model, noise, x, attribution, target=1, n_perturb_samples=4, normalize=True)
    ours = infidelity(model, images, patch_ig, perturbations=noise, n_perturb_samples=4, normalize=True,
                      random_state=5)  # fmt: skip
    np.testing.assert_allclose(ours, direct.double().numpy(), rtol=1e-5)
    subset = infidelity(model, images, patch_lime, perturbations="subset", n_perturb_samples=4)
    assert subset.shape == (4,) and np.isfinite(subset).all()


@pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require gradients")  # captum, called directly
def test_sensitivity_equals_captum_called_directly(patch):
    from captum.attr import Saliency
    from captum.metrics import sensitivity_max

    model, images, _ = patch
    ours = sensitivity(model, images, "saliency", options={"target": 1}, n_perturb_samples=4, random_state=2)
    torch.manual_seed(2)
    x = torch.from_numpy(images).requires_grad_()
    direct = sensitivity_max(Saliency(model).attribute, x, target=1, n_perturb_samples=4)
    np.testing.assert_allclose(ours, direct.double().numpy(), rtol=1e-5)

    def explain(m, x):  # a callable: any explanation, here as a plain array
        return iw.explain_image(m, x, "saliency", target=1).values[..., 0]

    np.testing.assert_allclose(sensitivity(model, images, explain, n_perturb_samples=4, random_state=2), ours)
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m, x, a: infidelity(lambda v: v, x, a), TypeError, "infidelity needs a torch.nn.Module"),
        (lambda m, x, a: infidelity(m, x, a, perturbations="blur"), ValueError,
         "perturbations must be one of 'gaussian', 'subset' or a function"),
        (lambda m, x, a: infidelity(m, x, a, noise_scale=0), ValueError, "noise_scale must be a positive number"),
        (lambda m, x, a: infidelity(m, x, a, n_perturb_samples=0), ValueError, "n_perturb_samples must be at least 1"),
        (lambda m, x, a: infidelity(m, x[:2], a), ValueError, "inputs must be the 4 explained images"),
        (lambda m, x, a: infidelity(m, x, a, target=5), ValueError, r"target must be in 0\.\.1"),
        (lambda m, x, a: sensitivity(m, x, "lrp"), ValueError, "image method must be one of 'integrated_gradients'"),
        (lambda m, x, a: sensitivity(m, x, 3), TypeError, "explain must be a method name or a callable"),
        (lambda m, x, a: sensitivity(m, x, lambda mm, v: v, options={"target": 1}), ValueError,
         "options are for an explain_\\* method given by name"),
        (lambda m, x, a: sensitivity(m, x, "saliency", perturb_radius=0), ValueError,
         "perturb_radius must be a positive number"),
    ],
    ids=["not torch", "perturbation", "noise scale", "budget", "inputs", "target", "unknown method",
         "not callable", "options with a callable", "radius"],
)  # fmt: skip
def test_metrics_bad_input(patch, patch_ig, call, error, message):
    model, images, _ = patch
    with pytest.raises(error, match=message):
        call(model, images, patch_ig)


# -- the model-randomisation sanity check -------------------------------------------------------------------------


def test_randomization_check_leaves_the_model_bit_identical(patch):
    model, images, _ = patch
    model.train()  # lent in train mode, with a frozen layer, a stale gradient and a hook of the user's
    model[2].weight.requires_grad_(False)
    stale = model[6].bias
    stale.grad = torch.full_like(stale, 3.0)
    handle = model[0].register_forward_hook(lambda *args: None)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    modes = [m.training for m in model.modules()]
    hooks = [(dict(m._forward_hooks), dict(m._forward_pre_hooks), dict(m._backward_hooks)) for m in model.modules()]
    try:
        check = randomization_check(model, images, "integrated_gradients", options={"target": 1, "n_steps": 16},
                                    progress=False)  # fmt: skip
        assert all(torch.equal(before[name], p) for name, p in model.named_parameters())  # bit-identical
        assert [m.training for m in model.modules()] == modes
        assert hooks == [
            (dict(m._forward_hooks), dict(m._forward_pre_hooks), dict(m._backward_hooks)) for m in model.modules()
        ]
        assert not model[2].weight.requires_grad and all(
            p.requires_grad for n, p in model.named_parameters() if n != "2.weight"
        )
        assert torch.equal(stale.grad, torch.full_like(stale, 3.0))
        assert all(p.grad is None for p in model.parameters() if p is not stale)
    finally:
        handle.remove()
        model[2].weight.requires_grad_(True)
        model.zero_grad(set_to_none=True)
        model.eval()
    assert check.layers == ("6", "2", "0") and check.cascade  # the parametrised layers, output first
    assert check.spearman.shape == check.spearman_abs.shape == (4, 3)
    assert len(check.original) == 4 and check.original[0].shape == (256,) and check.maps is None
    # integrated gradients passes: once every layer is random, its maps no longer resemble the trained model's
    assert np.nanmean(np.abs(check.spearman[:, -1])) < 0.5
    assert np.nanmean(check.spearman_abs[:, -1]) < np.nanmean(check.spearman_abs[:, 0])
    frame = check.to_frame()
    assert len(frame) == 12 and frame.columns.tolist() == ["instance", "step", "layer", "spearman", "spearman_abs"]


def test_randomization_check_takes_every_form_of_explain(patch):
    model, images, _ = patch

    def of_model(m):
        return iw.explain_image(m, images, "saliency", target=1)

    def of_both(m, x):
        return iw.explain_image(m, x, "saliency", target=1).values[..., 0].sum(axis=1)  # an array (n, H, W)

    one = randomization_check(model, images, of_model, layers=["2"], random_state=1, progress=False)
    two = randomization_check(model, images, of_both, layers=["2"], random_state=1, progress=False)
    np.testing.assert_allclose(one.spearman, two.spearman)
    assert one.layers == ("2",)
    kept = randomization_check(model, images, of_model, layers=["6", "0"], cascade=False, keep_maps=True,
                               random_state=1, progress=False)  # fmt: skip
    assert not kept.cascade and len(kept.maps) == 2 and kept.maps[0][0].shape == (256,)
    # independent: re-initialising only the first conv layer, on a fresh copy, gives the same map as cascading does
    # when that layer comes first in both
    again = randomization_check(model, images, of_model, layers=["0"], random_state=1, progress=False)
    assert np.isfinite(again.spearman).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"model": lambda x: x}, TypeError, "randomization_check needs a torch.nn.Module"),
        ({"layers": ["nope"]}, ValueError, r"layers must name modules of the model that have parameters \('6', '2', "
         r"'0'\); received \['nope'\]"),
        ({"layers": ["1"]}, ValueError, r"received \['1'\]"),
        ({"layers": ["0", "0"]}, ValueError, "must not name a module twice"),
        ({"layers": "0"}, TypeError, "layers must be a sequence of module names"),
        ({"explain": 3}, TypeError, "explain must be a method name or a callable"),
        ({"explain": "lrp"}, ValueError, "image method must be one of"),
        ({"cascade": 1}, TypeError, "cascade must be a bool"),
        ({"explain": lambda m: m, "options": {"target": 1}}, ValueError, "options are for an explain_"),
    ],
    ids=["not torch", "unknown layer", "no parameters", "twice", "str", "explain", "method", "cascade", "options"],
)  # fmt: skip
def test_randomization_check_bad_input(patch, kwargs, error, message):
    model, images, _ = patch
    with pytest.raises(error, match=message):
        randomization_check(**{"model": model, "inputs": images, "explain": "saliency", **kwargs})


def test_importing_the_honesty_kernels_stays_light():
    code = (
        "import sys, interpretwidgets.kernels.honesty as h; h.faithfulness_curves; "
        "print(sorted(m for m in ('torch', 'scipy', 'captum', 'shap', 'sklearn', 'transformers') if m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"

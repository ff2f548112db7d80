"""Known truth: tasks where what decides the output is known by construction, and each method's precision at finding
it; then deletion/insertion curves, where the true order must beat random orders.

- Tabular: 10 standard-normal features, y = 2·x0 − 1.5·x1 + 1.5·tanh(2·x2); features 3..9 are noise. A gradient
  boosting regressor (tree, kernel, permutation, lime) and a small MLP (deep, integrated_gradients, gradient_shap).
  Explained: 12 rows whose relevant features are all at least 0.5 from 0 (the background's mean), so that each one
  truly contributes (a feature at its baseline value rightly gets 0 from any complete method).
  Precision@3: the share of each row's top 3 features by |attribution| that are 0, 1 or 2, averaged over the rows.
- Text: the marker-token BERT of ``test_text_methods`` (its "present" logit is +2 with the token "zap" in the text,
  −2 without). Precision@1: the share of 10 texts whose most positive token is the marker.
- Image: 16×16 grey images of noise in [0, 0.5]; class 1 iff a 4×4 patch of 1.0 is somewhere (its corner on even
  coordinates, so that LIME's 2×2 grid cells can cover it exactly: superpixel granularity is not what is measured).
  A small CNN (conv 3×3 → ReLU → conv 3×3 → ReLU → global average → linear), trained in about a second, 100 %
  held-out accuracy. Precision@16: the share of the 16 most positive pixels (summed over channels) of class 1 that
  lie in the patch, averaged over 8 images with a patch.

Measured (the tests store them in ``PRECISION`` and print the table at the end; run with ``-s`` to see it):

=========  ======================  =========
task       method                  precision
=========  ======================  =========
tabular    tree                    1.00
tabular    kernel                  1.00
tabular    permutation             1.00
tabular    lime                    1.00
tabular    deep                    1.00
tabular    integrated_gradients    1.00
tabular    gradient_shap           1.00
text       integrated_gradients    1.00
text       gradient_x_input        1.00
text       lime                    1.00
text       shap                    1.00
image      integrated_gradients    1.00
image      gradient_shap           1.00
image      deeplift                1.00
image      occlusion               1.00
image      gradcam                 0.96
image      lime (2×2 grid)         1.00
image      shap_gradient           1.00
image      shap_deep               1.00
image      saliency                0.83  (not expected: see NOT_EXPECTED)
image      smoothgrad              0.84  (not expected: see NOT_EXPECTED)
=========  ======================  =========

Saliency and SmoothGrad do not reach 0.9, for a reason that is theirs and not the test's: they rank |∂f/∂x|, how
sensitive the output is to a pixel, not what the pixel contributes. The dark pixels on the patch's rim sit in the
same 3×3 receptive fields as the patch's own edge pixels and move the detectors as much, so some of them outrank
patch pixels; methods that multiply by (x − baseline) give them nothing. Their top 16 pixels all lie on the patch or
its 1-pixel rim, which the tests assert instead (the 0.9 threshold for the patch itself is not lowered).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

import interpretwidgets as iw
from interpretwidgets.kernels.honesty import faithfulness_curves
from interpretwidgets.kernels.image import IMAGE
from interpretwidgets.kernels.tabular import TABULAR
from interpretwidgets.kernels.text import TEXT
from tests.image_models import one_thread, trained
from tests.test_text_methods import MARKER, bert_tokenizer, marker_bert  # noqa: F401 - fixtures reused as they are

#: (task, method) -> precision@k, filled by the tests below and printed by the last one
PRECISION: dict[tuple[str, str], float] = {}

#: methods not expected to reach 0.9 on a task, and why (they are still measured, and a weaker claim asserted)
NOT_EXPECTED = {
    ("image", "saliency"): "|∂f/∂x| is sensitivity, not contribution: the patch's dark rim moves the detectors as much",
    ("image", "smoothgrad"): "averaged |∂f/∂x|: the same sensitivity to the patch's rim as saliency",
}

THRESHOLD = 0.9


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    with one_thread():  # tiny models on a shared 2-core machine: torch's threads only wait on each other
        yield


# -- the tasks ----------------------------------------------------------------------------------------------------

RELEVANT = (0, 1, 2)


def tabular_target(X: np.ndarray) -> np.ndarray:
    return 2 * X[:, 0] - 1.5 * X[:, 1] + 1.5 * np.tanh(2 * X[:, 2])


@functools.cache
def tabular_task():
    """(X, background, explained rows, gradient boosting regressor, MLP), deterministic, under 2 s."""
    from sklearn.ensemble import GradientBoostingRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 10))
    y = tabular_target(X)
    trees = GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0).fit(X, y)
    with one_thread():
        torch.manual_seed(0)
        mlp = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1))
        optimiser = torch.optim.Adam(mlp.parameters(), lr=1e-2)
        x, target = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)[:, None]
        for _ in range(300):
            optimiser.zero_grad()
            torch.nn.functional.mse_loss(mlp(x), target).backward()
            optimiser.step()
    mlp.zero_grad(set_to_none=True)
    mlp.eval()
    away = np.flatnonzero((np.abs(X[:, list(RELEVANT)]) >= 0.5).all(axis=1))
    explained = X[np.sort(np.random.default_rng(1).choice(away, 12, replace=False))]
    return X, X[:50], explained, trees, mlp


PATCH, SIZE = 4, 16


def patch_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images (n, 1, 16, 16) of noise in [0, 0.5], their labels, and where the patch is (n, 16, 16) bool."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(0, 0.5, size=(n, 1, SIZE, SIZE)).astype(np.float32)
    labels = rng.integers(0, 2, n)
    where = np.zeros((n, SIZE, SIZE), dtype=bool)
    for i in np.flatnonzero(labels):
        row, column = 2 * rng.integers(0, (SIZE - PATCH) // 2 + 1, size=2)
        images[i, 0, row : row + PATCH, column : column + PATCH] = 1.0
        where[i, row : row + PATCH, column : column + PATCH] = True
    return images, labels, where


@functools.cache
def patch_task():
    """(trained CNN in eval mode, 8 held-out images with a patch, where their patches are); about a second."""
    images, labels, _ = patch_images(2000, seed=0)

    def patch_net() -> torch.nn.Sequential:
        return torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(8, 8, 3, padding=1),
            torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(8, 2),
        )  # fmt: skip

    model = trained(patch_net, images, labels, epochs=5, lr=1e-2)
    test, test_labels, where = patch_images(400, seed=1)
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(test)).argmax(dim=1).numpy() == test_labels).mean()
    assert accuracy > 0.98, accuracy  # the task is learnt, so the truth is the model's too
    chosen = np.flatnonzero(test_labels)[:8]
    return model, test[chosen], where[chosen]


def grid_segments(image: np.ndarray) -> np.ndarray:
    """LIME's segmentation for the patch task: 2×2-pixel cells."""
    height, width = image.shape[:2]
    return (np.arange(height)[:, None] // 2) * (width // 2) + np.arange(width)[None, :] // 2


def precision_at(values: np.ndarray, truth: np.ndarray, k: int, magnitude: bool = False) -> float:
    """Mean over rows of the share of each row's top k values that are true."""
    scores = np.abs(values) if magnitude else values
    top = np.argsort(-scores.reshape(len(scores), -1), axis=1, kind="stable")[:, :k]
    return float(np.take_along_axis(truth.reshape(len(truth), -1), top, axis=1).mean())


def record(task: str, method: str, precision: float) -> None:
    PRECISION[(task, method)] = precision
    print(f"\nprecision {task:8s} {method:22s} {precision:.3f}")


# -- tabular ------------------------------------------------------------------------------------------------------

TABULAR_BUDGET = {"kernel": 200, "permutation": 100, "lime": 1000, "integrated_gradients": 32, "gradient_shap": 50}


@pytest.mark.parametrize("method", TABULAR.names())
def test_tabular_methods_find_the_three_relevant_features(method):
    _, background, explained, trees, mlp = tabular_task()
    model = mlp if TABULAR.get(method).model == "torch" else trees
    a = iw.explain_tabular(model, explained, method, background=background, n_samples=TABULAR_BUDGET.get(method),
                           random_state=0)  # fmt: skip
    truth = np.zeros(a.values.shape[:2], dtype=bool)
    truth[:, list(RELEVANT)] = True
    precision = precision_at(a.values[..., 0], truth, 3, magnitude=True)
    record("tabular", method, precision)
    assert precision >= THRESHOLD


# -- text ---------------------------------------------------------------------------------------------------------

MARKED_TEXTS = [
    "the movie zap was very good", "zap the cat sat on the mat", "the dog is bad zap", "a film zap", "zap",
    "the cat sat on a zap mat", "very good zap film", "not a bad dog zap", "the mat is zap", "a zap great movie",
]  # fmt: skip
TEXT_BUDGET = {"integrated_gradients": 20, "lime": 200, "shap": 100}


@pytest.mark.parametrize("method", TEXT.names())
def test_text_methods_rank_the_marker_first(marker_bert, bert_tokenizer, method):  # noqa: F811
    a = iw.explain_text(marker_bert, bert_tokenizer, MARKED_TEXTS, method=method, target="present", random_state=0,
                        n_samples=TEXT_BUDGET.get(method), progress=False)  # fmt: skip
    hits = [a.tokens_of(i)[int(np.argmax(a.values[i, : a.token_counts[i], 0]))] == MARKER for i in range(len(a.tokens))]
    precision = float(np.mean(hits))
    record("text", method, precision)
    assert precision >= THRESHOLD


# -- images -------------------------------------------------------------------------------------------------------

IMAGE_OPTIONS = {
    "integrated_gradients": {"n_steps": 32},
    "gradient_shap": {"n_samples": 20},
    "smoothgrad": {"n_samples": 20},
    "lime": {"segmentation": grid_segments, "n_samples": 500},
    "shap_gradient": {"n_samples": 50},
}


@pytest.mark.parametrize("method", IMAGE.names())
def test_image_methods_find_the_bright_patch(method):
    """Precision@16 of the patch ≥ 0.9 for every method but saliency (measured 0.83) and SmoothGrad (0.84), which
    rank |∂f/∂x| and so rank the patch's dark rim with the patch (see NOT_EXPECTED): for them the top 16 pixels must
    lie on the patch or its rim. Grad-CAM measured 0.96, the others 1.00."""
    from scipy.ndimage import binary_dilation

    model, images, where = patch_task()
    a = iw.explain_image(model, images, method, target=1, progress=False, **IMAGE_OPTIONS.get(method, {}))
    values = a.values[..., 0]
    maps = values.sum(axis=1) if values.ndim == 4 else values
    precision = precision_at(maps, where, PATCH * PATCH)
    record("image", method, precision)
    reason = NOT_EXPECTED.get(("image", method))
    if reason is None:
        assert precision >= THRESHOLD
        return
    assert precision < THRESHOLD, f"{method} now finds the patch: remove it from NOT_EXPECTED"
    rim = np.stack([binary_dilation(w) for w in where])  # the patch and the pixels around it
    assert precision_at(maps, rim, PATCH * PATCH) >= THRESHOLD


# -- deletion and insertion on known truth ------------------------------------------------------------------------


def test_the_true_order_beats_random_orders_on_the_patch_task():
    model, images, where = patch_task()
    truth = iw.Attribution(where[..., None].astype(float), np.zeros(1), output_names=["class 1"], method="truth")
    curves = faithfulness_curves(model, images, truth, steps=16, n_random=4, progress=False)
    assert curves.unit == "pixel" and curves.output == "class 1" and curves.n_units.tolist() == [256] * 8
    assert (curves.deletion_auc < curves.random_deletion_auc).all()
    assert (curves.insertion_auc > curves.random_insertion_auc).all()
    # removing the 16 patch pixels (1/16 of the image) alone takes class 1 away
    assert (curves.deletion[:, 1] < curves.deletion[:, 0] - 1).all()
    ig = iw.explain_image(model, images, "integrated_gradients", target=1, n_steps=32)
    found = faithfulness_curves(model, images, ig, steps=16, n_random=4, progress=False)
    assert (found.deletion_auc < found.random_deletion_auc).all()
    assert (found.insertion_auc > found.random_insertion_auc).all()


def test_exact_contributions_of_an_additive_model_give_the_lowest_deletion_curve():
    from sklearn.linear_model import LinearRegression

    X, _, explained, _, _ = tabular_task()
    linear = LinearRegression().fit(X, tabular_target(X))
    mean = X.mean(axis=0)
    exact = linear.coef_ * (explained - mean)  # each feature's exact contribution against the mean row
    truth = iw.Attribution(exact[..., None], linear.predict(mean[None]), method="exact")
    curves = faithfulness_curves(linear, explained, truth, background=X, n_random=8, progress=False)
    assert curves.unit == "feature" and curves.fractions.tolist() == pytest.approx(np.linspace(0, 1, 11).tolist())
    np.testing.assert_allclose(curves.deletion[:, 0], linear.predict(explained))
    np.testing.assert_allclose(curves.deletion[:, -1], linear.predict(mean[None])[0])
    # removing the largest contributions first is the fastest way down, at every step: below any order's mean
    assert (curves.deletion <= curves.random_deletion + 1e-9).all()
    assert (curves.insertion >= curves.random_insertion - 1e-9).all()
    assert (curves.deletion_auc < curves.random_deletion_auc).all()
    assert (curves.insertion_auc > curves.random_insertion_auc).all()


def test_deleting_the_marker_token_first_takes_the_label_away(marker_bert, bert_tokenizer):  # noqa: F811
    a = iw.explain_text(marker_bert, bert_tokenizer, MARKED_TEXTS[:3], target="present", n_samples=20)
    curves = faithfulness_curves(marker_bert, MARKED_TEXTS[:3], a, tokenizer=bert_tokenizer, n_random=8,
                                 progress=False)  # fmt: skip
    assert curves.unit == "token" and curves.output == "present" and "[MASK]" in curves.baseline
    assert curves.n_units.tolist() == [len(t) - 2 for t in a.tokens]  # [CLS] and [SEP] are not removed
    assert (curves.deletion[:, 0] > 1).all() and (curves.deletion[:, 1] < 0).all()  # the marker goes first
    assert (curves.deletion_auc < curves.random_deletion_auc).all()
    assert (curves.insertion_auc > curves.random_insertion_auc).all()


def test_zz_print_the_precision_table():
    """Runs last (file order): the table of every method's precision measured above."""
    rows = [f"{task:8s} {method:22s} {value:.3f}" + (" (not expected)" if (task, method) in NOT_EXPECTED else "")
            for (task, method), value in sorted(PRECISION.items())]  # fmt: skip
    print("\nprecision@k per method\n" + "\n".join(rows))
    below = {key: value for key, value in PRECISION.items() if value < THRESHOLD}
    assert set(below) <= set(NOT_EXPECTED), below

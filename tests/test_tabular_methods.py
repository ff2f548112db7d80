"""kernel / permutation / lime / deep / integrated_gradients / gradient_shap against the libraries called directly."""

from __future__ import annotations

import numpy as np
import pytest
import shap
import torch
from lime.lime_tabular import LimeTabularExplainer
from sklearn.base import BaseEstimator
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.svm import SVC

import interpretwidgets as iw
from interpretwidgets.kernels.tabular import explained_output


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y, LogisticRegression(max_iter=500).fit(X, y)


@pytest.fixture(scope="module")
def net_and_data():
    """A small MLP trained for a few hundred steps on standardised breast-cancer data (seconds on a CPU)."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(30, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    optimiser = torch.optim.Adam(net.parameters(), lr=0.01)
    xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(200):
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(net(xt), yt).backward()
        optimiser.step()
    net.zero_grad(set_to_none=True)
    net.eval()
    return net, X


def test_kernel_matches_shap_and_adds_up(iris):
    X, _, model = iris
    a = iw.explain_tabular(model, X[:12], method="kernel", output_names=["setosa", "versicolor", "virginica"])
    direct = shap.KernelExplainer(model.predict_proba, shap.kmeans(X[:12], 10)).shap_values(X[:12], silent=True)
    direct = np.stack(direct, axis=-1) if isinstance(direct, list) else direct
    np.testing.assert_allclose(a.values, direct, atol=1e-8)  # 4 features: every coalition enumerated, exact
    np.testing.assert_allclose(a.output_values, model.predict_proba(X[:12]), atol=1e-6)
    assert a.method == "kernel" and a.output_space == "probability" and "k-means" in a.baseline


def test_permutation_matches_shap_with_the_same_seed_and_adds_up(iris):
    X, _, model = iris
    a = iw.explain_tabular(model, X[:20], method="permutation", background=X[::3], random_state=3)
    masker = shap.maskers.Independent(X[::3], max_samples=50)
    direct = shap.PermutationExplainer(model.predict_proba, masker, seed=3)(X[:20], max_evals=500, silent=True)
    np.testing.assert_allclose(a.values, direct.values, atol=1e-10)
    np.testing.assert_allclose(a.output_values, model.predict_proba(X[:20]), atol=1e-8)


def test_lime_matches_lime_is_deterministic_and_reports_its_gap(iris):
    X, _, model = iris
    a = iw.explain_tabular(model, X[:3], method="lime", random_state=7, n_samples=800)
    b = iw.explain_tabular(model, X[:3], method="lime", random_state=7, n_samples=800)
    np.testing.assert_array_equal(a.values, b.values)
    explainer = LimeTabularExplainer(X[:3], feature_names=a.feature_names, class_names=a.output_names, random_state=7)
    for i in range(3):
        exp = explainer.explain_instance(X[i], model.predict_proba, labels=[0, 1, 2], num_features=4, num_samples=800)
        for k in range(3):
            np.testing.assert_allclose(a.values[i, :, k], [dict(exp.local_exp[k]).get(j, 0) for j in range(4)])
            assert a.base_values[i, k] == pytest.approx(exp.intercept[k])
            assert a.output_values[i, k] == pytest.approx(exp.local_pred[0] if k == 2 else a.output_values[i, k])
    np.testing.assert_allclose(a.convergence_delta, a.output_values - model.predict_proba(X[:3]))
    assert any("<" in c or ">" in c for c in a.feature_conditions[0])  # LIME's own discretised conditions
    assert "surrogate" in a.baseline


def test_from_lime_keeps_weights_conditions_and_gap(iris):
    X, _, model = iris
    explainer = LimeTabularExplainer(X, feature_names=["a", "b", "c", "d"], class_names=["x", "y", "z"], random_state=0)
    exp = explainer.explain_instance(X[60], model.predict_proba, labels=[1, 2], num_features=3, num_samples=500)
    a = iw.Attribution.from_lime(exp, data=X[60])
    assert a.values.shape == (1, 4, 2) and a.output_names == ("y", "z")
    assert np.count_nonzero(a.values[0, :, 0]) == 3  # the feature LIME left out is 0
    np.testing.assert_allclose(a.output_values[0, 1], exp.local_pred[0])
    np.testing.assert_allclose(a.convergence_delta[0], a.output_values[0] - exp.predict_proba[[1, 2]])
    assert a.feature_conditions[0][0].startswith(("a ", "a<", "a>")) or " a " in a.feature_conditions[0][0]
    with pytest.raises(TypeError, match="lime tabular Explanation"):
        iw.Attribution.from_lime(object())


def test_to_frame_is_long_and_complete(iris):
    X, _, model = iris
    a = iw.explain_tabular(model, X[:5], method="permutation", random_state=0)
    frame = a.to_frame()
    assert len(frame) == 5 * 4 * 3 and set(frame.columns) >= {"instance", "feature", "output", "value", "data"}
    np.testing.assert_allclose(frame.groupby(["instance", "output"])["value"].sum().to_numpy(),
                               a.values.sum(axis=1).ravel())  # fmt: skip
    assert len(a.to_frame(output=1)) == 20


def test_known_truth_linear_model_credits_only_the_relevant_features():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    y = 3 * X[:, 0] - 2 * X[:, 3]
    model = LinearRegression().fit(X, y)
    for method in ("kernel", "permutation"):
        a = iw.explain_tabular(model, X[:30], method=method, background=X[:100], random_state=0)
        # for a linear model SHAP values are known in closed form: w_j (x_j - E[x_j]) over the background
        expected = model.coef_ * (X[:30] - X[:100].mean(0))
        tolerance = 0.05 if method == "kernel" else 1e-8  # kernel uses 10 k-means centres, not all of X
        np.testing.assert_allclose(a.values[..., 0], expected, atol=tolerance * 10 if method == "kernel" else tolerance)
        importance = np.abs(a.values[..., 0]).mean(0)
        assert set(np.argsort(importance)[-2:]) == {0, 3}


def test_deep_matches_shap_adds_up_and_borrows_the_model(net_and_data):
    net, X = net_and_data
    a = iw.explain_tabular(net, X[:20], method="deep", background=X[::10])
    direct = shap.DeepExplainer(net, torch.from_numpy(X[::10])).shap_values(torch.from_numpy(X[:20]))
    direct = np.stack(direct, axis=-1) if isinstance(direct, list) else np.asarray(direct)
    np.testing.assert_allclose(a.values, direct, atol=1e-5)
    np.testing.assert_allclose(a.output_values, explained_output(net, a, X[:20]), atol=1e-4)
    assert a.output_space == "raw" and a.values.shape == (20, 30, 2)


def test_integrated_gradients_matches_captum_and_keeps_its_delta(net_and_data):
    from captum.attr import IntegratedGradients

    net, X = net_and_data
    a = iw.explain_tabular(net, X[:10], method="integrated_gradients", n_samples=100)
    x = torch.from_numpy(X[:10])
    for k in range(2):
        attr, delta = IntegratedGradients(net).attribute(
            x, baselines=torch.zeros_like(x), target=k, n_steps=100, return_convergence_delta=True
        )
        np.testing.assert_allclose(a.values[..., k], attr.detach().numpy(), atol=1e-6)
        np.testing.assert_allclose(a.convergence_delta[:, k], delta.detach().numpy(), atol=1e-6)
    # completeness: Σ values + base - output = delta, small with 100 steps
    gap = a.output_values - explained_output(net, a, X[:10])
    np.testing.assert_allclose(gap, a.convergence_delta, atol=1e-5)
    assert np.abs(gap).max() < 0.05 and "all-zeros" in a.baseline


def test_integrated_gradients_on_a_linear_net_is_exact_by_hand():
    net = torch.nn.Linear(3, 1)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[2.0, -1.0, 0.5]]))
        net.bias.fill_(0.25)
    X = np.array([[1.0, 2.0, 4.0], [0.0, -1.0, 2.0]], dtype=np.float32)
    baseline = np.array([[1.0, 1.0, 0.0]], dtype=np.float32)
    a = iw.explain_tabular(net, X, method="integrated_gradients", background=baseline)
    # IG of a linear function: w_j (x_j - baseline_j)
    np.testing.assert_allclose(a.values[..., 0], [[0.0, -1.0, 2.0], [-2.0, 2.0, 1.0]], atol=1e-6)
    np.testing.assert_allclose(a.base_values[:, 0], 2.0 - 1.0 + 0.25, atol=1e-6)
    assert a.output_names == ("prediction",)


def test_gradient_shap_matches_captum_with_the_same_seed(net_and_data):
    from captum.attr import GradientShap

    net, X = net_and_data
    a = iw.explain_tabular(net, X[:8], method="gradient_shap", background=X[::20], random_state=5, n_samples=20)
    torch.manual_seed(5)
    np.random.seed(5)  # noqa: NPY002 - captum's GradientShap also draws from numpy's global generator
    x, ref = torch.from_numpy(X[:8]), torch.from_numpy(X[::20])
    expected = [GradientShap(net).attribute(x, baselines=ref, target=k, n_samples=20).detach().numpy() for k in (0, 1)]
    np.testing.assert_allclose(a.values, np.stack(expected, axis=-1), atol=1e-6)
    assert a.convergence_delta.shape == (8, 2)


@pytest.mark.parametrize("method", ["deep", "integrated_gradients", "gradient_shap", "permutation", "kernel"])
def test_torch_kernels_return_the_model_as_they_found_it(net_and_data, method):
    net, X = net_and_data
    net.train()  # lent in train mode, with a frozen layer, a stale gradient and a hook of the user's
    net[0].weight.requires_grad_(False)
    net[2].weight.grad = torch.ones_like(net[2].weight)
    calls = []
    handle = net[1].register_forward_hook(lambda *args: calls.append(1))
    before = {n: p.detach().clone() for n, p in net.named_parameters()}
    hooks = [(len(m._forward_hooks), len(m._forward_pre_hooks), len(m._backward_hooks)) for m in net.modules()]
    attributes = [set(vars(m)) for m in net.modules()]
    try:
        budget = {"permutation": 100, "kernel": 100}.get(method, 8)
        iw.explain_tabular(net, X[:4], method=method, background=X[::50], n_samples=budget)
        assert net.training and all(m.training for m in net.modules())
        assert not net[0].weight.requires_grad and net[0].bias.requires_grad
        assert torch.equal(net[2].weight.grad, torch.ones_like(net[2].weight)) and net[0].bias.grad is None
        assert hooks == [
            (len(m._forward_hooks), len(m._forward_pre_hooks), len(m._backward_hooks)) for m in net.modules()
        ]
        assert attributes == [set(vars(m)) for m in net.modules()]
        assert all(torch.equal(before[n], p) for n, p in net.named_parameters())
    finally:
        handle.remove()
        net[0].weight.requires_grad_(True)
        net.zero_grad(set_to_none=True)
        net.eval()


def test_deep_on_an_unsupported_layer_names_the_fallback():
    net = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LayerNorm(4), torch.nn.Linear(4, 2))
    X = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
    with pytest.raises(ValueError, match="integrated_gradients"):
        iw.explain_tabular(net, X, method="deep")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda X, m: iw.explain_tabular(m, X, method="kernel", output_names=["a", "b"]), ValueError,
         "output_names must have 3 entries; received 2"),
        (lambda X, m: iw.explain_tabular(m, X, method="permutation", background=X[:, :2]), ValueError,
         "background must have 4 columns like X; received 2"),
        (lambda X, m: iw.explain_tabular(m, X, method="deep"), TypeError, "needs a torch.nn.Module"),
        (lambda X, m: iw.explain_tabular(torch.nn.Linear(4, 1), X, method="tree"), ValueError, "tree model"),
        (lambda X, m: iw.explain_tabular(SVC().fit(X, [0] * 75 + [1] * 75), X, method="lime"), TypeError,
         "no predict_proba"),
        (lambda X, m: iw.explain_tabular(object(), X, method="kernel"), TypeError, "fitted estimator"),
        (lambda X, m: iw.explain_tabular(torch.nn.Linear(3, 1), X, method="integrated_gradients"), ValueError,
         "could not run on X of shape"),
        (lambda X, m: iw.explain_tabular(RandomForestClassifier(), X), ValueError,
         r"^RandomForestClassifier is not fitted; call model.fit\(X, y\) before explaining it$"),
        (lambda X, m: iw.explain_tabular(SVC(probability=True), X, method="kernel"), ValueError, "SVC is not fitted"),
        (lambda X, m: iw.explain_tabular(m, X, method="kernel", n_samples=-5), ValueError,
         "^n_samples must be at least 1; received -5$"),
        (lambda X, m: iw.explain_tabular(m, X, method="lime", n_samples=2.5), TypeError,
         "^n_samples must be an int or None; received float$"),
        (lambda X, m: iw.explain_tabular(m, X, method="permutation", random_state=-1), ValueError,
         "^random_state must be at least 0; received -1$"),
        (lambda X, m: iw.TabularExplorer(m, X, n_samples=0), ValueError, "^n_samples must be at least 1; received 0$"),
        (lambda X, m: iw.TabularExplorer(m, X, class_name=["a", "b", "c"]), TypeError,
         "unexpected keyword argument.s. class_name; valid keywords are: X, background, class_names, feature,"),
        (lambda X, m: iw.ForcePlot(iw.explain_tabular(m, X[:2], method="kernel"), outptu=1), TypeError,
         "^ForcePlot got unexpected keyword argument.s. outptu; valid keywords are: alternatives, attribution, "
         "compare, controls, feature, instance, layout, output, selection$"),
    ],
    ids=["class count", "background width", "deep without torch", "tree on torch", "lime without proba",
         "not a model", "net of the wrong width", "unfitted forest", "unfitted svc", "negative n_samples",
         "float n_samples", "negative seed", "explorer budget", "explorer misspelt keyword", "view misspelt keyword"],
)  # fmt: skip
def test_bad_input(iris, call, error, message):
    X, _, model = iris
    with pytest.raises(error, match=message):
        call(X, model)


def test_bool_columns_are_accepted_as_sklearn_accepts_them():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True, as_frame=True)
    X = X.assign(long_sepal=X["sepal length (cm)"] > 5.8, narrow=X["sepal width (cm)"] < 3.0)
    assert X.to_numpy().dtype == object  # what used to be refused as "dtype object"
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    a = iw.explain_tabular(model, X.iloc[:20])
    assert a.feature_names[-2:] == ("long_sepal", "narrow")
    np.testing.assert_array_equal(a.data[:, -2], X["long_sepal"].iloc[:20].to_numpy(dtype=float))
    np.testing.assert_allclose(a.output_values, model.predict_proba(X.iloc[:20]), atol=1e-6)
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['colour'\]"):
        iw.explain_tabular(model, X.assign(colour="red"))


class _Wrapper(BaseEstimator):
    """A model behind an sklearn estimator that keeps no attribute ending in "_" (sklearn would call it unfitted)."""

    def __init__(self, model=None):
        self.model = model

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return self.model.predict_proba(X)


def test_a_fitted_model_behind_a_wrapper_is_not_called_unfitted(iris):
    X, _, model = iris
    a = iw.explain_tabular(_Wrapper(model), X[:3], method="kernel", background=X, random_state=0)
    np.testing.assert_allclose(a.output_values, model.predict_proba(X[:3]), atol=1e-6)
    with pytest.raises(ValueError, match=r"^_Wrapper is not fitted"):  # its own prediction fails: it is not
        iw.explain_tabular(_Wrapper(LogisticRegression()), X[:3], method="kernel")

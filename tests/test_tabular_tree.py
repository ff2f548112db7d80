"""explain_tabular(method="tree") against shap.TreeExplainer called directly, and additivity."""

from __future__ import annotations

import numpy as np
import pytest
import shap
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeRegressor

import interpretwidgets as iw
from interpretwidgets.kernels.tabular import explained_output


def test_binary_forest_matches_shap_and_adds_up_to_probabilities(forest, cancer):
    X = cancer.data.iloc[:80]
    a = iw.explain_tabular(forest, X)
    direct = shap.TreeExplainer(forest)(X)
    np.testing.assert_allclose(a.values, direct.values, atol=1e-12)
    np.testing.assert_allclose(a.base_values, direct.base_values, atol=1e-12)
    np.testing.assert_allclose(a.output_values, forest.predict_proba(X), atol=1e-9)
    assert a.feature_names == tuple(cancer.data.columns)  # DataFrame columns become names
    assert a.output_names == ("0", "1") and a.output_space == "probability"
    assert a.method == "tree" and "path-dependent" in a.baseline
    np.testing.assert_array_equal(a.data, X.to_numpy())


def test_binary_gradient_boosting_has_one_log_odds_output(cancer):
    X, y = cancer.data.to_numpy(), cancer.target.to_numpy()
    model = GradientBoostingClassifier(n_estimators=30, random_state=0).fit(X, y)
    a = iw.explain_tabular(model, X[:50], output_names=["malignant-vs-benign"])
    direct = shap.TreeExplainer(model).shap_values(X[:50])
    np.testing.assert_allclose(a.values[..., 0], direct, atol=1e-10)
    assert a.values.shape == (50, 30, 1) and a.output_space == "log-odds"
    np.testing.assert_allclose(a.output_values[:, 0], model.decision_function(X[:50]), atol=1e-8)
    assert a.feature_names[0] == "feature 0"


def test_multiclass_forest_keeps_every_class():
    X, y = load_iris(return_X_y=True)
    model = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    a = iw.explain_tabular(
        model, X, feature_names=["sl", "sw", "pl", "pw"], output_names=["setosa", "versicolor", "virginica"]
    )
    assert a.values.shape == (150, 4, 3)
    np.testing.assert_allclose(a.output_values, model.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(a.values, shap.TreeExplainer(model).shap_values(X), atol=1e-12)
    np.testing.assert_allclose(explained_output(model, a, X), model.predict_proba(X))


def test_regression_has_an_outputs_axis_of_one():
    X, y = load_diabetes(return_X_y=True)
    model = ExtraTreesRegressor(n_estimators=15, max_depth=5, random_state=0).fit(X, y)
    a = iw.explain_tabular(model, X[:40])
    assert a.values.shape == (40, 10, 1) and a.output_names == ("prediction",) and a.output_space == "raw"
    np.testing.assert_allclose(a.output_values[:, 0], model.predict(X[:40]), atol=1e-7)


def test_interventional_background_sets_the_base_to_the_background_mean():
    X, y = load_diabetes(return_X_y=True)
    model = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    a = iw.explain_tabular(model, X[:10], background=X[100:200])
    np.testing.assert_allclose(a.base_values[:, 0], model.predict(X[100:200]).mean(), rtol=1e-9)
    np.testing.assert_allclose(a.output_values[:, 0], model.predict(X[:10]), atol=1e-7)
    assert "background" in a.baseline


def test_known_truth_only_the_relevant_features_get_credit():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(800, 6))
    y = 3 * X[:, 0] - 2 * X[:, 3]  # features 1, 2, 4 and 5 are irrelevant by construction
    model = ExtraTreesRegressor(n_estimators=40, random_state=0).fit(X, y)
    a = iw.explain_tabular(model, X[:200])
    importance = np.abs(a.values[..., 0]).mean(axis=0)
    assert set(np.argsort(importance)[-2:]) == {0, 3}
    assert importance[[1, 2, 4, 5]].max() < 0.1 * importance[[0, 3]].min()


def test_chunks_give_the_same_values_as_one_call(forest, cancer, monkeypatch):
    from interpretwidgets.kernels import tabular

    X = cancer.data.iloc[:70]
    whole = iw.explain_tabular(forest, X)
    monkeypatch.setitem(tabular.CHUNK_ROWS, "tree", 16)
    chunked = iw.explain_tabular(forest, X, progress=False)
    np.testing.assert_array_equal(whole.values, chunked.values)


@pytest.mark.parametrize(
    ("model_X", "error", "message"),
    [
        (lambda f, X: (f, X.to_numpy()[0]), ValueError, r"2-D .* X\[None, :\]"),
        (lambda f, X: (f, X.to_numpy()[:, :5]), ValueError, "fitted on 30 features; X has 5"),
        (lambda f, X: (f, np.where(np.eye(5, 30) > 0, np.nan, X.to_numpy()[:5])), ValueError, "NaN/inf .* row 0"),
        (lambda f, X: (f, X.iloc[:3].assign(kind="a")), TypeError, r"non-numeric column\(s\) \['kind'\]"),
        (lambda f, X: (f, X.iloc[:0]), ValueError, "at least one instance"),
        (
            lambda f, X: (LogisticRegression().fit(X.iloc[:50, :2], [0, 1] * 25), X.iloc[:5, :2]),
            ValueError,
            "needs a tree model .* LogisticRegression",
        ),
    ],
    ids=["1-d X", "wrong width", "NaN", "string column", "empty", "not a tree"],
)
def test_bad_input(forest, cancer, model_X, error, message):
    model, X = model_X(forest, cancer.data)
    with pytest.raises(error, match=message):
        iw.explain_tabular(model, X)


def test_bad_method_and_names(forest, cancer):
    X = cancer.data.iloc[:5]
    with pytest.raises(
        ValueError, match=r"method must be one of 'tree', 'kernel', .*'gradient_shap'; received 'magic'"
    ):
        iw.explain_tabular(forest, X, method="magic")
    with pytest.raises(ValueError, match="feature_names must have 30 entries"):
        iw.explain_tabular(forest, X, feature_names=["a"])
    with pytest.raises(ValueError, match="output_names must have 2 entries; received 3"):
        iw.explain_tabular(forest, X, output_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="fitted on 30 features; X has 2"):
        iw.explain_tabular(forest, X.iloc[:, :2])

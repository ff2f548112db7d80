"""Shared fixtures: small real models on bundled sklearn datasets, trained in well under a second."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def cancer():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(as_frame=True)


@pytest.fixture(scope="session")
def forest(cancer):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0).fit(cancer.data, cancer.target)


@pytest.fixture(scope="session")
def cancer_attribution(forest, cancer):
    import interpretwidgets as iw

    return iw.explain_tabular(forest, cancer.data.iloc[:60])

"""`import interpretwidgets` must stay cheap: no shap, torch, captum or lime until first use."""

import subprocess
import sys

HEAVY = ("shap", "torch", "captum", "lime", "anywidget", "sklearn")


def test_import_loads_no_heavy_library():
    code = (
        "import sys, interpretwidgets as iw; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules)); "
        "print(sorted(iw.__all__))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "", f"imported at package import: {out[0]}"
    assert "ForcePlot" in out[1] and "explain_tabular" in out[1] and "Attribution" in out[1]


def test_public_names_resolve_lazily():
    import interpretwidgets as iw

    assert iw.Attribution.__name__ == "Attribution"
    assert callable(iw.explain_tabular)
    assert iw.ForcePlot.__module__ == "interpretwidgets.widgets.force"
    try:
        iw.NoSuchThing  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("unknown attribute did not raise")


def test_all_lists_exactly_the_lazy_names():
    import interpretwidgets as iw

    assert sorted(iw.__all__) == sorted(iw._LAZY)

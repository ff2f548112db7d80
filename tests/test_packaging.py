"""The wheel ships the built views; the bundles stay out of git."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
VIEWS = sorted(p.stem for p in (ROOT / "js" / "src" / "views").glob("*.ts"))


def test_wheel_contains_every_view_bundle_and_the_stylesheet(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("interpretwidgets-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for view in VIEWS:
        assert f"interpretwidgets/static/{view}.js" in names
    assert "interpretwidgets/static/styles.css" in names


def test_bundles_are_git_ignored_and_the_lockfile_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "js/package-lock.json" in tracked.splitlines()
    assert not [line for line in tracked.splitlines() if line.startswith("interpretwidgets/static/")]


def test_pyproject_ensures_every_view_is_built():
    text = (ROOT / "pyproject.toml").read_text()
    for view in VIEWS:
        assert f"interpretwidgets/static/{view}.js" in text

"""The README's demo command starts JupyterLab in notebooks/ and the landing notebook shows a force plot."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import time

from .harness import NotebookPage, Server, free_port, wait_until_ready

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_demo_command_serves_the_landing_notebook_with_a_force_plot(page, tmp_path):
    port = free_port()
    notebooks = tmp_path / "notebooks"  # a copy: running cells in the browser must not rewrite the repo's notebook
    shutil.copytree(ROOT / "notebooks", notebooks)
    # What an earlier JupyterLab session leaves in the user's workspaces: a tab of a notebook that is not here.
    config = tmp_path / "jupyter-config"
    workspaces = config / "lab" / "workspaces"
    workspaces.mkdir(parents=True)
    ghost = "ghost-of-an-earlier-run.ipynb"
    dock = {"type": "tab-area", "currentIndex": 0, "widgets": [f"notebook:{ghost}"]}
    for name, file in (("default", "default-37a8"), ("index", "index-1bc0")):
        data = {
            "layout-restorer:data": {"main": {"dock": dock, "current": f"notebook:{ghost}"}},
            f"notebook:{ghost}": {"data": {"path": ghost, "factory": "Notebook"}},
        }
        (workspaces / f"{file}.jupyterlab-workspace").write_text(json.dumps({"data": data, "metadata": {"id": name}}))
    process = subprocess.Popen(
        ["bash", "scripts/demo.sh"],
        cwd=ROOT,
        env={
            **os.environ,
            "PORT": str(port),
            "IW_SKIP_SETUP": "1",
            "IW_NOTEBOOK_DIR": str(notebooks),
            "JUPYTER_CONFIG_DIR": str(config),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            match = re.search(r"JupyterLab: (http://127\.0\.0\.1:\d+)/lab/tree/index\.ipynb\?token=(\w+)", line)
            if match:
                url = match
        assert url, "the demo command printed no URL"
        server = Server(url.group(1), url.group(2), notebooks, process)
        wait_until_ready(server)
        nb = NotebookPage(page, server, "index.ipynb")
        page.wait_for_timeout(1500)  # a restored tab would have asked for its file by now
        tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel").all_inner_texts()
        assert tabs == ["index.ipynb"], tabs
        assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").all_inner_texts()
        nb.run_cell(1)  # imports, model, TreeSHAP (cell 0 is the title)
        nb.run_cell(3)  # the force plot
        page.wait_for_selector(".iw-force .iw-force-segment", timeout=60_000)
        assert page.locator(".iw-force .iw-force-segment").count() > 10
        nb.screenshot("demo-landing-notebook")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        log = process.stdout.read()
        process.wait(timeout=20)
    # JupyterLab asks for the files of the tabs it restores: the demo must restore none of an earlier session
    assert "ghost-of-an-earlier-run" not in log, [line for line in log.splitlines() if "ghost" in line][:3]

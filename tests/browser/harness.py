"""Drive a real JupyterLab / Notebook 7 in headless Debian Chromium: write a notebook, run its cells, read back."""

from __future__ import annotations

import itertools
import json
import os
import pathlib
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import nbformat

CHROMIUM = os.environ.get("IW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUTPUT_DIR = pathlib.Path(__file__).resolve().parents[2] / "test-output" / "browser"
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook in the active tab
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
# JupyterLab asks whether to fetch news; answer for it so the toast never covers a cell.
USER_SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"}}


@dataclass
class Server:
    url: str
    token: str
    root: pathlib.Path
    process: subprocess.Popen[bytes]

    def page_url(self, notebook: str, app: str = "lab") -> str:
        # a workspace of its own per notebook, so JupyterLab does not reopen the tabs of earlier tests
        stem = pathlib.Path(notebook).stem
        path = f"lab/workspaces/{stem}/tree/{notebook}" if app == "lab" else f"notebooks/{notebook}"
        return f"{self.url}/{path}?token={self.token}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(root: pathlib.Path, timeout: float = 120.0) -> Server:
    """Start one JupyterLab server (which also serves Notebook 7 pages) on 127.0.0.1 in ``root``."""
    settings = root / ".settings"
    for name, value in USER_SETTINGS.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value))
    port, token = free_port(), secrets.token_hex(16)
    log = open(root / "jupyter-server.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={root / '.workspaces'}",
            "--ServerApp.open_browser=False", "--ServerApp.disable_check_xsrf=True",
        ],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", token, root, process)
    wait_until_ready(server, timeout)
    return server


def wait_until_ready(server: Server, timeout: float = 120.0) -> None:
    """Wait until the server answers its status API; fail early if its process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"jupyter exited early with code {server.process.returncode}")
        try:
            with urllib.request.urlopen(f"{server.url}/api/status?token={server.token}", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    server.process.kill()
    raise TimeoutError(f"jupyter did not answer on {server.url} within {timeout:.0f} s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


def wait_for_kernel(server: Server, notebook: str, timeout: float = 90.0) -> None:
    """Wait until the page's kernel for ``notebook`` has started and reports idle (asked through the REST API):
    JupyterLab silently drops a run request made before its kernel is attached."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{server.url}/api/sessions?token={server.token}", timeout=5) as response:
            sessions = json.load(response)
        states = [s["kernel"]["execution_state"] for s in sessions if s.get("path", "").endswith(notebook)]
        if "idle" in states:
            return
        time.sleep(0.3)
    raise TimeoutError(f"no idle kernel for {notebook} after {timeout:.0f} s")


def interrupt_kernel(server: Server, notebook: str, action: str = "interrupt") -> None:
    """Interrupt (or, with ``action="restart"``, restart) the kernel of ``notebook``, as the Kernel menu would.

    A library stuck in C code ignores an interrupt; a restart always frees the kernel."""
    with urllib.request.urlopen(f"{server.url}/api/sessions?token={server.token}", timeout=5) as response:
        sessions = json.load(response)
    for session in sessions:
        if session.get("path", "").endswith(notebook):
            request = urllib.request.Request(
                f"{server.url}/api/kernels/{session['kernel']['id']}/{action}?token={server.token}", method="POST"
            )
            urllib.request.urlopen(request, timeout=5).close()


def write_notebook(root: pathlib.Path, name: str, cells: list[str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, root / name)
    return name


class NotebookPage:
    """A notebook opened in JupyterLab or Notebook 7, run cell by cell as a person would (Shift+Enter)."""

    def __init__(self, page: Any, server: Server, notebook: str, app: str = "lab") -> None:
        self.page = page
        self.server = server
        self.notebook = notebook
        self.app = app
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.goto(server.page_url(notebook, app))
        page.wait_for_selector(f"{NOTEBOOK} .jp-Cell", timeout=90_000)
        wait_for_kernel(server, notebook)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)

    def cell(self, index: int) -> Any:
        return self.page.locator(f"{NOTEBOOK} .jp-Cell").nth(index)

    def run_cell(self, index: int, timeout: float = 120_000) -> None:
        """Select cell ``index`` and press Shift+Enter; wait until it has run (its prompt shows a new number)."""
        cell = self.cell(index)
        before = cell.locator(".jp-InputPrompt").inner_text()
        changed = """([selector, index, before, done]) => {
            const cell = document.querySelectorAll(selector)[index];
            const prompt = cell?.querySelector('.jp-InputPrompt')?.textContent ?? '';
            return prompt !== before && (!done || /\\[\\d+\\]/.test(prompt));
        }"""
        selector = f"{NOTEBOOK} .jp-Cell"
        # Right after a kernel starts, JupyterLab can drop a run request; a person would press again.
        for attempt in range(4):
            cell.locator(".jp-InputArea-editor").click()
            self.page.keyboard.press("Shift+Enter")
            try:
                self.page.wait_for_function(changed, arg=[selector, index, before, False], timeout=15_000)
                break
            except Exception:
                if attempt == 3:
                    raise
        self.page.wait_for_function(changed, arg=[selector, index, before, True], timeout=timeout)

    def output_text(self, index: int) -> str:
        return self.cell(index).locator(".jp-OutputArea-output").last.inner_text()

    def output_json(self, index: int) -> Any:
        text = self.output_text(index).strip()
        try:
            return json.loads(text.splitlines()[-1])
        except (json.JSONDecodeError, IndexError) as exc:
            raise AssertionError(f"cell {index} printed no JSON: {text!r}") from exc

    def screenshot(self, name: str) -> pathlib.Path:
        OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
        path = OUTPUT_DIR / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def click_a_beeswarm_point(page: Any, scope: str = ".iw-beeswarm") -> int:
    """Sweep the pointer along the beeswarm's top row until its tooltip names a point, as a person would, click
    there, and return the instance the tooltip named."""
    swarm = page.locator(scope).first
    box = swarm.locator("canvas.iw-beeswarm-canvas").bounding_box()
    y = box["y"] + float(swarm.get_attribute("data-first-row-y"))
    left, right = float(swarm.get_attribute("data-plot-left")), float(swarm.get_attribute("data-plot-right"))
    tooltip = swarm.locator(".iw-tooltip")
    for step in range(1, 80):
        x = box["x"] + left + (right - left) * step / 80
        page.mouse.move(x, y)
        if tooltip.is_visible():
            instance = int(tooltip.inner_text().split("instance")[1].split()[0])
            page.mouse.click(x, y)
            return instance
    raise AssertionError("no beeswarm point under the pointer along the top row")


class KernelWire:
    """Every message between the page and its kernels, read off the websockets as the browser sees them.

    Parses both wire formats of jupyter_server: JSON text frames and the binary ``v1.kernel.websocket.jupyter.org``
    frames (u64 count, u64 offsets, then channel, header, parent header, metadata, content and buffers).
    """

    def __init__(self, page: Any) -> None:
        self.messages: list[dict[str, Any]] = []
        page.on("websocket", self._attach)

    def _attach(self, ws: Any) -> None:
        if "/api/kernels/" not in ws.url:
            return
        ws.on("framesent", lambda payload: self._record("sent", payload))
        ws.on("framereceived", lambda payload: self._record("received", payload))

    def _record(self, direction: str, payload: str | bytes) -> None:
        size = len(payload.encode() if isinstance(payload, str) else payload)
        message = _parse_frame(payload)
        message.update(direction=direction, bytes=size, at=time.monotonic())
        self.messages.append(message)

    def mark(self) -> int:
        """A position to count messages from."""
        return len(self.messages)

    def since(self, mark: int) -> list[dict[str, Any]]:
        return self.messages[mark:]

    @staticmethod
    def widget_updates(messages: list[dict[str, Any]], direction: str = "sent") -> list[dict[str, Any]]:
        """State updates of widgets (comm messages with method "update") in one direction."""
        return _comm_messages(messages, direction, "update")

    @staticmethod
    def custom(messages: list[dict[str, Any]], direction: str = "sent") -> list[dict[str, Any]]:
        """Custom widget messages (our requests and replies) in one direction."""
        return _comm_messages(messages, direction, "custom")

    @staticmethod
    def received_bytes(messages: list[dict[str, Any]]) -> int:
        return sum(m["bytes"] for m in messages if m["direction"] == "received")


def _comm_messages(messages: list[dict[str, Any]], direction: str, method: str) -> list[dict[str, Any]]:
    return [
        m for m in messages
        if m["direction"] == direction and m.get("msg_type") == "comm_msg"
        and m.get("content", {}).get("data", {}).get("method") == method
    ]  # fmt: skip


def _parse_frame(payload: str | bytes) -> dict[str, Any]:
    if isinstance(payload, str):
        msg = json.loads(payload)
        header, content = msg.get("header", {}), msg.get("content", {})
        return {"channel": msg.get("channel"), "msg_type": header.get("msg_type"), "content": content,
                "buffers": len(msg.get("buffers", [])), "buffer_bytes": 0}  # fmt: skip
    count = int.from_bytes(payload[:8], "little")
    offsets = [int.from_bytes(payload[8 + 8 * i : 16 + 8 * i], "little") for i in range(count)]
    # the offsets mark where the channel and each part start, and the last one where the frame ends
    parts = [payload[a:b] for a, b in itertools.pairwise(offsets)]
    channel, header, _parent, _metadata, content, *buffers = parts
    return {"channel": channel.decode(), "msg_type": json.loads(header).get("msg_type"), "content": json.loads(content),
            "buffers": len(buffers), "buffer_bytes": sum(len(b) for b in buffers)}  # fmt: skip

"""A real JupyterLab server and headless Chromium, for the browser tests and the widget benchmark.

``tests/test_widget_browser.py`` and ``benchmarks/bench_widget.py`` both use it::

    with JupyterLab(root) as lab, chromium() as browser:
        page = browser.new_page()
        notebook = open_notebook(page, lab, "demo.ipynb")   # opened, kernel idle
        run_all_cells(page, notebook, expected_widgets=2)
        view = WidgetView(page, cell=1)                      # the Net2Vis view in cell 1

The server listens on 127.0.0.1 only, without token, and keeps its settings, workspaces and
runtime files in the temporary directory it is given. Every wait has a timeout.
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

SERVER_TIMEOUT = 60  # s: server up and answering /api/status
KERNEL_TIMEOUT = 60  # s: notebook opened and its kernel idle
RUN_TIMEOUT = 120  # s: all cells run (imports TensorFlow, builds the models)
ACTION_TIMEOUT = 15  # s: one action round trip (click → Python → new SVG in the page)
SETTLE_AFTER_IDLE = 2.0  # s: JupyterLab needs a moment after "kernel idle" (NOTES.md)

# JupyterLab user settings for the test server: every cell attached to the DOM (no windowing,
# so off-screen outputs exist), and no news/update checks (no network, no toast over the page).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
}


class BrowserStackMissing(RuntimeError):
    """Chromium, JupyterLab or Playwright is not installed."""


def check_stack() -> None:
    """Raise ``BrowserStackMissing`` saying what to install, if anything is missing."""
    missing = []
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install -y chromium)")
    for module, package in (("jupyterlab", "jupyterlab"), ("notebook", "notebook"),
                            ("playwright", "playwright"), ("nbformat", "nbformat")):
        if importlib.util.find_spec(module) is None:
            missing.append(f"the Python package {package!r} (pip install {package})")
    if missing:
        raise BrowserStackMissing("browser tests need " + "; ".join(missing)
                                  + ". Playwright must not download a browser: use Debian's.")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A notebook of code cells (not executed) for the current Python kernel."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, str(path))
    return path


class JupyterLab:
    """``python -m jupyterlab`` on 127.0.0.1:<free port>, serving ``<base>/notebooks``.

    ``base`` is a directory the caller owns (a temporary one); the server's settings,
    workspaces, runtime files and log live next to the notebooks, under ``base``.
    """

    module, app, tree = "jupyterlab", "LabApp", "lab/tree"  # what to run, where notebooks open

    def __init__(self, base: Path, settings: dict = LAB_SETTINGS):
        self.base = Path(base)
        self.settings = settings
        self.root = self.base / "notebooks"
        self.log_path = self.base / "jupyterlab.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> JupyterLab:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        check_stack()
        self.root.mkdir(parents=True, exist_ok=True)
        settings = self.base / "lab-settings"
        for name, values in self.settings.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values))
        env = {**os.environ,
               "JUPYTERLAB_SETTINGS_DIR": str(settings),
               "JUPYTERLAB_WORKSPACES_DIR": str(self.base / "lab-workspaces"),
               "JUPYTER_RUNTIME_DIR": str(self.base / "runtime"),
               "IPYTHONDIR": str(self.base / "ipython"),
               "TF_CPP_MIN_LOG_LEVEL": "3"}
        command = [sys.executable, "-m", self.module, "--no-browser", "--allow-root",
                   f"--port={self.port}", "--ServerApp.port_retries=0",
                   "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
                   "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
                   f"--ServerApp.root_dir={self.root}", f"--{self.app}.expose_app_in_browser=True"]
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - open while the server runs
        # its own session, so stop() can end the server's kernels with it
        self.process = subprocess.Popen(command, cwd=self.base, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + SERVER_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n"
                                   + self.log_tail())
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"JupyterLab did not answer on {self.url} within {SERVER_TIMEOUT} s:\n"
                           + self.log_tail())

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            try:  # a clean shutdown ends the kernels too
                request = urllib.request.Request(f"{self.url}/api/shutdown", method="POST")
                urllib.request.urlopen(request, timeout=5).close()
                process.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # leftovers of our session: its kernels
        self._log.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


class Notebook7(JupyterLab):
    """Jupyter Notebook 7 (the ``notebook`` package): the same server, one notebook a page."""

    module, app, tree = "notebook", "JupyterNotebookApp", "notebooks"


@contextlib.contextmanager
def chromium(headless: bool = True):
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    check_stack()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=headless)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def notebook_session(server_class, base: Path, path: str, cells: list[str], expected_widgets: int,
                     settings: dict = LAB_SETTINGS):
    """A server (``JupyterLab`` or ``Notebook7``) on ``base``, a notebook of ``cells`` at
    ``path``, opened in Chromium and run until ``expected_widgets`` views show: yields
    ``(server, page)``; ``page.uncaught_errors`` collects the page's uncaught errors (with
    their ``.stack``). Playwright's ``expect`` waits up to ACTION_TIMEOUT meanwhile."""
    (base / "notebooks").mkdir(exist_ok=True)
    write_notebook(base / "notebooks" / path, cells)
    with server_class(base, settings) as server, chromium() as browser:
        from playwright.sync_api import expect

        expect.set_options(timeout=ACTION_TIMEOUT * 1000)
        page = new_page(browser)
        page.uncaught_errors = []
        page.on("pageerror", lambda error: page.uncaught_errors.append(error))
        try:
            open_notebook(page, server, path)
            run_all_cells(page, path, expected_widgets)
        except Exception:
            print(f"{server.module} log:\n" + server.log_tail())
            raise
        yield server, page


def new_page(browser, width: int = 1400, height: int = 1000):
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    page.set_default_timeout(ACTION_TIMEOUT * 1000)
    return page


# --- JupyterLab, driven through window.jupyterapp (expose_app_in_browser) -----------------------

# A JS expression for the notebook panel showing `path` (an argument named `path` must exist).
_PANEL = ("[...window.jupyterapp.shell.widgets('main')]"
          ".find((w) => w.context && w.context.path === path)")


def open_notebook(page, lab: JupyterLab, path: str) -> str:
    """Open ``path`` (relative to the server root) and wait until its kernel is idle."""
    page.goto(f"{lab.url}/{lab.tree}/{path}?reset", wait_until="domcontentloaded")
    page.wait_for_function(
        f"""(path) => {{
            if (!window.jupyterapp) return false;
            const panel = {_PANEL};
            const session = panel && panel.sessionContext.session;
            const kernel = session && session.kernel;
            return Boolean(panel && panel.sessionContext.isReady && kernel
                           && kernel.connectionStatus === 'connected' && kernel.status === 'idle');
        }}""", arg=path, timeout=KERNEL_TIMEOUT * 1000, polling=200)
    page.wait_for_timeout(SETTLE_AFTER_IDLE * 1000)
    return path


# JS: error outputs of the notebook's cells, as "cell i: Name: value" (needs `panel`).
_ERRORS = """panel.content.widgets.flatMap((cell, i) => cell.model.type !== 'code' ? [] :
    cell.model.outputs.toJSON().filter((out) => out.output_type === 'error')
        .map((out) => `cell ${i}: ${out.ename}: ${out.evalue}`))"""


def run_all_cells(page, path: str, expected_widgets: int, timeout: float = RUN_TIMEOUT) -> None:
    """Run every cell; wait until ``expected_widgets`` Net2Vis views show an SVG in outputs.

    Fails as soon as a cell raises, with the exception's name and message.
    """
    page.evaluate(f"""(path) => {{
        const panel = {_PANEL};
        window.jupyterapp.shell.activateById(panel.id);
        window.jupyterapp.commands.execute('notebook:run-all-cells');
    }}""", path)
    page.wait_for_function(
        f"""([path, expected]) => {{
            const panel = {_PANEL};
            const views = panel.node.querySelectorAll('.jp-OutputArea-output .n2v-widget svg');
            return views.length >= expected || {_ERRORS}.length > 0;
        }}""", arg=[path, expected_widgets], timeout=timeout * 1000, polling=250)
    errors = page.evaluate(f"(path) => {{ const panel = {_PANEL}; return {_ERRORS}; }}", path)
    if errors:
        raise AssertionError("a notebook cell failed: " + "; ".join(errors))


def run_in_kernel(page, path: str, code: str, timeout: float = ACTION_TIMEOUT) -> str:
    """Execute ``code`` in the notebook's kernel (not as a cell); return its stdout.

    The request queues behind the widget messages already sent, so it sees their effects.
    """
    result = page.evaluate(
        f"""async ([path, code, timeout]) => {{
            const panel = {_PANEL};
            const future = panel.sessionContext.session.kernel.requestExecute(
                {{code, store_history: false, silent: false}});
            let out = '', error = null;
            future.onIOPub = (msg) => {{
                const kind = msg.header.msg_type;
                if (kind === 'stream' && msg.content.name === 'stdout') out += msg.content.text;
                if (kind === 'error') error = `${{msg.content.ename}}: ${{msg.content.evalue}}`;
            }};
            const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeout));
            const done = await Promise.race([future.done.then(() => 'done'), timer]);
            return {{out, error, done}};
        }}""", [path, code, timeout * 1000])
    if result["done"] != "done":
        raise TimeoutError(f"the kernel did not finish {code!r} within {timeout} s")
    if result["error"]:
        raise AssertionError(f"{code!r} raised {result['error']}")
    return result["out"]


def kernel_value(page, path: str, expression: str):
    """The value of a JSON-able Python expression, evaluated in the kernel of ``path``."""
    return json.loads(run_in_kernel(page, path, f"import json; print(json.dumps({expression}))"))


def snapshot(locator, name: str) -> Path:
    """A screenshot of ``locator`` in tests/artifacts/ (git-ignored), to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    locator.screenshot(path=ARTIFACTS / name)
    return ARTIFACTS / name


def css_string(value: str) -> str:
    """``value`` as a CSS string for an attribute selector. JSON quoting fits, but its
    ``\\uXXXX`` escapes do not: non-ASCII names (``Conv2D×2``) stay as they are."""
    return json.dumps(value, ensure_ascii=False)


# --- one Net2Vis view in the page --------------------------------------------------------------

class WidgetView:
    """The Net2Vis view in the output of one notebook cell, and the actions on it.

    Actions that change the figure wait until the view has shown a new SVG
    (``data-renders`` of the view's root increments).
    """

    def __init__(self, page, cell: int):
        self.page = page
        self.cell = page.locator(".jp-Notebook .jp-Cell").nth(cell)
        self.root = self.cell.locator(".jp-OutputArea-output .n2v-widget")
        self.svg = self.root.locator(".n2v-viewport > .n2v-canvas > svg")
        self.glyphs = self.svg.locator("polygon.n2v-layer")
        self.message = self.root.locator(".n2v-message")
        self.muted = self.root.locator(".n2v-muted")
        self.tooltip = self.root.locator(".n2v-tooltip")
        self.preferences = self.root.locator(".n2v-preferences")
        self.legend = self.root.locator(".n2v-legend-panel")  # the figure's legend, kept in view
        self.search = self.root.locator("input.n2v-search")

    def button(self, label: str):
        return self.root.locator(".n2v-toolbar button", has_text=label)

    def glyph(self, glyph_id: str):
        return self.svg.locator(f"polygon.n2v-layer[data-id={css_string(glyph_id)}]")

    def legend_item(self, key: str):
        return self.legend.locator(f"g.n2v-legend-item[data-key={css_string(key)}]")

    def legend_keys(self) -> list[str]:
        return self.legend.locator("g.n2v-legend-item").evaluate_all(
            "items => items.map(item => item.dataset.key)")

    def chip(self, key: str):
        return self.muted.locator(f".n2v-chip[data-key={css_string(key)}]")

    def glyph_count(self) -> int:
        return self.glyphs.count()

    def renders(self) -> int:
        return int(self.root.get_attribute("data-renders") or 0)

    def render_ms(self) -> float:
        return float(self.root.get_attribute("data-render-ms"))

    def svg_html(self) -> str:
        return self.svg.evaluate("svg => svg.outerHTML")

    def wait_for_render(self, after: int, timeout: float = ACTION_TIMEOUT) -> None:
        """Wait until the view has shown more than ``after`` SVGs."""
        self.page.wait_for_function(
            "([root, after]) => Number(root.dataset.renders || 0) > after",
            arg=[self.root.element_handle(), after], timeout=timeout * 1000, polling="raf")

    def act(self, target, **click_options) -> None:
        """Click ``target`` (a locator) and wait for the re-rendered SVG."""
        before = self.renders()
        target.click(**click_options)
        self.wait_for_render(before)

    def select(self, glyph, shift: bool = False) -> None:
        """Click (or shift-click) a glyph and wait until the view highlights it as selected."""
        glyph.click(modifiers=["Shift"] if shift else None)
        self.page.wait_for_function("glyph => glyph.classList.contains('n2v-selected')",
                                    arg=glyph.element_handle(), timeout=ACTION_TIMEOUT * 1000)

    def download(self) -> tuple[str, str]:
        """Click Download SVG: the suggested file name and the text of the file saved."""
        with self.page.expect_download(timeout=ACTION_TIMEOUT * 1000) as info:
            self.button("Download SVG").click()
        return info.value.suggested_filename, Path(info.value.path()).read_text(encoding="utf-8")

    def timed_click(self, target, timeout: float = ACTION_TIMEOUT) -> dict:
        """Click ``target`` from inside the page and time the round trip there.

        Returns milliseconds: ``shown`` (click → the view has shown the new SVG),
        ``painted`` (→ two animation frames later, i.e. on screen) and the view's own
        ``render_ms`` (action sent → new SVG shown, the ``data-render-ms`` attribute).
        """
        return self.page.evaluate(
            """async ([root, target, timeout]) => {
                const before = Number(root.dataset.renders || 0);
                const start = performance.now();
                const shown = new Promise((resolve, reject) => {
                    const observer = new MutationObserver(() => {
                        if (Number(root.dataset.renders || 0) > before) {
                            observer.disconnect();
                            resolve(performance.now());
                        }
                    });
                    observer.observe(root, {attributes: true, attributeFilter: ['data-renders']});
                    setTimeout(() => {
                        observer.disconnect();
                        reject(new Error('no new SVG'));
                    }, timeout);
                });
                target.dispatchEvent(
                    new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));
                const shownAt = await shown;
                await new Promise((resolve) =>
                    requestAnimationFrame(() => requestAnimationFrame(resolve)));
                return {shown: shownAt - start, painted: performance.now() - start,
                        render_ms: Number(root.dataset.renderMs)};
            }""", [self.root.element_handle(), target.element_handle(), timeout * 1000])

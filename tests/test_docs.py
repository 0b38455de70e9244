"""The docs are true: the site builds with warnings as errors, every code block of the README
and the docs runs exactly as shown, every docstring example gives what it shows, and the
supported-versions table is the versions the tests pin."""
from __future__ import annotations

import doctest
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from net2vis_widget import Edge, Net2Vis, Network, Node, figure
from net2vis_widget.examples import residual_net

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.M | re.S)
# Shell lines a test cannot run as shown: installs, the tests themselves, CI.
NOT_RUN = ("pip ", "pytest", "bash .ci/run", "apt-get ")
DOCUMENTED = ["figure", "widget", "preferences", "network"]  # modules whose docstring examples run


def code_blocks(page: Path) -> list[tuple[str, str]]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_docs_site_builds_with_warnings_as_errors(tmp_path):
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                            str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("auto_group", "open_occurrence", "glyphs", "page_width"):
        assert name in api


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_code_block_runs_as_shown(page, tmp_path, monkeypatch):
    """The Python blocks of a page run in order in one namespace (a block may use what one
    before it built); each ``net2vis`` line of a shell block runs in a shell."""
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for language, code in code_blocks(page):
        if language == "python":
            exec(compile(code, f"{page.name} block", "exec"), namespace)  # noqa: S102
        elif language == "bash":
            for line in code.splitlines():
                if line.strip() and not line.startswith(NOT_RUN):
                    ran = subprocess.run(line, shell=True, capture_output=True, text=True)
                    assert ran.returncode == 0, (line, ran.stderr)


def test_the_pages_have_code_that_runs():
    """The runner above sees the blocks: a page's blocks are fenced as it expects."""
    languages = {language for page in PAGES for language, _ in code_blocks(page)}
    assert {"python", "bash"} <= languages <= {"python", "bash", "text"}  # text: shown only
    assert sum(language == "python" for page in PAGES for language, _ in code_blocks(page)) >= 8


@pytest.mark.parametrize("module", DOCUMENTED)
def test_every_docstring_example_gives_what_it_shows(module, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    globs = {"figure": figure, "Net2Vis": Net2Vis, "model": residual_net(), "Network": Network,
             "Node": Node, "Edge": Edge}
    runner = doctest.DocTestRunner()
    tests = doctest.DocTestFinder().find(sys.modules[f"net2vis_widget.{module}"], globs=globs)
    for test in tests:
        runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert attempted > 0 and failed == 0


def test_every_public_method_has_a_docstring_with_an_example():
    from net2vis_widget import Figure

    for cls in (Figure, Net2Vis):
        for name in [n for n in vars(cls) if not n.startswith("_")]:
            if name in {"snapshot", "restore", "rendering", "styles", "folded"}:
                continue  # plumbing between the figure and the widget, not for users
            doc = getattr(cls, name).__doc__ if not isinstance(
                vars(cls)[name], property) else vars(cls)[name].__doc__
            if callable(getattr(cls, name, None)) or isinstance(vars(cls)[name], property):
                assert doc and "Examples\n" in doc, f"{cls.__name__}.{name}"


def test_the_supported_versions_table_is_what_the_tests_pin():
    pins = dict(re.match(r"([\w-]+)==([\w.]+)", r).groups() for r in tomllib.loads(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
            "optional-dependencies"]["test"] if "==" in r)
    page = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")
    table = page[page.index("## Supported versions"):page.index("## For developers")]
    rows = dict(re.findall(r"^\| `([\w-]+)` \| ([\w.]+) \|", table, re.M))
    assert rows and all(pins[name] == version for name, version in rows.items()), rows
    assert {"keras", "tensorflow-cpu", "torch", "transformers", "onnx", "jupyterlab"} <= set(rows)

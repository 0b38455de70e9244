"""The view ships as the two plain files in ``js/``; building and installing needs no Node.js."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
VIEW = ("widget.js", "widget.css")


def _without_node() -> dict:
    """The environment with only this Python's folder on PATH: no node, no npm."""
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    assert shutil.which("node", path=env["PATH"]) is None
    return env


def _clean_checkout(target: Path) -> Path:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


@pytest.mark.slow
def test_a_wheel_built_without_node_carries_the_view_as_it_is_in_js(tmp_path):
    checkout = _clean_checkout(tmp_path / "checkout")
    assert not (checkout / "package.json").exists()
    env = _without_node()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(tmp_path / "dist"), str(checkout)], check=True, env=env)
    (wheel,) = (tmp_path / "dist").glob("net2vis_widget-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for name in VIEW:
            assert archive.read(f"net2vis_widget/js/{name}") == (ROOT / "js" / name).read_bytes()

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
                    str(target), str(wheel)], check=True, env=env)
    loaded = subprocess.run(
        [sys.executable, "-c", "import net2vis_widget as n; print(n.Net2Vis._esm)"],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(target)}, capture_output=True, text=True,
        check=True)
    assert loaded.stdout.strip() == (ROOT / "js" / "widget.js").read_text(encoding="utf-8").strip()


@pytest.mark.slow
def test_the_sdist_carries_the_view(tmp_path):
    checkout = _clean_checkout(tmp_path / "checkout")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d",
                    str(tmp_path / "dist")], cwd=checkout, check=True, env=_without_node(),
                   capture_output=True)
    (sdist,) = (tmp_path / "dist").glob("net2vis_widget-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {Path(n).relative_to(Path(n).parts[0]).as_posix() for n in archive.getnames()}
    assert {f"js/{name}" for name in VIEW} <= names


def test_importing_the_package_imports_no_framework():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, net2vis_widget; print(sorted(m for m in sys.modules if "
         "m.split('.')[0] in {'keras', 'tensorflow', 'torch', 'onnx', 'transformers'}))"],
        capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"

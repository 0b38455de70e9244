"""The wheel carries the bundled view; installing it needs no Node (SPEC §6.2)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.slow
def test_a_wheel_from_a_clean_checkout_bundles_the_view_and_installs_without_node(tmp_path):
    checkout = tmp_path / "checkout"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)
    assert not (checkout / "net2vis_widget" / "static").exists()

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(tmp_path / "dist"), str(checkout)], check=True)
    (wheel,) = (tmp_path / "dist").glob("net2vis_widget-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"net2vis_widget/static/widget.js", "net2vis_widget/static/widget.css"} <= set(names)

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
                    str(target), str(wheel)], check=True)
    no_node = {**os.environ, "PYTHONPATH": str(target), "PATH": str(Path(sys.executable).parent)}
    shown = subprocess.run(
        [sys.executable, "-c", "import net2vis_widget as n; print(len(str(n.Net2Vis._esm)) > 1000)"],
        cwd=tmp_path, env=no_node, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "True"

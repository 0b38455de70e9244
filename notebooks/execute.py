"""Re-run the example notebooks in place and refresh the gallery under ``docs/``.

``python notebooks/execute.py [NAME ...]`` executes each notebook (all by default), stores
its outputs for nbval, and strips the widget state (it would embed the whole JS bundle).
The kernels start without TensorFlow's log lines, so no stored output is a stderr block.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from net2vis_widget.cli import QUIET_TENSORFLOW

HERE = Path(__file__).parent


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)
    print(f"executed {path.name}")


if __name__ == "__main__":
    os.environ.update(QUIET_TENSORFLOW)  # read by each kernel's TensorFlow
    names = sys.argv[1:] or sorted(p.stem for p in HERE.glob("*.ipynb"))
    for name in names:
        execute(HERE / f"{name}.ipynb")

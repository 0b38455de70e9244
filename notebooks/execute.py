"""Re-run the example notebooks in place and refresh the gallery under ``docs/``.

``python notebooks/execute.py [NAME ...]`` executes each notebook (all by default), stores
its outputs for nbval, and strips the widget state (it would embed the whole JS bundle).
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

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
    names = sys.argv[1:] or sorted(p.stem for p in HERE.glob("*.ipynb"))
    for name in names:
        execute(HERE / f"{name}.ipynb")

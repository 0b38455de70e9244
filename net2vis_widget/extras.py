"""The optional installs (extras) and a command that installs one from wherever this package
runs: the checkout of an editable install, else the extra's own requirements."""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

# the extra that brings each optional module
EXTRA_OF = {"keras": "keras", "tensorflow": "keras", "torch": "torch", "onnx": "onnx",
            "onnxscript": "onnx", "pymupdf": "export", "transformers": "transformers"}


def install_command(extra: str) -> str:
    """The ``pip install`` that adds ``extra`` to this installation (the package is not on
    PyPI: an install by its name would fail)."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file():
        return f'pip install -e "{checkout}[{extra}]"'
    marker = re.compile(rf"""extra\s*==\s*["']{extra}["']""")
    wanted = [r.split(";")[0].replace(" ", "") for r in metadata.requires("net2vis-widget") or []
              if marker.search(r)]
    return "pip install " + " ".join(f'"{r}"' for r in wanted)


def missing(error: ModuleNotFoundError, what: str) -> Exception:
    """``error`` said in one line that names the extra to install, where one brings the module."""
    extra = EXTRA_OF.get((error.name or "").split(".")[0])
    if extra is None:
        return error
    return ImportError(f"{what} needs {error.name} (the [{extra}] extra): "
                       f"{install_command(extra)}")

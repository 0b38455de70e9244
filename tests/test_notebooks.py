"""The example notebooks as stored: what GitHub shows before anyone runs them (nbval runs them)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.stem)
def notebook(request):
    return json.loads(request.param.read_text(encoding="utf-8"))


def outputs(notebook):
    return [out for cell in notebook["cells"] for out in cell.get("outputs", [])]


def test_every_notebook_is_stored_executed(notebook):
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code and all(cell["execution_count"] for cell in code)


def test_no_stored_output_is_log_noise_on_stderr(notebook):
    stderr = [out["text"] for out in outputs(notebook) if out.get("name") == "stderr"]
    assert stderr == []


def test_no_widget_state_is_stored(notebook):
    assert "widgets" not in notebook["metadata"]

"""Saving figures and the ``net2vis`` command line (SPEC §6.1)."""
from __future__ import annotations

import os
import subprocess
import sys

import keras
import pytest
from keras import layers

from net2vis_widget import figure
from net2vis_widget.cli import main


@pytest.fixture(scope="module")
def tiny():
    inputs = keras.Input((32, 32, 3), name="image")
    x = layers.Conv2D(8, 3, name="conv")(inputs)
    return keras.Model(inputs, layers.GlobalAveragePooling2D()(x), name="tiny")


def test_save_svg_writes_the_same_document_as_to_svg(tiny, tmp_path):
    fig = figure(tiny)
    fig.save(tmp_path / "tiny.svg")
    assert (tmp_path / "tiny.svg").read_text(encoding="utf-8") == fig.to_svg()


def test_save_pdf_and_png_with_the_export_extra(tiny, tmp_path):
    fig = figure(tiny)
    fig.save(tmp_path / "tiny.pdf")
    fig.save(tmp_path / "tiny.png")
    assert (tmp_path / "tiny.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "tiny.png").read_bytes().startswith(b"\x89PNG")


def test_save_without_the_converter_names_the_extra(tiny, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pymupdf", None)  # as if the extra were not installed
    with pytest.raises(ImportError, match=r'the \[export\] extra\): pip install -e ".*\[export\]"'):
        figure(tiny).save(tmp_path / "tiny.pdf")
    assert not (tmp_path / "tiny.pdf").exists()


def test_save_refuses_unknown_formats(tiny, tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.pdf or \.png"):
        figure(tiny).save(tmp_path / "tiny.jpg")


def test_notebook_shows_the_figure_as_svg(tiny):
    fig = figure(tiny)
    assert fig._repr_svg_() == fig.to_svg()
    assert repr(fig) == "<net2vis figure of 'tiny': 3 layers as 3 glyphs>"


def test_cli_draws_a_keras_applications_model(tmp_path, capsys):
    assert main(["MobileNetV2", "-o", str(tmp_path / "m.svg"), "--auto-group", "no"]) == 0
    assert (tmp_path / "m.svg").read_text().count('class="n2v-layer"') == 152  # 4 paddings hidden
    assert main(["MobileNetV2", "-o", str(tmp_path / "auto.svg")]) == 0  # too many: folded
    assert (tmp_path / "auto.svg").read_text().count('class="n2v-layer"') < 40


def test_cli_draws_a_saved_model_file(tiny, tmp_path):
    tiny.save(tmp_path / "tiny.keras")
    assert main([str(tmp_path / "tiny.keras"), "-o", str(tmp_path / "tiny.svg")]) == 0
    assert (tmp_path / "tiny.svg").read_text().count('class="n2v-layer"') == 3


def test_cli_draws_a_model_from_a_factory_function(tmp_path):
    assert main(["net2vis_widget.examples:voxel_net", "-o", str(tmp_path / "v.svg")]) == 0
    assert "30×30×30" in (tmp_path / "v.svg").read_text()


def test_cli_explains_a_bad_model_name(tmp_path, capsys):
    assert main(["ResNet5O", "-o", str(tmp_path / "x.svg")]) == 1
    assert "neither a model file" in capsys.readouterr().err
    assert not (tmp_path / "x.svg").exists()


def _net2vis(*args, cwd):
    """The installed command in a fresh process, with none of TensorFlow's settings preset."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    command = [sys.executable, "-c", "import sys; from net2vis_widget.cli import main; "
               "sys.exit(main())", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_cli_prints_one_line_and_no_framework_noise(tmp_path):
    done = _net2vis("ResNet50", "-o", "x.svg", cwd=tmp_path)
    assert done.returncode == 0
    assert (done.stdout + done.stderr).splitlines() == ["net2vis: wrote x.svg"]


def test_cli_failure_is_one_clear_line(tmp_path):
    (tmp_path / "broken.keras").write_bytes(b"not a zip archive")
    done = _net2vis("broken.keras", "-o", "x.svg", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("net2vis: ")
    assert not (tmp_path / "x.svg").exists()


def test_cli_without_keras_names_the_extra_in_one_line(tmp_path):
    """A base install (no Keras): ``net2vis ResNet50`` says which extra, and how to add it."""
    command = [sys.executable, "-c", "import sys; sys.modules.update(keras=None); "
               "from net2vis_widget.cli import main; sys.exit(main())", "ResNet50", "-o", "x.svg"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert "the [keras] extra" in line and 'pip install -e "' in line and line.endswith('[keras]"')


def test_cli_finds_a_factory_in_the_current_folder(tmp_path):
    (tmp_path / "mypackage").mkdir()
    (tmp_path / "mypackage" / "models.py").write_text(
        "from net2vis_widget.examples import voxel_net as build\n")
    done = _net2vis("mypackage.models:build", "-o", "v.svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "30×30×30" in (tmp_path / "v.svg").read_text()

"""Entry point of the extraction phase: any supported model → ``Network``.

The adapter for a framework is imported only when a model of that framework arrives (its
framework is then already in ``sys.modules``), so ``import net2vis_widget`` imports none.
"""
from __future__ import annotations

import os
import sys

from ..network import Network


def extract(model, input_size=None, input_data=None) -> Network:
    """The network of ``model``: a ``Network``, a built ``keras.Model`` (functional,
    Sequential, nested or subclassed), a ``torch.nn.Module`` with its example inputs, or an
    ``.onnx`` file (a path, or a loaded ``onnx.ModelProto``)."""
    if isinstance(model, Network):
        return model
    onnx = sys.modules.get("onnx")
    is_file = isinstance(model, (str, os.PathLike)) and str(model).lower().endswith(".onnx")
    if is_file or (onnx is not None and isinstance(model, onnx.ModelProto)):
        from . import from_onnx

        return from_onnx.extract(model)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(model, torch.nn.Module):
        from . import from_torch

        return from_torch.extract(model, input_size, input_data)
    if input_size is not None or input_data is not None:
        raise TypeError("input_size and input_data are for PyTorch modules; a Keras model "
                        "knows its input shapes")
    keras = sys.modules.get("keras")
    if keras is not None and isinstance(model, keras.Model):
        from . import from_keras

        return from_keras.extract(model)
    raise TypeError(
        f"cannot draw a {type(model).__module__}.{type(model).__name__}: expected a "
        "keras.Model, a torch.nn.Module (with input_size or input_data) or an .onnx file"
    )


def first_line(error: Exception) -> str:
    """The first line of an error's message (its type where it has none): the reason to quote
    in a one-line message."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__

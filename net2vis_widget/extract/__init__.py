"""Entry point of the extraction phase: any supported model → a checked ``Network``.

The adapter for a framework is imported only when a model of that framework arrives (its
framework is then already in ``sys.modules``), so ``import net2vis_widget`` imports none.
Whatever the adapter, the network it returns is checked here: names made printable, ids
unique, edges between known layers in drawing order.
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import replace

from ..extras import missing
from ..network import Edge, Network, printable, weights_counted_once

PROTOBUF_LIMIT = 2 ** 31  # bytes: no protobuf message, so no ONNX file, is larger


def _onnx_first_bytes() -> tuple[bytes, ...]:
    """The bytes an ONNX file can start with: the tag of a field of ``ModelProto`` (onnx.proto:
    its numbers, those of integers read as varints, the rest length-delimited; writers put
    ``ir_version``, field 1, first)."""
    numbers, integers = (1, 2, 3, 4, 5, 6, 7, 8, 14, 20, 25, 26), (1, 5)
    tags = [number << 3 | (0 if number in integers else 2) for number in numbers]
    return tuple(bytes([tag]) if tag < 128 else bytes([tag & 0x7F | 0x80, tag >> 7])
                 for tag in tags)


# what a model file of each kind starts with
SIGNATURES = {".onnx": _onnx_first_bytes(), ".keras": (b"PK\x03\x04",),
              ".h5": (b"\x89HDF\r\n\x1a\n",)}


class MissingInputs(ValueError):
    """A PyTorch module came without example inputs (the command line names its own flag)."""


def extract(model, input_size=None, input_data=None, partial=False) -> Network:
    """The network of ``model``: a ``Network``, a built ``keras.Model`` (functional,
    Sequential, nested or subclassed) or a saved ``.keras``/``.h5`` file, a
    ``torch.nn.Module`` with its example inputs, or an ``.onnx`` file (a path, or a loaded
    ``onnx.ModelProto``). ``partial``: where a PyTorch module's run fails, the network of
    what ran, ending in the failed call, instead of the error."""
    return checked(_adapted(model, input_size, input_data, partial))


def _adapted(model, input_size, input_data, partial) -> Network:
    torch, onnx = sys.modules.get("torch"), sys.modules.get("onnx")
    if torch is not None and isinstance(model, torch.nn.Module):
        from . import from_torch

        return from_torch.extract(model, input_size, input_data, partial)
    if _is_config(model):
        return _from_config(model, input_size, input_data, partial)
    if isinstance(model, type):
        raise TypeError(f"got the class {model.__name__}, not a model: pass an instance, "
                        f"such as {model.__name__}(…)")
    if isinstance(model, Network):
        _no_example_inputs("a Network", input_size, input_data)
        return model
    if isinstance(model, (str, os.PathLike)) or (onnx is not None
                                                 and isinstance(model, onnx.ModelProto)):
        return _from_file(model, input_size, input_data)
    keras = sys.modules.get("keras")
    if keras is not None and isinstance(model, keras.Model):
        return _from_keras(model, input_size, input_data)
    raise TypeError(
        f"cannot draw a {type(model).__module__}.{type(model).__name__}: expected a "
        "keras.Model, a torch.nn.Module (with input_size or input_data) or an .onnx file"
    )


def _is_config(model) -> bool:
    """A ``transformers`` config: a ``.json`` file, a folder holding ``config.json``, or a
    config object."""
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        return isinstance(path, str) and (path.lower().endswith(".json") or os.path.isfile(
            os.path.join(path, "config.json")))
    transformers = sys.modules.get("transformers")
    return transformers is not None and isinstance(model, transformers.PretrainedConfig)


def _from_config(config, input_size, input_data, partial) -> Network:
    """The model a ``transformers`` config names, built without weights, and drawn with the
    example inputs its main input implies (``input_size``: the main input's size)."""
    try:
        from . import from_config, from_torch
    except ModuleNotFoundError as error:
        raise missing(error, "drawing a transformers config") from None
    model, inputs = from_config.model_and_inputs(config, input_size)
    return from_torch.extract(model, None, inputs if input_data is None else input_data, partial)


def _from_file(model, input_size, input_data) -> Network:
    """A saved model: an ``.onnx`` file (or a loaded ``ModelProto``), a ``.keras``/``.h5`` file."""
    path = model if not isinstance(model, (str, os.PathLike)) else os.fspath(model)
    if isinstance(path, str):
        if path.startswith(("http://", "https://", "ftp://")):
            raise ValueError(f"cannot read a URL ({path}): download the file and pass its path")
        if os.path.isdir(path):
            raise ValueError(f"{path} is a directory, not a model file")
        suffix = os.path.splitext(path)[1].lower()
        if suffix not in SIGNATURES:
            raise ValueError(
                f"cannot draw {path!r}: figure() reads .onnx, .keras and .h5 files; load any "
                "other model first (torch.load, …) and pass the model object")
        _check_file(path, suffix)
        if suffix != ".onnx":
            return _from_keras(_keras_file(path), input_size, input_data)
    _no_example_inputs("an ONNX model", input_size, input_data)
    try:
        from . import from_onnx
    except ModuleNotFoundError as error:
        raise missing(error, f"reading {path}") from None
    return from_onnx.extract(path)


def _from_keras(model, input_size, input_data) -> Network:
    """A Keras model, in memory or read from a file; ``input_size`` draws one built for any
    size at that size."""
    if input_data is not None:
        raise TypeError("input_data is for PyTorch modules; a Keras model takes input_size, "
                        "its input shape without the batch axis, such as (224, 224, 3)")
    from . import from_keras

    return from_keras.extract(model, input_size)


def _check_file(path: str, suffix: str) -> None:
    """A ValueError, before anything is read, where ``path`` cannot hold a model of its kind:
    missing, empty, an ONNX file over protobuf's 2 GB limit, or a first few bytes that no
    such file starts with."""
    if not os.path.isfile(path):
        raise ValueError(f"{path}: no such model file")
    size = os.path.getsize(path)
    if suffix == ".onnx" and size > PROTOBUF_LIMIT:
        raise ValueError(f"{path}: {size / 2 ** 30:.1f} GB is more than an ONNX file can hold "
                         "(2 GB; bigger models keep their weights in external data files)")
    with open(path, "rb") as file:
        head = file.read(8)
    if not head.startswith(SIGNATURES[suffix]):
        what = {".onnx": "an ONNX model", ".keras": "a .keras archive", ".h5": "an HDF5 file"}
        raise ValueError(f"{path}: not {what[suffix]} (it starts with {head[:4]!r})")


def _keras_file(path: str):
    try:
        import keras
    except ModuleNotFoundError as error:
        raise missing(error, f"reading {path}") from None

    try:
        return keras.models.load_model(path, compile=False)
    except Exception as error:  # noqa: BLE001 - one line naming the file and the problem
        raise ValueError(f"{path}: not a readable Keras model ({first_line(error)})") from None


def _no_example_inputs(what: str, input_size, input_data) -> None:
    if input_size is not None or input_data is not None:
        raise TypeError(f"input_size and input_data are for PyTorch modules; {what} knows its "
                        "input shapes: leave them out")


def checked(network: Network) -> Network:
    """``network`` with printable names, or a ValueError where it cannot be drawn faithfully:
    two layers with one id, an edge from or to no layer, an edge against the drawing order."""
    network = _printable(network)
    if any(n.weights for n in network.nodes):
        network = replace(network, nodes=tuple(weights_counted_once(network.nodes)))
    clashes = [i for i, n in Counter(n.id for n in network.nodes).items() if n > 1]
    if clashes:
        types = sorted(n.type for n in network.nodes if n.id == clashes[0])
        raise ValueError(f"{len(types)} layers ({', '.join(types)}) are named {clashes[0]!r}: "
                         "give each layer a unique name")
    order = network.order
    for edge in network.edges:
        if edge.source not in order or edge.target not in order:
            missing = edge.source if edge.source not in order else edge.target
            raise ValueError(f"an edge {edge.source!r} → {edge.target!r} names no layer "
                             f"{missing!r}")
        if order[edge.source] >= order[edge.target]:
            raise ValueError(f"the edge {edge.source!r} → {edge.target!r} runs backwards: a "
                             "network's layers must be listed in the order they run, with no cycle")
    return network


def _printable(network: Network) -> Network:
    names = [network.name, *(text for n in network.nodes
                             for text in (n.id, n.name, n.type, *n.scope, *n.calls))]
    if all(text.isprintable() for text in names):
        return network
    nodes = tuple(replace(n, id=printable(n.id), name=printable(n.name), type=printable(n.type),
                          scope=tuple(map(printable, n.scope)),
                          calls=tuple(map(printable, n.calls))) for n in network.nodes)
    edges = tuple(Edge(printable(e.source), printable(e.target), e.index) for e in network.edges)
    return replace(network, name=printable(network.name), nodes=nodes, edges=edges)


def first_line(error: Exception) -> str:
    """The first line of an error's message (its type where it has none): the reason to quote
    in a one-line message."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__

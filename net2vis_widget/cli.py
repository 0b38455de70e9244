"""``net2vis MODEL -o figure.svg``: draw a saved model, a keras.applications name, or a factory."""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from . import export
from .extract import first_line
from .figure import figure

# What TensorFlow reads when it is imported: no C++ log lines, no oneDNN notice on stderr.
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="net2vis", description="Draw a model's architecture as a Net2Vis figure.")
    parser.add_argument("model", help="a .keras/.h5/.onnx file, a keras.applications name such as "
                        "ResNet50, or package.module:function returning a model (Keras or "
                        "PyTorch)")
    parser.add_argument("-o", "--output", required=True, help="figure file (.svg, .pdf, .png)")
    parser.add_argument("--auto-group", action="store_true",
                        help="fold repeated layer sequences and blocks into aggregates")
    parser.add_argument("--input-size", type=_sizes, metavar="1,3,224,224[;1,8]",
                        help="example input sizes, for a factory returning a PyTorch module "
                        "(several inputs separated by ';')")
    parser.add_argument("--state", type=Path,
                        help="a JSON file of figure state (as saved from Figure.state)")
    args = parser.parse_args(argv)
    for name, value in QUIET_TENSORFLOW.items():
        os.environ.setdefault(name, value)
    try:
        export.check_path(args.output)
        state = json.loads(args.state.read_text(encoding="utf-8")) if args.state else None
        fig = figure(load_model(args.model), state=state, input_size=args.input_size)
        if args.auto_group:
            fig.auto_group()
        fig.save(args.output)
    except Exception as error:  # noqa: BLE001 - one clear line, never a traceback
        print(f"net2vis: {first_line(error)}", file=sys.stderr)
        return 1
    print(f"net2vis: wrote {args.output}")
    return 0


def _sizes(text: str):
    """``1,3,224,224`` → a size; ``1,3,32,32;1,8`` → a list of sizes."""
    try:
        sizes = [tuple(int(n) for n in part.split(",")) for part in text.split(";")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not sizes like 1,3,224,224: {text!r}") from None
    return sizes[0] if len(sizes) == 1 else sizes


def load_model(spec: str):
    """The model named by ``spec`` (see the command's help); Keras is imported only for
    files and application names, so a PyTorch factory does not load TensorFlow."""
    if ":" in spec:
        module_name, function_name = spec.split(":", 1)
        return getattr(importlib.import_module(module_name), function_name)()
    if spec.endswith(".onnx"):
        return spec  # figure() reads the file, without its external weights
    import keras

    if spec.endswith((".keras", ".h5")):
        if not Path(spec).exists():
            raise OSError(f"no such model file: {spec}")
        return keras.models.load_model(spec, compile=False)
    factory = getattr(keras.applications, spec, None)
    if factory is None:
        raise ValueError(f"{spec!r} is neither a model file, a keras.applications name, "
                         "nor package.module:function")
    return factory(weights=None)


if __name__ == "__main__":
    sys.exit(main())

"""``net2vis MODEL -o figure.svg``: draw a saved model, a keras.applications name, or a factory."""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from . import export
from .extract import MissingInputs, first_line
from .extras import missing
from .figure import figure

# What TensorFlow reads when it is imported: no C++ log lines, no oneDNN notice on stderr.
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        """A malformed command line fails like every other failure: one line, status 1."""
        raise ValueError(f"{message} (net2vis --help shows the usage)")


def main(argv=None) -> int:
    parser = _Parser(
        prog="net2vis", description="Draw a model's architecture as a Net2Vis figure.")
    parser.add_argument("model", help="a .keras/.h5/.onnx file, a transformers config.json (or "
                        "its folder), a keras.applications name such as ResNet50, or "
                        "package.module:function returning a model (Keras or PyTorch)")
    parser.add_argument("-o", "--output", required=True, help="figure file (.svg, .pdf, .png)")
    parser.add_argument("--auto-group", choices=("auto", "yes", "no"), default="auto",
                        nargs="?", const="yes",
                        help="fold repeated blocks: yes (the flag alone), no, or auto (the "
                             "default: where the model has more glyphs than a reader follows)")
    parser.add_argument("--input-size", type=_sizes, metavar="1,3,224,224[;1,8]",
                        help="example input sizes: for a PyTorch module with the batch axis, "
                        "for a Keras model built for any size without it, such as 224,224,3 "
                        "(several inputs separated by ';'); for a config, its main input's")
    parser.add_argument("--state", type=Path,
                        help="a JSON file of figure state (as saved from Figure.state)")
    for name, value in QUIET_TENSORFLOW.items():
        os.environ.setdefault(name, value)
    try:
        args = parser.parse_args(argv)
        export.check_path(args.output)
        state = read_state(args.state) if args.state else None
        model = load_model(args.model)
        try:
            fig = figure(model, state=state, input_size=args.input_size,
                         auto_group={"yes": True, "no": False}.get(args.auto_group, "auto"))
        except MissingInputs as error:
            raise ValueError(f"{first_line(error).split(':')[0]}: pass --input-size, such as "
                             "--input-size 1,3,224,224") from None
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


def read_state(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"{path}: cannot read the state file ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a JSON state file ({first_line(error)})") from None
    except RecursionError:
        raise ValueError(f"{path}: not a state file (its JSON is nested too deeply)") from None


def load_model(spec: str):
    """The model named by ``spec`` (see the command's help); Keras is imported only for
    files and application names, so a PyTorch factory does not load TensorFlow."""
    if spec.lower().endswith((".onnx", ".keras", ".h5", ".json")) or os.path.isdir(spec):
        return spec  # figure() reads the file (an ONNX file without its external weights)
    if ":" in spec:
        module_name, function_name = spec.split(":", 1)
        if os.getcwd() not in sys.path:  # as `python -m` does: modules of the current folder
            sys.path.insert(0, os.getcwd())
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            raise missing(error, module_name) from None
        factory = getattr(module, function_name, None)
        if not callable(factory):
            raise ValueError(f"{module_name} has no function {function_name!r}")
        return factory()
    try:
        import keras
    except ModuleNotFoundError as error:
        raise missing(error, f"drawing {spec!r} (a keras.applications name)") from None

    factory = getattr(keras.applications, spec, None)
    if factory is None:
        raise ValueError(f"{spec!r} is neither a model file, a keras.applications name, "
                         "nor package.module:function")
    return factory(weights=None)


if __name__ == "__main__":
    sys.exit(main())

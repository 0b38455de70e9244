"""Keras 3 adapter: a live ``keras.Model`` → ``Network``.

Walks the functional graph call by call (``layer._inbound_nodes`` filtered to the model's own
``_nodes``), so a layer called twice yields two nodes. Nested models are expanded in place;
their layers carry the nested model's name in ``Node.scope``. A subclassed model is first
traced: its ``call`` run on symbolic inputs builds a functional graph of the layers it uses.
"""
from __future__ import annotations

import functools
import math
import os
import re
import sys
import warnings

import keras

from . import first_line
from ..network import ACTIVATION_WORDS, FIRST, KERNEL_ROLES, LAST, Edge, Network, Node
from .config import main_settings, plain_config

# Keras classes → (role, short name); a class not listed takes its first listed base class's
VOCABULARY = {
    "InputLayer": ("input", "Input"),
    "Conv1D": ("convolution", "Conv"), "Conv2D": ("convolution", "Conv"),
    "Conv3D": ("convolution", "Conv"), "DepthwiseConv2D": ("convolution", "DWConv"),
    "DepthwiseConv1D": ("convolution", "DWConv"), "SeparableConv2D": ("convolution", "SepConv"),
    "SeparableConv1D": ("convolution", "SepConv"), "Conv1DTranspose": ("upsampling", "ConvT"),
    "Conv2DTranspose": ("upsampling", "ConvT"), "Conv3DTranspose": ("upsampling", "ConvT"),
    "Dense": ("dense", "Linear"), "EinsumDense": ("dense", "Linear"),
    "BatchNormalization": ("normalization", "BN"), "LayerNormalization": ("normalization", "LN"),
    "GroupNormalization": ("normalization", "GN"), "UnitNormalization": ("normalization", "Norm"),
    "RMSNormalization": ("normalization", "RMSNorm"), "Normalization": ("normalization", "Norm"),
    "Rescaling": ("normalization", "Rescale"),
    "Activation": ("activation", "Act"), "ReLU": ("activation", "ReLU"),
    "LeakyReLU": ("activation", "LeakyReLU"), "PReLU": ("activation", "PReLU"),
    "ELU": ("activation", "ELU"), "Softmax": ("activation", "Softmax"),
    "MaxPooling1D": ("pooling", "MaxPool"), "MaxPooling2D": ("pooling", "MaxPool"),
    "MaxPooling3D": ("pooling", "MaxPool"), "AveragePooling1D": ("pooling", "AvgPool"),
    "AveragePooling2D": ("pooling", "AvgPool"), "AveragePooling3D": ("pooling", "AvgPool"),
    "GlobalAveragePooling1D": ("global_pooling", "GAP"),
    "GlobalAveragePooling2D": ("global_pooling", "GAP"),
    "GlobalAveragePooling3D": ("global_pooling", "GAP"),
    "GlobalMaxPooling1D": ("global_pooling", "GMP"),
    "GlobalMaxPooling2D": ("global_pooling", "GMP"),
    "GlobalMaxPooling3D": ("global_pooling", "GMP"),
    "Flatten": ("reshape", "Flatten"), "Reshape": ("reshape", "Reshape"),
    "Permute": ("reshape", "Permute"), "RepeatVector": ("reshape", "Repeat"),
    "ZeroPadding1D": ("padding", "Pad"), "ZeroPadding2D": ("padding", "Pad"),
    "ZeroPadding3D": ("padding", "Pad"), "Cropping1D": ("reshape", "Crop"),
    "Cropping2D": ("reshape", "Crop"), "Cropping3D": ("reshape", "Crop"),
    "Embedding": ("embedding", "Embedding"),
    "MultiHeadAttention": ("attention", "Attention"),
    "GroupedQueryAttention": ("attention", "Attention"),
    "Attention": ("attention", "Attn"), "AdditiveAttention": ("attention", "Attn"),
    "Add": ("add", "Add"), "Subtract": ("add", "Sub"), "Average": ("add", "Avg"),
    "Maximum": ("add", "Max"), "Minimum": ("add", "Min"),
    "Concatenate": ("concatenate", "Concat"), "Multiply": ("multiply", "Mul"),
    "UpSampling1D": ("upsampling", "UpSample"), "UpSampling2D": ("upsampling", "UpSample"),
    "UpSampling3D": ("upsampling", "UpSample"), "Resizing": ("upsampling", "Resize"),
    "Dropout": ("dropout", "Drop"), "SpatialDropout1D": ("dropout", "Drop"),
    "SpatialDropout2D": ("dropout", "Drop"), "SpatialDropout3D": ("dropout", "Drop"),
    "GaussianDropout": ("dropout", "Drop"), "GaussianNoise": ("dropout", "Noise"),
    "AlphaDropout": ("dropout", "Drop"),
    "LayerScale": ("multiply", "LayerScale"),  # keras.applications' own (ConvNeXt)
    "CustomScaleLayer": ("add", "Scaled add"),  # (Inception-ResNet: x + scale · branch)
}
# words in the name of a user's layer class → (role, short name)
USER_WORDS = {"positionembedding": ("embedding", "Position embedding"),
              "positionalembedding": ("embedding", "Position embedding"),
              "classtoken": ("concatenate", "Class token"),
              "clstoken": ("concatenate", "Class token")}
SETTINGS = ("filters", "units", "kernel_size", "strides", "padding", "pool_size", "activation",
            "rate", "size", "axis", "num_heads", "key_dim", "output_dim", "data_format")

# the image side ``keras.applications`` documents for each family, by the start of the
# model's name without punctuation (its weights were trained at this size)
DOCUMENTED_SIDES = {
    "efficientnetb0": 224, "efficientnetb1": 240, "efficientnetb2": 260, "efficientnetb3": 300,
    "efficientnetb4": 380, "efficientnetb5": 456, "efficientnetb6": 528, "efficientnetb7": 600,
    "efficientnetv2b0": 224, "efficientnetv2b1": 240, "efficientnetv2b2": 260,
    "efficientnetv2b3": 300, "efficientnetv2s": 384, "efficientnetv2m": 480,
    "efficientnetv2l": 480, "inceptionv3": 299, "inceptionresnetv2": 299, "xception": 299,
    **dict.fromkeys(("vgg", "resnet", "densenet", "mobilenet", "convnext", "regnet"), 224),
}


def extract(model, input_size=None) -> Network:
    """The network of ``model``; ``input_size`` (its input shape without the batch axis, a
    list of them for several inputs) draws a model built for any size at that size. Without
    it, such a model from ``keras.applications`` is drawn at the size documented for it, with
    a warning saying so; any other is refused, naming ``input_size``."""
    graph = _functional_graph(model)
    if input_size is None and _any_size(graph):
        input_size = _documented_size(graph, model.name)
    builder = _Builder(_sized(graph, input_size, model.name) if input_size is not None else {})
    builder.walk(graph, sources=None, scope=(), prefix="")
    return Network(name=model.name, nodes=tuple(builder.nodes), edges=tuple(builder.edges))


def _functional_graph(model):
    """The functional graph behind ``model``, or a clear error saying how to get one."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a keras.Model, got {type(model).__name__}")
    if isinstance(model, keras.Sequential):
        graph = getattr(model, "_functional", None)
        if graph is None:
            raise ValueError(
                f"Sequential model {model.name!r} is not built: pass an input shape "
                "(keras.Input(shape) as its first layer) or call model.build(input_shape) first"
            )
        return graph
    if not hasattr(model, "_nodes_by_depth"):
        return _traced(model)
    return model


def _sized(graph, input_size, name: str) -> dict:
    """The shape of every tensor of ``graph`` (by id; nested models' too) on inputs of
    ``input_size``, from each layer's shape rule: the model stays as it is, and nothing is
    built (rebuilding a MobileNetV3 to read its sizes takes 0.3 s, this 12 ms)."""
    sizes = input_size if input_size and isinstance(input_size[0], (tuple, list)) else [input_size]
    if len(sizes) != len(graph.inputs) or not all(
            isinstance(size, (tuple, list)) and all(isinstance(d, int) and d > 0 for d in size)
            for size in sizes):
        raise ValueError(f"input_size for {name!r} must be {len(graph.inputs)} input "
                         "shape(s) without the batch axis, such as (224, 224, 3); got "
                         f"{input_size!r}")
    sizes = [tuple(size) for size in sizes]
    inputs = [keras.KerasTensor((None, *size), dtype=t.dtype)
              for size, t in zip(sizes, graph.inputs)]
    shapes = {}
    try:
        _follow(graph, inputs, shapes)
    except _Unfit as unfit:
        layer, built, new = unfit.args
        raise ValueError(f"{name!r} cannot take inputs of sizes {sizes}: its layer {layer!r} "
                         f"was built for inputs of shape {_written([built])}, and these inputs "
                         f"give it {_written([new])}") from None
    except Exception as error:  # noqa: BLE001 - Keras's reason, shortened
        raise ValueError(f"cannot draw {name!r} at inputs of sizes {sizes}: "
                         f"{first_line(error)}") from None
    return shapes


class _Unfit(Exception):
    """A layer's weights do not fit its new inputs: (its name, the shape it was built for, the
    new one)."""


def _follow(graph, inputs: list, shapes: dict) -> list:
    """The outputs of ``graph`` on symbolic ``inputs``, call by call, each call's output
    shapes put in ``shapes``."""
    known = {id(t): new for t, new in zip(graph.inputs, inputs)}
    for depth in sorted(graph._nodes_by_depth, reverse=True):
        for call in graph._nodes_by_depth[depth]:
            if not call.input_tensors:  # an input layer's
                continue
            layer = call.operation
            if getattr(layer, "weights", None):  # every size known when it was built stays
                for tensor in call.input_tensors:
                    built, new = tuple(tensor.shape[1:]), tuple(known[id(tensor)].shape[1:])
                    if len(built) != len(new) or any(b not in (None, n)
                                                     for b, n in zip(built, new)):
                        raise _Unfit(layer.name, built, new)
            args, kwargs = call.arguments.fill_in(known)
            outputs = (_follow(_functional_graph(layer), keras.tree.flatten((args, kwargs)),
                               shapes) if isinstance(layer, keras.Model)
                       else keras.tree.flatten(layer.compute_output_spec(*args, **kwargs)))
            known.update((id(old), new) for old, new in zip(call.outputs, outputs))
    shapes.update((key, tuple(tensor.shape)) for key, tensor in known.items())
    return [known[id(t)] for t in graph.outputs]


def _any_size(model) -> bool:
    return any(None in tuple(tensor.shape[1:]) for tensor in model.inputs)


def _documented_size(model, name: str) -> tuple:
    """The input size ``keras.applications`` documents for a model built for any size, with a
    warning; a ValueError naming ``input_size`` for a model that documents none."""
    shapes = [tuple(tensor.shape[1:]) for tensor in model.inputs]
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    side = next((s for start, s in DOCUMENTED_SIDES.items() if key.startswith(start)), None)
    if side is None or len(shapes) != 1 or len(shapes[0]) != 3 or shapes[0][-1] is None:
        raise ValueError(
            f"{name!r} is built for inputs of any size {_written(shapes)}: pass input_size, "
            f"its input shape without the batch axis, such as {_example(shapes[0])}, so that "
            "the figure can show its resolutions")
    size = (side, side, shapes[0][-1])
    warnings.warn(f"net2vis: {name!r} is built for inputs of any size; drawn at "
                  f"{side}×{side}, the size keras.applications documents for it (pass "
                  "input_size to choose another)", stacklevel=_callers_level())
    return size


def _callers_level() -> int:
    """The stack level, for a warning, of the first caller outside this package."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _written(shapes) -> str:
    return ", ".join("(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"
                     for shape in shapes)


def _example(shape) -> tuple:
    return tuple(64 if d is None else d for d in shape)


def _traced(model):
    """A subclassed model as the functional graph its ``call`` builds on symbolic inputs of
    the shapes it was built with (one per argument of ``call``)."""
    if not model.built:
        raise ValueError(f"subclassed model {model.name!r} is not built: call it on a batch "
                         "or call model.build(input_shape) first")
    shapes = list((getattr(model, "_build_shapes_dict", None) or {}).values())
    try:
        if not shapes:  # Keras could not record them: its own symbolic call failed
            raise ValueError("no input shape was recorded when it was built")
        inputs = [keras.Input(batch_shape=tuple(shape)) for shape in shapes]
        outputs = model.call(*inputs)
    except Exception as error:  # noqa: BLE001 - any failure means: not traceable
        reason = first_line(error)
        raise ValueError(
            f"subclassed model {model.name!r} cannot be drawn: its call() does not run on "
            f"symbolic inputs ({reason}); keep Python control flow off tensor values, or "
            "rebuild it with the functional API") from None
    return keras.Model(inputs, outputs, name=model.name)


class _Builder:
    def __init__(self, shapes: dict):
        self.shapes = shapes  # id(tensor) -> its shape where the model is drawn at a new size
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []

    def walk(self, graph, sources, scope, prefix):
        """Add the calls of ``graph``; returns the node ids producing its outputs.

        ``sources`` maps the graph's input tensors (by id) to the outer node ids feeding them;
        ``None`` at the top level, where input layers become nodes of their own.
        """
        produced = dict(sources or {})  # id(KerasTensor) -> producing node id
        for op in graph.operations:
            for index, call in enumerate(op._inbound_nodes):
                if f"{id(op)}_ib-{index}" not in graph._nodes:
                    continue
                if isinstance(op, keras.layers.InputLayer):
                    if sources is None:
                        self._add(op, call, f"{prefix}{op.name}", scope, [], produced)
                    continue
                inputs = [produced[id(t)] for t in call.input_tensors]
                node_id = f"{prefix}{op.name}" + (f"#{index}" if index else "")
                if isinstance(op, keras.Model):
                    inner = _functional_graph(op)
                    inner_sources = {id(t): s for t, s in zip(inner.inputs, inputs)}
                    inner_outputs = self.walk(inner, inner_sources, scope + ((op.name, node_id),),
                                              f"{node_id}/")
                    for tensor, source in zip(call.output_tensors, inner_outputs):
                        produced[id(tensor)] = source
                elif _identity(op) and len(inputs) == 1:  # drawn as what it passes on
                    produced.update((id(t), inputs[0]) for t in call.output_tensors)
                else:
                    self._add(op, call, node_id, scope, inputs, produced)
        return [produced[id(t)] for t in graph.outputs]

    def _add(self, layer, call, node_id, scope, inputs, produced):
        outputs = call.output_tensors
        input_shapes = tuple(map(self._shape, call.input_tensors)) or tuple(
            map(self._shape, outputs))
        config = plain_config(layer)
        role, short = _kind(type(layer))
        function = _function(layer)  # an Activation's: its type and its word
        variables = getattr(layer, "weights", None) or ()  # none for ``keras.ops`` calls
        weights = _weights(variables)
        axis = FIRST if config.get("data_format") == "channels_first" else LAST
        self.nodes.append(Node(
            id=node_id,
            name=layer.name,
            type="Input" if role == "input" else function or type(layer).__name__,
            input_shapes=input_shapes,
            output_shapes=tuple(map(self._shape, outputs)),
            config=config,
            params=sum(size for _, size in weights),
            weights=weights,
            scope=tuple(name for name, _ in scope),
            calls=tuple(call_id for _, call_id in scope),
            role=role,
            kernel=role in KERNEL_ROLES or any("kernel" in w.name for w in variables),
            settings=main_settings(config, SETTINGS),
            short=function or short,
            channel_axes=(axis, axis),
        ))
        self.edges.extend(Edge(source, node_id, i) for i, source in enumerate(inputs))
        for tensor in outputs:
            produced[id(tensor)] = node_id

    def _shape(self, tensor) -> tuple:
        return tuple(self.shapes.get(id(tensor), tensor.shape)[1:])


def _function(layer) -> str | None:
    """What an ``Activation`` layer computes, as papers write it: its type, as in every
    adapter (``Activation("relu")`` and ``ReLU()`` are both a ``ReLU``; ``ReLU(6.0)``, as in
    MobileNetV2, a ``ReLU6`` as in PyTorch and ONNX)."""
    if isinstance(layer, keras.layers.ReLU):
        plain = not layer.negative_slope and not layer.threshold
        return "ReLU6" if plain and layer.max_value == 6 else None
    if not isinstance(layer, keras.layers.Activation):
        return None
    name = getattr(layer.activation, "__name__", "activation")
    return ACTIVATION_WORDS.get(name, name[:1].upper() + name[1:])


def _identity(layer) -> bool:
    """An ``Activation("linear")`` (a classifier's output left as it is), or indexing
    (``x[:, 0]``: a token picked), drawn as in every framework: not at all."""
    return type(layer).__name__ == "GetItem" or isinstance(
        layer, keras.layers.Activation) and getattr(layer.activation, "__name__", "") == "linear"


@functools.cache  # one answer per class
def _kind(layer_class) -> tuple[str, str]:
    """The role and short name of a Keras class, or of its nearest listed base class; a class
    of the user's by what its name says (a ``PositionEmbedding``, a ``ClassToken``)."""
    for base in layer_class.__mro__:
        if base.__name__ in VOCABULARY and base.__module__.startswith("keras"):
            return VOCABULARY[base.__name__]
    name = layer_class.__name__.lower()
    return next((kind for word, kind in USER_WORDS.items() if word in name),
                ("other", layer_class.__name__))


def _weights(variables) -> tuple[tuple[str, int], ...]:
    """(identity, size) of a layer's weights: a layer called twice reads the same ones. The
    size from the shape Keras keeps (``shape`` on TensorFlow makes a ``TensorShape`` first)."""
    return tuple((str(id(w)), int(math.prod(getattr(w, "_shape", None) or w.shape)))
                 for w in variables)

"""Keras 3 adapter: a live ``keras.Model`` → ``Network``.

Walks the functional graph call by call (``layer._inbound_nodes`` filtered to the model's own
``_nodes``), so a layer called twice yields two nodes. Nested models are expanded in place;
their layers carry the nested model's name in ``Node.scope``. A subclassed model is first
traced: its ``call`` run on symbolic inputs builds a functional graph of the layers it uses.
"""
from __future__ import annotations

import math

import keras

from . import first_line
from ..network import FIRST, KERNEL_ROLES, LAST, Edge, Network, Node
from .config import main_settings, plain_config

# Keras classes → (role, short name); a class not listed takes its first listed base class's
VOCABULARY = {
    "InputLayer": ("input", "Input"),
    "Conv1D": ("convolution", "Conv"), "Conv2D": ("convolution", "Conv"),
    "Conv3D": ("convolution", "Conv"), "DepthwiseConv2D": ("convolution", "DWConv"),
    "DepthwiseConv1D": ("convolution", "DWConv"), "SeparableConv2D": ("convolution", "SepConv"),
    "SeparableConv1D": ("convolution", "SepConv"), "Conv1DTranspose": ("upsampling", "ConvT"),
    "Conv2DTranspose": ("upsampling", "ConvT"), "Conv3DTranspose": ("upsampling", "ConvT"),
    "Dense": ("dense", "Dense"), "EinsumDense": ("dense", "Dense"),
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
    "Embedding": ("embedding", "Embed"),
    "MultiHeadAttention": ("attention", "MHA"), "GroupedQueryAttention": ("attention", "GQA"),
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
}
SETTINGS = ("filters", "units", "kernel_size", "strides", "padding", "pool_size", "activation",
            "rate", "size", "axis", "num_heads", "key_dim", "output_dim", "data_format")

def extract(model, input_size=None) -> Network:
    """The network of ``model``; ``input_size`` (its input shape without the batch axis, a
    list of them for several inputs) draws a model built for any size at that size."""
    graph = _functional_graph(model)
    if input_size is not None:
        graph = _rebuilt(graph, input_size, model.name)
    builder = _Builder()
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


def _rebuilt(model, input_size, name: str):
    """A copy of a functional model rebuilt on inputs of ``input_size``: the user's model
    stays as it is, the copy's layers report the sizes a reader wants to see."""
    sizes = input_size if input_size and isinstance(input_size[0], (tuple, list)) else [input_size]
    if len(sizes) != len(model.inputs) or not all(
            isinstance(size, (tuple, list)) and all(isinstance(d, int) and d > 0 for d in size)
            for size in sizes):
        raise ValueError(f"input_size for {name!r} must be {len(model.inputs)} input "
                         "shape(s) without the batch axis, such as (224, 224, 3); got "
                         f"{input_size!r}")
    inputs = [keras.Input(shape=tuple(size), name=tensor._keras_history.operation.name)
              for size, tensor in zip(sizes, model.inputs)]
    try:
        rebuilt = keras.models.clone_model(model, input_tensors=inputs if len(inputs) > 1
                                           else inputs[0])
    except Exception as error:  # noqa: BLE001 - Keras's reason, shortened
        raise ValueError(f"cannot rebuild {name!r} on inputs of sizes {sizes}: "
                         f"{first_line(error)}") from None
    for layer, copy in zip(model.layers, rebuilt.layers):
        built, needed = _weight_shapes(layer), _weight_shapes(copy)
        if built != needed:  # the copy's layers were built anew for the new size
            raise ValueError(
                f"{name!r} cannot take inputs of sizes {sizes}: its layer {layer.name!r} "
                f"has weights of shapes {built}, and these inputs need {needed}")
    return rebuilt


def _weight_shapes(layer) -> list[tuple]:
    return [tuple(w.shape) for w in layer.weights]


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
    def __init__(self):
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.init_parameters: dict[type, list[str]] = {}

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
                else:
                    self._add(op, call, node_id, scope, inputs, produced)
        return [produced[id(t)] for t in graph.outputs]

    def _add(self, layer, call, node_id, scope, inputs, produced):
        outputs = call.output_tensors
        input_shapes = tuple(_shape(t) for t in call.input_tensors) or tuple(map(_shape, outputs))
        config = plain_config(layer, self.init_parameters)
        role, short = _kind(type(layer))
        axis = FIRST if config.get("data_format") == "channels_first" else LAST
        self.nodes.append(Node(
            id=node_id,
            name=layer.name,
            type="Input" if role == "input" else type(layer).__name__,  # as in every adapter
            input_shapes=input_shapes,
            output_shapes=tuple(_shape(t) for t in outputs),
            config=config,
            params=_param_count(layer),
            scope=tuple(name for name, _ in scope),
            calls=tuple(call_id for _, call_id in scope),
            role=role,
            kernel=role in KERNEL_ROLES or any("kernel" in w.name
                                               for w in getattr(layer, "weights", ())),
            settings=main_settings(config, SETTINGS),
            short=short,
            channel_axes=(axis, axis),
        ))
        self.edges.extend(Edge(source, node_id, i) for i, source in enumerate(inputs))
        for tensor in outputs:
            produced[id(tensor)] = node_id


def _kind(layer_class) -> tuple[str, str]:
    """The role and short name of a Keras class, or of its nearest listed base class."""
    for base in layer_class.__mro__:
        if base.__name__ in VOCABULARY and base.__module__.startswith("keras"):
            return VOCABULARY[base.__name__]
    return "other", layer_class.__name__


def _shape(tensor) -> tuple:
    return tuple(tensor.shape[1:])


def _param_count(operation) -> int:
    """Weights of a layer; 0 for plain operations (``keras.ops`` calls) and unbuilt layers."""
    weights = getattr(operation, "weights", None) or ()
    return int(sum(math.prod(w.shape) for w in weights))

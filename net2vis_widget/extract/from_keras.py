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
from ..network import Edge, Network, Node
from .config import plain_config

def extract(model) -> Network:
    graph = _functional_graph(model)
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
                    inner_outputs = self.walk(inner, inner_sources, scope + (op.name,), f"{node_id}/")
                    for tensor, source in zip(call.output_tensors, inner_outputs):
                        produced[id(tensor)] = source
                else:
                    self._add(op, call, node_id, scope, inputs, produced)
        return [produced[id(t)] for t in graph.outputs]

    def _add(self, layer, call, node_id, scope, inputs, produced):
        outputs = call.output_tensors
        input_shapes = tuple(_shape(t) for t in call.input_tensors) or tuple(map(_shape, outputs))
        self.nodes.append(Node(
            id=node_id,
            name=layer.name,
            type=type(layer).__name__,
            input_shapes=input_shapes,
            output_shapes=tuple(_shape(t) for t in outputs),
            config=plain_config(layer, self.init_parameters),
            params=_param_count(layer),
            scope=scope,
        ))
        self.edges.extend(Edge(source, node_id, i) for i, source in enumerate(inputs))
        for tensor in outputs:
            produced[id(tensor)] = node_id


def _shape(tensor) -> tuple:
    return tuple(tensor.shape[1:])


def _param_count(operation) -> int:
    """Weights of a layer; 0 for plain operations (``keras.ops`` calls) and unbuilt layers."""
    weights = getattr(operation, "weights", None) or ()
    return int(sum(math.prod(w.shape) for w in weights))

"""Keras 3 adapter: a live ``keras.Model`` → ``Network``.

Walks the functional graph call by call (``layer._inbound_nodes`` filtered to the model's own
``_nodes``), so a layer called twice yields two nodes. Nested models are expanded in place;
their layers carry the nested model's name in ``Node.scope``.
"""
from __future__ import annotations

import inspect
import math

import keras

from .network import Edge, Network, Node

_SCALARS = (str, int, float, bool, type(None))


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
        raise ValueError(
            f"subclassed model {model.name!r} has no traceable graph: rebuild it with the "
            "functional API (keras.Model(inputs, outputs)) or as a keras.Sequential"
        )
    return model


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
            config=_plain_config(layer, self.init_parameters),
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


def _plain_config(layer, init_parameters) -> dict:
    """The layer's constructor arguments as JSON-safe scalars (objects → their class name).

    Read from the attributes named like the constructor's parameters, which is what Keras'
    own ``get_config`` reports, at a fraction of its cost (it serialises every initializer).
    """
    names = init_parameters.get(type(layer))
    if names is None:
        names = init_parameters[type(layer)] = [
            name for name in inspect.signature(type(layer).__init__).parameters
            if name not in ("self", "name", "args", "kwargs")]
    return {name: _plain(getattr(layer, name)) for name in names if hasattr(layer, name)}


def _plain(value):
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return value.get("class_name", "dict")
    if inspect.isfunction(value):
        return value.__name__
    return type(value).__name__

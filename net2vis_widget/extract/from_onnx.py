"""ONNX adapter: an ``.onnx`` file (or a loaded ``onnx.ModelProto``) → ``Network``.

One node per operator, typed by its ``op_type``, after ``onnx``'s shape inference.
Initializers (weights) and ``Constant`` operators are not nodes; their sizes give each
operator's parameter count. Shape plumbing (Reshape, Transpose, Unsqueeze, …) is bypassed,
and so is what reads no data (Shape and what is computed from shapes), and a constant added,
scaled or joined (a bias after a MatMul, an attention's scale). ``Sum`` is an ``Add``.
Operators with subgraphs (If, Loop, Scan) are one node; their bodies are not expanded, the
tensors they read from outside are its inputs. Weights stored in external data files are never
read. Shapes are without the batch axis, channels first.
"""
from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import onnx
from onnx import helper, shape_inference

from . import first_line
from ..network import (CLASS_TOKEN, COMBINING_ROLES, EMBEDDINGS, FIRST, KERNEL_ROLES, LAST,
                       Edge, Network, Node, added_embedding, fused_attention)
from .config import main_settings

PLUMBING = {"Reshape", "Transpose", "Unsqueeze", "Squeeze", "Flatten", "Identity", "Cast",
            "Expand", "Slice", "Split", "Dropout", "CastLike"}  # as ``_kind`` calls them
METADATA = {"Shape", "Size", "Constant", "ConstantOfShape", "Range"}  # values, not data
SETTINGS = ("kernel_shape", "strides", "pads", "dilations", "group", "axis", "mode")
BIG_WEIGHT = 2 ** 16  # elements: a weight this large is never a shape
OPERATOR_WORDS = {"Relu": "ReLU", "LeakyRelu": "LeakyReLU", "PRelu": "PReLU", "Elu": "ELU",
                    "Selu": "SELU", "Gelu": "GELU", "HardSwish": "Hard swish",
                    "HardSigmoid": "Hard sigmoid"}  # as papers write them
# operator types → (role, short name, where their output keeps its channels: FIRST, LAST, or
# None for wherever their input kept them)
VOCABULARY = {
    "Conv": ("convolution", "Conv", FIRST), "ConvInteger": ("convolution", "Conv", FIRST),
    "QLinearConv": ("convolution", "Conv", FIRST), "ConvTranspose": ("upsampling", "ConvT", FIRST),
    "Gemm": ("dense", "Linear", LAST), "MatMul": ("other", "MatMul", LAST),
    "Linear": ("dense", "Linear", LAST),
    "BatchNormalization": ("normalization", "BN", FIRST),
    "InstanceNormalization": ("normalization", "IN", FIRST),
    "LRN": ("normalization", "LRN", FIRST), "GroupNormalization": ("normalization", "GN", FIRST),
    "LayerNormalization": ("normalization", "LN", LAST),
    "RMSNormalization": ("normalization", "RMSNorm", LAST),
    **{op: ("activation", OPERATOR_WORDS.get(op, op), None) for op in (
        "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Sigmoid", "HardSigmoid", "HardSwish",
        "Tanh", "Softmax", "LogSoftmax", "Gelu", "Mish", "Softplus", "Clip")},
    "MaxPool": ("pooling", "MaxPool", FIRST), "AveragePool": ("pooling", "AvgPool", FIRST),
    "LpPool": ("pooling", "LpPool", FIRST),
    "GlobalAveragePool": ("global_pooling", "GAP", FIRST),
    "GlobalMaxPool": ("global_pooling", "GMP", FIRST),
    "Pad": ("padding", "Pad", None),
    "Attention": ("attention", "Dot-product attention", LAST),
    "MultiHeadAttention": ("attention", "Attention", LAST),
    "Embedding": ("embedding", "Embedding", LAST),
    **{kind: ("embedding", kind, LAST) for kind in EMBEDDINGS},
    CLASS_TOKEN: ("concatenate", CLASS_TOKEN, LAST),
    "Add": ("add", "Add", None), "Sub": ("add", "Sub", None), "Sum": ("add", "Sum", None),
    "Mul": ("multiply", "Mul", None), "Div": ("multiply", "Div", None),
    "Concat": ("concatenate", "Concat", None),
    "Resize": ("upsampling", "Resize", FIRST), "Upsample": ("upsampling", "UpSample", FIRST),
    "DepthToSpace": ("upsampling", "DepthToSpace", FIRST),
}


ALIKE = {"Sum": "Add"}  # operators named as the others name the same operation


def extract(model) -> Network:
    proto, name = _load(model)
    try:
        proto = shape_inference.infer_shapes(proto)
    except Exception:  # noqa: BLE001 - draw with the shapes the file declares
        pass
    graph = proto.graph
    dims = {w.name: tuple(w.dims) for w in graph.initializer}
    weights = {name: math.prod(shape) for name, shape in dims.items()}
    shapes = {v.name: _shape(v) for v in (*graph.input, *graph.value_info, *graph.output)}
    nodes, edges, source, used = [], [], {}, set()

    layouts = {}  # node id -> its output's channel axis

    def add(node_id, kind, inputs, outputs, config=None, params=0, kernel=False, read=()):
        for i, (glyph, _) in enumerate(inputs):
            edges.append(Edge(glyph, node_id, i))
        output_shapes = tuple(shapes.get(o, ()) for o in outputs)
        role, short, layout = VOCABULARY.get(kind, ("input" if kind == "Input" else "other",
                                                    kind, None))
        if layout is None:  # elementwise: where its input is; the input layer: channels first
            layout = layouts.get(inputs[0][0], FIRST) if inputs else FIRST
        layouts[node_id] = layout
        nodes.append(Node(node_id, node_id, kind, tuple(s for _, s in inputs) or output_shapes,
                          output_shapes, config or {}, params, role=role,
                          kernel=kernel or role in KERNEL_ROLES,
                          settings=main_settings(config or {}, SETTINGS),
                          short=short, channel_axes=(layout, layout),
                          weights=tuple((n, weights[n]) for n in read if n in weights)))
        for output in outputs:
            source[output] = [node_id]

    for tensor in graph.input:
        if tensor.name not in weights:
            add(_unique(tensor.name, used), "Input", [], [tensor.name])
    tables = {n: (n, weights[n]) for n, shape in dims.items() if len(shape) >= 2}
    for index, operator, reads in _running_order(graph, weights):
        data = [n for n in reads if n not in weights]
        sources = [s for n in data for s in source.get(n, [])]
        role = VOCABULARY.get(operator.op_type, ("other",))[0]
        with_constant = (role in COMBINING_ROLES and len(set(sources)) == 1
                         and any(not source.get(n) for n in operator.input if n))
        table = next((tables[n] for n in reads if n in tables), None)  # a learned table read
        kind = _kind(operator, weights.keys() | tables.keys())
        params = sum(weights.get(n) or tables.get(n, ("", 0))[1] for n in operator.input)
        if operator.op_type == "Gather" and not source.get(operator.input[1]):
            kind = "Slice"  # rows of the data picked by constant indices: a token (a pooler's)
        if table is not None and not sources:
            tables.update((output, table) for output in operator.output)  # rows of it
        elif table is not None and with_constant and kind == "Add":  # added to the data
            kind, params, with_constant = added_embedding(table[0]), table[1], False
        elif table is not None and with_constant and kind == "Concat":  # joined to it
            kind, params, with_constant = CLASS_TOKEN, table[1], False
        if (operator.op_type in METADATA or not sources or kind in PLUMBING
                or with_constant):  # a constant added, scaled or joined: a bias, a scale
            passed = [] if operator.op_type in METADATA else sources
            source.update({output: passed for output in operator.output})
            continue
        inputs = {}  # source glyph -> the shape it sends, first use first
        for tensor in data:
            for glyph in source.get(tensor, []):
                inputs.setdefault(glyph, shapes.get(tensor, ()))
        node_id = _unique(operator.name or f"{operator.op_type}_{index}", used)
        kernel = any(len(dims[n]) >= 2 for n in operator.input if n in dims)
        add(node_id, kind, list(inputs.items()), list(operator.output), _config(operator),
            params, kernel, operator.input)
    nodes, edges = fused_attention(nodes, edges)
    return Network(name, tuple(nodes), tuple(edges))


def _kind(operator, learned) -> str:
    """The node type of an operator: a matrix product with a weight (or a weight transposed,
    ``learned`` names both) is a linear layer, rows of a weight picked by the data an
    embedding, and ``Sum`` an ``Add``."""
    weighted = [n for n in operator.input if n in learned]
    if operator.op_type in ("MatMul", "Gemm") and weighted:
        return "Linear"
    if operator.op_type == "Gather" and operator.input[:1] == weighted[:1] and weighted:
        return "Embedding"
    return ALIKE.get(operator.op_type, operator.op_type)


def _running_order(graph, weights) -> list:
    """The operators as (index, operator, the tensors it reads) in an order they can run in, or
    a ValueError naming the operator and tensor that make the graph unfaithful to draw: a
    tensor nothing produces, or two produce, or a cycle."""
    known = set(weights) | {t.name for t in graph.input}
    producer = {}
    for i, operator in enumerate(graph.node):
        for tensor in filter(None, operator.output):
            if tensor in producer or tensor in known:
                first = (f"operator {_label(graph.node[producer[tensor]], producer[tensor])}"
                         if tensor in producer else "the graph's inputs or weights")
                raise ValueError(f"ONNX operator {_label(operator, i)} writes the tensor "
                                 f"{tensor!r}, which {first} also writes: a tensor has one "
                                 "producer in a valid graph")
            producer[tensor] = i
    read = [_reads(operator) for operator in graph.node]
    reads = nx.DiGraph()
    reads.add_nodes_from(range(len(graph.node)))
    for i, operator in enumerate(graph.node):
        for tensor in read[i]:
            if tensor in producer:
                reads.add_edge(producer[tensor], i, tensor=tensor)
            elif tensor not in known:
                raise ValueError(f"ONNX operator {_label(operator, i)} reads the tensor "
                                 f"{tensor!r}, which no operator, input or weight produces")
    try:
        cycle = nx.find_cycle(reads)
    except nx.NetworkXNoCycle:
        order = nx.lexicographical_topological_sort(reads)
        return [(i, graph.node[i], read[i]) for i in order]
    source, target = cycle[0]
    raise ValueError(f"the ONNX graph has a cycle: operator {_label(graph.node[target], target)} "
                     f"reads the tensor {reads.edges[source, target]['tensor']!r}, which depends "
                     "on its own output")


def _reads(operator) -> list[str]:
    """The tensors an operator reads: its inputs, then what its subgraphs (an If's branches, a
    Loop's body) read from the graphs around them."""
    names = [n for n in operator.input if n]
    for attribute in operator.attribute:
        subgraphs = ([attribute.g] if attribute.type == onnx.AttributeProto.GRAPH else
                     attribute.graphs if attribute.type == onnx.AttributeProto.GRAPHS else [])
        for graph in subgraphs:
            local = {t.name for t in (*graph.input, *graph.initializer)}
            local.update(o for node in graph.node for o in node.output)
            local.update(sparse.values.name for sparse in graph.sparse_initializer)
            names += [n for node in graph.node for n in _reads(node) if n not in local]
    return list(dict.fromkeys(names))


def _label(operator, index: int) -> str:
    return f"{operator.name if operator.name else f'#{index}'!r} ({operator.op_type})"


def _load(model):
    """The model's proto and name; a file is read without its external weights."""
    if isinstance(model, onnx.ModelProto):
        if not model.graph.node:
            raise ValueError("the ONNX model holds no operators")
        return model, model.graph.name or "onnx"
    path = Path(model)
    if not path.is_file():
        raise ValueError(f"{path}: no such ONNX file")
    try:
        proto = onnx.load(str(path), load_external_data=False)
    except Exception as error:  # noqa: BLE001 - one line naming the file and the problem
        reason = first_line(error)
        raise ValueError(f"{path}: not a readable ONNX model ({reason})") from None
    if not proto.graph.node:
        raise ValueError(f"{path}: not a readable ONNX model (it holds no operators)")
    for weight in proto.graph.initializer:  # shape inference needs the small ones' values
        if math.prod(weight.dims) > BIG_WEIGHT:  # (shapes); the big ones only their dims
            for data in ("raw_data", "float_data", "double_data", "int32_data", "int64_data"):
                weight.ClearField(data)
    return proto, path.stem


def _shape(value_info) -> tuple:
    """Dimensions without the batch axis; ``None`` where unknown."""
    tensor = value_info.type.tensor_type
    if not tensor.HasField("shape"):
        return ()
    dims = [d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim]
    return tuple(dims[1:])


def _config(operator) -> dict:
    config = {}
    for attribute in operator.attribute:
        if attribute.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
            config[attribute.name] = "subgraph (not expanded)"
            continue
        value = helper.get_attribute_value(attribute)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        elif isinstance(value, (list, tuple)):
            value = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in value]
            if not all(isinstance(v, (int, float, str)) for v in value):
                continue
        elif not isinstance(value, (int, float, str)):
            continue
        config[attribute.name] = value
    return config


def _unique(name: str, used: set) -> str:
    """A node id from an operator's name: unique (a second ``x`` is ``x#1``, as in every
    adapter), and without ``/``, which in an id means nesting (exporters write scopes such as
    ``/layer1/layer1.0/conv1/Conv``)."""
    name = name.strip("/").replace("/", ".") or "operator"
    candidate, number = name, 0
    while candidate in used:
        number += 1
        candidate = f"{name}#{number}"
    used.add(candidate)
    return candidate

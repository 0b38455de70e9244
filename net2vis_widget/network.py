"""The framework-neutral network: layer calls (nodes) and tensors flowing between them (edges).

Adapters (``extract/from_keras.py``, ``extract/from_torch.py``) produce a ``Network``; every later phase reads
only this module's records.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property

import networkx as nx

Shape = tuple  # one tensor's shape without the batch axis; ``None`` for unknown dimensions

# What a layer does, whatever its framework calls it: the one vocabulary the phases after
# extraction read (SPEC §3d). Each adapter maps its own types onto these.
ROLES = ("input", "convolution", "dense", "normalization", "activation", "pooling",
         "global_pooling", "reshape", "padding", "embedding", "attention", "add", "concatenate",
         "multiply", "upsampling", "dropout", "other")
BYPASSED_ROLES = ("dropout", "padding")  # identity in eval, or folded into the next layer:
# hidden by default in every framework's figure (torch pads inside Conv2d, Keras beside it)
KERNEL_ROLES = {"convolution", "dense", "attention", "embedding"}  # what learns a kernel
COMBINING_ROLES = {"add", "multiply", "concatenate"}  # what combines tensors: with a constant
# (a bias, a scale, a cache's empty past) no layer of its own in any adapter
EMBEDDINGS = ("Position embedding", "Segment embedding", "Learned embedding")  # learned tables
# added to the data, by what their names say: ``added_embedding``
CLASS_TOKEN = "Class token"  # a learned table joined to the data (ViT's [class] token)
# activation functions as papers write them (a Keras ``Activation("relu")`` is a ``ReLU``)
ACTIVATION_WORDS = {"relu": "ReLU", "relu6": "ReLU6", "silu": "SiLU", "swish": "SiLU",
                    "gelu": "GELU", "sigmoid": "Sigmoid", "softmax": "Softmax", "tanh": "Tanh",
                    "elu": "ELU", "selu": "SELU", "hard_swish": "Hard swish",
                    "hard_silu": "Hard swish", "hard_sigmoid": "Hard sigmoid"}
FIRST, LAST = 0, -1  # where a tensor keeps its channels: before or after its spatial axes


@dataclass(frozen=True)
class Node:
    """One layer call, with the framework-neutral facts its adapter found."""

    id: str
    name: str
    type: str  # the framework's name for it (``Conv2D``, ``Conv2d``, ``Conv``)
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...]
    config: dict = field(default_factory=dict, compare=False, hash=False)
    params: int = 0
    scope: tuple[str, ...] = ()  # names of the blocks this call lives in, outermost first
    calls: tuple[str, ...] = ()  # the id of each of those block calls: the call path
    role: str = "other"  # one of ROLES
    kernel: bool = False  # learns a kernel (a convolution, a dense layer, attention)
    settings: dict = field(default_factory=dict, compare=False, hash=False)  # main ones, shown
    short: str = ""  # the type in an aggregate's name (``BN``); empty: the type itself
    channel_axes: tuple[int, int] = (LAST, LAST)  # input side's and output side's channel axis
    members: tuple[str, ...] = ()  # for an aggregate's glyph: ids of the layers it stands for
    repeats: int = 1  # consecutive occurrences shown as this one glyph (the ×N mark)
    frame: tuple[str, ...] = ()  # (glyph id, aggregate) of the opened occurrence it is drawn in
    # (identity, size) of each weight tensor it reads: a weight read again is not counted again
    weights: tuple[tuple[str, int], ...] = field(default=(), compare=False, hash=False)


@dataclass(frozen=True)
class Edge:
    """A tensor from ``source`` feeding input number ``index`` of ``target``."""

    source: str
    target: str
    index: int = 0


@dataclass(frozen=True)
class Network:
    """A model as the figure sees it: its layer calls (``nodes``) and the tensors between them
    (``edges``), in no framework's types. The adapters make one from a model; build one by
    hand to draw an architecture no framework holds.

    Examples
    --------
    >>> net = Network("tiny", (
    ...     Node("input", "input", "Input", (), ((32, 32, 3),), role="input"),
    ...     Node("conv", "conv", "Conv2D", ((32, 32, 3),), ((32, 32, 16),),
    ...          role="convolution", kernel=True),
    ...     Node("pool", "pool", "MaxPooling2D", ((32, 32, 16),), ((16, 16, 16),),
    ...          role="pooling"),
    ... ), (Edge("input", "conv"), Edge("conv", "pool")))
    >>> figure(net)
    <net2vis figure of 'tiny': 3 layers as 3 glyphs>
    """

    name: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    failure: str = ""  # a partial network: where and why the rest of it did not run

    @cached_property
    def by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def kinds(self) -> dict[str, "Node"]:
        """A layer of each type, first in order: where the facts of a type are read."""
        kinds = {}
        for node in self.nodes:
            kinds.setdefault(node.type, node)
        return kinds

    @cached_property
    def order(self) -> dict[str, int]:
        """Each node's position in ``nodes``, a topological order."""
        return {n.id: i for i, n in enumerate(self.nodes)}

    @cached_property
    def feeds(self) -> dict[str, list[str]]:
        """Each node's sources, in the order of its inputs (read only)."""
        feeds = {n.id: [] for n in self.nodes}
        for edge in sorted(self.edges, key=lambda e: e.index):
            feeds[edge.target].append(edge.source)
        return feeds

    @cached_property
    def targets(self) -> dict[str, list[str]]:
        """Each node's targets, one per edge (read only)."""
        targets = {n.id: [] for n in self.nodes}
        for edge in self.edges:
            targets[edge.source].append(edge.target)
        return targets

    def chained_from(self, node_id: str) -> str | None:
        """The layer linked one to one into ``node_id`` (its only source, feeding nothing
        else; several edges between the two count as one link), if there is one."""
        sources = set(self.feeds[node_id])
        if len(sources) == 1:
            (source,) = sources
            if set(self.targets[source]) == {node_id}:
                return source
        return None

    def graph(self) -> nx.MultiDiGraph:
        """The network as a networkx graph of node ids, for graph algorithms."""
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(n.id for n in self.nodes)
        graph.add_edges_from((e.source, e.target) for e in self.edges)
        return graph


def added_embedding(name: str) -> str:
    """The type of a learned table added to the data, by its name (``wpe``,
    ``position_embeddings``, ``token_type_embeddings``)."""
    words = name.lower()
    return ("Segment embedding" if "type" in words or "segment" in words else
            "Position embedding" if "pos" in words or "wpe" in words else "Learned embedding")


def joined_token(name: str) -> str:
    """The type of a learned vector joined to the data as a token, by its name (``cls_token``,
    ``class_embedding``; a separator, a register)."""
    words = name.lower()
    return CLASS_TOKEN if "cls" in words or "class" in words else "Learned token"


def attention_bias(name: str) -> str:
    """The type of a learned table added to attention scores, by its name
    (``relative_attention_bias``, ``relative_position_bias_table``)."""
    return "Relative position bias" if "relative" in name.lower() else "Attention bias"


def fused_attention(nodes: list[Node], edges: list[Edge]) -> tuple[list, list]:
    """Scaled dot-product attention written out (``MatMul`` of queries and keys, ``Softmax``,
    ``MatMul`` with the values: an ONNX file's, a module's own) as the one ``Dot-product
    attention`` node it is, reading the queries, keys and values; for every adapter."""
    written = Network("", tuple(nodes), tuple(edges))
    by_id, feeds, targets = written.by_id, written.feeds, written.targets
    fused = {}  # the last MatMul's id -> (the scores' MatMul, the Softmax, a soft-capping Tanh)
    for node in nodes:
        if node.type != "MatMul" or len(feeds[node.id]) != 2:
            continue
        weights = feeds[node.id][0]
        if by_id[weights].type != "Softmax" or targets[weights] != [node.id]:
            continue
        scores, capped = feeds[weights][:1], []
        if scores and by_id[scores[0]].type == "Tanh" and targets[scores[0]] == [weights]:
            capped, scores = scores, feeds[scores[0]][:1]  # Gemma 2's scores, soft-capped
        # queries and keys: two glyphs, or one making both (a rotary embedding)
        if (scores and by_id[scores[0]].type == "MatMul" and len(feeds[scores[0]]) <= 2
                and targets[scores[0]] == (capped or [weights])):
            fused[node.id] = (scores[0], weights, *capped)
    if not fused:
        return nodes, edges
    gone = {i for parts in fused.values() for i in parts}
    kept_nodes, kept_edges = [], []
    for node in nodes:
        if node.id in fused:
            scores, _, *capped = fused[node.id]
            reads = feeds[scores] + feeds[node.id][1:]
            shapes = by_id[scores].input_shapes + node.input_shapes[1:]
            settings = {**node.settings, "scores": "soft-capped by tanh"} if capped else (
                node.settings)
            kept_nodes.append(replace(node, type="Dot-product attention", role="attention",
                                      kernel=True, short="Dot-product attention",
                                      input_shapes=shapes, settings=settings))
            kept_edges += [Edge(source, node.id, i) for i, source in enumerate(reads)]
        elif node.id not in gone:
            kept_nodes.append(node)
    kept_edges += [e for e in edges if e.target not in gone and e.target not in fused]
    return kept_nodes, kept_edges


def printable(text: str) -> str:
    """``text`` with its control characters (and those no XML document can hold) written as
    escapes, ``\\x1b``: what a model names itself always reaches the figure, and never
    breaks it."""
    if text.isprintable():
        return text
    return "".join(_escaped(c) if unicodedata.category(c) in ("Cc", "Cs") or c in "\ufffe\uffff"
                   else c for c in text)


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def weights_counted_once(nodes) -> list[Node]:
    """``nodes`` where a layer reading weights an earlier one holds (ALBERT's one layer run 12
    times, an output layer tied to the embedding) counts only its own and says whose it
    shares, so that every sum of parameters counts each weight once."""
    holder, counted = {}, []
    for node in nodes:
        shared = [holder[w] for w, _ in node.weights if w in holder]
        own = sum(size for w, size in node.weights if w not in holder)
        holder.update((w, node.name) for w, _ in node.weights if w not in holder)
        if shared:
            whose = "its first call" if shared[0] == node.name else shared[0]
            node = replace(node, params=own, settings={
                **node.settings, "weights": f"shared with {whose}"})
        counted.append(node)
    return counted


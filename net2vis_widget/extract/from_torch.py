"""PyTorch adapter: a live ``torch.nn.Module`` and example inputs → ``Network``.

The module is captured by ``torch.export``, whose graph keeps, for every operation, the stack
of modules it runs in. The operations of one call of a ``torch.nn`` built-in (Conv2d,
BatchNorm2d, Linear, MultiheadAttention, …) become one node typed by its class; a module
written by the user is descended into; operations outside any built-in that combine tensors
(add, cat, mul, matmul, …) become nodes typed by their name; shape plumbing (view, permute,
getitem, dropout in eval, …) is bypassed, and so is what reads no input: position indices,
masks, and the embeddings of such constants. Shapes are without the batch axis; channels
come first where the network has images, last in sequence models.

User-module classes used more than once (a ResNet's BasicBlock, a BERT layer) are the
network's blocks: their layers carry the block's class in ``Node.scope`` and its instance
path in their id (``block/layer``), as nested Keras models do, so each becomes an aggregate.
"""
from __future__ import annotations

import numbers
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch._subclasses.fake_tensor import FakeTensorMode
from torch.fx.experimental.symbolic_shapes import ShapeEnv

from . import MissingInputs, first_line
from ..network import Edge, Network, Node
from .config import plain_config

NOT_NESTING = "\u2215"  # a '/' in a module's name: in an id, '/' means nesting
CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")
PLUMBING = {"view", "_unsafe_view", "reshape", "permute", "transpose", "t", "contiguous",
            "expand", "expand_as", "unsqueeze", "squeeze", "flatten", "unflatten", "clone",
            "alias", "select", "slice", "split", "split_with_sizes", "chunk", "unbind",
            "dropout", "detach", "_to_copy", "to", "type_as", "lift_fresh_copy", "getitem",
            "_assert_tensor_metadata", "sym_size", "scalar_tensor"}


def extract(module: torch.nn.Module, input_size=None, input_data=None) -> Network:
    module = getattr(module, "_orig_mod", module)  # torch.compile's wrapper: the module itself
    name = type(module).__name__
    args, kwargs = example_inputs(module, input_size, input_data)
    try:
        with _inference_mode(module):
            program = torch.export.export(module, args, kwargs, strict=False)
    except Exception as error:  # noqa: BLE001 - PyTorch's reason, shortened
        reason = first_line(error)
        sizes = [tuple(t.shape) for t in (*args, *kwargs.values()) if isinstance(t, torch.Tensor)]
        raise ValueError(f"cannot capture {name} with inputs of sizes {sizes}: PyTorch reported: "
                         f"{reason}") from None
    return _Builder(module, program).network(name)


@contextmanager
def _inference_mode(module: torch.nn.Module):
    """Every submodule in eval mode while the module is captured (dropout bypassed), then in
    the mode it had: drawing changes nothing about the user's module."""
    modes = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        yield
    finally:
        for submodule, training in modes:
            submodule.training = training


def example_inputs(module, input_size, input_data) -> tuple[tuple, dict]:
    """Positional and keyword example inputs from ``input_data`` or ``input_size``, as fake
    tensors on the module's device and of its dtype: capture reads only their shapes, so an
    input of any size, and a module on the meta device, need no memory."""
    if input_size is not None and input_data is not None:
        raise ValueError("pass input_size or input_data, not both")
    device, dtype = _device_and_dtype(module)
    with FakeTensorMode(allow_non_fake_inputs=True, shape_env=ShapeEnv()):
        if input_data is not None:
            return _fake_data(input_data, device)
        if input_size is not None:
            return tuple(torch.empty(size, dtype=dtype, device=device)
                         for size in checked_sizes(input_size)), {}
    raise MissingInputs(
        f"drawing a PyTorch module ({type(module).__name__}) needs example inputs: pass "
        "input_size=(1, 3, 224, 224) (a list of sizes for several inputs) or input_data= a "
        "tensor, a tuple of tensors or a dict of keyword tensors")


def checked_sizes(input_size) -> list[tuple[int, ...]]:
    """``input_size`` as a list of sizes (one per input), or a ValueError showing the form."""
    sizes = input_size if _is_size_list(input_size) else [input_size]
    for size in sizes:
        if not (isinstance(size, (tuple, list, torch.Size)) and size
                and all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0 for d in size)):
            raise ValueError(f"input_size must be a size such as (1, 3, 224, 224), positive "
                             f"integers with the batch axis first, or a list of sizes; got "
                             f"{input_size!r}")
    return [tuple(size) for size in sizes]


def _is_size_list(value) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(size, (tuple, list, torch.Size)) for size in value))


def _fake_data(input_data, device) -> tuple[tuple, dict]:
    """Fake twins of the example tensors (same shape and dtype, on the module's device);
    other values (flags, ``None``) are passed as they are."""
    def twin(value):
        if isinstance(value, torch.Tensor):
            return torch.empty(value.shape, dtype=value.dtype, device=device)
        return value

    if isinstance(input_data, dict):
        return (), {key: twin(value) for key, value in input_data.items()}
    values = tuple(input_data) if isinstance(input_data, (tuple, list)) else (input_data,)
    return tuple(map(twin, values)), {}


def _device_and_dtype(module) -> tuple[torch.device, torch.dtype]:
    """Where the module's weights live and their floating dtype (the defaults without any)."""
    tensors = [*module.parameters(), *module.buffers()]
    device = tensors[0].device if tensors else torch.device("cpu")
    floating = [t.dtype for t in tensors if t.is_floating_point()]
    return device, floating[0] if floating else torch.get_default_dtype()


@dataclass
class _Glyph:
    id: str
    name: str
    type: str
    scope: tuple
    call: tuple  # what makes operations one glyph: the module call, or the operation
    inputs: list = field(default_factory=list)  # (source glyph id, shape), first use first
    output: tuple = ()
    module: torch.nn.Module | None = None


class _Builder:
    def __init__(self, module, program):
        self.modules = dict(module.named_modules())
        self.program = program
        classes = Counter(type(m).__name__ for path, m in self.modules.items()
                          if path and not type(m).__module__.startswith("torch.nn"))
        self.blocks = {c for c, n in classes.items() if n > 1}
        self.glyphs: list[_Glyph] = []
        self.source: dict[str, list[str]] = {}  # fx node -> the glyphs its value comes from
        self.shape: dict[str, tuple] = {}
        self.calls: Counter = Counter()
        self.config_cache: dict = {}

    def network(self, name: str) -> Network:
        user_inputs = set(self.program.graph_signature.user_inputs)
        for node in self.program.graph.nodes:
            value = node.meta.get("val")
            if isinstance(value, torch.Tensor):
                self.shape[node.name] = tuple(value.shape[1:])
            if node.op == "placeholder" and node.name in user_inputs:
                glyph = self._glyph(node.name, node.name, "Input", (), ("input", node.name))
                glyph.output = self.shape.get(node.name, ())
                self.source[node.name] = [glyph.id]
            elif node.op == "call_function":
                self._operation(node)
        nodes = [Node(g.id, g.name, g.type, tuple(s for _, s in g.inputs) or (g.output,),
                      (g.output,), self._config(g), self._params(g), g.scope) for g in self.glyphs]
        edges = [Edge(source, g.id, i) for g in self.glyphs for i, (source, _) in enumerate(g.inputs)]
        # channels come first in images (C, H, W); a sequence (L, features) has them last
        images = any(len(g.output) >= 3 for g in self.glyphs)
        return Network(name, tuple(nodes), tuple(edges), channels_first=images)

    def _operation(self, node):
        operation = _operation_name(node.target)
        stack = list((node.meta.get("nn_module_stack") or {}).items())
        leaf = next(((key, path, kind) for key, (path, kind) in stack if _is_builtin(kind)), None)
        references = [a.name for a in _fx_nodes((node.args, node.kwargs)) if a.name in self.source]
        sources = list(dict.fromkeys(s for r in references for s in self.source[r]))
        if not sources or (leaf is None and operation in PLUMBING):
            self.source[node.name] = sources  # bypassed, or a constant (positions, masks)
            return
        call = ("module", leaf[0]) if leaf else ("function", node.name)
        glyph = self.glyphs[-1] if self.glyphs and self.glyphs[-1].call == call else None
        if glyph is None:
            path = leaf[1] if leaf else node.name
            kind = leaf[2].rsplit(".", 1)[-1] if leaf else operation
            glyph = self._glyph(path, path, kind, stack, call)
            glyph.module = self.modules.get(leaf[1]) if leaf else None
        for reference in references:
            for source in self.source[reference]:
                if source != glyph.id and source not in (s for s, _ in glyph.inputs):
                    glyph.inputs.append((source, self.shape.get(reference, ())))
        if node.name in self.shape:
            glyph.output = self.shape[node.name]
        self.source[node.name] = [glyph.id]

    def _glyph(self, local_id, name, kind, stack, call) -> _Glyph:
        blocks = [(path, cls.rsplit(".", 1)[-1]) for _, (path, cls) in stack
                  if path and cls.rsplit(".", 1)[-1] in self.blocks]
        count = self.calls[local_id]
        self.calls[local_id] += 1
        parts = [path for path, _ in blocks] + [local_id + (f"#{count}" if count else "")]
        glyph_id = "/".join(part.replace("/", NOT_NESTING) for part in parts)
        glyph = _Glyph(glyph_id, name, kind, tuple(cls for _, cls in blocks), call)
        self.glyphs.append(glyph)
        return glyph

    def _config(self, glyph) -> dict:
        return plain_config(glyph.module, self.config_cache) if glyph.module is not None else {}

    @staticmethod
    def _params(glyph) -> int:
        module = glyph.module
        return sum(p.numel() for p in module.parameters()) if module is not None else 0


def _is_builtin(kind: str) -> bool:
    """A ``torch.nn`` module that is one glyph (not a container, not the user's own)."""
    return kind.startswith("torch.nn.") and kind.rsplit(".", 1)[-1] not in CONTAINERS


def _operation_name(target) -> str:
    name = getattr(target, "_opname", None) or getattr(target, "__name__", str(target))
    return name.split(".")[0].rstrip("_")


def _fx_nodes(value):
    """The graph nodes referenced in an operation's arguments, in order."""
    if isinstance(value, torch.fx.Node):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _fx_nodes(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _fx_nodes(item)

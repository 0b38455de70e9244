"""PyTorch adapter: a live ``torch.nn.Module`` and example inputs → ``Network``.

The module is captured by ``torch.export``, whose graph keeps, for every operation, the stack
of modules it runs in. The operations of one call of a leaf module (a ``torch.nn`` built-in
such as Conv2d, BatchNorm2d, Linear, MultiheadAttention, or a module of the user's without
submodules, such as an RMSNorm) become one node typed by its class; other modules of the
user's are descended into; operations outside any leaf that combine tensors (add, cat, mul,
matmul, …) become nodes typed by a capitalised name (``Add``, ``Concat``). Shape plumbing
(view, permute, getitem, Flatten, Identity, dropout in eval, …) is bypassed, and so is what
reads no input: position indices, masks, and the embeddings of such constants. Whatever the
module returns (caches, ``ModelOutput``s, nested tuples), its tensors are the outputs.

Each tensor keeps its channels where what produced it puts them: first after a Conv2d or a
BatchNorm2d (C, H, W), last after a Linear, a LayerNorm or attention (tokens, features).

User-module classes used more than once (a ResNet's BasicBlock, a BERT layer) are the
network's blocks: their layers carry the block's class in ``Node.scope`` and the block's
instance path in ``Node.calls``, as nested Keras models do, so each becomes an aggregate.
"""
from __future__ import annotations

import inspect
import numbers
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch._subclasses.fake_tensor import FakeTensorMode
from torch.fx.experimental.symbolic_shapes import ShapeEnv

from . import MissingInputs, first_line
from ..network import FIRST, KERNEL_ROLES, LAST, Edge, Network, Node
from .config import main_settings, plain_config

NOT_NESTING = "\u2215"  # a '/' in a module's name: in an id, '/' means nesting
CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")
PLUMBING = {"view", "_unsafe_view", "reshape", "permute", "transpose", "t", "contiguous",
            "expand", "expand_as", "unsqueeze", "squeeze", "flatten", "unflatten", "clone",
            "alias", "select", "slice", "split", "split_with_sizes", "chunk", "unbind",
            "dropout", "detach", "_to_copy", "to", "type_as", "lift_fresh_copy", "getitem",
            "_assert_tensor_metadata", "feature_dropout",
            "alpha_dropout", "native_dropout", "identity", "movedim", "narrow", "as_strided",
            "repeat_interleave", "fill", "masked_fill", "eq", "ne", "lt", "gt", "le", "ge",
            "logical_not", "logical_and", "logical_or", "tril", "triu", "where", "roll"}
# new tensors made from another one's shape or dtype only: constants, like position indices
SHAPE_ONLY = {"new_zeros", "new_ones", "new_empty", "new_full", "zeros_like", "ones_like",
              "full_like", "empty_like", "arange", "sym_size", "scalar_tensor"}
# module classes → (role, short name, where their output keeps its channels: FIRST, LAST,
# or None for wherever their input kept them)
MODULES = {
    **dict.fromkeys(("Conv1d", "Conv2d", "Conv3d"), ("convolution", "Conv", FIRST)),
    **dict.fromkeys(("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"),
                    ("upsampling", "ConvT", FIRST)),
    **dict.fromkeys(("Linear", "LazyLinear", "Bilinear"), ("dense", "Linear", LAST)),
    **dict.fromkeys(("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"),
                    ("normalization", "BN", FIRST)),
    "GroupNorm": ("normalization", "GN", FIRST), "LocalResponseNorm": ("normalization", "LRN", FIRST),
    **dict.fromkeys(("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"),
                    ("normalization", "IN", FIRST)),
    "LayerNorm": ("normalization", "LN", LAST), "RMSNorm": ("normalization", "RMSNorm", LAST),
    **{name: ("activation", name, None) for name in (
        "ReLU", "ReLU6", "GELU", "SiLU", "Sigmoid", "Tanh", "Softmax", "Hardswish",
        "Hardsigmoid", "LeakyReLU", "PReLU", "ELU", "Mish", "Softplus", "GLU")},
    **dict.fromkeys(("MaxPool1d", "MaxPool2d", "MaxPool3d"), ("pooling", "MaxPool", FIRST)),
    **dict.fromkeys(("AvgPool1d", "AvgPool2d", "AvgPool3d"), ("pooling", "AvgPool", FIRST)),
    **dict.fromkeys(("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"),
                    ("pooling", "AvgPool", FIRST)),
    **dict.fromkeys(("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"),
                    ("pooling", "MaxPool", FIRST)),
    **dict.fromkeys(("ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
                     "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad2d"),
                    ("padding", "Pad", None)),
    "PixelShuffle": ("upsampling", "PixelShuffle", FIRST),
    **dict.fromkeys(("Embedding", "EmbeddingBag"), ("embedding", "Embed", LAST)),
    "MultiheadAttention": ("attention", "MHA", LAST),
    **dict.fromkeys(("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"),
                    ("upsampling", "UpSample", FIRST)),
}
BYPASSED = {"Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
            "FeatureAlphaDropout", "Identity", "Flatten", "Unflatten"}  # identity in eval
# functions outside any leaf module → (type, role, where their output keeps its channels)
FUNCTIONS = {
    "add": ("Add", "add", None), "sub": ("Sub", "add", None), "rsub": ("Sub", "add", None),
    "mul": ("Mul", "multiply", None), "div": ("Div", "multiply", None),
    "cat": ("Concat", "concatenate", None), "concat": ("Concat", "concatenate", None),
    "stack": ("Stack", "concatenate", None),
    "matmul": ("MatMul", "other", LAST), "bmm": ("MatMul", "other", LAST),
    "mm": ("MatMul", "other", LAST), "einsum": ("Einsum", "other", LAST),
    "linear": ("Linear", "dense", LAST), "addmm": ("Linear", "dense", LAST),
    "embedding": ("Embedding", "embedding", LAST),
    "conv1d": ("Conv1d", "convolution", FIRST), "conv2d": ("Conv2d", "convolution", FIRST),
    "relu": ("ReLU", "activation", None), "gelu": ("GELU", "activation", None),
    "silu": ("SiLU", "activation", None), "sigmoid": ("Sigmoid", "activation", None),
    "tanh": ("Tanh", "activation", None), "softmax": ("Softmax", "activation", None),
    "hardswish": ("Hardswish", "activation", None), "leaky_relu": ("LeakyReLU", "activation", None),
    "layer_norm": ("LayerNorm", "normalization", LAST),
    "group_norm": ("GroupNorm", "normalization", FIRST),
    "batch_norm": ("BatchNorm", "normalization", FIRST),
    "rms_norm": ("RMSNorm", "normalization", LAST),
    "max_pool2d": ("MaxPool2d", "pooling", FIRST), "avg_pool2d": ("AvgPool2d", "pooling", FIRST),
    "adaptive_avg_pool2d": ("AdaptiveAvgPool2d", "pooling", FIRST),
    "mean": ("Mean", "other", None), "pad": ("Pad", "padding", None),
    "constant_pad_nd": ("Pad", "padding", None),
    "upsample_nearest2d": ("Upsample", "upsampling", FIRST),
    "upsample_bilinear2d": ("Upsample", "upsampling", FIRST),
    "scaled_dot_product_attention": ("Attention", "attention", LAST),
}
SETTINGS = ("out_channels", "kernel_size", "stride", "padding", "out_features", "num_heads", "embed_dim", "embedding_dim", "output_size",
            "scale_factor", "normalized_shape", "num_groups")
# attention by heads, (heads, tokens, features per head): drawn as the tokens it makes
HEADED = {"scaled_dot_product_attention"}
GENERIC = {"Layer", "Block", "Model", "Module"}  # what a class named only after its model is
WRAPPED = "net2vis_wrapped"  # the attribute holding the user's module inside the capture


def extract(module: torch.nn.Module, input_size=None, input_data=None) -> Network:
    module = getattr(module, "_orig_mod", module)  # torch.compile's wrapper: the module itself
    name = type(module).__name__
    args, kwargs = example_inputs(module, input_size, input_data)
    try:
        with _inference_mode(module):
            program = torch.export.export(_Tensors(module), args, kwargs, strict=False)
    except Exception as error:  # noqa: BLE001 - PyTorch's reason, shortened
        reason = first_line(error)
        sizes = [tuple(t.shape) for t in (*args, *kwargs.values()) if isinstance(t, torch.Tensor)]
        raise ValueError(f"cannot capture {name} with inputs of sizes {sizes}: PyTorch reported: "
                         f"{reason}") from None
    return _Builder(module, program, _input_names(module, args, kwargs)).network(name)


def _input_names(module, args, kwargs) -> list[str]:
    """The names of the inputs in the order of the capture's: ``forward``'s parameters."""
    try:
        positional = [p.name for p in inspect.signature(module.forward).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        positional = []
    names = positional[:len(args)] + [f"input_{i}" for i in range(len(positional), len(args))]
    return names + list(kwargs)


class _Tensors(torch.nn.Module):
    """The user's module returning only the tensors of its output, wherever they are (a
    cache object, a ``ModelOutput``, nested tuples): ``torch.export`` takes no other kind."""

    def __init__(self, module):
        super().__init__()
        setattr(self, WRAPPED, module)

    def forward(self, *args, **kwargs):
        return tuple(_tensors_in(getattr(self, WRAPPED)(*args, **kwargs)))


def _tensors_in(value):
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors_in(item)
    elif isinstance(value, dict):  # ModelOutput is a dict too
        for item in value.values():
            yield from _tensors_in(item)


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
    role: str
    short: str
    layout: int | None  # where its output keeps its channels; None: where its input does
    scope: tuple
    calls: tuple
    call: tuple  # what makes operations one glyph: the module call, or the operation
    inputs: list = field(default_factory=list)  # (source glyph id, shape), first use first
    output: tuple = ()
    module: torch.nn.Module | None = None
    axes: tuple = (LAST, LAST)  # the channel axis of its input and output side, once known


class _Builder:
    def __init__(self, module, program, input_names):
        self.modules = dict(module.named_modules())
        self.program = program
        self.input_names = input_names
        classes = Counter(type(m).__name__ for path, m in self.modules.items()
                          if path and not _is_torch(type(m)))
        self.blocks = {c for c, n in classes.items() if n > 1}
        self.prefix = _model_prefix(module)
        self.glyphs: list[_Glyph] = []
        self.source: dict[str, list[str]] = {}  # fx node -> the glyphs its value comes from
        self.shape: dict[str, tuple] = {}
        self.calls: Counter = Counter()
        self.config_cache: dict = {}

    def network(self, name: str) -> Network:
        user_inputs = self.program.graph_signature.user_inputs
        names = dict(zip(user_inputs, self.input_names))
        for node in self.program.graph.nodes:
            value = node.meta.get("val")
            if isinstance(value, torch.Tensor):
                self.shape[node.name] = tuple(value.shape[1:])
                if _operation_name(node.target) in HEADED and len(self.shape[node.name]) == 3:
                    heads, tokens, width = self.shape[node.name]
                    self.shape[node.name] = (tokens, heads * width)
            if node.op == "placeholder" and node.name in user_inputs:
                glyph = self._glyph(names.get(node.name, node.name), "Input",
                                    ("input", "Input", None), [], ("input", node.name))
                glyph.output = self.shape.get(node.name, ())
                self.source[node.name] = [glyph.id]
            elif node.op == "call_function":
                self._operation(node)
        self._place_channels()
        nodes = [Node(g.id, g.name, g.type, tuple(s for _, s in g.inputs) or (g.output,),
                      (g.output,), config, self._params(g), g.scope, g.calls, g.role,
                      self._kernel(g), main_settings(config, SETTINGS), g.short, g.axes)
                 for g in self.glyphs for config in [self._config(g)]]
        edges = [Edge(source, g.id, i) for g in self.glyphs for i, (source, _) in enumerate(g.inputs)]
        return Network(name, tuple(nodes), tuple(edges))

    def _operation(self, node):
        operation = _operation_name(node.target)
        stack = [(key, _local(path), kind)
                 for key, (path, kind) in (node.meta.get("nn_module_stack") or {}).items()]
        leaf = next(((key, path, kind) for key, path, kind in stack if self._is_leaf(path, kind)),
                    None)
        references = [a.name for a in _fx_nodes((node.args, node.kwargs)) if a.name in self.source]
        sources = list(dict.fromkeys(s for r in references for s in self.source[r]))
        call = ("module", leaf[0]) if leaf else ("function", node.name)
        glyph = self.glyphs[-1] if self.glyphs and self.glyphs[-1].call == call else None
        kind = self._module_kind(leaf[1], leaf[2], operation) if leaf else _function_kind(operation)
        if operation in SHAPE_ONLY:
            self.source[node.name] = []  # a constant, like position indices
            return
        with_constant = leaf is None and kind[1] in ("add", "multiply") and len(sources) == 1
        if not sources or with_constant or kind[1] == "bypassed" or (
                operation in PLUMBING and glyph is None):
            self.source[node.name] = sources  # bypassed: plumbing, identity, a constant's use
            return
        if glyph is None:
            path = leaf[1] if leaf else node.name
            glyph = self._glyph(path, kind[0], kind[1:], stack, call)
            glyph.module = self.modules.get(leaf[1]) if leaf else None
        for reference in references:
            for source in self.source[reference]:
                if source != glyph.id and source not in (s for s, _ in glyph.inputs):
                    glyph.inputs.append((source, self.shape.get(reference, ())))
        if node.name in self.shape:
            glyph.output = self.shape[node.name]
        self.source[node.name] = [glyph.id]

    def _is_leaf(self, path: str, kind: str) -> bool:
        """One glyph: a ``torch.nn`` built-in that is not a container, or a module of the
        user's without submodules (an RMSNorm written by hand)."""
        if kind.startswith("torch.nn."):
            return kind.rsplit(".", 1)[-1] not in CONTAINERS
        module = self.modules.get(path)
        return bool(path) and module is not None and next(module.children(), None) is None

    def _module_kind(self, path: str, kind: str, operation: str) -> tuple:
        """(type, role, short, layout) of a leaf module's glyph (``operation``: its first)."""
        cls = kind.rsplit(".", 1)[-1]
        if cls in BYPASSED:
            return cls, "bypassed", cls, None
        if cls in MODULES:
            role, short, layout = MODULES[cls]
            size = getattr(self.modules.get(path), "output_size", None)
            if cls.startswith("Adaptive") and size in (1, (1,), (1, 1), (1, 1, 1)):
                role, short = "global_pooling", "GAP" if "Avg" in cls else "GMP"
            return cls, role, short, layout
        return cls, *_user_leaf_kind(cls, operation)

    def _glyph(self, local_id, kind, facts, stack, call) -> _Glyph:
        blocks = [(path, cls.rsplit(".", 1)[-1]) for _, path, cls in stack
                  if path and cls.rsplit(".", 1)[-1] in self.blocks]
        count = self.calls[local_id]
        self.calls[local_id] += 1
        parts = [path for path, _ in blocks] + [local_id + (f"#{count}" if count else "")]
        ids = ["/".join(part.replace("/", NOT_NESTING) for part in parts[:i + 1])
               for i in range(len(parts))]
        role, short, layout = facts
        glyph = _Glyph(ids[-1], local_id, self._readable(kind), role, self._readable(short),
                       layout, tuple(self._readable(cls) for _, cls in blocks), tuple(ids[:-1]),
                       call)
        self.glyphs.append(glyph)
        return glyph

    def _readable(self, cls: str) -> str:
        """A class of the model's own without the model's name: ``Stage`` for ``ResNetStage``."""
        rest = cls.removeprefix(self.prefix)
        return rest if self.prefix and rest[:1].isupper() and rest not in GENERIC else cls

    def _place_channels(self) -> None:
        """Each glyph side's channel axis: where its kind of layer keeps them; an elementwise
        layer reads them where its input's producer put them, found again by their count
        after any permute or flatten in between (a ViT's patches: (768, 14, 14) → (196, 768))."""
        by_id = {g.id: g for g in self.glyphs}
        expected = {}  # input glyph -> the layout its first consumer with one expects
        for glyph in self.glyphs:
            for source, _ in glyph.inputs[:1]:
                if glyph.layout is not None:
                    expected.setdefault(source, glyph.layout)
        for glyph in self.glyphs:
            if glyph.role == "input":
                axis = expected.get(glyph.id, FIRST if len(glyph.output) >= 3 else LAST)
                glyph.axes = (axis, axis)
            elif glyph.layout is not None:
                glyph.axes = (glyph.layout, glyph.layout)
            elif glyph.inputs:
                source, shape = glyph.inputs[0]
                producer = by_id[source]
                axis = _axis_of(shape, _channels(producer), producer.axes[1])
                glyph.axes = (axis, _axis_of(glyph.output, _channels(producer), axis))

    def _config(self, glyph) -> dict:
        return plain_config(glyph.module, self.config_cache) if glyph.module is not None else {}

    def _kernel(self, glyph) -> bool:
        weights = [p for p in glyph.module.parameters()] if glyph.module is not None else []
        return glyph.role in KERNEL_ROLES or any(w.dim() >= 2 for w in weights)

    @staticmethod
    def _params(glyph) -> int:
        module = glyph.module
        return sum(p.numel() for p in module.parameters()) if module is not None else 0


def _model_prefix(module) -> str:
    """The first words of the class names written for this model, where they all share them
    (``transformers`` names every class of a model after it: ``LlamaDecoderLayer``,
    ``LlamaRMSNorm``); an empty text where they do not."""
    own = {type(m).__name__ for m in module.modules() if type(m).__module__ == type(module).__module__}
    words = [re.findall(r"[A-Z]+[a-z0-9]*", name) for name in own]
    prefix = []
    for column in zip(*words):
        if len(set(column)) > 1:
            break
        prefix.append(column[0])
    return "".join(prefix) if len(own) > 1 and all(len(w) > len(prefix) for w in words) else ""


def _channels(glyph: _Glyph):
    shape = glyph.output
    return shape[glyph.axes[1]] if shape else None


def _axis_of(shape: tuple, channels, default: int) -> int:
    """The end of ``shape`` that holds ``channels``, the last one first."""
    if len(shape) >= 2 and channels is not None:
        if shape[LAST] == channels:
            return LAST
        if shape[FIRST] == channels:
            return FIRST
    return default


def _user_leaf_kind(cls: str, operation: str) -> tuple:
    """(role, short, layout) of a module of the user's without submodules: a normalisation or
    an activation by its name (``LlamaRMSNorm``, ``GELUActivation``), else what its first
    operation does where that learns a kernel (``transformers``' ``Conv1D`` is a linear map)."""
    if cls.endswith("Norm"):
        return "normalization", cls, LAST
    if cls.endswith("Activation") or any(a in cls for a in ("GELU", "ReLU", "SiLU", "Swish")):
        return "activation", cls, None
    _, role, layout = FUNCTIONS.get(operation, ("", "other", None))
    return (role, cls, layout) if role in KERNEL_ROLES else ("other", cls, None)


def _function_kind(operation: str) -> tuple:
    """(type, role, short, layout) of a function's glyph: ``add`` is an ``Add``."""
    kind, role, layout = FUNCTIONS.get(operation, (operation[:1].upper() + operation[1:],
                                                   "other", None))
    return kind, role, kind, layout


def _is_torch(cls) -> bool:
    return cls.__module__.startswith("torch.nn")


def _local(path: str) -> str:
    """A module path inside the user's module (the capture wraps it)."""
    return "" if path == WRAPPED else path.removeprefix(WRAPPED + ".")


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

"""PyTorch adapter: a live ``torch.nn.Module`` and example inputs → ``Network``.

The module is recorded as it runs on fake tensors (shapes, no memory, no arithmetic): module
hooks keep the stack of modules being called, and a ``TorchFunctionMode`` sees every torch
function. Python control flow runs as written, data-dependent calls (a detector's
``nonzero``) are glyphs with unknown sizes, and a run that fails is drawn up to the failing
call on request. The operations of one call of a leaf module (a ``torch.nn`` built-in such
as Conv2d, BatchNorm2d, Linear, MultiheadAttention, or a module of the user's without
submodules, such as an RMSNorm) become one node typed by its class; other modules of the
user's are descended into; operations outside any leaf that combine tensors (add, cat, mul,
matmul, …) become nodes typed by a capitalised name (``Add``, ``Concat``). Shape plumbing
(view, permute, getitem, Flatten, Identity, dropout in eval, …) is bypassed, and so is what
reads no input: position indices, masks, and the embeddings of such constants. A learned
table added to the data (a position embedding: a weight of the model, or the embedding of
position indices) or joined to it (a class token) is a glyph of its own. Whatever the module
returns (caches, ``ModelOutput``s, nested tuples) is fine.

Each tensor keeps its channels where what produced it puts them: first after a Conv2d or a
BatchNorm2d (C, H, W), last after a Linear, a LayerNorm or attention (tokens, features).

User-module classes used more than once (a ResNet's BasicBlock, a BERT layer) are the
network's blocks: their layers carry the block's class in ``Node.scope`` and the block's
instance path in ``Node.calls``, as nested Keras models do, so each becomes an aggregate.
"""
from __future__ import annotations

import inspect
import logging
import numbers
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import torch
from torch.nn.parameter import is_lazy
from torch._subclasses.fake_tensor import FakeTensorMode
from torch.fx.experimental.symbolic_shapes import ShapeEnv
from torch.nn.modules import module as torch_module
from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
from torch.overrides import TorchFunctionMode

from . import MissingInputs, first_line
from ..network import (COMBINING_ROLES, FIRST, KERNEL_ROLES, LAST, Edge, Network,
                       Node, added_embedding, attention_bias, fused_attention,
                       joined_token)
from .config import main_settings, plain_config
from .torch_replay import Replayer
from .torch_twin import fake_inputs, fake_tensor, tensor_paths, twin

NOT_NESTING = "\u2215"  # a '/' in a module's name: in an id, '/' means nesting
CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")
PLUMBING = {"view", "_unsafe_view", "reshape", "permute", "transpose", "t", "contiguous",
            "expand", "expand_as", "unsqueeze", "squeeze", "flatten", "unflatten", "clone",
            "alias", "select", "slice", "split", "split_with_sizes", "chunk", "unbind",
            "dropout", "detach", "_to_copy", "to", "type_as", "lift_fresh_copy", "getitem",
            "_assert_tensor_metadata", "feature_dropout",
            "alpha_dropout", "native_dropout", "identity", "movedim", "narrow", "as_strided",
            "repeat_interleave", "fill", "masked_fill", "eq", "ne", "lt", "gt", "le", "ge",
            "logical_not", "logical_and", "logical_or", "tril", "triu", "where", "roll",
            "float", "half", "double", "bfloat16", "int", "long", "bool"}  # casts too
# new tensors made from another one's shape or dtype only: constants, like position indices
WRITES = {"copy", "setitem"}  # data written into a tensor, or a slice of it, in place
AUGMENTED = {f"__i{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow",
                                     "matmul", "and", "or", "xor", "lshift", "rshift")}  # x += y
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
    "GroupNorm": ("normalization", "GN", FIRST),
    "LocalResponseNorm": ("normalization", "LRN", FIRST),
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
    **dict.fromkeys(("Embedding", "EmbeddingBag"), ("embedding", "Embedding", LAST)),
    "MultiheadAttention": ("attention", "Attention", LAST),
    **dict.fromkeys(("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"),
                    ("upsampling", "UpSample", FIRST)),
}
# activation classes by a word in their name → the function they compute (``NewGELUActivation``
# and ``QuickGELUActivation`` approximate a GELU: the figure says GELU)
ACTIVATIONS = {"GELU": "GELU", "SiLU": "SiLU", "Swish": "SiLU", "ReLU": "ReLU", "Tanh": "Tanh",
               "Sigmoid": "Sigmoid", "Mish": "Mish"}
# normalisation classes by a word in their name → (short name, where their output keeps its
# channels); the first that a class's name holds
NORMS = {"BatchNorm": ("BN", FIRST), "GroupNorm": ("GN", FIRST), "RMSNorm": ("RMSNorm", LAST),
         "LayerNorm": ("LN", LAST), "Norm": ("Norm", LAST)}
# functions wrapped in a module (by the ``kernels`` package) → (type, role, short, layout)
WRAPPED = {"apply_rotary_pos_emb": ("Rotary embedding", "other", "RoPE", None),
           "causal_conv1d_forward": ("Causal conv", "convolution", "Causal conv", LAST),
           "mamba_scan_forward": ("Selective scan", "other", "Scan", LAST)}
# what subtracts a mean: a LayerNorm's, which a root mean square norm (RMSNorm) does not
CENTRING = {"sub", "layer_norm", "group_norm", "batch_norm", "instance_norm", "var", "var_mean",
            "std", "std_mean"}
BYPASSED = {"Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
            "FeatureAlphaDropout", "Identity", "Flatten", "Unflatten"}  # identity in eval
# functions outside any leaf module → (type, role, where their output keeps its channels)
FUNCTIONS = {
    "add": ("Add", "add", None), "sub": ("Sub", "add", None), "rsub": ("Sub", "add", None),
    "mul": ("Mul", "multiply", None), "div": ("Div", "multiply", None),
    "cat": ("Concat", "concatenate", None), "concat": ("Concat", "concatenate", None),
    "stack": ("Stack", "concatenate", None),
    # a multimodal model's image tokens put in their places among the text's (LLaVA)
    "masked_scatter": ("Token merge", "concatenate", None),
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
    "scaled_dot_product_attention": ("Dot-product attention", "attention", LAST),
}
SETTINGS = ("out_channels", "kernel_size", "stride", "padding", "out_features", "num_heads",
            "embed_dim", "embedding_dim", "output_size", "scale_factor", "normalized_shape",
            "num_groups")
# attention by heads, (heads, tokens, features per head): drawn as the tokens it makes
HEADED = {"scaled_dot_product_attention"}
GENERIC = {"Layer", "Block", "Model", "Module"}  # what a class named only after its model is
FAILED = "FAILED"  # the type of the call where a partial network's run failed


def extract(module: torch.nn.Module, input_size=None, input_data=None,
            partial: bool = False, replay: bool = True) -> Network:
    """The network of ``module`` run on ``input_size`` or ``input_data``. Where the forward
    pass fails, a ValueError names the call and its input sizes; with ``partial``, the
    network of what ran, ending in the failed call, typed ``FAILED``. The forward pass runs on
    a twin of ``module`` (``torch_twin``): the module itself and the inputs stay as they were.
    A call of a repeated block that would record what an earlier one did is replayed
    (``torch_replay``); ``replay=False`` records every call as it runs."""
    module = getattr(module, "_orig_mod", module)  # torch.compile's wrapper: the module itself
    name = type(module).__name__
    with FakeTensorMode(allow_non_fake_inputs=True, shape_env=ShapeEnv()) as mode:
        args, kwargs = example_inputs(module, input_size, input_data, mode)
        recorded = twin(module, mode)
        _without_cache(recorded)
        recorder = _Recorder(recorded, _named_inputs(module, args, kwargs), mode)
        if replay:
            recorder.replayer.install(recorded)
        try:
            with recorder.recording():
                recorded(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - PyTorch's reason, shortened
            failure = recorder.failure(first_line(error))
            if not partial:
                raise ValueError(f"cannot run {name}: {failure}") from None
            return replace(recorder.network(name), failure=failure)
    return recorder.network(name)


def _without_cache(recorded) -> None:
    """A ``transformers`` model's twin keeps no cache of keys and values (what generation
    reuses, not what the model computes): its layers then do not read their index to store
    in it, and the calls of equal layers are replayed."""
    config = getattr(recorded, "config", None)
    if getattr(config, "use_cache", None):
        config.use_cache = False


def _named_inputs(module, args, kwargs) -> list[tuple[str, torch.Tensor]]:
    """Each input tensor with its name: ``forward``'s parameter, or the keyword, followed by
    where the tensor sits inside it (``batch.pair[1]``)."""
    try:
        positional = [p.name for p in inspect.signature(module.forward).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        positional = []
    names = positional[:len(args)] + [f"input_{i}" for i in range(len(positional), len(args))]
    values = [*zip(names, args), *kwargs.items()]
    return [pair for name, value in values for pair in tensor_paths(value, name)]


def example_inputs(module, input_size, input_data, mode) -> tuple[tuple, dict]:
    """Positional and keyword example inputs from ``input_data`` or ``input_size``, made on
    the module's device and of its dtype (fake tensors of ``mode``: the
    capture reads only their shapes, so an input of any size, and a module on the meta
    device, need no memory). ``input_data`` is a tensor, a tuple of positional inputs or a dict
    of keyword inputs; each may hold tensors at any depth."""
    if input_size is not None and input_data is not None:
        raise ValueError("pass input_size or input_data, not both")
    device, dtype = _device_and_dtype(module)
    if input_data is not None:
        if isinstance(input_data, dict):
            return (), fake_inputs(dict(input_data), mode, device)
        values = tuple(input_data) if type(input_data) in (tuple, list) else (input_data,)
        return tuple(fake_inputs(dict(enumerate(values)), mode, device).values()), {}
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
        if not (isinstance(size, (tuple, list, torch.Size)) and size and all(
                isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0
                for d in size)):
            raise ValueError(f"input_size must be a size such as (1, 3, 224, 224), positive "
                             f"integers with the batch axis first, or a list of sizes; got "
                             f"{input_size!r}")
    return [tuple(size) for size in sizes]


def _is_size_list(value) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(size, (tuple, list, torch.Size)) for size in value))


def _device_and_dtype(module) -> tuple[torch.device, torch.dtype]:
    """Where the module's weights live (most of them: a model built on the meta device may
    keep one made outside it) and their floating dtype (the defaults without any)."""
    tensors = [*module.parameters(), *module.buffers()]
    devices = Counter(t.device for t in tensors)
    device = devices.most_common(1)[0][0] if devices else torch.device("cpu")
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
    table: tuple = ()  # (name, size) of the learned table it is, when no module's call
    axes: tuple = (LAST, LAST)  # the channel axis of its input and output side, once known
    blocks: tuple = ()  # the block modules it is in, outermost first


class _Recorder(TorchFunctionMode):
    """Records the module's run, call by call: module hooks keep the stack of modules being
    called, and every torch function passes through ``__torch_function__``. A call of a leaf
    module is one glyph; functions outside leaves are glyphs or plumbing. Tensors are known by
    identity; each maps to the glyphs its value comes from."""

    def __init__(self, module, inputs, mode):
        super().__init__()
        self.root = module
        self.paths, classes = {}, Counter()
        for path, submodule in module.named_modules():
            self.paths.setdefault(id(submodule), path)
            if path and not _is_torch(type(submodule)):
                classes[type(submodule).__name__] += 1
        self.blocks = {c for c, n in classes.items() if n > 1}
        self.prefix = _model_prefix(module)
        self.inputs = inputs  # (name, tensor) of each input
        self.glyphs: list[_Glyph] = []
        self.source: dict[int, list[str]] = {}  # id(tensor) -> the glyphs its value comes from
        self.alive: list = []  # every tensor seen, so that no id is reused while recording
        self.stack: list[tuple] = []  # (module, path, (source, shape) it read) being called
        self.leaf: tuple | None = None  # (module, path, call) of the leaf being called
        self.centred = False  # the leaf being called subtracted a mean (a LayerNorm does)
        self.leaf_calls: Counter = Counter()  # path -> calls of that leaf so far
        self.local_ids: Counter = Counter()  # local id -> glyphs made with it so far
        self.replayer = Replayer(self, mode)  # replays the blocks it is installed on
        # id(tensor) -> (name, size) of the learned table it is: a weight (a position
        # embedding, a class token), or what an embedding made of indices that read no input
        self.tables = {id(p): (name, p.numel()) for name, p in module.named_parameters()
                       if not is_lazy(p) and p.dim() >= 1}
        # those of one axis: a class token where joined to the data (CLIP's), else a bias
        self.vectors = {id(p) for p in module.parameters() if not is_lazy(p) and p.dim() == 1}

    @contextmanager
    def recording(self):
        for name, tensor in self.inputs:
            glyph = self._glyph(name, "Input", ("input", "Input", None), ("input", name))
            glyph.output = _shape(tensor)
            self.produced(tensor, [glyph.id])
        users = _suspended_global_hooks()  # the user's own see no fake tensor
        hooks = (register_module_forward_pre_hook(self._enter),
                 register_module_forward_hook(self._leave))
        fake_log = logging.getLogger("torch._subclasses.fake_tensor")
        level, fake_log.level = fake_log.level, logging.CRITICAL  # a failing call is ours to say
        # what torch.export sets while it traces: models then take their traceable paths
        # (``transformers``' MoE layers choose a grouped matmul with a fake kernel)
        compiling, torch.compiler._is_compiling_flag = torch.compiler._is_compiling_flag, True
        try:  # no autograd graph: none is drawn, and a replayed tensor is then as a recorded
            with self, torch.no_grad():  # one (not a leaf that an in-place operation refuses)
                yield
        finally:
            torch.compiler._is_compiling_flag = compiling
            fake_log.setLevel(level)
            for hook in hooks:
                hook.remove()
            for registry, saved in users:
                registry.update(saved)

    def failure(self, reason: str) -> str:
        """Where the run failed: the innermost call not finished, and its input sizes. In a
        partial network that call is the last glyph, typed ``FAILED``."""
        if not self.stack:
            return reason
        module, path, read = self.stack[-1]
        glyph = self._leaf_glyph() if self.leaf else None
        if glyph is None:
            glyph = self._glyph(path or "forward", FAILED, ("other", FAILED, None),
                                ("failed", path))
            glyph.inputs = list(dict.fromkeys(read))
        glyph.type, glyph.role = FAILED, "other"
        sizes = [shape for _, shape in glyph.inputs]
        return (f"{path or 'forward'} ({type(module).__name__}) failed on inputs of sizes "
                f"{sizes}: {reason}")

    # --- module hooks -----------------------------------------------------------------------

    def _enter(self, module, args):
        path = self.paths.get(id(module), type(module).__name__)
        read = [(s, _shape(t)) for t in _tensors_in(args) for s in self._sources(t)]
        self.stack.append((module, path, read))
        if self.leaf is None and module is not self.root and self._is_leaf(module):
            self.leaf = (module, path, ("module", path, self.leaf_calls[path]))
            self.leaf_calls[path] += 1
            self.centred = False
            self.replayer.note("leaves", path)

    def _leave(self, module, args, output):
        self.stack.pop()
        if self.leaf is None or self.leaf[0] is not module:
            return
        glyph = self._leaf_glyph()
        self.leaf = None
        if glyph is not None and glyph.short == "LN" and not self.centred:  # T5's "LayerNorm"
            glyph.type = glyph.short = "RMSNorm"
        tensors = list(_tensors_in(output))
        if glyph is None and isinstance(module, torch.nn.Embedding):  # of positions, say
            size = sum(p.numel() for p in module.parameters())
            name = self.paths.get(id(module), type(module).__name__)
            self.tables.update((id(t), (name, size)) for t in tensors)
        if glyph is not None and tensors:
            glyph.output = _shape(tensors[0])
            for tensor in tensors:
                self.produced(tensor, [glyph.id])

    def _leaf_glyph(self) -> _Glyph | None:
        call = self.leaf[2]
        return self.glyphs[-1] if self.glyphs and self.glyphs[-1].call == call else None

    # --- functions --------------------------------------------------------------------------

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = _function_name(func)
        shortcut = SHORTCUTS.get(name)
        result = shortcut(*args, **(kwargs or {})) if shortcut else None
        if result is None:  # no shortcut, or the shapes do not fit: PyTorch says why
            result = func(*args, **(kwargs or {}))
        if name in WRITES:
            self._written(list(_tensors_in((args, kwargs))))
            return result
        outputs = list(_tensors_in(result))
        if outputs:
            self._operation(name, (args, kwargs), outputs, _in_place(func, kwargs))
        return result

    def _written(self, tensors) -> None:
        """``target.copy_(data)``, ``target[i] = data``: the target, and the tensor it is a
        view of, hold what they held and what was written: an empty tensor filled by parts is
        the concatenation of the parts (DeepSeek's keys), a constant written is no data."""
        target, *data = tensors
        for tensor in data:
            self.replayer.note("read", id(tensor))
        written = [s for t in data for s in self.source.get(id(t), [])]
        for tensor in (target, getattr(target, "_base", None)):
            if tensor is not None and written:
                held = self.source.get(id(tensor), [])
                self.produced(tensor, list(dict.fromkeys(held + written)), written=True)

    def _operation(self, operation: str, arguments, outputs, in_place: bool) -> None:
        given = list(_tensors_in(arguments))
        kind = (self._module_kind(self.leaf[0], operation) if self.leaf
                else _function_kind(operation))
        if operation == "mean" and not self.leaf and _averages_space(given[0], outputs[0]):
            kind = ("Mean", "global_pooling", "GAP", None)  # ConvNeXt's, timm's: a GAP
        mask = _attention_mask(operation, arguments)
        if (mask is not None and id(mask) in self.tables and id(mask) not in self.vectors
                and not self.source.get(id(mask))):
            self._attention_bias(mask)
        read = [t for t in given if id(t) in self.source]
        for tensor in read:
            self.replayer.note("read", id(tensor))
        self.centred = self.centred or operation in CENTRING
        sources = list(dict.fromkeys(s for t in read for s in self.source[id(t)]))
        glyph = self._leaf_glyph() if self.leaf else None
        if operation in SHAPE_ONLY:
            sources = []  # a constant, like position indices
        if (not self.leaf and operation not in PLUMBING
                and not any(t.is_floating_point() or t.is_complex() for t in outputs)):
            sources = []  # indices, masks, counts made: index arithmetic, not the data drawn
        # a constant added, scaled or joined (a cache's empty past, a class token)
        with_constant = not self.leaf and kind[1] in COMBINING_ROLES and len(sources) == 1
        learned = next((t for t in given if id(t) in self.tables), None)
        table = self.tables[id(learned)] if learned is not None else None
        vector = learned is not None and id(learned) in self.vectors
        joined = False  # the learned vector or table is a token joined to the data
        if table is not None and not sources:
            self.tables.update((id(t), table) for t in outputs)  # a slice of it, say
            if vector:
                self.vectors.update(id(t) for t in outputs)
        elif table is not None and with_constant and kind[1] == "add" and not vector:
            embedding = added_embedding(table[0])
            kind, with_constant = (embedding, "embedding", embedding, LAST), False
        elif (table is not None and with_constant and kind[1] == "concatenate"
              and (not vector or table[1] == outputs[0].shape[-1])):  # a token: its features
            token = joined_token(table[0])
            kind, with_constant, joined = (token, "concatenate", token, LAST), False, True
        if (not sources or with_constant or kind[1] == "bypassed"
                or (operation in PLUMBING and glyph is None)):
            for tensor in outputs:  # bypassed: plumbing, identity, a constant's use
                self.produced(tensor, sources, in_place and _in(tensor, given))
            return
        if glyph is None:
            call = self.leaf[2] if self.leaf else ("function", len(self.glyphs))
            local = self.leaf[1] if self.leaf else table[0] if kind[1] == "embedding" else (
                operation)
            glyph = self._glyph(local, kind[0], kind[1:], call)
            glyph.module = self.leaf[0] if self.leaf else None
            glyph.table = table if (kind[1] == "embedding" or joined) and not self.leaf else ()
        for tensor in read:
            for source in self.source[id(tensor)]:
                if source != glyph.id and source not in (s for s, _ in glyph.inputs):
                    glyph.inputs.append((source, _shape(tensor)))
        glyph.output = _shape(outputs[0], operation)
        for tensor in outputs:
            self.produced(tensor, [glyph.id], in_place and _in(tensor, given))

    def _attention_bias(self, tensor) -> None:
        """A learned table added to the attention's scores (T5's and Swin's relative position
        bias, given as its mask): a glyph of its own, which reads no input."""
        table = self.tables[id(tensor)]
        kind = attention_bias(table[0])
        glyph = self._glyph(table[0], kind, ("embedding", kind, LAST),
                            ("function", len(self.glyphs)))
        glyph.output, glyph.table = _shape(tensor), table
        self.produced(tensor, [glyph.id])

    def _sources(self, tensor) -> list[str]:
        return self.source.get(id(tensor), [])

    def produced(self, tensor, sources, written: bool = False) -> None:
        """``tensor``'s value comes from the glyphs ``sources``; ``written``: it existed
        before (a buffer, an input) and was written into."""
        known = self.source.get(id(tensor))
        if known != sources:  # not a no-op such as ``x.float()`` on floats
            self.replayer.note("remade" if written or known is not None else "made", id(tensor))
        self.source[id(tensor)] = sources
        self.alive.append(tensor)

    # --- glyphs -----------------------------------------------------------------------------

    def network(self, name: str) -> Network:
        self._place_channels()
        nodes = [Node(g.id, g.name, g.type, tuple(s for _, s in g.inputs) or (g.output,),
                      (g.output,), config, sum(size for _, size in weights), g.scope, g.calls,
                      g.role,
                      self._kernel(g), main_settings(config, SETTINGS) | _routing(g.module),
                      g.short, g.axes, weights=weights)
                 for g in self.glyphs
                 for config, weights in [(self._config(g), _weights(g))]]
        edges = [Edge(source, g.id, i)
                 for g in self.glyphs for i, (source, _) in enumerate(g.inputs)]
        nodes, edges = fused_attention(nodes, edges)
        return Network(name, tuple(nodes), tuple(edges))

    def _is_leaf(self, module) -> bool:
        """One glyph: a ``torch.nn`` built-in that is not a container, or a module of the
        user's without submodules (an RMSNorm written by hand), or one holding weights of its
        own whose submodules hold none (a mixture of experts' weights and its activation)."""
        if _is_torch(type(module)):
            return type(module).__name__ not in CONTAINERS
        children = list(module.children())
        return not children or (next(module.parameters(recurse=False), None) is not None and not
                                any(next(c.parameters(), None) is not None for c in children))

    def _module_kind(self, module, operation: str) -> tuple:
        """(type, role, short, layout) of a leaf module's glyph (``operation``: its first)."""
        cls = type(module).__name__
        if cls in BYPASSED:
            return cls, "bypassed", cls, None
        if cls in MODULES:
            role, short, layout = MODULES[cls]
            size = getattr(module, "output_size", None)
            if cls.startswith("Adaptive") and size in (1, (1,), (1, 1), (1, 1, 1)):
                role, short = "global_pooling", "GAP" if "Avg" in cls else "GMP"
            return cls, role, short, layout
        if _routing(module).keys() == {"experts", "top-k"}:  # a mixture of experts' gate
            return "Router", "dense", "Router", LAST
        wrapped = _wrapped_function(module)
        if wrapped is not None:  # the ``kernels`` package's module around a function
            return WRAPPED.get(wrapped, (_words(wrapped), "other", _words(wrapped), None))
        return _user_leaf_kind(cls, operation)

    def _glyph(self, local_id, kind, facts, call) -> _Glyph:
        blocks = self.stack_blocks()
        role, short, layout = facts
        return self.add_glyph(_Glyph("", local_id, self._readable(kind), role,
                                     self._readable(short), layout, (), (), call), blocks)

    def stack_blocks(self) -> list:
        """The block modules being called, outermost first."""
        return [m for m, path, _ in self.stack if path and type(m).__name__ in self.blocks]

    def add_glyph(self, glyph: _Glyph, blocks) -> _Glyph:
        """``glyph``, in ``blocks``, with its scope (their classes) and its id: their paths
        and its name, counted where the name was used before (``add#3``)."""
        count = self.local_ids[glyph.name]
        self.local_ids[glyph.name] += 1
        parts = [self.paths.get(id(b), type(b).__name__) for b in blocks] + [
            glyph.name + (f"#{count}" if count else "")]
        ids = ["/".join(part.replace("/", NOT_NESTING) for part in parts[:i + 1])
               for i in range(len(parts))]
        glyph.id, glyph.calls, glyph.blocks = ids[-1], tuple(ids[:-1]), tuple(blocks)
        glyph.scope = tuple(self._readable(type(b).__name__) for b in blocks)
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
            elif glyph.layout is not None and glyph.role == "normalization" and glyph.inputs:
                # where its weight's count is: ConvNeXt's LN permutes to channels last and back
                channels = _normalised(glyph.module)
                axis = _axis_of(glyph.inputs[0][1], channels, glyph.layout)
                glyph.axes = (axis, _axis_of(glyph.output, channels, axis))
            elif glyph.layout is not None:
                glyph.axes = (glyph.layout, glyph.layout)
            elif glyph.inputs:
                source, shape = glyph.inputs[0]
                producer = by_id[source]
                axis = _axis_of(shape, _channels(producer), producer.axes[1])
                glyph.axes = (axis, _output_axis(shape, glyph.output, _channels(producer), axis))

    def _config(self, glyph) -> dict:
        return plain_config(glyph.module) if glyph.module is not None else {}

    def _kernel(self, glyph) -> bool:
        weights = [p for p in glyph.module.parameters()] if glyph.module is not None else []
        return glyph.role in KERNEL_ROLES or any(w.dim() >= 2 for w in weights)


def _weights(glyph: _Glyph) -> tuple[tuple[str, int], ...]:
    """(identity, size) of the parameters a module call reads: one module called again reads
    the same ones (the twin keeps the module's sharing); of a learned table's glyph, the table
    (T5's relative position bias, made in its first layer and added in every one)."""
    if glyph.module is not None:
        return tuple((str(id(p)), p.numel()) for p in glyph.module.parameters())
    return (glyph.table,) if glyph.table else ()


def _suspended_global_hooks() -> list[tuple[dict, dict]]:
    """Empties the registries of global forward hooks (``register_module_forward_hook``);
    returns each with what it held, to put back."""
    registries = [getattr(torch_module, name) for name in (
        "_global_forward_pre_hooks", "_global_forward_hooks", "_global_forward_hooks_always_called")
        if isinstance(getattr(torch_module, name, None), dict)]
    saved = [(registry, dict(registry)) for registry in registries]
    for registry in registries:
        registry.clear()
    return saved


def _model_prefix(module) -> str:
    """The first words of the class names written for this model, where they all share them
    (``transformers`` names every class of a model after it: ``LlamaDecoderLayer``,
    ``LlamaRMSNorm``); an empty text where they do not."""
    home = type(module).__module__
    own = {type(m).__name__ for m in module.modules() if type(m).__module__ == home}
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
    """The end of ``shape`` that holds ``channels``: ``default`` where both ends do (64
    channels of 64×64), else the last one first."""
    if len(shape) >= 2 and channels is not None:
        return next((axis for axis in (default, LAST, FIRST) if shape[axis] == channels),
                    default)
    return default


def _output_axis(shape: tuple, output: tuple, channels, axis: int) -> int:
    """The channel axis of ``output``, made from an input of ``shape`` with ``channels`` at
    ``axis``: the same where every other axis keeps its size (an add; a concat of channels,
    64 + 64 → 128), else found by their count (after a permute or a flatten)."""
    if len(output) == len(shape) >= 2 and _others(output, axis) == _others(shape, axis):
        return axis
    return _axis_of(output, channels, axis)


def _others(shape: tuple, axis: int) -> tuple:
    return shape[1:] if axis == FIRST else shape[:-1]


def _normalised(module):
    """How many values a normalisation layer's weight scales: its channels."""
    weight = getattr(module, "weight", None)
    return weight.numel() if isinstance(weight, torch.Tensor) and weight.dim() == 1 else None


def _user_leaf_kind(cls: str, operation: str) -> tuple:
    """(type, role, short, layout) of a module of the user's without submodules: a
    normalisation by its name (``LlamaRMSNorm``); an activation as the function it is
    (``GELUActivation``, ``NewGELUActivation`` and ``nn.GELU`` are all ``GELU``); else what its
    first operation does where that learns a kernel (``transformers``' ``Conv1D`` is a
    ``Linear``)."""
    norm = next((n for n in NORMS if n in cls), None)
    if norm is not None:  # ``LlamaRMSNorm``, ``FrozenBatchNorm2d``, ``T5LayerNorm``
        short, layout = NORMS[norm]
        return cls, "normalization", short, layout
    activation = next((a for a in ACTIVATIONS if a.lower() in cls.lower()), None)
    if activation is not None or cls.endswith("Activation"):
        name = ACTIVATIONS.get(activation, cls.removesuffix("Activation") or cls)
        return name, "activation", name, None
    kind, role, layout = FUNCTIONS.get(operation, ("", "other", None))
    return (kind, role, kind, layout) if role in KERNEL_ROLES else (cls, "other", cls, None)


def _routing(module) -> dict:
    """How many experts a mixture of experts' layer holds and sends each token to."""
    found = {"experts": getattr(module, "num_experts", None), "top-k": getattr(module, "top_k",
                                                                                  None)}
    return {key: value for key, value in found.items() if type(value) is int}


def _wrapped_function(module) -> str | None:
    """The name of the function a module defined around it runs (the ``kernels`` package
    wraps ``apply_rotary_pos_emb`` so), or None."""
    forward = getattr(type(module), "forward", None)
    if "<locals>" not in type(module).__qualname__ or forward is None:
        return None
    cells = dict(zip(forward.__code__.co_freevars, forward.__closure__ or ()))
    function = cells["func"].cell_contents if "func" in cells else None
    return getattr(function, "__name__", None)


def _words(name: str) -> str:
    """``apply_rotary_pos_emb`` → ``Rotary pos emb``: a function's name as words."""
    words = name.removeprefix("apply_").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _function_kind(operation: str) -> tuple:
    """(type, role, short, layout) of a function's glyph: ``add`` is an ``Add``."""
    kind, role, layout = FUNCTIONS.get(operation, (operation[:1].upper() + operation[1:],
                                                   "other", None))
    return kind, role, kind, layout


def _is_torch(cls) -> bool:
    return cls.__module__.startswith("torch.nn")


def _in(tensor, tensors) -> bool:
    """Whether ``tensor`` is one of ``tensors`` (an in-place operation returns its target)."""
    return any(t is tensor for t in tensors)


def _in_place(func, kwargs) -> bool:
    """Whether ``func`` writes into a tensor it is given: ``add_``, ``__iadd__``, ``out=``
    (``x.float()`` on floats returns ``x`` too, and writes nothing)."""
    name = getattr(func, "__name__", "")
    return (name.endswith("_") and not name.endswith("__") or name in AUGMENTED
            or bool(kwargs and kwargs.get("out") is not None))


def _tensors_in(value):
    """The tensors in a value: a tensor, or one inside tuples, lists and dicts (a
    ``ModelOutput`` is a dict); anything else (a cache object, ``None``) holds none."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors_in(item)


def _empty(like, shape=None):
    """A new tensor of ``shape`` (``like``'s shape and strides by default) with ``like``'s
    dtype and device, made directly where ``like`` is a fake tensor of known size."""
    mode = getattr(like, "fake_mode", None)
    size = tuple(like.shape if shape is None else shape)
    if mode is None or not all(type(d) is int for d in size):
        return like.new_empty(size)
    stride = tuple(like.stride()) if shape is None else _contiguous(size)
    if not all(type(d) is int for d in stride):
        return like.new_empty(size)
    return fake_tensor(mode, size, stride, like.dtype, like.device)


def _contiguous(shape: tuple) -> tuple:
    strides, step = [], 1
    for d in reversed(shape):
        strides.append(step)
        step *= max(d, 1)
    return tuple(reversed(strides))


def _batch_norm(x, running_mean=None, *args, **kwargs):
    fits = running_mean is None or x.dim() >= 2 and running_mean.shape[0] == x.shape[1]
    return _empty(x) if fits else None


def _layer_norm(x, normalized_shape, *args, **kwargs):
    fits = tuple(x.shape[x.dim() - len(normalized_shape):]) == tuple(normalized_shape)
    return _empty(x) if fits else None


def _linear(x, weight, *args, **kwargs):
    fits = x.dim() >= 1 and x.shape[-1] == weight.shape[-1]
    return _empty(x, (*x.shape[:-1], weight.shape[0])) if fits else None


def _addmm(bias, x, weight, *args, **kwargs):
    fits = x.dim() == weight.dim() == 2 and x.shape[1] == weight.shape[0]
    return _empty(x, (x.shape[0], weight.shape[1])) if fits else None


def _attention(query, key, value, embed_dim, num_heads, *args, need_weights=True,
               average_attn_weights=True, **kwargs):
    """``multi_head_attention_forward`` (what ``nn.MultiheadAttention`` calls): its output
    has the query's shape, its weights (tokens × keys, per head unless averaged) the rest."""
    batched = query.dim() == 3
    fits = (query.dim() in (2, 3) and key.dim() == value.dim() == query.dim()
            and query.shape[-1] == embed_dim and key.shape[:-1] == value.shape[:-1])
    if not fits:
        return None
    weights = None
    if need_weights:
        heads = () if average_attn_weights else (num_heads,)
        batch = (query.shape[1],) if batched else ()
        weights = _empty(query, (*batch, *heads, query.shape[0], key.shape[0]))
    return _empty(query), weights


# functions whose output needs only its shape, made at once where the input's shape fits (else
# PyTorch runs them, and says why not): on fake tensors their arithmetic is slow to trace, a
# batch norm or a linear map decomposes into tens of operations
SHORTCUTS = {"batch_norm": _batch_norm, "layer_norm": _layer_norm, "rms_norm": _layer_norm,
             "linear": _linear, "addmm": _addmm, "multi_head_attention_forward": _attention}


def _averages_space(tensor, mean) -> bool:
    """``mean`` of an image's (or a volume's) ``tensor`` over all its spatial axes, its
    channels first or last: global average pooling."""
    shape, pooled = tuple(tensor.shape), tuple(mean.shape)
    kept = tuple(d for d in pooled[1:] if d != 1)  # the channels, the spatial axes gone
    return (len(shape) >= 4 and pooled[:1] == shape[:1] and len(kept) == 1
            and kept in (pooled[1:2], pooled[-1:]) and kept[0] in (shape[1], shape[-1]))


def _attention_mask(operation: str, arguments):
    """The mask ``scaled_dot_product_attention`` adds to its scores: its fourth argument."""
    if operation != "scaled_dot_product_attention":
        return None
    args, kwargs = arguments
    return args[3] if len(args) > 3 else (kwargs or {}).get("attn_mask")


def _function_name(func) -> str:
    """``add`` for ``torch.add``, ``Tensor.add_``, ``Tensor.__add__`` and ``__radd__``."""
    name = getattr(func, "__name__", str(func)).strip("_")
    if name[:1] in ("r", "i") and name[1:] in FUNCTIONS and name not in FUNCTIONS:
        name = name[1:]  # __radd__, __imul__
    return name


def _shape(tensor, operation: str = "") -> tuple:
    """A tensor's shape without the batch axis (``None`` where only data decides a size);
    attention by heads as the (tokens, features) it makes."""
    shape = tuple(d if isinstance(d, int) else None for d in tensor.shape[1:])
    if operation in HEADED and len(shape) == 3 and None not in shape:
        heads, tokens, width = shape
        return tokens, heads * width
    return shape

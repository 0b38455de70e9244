"""What the PyTorch adapter records on, so that drawing is observationally free.

The user's module is never run. ``twin(module)`` is a copy of it whose every tensor is a
fake twin (same shape, dtype and device, no memory): parameters, buffers, tensors kept as
attributes, and the inputs, followed into tuples, lists, dicts and dataclasses at any depth.
Whatever the forward pass changes — a buffer updated in place, a counter, a cache made on the
first call, a lazy module materialised, a mode — it changes on the twin, which is dropped
afterwards; a failure or an interruption leaves nothing to undo. The twin runs in eval mode
(set, not asked of ``train()`` overrides), and only the forward hooks that PyTorch itself
installs (lazy modules, weight norm) run on it: hooks of the user's never see a fake tensor.

What the forward pass changes outside the module (a global, a class attribute, a function's
cache) is beyond a copy's reach.
"""
from __future__ import annotations

import collections
import copy
import dataclasses
import functools

import torch
from torch._subclasses.fake_tensor import FakeTensor, FakeTensorMode, unset_fake_temporarily
from torch.nn.modules.lazy import LazyModuleMixin
from torch.nn.parameter import UninitializedBuffer, UninitializedParameter, UninitializedTensorMixin

FORWARD_HOOKS = ("_forward_pre_hooks", "_forward_hooks")
PLAIN = {list, tuple, set, frozenset, dict, collections.OrderedDict}  # rebuilt from their items
ATOMIC = {type(None), bool, int, float, complex, str, bytes, type, torch.dtype, torch.device}


def twin(module: torch.nn.Module, mode: FakeTensorMode) -> torch.nn.Module:
    """A copy of ``module`` holding fake tensors of ``mode``, in eval mode, without the user's
    hooks. Submodules and tensors shared within the module (tied weights) stay shared."""
    copied = _Copier(mode).copy(module)
    for submodule in copied.modules():
        submodule.training = False
        for name in FORWARD_HOOKS:
            hooks = getattr(submodule, name, None)
            if hooks:
                for key in [k for k, hook in hooks.items() if not _from_torch(hook)]:
                    del hooks[key]
        if isinstance(submodule, LazyModuleMixin):  # after it made its weights: fake twins
            submodule.register_forward_pre_hook(functools.partial(_faked, mode))
    return copied


class _Materialized:
    """A lazy weight of the twin's: a real tensor on the meta device (a fake one cannot be
    lazy), made to its size when its module first runs (the initialisation then needs no
    memory); ``_faked`` turns it into a fake tensor, on the meta device still."""

    def materialize(self, shape, device=None, dtype=None):
        with unset_fake_temporarily():
            super().materialize(shape, device="meta", dtype=dtype)


class _LazyParameter(_Materialized, UninitializedParameter):
    cls_to_become = torch.nn.Parameter


class _LazyBuffer(_Materialized, UninitializedBuffer):
    cls_to_become = torch.Tensor


def _faked(mode, module, args) -> None:
    """A lazy module's weights, just made by PyTorch from a fake input's shape, as true fake
    tensors (made in place, they are real tensors holding fake data)."""
    copier = _Copier(mode)
    for tensors in (module._parameters, module._buffers):
        for name, tensor in tensors.items():
            if tensor is not None and not isinstance(tensor, FakeTensor):
                tensors[name] = copier.copy(tensor)


def fake_inputs(values: dict, mode: FakeTensorMode, device: torch.device) -> dict:
    """``values`` (inputs by name) with each tensor in them, at any depth, replaced by a fake
    twin of ``mode`` on ``device``; containers are rebuilt, never changed. Each input has
    twins of its own: one tensor passed as two inputs (token ids as ``input_ids`` and
    ``decoder_input_ids``) is two inputs of the figure."""
    return {name: _Copier(mode, device).copy(value) for name, value in values.items()}


def tensor_paths(value, path: str = "") -> list[tuple[str, torch.Tensor]]:
    """Each tensor in ``value`` with where it sits (``batch.pair[1]``), in the order a
    forward pass would meet them."""
    if isinstance(value, torch.Tensor):
        return [(path, value)]
    if isinstance(value, (tuple, list)):
        return [pair for i, item in enumerate(value) for pair in tensor_paths(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [pair for key, item in value.items()
                for pair in tensor_paths(item, f"{path}.{key}" if path else str(key))]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [pair for f in dataclasses.fields(value)
                for pair in tensor_paths(getattr(value, f.name, None),
                                         f"{path}.{f.name}" if path else f.name)]
    return []


class _Copier:
    """A deep copy that makes fake twins of tensors and copies modules member by member; a
    value that cannot be copied (a lock, an open file) is shared, as a copy of its owner
    would have to."""

    def __init__(self, mode: FakeTensorMode, device=None):
        self.mode = mode
        self.device = device  # where the twins live; None: where each tensor lives
        self.memo: dict = {}

    def copy(self, value):
        if type(value) in ATOMIC:
            return value
        key = id(value)
        if key in self.memo:
            return self.memo[key]
        if isinstance(value, torch.Tensor):
            copied = self._tensor(value)
        elif isinstance(value, torch.nn.Module):
            copied = object.__new__(type(value))
            self.memo[key] = copied
            copied.__dict__.update({k: v if type(v) in ATOMIC else self.copy(v)
                                    for k, v in value.__dict__.items()})
        elif type(value) in PLAIN:
            copied = type(value)() if not value else type(value)(map(self.copy, value)) if (
                not isinstance(value, dict)) else type(value)(
                (k, self.copy(item)) for k, item in value.items())
        elif isinstance(value, dict):  # a dict, an OrderedDict, a ``ModelOutput``
            copied = self._shared_if_failing(copy.copy, value)
            if copied is not value:
                for k, item in value.items():
                    copied[k] = self.copy(item)
        elif isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
            copied = type(value)(*map(self.copy, value))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            copied = copy.copy(value)
            for f in dataclasses.fields(value):
                if hasattr(value, f.name):
                    object.__setattr__(copied, f.name, self.copy(getattr(value, f.name)))
        else:
            copied = self._shared_if_failing(copy.deepcopy, value, self.memo)
        self.memo[key] = copied
        return copied

    @staticmethod
    def _shared_if_failing(copier, value, *args):
        try:
            return copier(value, *args)
        except Exception:  # noqa: BLE001 - not copyable (a lock, a file): shared
            return value

    def _tensor(self, tensor):
        device = self.device or tensor.device
        if isinstance(tensor, UninitializedTensorMixin):  # a lazy module's: stays lazy
            kind = _LazyParameter if isinstance(tensor, torch.nn.Parameter) else _LazyBuffer
            with unset_fake_temporarily():  # real, on the meta device: see _Materialized
                return kind(requires_grad=tensor.requires_grad, device="meta", dtype=tensor.dtype)
        fake = fake_tensor(self.mode, tensor.shape, tensor.stride(), tensor.dtype, device,
                           tensor.requires_grad and tensor.is_leaf)
        if isinstance(tensor, torch.nn.Parameter):
            fake._is_param = True  # what torch.nn.Parameter makes of a tensor subclass
        return fake


def fake_tensor(mode: FakeTensorMode, shape, stride, dtype, device, requires_grad=False):
    """A fake tensor of ``mode`` with these facts, made directly: a fake dispatch costs 30
    times more."""
    with unset_fake_temporarily():
        meta = torch.empty_strided(shape, stride, dtype=dtype, device="meta")
    fake = FakeTensor(mode, meta, device)
    return fake.requires_grad_(True) if requires_grad else fake


def _from_torch(hook) -> bool:
    """Whether a hook is PyTorch's own (a lazy module's initialisation, weight norm)."""
    target = getattr(hook, "func", hook)  # functools.partial
    target = getattr(target, "__func__", target)  # a bound method
    home = getattr(target, "__module__", None) or type(target).__module__
    return home.startswith("torch.")

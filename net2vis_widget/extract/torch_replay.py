"""Capture a repeated block once: what a call of a block adds to the network is recorded as it
runs, and replayed for a later call that would record the same.

A call of a block (a module class of the model's own used more than once, holding modules: a
decoder layer, a bottleneck) adds glyphs that depend only on
- the block's structure: its modules' places, classes and tensors' sizes;
- the attributes its forward pass reads, of the block and every module inside (a layer index,
  a window size, a stride, a class attribute that one instance overrides), noted with the
  values the instances hold while the first call runs: each module's class is swapped for a
  subclass that notes every read (``_traced``);
- its arguments: each tensor's size and the glyphs its value comes from, and every other
  argument's value.
A later call whose three are the same is replayed: its glyphs are the recorded ones with the
block's own modules, paths and inputs, and it returns new fake tensors of the recorded sizes
(the same one where a tensor was returned twice) without running. A call whose record could
depend on anything else is never replayed: one that reads a tensor it was not given, writes
into a tensor it did not make (a buffer, an argument), changes an attribute, a container it
was given or a value it read, runs hooks, or returns objects besides tensors, plain values
and its own arguments. So a model whose forward branches on a layer index, alternates
attention kinds or changes a stride is recorded where its calls differ and replayed where they
do not; the network is the one a full recording makes (the tests compare the two, on the
models of ``transformers`` and on blocks made to trip a replay), and an 80-layer decoder
costs about one layer. What a forward pass reads or changes outside the model and its
arguments (a global counter) is beyond it, as it is beyond the twin (``torch_twin``).
"""
from __future__ import annotations

import functools
import sys
from collections import Counter
from dataclasses import dataclass, field, replace

import torch
from torch.nn.parameter import is_lazy
from torch.utils._pytree import tree_flatten, tree_unflatten

from .torch_twin import fake_tensor

PLAIN = (type(None), bool, int, float, str)
# what nn.Module keeps in every instance's __dict__ (its machinery, not a setting), and the
# ``forward`` the recorder puts on each block of its twin
INTERNAL = frozenset(vars(torch.nn.Module())) | {"forward"}
UNSET = object()
UNRECORDED = torch._C.DisableTorchFunction  # no torch function reaches the recorder


@dataclass
class Template:
    """The record of one call of a block, and what makes another call's the same."""
    arguments: list  # each leaf of the arguments' tree: a tensor's facts, or a snapshot
    spec: object  # the arguments' tree
    reads: list  # (module's path in the block, attribute, snapshot of the value read)
    glyphs: list  # (glyph, its name, inner blocks, inputs) of each glyph the call made
    leaf_calls: list  # the leaf modules called, as in ``glyphs``' names
    output: tuple  # (tree spec, leaves: ("input", i), ("value", v) or a new tensor's facts)


@dataclass
class _Call:
    """A call of a block, as templates are matched on."""
    block: torch.nn.Module
    modules: dict  # the block's modules by their path in it
    key: tuple  # its class and structure (``_structure``)
    leaves: list  # its arguments, flattened
    spec: object
    arguments: list  # as ``Template.arguments``
    externals: list  # the glyphs its tensors come from, in order of first use


@dataclass
class Replayer:
    """Calls of a recorder's blocks: replayed where a template fits, else recorded."""
    recorder: object
    mode: object
    templates: dict = field(default_factory=dict)  # _Call.key -> [Template]
    active: list = field(default_factory=list)  # where the logs stood as each call being
    # recorded began, innermost last; the logs, kept while a call is recorded: attributes read
    # and set by traced modules, tensors read by operations, made, and made again (written
    # into), leaf modules called
    logs: dict = field(default_factory=lambda: {name: [] for name in (
        "reads", "sets", "read", "made", "remade", "leaves")})
    seen: set = field(default_factory=set)  # attributes read since the last call began
    inside: dict = field(default_factory=dict)  # id(block) -> its modules by path in it
    structures: dict = field(default_factory=dict)  # id(block) -> its class and structure

    def install(self, twin: torch.nn.Module) -> None:
        """Calls of the twin's blocks that hold modules go through ``call``, where another
        block has the same structure (a stage unlike the others is never replayed, so never
        traced either)."""
        blocks = [m for m in twin.modules() if m is not twin and next(m.children(), None)
                  is not None and type(m).__name__ in self.recorder.blocks]
        for block in blocks:
            self.inside[id(block)] = modules = dict(block.named_modules())
            self.structures[id(block)] = (_class(block), _structure(modules))
        alike = Counter(self.structures.values())
        for block in blocks:
            if alike[self.structures[id(block)]] > 1:
                block.forward = functools.partial(self.call, block, block.forward)

    def note(self, log: str, value) -> None:
        if self.active:
            self.logs[log].append(value)

    def read(self, module, name: str, value) -> None:
        """A traced module's attribute read: noted, as it is now, the first time."""
        if (id(module), name) not in self.seen:
            self.seen.add((id(module), name))
            with UNRECORDED():
                self.logs["reads"].append((module, name, snapshot(value)))

    def call(self, block, forward, *args, **kwargs):
        """``block(*args, **kwargs)``: replayed where a template fits, else run and recorded."""
        with UNRECORDED():  # what is asked of tensors here is not the model's computation
            call = self._call(block, args, kwargs)
            template = call and next((t for t in self.templates.get(call.key, ())
                                      if _fits(t, call)), None)
            if template:
                return self._replay(template, call)
        if call is None:
            return forward(*args, **kwargs)
        with UNRECORDED():
            given = _given(call.arguments)
        start = {log: len(entries) for log, entries in self.logs.items()}
        start["glyphs"] = len(self.recorder.glyphs)
        swapped = _trace(block)
        self.seen = set()
        self.active.append(start)
        TRACE.append(self)
        try:
            output = forward(*args, **kwargs)
        finally:
            TRACE.pop()
            self.active.pop()
            classes_set = _untrace(swapped)
        with UNRECORDED():
            leaves, spec = tree_flatten((args, kwargs))
            changed = classes_set or spec != call.spec or any(  # an argument, changed
                a is not b for a, b in zip(leaves, call.leaves)) or _given(call.arguments) != given
            template = None if changed else self._template(call, start, output, given)
        if template is not None:
            self.templates.setdefault(call.key, []).append(template)
        if not self.active:
            for entries in self.logs.values():
                entries.clear()
        return output

    def _call(self, block, args, kwargs) -> _Call | None:
        """The call as it is matched, or None where it is neither replayed nor recorded: inside
        a leaf module's call, with hooks inside the block, or given a learned table or a
        tensor of symbolic size."""
        modules = self.inside[id(block)]
        leaves, spec = tree_flatten((args, kwargs))
        arguments, externals = _arguments(leaves, self.recorder.source, self.recorder.tables)
        if self.recorder.leaf is not None or arguments is None or any(
                m._forward_hooks or m._forward_pre_hooks for rel, m in modules.items() if rel):
            return None  # hooks (set while running, say), which a replay would not run
        return _Call(block, modules, self.structures[id(block)], leaves, spec, arguments,
                     externals)

    # --- recording --------------------------------------------------------------------------

    def _template(self, call: _Call, start: dict, output, given: list) -> Template | None:
        """What a call just recorded adds, or None where replaying it may be wrong."""
        logs = {log: entries[start[log]:] for log, entries in self.logs.items()}
        made = set(logs["made"])
        tensors = {id(t) for t in call.leaves if isinstance(t, torch.Tensor)}
        if (logs["sets"] or any(t not in made for t in logs["remade"])
                or any(t not in made and t not in tensors for t in logs["read"])):
            return None
        recorder = self.recorder
        rels = {id(m): rel for rel, m in call.modules.items()}
        by_path = {recorder.paths.get(id(m)): rel for rel, m in call.modules.items()}
        reads = {}
        for module, name, value in logs["reads"]:
            if id(module) not in rels or snapshot(vars(module).get(name, UNSET)) != value:
                return None  # read outside the block, or changed by the call
            reads.setdefault((rels[id(module)], name), value)
        made_glyphs = recorder.glyphs[start["glyphs"]:]
        refs = {g.id: ("made", i) for i, g in enumerate(made_glyphs)}
        refs.update((source, ("given", i)) for i, source in enumerate(call.externals))
        glyphs = [_glyph_record(g, call.block, rels, refs, recorder) for g in made_glyphs]
        output = _output_record(output, call.leaves, made, recorder, refs)
        if None in glyphs or output is None:
            return None
        leaf_calls = [("module", by_path[p]) if p in by_path else ("path", p)
                      for p in logs["leaves"]]
        return Template(given, call.spec, [(*key, value) for key, value in reads.items()],
                        glyphs, leaf_calls, output)

    # --- replaying --------------------------------------------------------------------------

    def _replay(self, template: Template, call: _Call):
        recorder, modules = self.recorder, call.modules
        for rel, name, value in template.reads:  # what an outer call being recorded read
            self.note("reads", (modules[rel], name, value))
        for leaf in call.leaves:
            if isinstance(leaf, torch.Tensor):
                self.note("read", id(leaf))
        ids = []

        def glyph_ids(refs):
            return [(ids if kind == "made" else call.externals)[i] for kind, i in refs]

        for glyph, (kind, name), inner, inputs in template.glyphs:
            module = modules[name] if kind == "module" else glyph.module
            local = recorder.paths.get(id(module), type(module).__name__) if (
                kind == "module") else name
            blocks = recorder.stack_blocks() + [modules[rel] for rel in inner]
            made = recorder.add_glyph(replace(glyph, name=local, module=module, inputs=[],
                                              call=("replayed",)), blocks)
            made.inputs = list(zip(glyph_ids(ref for ref, _ in inputs),
                                   (shape for _, shape in inputs)))
            ids.append(made.id)
        for kind, name in template.leaf_calls:
            recorder.leaf_calls[recorder.paths[id(modules[name])] if kind == "module" else
                                name] += 1
        spec, records = template.output
        values = []
        for record in records:
            if record[0] == "input":
                values.append(call.leaves[record[1]])
            elif record[0] == "value":
                values.append(record[1])
            elif record[0] == "same":
                values.append(values[record[1]])
            else:
                shape, stride, dtype, device, grad, sources = record[1:]
                tensor = fake_tensor(self.mode, shape, stride, dtype, device, grad)
                recorder.produced(tensor, glyph_ids(sources))
                values.append(tensor)
        return tree_unflatten(values, spec)


def _glyph_record(glyph, block, rels, refs, recorder):
    """(glyph, its name, inner blocks, inputs) to replay ``glyph``, or None where it cannot."""
    if glyph.module is None:
        if glyph.table:  # a table's glyph named after the weight: not replayed
            return None
        name = ("name", glyph.name)
    elif id(glyph.module) in rels:
        name = ("module", rels[id(glyph.module)])
    elif (next(glyph.module.parameters(), None) is None
          and id(glyph.module) not in recorder.paths):  # a function's module (kernels)
        name = ("name", glyph.name)
    else:
        return None
    blocks = [id(b) for b in glyph.blocks]
    if id(block) not in blocks or any(source not in refs for source, _ in glyph.inputs):
        return None
    inner = glyph.blocks[blocks.index(id(block)) + 1:]
    if any(id(b) not in rels for b in inner):
        return None
    return (glyph, name, [rels[id(b)] for b in inner],
            [(refs[source], shape) for source, shape in glyph.inputs])


def _output_record(output, leaves, made, recorder, refs):
    """The output's tree and each leaf as it will be replayed: one of the arguments (by its
    place among ``leaves``), a plain value, or a tensor made by the call with its facts and
    sources; None where the output holds anything else."""
    given = {id(leaf): i for i, leaf in enumerate(leaves) if type(leaf) not in PLAIN}
    outputs, spec = tree_flatten(output)
    earlier, bases = {}, set()  # id -> place of each tensor output; what each is or views
    records = []
    for place, leaf in enumerate(outputs):
        if id(leaf) in given:
            records.append(("input", given[id(leaf)]))
        elif type(leaf) in PLAIN:
            records.append(("value", leaf))
        elif isinstance(leaf, torch.Tensor) and id(leaf) in earlier:  # returned twice
            records.append(("same", earlier[id(leaf)]))
        elif isinstance(leaf, torch.Tensor):
            facts = _tensor_facts(leaf)
            sources = recorder.source.get(id(leaf), [])
            base = leaf._base if leaf._is_view() else leaf  # a view of the call's own: fine,
            if (facts is None or id(leaf) not in made or id(base) not in made  # unless what
                    or id(base) in bases or id(leaf) in recorder.tables  # it views is another
                    or any(s not in refs for s in sources)):  # output's, or one itself
                return None
            earlier[id(leaf)] = place
            bases.add(id(base))
            records.append(("made", *facts, [refs[s] for s in sources]))
        else:
            return None
    return spec, records


def _tensor_facts(tensor) -> tuple | None:
    """What a fake twin needs to be made again: None where a size is symbolic."""
    shape, stride = tuple(tensor.shape), tuple(tensor.stride())
    if not all(type(d) is int for d in (*shape, *stride)):
        return None
    return shape, stride, tensor.dtype, tensor.device, tensor.requires_grad


def _arguments(leaves, source, tables):
    """Each argument as a call is matched on: a tensor as its facts and the glyphs its value
    comes from (numbered in order of first use), anything else as given; with the glyph ids
    so numbered. None where an argument is a learned table or of symbolic size."""
    externals, numbers, arguments = [], {}, []
    for leaf in leaves:
        if not isinstance(leaf, torch.Tensor):
            arguments.append(leaf)
            continue
        facts = _tensor_facts(leaf)
        if facts is None or id(leaf) in tables:
            return None, None
        for glyph in source.get(id(leaf), ()):
            if glyph not in numbers:
                numbers[glyph] = len(externals)
                externals.append(glyph)
        arguments.append((_TENSOR, facts, tuple(numbers[g] for g in source.get(id(leaf), ()))))
    return arguments, externals


_TENSOR = object()  # marks a tensor's facts among the arguments


def _given(arguments: list) -> list:
    """The arguments as a template keeps them: tensors' facts, snapshots of the rest."""
    return [a if _is_tensor_facts(a) else snapshot(a) for a in arguments]


def _fits(template: Template, call: _Call) -> bool:
    if template.spec != call.spec or template.arguments != _given(call.arguments):
        return False
    return all(value == snapshot(vars(call.modules[rel]).get(name, UNSET))
               for rel, name, value in template.reads)


def _is_tensor_facts(argument) -> bool:
    return type(argument) is tuple and argument[:1] == (_TENSOR,)


def _structure(modules: dict) -> tuple:
    """A block's modules (by their path in it) as a call depends on them besides what it
    reads of their attributes: each one's place, class and tensors' sizes."""
    parts = []
    for rel, submodule in modules.items():
        tensors = [(name, None if is_lazy(t) else tuple(t.shape), t.dtype) for name, t in (
            *submodule._parameters.items(), *submodule._buffers.items()) if t is not None]
        parts.append((rel, _class(submodule), tuple(tensors)))
    return tuple(parts)


def _class(module) -> type:
    """A module's class, the one it had before ``_trace`` swapped it."""
    cls = type(module)
    return cls.__dict__.get("_untraced", cls)


def _trace(block) -> list[tuple]:
    """Swaps the class of each module inside ``block`` for one that notes the attributes read
    and set (``_traced``); returns (module, class) to swap back."""
    swapped = []
    for module in block.modules():
        cls = type(module)
        if "_untraced" not in cls.__dict__:
            object.__setattr__(module, "__class__", _traced(cls))
            swapped.append((module, cls))
    return swapped


def _untrace(swapped: list[tuple]) -> bool:
    """Swaps the classes back; whether the call set an attribute of a traced class (``type(
    self).count += 1``), which is moved to the class it was meant for."""
    classes_set = False
    for module, cls in swapped:
        traced = type(module)
        for name in set(vars(traced)) - TRACED_NAMES[traced]:
            setattr(cls, name, vars(traced)[name])
            delattr(traced, name)
            classes_set = True
        object.__setattr__(module, "__class__", cls)
    return classes_set


TRACE = []  # the replayer of the call being recorded, innermost last


TRACED_NAMES = {}  # traced class -> the names it was made with


@functools.cache
def _traced(cls: type) -> type:
    """A subclass of ``cls``, under the same names, whose instances tell the replayer of the
    call being recorded each attribute read (with the value the instance holds of its own, or
    that it holds none: the class's, a submodule's) and each one set. A dropout's own reads
    are not told: in eval mode it passes its input on, whatever its rate."""
    dropout = cls.forward.__code__ if issubclass(
        cls, torch.nn.modules.dropout._DropoutNd) else None

    def __getattribute__(self, name):
        if name[:2] != "__" and name not in INTERNAL and (
                dropout is None or sys._getframe(1).f_code is not dropout):
            TRACE[-1].read(self, name, object.__getattribute__(self, "__dict__").get(
                name, UNSET))
        return cls.__getattribute__(self, name)

    def __setattr__(self, name, value):
        if name not in INTERNAL:
            TRACE[-1].note("sets", (self, name))
        cls.__setattr__(self, name, value)

    traced = type(cls.__name__, (cls,), {
        "__getattribute__": __getattribute__, "__setattr__": __setattr__, "_untraced": cls,
        "__module__": cls.__module__, "__qualname__": cls.__qualname__})
    TRACED_NAMES[traced] = set(vars(traced))
    return traced


class _Is:
    """An object in a snapshot: equal to the same object only."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return type(other) is _Is and other.value is self.value

    __hash__ = None


def snapshot(value, depth: int = 0):
    """What a forward pass reading ``value`` depends on, as plain values to compare with
    ``==``: containers, partial functions and objects (a config, a weightless module) by
    their contents as they are now, tensors, functions and deeper objects by identity."""
    if value is None or isinstance(value, (torch.dtype, torch.device)):
        return value
    if type(value) in PLAIN:
        return type(value), value  # 1, 1.0 and True are equal, but not the same setting
    if depth > 3 or isinstance(value, (torch.Tensor, type)) or callable(value) and not (
            isinstance(value, (functools.partial, torch.nn.Module))):
        return _Is(value)
    if isinstance(value, torch.nn.Module) and next(value.parameters(), None) is not None:
        return _Is(value)
    if isinstance(value, (tuple, list, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return type(value), tuple(snapshot(v, depth + 1) for v in items)
    if isinstance(value, dict):
        return type(value), tuple((k, snapshot(v, depth + 1)) for k, v in value.items())
    if isinstance(value, functools.partial):
        return snapshot((value.func, value.args, value.keywords), depth + 1)
    state = getattr(value, "__dict__", None)
    if state is None:
        return _Is(value)
    own = {k: v for k, v in state.items() if k not in INTERNAL}
    if isinstance(value, torch.nn.Module):  # weightless: its submodules and buffers too
        own.update(_modules=dict(value._modules), _buffers={
            k: b if b is None else _tensor_facts(b) for k, b in value._buffers.items()})
    return type(value), snapshot(own, depth + 1)

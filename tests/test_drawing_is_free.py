"""Drawing is observationally free (SPEC §6.4): after ``figure()`` — done, failed or
interrupted — the user's module keeps its parameters, buffers, modes, hooks, attributes and
lazy modules, its next real call returns what it returned before, and the inputs passed are
untouched at any depth. A graph that cannot be drawn faithfully is refused, never drawn with
parts missing.

Each module here is one a careful user writes; each test compares the module after drawing
with what it was, or with a twin that was never drawn.
"""
from __future__ import annotations

import copy
import dataclasses

import pytest

from net2vis_widget import figure

torch = pytest.importorskip("torch")
nn = torch.nn


def _types(fig) -> list[str]:
    return [node.type for node in fig.network.nodes]


def _edges(fig) -> set[tuple[str, str]]:
    return {(edge.source, edge.target) for edge in fig.network.edges}


# --- the modules --------------------------------------------------------------------------------

class LazyCache(nn.Module):
    """A rotary embedding's habit: a cos/sin table made on the first call and kept."""

    def __init__(self):
        super().__init__()
        self.table = None
        self.proj = nn.Linear(5, 5)

    def forward(self, x):
        self.table = torch.arange(5.)[:, None].cos() if self.table is None else self.table
        return self.proj(x) * self.table.sum()


class Ema(nn.Module):
    """Buffers updated in place under ``no_grad``: a running average and a step counter."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.register_buffer("ema", torch.ones(4))
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))

    def forward(self, x):
        with torch.no_grad():
            self.ema.mul_(0.5)
            self.steps += 1
        return self.proj(x) + self.ema


class Counter(nn.Module):
    """Python attributes changed by the forward: a call counter and a history."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.calls = 0
        self.history = []
        self.settings = {"seen": set()}

    def forward(self, x):
        self.calls += 1
        self.history.append(tuple(x.shape))
        self.settings["seen"].add(x.shape[-1])
        return self.proj(x)


class FrozenNormInTraining(nn.Module):
    """A ``train()`` override that freezes BatchNorm, as detection backbones do."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)

    def train(self, mode=True):
        super().train(mode)
        for parameter in self.bn.parameters():
            parameter.requires_grad = mode
        return self

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class FailingEval(nn.Module):
    """A ``train()`` override that fails: drawing must still restore nothing it changed."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def train(self, mode=True):
        super().train(mode)
        if not mode:
            raise RuntimeError("this module refuses eval mode")
        return self

    def forward(self, x):
        return self.conv(x)


class Pair(nn.Module):
    """Inputs nested in a dict of lists: two tensors, two layers and their sum."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 8)
        self.b = nn.Linear(6, 8)

    def forward(self, batch):
        x, y = batch["pair"]
        return self.a(x) + self.b(y)


class InPlace(nn.Module):
    """In-place arithmetic on what the input became: drawn like its out-of-place twin."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.skip = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        y = self.conv(x)
        y.add_(self.skip(x))
        y.mul_(torch.sigmoid(y))
        return torch.relu_(y)


@dataclasses.dataclass
class Batch:
    image: "torch.Tensor"
    extra: dict


class TakesDataclass(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.proj = nn.Linear(2, 4)

    def forward(self, batch: Batch):
        pooled = self.conv(batch.image).mean((2, 3))
        return pooled + self.proj(batch.extra["meta"][0])


# --- one test per defect ------------------------------------------------------------------------

def test_a_lazily_cached_tensor_is_not_left_fake():
    module, x = LazyCache(), torch.randn(2, 5)
    figure(module, input_size=(2, 5))
    assert module.table is None
    assert type(module(x)) is torch.Tensor


def test_a_lazy_linear_stays_lazy_and_runs_afterwards():
    module = nn.Sequential(nn.LazyLinear(4))
    fig = figure(module, input_size=(1, 8))
    assert "LazyLinear" in _types(fig) or "Linear" in _types(fig)
    assert type(module[0]) is nn.LazyLinear
    assert module(torch.randn(3, 8)).shape == (3, 4)  # materialised by the real call


def test_buffers_updated_in_place_keep_their_values():
    module = Ema()
    figure(module, input_size=(1, 4))
    assert torch.equal(module.ema, torch.ones(4))
    assert module.steps.item() == 0


def test_nested_input_tensors_are_not_changed():
    class Scales(nn.Module):
        def forward(self, x, extra):
            extra["a"][0].mul_(0)
            return x * extra["a"][0]

    x, a = torch.ones(1, 3), torch.full((1, 3), 2.0)
    figure(Scales(), input_data=(x, {"a": [a]}))
    assert torch.equal(a, torch.full((1, 3), 2.0))


def test_nested_inputs_are_all_drawn():
    data = {"batch": {"pair": [torch.ones(1, 4), torch.ones(1, 6)]}}
    fig = figure(Pair(), input_data=data)
    assert _types(fig).count("Input") == 2
    assert {"Linear", "Add"} <= set(_types(fig))
    by_name = {node.name: node.id for node in fig.network.nodes}
    inputs = [node for node in fig.network.nodes if node.type == "Input"]
    assert [node.output_shapes[0] for node in inputs] == [(4,), (6,)]
    (add,) = [node.id for node in fig.network.nodes if node.type == "Add"]
    assert {(by_name["a"], add), (by_name["b"], add)} <= _edges(fig)


def test_a_dataclass_input_is_followed_to_its_tensors():
    batch = Batch(torch.ones(1, 3, 8, 8), {"meta": [torch.ones(1, 2)]})
    fig = figure(TakesDataclass(), input_data=(batch,))
    assert _types(fig).count("Input") == 2
    assert {"Conv2d", "Linear"} <= set(_types(fig))


def test_user_forward_hooks_never_see_fake_tensors():
    seen = []
    module = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
    module[0].register_forward_hook(lambda m, args, output: seen.append(output))
    figure(module, input_size=(1, 4))
    assert seen == []
    module(torch.ones(1, 4))
    assert len(seen) == 1 and type(seen[0]) is torch.Tensor


def test_a_train_override_is_not_left_half_done():
    module = FrozenNormInTraining().train()
    figure(module, input_size=(1, 3, 8, 8))
    assert module.training and module.bn.training
    assert all(p.requires_grad for p in module.parameters())


def test_modes_are_kept_when_eval_itself_fails():
    module = FailingEval().train()
    try:
        figure(module, input_size=(1, 3, 8, 8))
    except ValueError:
        pass
    assert module.training and module.conv.training


def test_python_attributes_changed_by_the_forward_are_kept():
    module = Counter()
    figure(module, input_size=(1, 4))
    assert (module.calls, module.history, module.settings) == (0, [], {"seen": set()})


def test_in_place_operations_are_drawn_like_their_out_of_place_twins():
    fig = figure(InPlace(), input_size=(1, 3, 8, 8))
    assert _types(fig) == ["Input", "Conv2d", "Conv2d", "Add", "Sigmoid", "Mul", "ReLU"]


def test_arithmetic_with_a_constant_is_drawn_alike_in_place_or_not():
    class Scaled(nn.Module):
        def __init__(self, in_place):
            super().__init__()
            self.conv, self.in_place = nn.Conv2d(3, 4, 3), in_place

        def forward(self, x):
            x = x.clone()
            if self.in_place:
                x.add_(1).mul_(2)
            else:
                x = (x + 1) * 2
            return torch.relu(self.conv(x))

    figures = [figure(Scaled(in_place), input_size=(1, 3, 8, 8)) for in_place in (True, False)]
    assert _types(figures[0]) == _types(figures[1]) == ["Input", "Conv2d", "ReLU"]


# --- a property: drawing a module changes nothing its twin can tell -----------------------------

class Hooked(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.outputs = []
        self.proj.register_forward_pre_hook(lambda m, args: None)
        self.register_forward_hook(lambda m, args, output: self.outputs.append(output.sum()))

    def forward(self, x):
        return self.proj(x)


class Tied(nn.Module):
    """An embedding and an output layer sharing one weight."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.out = nn.Linear(4, 10, bias=False)
        self.out.weight = self.embed.weight

    def forward(self, ids):
        return self.out(self.embed(ids))


class RunningNorm(nn.Module):
    """BatchNorm in training mode: its running statistics move on every real call."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x):
        return self.bn(self.conv(x))


class Stateful(nn.Module):
    """A recurrent cell that keeps its hidden state between calls."""

    def __init__(self):
        super().__init__()
        self.cell = nn.GRUCell(4, 4)
        self.hidden = None

    def forward(self, x):
        self.hidden = self.cell(x, self.hidden)
        return self.hidden


class WeightNormed(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.utils.parametrizations.weight_norm(nn.Linear(4, 4))

    def forward(self, x):
        return self.proj(x)


class KeywordInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.proj = nn.Linear(4, 4)

    def forward(self, ids, mask=None, scale=1.0):
        return self.proj(self.embed(ids)) * scale * mask[..., None]


def _cases():
    ids = torch.tensor([[1, 2, 3]])
    image = torch.randn(2, 3, 8, 8)
    vector = torch.randn(2, 4)
    return {
        "lazy cache": (LazyCache, (torch.randn(2, 5),), {}),
        "lazy linear": (lambda: nn.Sequential(nn.LazyLinear(3), nn.ReLU()), (vector,), {}),
        "lazy conv": (lambda: nn.Sequential(nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d()),
                      (image,), {}),
        "ema buffers": (Ema, (vector,), {}),
        "counter": (Counter, (vector,), {}),
        "hooks": (Hooked, (vector,), {}),
        "train override": (FrozenNormInTraining, (image,), {}),
        "nested dict input": (Pair, ({"pair": [vector, torch.randn(2, 6)]},), {}),
        "dataclass input": (TakesDataclass, (Batch(image, {"meta": [torch.randn(2, 2)]}),), {}),
        "in place": (InPlace, (image,), {}),
        "tied weights": (Tied, (ids,), {}),
        "batch norm in training": (RunningNorm, (image,), {}),
        "recurrent state": (Stateful, (vector,), {}),
        "weight norm": (WeightNormed, (vector,), {}),
        "keywords": (KeywordInputs, (ids,), {"mask": torch.ones(1, 3), "scale": 2.0}),
        "dropout in training": (lambda: nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5)),
                                (vector,), {}),
        "multi-head attention": (lambda: nn.MultiheadAttention(4, 2, batch_first=True),
                                 (torch.randn(2, 3, 4),) * 3, {}),
        "transformer layer": (lambda: nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
                              (torch.randn(2, 5, 8),), {}),
        "lstm": (lambda: nn.LSTM(4, 6, batch_first=True), (torch.randn(2, 3, 4),), {}),
        "half precision": (lambda: nn.Sequential(nn.Linear(4, 4), nn.GELU()).half(),
                           (vector.half(),), {}),
    }


def _observed(module, args, kwargs):
    """What a user can tell of a module: its output on real data, then every tensor, mode,
    hook and attribute it holds (the call itself may change some of them)."""
    torch.manual_seed(1)
    output = module(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    state = {name: tensor.detach().clone() for name, tensor in module.state_dict().items()}
    modes = [(name, m.training, type(m).__name__, sorted(m.__dict__),
              {k: v for k, v in vars(m).items() if not k.startswith("_")},
              [len(getattr(m, hooks)) for hooks in ("_forward_hooks", "_forward_pre_hooks")])
             for name, m in module.named_modules()]
    grads = [p.requires_grad for p in module.parameters()]
    return output, state, modes, grads


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return type(a) is type(b) is torch.Tensor and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and _same(vars(a), vars(b))
    return a == b


@pytest.mark.parametrize("case", list(_cases()))
def test_a_drawn_module_behaves_like_its_twin_that_was_never_drawn(case):
    make, args, kwargs = _cases()[case]
    torch.manual_seed(0)
    drawn = make().train()
    torch.manual_seed(0)
    twin = make().train()
    inputs = copy.deepcopy((args, kwargs))
    figure(drawn, input_data={"ids": args[0], **kwargs} if kwargs else args)
    assert _same(inputs, (args, kwargs)), "the inputs passed were changed"
    assert _same(_observed(drawn, args, kwargs), _observed(twin, args, kwargs))


# --- graphs drawn as they are, or refused ---------------------------------------------------------

def test_an_onnx_if_draws_the_tensors_its_branches_read_from_outside():
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    def branch(name, op):
        out = helper.make_tensor_value_info(f"{name}_out", TensorProto.FLOAT, None)
        return helper.make_graph([helper.make_node(op, ["a", "x"], [f"{name}_out"])], name, [],
                                 [out])

    info = helper.make_tensor_value_info
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["a"], name="relu"),
         helper.make_node("ReduceMax", ["x"], ["flag"], name="flag", keepdims=0),
         helper.make_node("Cast", ["flag"], ["cond"], to=TensorProto.BOOL),
         helper.make_node("If", ["cond"], ["y"], name="choose",
                          then_branch=branch("then", "Add"), else_branch=branch("else", "Mul"))],
        "g", [info("x", TensorProto.FLOAT, [1, 4])], [info("y", TensorProto.FLOAT, None)])
    fig = figure(helper.make_model(graph))
    assert {("relu", "choose"), ("x", "choose"), ("flag", "choose")} <= _edges(fig)


def test_one_tensor_passed_as_two_inputs_is_two_inputs():
    class EncoderDecoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.encode, self.decode = nn.Embedding(10, 4), nn.Embedding(10, 4)

        def forward(self, input_ids, decoder_input_ids):
            return self.decode(decoder_input_ids) + self.encode(input_ids).mean(1, keepdim=True)

    ids = torch.ones(1, 3, dtype=torch.long)
    fig = figure(EncoderDecoder(), input_data={"input_ids": ids, "decoder_input_ids": ids})
    assert {("input_ids", "encode"), ("decoder_input_ids", "decode")} <= _edges(fig)

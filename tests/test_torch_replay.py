"""A repeated block is recorded once and replayed (``extract/torch_replay.py``): the figure is
the one a full recording draws, byte for byte, whatever makes the blocks differ — a layer
index read in ``forward``, alternating attention kinds or experts, a stride — and a block
runs once for each kind of call it makes."""
from __future__ import annotations

from collections import Counter

import pytest

from net2vis_widget import figure

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from net2vis_widget.extract import from_torch  # noqa: E402

nn = torch.nn
RUNS = Counter()  # runs of each block class: a global, which a twin does not copy
IDS = torch.ones(1, 16, dtype=torch.long)
SMALL = dict(num_hidden_layers=6, hidden_size=64, intermediate_size=128, num_attention_heads=4,
             num_key_value_heads=2, vocab_size=100)


def svgs(model, **inputs) -> tuple[str, str]:
    """A full recording and one that replays, each as its network's layers and edges (all
    but the weights' identities) and its figure, unfolded and folded."""
    drawn = []
    for replay in (False, True):
        network = from_torch.extract(model, replay=replay, **inputs)
        layers = [(n.id, n.type, n.role, n.input_shapes, n.output_shapes, n.scope, n.calls,
                   n.params, n.settings) for n in network.nodes]
        drawn.append(repr((layers, network.edges)) + figure(network, auto_group=False).to_svg()
                     + figure(network, auto_group=True).to_svg())
    return drawn[0], drawn[1]


@pytest.mark.parametrize("name, model", [
    ("llama", lambda: transformers.LlamaForCausalLM(transformers.LlamaConfig(**SMALL))),
    ("mixtral", lambda: transformers.MixtralForCausalLM(transformers.MixtralConfig(
        **SMALL, num_local_experts=4))),
    # experts in every other layer, a dense MLP in the rest
    ("qwen2-moe", lambda: transformers.Qwen2MoeForCausalLM(transformers.Qwen2MoeConfig(
        **SMALL, num_experts=4, moe_intermediate_size=32, shared_expert_intermediate_size=64,
        mlp_only_layers=[1, 3, 5]))),
    # sliding-window attention in every other layer (Gemma 2), in five of six (Gemma 3)
    ("gemma2", lambda: transformers.Gemma2ForCausalLM(transformers.Gemma2Config(
        **SMALL, head_dim=16))),
    ("gemma3", lambda: transformers.Gemma3ForCausalLM(transformers.Gemma3TextConfig(
        **SMALL, head_dim=16))),
    ("bert", lambda: transformers.BertModel(transformers.BertConfig(
        num_hidden_layers=4, hidden_size=64, intermediate_size=128, num_attention_heads=4,
        vocab_size=100))),
    ("albert", lambda: transformers.AlbertModel(transformers.AlbertConfig(  # one layer, run 4×
        num_hidden_layers=4, hidden_size=64, intermediate_size=128, num_attention_heads=4,
        embedding_size=32, vocab_size=100))),
])
def test_replayed_transformers_draw_as_recorded(name, model):
    full, replayed = svgs(model().eval(), input_data=IDS)
    assert replayed == full


def test_a_deep_decoder_runs_one_layer(monkeypatch):
    layer = transformers.models.llama.modeling_llama.LlamaDecoderLayer
    forward = layer.forward

    def counted(self, *args, **kwargs):
        RUNS["LlamaDecoderLayer"] += 1
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(layer, "forward", counted)
    llama = transformers.LlamaForCausalLM(transformers.LlamaConfig(**{
        **SMALL, "num_hidden_layers": 24}))
    RUNS.clear()
    from_torch.extract(llama, input_data=IDS, replay=False)
    from_torch.extract(llama, input_data=IDS)
    assert RUNS["LlamaDecoderLayer"] == 24 + 1


def test_a_cache_asked_for_is_still_drawn_the_same():
    llama = transformers.LlamaForCausalLM(transformers.LlamaConfig(**SMALL)).eval()
    full, replayed = svgs(llama, input_data={"input_ids": IDS, "use_cache": True})
    assert replayed == full
    uncached = svgs(llama, input_data=IDS)[0]
    assert full[full.index("<svg"):] == uncached[uncached.index("<svg"):]  # the same figure




class Counted(nn.Module):
    """A block that counts its runs."""

    def forward(self, x):
        RUNS[type(self).__name__] += 1
        return self.body(x)


class Strided(Counted):
    def __init__(self, channels, stride):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=stride, padding=1)
        self.norm = nn.BatchNorm2d(channels)

    def body(self, x):
        y = torch.relu(self.norm(self.conv(x)))
        return y + x if y.shape == x.shape else y


def test_blocks_differing_only_in_a_stride():
    RUNS.clear()
    model = nn.Sequential(*(Strided(8, stride) for stride in (1, 1, 2, 1, 1))).eval()
    full, replayed = svgs(model, input_size=(1, 8, 32, 32))
    assert replayed == full
    # recorded: the first, the strided one and the first at the new size; the rest replayed
    assert RUNS["Strided"] == 5 + 3


class Indexed(Counted):
    """Every third layer normalises and gates: ``forward`` branches on the layer's index."""

    def __init__(self, index, width=16):
        super().__init__()
        self.index = index
        self.linear, self.norm = nn.Linear(width, width), nn.LayerNorm(width)

    def body(self, x):
        y = self.linear(x)
        if self.index % 3 == 2:
            y = self.norm(y) * torch.sigmoid(x)
        return x + y


class Shared(Counted):
    """Reads the index only through a setting equal in all layers, then the same work."""

    def __init__(self, index, width=16):
        super().__init__()
        self.index, self.width = index, width
        self.linear = nn.Linear(width, width)

    def body(self, x):
        return x + self.linear(x)[..., :self.width]


def test_a_forward_branching_on_the_layer_index():
    RUNS.clear()
    model = nn.Sequential(*(Indexed(i) for i in range(6))).eval()
    full, replayed = svgs(model, input_size=(1, 4, 16))
    assert replayed == full
    assert "LayerNorm" in full and RUNS["Indexed"] == 6 + 6  # each index read: none replayed
    RUNS.clear()
    model = nn.Sequential(*(Shared(i) for i in range(6))).eval()
    assert svgs(model, input_size=(1, 4, 16))[1] == svgs(model, input_size=(1, 4, 16))[0]
    assert RUNS["Shared"] == 2 * (6 + 1)  # the index is never read: one run, five replays


class Memory(Counted):
    """Reads what the layer before it left on a shared object: never replayed."""

    def __init__(self, shared, width=16):
        super().__init__()
        self.shared = shared
        self.linear = nn.Linear(width, width)

    def body(self, x):
        previous = self.shared.get("last")
        y = self.linear(x) if previous is None else self.linear(x) + previous
        self.shared["last"] = y
        return y


def test_a_block_reading_a_tensor_it_was_not_given_runs_every_time():
    RUNS.clear()
    shared = {}
    model = nn.Sequential(*(Memory(shared) for _ in range(4))).eval()
    full, replayed = svgs(model, input_size=(1, 4, 16))
    assert replayed == full
    assert RUNS["Memory"] == 4 + 4
    assert full.count(">Add<") or "Add" in full


class InPlace(nn.Module):
    """Changes its input in place, as a ResNet's ``out += identity; out.relu_()`` does."""

    def forward(self, x):
        return x.add_(1).relu_()


class Convolved(nn.Module):
    def __init__(self, channels=8):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x))


def test_a_replayed_output_changed_in_place_by_the_next_block():
    model = nn.Sequential(Convolved(), Convolved(), InPlace(), Convolved(), InPlace())
    full, replayed = svgs(model.eval(), input_size=(1, 8, 16, 16))
    assert replayed == full


class Chain(nn.Module):
    """Blocks called one after the other; ``tail(chain, x)`` ends the forward pass."""

    def __init__(self, blocks, tail=None):
        super().__init__()
        self.blocks, self.tail = nn.ModuleList(blocks), tail

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.tail(self, x) if self.tail else x


class Gated(nn.Module):
    """A linear layer, then a ReLU where ``forward`` says so: by a class attribute that one
    instance overrides, a setting of a built-in child, or a value of another type."""
    mode = "plain"

    def __init__(self, value=None, rate=0.0):
        super().__init__()
        self.linear, self.drop, self.value = nn.Linear(8, 8), nn.Dropout(rate), value

    def forward(self, x):
        x = self.linear(x)
        gated = self.mode == "gate" or self.drop.p > 0 or self.value is True
        return torch.relu(x) if gated else x


class Pooled(nn.Module):
    def __init__(self, side):
        super().__init__()
        self.conv, self.pool = nn.Conv2d(3, 3, 1), nn.MaxPool2d([side, side])  # a list setting

    def forward(self, x):
        return self.pool(self.conv(x))


class Feed(nn.Module):
    def __init__(self):
        super().__init__()
        self.up, self.down = nn.Linear(8, 8), nn.Linear(8, 8)

    def forward(self, x):
        return self.down(torch.relu(self.up(x)))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.feed = Feed()

    def forward(self, x):
        return self.feed(x)


class Decoder(Encoder):
    """The same inner block under another outer one: its scope says Decoder."""


class Remembering(nn.Module):
    """Writes what it computes into its buffer, which the model reads at the end."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 8)
        self.register_buffer("memory", torch.zeros(1, 8))

    def forward(self, x):
        y = self.linear(x)
        self.memory.copy_(y)
        return y


class Twice(nn.Module):
    """Returns one tensor twice; the caller changes one in place."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 8)

    def forward(self, x):
        y = self.linear(x)
        return y, y


class TwiceChain(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList(Twice() for _ in range(4))

    def forward(self, x):
        for block in self.blocks:
            y, z = block(x)
            y.add_(x)
            x = torch.relu(z)
        return x


class Noting(nn.Module):
    """Keeps the last output in a dict it is given."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 8)

    def forward(self, x, state):
        state["last"] = self.linear(x)
        return state["last"]


class NotingChain(nn.Module):
    def __init__(self, blocks=5):
        super().__init__()
        self.blocks = nn.ModuleList(Noting() for _ in range(blocks))

    def forward(self, x):
        state = {}
        for block in self.blocks:
            x = block(x, state)
        return x + state["last"]


class Options:
    """Settings passed to every block, which each one changes."""

    def __init__(self):
        self.calls = 0


class Ticking(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 8)

    def forward(self, x, options):
        options.calls += 1
        return torch.relu(self.linear(x)) if options.calls % 2 else self.linear(x)


class TickingChain(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList(Ticking() for _ in range(4))

    def forward(self, x):
        options = Options()
        for block in self.blocks:
            x = block(x, options)
        return x


class Counting(nn.Module):
    """Counts its calls on its class and gates every other one by the count."""
    calls = 0

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 8)

    def forward(self, x):
        type(self).calls += 1
        return torch.relu(self.linear(x)) if type(self).calls % 2 else self.linear(x)


def _overridden():
    blocks = [Gated() for _ in range(4)]
    blocks[2].mode = "gate"
    return Chain(blocks)


@pytest.mark.parametrize("name, model, size", [
    ("a class attribute one instance overrides", _overridden, (1, 8)),
    ("a built-in child's setting read by forward", lambda: Chain(
        [Gated(rate=r) for r in (0.0, 0.1, 0.0, 0.1)]), (1, 8)),
    ("1 and True", lambda: Chain([Gated(v) for v in (1, True, 1, True)]), (1, 8)),
    ("a built-in's setting of a list", lambda: Chain(
        [Pooled(s) for s in (1, 2, 1, 2)]), (1, 3, 16, 16)),
    ("an inner block under two outer classes", lambda: Chain(
        [Encoder(), Encoder(), Decoder(), Decoder()]), (1, 8)),
    ("a buffer written in place", lambda: Chain([Remembering() for _ in range(4)], lambda c, x: (
        torch.cat([b.memory for b in c.blocks], -1))), (1, 8)),
    ("an output returned twice", TwiceChain, (1, 8)),
    ("a dict argument changed", NotingChain, (1, 8)),
    ("an object argument changed", TickingChain, (1, 8)),
    ("a class attribute counted", lambda: Chain([Counting() for _ in range(4)]), (1, 8)),
])
def test_what_a_replay_would_miss_is_recorded(name, model, size):
    Counting.calls = 0
    full = svgs(model().eval(), input_size=size)[0]
    Counting.calls = 0
    assert svgs(model().eval(), input_size=size)[1] == full
    assert Counting.calls in (0, 8)  # counted on the class itself, every call


def test_mobilevit_scopes_are_its_own():
    model = transformers.MobileViTModel(transformers.MobileViTConfig(
        image_size=64, hidden_sizes=[32, 48, 64], neck_hidden_sizes=[8, 16, 24, 24, 32, 48, 64]))
    full, replayed = svgs(model.eval(), input_size=(1, 3, 64, 64))
    assert replayed == full

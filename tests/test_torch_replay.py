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
    """The figure of a full recording and of one that replays, unfolded and folded."""
    drawn = []
    for replay in (False, True):
        network = from_torch.extract(model, replay=replay, **inputs)
        drawn.append(figure(network, auto_group=False).to_svg()
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
    assert replayed == full == svgs(llama, input_data=IDS)[0]




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

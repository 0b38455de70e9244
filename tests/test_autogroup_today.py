"""Auto-grouping the architectures people build today (SPEC §5): attention blocks with their
residual and norm, units of aggregates shown once with ×N, cells read from two layers, and
names that say what is folded. Real Keras models, built once per module."""
from __future__ import annotations

import keras
import pytest

import svg_geometry as geo
from net2vis_widget import Net2Vis, figure
from net2vis_widget.examples import encoder_decoder, transformer_encoder, vision_transformer

STACKS = {"post-LN ×2": (lambda: transformer_encoder(2), 2),
          "post-LN ×4": (lambda: transformer_encoder(4), 4),
          "pre-LN ×3": (lambda: transformer_encoder(3, pre_norm=True), 3),
          "pre-LN ×6": (lambda: transformer_encoder(6, pre_norm=True), 6),
          "ViT ×6": (lambda: vision_transformer(6), 6)}


@pytest.fixture(scope="module")
def built():
    cache = {}

    def get(key, build):
        if key not in cache:
            cache[key] = build()
        return cache[key]

    return get


def grouped(model, marks=False):
    fig = figure(model)
    fig.auto_group()
    fig.update(repeat_marks=marks)
    return fig


def types(fig) -> list[str]:
    return [node.type for node in fig.folded.nodes]


@pytest.mark.parametrize("stack", STACKS)
def test_a_transformer_stack_is_one_aggregate_shown_once_with_its_depth(built, stack):
    build, depth = STACKS[stack]
    model = built(stack, build)
    plain, marked = grouped(model), grouped(model, marks=True)
    assert types(plain).count("Transformer layer") == depth
    assert "MultiHeadAttention" not in types(plain)  # every attention layer is folded
    (unit,) = [n for n in marked.folded.nodes if n.type == "Transformer layer"]
    assert unit.repeats == depth
    assert geo.problems(geo.parse(marked.to_svg())) == []
    early = figure(model, repeat_marks=True)  # marks on before grouping: the same figure
    early.auto_group()
    assert early.to_svg() == marked.to_svg()


def test_self_attention_reads_one_entry_and_folds_with_its_residual_and_norm(built):
    fig = grouped(built("post-LN ×4", STACKS["post-LN ×4"][0]))
    by_name = {a.name: a for a in fig.snapshot.aggregates}
    attention = by_name["Attention block"]
    assert attention.entries == 1  # query, key and value come from one layer
    assert attention.members == ("MultiHeadAttention", "Add & Norm")
    assert by_name["Add & Norm"].members == ("Add", "LayerNormalization")
    assert by_name["Feed-forward"].members == ("Dense", "Dense")
    assert by_name["Transformer layer"].members == ("Attention block", "Feed-forward block")


def test_pre_ln_attention_block_takes_its_skip_before_the_norm(built):
    fig = grouped(built("pre-LN ×3", STACKS["pre-LN ×3"][0]))
    by_name = {a.name: a for a in fig.snapshot.aggregates}
    attention = by_name["Attention block"]
    assert attention.members[-1] == "Add" and attention.sources[-1].count(-1) == 1
    assert "LayerNormalization" in by_name[attention.members[0]].members


def test_decoder_blocks_read_the_encoder_through_a_second_handle(built):
    fig = grouped(built("encdec", encoder_decoder))
    decoders = [n for n in fig.folded.nodes if n.type == "Decoder layer"]
    assert len(decoders) == 3
    memory = {fig.folded.feeds[d.id][1] for d in decoders}
    assert len(memory) == 1  # all read the encoder's last block
    assert all(len(set(fig.folded.feeds[d.id])) == 2 for d in decoders)
    assert {a.name: a.entries for a in fig.snapshot.aggregates}["Cross-attention block"] == 2
    assert "MultiHeadAttention" not in types(fig)
    marked = grouped(built("encdec", encoder_decoder), marks=True)
    assert [(n.type, n.repeats) for n in marked.folded.nodes if n.repeats > 1] == [
        ("Encoder layer", 3), ("Decoder layer", 3)]
    assert geo.problems(geo.parse(marked.to_svg())) == []


@pytest.fixture(scope="module")
def nasnet(built):
    return built("NASNetMobile", lambda: keras.applications.NASNetMobile(weights=None))


def test_nasnet_cells_fold_into_glyphs_with_two_input_handles(nasnet):
    fig = grouped(nasnet, marks=True)
    assert len(fig.folded.nodes) <= 30  # from 771 layers
    two_entries = {a.name for a in fig.snapshot.aggregates if a.entries == 2}
    assert any(n.type in two_entries and n.repeats == 2 for n in fig.folded.nodes)
    plain = grouped(nasnet)
    cells = [n for n in plain.folded.nodes if n.type in two_entries]
    assert len(cells) >= 12
    assert all(len(set(plain.folded.feeds[c.id])) == 2 for c in cells)  # two input handles
    assert geo.problems(geo.parse(fig.to_svg())) == []


def test_a_two_entry_legend_composition_shows_both_entries(nasnet):
    fig = grouped(nasnet)
    (cell,) = [a for a in fig.snapshot.aggregates if a.name == "Cell"]
    assert cell.entries == 2
    root = geo.parse(fig.to_svg())
    (item,) = [i for i in geo.elements(root, "n2v-legend-item") if i.get("data-key") == "Cell"]
    sources = {line.get("data-source") for line in geo.elements(item, "n2v-legend-edge")}
    assert {"entry0", "entry1"} <= sources


def test_names_say_what_is_folded(application, built):
    def names(fig):
        return [a["name"] for a in fig.state["aggregates"]]

    assert {"Bottleneck", "Bottleneck, projection", "Conv–BN–ReLU"} <= set(
        names(grouped(application("ResNet50"))))
    assert any(n.startswith("Inception module") for n in names(grouped(application("InceptionV3"))))
    assert {"Conv×2", "Conv×2–MaxPool"} <= set(names(grouped(application("VGG19"))))
    for fig in (grouped(application("MobileNetV2")), grouped(built("encdec", encoder_decoder))):
        assert len(set(names(fig))) == len(names(fig))
        assert all(0 < len(n) <= 24 and not n.startswith("Group") for n in names(fig))


def test_renamed_units_and_cells_survive_a_state_round_trip(built):
    model = built("encdec", encoder_decoder)
    fig = grouped(model, marks=True)
    fig.update(aliases={"Decoder layer": "Decoder"})
    restored = figure(model, state=fig.state)
    assert restored.to_svg() == fig.to_svg()
    root = geo.parse(restored.to_svg())
    assert "Decoder" in geo.text_of(root, "n2v-legend")


def test_the_widget_toggles_a_unit_from_the_legend(built):
    widget = Net2Vis(built("post-LN ×4", STACKS["post-LN ×4"][0]))
    widget.auto_group()
    folded, glyphs = widget.svg, len(widget.layers)
    widget._on_message(None, {"action": "set_active", "name": "Transformer layer", "active": False})
    assert len(widget.layers) == glyphs + 4  # each block drawn as its two blocks again
    assert widget.error == ""
    widget._on_message(None, {"action": "set_active", "name": "Transformer layer", "active": True})
    assert widget.svg == folded


def test_convnext_reads_its_stages_depths_from_keras_and_pytorch(application):
    """ConvNeXt-T's stages hold 3, 3, 9 and 3 blocks: each a ×N run after its downsampling,
    from either framework; no glyph folds the blocks of one stage with the downsampling into
    the next (its output would hide their size) or three blocks of the nine."""
    transformers = pytest.importorskip("transformers")
    keras_fig = grouped(application("ConvNeXtTiny"), marks=True)
    torch_fig = grouped(transformers.ConvNextConfig(), marks=True)  # on the meta device
    for fig in (keras_fig, torch_fig):
        runs = [(n.repeats, n.output_shapes[0][n.channel_axes[1]])
                for n in fig.folded.nodes if n.type == "Residual block"]
        assert runs == [(3, 96), (3, 192), (9, 384), (3, 768)]
        assert [n.type for n in fig.folded.nodes].count("LN–Conv") == 3

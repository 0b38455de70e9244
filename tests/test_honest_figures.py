"""Figures that say what the model computes (SPEC §4.1, §5): ×N only over equal blocks, no
size of the main path hidden by a fold, glyphs that read as one layer, one height scale.

Every Keras application, the U-Net and twelve ``transformers`` models are drawn with the
defaults, then auto-grouped with ×N marks, and read back from their SVG as a reviewer would.
"""
from __future__ import annotations

import math
import re

import networkx as nx
import pytest

import svg_geometry as geo
from model_zoo import APPLICATIONS, TRANSFORMERS
from net2vis_widget import figure, sizing
from net2vis_widget.fold import fold

pytest.importorskip("torch")
pytest.importorskip("transformers")

MODELS = APPLICATIONS + ("U-Net",) + TRANSFORMERS


# --- what each figure must be -----------------------------------------------------------------

def _positions(shape, axis):
    """How many positions a tensor has (all axes but its channels); None for a vector."""
    return math.prod(d for i, d in enumerate(shape) if i != axis % len(shape)) if len(
        shape) >= 2 and None not in shape else None


def _grows_alike(nodes) -> bool:
    """Blocks that each add the same channels at one resolution (DenseNet's layers)."""
    growth = set()
    for node in nodes:
        if len(node.input_shapes) != 1:
            return False
        (before,), (after,) = node.input_shapes, node.output_shapes
        axis_in, axis_out = node.channel_axes
        growth.add((_positions(before, axis_in), _positions(after, axis_out),
                    after[axis_out] - before[axis_in]))
    return len(growth) == 1 and next(iter(growth))[0] == next(iter(growth))[1]


def runs(fig) -> list[tuple]:
    """Each ×N glyph with the blocks it stands for (from the figure without marks)."""
    s = fig.snapshot
    single = fold(fig.network, s.aggregates, s.hidden, False, s.opened)
    return [(node, [n for n in single.nodes if n.type == node.type
                    and set(n.members) <= set(node.members)])
            for node in fig.folded.nodes if node.repeats > 1]


def unequal_runs(fig) -> list[str]:
    """×N glyphs whose blocks differ in a size, in, out or inside (DenseNet's layers, adding
    equal channels with equal kernels, aside)."""
    layers, found = fig.network.by_id, []

    def inside(block, kernels_only=False):
        return tuple(layers[m].output_shapes for m in block.members
                     if not kernels_only or layers[m].kernel)

    for node, blocks in runs(fig):
        sizes = {(n.input_shapes, n.output_shapes, inside(n)) for n in blocks}
        growing = _grows_alike(blocks) and len({inside(n, True) for n in blocks}) == 1
        if len(blocks) != node.repeats or len(sizes) > 1 and not growing:
            found.append(f"{node.type} ×{node.repeats}: {len(sizes)} different sizes")
    return found


def hidden_sizes(fig) -> list[str]:
    """Sizes on the main path of the figure without ×N marks (its longest path) that the
    figure with marks labels nowhere; within a run of blocks that each add the same channels,
    only the run's last size is owed."""
    s = fig.snapshot
    single = fold(fig.network, s.aggregates, s.hidden, False, s.opened)
    sizes = sizing.measure(single, s.preferences)
    growing = {n.id for _, blocks in runs(fig) if _grows_alike(blocks) for n in blocks[:-1]}
    path = [v for v in nx.dag_longest_path(nx.DiGraph(single.graph())) if v not in growing]
    wanted = {sizes[v].output_dimensions for v in path} | {sizes[v].features for v in path}
    root = geo.parse(fig.to_svg())
    shown = set(geo.text_of(root, "n2v-dimension")) | set(geo.text_of(root, "n2v-feature"))
    return sorted(wanted - shown - {""})


def height_jumps(fig) -> list[str]:
    """Places where the drawn height changes although the number of positions does not: across
    a glyph, and along an edge into a glyph's first input."""
    glyphs = geo.glyphs(geo.parse(fig.to_svg()))
    heights = {glyph: geo.side_heights(polygon) for glyph, polygon in glyphs.items()}
    nodes, found = fig.folded.by_id, []
    for node in fig.folded.nodes:
        before = (_positions(node.input_shapes[0], node.channel_axes[0]) if node.input_shapes
                  else None)
        after = _positions(node.output_shapes[0], node.channel_axes[1])
        if before is not None and before == after and abs(
                heights[node.id][0] - heights[node.id][1]) > 2 * geo.EPS:
            found.append(f"{node.id}: {heights[node.id]} for {before} positions on both sides")
    for edge in fig.folded.edges:
        source, target = nodes[edge.source], nodes[edge.target]
        if edge.index or len(target.input_shapes) != 1:
            continue
        sent = _positions(source.output_shapes[0], source.channel_axes[1])
        read = _positions(target.input_shapes[0], target.channel_axes[0])
        if sent is not None and sent == read and abs(
                heights[edge.source][1] - heights[edge.target][0]) > 2 * geo.EPS:
            found.append(f"{edge.source} → {edge.target}: {sent} positions drawn at "
                         f"{heights[edge.source][1]:.1f} and {heights[edge.target][0]:.1f}")
    return found


@pytest.mark.parametrize("name", MODELS)
def test_x_n_stands_only_for_equal_blocks_and_hides_no_size(drawn, name):
    _, grouped = drawn(name)
    assert unequal_runs(grouped) == []
    assert hidden_sizes(grouped) == []


@pytest.mark.parametrize("name", MODELS)
def test_every_glyph_reads_as_one_layer(drawn, name):
    for fig in drawn(name):
        assert geo.swollen_glyphs(geo.parse(fig.to_svg())) == []


@pytest.mark.parametrize("name", MODELS)
def test_heights_change_only_where_the_number_of_positions_does(drawn, name):
    for fig in drawn(name):
        assert height_jumps(fig) == []


# --- the figures the issue names ----------------------------------------------------------------

def test_vgg19_with_marks_shows_every_stage_width(drawn):
    _, grouped = drawn("VGG19")
    features = set(geo.text_of(geo.parse(grouped.to_svg()), "n2v-feature"))
    assert {"64", "128", "256", "512"} <= features


def test_the_unet_is_one_row_with_its_skip_links_above(drawn):
    _, grouped = drawn("U-Net")
    root = geo.parse(grouped.to_svg())
    assert set(geo.rows_of(root).values()) == {0}
    assert geo.swollen_glyphs(root) == []


def test_t5_folds_its_encoder_and_decoder_layers_with_marks(drawn):
    _, grouped = drawn("T5")
    marked = [node for node in grouped.folded.nodes if node.repeats == 2]
    assert len(marked) == 2
    decoder = marked[1]
    assert len(set(grouped.folded.feeds[decoder.id])) == 2  # and the encoder's output


def test_a_vit_draws_its_patch_grid_and_its_tokens_at_one_height(drawn):
    plain, _ = drawn("ViT")
    heights = {g: geo.side_heights(p) for g, p in geo.glyphs(geo.parse(plain.to_svg())).items()}
    conv = next(n.id for n in plain.folded.nodes if n.type == "Conv2d")
    tokens = next(n.id for n in plain.folded.nodes if n.output_shapes[0] == (17, 64))
    assert heights[conv][1] == pytest.approx(heights[tokens][0], abs=0.5)  # 4×4 and 17


def test_global_pooling_narrows_to_a_point(drawn):
    plain, _ = drawn("ResNet50")
    pooling = next(n.id for n in plain.folded.nodes if n.role == "global_pooling")
    before, after = geo.side_heights(geo.glyphs(geo.parse(plain.to_svg()))[pooling])
    assert after <= before / 2


def test_token_ids_are_a_sequence_not_features(drawn):
    plain, _ = drawn("BERT")
    root = geo.parse(plain.to_svg())
    assert "8" in geo.text_of(root, "n2v-dimension")
    assert "8" not in geo.text_of(root, "n2v-feature")
    ids = next(n.id for n in plain.folded.nodes if n.role == "input")
    left, _, right, _ = geo.bbox(geo.glyphs(root)[ids])
    assert right - left == pytest.approx(plain.state["preferences"]["min_width"], abs=0.1)


# --- what is drawn: the operations a reader knows, not the run's plumbing ----------------------

PLUMBING_TYPES = {"Func", "Float", "Int", "Long", "Bool", "Argmax", "Nonzero", "Concat", "Neg"}


@pytest.mark.parametrize("name", TRANSFORMERS)
def test_no_cast_index_arithmetic_or_cache_update_is_drawn(drawn, name):
    plain, _ = drawn(name)
    types = set(plain.network.kinds)
    assert not types & PLUMBING_TYPES
    assert not [t for t in types if t.endswith("Activation")]  # a GELU is a GELU


def test_one_operation_is_one_legend_entry(drawn):
    whisper, _ = drawn("Whisper")  # nn.GELU in its convolutions, GELUActivation in its layers
    assert [t for t in whisper.network.kinds if "GELU" in t] == ["GELU"]
    gpt2, _ = drawn("GPT-2")  # its Conv1D is a linear map
    assert "Conv1D" not in gpt2.network.kinds and "Linear" in gpt2.network.kinds


def test_what_defines_a_model_is_drawn_as_one_step_each(drawn):
    llama, _ = drawn("Llama")
    assert "Rotary embedding" in llama.network.kinds
    mamba, _ = drawn("Mamba")
    assert {"Causal conv", "Selective scan"} <= set(mamba.network.kinds)


PAPER_WORDS = {"Attention", "Cross-attention", "Stage", "Cell"}  # a class may be named so too


@pytest.mark.parametrize("name", MODELS)
def test_aggregates_are_named_in_words_not_classes_counts_or_numbers(drawn, name):
    _, grouped = drawn(name)
    for aggregate in grouped.snapshot.aggregates:
        words = aggregate.name
        assert words != aggregate.origin or words in PAPER_WORDS, words  # BertLayer, TLayer
        assert not re.search(r"\d+ layers|\s\d+$", words), words  # counts, occurrence numbers
        assert "_" not in words and len(words) <= 24, words  # a nested model's own name


def test_layer_types_read_as_papers_write_them_from_every_framework(application):
    from net2vis_widget.torch_examples import resnet18

    keras_words = {style.alias for style in figure(application("ResNet50")).styles.values()}
    torch_figure = figure(resnet18(), input_size=(1, 3, 64, 64))
    torch_words = {style.alias for style in torch_figure.styles.values()}
    assert {"Conv", "BN", "ReLU", "MaxPool", "Add", "GAP"} <= keras_words & torch_words
    assert not {"Conv2D", "Conv2d", "BatchNormalization", "BatchNorm2d"} & (
        keras_words | torch_words)

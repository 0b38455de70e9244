"""Names and parts a reader recognises (SPEC §3d, §4.4, §5): every figure speaks in the words
papers use, never in a framework's class names, counts or numbers; it draws what defines the
model and not what only serves the run; and one architecture drawn from Keras, PyTorch and
ONNX is one figure, with the same names, ×N marks and colours.

34 models are drawn with the defaults and auto-grouped with ×N marks (the session's ``drawn``
fixture): the Keras applications, the U-Net, ``transformers`` language, vision, speech and
multimodal models, a ViT written in Keras, and ONNX files exported in the test.
"""
from __future__ import annotations

import re

import pytest

import svg_geometry as geo
from model_zoo import APPLICATIONS, KERAS, MORE_TRANSFORMERS, ONNX, TRANSFORMERS

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
onnx = pytest.importorskip("onnx")

MODELS = APPLICATIONS + ("U-Net",) + TRANSFORMERS + MORE_TRANSFORMERS + ONNX + KERAS
# words of papers that a framework also uses for a class: allowed although they are both
PAPER_WORDS = {"Conv", "Linear", "Embedding", "Attention", "Add", "Concat", "MaxPool", "ReLU",
               "ReLU6", "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax", "RMSNorm", "Experts",
               "Router", "Stage", "Input", "MatMul", "LayerScale", "Mul", "Div", "Reshape",
               "Normalization", "Rescaling", "Dense layer", "Multiply", "Sum", "Pow", "Mean",
               "Flatten"}
PLUMBING = {"Func", "Float", "Int", "Long", "Bool", "Argmax", "Nonzero", "Cast", "Neg",
            "Arange", "Cumsum", "Where", "Expand", "Gather", "Shape"}
LANGUAGE = {"GPT-2", "Llama", "T5", "BART", "Whisper", "Mixtral"}  # where a Concat is a cache


def legend_names(fig) -> list[str]:
    """The names the figure's legend prints, as read back from its SVG."""
    root = geo.parse(fig.to_svg())
    return [fig.styles[item.get("data-key")].alias
            for item in geo.elements(root, "n2v-legend-item")]


def glyph_names(fig) -> list[str]:
    """Each drawn glyph as the figure labels it: its name and its ×N mark."""
    return [fig.styles[n.type].alias + (f"×{n.repeats}" if n.repeats > 1 else "")
            for n in fig.folded.nodes]


def class_names(model) -> set[str]:
    """The names of the classes the model is built from, and of what its framework names
    in it: module and layer classes (and each without a prefix: ``TAttention``, ``Layer``),
    nested models, ONNX operator types."""
    if isinstance(model, str):
        return {node.op_type for node in onnx.load(model, load_external_data=False).graph.node}
    if isinstance(model, torch.nn.Module):
        names, nested = {type(m).__name__ for m in model.modules()}, set()
    else:
        names = {type(layer).__name__ for layer in model._flatten_layers()}
        nested = {layer.name for layer in model._flatten_layers() if hasattr(layer, "layers")}
    return nested | names | {name[i:] for name in names for i in range(1, len(name))
                             if name[i].isupper()}


@pytest.fixture(scope="module")
def models(application, tmp_path_factory):
    """name → the model itself (or its file), for its class names."""
    from model_zoo import made

    folder, found = tmp_path_factory.mktemp("classes"), {}

    def get(name):
        if name not in found:
            found[name] = made(name, application, folder)[0]
        return found[name]

    return get


@pytest.mark.parametrize("name", MODELS)
def test_no_name_is_a_class_a_model_name_a_count_or_a_number(drawn, models, name):
    _, grouped = drawn(name)
    words = set(legend_names(grouped)) | {a.name for a in grouped.snapshot.aggregates}
    classes = class_names(models(name)) - PAPER_WORDS
    model_name = grouped.network.name.lower()
    for word in words:
        assert word not in classes, word  # BertLayer, TAttention, SelfOutput, Conv2D, Gemm
        assert not re.search(r"\d+ layers|\s\d+$", word), word  # counts, occurrence numbers
        assert "_" not in word and len(word) <= 24, word  # a nested model's own name
        assert model_name not in word.lower(), word
        assert not set(word.split()) & PLUMBING, word


@pytest.mark.parametrize("name", MODELS)
def test_no_cast_index_arithmetic_or_cache_update_is_drawn(drawn, name):
    plain, _ = drawn(name)
    types = {node.type for node in plain.network.nodes}
    assert not types & PLUMBING
    if name in LANGUAGE:
        assert "Concat" not in types


# each model's defining parts: glyphs (with their ×N) or legend entries its figure must show
PARTS = {
    "BERT": {"Segment embedding", "Position embedding", "Transformer layer×2", "Attention"},
    "BERT (ONNX)": {"Segment embedding", "Position embedding", "Transformer layer×2"},
    "GPT-2": {"Position embedding", "Transformer layer×2", "Attention", "Feed-forward"},
    "Llama": {"Transformer layer×2", "Attention", "SwiGLU", "Rotary embedding"},
    "Mixtral": {"Transformer layer×2", "Attention", "Experts (4, top-2)"},
    "T5": {"Encoder layer×2", "Decoder layer×2", "Cross-attention", "Feed-forward",
           "Relative position bias"},
    "BART": {"Position embedding", "Encoder layer×2", "Decoder layer×2", "Cross-attention"},
    "Whisper": {"Position embedding", "Encoder layer×2", "Decoder layer×2"},
    "ViT": {"Class token", "Position embedding", "Transformer layer×2", "Feed-forward"},
    "ViT (Keras)": {"Class token", "Position embedding", "Transformer layer×2", "Feed-forward"},
    "Swin": {"Transformer layer×2", "Attention", "Feed-forward", "Relative position bias"},
    "CLIP": {"Position embedding", "Transformer layer×2", "L2 norm"},
    "DETR": {"Bottleneck", "Encoder layer×2", "Decoder layer", "Position embedding"},
    "Mamba": {"Residual block×2", "SSM block", "Causal conv", "Selective scan"},
    "Wav2Vec2": {"Transformer layer×2", "Feed-forward"},
    "ResNet50": {"Bottleneck×2", "Bottleneck×3", "Bottleneck×5", "Bottleneck, projection"},
    "ResNet-50": {"Bottleneck×2", "Bottleneck×3", "Bottleneck×5", "Bottleneck, projection"},
    "ResNet-50 (ONNX)": {"Bottleneck×2", "Bottleneck×3", "Bottleneck×5"},
    "DenseNet121": {"Dense layer×6", "Dense layer×12", "Dense layer×24", "Dense layer×16",
                    "Transition"},
    "MobileNetV2": {"Inverted residual", "Inverted residual×3"},
    "EfficientNetB0": {"Inverted residual×3", "Squeeze-excite"},
    "InceptionV3": {"Inception module", "Inception module×2"},
    "Xception": {"Residual block×8"},
    "U-Net": {"Up block"},
}


@pytest.mark.parametrize("name", sorted(PARTS))
def test_each_model_shows_its_defining_parts_in_paper_words(drawn, name):
    _, grouped = drawn(name)
    shown = set(glyph_names(grouped)) | set(legend_names(grouped))
    assert PARTS[name] <= shown, sorted(shown)


# --- one architecture, one figure --------------------------------------------------------------

SAME = {"ResNet-50": ("ResNet50", "ResNet-50", "ResNet-50 (ONNX)"),
        "BERT": ("BERT", "BERT (ONNX)"), "ViT": ("ViT", "ViT (Keras)")}
# what the models themselves draw differently: Keras's ViT reshapes its patches in a layer of
# its own (PyTorch and ONNX do it in plumbing, which no figure draws)
OWN_LAYERS = {"ViT (Keras)": {"Reshape"}}


def colours(fig) -> dict[str, str]:
    """Each name of the legend → its drawn colour."""
    return {style.alias: style.color for style in fig.styles.values()}


@pytest.mark.parametrize("architecture", sorted(SAME))
def test_one_architecture_from_any_framework_is_one_figure(drawn, architecture):
    figures = {name: drawn(name)[1] for name in SAME[architecture]}
    glyphs = {name: [g for g in glyph_names(fig) if g not in OWN_LAYERS.get(name, ())]
              for name, fig in figures.items()}
    first, *others = SAME[architecture]
    for other in others:
        assert glyphs[other] == glyphs[first], other  # the same names and ×N, in order
        mine, theirs = colours(figures[first]), colours(figures[other])
        drawn_names = {g.split("×")[0] for g in glyphs[first]}
        assert {n: mine[n] for n in drawn_names} == {n: theirs[n] for n in drawn_names}, other


def test_a_layer_type_is_coloured_by_its_role_in_every_framework(drawn):
    roles = {}
    for name in ("ResNet50", "ResNet-50", "ResNet-50 (ONNX)", "BERT", "BERT (ONNX)"):
        fig = drawn(name)[1]
        for kind, node in fig.network.kinds.items():
            roles.setdefault((node.role, fig.styles[kind].alias), set()).add(
                fig.styles[kind].color)
    assert all(len(found) == 1 for found in roles.values()), roles


def test_a_squeezenet_look_alike_is_read_as_fire_modules():
    """SqueezeNet (torchvision's needs a CUDA build of torch here): each Fire module squeezes
    with a 1×1 convolution, then expands with a 1×1 and a 3×3 one side by side."""
    keras = pytest.importorskip("keras")
    from keras import layers

    from net2vis_widget import figure

    def fire(x, squeeze, expand):
        x = layers.Conv2D(squeeze, 1, activation="relu")(x)
        return layers.Concatenate()([layers.Conv2D(expand, 1, activation="relu")(x),
                                     layers.Conv2D(expand, 3, padding="same",
                                                   activation="relu")(x)])

    image = keras.Input((32, 32, 3))
    x = layers.MaxPooling2D()(layers.Conv2D(32, 3, activation="relu")(image))
    for squeeze, expand in ((16, 64), (16, 64), (32, 128)):
        x = fire(x, squeeze, expand)
    fig = figure(keras.Model(image, layers.GlobalAveragePooling2D()(x)))
    fig.auto_group()
    fig.update(repeat_marks=True)
    assert glyph_names(fig).count("Fire module") == 3
    assert "Inception module" in legend_names(fig)  # its expanding half: parallel paths joined


def test_a_stack_of_layers_is_an_encoder_or_a_decoder_and_parallel_paths_never_a_stage(drawn):
    t5, _ = drawn("T5")
    assert {a.name for a in t5.snapshot.aggregates if not a.active} == {"Encoder", "Decoder"}
    swin, _ = drawn("Swin")  # a stage of layers and a patch merging
    assert {a.name.split(",")[0] for a in swin.snapshot.aggregates if not a.active} == {"Stage"}
    _, inception = drawn("InceptionV3")  # modules holding two equal inner modules
    assert not [a.name for a in inception.snapshot.aggregates if a.name.startswith("Stage")]


@pytest.mark.parametrize("base, number, name", [
    ("Conv–Transformer block", 2, "Conv–Transformer block 2"),  # fits: not cut ("bloc 2")
    ("Conv–BN–ReLU–Conv–BN–ReLU", 2, "Conv–BN–ReLU–Conv–BN 2"),  # cut between words
    ("Abcdefghijklmnopqrstuvwxyz", 12, "Abcdefghijklmnopqrstu 12"),  # one word: cut in it
])
def test_a_numbered_name_keeps_whole_words_within_24_characters(base, number, name):
    from net2vis_widget.names import _numbered

    assert _numbered(base, number) == name and len(name) <= 24

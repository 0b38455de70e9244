"""`transformers` models as people build them (SPEC §3b): every language model with its
default configuration (caches returned, ``use_cache`` untouched), small sizes, random weights,
no download; a full-size model on the meta device."""
from __future__ import annotations

import re

import pytest

import svg_geometry as geo
from net2vis_widget import figure

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

IDS = torch.ones(1, 8, dtype=torch.long)
SMALL = dict(hidden_size=64, intermediate_size=128, num_attention_heads=4, num_hidden_layers=2,
             vocab_size=500)
GROUPED = dict(SMALL, num_key_value_heads=2)
MODELS = {  # class, configuration; each folds to a handful of glyphs with ×N marks
    "GPT-2": ("GPT2LMHeadModel", dict(n_embd=64, n_head=4, n_layer=2, vocab_size=500)),
    "GPT-NeoX": ("GPTNeoXForCausalLM", SMALL),
    "OPT": ("OPTForCausalLM", dict(hidden_size=64, ffn_dim=128, num_attention_heads=4,
                                   num_hidden_layers=2, vocab_size=500, word_embed_proj_dim=64)),
    "BLOOM": ("BloomForCausalLM", dict(hidden_size=64, n_head=4, n_layer=2, vocab_size=500)),
    "Llama": ("LlamaForCausalLM", GROUPED),
    "Mistral": ("MistralForCausalLM", GROUPED),
    "Mixtral": ("MixtralForCausalLM", dict(GROUPED, num_local_experts=4)),
    "Qwen2": ("Qwen2ForCausalLM", GROUPED),
    "Qwen3": ("Qwen3ForCausalLM", dict(GROUPED, head_dim=16)),
    "Gemma": ("GemmaForCausalLM", dict(GROUPED, head_dim=16)),
    "Gemma2": ("Gemma2ForCausalLM", dict(GROUPED, head_dim=16)),
    "Phi": ("PhiForCausalLM", SMALL),
    "Phi3": ("Phi3ForCausalLM", dict(GROUPED, pad_token_id=0, eos_token_id=1)),
    "Falcon": ("FalconForCausalLM", dict(hidden_size=64, num_attention_heads=4,
                                         num_hidden_layers=2, vocab_size=500)),
    "T5": ("T5Model", dict(d_model=64, d_ff=128, num_heads=4, num_layers=2, vocab_size=500,
                           d_kv=16)),
    "BART": ("BartModel", dict(d_model=64, encoder_ffn_dim=128, decoder_ffn_dim=128,
                               encoder_attention_heads=4, decoder_attention_heads=4,
                               encoder_layers=2, decoder_layers=2, vocab_size=500)),
}
ENCODER_DECODERS = {"T5", "BART"}
IMAGE = {"input_size": (1, 3, 64, 64)}
TEXT = {"input_data": IDS}
STAGES = dict(hidden_sizes=[16, 32, 64, 128], depths=[1, 1, 2, 1])
OTHERS = {  # class, configuration, inputs: encoders, speech and vision
    "RoBERTa": ("RobertaModel", SMALL, TEXT),
    "DistilBERT": ("DistilBertModel", dict(dim=64, hidden_dim=128, n_heads=4, n_layers=2,
                                           vocab_size=500), TEXT),
    "ALBERT": ("AlbertModel", dict(SMALL, embedding_size=32), TEXT),
    "DeBERTa-v2": ("DebertaV2Model", SMALL, TEXT),
    "Whisper": ("WhisperModel", dict(d_model=64, encoder_layers=2, decoder_layers=2,
                                     encoder_attention_heads=4, decoder_attention_heads=4,
                                     encoder_ffn_dim=128, decoder_ffn_dim=128, num_mel_bins=16,
                                     max_source_positions=50),
                {"input_data": {"input_features": torch.zeros(1, 16, 100),
                                "decoder_input_ids": IDS}}),
    "Wav2Vec2": ("Wav2Vec2Model", dict(SMALL, conv_dim=(32, 32), conv_stride=(5, 2),
                                       conv_kernel=(10, 3), num_feat_extract_layers=2,
                                       num_conv_pos_embeddings=16,
                                       num_conv_pos_embedding_groups=4), {"input_size": (1, 4000)}),
    "ViT": ("ViTModel", dict(SMALL, image_size=64, patch_size=16), IMAGE),
    "DINOv2": ("Dinov2Model", dict(SMALL, image_size=64, patch_size=16), IMAGE),
    "CLIP vision": ("CLIPVisionModel", dict(SMALL, image_size=64, patch_size=16), IMAGE),
    "Swin": ("SwinModel", dict(image_size=64, patch_size=4, embed_dim=16, depths=[2, 2],
                               num_heads=[2, 4], window_size=4), IMAGE),
    "ConvNeXt": ("ConvNextModel", STAGES, IMAGE),
    "RegNet": ("RegNetModel", dict(STAGES, groups_width=8, embedding_size=16), IMAGE),
    "ResNet": ("ResNetModel", dict(STAGES, embedding_size=16), IMAGE),
    "EfficientNet": ("EfficientNetModel", dict(image_size=64), IMAGE),
    "MobileViT": ("MobileViTModel", dict(image_size=64, hidden_sizes=[32, 48, 64],
                                         neck_hidden_sizes=[8, 8, 16, 16, 24, 32, 64]), IMAGE),
    "SegFormer": ("SegformerModel", dict(STAGES, depths=[1, 1, 1, 1],
                                         num_attention_heads=[1, 2, 4, 8]), IMAGE),
}


# a small hybrid drawn as 10 glyphs that folds 16 kinds of block (its attention, its
# inverted residuals, its conv–transformer blocks): at 7 in its legend is 38 % of the figure
LEGEND_HEAVY = {"MobileViT"}


def check_print_size(fig, legend_heavy=False):
    """SPEC §4.5 with the defaults (7 in), then at the column width (3.3 in); a legend heavy
    figure may give its legend up to 40 % of the page at 7 in."""
    problems = geo.print_problems(geo.parse(fig.to_svg()), len(fig.folded.nodes))
    if legend_heavy:
        problems = [p for p in problems if not re.fullmatch(r"the legend takes (3\d|40)%", p)]
    assert problems == []
    fig.update(page_width="column")
    assert geo.print_problems(geo.parse(fig.to_svg()), len(fig.folded.nodes), column=True) == []


def build(class_name, settings):
    model_class = getattr(transformers, class_name)
    return model_class(model_class.config_class(**settings))


@pytest.mark.parametrize("name", MODELS)
def test_a_language_model_with_its_default_config_draws_and_folds(name):
    data = {"input_ids": IDS, "decoder_input_ids": IDS} if name in ENCODER_DECODERS else IDS
    fig = figure(build(*MODELS[name]), input_data=data, repeat_marks=True)
    fig.auto_group()
    assert len(fig.folded.nodes) <= 8
    assert {"Input", "Embedding"} & {n.type for n in fig.network.nodes}
    assert geo.problems(geo.parse(fig.to_svg())) == []
    check_print_size(fig)


@pytest.mark.parametrize("name", OTHERS)
def test_encoders_speech_and_vision_models_draw_and_fold(name):
    class_name, settings, inputs = OTHERS[name]
    fig = figure(build(class_name, settings), repeat_marks=True, auto_group=False, **inputs)
    layers = len(fig.network.nodes)
    fig.auto_group()
    assert len(fig.folded.nodes) <= max(17, layers // 2)
    assert geo.problems(geo.parse(fig.to_svg())) == []
    check_print_size(fig, legend_heavy=name in LEGEND_HEAVY)


def test_a_full_size_model_on_the_meta_device_draws_without_its_memory():
    """Llama's default configuration is the 7B model: 28 GB of weights, none allocated."""
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(transformers.LlamaConfig())
    fig = figure(model, input_data=torch.ones(1, 16, dtype=torch.long), repeat_marks=True)
    fig.auto_group()
    layers = [(n.type, n.repeats) for n in fig.folded.nodes if n.repeats > 1]
    assert layers == [("Transformer layer", 32)]
    assert next(model.parameters()).device.type == "meta"


def test_a_channels_first_layer_norm_reads_its_channels_where_its_weight_is():
    """ConvNeXt's LN turns its input to channels last, normalises and turns it back: drawn as
    16 channels at 32×32 on both sides (a rectangle), not as 32 channels at 16×32."""
    fig = figure(build(*OTHERS["ConvNeXt"][:2]), input_size=(1, 3, 128, 128))
    assert "; LN (16 channels at 32×32); Residual block (7×7 kernel, 16 channels at 32×32)" in (
        fig.describe())


def test_a_norm_is_named_by_what_it_computes_not_by_its_class():
    """``T5LayerNorm`` scales by the root mean square and subtracts no mean: an RMSNorm, as
    its paper calls it; ``CohereLayerNorm`` subtracts the mean: a LayerNorm."""
    def norms(fig):
        return {n.type for n in fig.network.nodes if n.role == "normalization"}

    t5 = figure(build(*MODELS["T5"]), input_data={"input_ids": IDS, "decoder_input_ids": IDS})
    cohere = figure(transformers.CohereConfig(**SMALL))
    assert norms(t5) == {"RMSNorm"} and norms(cohere) == {"LayerNorm"}


def test_attention_written_out_to_soft_cap_its_scores_is_attention():
    """Gemma 2 writes its attention out to soft-cap the scores (MatMul, Tanh, Softmax,
    MatMul): one Dot-product attention, in an Attention, in a Transformer layer, as Llama's."""
    fig = figure(build(*MODELS["Gemma2"]), input_data=IDS)
    fig.auto_group()
    assert {"Attention", "Transformer layer"} <= {a.name for a in fig.snapshot.aggregates}
    attention = [n for n in fig.network.nodes if n.type == "Dot-product attention"]
    tanh = [n for n in fig.network.nodes if n.type == "Tanh"]
    assert len(attention) == 2 and len(tanh) == 1  # the logits' soft-capping, after the head
    assert {n.settings["scores"] for n in attention} == {"soft-capped by tanh"}

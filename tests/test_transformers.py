"""`transformers` models as people build them (SPEC §3b): every language model with its
default configuration (caches returned, ``use_cache`` untouched), small sizes, random weights,
no download; a full-size model on the meta device."""
from __future__ import annotations

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


def build(name):
    class_name, settings = MODELS[name]
    model_class = getattr(transformers, class_name)
    return model_class(model_class.config_class(**settings))


@pytest.mark.parametrize("name", MODELS)
def test_a_language_model_with_its_default_config_draws_and_folds(name):
    data = {"input_ids": IDS, "decoder_input_ids": IDS} if name in ENCODER_DECODERS else IDS
    fig = figure(build(name), input_data=data, repeat_marks=True)
    fig.auto_group()
    assert len(fig.folded.nodes) <= 8
    assert {"Input", "Embedding"} & {n.type for n in fig.network.nodes}
    assert geo.problems(geo.parse(fig.to_svg())) == []


def test_a_full_size_model_on_the_meta_device_draws_without_its_memory():
    """Llama's default configuration is the 7B model: 28 GB of weights, none allocated."""
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(transformers.LlamaConfig())
    fig = figure(model, input_data=torch.ones(1, 16, dtype=torch.long), repeat_marks=True)
    fig.auto_group()
    layers = [(n.type, n.repeats) for n in fig.folded.nodes if n.repeats > 1]
    assert layers == [("DecoderLayer", 32)]
    assert next(model.parameters()).device.type == "meta"

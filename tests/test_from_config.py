"""A figure from a ``transformers`` config alone: the architecture it names, built on the meta
device with the inputs its main input implies; nothing read or fetched beyond the config."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

transformers = pytest.importorskip("transformers")

from net2vis_widget import Net2Vis, figure  # noqa: E402

# model_type → the architecture a config.json names (None: the config names none)
CONFIGS = {
    "llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM",
    "qwen2_moe": "Qwen2MoeForCausalLM", "gemma": "GemmaForCausalLM",
    "t5": "T5ForConditionalGeneration", "bart": "BartForConditionalGeneration",
    "whisper": "WhisperForConditionalGeneration", "vit": None, "swin": "SwinModel",
    "clip": "CLIPModel", "llava": "LlavaForConditionalGeneration", "sam": "SamModel",
    "wav2vec2": None,
}
LLAMA_3_70B = {"model_type": "llama", "architectures": ["LlamaForCausalLM"],
               "hidden_size": 8192, "intermediate_size": 28672, "num_hidden_layers": 80,
               "num_attention_heads": 64, "num_key_value_heads": 8, "vocab_size": 128256}


def written(folder, model_type, architecture) -> str:
    """The default config of ``model_type`` as a config.json in ``folder``."""
    config = transformers.CONFIG_MAPPING[model_type]()
    config.architectures = [architecture] if architecture else None
    folder.mkdir()
    config.to_json_file(str(folder / "config.json"))
    return str(folder / "config.json")


@pytest.mark.parametrize("model_type", CONFIGS)
def test_a_config_alone_draws_its_architecture_folded(model_type, tmp_path):
    path = written(tmp_path / model_type, model_type, CONFIGS[model_type])
    folded = figure(path, auto_group=True)
    expected = CONFIGS[model_type] or type(transformers.AutoModel.from_config(
        transformers.CONFIG_MAPPING[model_type]())).__name__
    assert folded.network.name == expected
    assert not folded.network.failure
    assert len(folded.folded.nodes) < len(folded.network.nodes) / 3
    assert figure(tmp_path / model_type).to_svg() == figure(path).to_svg()  # the folder too


def test_a_config_object_and_the_widget_draw_the_same(tmp_path):
    config = transformers.BertConfig(num_hidden_layers=2)
    assert Net2Vis(config).to_svg() == figure(config).to_svg()
    assert figure(config).network.name == "BertModel"  # no architectures: the base model


def test_the_main_input_can_take_another_size(tmp_path):
    config = transformers.ViTConfig(image_size=384, num_hidden_layers=2)
    default, larger = figure(config), figure(config, input_size=(1, 3, 384, 384))
    assert default.to_svg() == larger.to_svg()  # the config's own size
    text = transformers.BertConfig(num_hidden_layers=2)
    assert figure(text).network.nodes[0].output_shapes == ((16,),)  # 16 token ids by default
    assert figure(text, input_size=(1, 64)).network.nodes[0].output_shapes == ((64,),)


def test_a_llama_3_70b_config_draws_from_the_command_line(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(LLAMA_3_70B))
    done = subprocess.run([sys.executable, "-m", "net2vis_widget.cli", "config.json", "-o",
                           "llama.svg"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    assert (done.returncode, done.stdout, done.stderr) == (0, "net2vis: wrote llama.svg\n", "")
    assert "8192" in (tmp_path / "llama.svg").read_text()


@pytest.mark.parametrize("config, message", [
    ({"model_type": "nonesuch"}, "unknown model_type 'nonesuch'"),
    ({"model_type": "my_model", "auto_map": {"AutoConfig": "modeling.MyConfig"}},
     "needs the code that comes with the model"),
    ({"hidden_size": 8}, "not a transformers config"),
])
def test_a_config_that_cannot_be_built_here_gets_one_clear_error(config, message, tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=message):
        figure(tmp_path / "config.json")


@pytest.mark.parametrize("config, shared", [
    (transformers.AlbertConfig(num_hidden_layers=4), "shared with its first call"),
    (transformers.GPT2Config(n_layer=2, architectures=["GPT2LMHeadModel"]),
     "shared with transformer.wte"),  # the output layer is the embedding, tied
    (transformers.T5Config(num_layers=2, d_model=64, d_ff=128, d_kv=16, num_heads=4),
     "shared with its first call"),  # the relative position bias, made in the first layer
    (transformers.SwinConfig(image_size=64, embed_dim=16, depths=[2, 2], num_heads=[2, 4]),
     None),  # one relative position bias per layer
    (transformers.ViTConfig(num_hidden_layers=2), None),  # its class token counted
    (transformers.CLIPVisionConfig(num_hidden_layers=2), None),  # a vector: drawn, counted
])
def test_shared_weights_are_counted_once(config, shared):
    from net2vis_widget.extract import from_config

    model, _ = from_config.model_and_inputs(config)
    network = figure(config).network
    assert sum(n.params for n in network.nodes) == sum(p.numel() for p in model.parameters())
    assert shared in {n.settings.get("weights") for n in network.nodes}
    biases = [n for n in network.nodes if n.type == "Relative position bias"]
    assert bool(biases) == (config.model_type in ("t5", "swin"))
    tokens = [n for n in network.nodes if n.type == "Class token"]
    assert bool(tokens) == (config.model_type in ("vit", "clip_vision_model"))


LLAMA_3_8B = {"model_type": "llama", "architectures": ["LlamaForCausalLM"],
              "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
              "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256}


def test_the_legend_gives_each_aggregates_parameters_on_request(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(LLAMA_3_8B))
    plain = figure(tmp_path / "config.json")
    counted = figure(tmp_path / "config.json", show_params=True)
    assert "each" not in plain.to_svg()
    # 2 × 4096² (query, output) + 2 × 4096 × 1024 (key, value) + 3 × 4096 × 14336 + 2 × 4096
    assert "Transformer layer ×32 · 218 M each" in counted.to_svg()


# A fixed sample of the catalogue (benchmarks/catalogue.py draws them all), by kind.
SAMPLE = {
    "text": ["gpt2", "llama", "mistral", "mixtral", "qwen2", "qwen3_moe", "gemma2", "phi3",
             "falcon", "bloom", "opt", "gpt_neox", "mamba2", "jamba", "rwkv", "deepseek_v3",
             "bert", "roberta", "albert", "deberta-v2", "electra", "modernbert"],
    "encoder-decoder": ["t5", "bart", "marian", "pegasus", "m2m_100", "prophetnet"],
    "vision": ["vit", "swin", "convnext", "resnet", "efficientnet", "beit", "dinov2",
               "mobilevit", "segformer", "regnet", "levit", "yolos"],
    "audio": ["wav2vec2", "hubert", "wavlm", "whisper", "moonshine"],
    "multimodal": ["clip", "siglip", "blip", "llava", "paligemma", "owlvit", "git"],
}


@pytest.mark.parametrize("model_type", [t for kind in SAMPLE.values() for t in kind])
def test_the_catalogue_sample_draws_from_default_configs(model_type):
    fig = figure(transformers.CONFIG_MAPPING[model_type](), auto_group=True)
    assert not fig.network.failure
    assert len(fig.folded.nodes) < len(fig.network.nodes)
    assert fig.describe().endswith(" parameters.")


def test_keys_written_by_parts_feed_the_attention():
    """DeepSeek's latent attention fills its keys by parts (``copy_`` into two slices of an
    empty tensor): both parts feed the attention, with no dangling ``Copy`` glyph."""
    config = transformers.DeepseekV3Config(num_hidden_layers=2, first_k_dense_replace=1)
    network = figure(config, auto_group=False).network
    assert "Copy" not in {n.type for n in network.nodes}
    attention = next(n for n in network.nodes if n.type == "Dot-product attention")
    feeding = [e.source for e in network.edges if e.target == attention.id]
    assert len(feeding) == 3 and any("kv_b_proj" in source for source in feeding)
    assert len(figure(config, auto_group=True, repeat_marks=True).folded.nodes) <= 6


def test_a_multimodal_model_reads_in_the_words_of_papers():
    """LLaVA: its image tokens merged into the text's, its text model's norm an RMSNorm; no
    class or function name in the legend."""
    config = transformers.LlavaConfig(architectures=["LlavaForConditionalGeneration"])
    aliases = {style.alias for style in figure(config).styles.values()}
    assert {"Token merge", "RMSNorm", "Transformer layer"} <= aliases
    assert not [a for a in aliases if "Llama" in a or "_" in a]

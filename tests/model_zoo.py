"""The models the figure tests draw: Keras applications, the U-Net, ``transformers`` models built
offline from small configurations (random weights, no download), and ONNX files exported from
them in the test. ``made(name, application, folder)`` gives (model, options for ``figure``)."""
from __future__ import annotations

APPLICATIONS = ("ConvNeXtTiny", "DenseNet121", "EfficientNetB0", "EfficientNetV2B0",
                "InceptionResNetV2", "InceptionV3", "MobileNet", "MobileNetV2",
                "MobileNetV3Small", "NASNetMobile", "ResNet50", "ResNet50V2",
                "VGG19", "Xception")
TRANSFORMERS = ("BERT", "GPT-2", "Llama", "T5", "BART", "Whisper", "ViT", "Swin", "CLIP",
                "DETR", "Mixtral", "Mamba")
MORE_TRANSFORMERS = ("ResNet-50", "ConvNeXt", "Wav2Vec2")  # full size or one more family each
ONNX = ("BERT (ONNX)", "ResNet-50 (ONNX)")  # exported from the ``transformers`` models
KERAS = ("ViT (Keras)",)  # written here after a ``transformers`` model
SMALL = dict(hidden_size=64, intermediate_size=128, num_attention_heads=4, num_hidden_layers=2,
             vocab_size=500)
SPEECH = dict(d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
              decoder_attention_heads=4, encoder_ffn_dim=128, decoder_ffn_dim=128)


def transformers_models() -> dict:
    """name → (model class, configuration, options for ``figure``)."""
    import torch
    import transformers as T

    ids = torch.ones(1, 8, dtype=torch.long)
    image = {"input_size": (1, 3, 64, 64)}
    seq2seq = {"input_data": {"input_ids": ids, "decoder_input_ids": ids}}
    backbone = T.ResNetConfig(hidden_sizes=[16, 32, 64, 128], depths=[1, 1, 1, 1],
                              embedding_size=16, out_features=["stage4"])
    return {
        "BERT": (T.BertModel, T.BertConfig(**SMALL), {"input_data": ids}),
        "GPT-2": (T.GPT2LMHeadModel, T.GPT2Config(n_embd=64, n_head=4, n_layer=2,
                                                  vocab_size=500), {"input_data": ids}),
        "Llama": (T.LlamaForCausalLM, T.LlamaConfig(**SMALL, num_key_value_heads=2),
                  {"input_data": ids}),
        "T5": (T.T5Model, T.T5Config(d_model=64, d_ff=128, num_heads=4, num_layers=2,
                                     vocab_size=500, d_kv=16), seq2seq),
        "BART": (T.BartModel, T.BartConfig(**SPEECH, vocab_size=500), seq2seq),
        "Whisper": (T.WhisperModel, T.WhisperConfig(**SPEECH, num_mel_bins=16,
                                                    max_source_positions=50),
                    {"input_data": {"input_features": torch.zeros(1, 16, 100),
                                    "decoder_input_ids": ids}}),
        "ViT": (T.ViTModel, T.ViTConfig(**SMALL, image_size=64, patch_size=16), image),
        "Swin": (T.SwinModel, T.SwinConfig(image_size=64, patch_size=4, embed_dim=16,
                                           depths=[2, 2], num_heads=[2, 4], window_size=4),
                 image),
        "CLIP": (T.CLIPModel, T.CLIPConfig(text_config=dict(SMALL, max_position_embeddings=16),
                                           vision_config=dict(SMALL, image_size=64,
                                                              patch_size=16),
                                           projection_dim=32),
                 {"input_data": {"input_ids": ids, "pixel_values": torch.zeros(1, 3, 64, 64)}}),
        "DETR": (T.DetrModel, T.DetrConfig(use_timm_backbone=False, use_pretrained_backbone=False,
                                           backbone_config=backbone, **SPEECH, num_queries=10),
                 image),
        "Mixtral": (T.MixtralForCausalLM, T.MixtralConfig(**SMALL, num_key_value_heads=2,
                                                          num_local_experts=4),
                    {"input_data": ids}),
        "Mamba": (T.MambaModel, T.MambaConfig(hidden_size=64, num_hidden_layers=2,
                                              vocab_size=500, state_size=8),
                  {"input_data": ids}),
        "ResNet-50": (T.ResNetForImageClassification,
                      T.ResNetConfig(embedding_size=64, hidden_sizes=[256, 512, 1024, 2048],
                                     depths=[3, 4, 6, 3]), {"input_size": (1, 3, 224, 224)}),
        "ConvNeXt": (T.ConvNextModel, T.ConvNextConfig(hidden_sizes=[16, 32, 64, 128],
                                                       depths=[1, 1, 2, 1]), image),
        "Wav2Vec2": (T.Wav2Vec2Model, T.Wav2Vec2Config(
            **SMALL, conv_dim=(32, 32), conv_stride=(5, 2), conv_kernel=(10, 3),
            num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=4),
            {"input_size": (1, 1600)}),
    }


def exported(name: str, folder) -> str:
    """The ONNX file of a ``transformers`` model, exported (TorchScript exporter, batch norm
    kept) into ``folder``: what the model returns first (BERT: also its pooled output)."""
    import torch

    class Outputs(torch.nn.Module):  # the output tensors as a tuple, for the exporter
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, x):
            return tuple(v for v in self.model(x).values() if isinstance(v, torch.Tensor))

    base = name.removesuffix(" (ONNX)")
    cls, config, options = transformers_models()[base]
    sample = (options["input_data"] if "input_data" in options
              else torch.zeros(options["input_size"]))
    path = folder / f"{base}.onnx"
    torch.onnx.export(Outputs(cls(config)).eval(), (sample,), str(path), dynamo=False,
                      do_constant_folding=False)
    return str(path)


def made(name: str, application, folder) -> tuple:
    """(model or file, options for ``figure``) of a model named in this module."""
    from net2vis_widget.examples import unet

    if name in ONNX:
        return exported(name, folder), {}
    if name in KERAS:
        return keras_vit(), {}
    if name in TRANSFORMERS + MORE_TRANSFORMERS:
        cls, config, options = transformers_models()[name]
        return cls(config), options
    return (unet() if name == "U-Net" else application(name)), {}


def keras_vit():
    """The ``transformers`` ViT of ``transformers_models()`` written in Keras: patches by a
    strided convolution, a class token, learned positions, two pre-norm layers, a pooler."""
    import keras
    from keras import layers

    class ClassToken(layers.Layer):
        def build(self, shape):
            self.token = self.add_weight(shape=(1, 1, shape[-1]), name="token")

        def call(self, x):
            batch = keras.ops.shape(x)[0]
            return keras.ops.concatenate(
                [keras.ops.broadcast_to(self.token, (batch, 1, x.shape[-1])), x], axis=1)

    class PositionEmbedding(layers.Layer):
        def build(self, shape):
            self.table = self.add_weight(shape=tuple(shape[1:]), name="table")

        def call(self, x):
            return x + self.table

    width = SMALL["hidden_size"]
    image = keras.Input((64, 64, 3))
    x = layers.Conv2D(width, 16, strides=16)(image)
    x = PositionEmbedding()(ClassToken()(layers.Reshape((16, width))(x)))
    for _ in range(SMALL["num_hidden_layers"]):
        y = layers.LayerNormalization()(x)
        x = layers.Add()([x, layers.MultiHeadAttention(4, width // 4)(y, y)])
        y = layers.Dense(SMALL["intermediate_size"])(layers.LayerNormalization()(x))
        x = layers.Add()([x, layers.Dense(width)(layers.Activation("gelu")(y))])
    x = layers.LayerNormalization()(x)
    pooled = layers.Activation("tanh")(layers.Dense(width)(x[:, 0]))
    return keras.Model(image, [x, pooled], name="vit")

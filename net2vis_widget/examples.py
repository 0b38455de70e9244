"""Small example models for figures, tests and notebooks: the paper's U-Net (Fig. 1), a 3-D
network on voxels (Fig. 9), a multi-input/multi-output network, a small residual network,
and today's attention architectures: transformer encoders (post-LN and pre-LN), a vision
transformer, and an encoder–decoder transformer with cross-attention.

``net2vis net2vis_widget.examples:unet -o unet.svg`` draws one from the command line.
Importing this module imports Keras.
"""
from __future__ import annotations

import keras
from keras import layers


def unet(depth=3, size=128):
    """The U-Net of the paper's Fig. 1, scaled down."""
    inputs = keras.Input((size, size, 1), name="image")
    skips, x = [], inputs
    for level in range(depth):
        filters = 16 * 2 ** level
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        skips.append(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(16 * 2 ** depth, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(16 * 2 ** depth, 3, padding="same", activation="relu")(x)
    for level in reversed(range(depth)):
        filters = 16 * 2 ** level
        x = layers.UpSampling2D()(x)
        x = layers.Conv2D(filters, 2, padding="same", activation="relu")(x)
        x = layers.Concatenate()([skips[level], x])
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    outputs = layers.Conv2D(2, 1, activation="softmax", name="segmentation")(x)
    return keras.Model(inputs, outputs, name="unet")


def voxel_net():
    """A 3-D convolutional network on 30×30×30 voxels (the paper's Fig. 9)."""
    inputs = keras.Input((30, 30, 30, 1), name="voxels")
    x = layers.Conv3D(32, 5, strides=2, activation="relu")(inputs)
    x = layers.Conv3D(32, 3, activation="relu")(x)
    x = layers.MaxPooling3D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="voxnet")


def multi_io_net():
    """Two inputs (an image and metadata), two outputs (a class and a box)."""
    image = keras.Input((64, 64, 3), name="image")
    meta = keras.Input((8,), name="metadata")
    x = layers.Conv2D(16, 3, activation="relu")(image)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    m = layers.Dense(16, activation="relu")(meta)
    joined = layers.Concatenate()([x, m])
    label = layers.Dense(10, activation="softmax", name="label")(joined)
    box = layers.Dense(4, name="box")(joined)
    return keras.Model([image, meta], [label, box], name="multi_io")


def residual_net(blocks=2):
    """A small residual network: a stem, ``blocks`` residual blocks, a dense head."""
    inputs = keras.Input((16, 16, 8), name="input")
    x = layers.Conv2D(8, 3, padding="same", name="stem")(inputs)
    for block in range(1, blocks + 1):
        y = layers.Conv2D(8, 3, padding="same", name=f"b{block}_conv1")(x)
        y = layers.BatchNormalization(name=f"b{block}_bn")(y)
        y = layers.ReLU(name=f"b{block}_relu1")(y)
        y = layers.Conv2D(8, 3, padding="same", name=f"b{block}_conv2")(y)
        y = layers.Add(name=f"b{block}_add")([x, y])
        x = layers.ReLU(name=f"b{block}_out")(y)
    outputs = layers.Dense(3, name="head")(layers.Flatten(name="flat")(x))
    return keras.Model(inputs, outputs, name="residual")


def _attention(x, context, width, heads, name):
    return layers.MultiHeadAttention(heads, width // heads, name=name)(x, context)


def _feed_forward(x, width, name):
    y = layers.Dense(2 * width, activation="gelu", name=f"{name}_up")(x)
    return layers.Dense(width, name=f"{name}_down")(y)


def _residual(x, sublayer, pre_norm, name):
    """``x`` plus ``sublayer`` of it, normalised before the sublayer (pre-LN) or after the sum."""
    if pre_norm:
        y = sublayer(layers.LayerNormalization(name=f"{name}_norm")(x))
        return layers.Add(name=f"{name}_add")([x, y])
    y = layers.Add(name=f"{name}_add")([x, sublayer(x)])
    return layers.LayerNormalization(name=f"{name}_norm")(y)


def _encoder_blocks(x, blocks, width, heads, pre_norm, prefix):
    for b in range(1, blocks + 1):
        x = _residual(x, lambda y, n=f"{prefix}{b}_attention": _attention(y, y, width, heads, n),
                      pre_norm, f"{prefix}{b}_attention")
        x = _residual(x, lambda y, n=f"{prefix}{b}_ffn": _feed_forward(y, width, n),
                      pre_norm, f"{prefix}{b}_ffn")
    return layers.LayerNormalization(name=f"{prefix}_final_norm")(x) if pre_norm else x


def transformer_encoder(blocks=4, pre_norm=False, length=32, width=64, heads=4, classes=5):
    """A text classifier: token embedding, ``blocks`` transformer encoder blocks (post-LN as
    in the original transformer and BERT, or pre-LN as in GPT-2), pooling and a head."""
    tokens = keras.Input((length,), dtype="int32", name="tokens")
    x = layers.Embedding(1000, width, name="embedding")(tokens)
    x = _encoder_blocks(x, blocks, width, heads, pre_norm, "block")
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="head")(x)
    name = f"{'pre' if pre_norm else 'post'}_ln_transformer_{blocks}"
    return keras.Model(tokens, outputs, name=name)


def vision_transformer(blocks=6, size=64, patch=8, width=64, heads=4, classes=10):
    """A vision transformer: patches embedded by a strided convolution, pre-LN encoder blocks."""
    image = keras.Input((size, size, 3), name="image")
    x = layers.Conv2D(width, patch, strides=patch, name="patch_embedding")(image)
    x = layers.Reshape(((size // patch) ** 2, width), name="patches")(x)
    x = _encoder_blocks(x, blocks, width, heads, True, "block")
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    return keras.Model(image, layers.Dense(classes, name="head")(x), name="vit")


def encoder_decoder(blocks=3, length=24, width=64, heads=4, vocab=1000):
    """A translation transformer: an encoder over the source tokens; each decoder block runs
    self-attention, cross-attention on the encoder's output, and a feed-forward network."""
    source = keras.Input((length,), dtype="int32", name="source")
    target = keras.Input((length,), dtype="int32", name="target")
    memory = _encoder_blocks(layers.Embedding(vocab, width, name="source_embedding")(source),
                             blocks, width, heads, False, "encoder")
    y = layers.Embedding(vocab, width, name="target_embedding")(target)
    for b in range(1, blocks + 1):
        y = _residual(y, lambda z, n=f"decoder{b}_self": _attention(z, z, width, heads, n),
                      False, f"decoder{b}_self")
        y = _residual(y, lambda z, n=f"decoder{b}_cross": _attention(z, memory, width, heads, n),
                      False, f"decoder{b}_cross")
        y = _residual(y, lambda z, n=f"decoder{b}_ffn": _feed_forward(z, width, n),
                      False, f"decoder{b}_ffn")
    outputs = layers.Dense(vocab, activation="softmax", name="next_token")(y)
    return keras.Model([source, target], outputs, name="encoder_decoder")

"""Small example models for figures, tests and notebooks: the paper's U-Net (Fig. 1), a 3-D
network on voxels (Fig. 9), a multi-input/multi-output network and a small residual network.

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

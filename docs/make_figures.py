"""Regenerate the README's figures: ``python docs/make_figures.py``."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from net2vis_widget import figure  # noqa: E402
from net2vis_widget.examples import unet, voxel_net  # noqa: E402

HERE = Path(__file__).parent


def grouped(model):
    fig = figure(model)
    fig.auto_group()
    return fig


def main():
    vgg19 = keras.applications.VGG19(weights=None, include_top=False, input_shape=(224, 224, 3))
    figures = {
        "unet.svg": figure(unet()),
        "voxnet.svg": figure(voxel_net()),
        "vgg19.svg": grouped(vgg19),
        "resnet50.svg": grouped(keras.applications.ResNet50(weights=None)),
    }
    for name, fig in figures.items():
        fig.save(HERE / name)
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()

"""Real Keras models, built once per test session (building one takes about a second)."""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import pytest  # noqa: E402

from net2vis_widget.examples import multi_io_net, residual_net, unet, voxel_net  # noqa: E402

APPLICATIONS = ("VGG19", "ResNet50", "InceptionV3", "DenseNet121", "MobileNetV2")


@pytest.fixture(scope="session")
def application():
    built = {}

    def get(name):
        if name not in built:
            built[name] = getattr(keras.applications, name)(weights=None)
        return built[name]

    return get


@pytest.fixture(scope="session")
def custom_models():
    return {"unet": unet(), "voxnet": voxel_net(), "multi_io": multi_io_net()}


@pytest.fixture(scope="session")
def residual():
    """input → stem → [conv → bn → relu → conv → add(skip) → relu] ×2 → flatten → dense."""
    return residual_net()

"""Real Keras models, built once per test session (building one takes about a second)."""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import pytest  # noqa: E402

from net2vis_widget import figure  # noqa: E402
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
def drawn(application, tmp_path_factory):
    """name (of ``model_zoo``) → (figure with the defaults, figure auto-grouped with ×N
    marks), made once per session."""
    from model_zoo import made

    figures, folder = {}, tmp_path_factory.mktemp("onnx")

    def get(name):
        if name not in figures:
            model, options = made(name, application, folder)
            plain = figure(model, auto_group=False, **options)
            grouped = figure(model, auto_group=True, repeat_marks=True, **options)
            figures[name] = plain, grouped
        return figures[name]

    return get


@pytest.fixture(scope="session")
def custom_models():
    return {"unet": unet(), "voxnet": voxel_net(), "multi_io": multi_io_net()}


@pytest.fixture(scope="session")
def residual():
    """input → stem → [conv → bn → relu → conv → add(skip) → relu] ×2 → flatten → dense."""
    return residual_net()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config, items):
    """Browser tests skip, with how to get them, where Chromium or the Jupyter stack is
    missing; under CI they run anyway and fail, so that they never silently stop running."""
    import lab_browser

    try:
        lab_browser.check_stack()
    except lab_browser.BrowserStackMissing as error:
        if not _in_ci():
            skip = pytest.mark.skip(reason=str(error))
            for item in items:
                if "browser" in item.keywords:
                    item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_stack():
    """Fails the browser tests, saying what to install, where the stack is missing (CI)."""
    import lab_browser

    try:
        lab_browser.check_stack()
    except lab_browser.BrowserStackMissing as error:
        pytest.fail(f"{error} (CI=true: browser tests must run)", pytrace=False)

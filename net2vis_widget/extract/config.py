"""A layer's or module's settings as JSON-safe scalars, for the tooltip and the state.

Read from the attributes named like the constructor's parameters: that is what Keras' own
``get_config`` reports, at a fraction of its cost, and what PyTorch modules keep too.
"""
from __future__ import annotations

import inspect
import weakref

_SCALARS = (str, int, float, bool, type(None))


def plain_config(layer) -> dict:
    """The constructor arguments of ``layer`` (objects → their class name)."""
    return {name: _plain(getattr(layer, name))
            for name in _parameter_names(type(layer)) if hasattr(layer, name)}


# each class's parameter names, read once: ``inspect.signature`` costs 40 µs a class, a
# fifth of a ResNet50's extraction; weak keys, so that classes redefined in a notebook go
_PARAMETER_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _parameter_names(layer_class) -> list[str]:
    names = _PARAMETER_NAMES.get(layer_class)
    if names is None:
        names = _PARAMETER_NAMES[layer_class] = [
            name for name in inspect.signature(layer_class.__init__).parameters
            if name not in ("self", "name", "args", "kwargs", "device", "dtype")]
    return names


def _plain(value):
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return value.get("class_name", "dict")
    if inspect.isfunction(value):
        return value.__name__
    return type(value).__name__


def main_settings(config: dict, names) -> dict:
    """The settings a reader looks for first (shown in the tooltip), in the order of ``names``."""
    return {name: config[name] for name in names if config.get(name) is not None}

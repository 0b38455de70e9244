"""A layer's or module's settings as JSON-safe scalars, for the tooltip and the state.

Read from the attributes named like the constructor's parameters: that is what Keras' own
``get_config`` reports, at a fraction of its cost, and what PyTorch modules keep too.
"""
from __future__ import annotations

import inspect

_SCALARS = (str, int, float, bool, type(None))


def plain_config(layer, init_parameters: dict) -> dict:
    """The constructor arguments of ``layer`` (objects → their class name).
    ``init_parameters`` caches each class's parameter names."""
    names = init_parameters.get(type(layer))
    if names is None:
        names = init_parameters[type(layer)] = [
            name for name in inspect.signature(type(layer).__init__).parameters
            if name not in ("self", "name", "args", "kwargs", "device", "dtype")]
    return {name: _plain(getattr(layer, name)) for name in names if hasattr(layer, name)}


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

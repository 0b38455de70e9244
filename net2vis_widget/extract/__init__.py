"""Entry point of the extraction phase: any supported model → ``Network``.

The adapter for a framework is imported only when a model of that framework arrives (its
framework is then already in ``sys.modules``), so ``import net2vis_widget`` imports none.
"""
from __future__ import annotations

import sys

from ..network import Network


def extract(model) -> Network:
    if isinstance(model, Network):
        return model
    keras = sys.modules.get("keras")
    if keras is not None and isinstance(model, keras.Model):
        from . import from_keras

        return from_keras.extract(model)
    raise TypeError(
        f"cannot draw a {type(model).__module__}.{type(model).__name__}: "
        "expected a keras.Model (functional, Sequential or nested)"
    )

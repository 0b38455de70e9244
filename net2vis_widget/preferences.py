"""The figure's preferences (SPEC §7): defaults, validation, and plain-dict round trips.

Every way a preference arrives (a keyword of ``figure()``, ``update()``, a saved state, the
view's panel) goes through ``Preferences.updated``, so each is checked by the same rules.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields, replace

SCALES = ("linear", "log")
COLOR_MODES = ("palette", "colorblind", "hue_gap")
LARGEST = 10_000  # units: any glyph size or gap beyond this is a typo, and overflows the layout


@dataclass(frozen=True)
class Preferences:
    min_height: float = 30
    max_height: float = 100
    min_width: float = 20
    max_width: float = 80
    scale: str = "linear"
    spacing_horizontal: float = 20
    spacing_vertical: float = 30
    show_dimensions: bool = True
    show_features: bool = True
    show_names: bool = False
    show_samples: bool = False
    channels_first: bool | None = None  # None: where each tensor keeps them
    color_mode: str = "palette"
    legend: bool = True
    legend_reverse: bool = False
    repeat_marks: bool = False

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type.startswith("bool") and not (isinstance(value, bool) or (
                    value is None and "None" in f.type)):
                choices = "True, False or None" if "None" in f.type else "True or False"
                raise TypeError(f"preference {f.name} must be {choices}, got {value!r}")
            if f.type == "float":  # numpy numbers become Python ones: the state stays JSON-safe
                object.__setattr__(self, f.name, _number(f.name, value))
        _choice("scale", self.scale, SCALES)
        _choice("color_mode", self.color_mode, COLOR_MODES)
        for low, high in (("min_height", "max_height"), ("min_width", "max_width")):
            if getattr(self, low) > getattr(self, high):
                raise ValueError(f"preference {high} must be a finite number ≥ {low} "
                                 f"({getattr(self, low)}), got {getattr(self, high)}")

    def updated(self, **changes) -> "Preferences":
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            known = ", ".join(f.name for f in fields(self))
            raise TypeError(f"unknown preference {', '.join(unknown)}; known: {known}")
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)


def _number(name: str, value) -> int | float:
    """``value`` as a Python number within the range of a size or gap, or a ValueError."""
    smallest = 0 if name.startswith("spacing") else 1
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = int(value) if isinstance(value, numbers.Integral) else float(value)
        if math.isfinite(number) and smallest <= number <= LARGEST:
            return number
    raise ValueError(f"preference {name} must be a finite number from {smallest} to {LARGEST}, "
                     f"got {value!r}")


def _choice(name: str, value, choices: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"preference {name} must be one of {', '.join(choices)}; got {value!r}")

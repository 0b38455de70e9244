"""The figure's preferences (SPEC §7): defaults, validation, and plain-dict round trips."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

SCALES = ("linear", "log")
COLOR_MODES = ("palette", "colorblind", "hue_gap")


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
    channels_first: bool = False
    color_mode: str = "palette"
    legend: bool = True
    legend_reverse: bool = False
    repeat_marks: bool = False

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "bool" and not isinstance(value, bool):
                raise TypeError(f"preference {f.name} must be True or False, got {value!r}")
            if f.type == "float":
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise ValueError(f"preference {f.name} must be a number ≥ 0, got {value!r}")
        if self.scale not in SCALES:
            raise ValueError(f"preference scale must be one of {SCALES}, got {self.scale!r}")
        if self.color_mode not in COLOR_MODES:
            raise ValueError(
                f"preference color_mode must be one of {COLOR_MODES}, got {self.color_mode!r}"
            )
        for low, high in (("min_height", "max_height"), ("min_width", "max_width")):
            if getattr(self, low) > getattr(self, high):
                raise ValueError(f"preference {low} must not exceed {high}")

    def updated(self, **changes) -> "Preferences":
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            known = ", ".join(f.name for f in fields(self))
            raise TypeError(f"unknown preference {', '.join(unknown)}; known: {known}")
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return asdict(self)

"""What a user decided about a figure: aggregates, aliases, colours, hidden types, preferences.

A ``State`` is immutable; every edit returns a new one, so a failed edit changes nothing.
``as_dict``/``from_dict`` round-trip it through JSON. A state read back is checked by the
rules the setters use (``edited`` is the one place aliases, colours and preferences are
checked) and refused whole with one error if anything in it is malformed; entries that no
longer apply to the model at hand (a layer type it lacks) are skipped with a warning.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

from .aggregate import Aggregate, splice
from .network import printable
from .palette import checked_color
from .preferences import Preferences

FIELDS = ("aggregates", "aliases", "colors", "hidden", "preferences", "opened")


class NotInFigure(KeyError):
    """A name that no layer type or aggregate of the figure has; reads as its message."""

    def __str__(self) -> str:
        return str(self.args[0])


MAX_NAME = 40  # characters of an alias or a name: what one legend entry's line holds


def checked_name(what: str, value) -> str:
    """``value`` as a name to show (an alias, an aggregate's name), or a ValueError."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty text, got {value!r}")
    if printable(value) != value:
        raise ValueError(f"{what} must not hold control characters, got {value!r}")
    if len(value) > MAX_NAME:
        raise ValueError(f"{what} must be at most {MAX_NAME} characters to fit the legend, got "
                         f"{len(value)}: {value[:MAX_NAME]!r}…")
    return value


@dataclass(frozen=True)
class State:
    aggregates: tuple[Aggregate, ...] = ()
    aliases: dict = field(default_factory=dict)
    colors: dict = field(default_factory=dict)
    hidden: tuple[str, ...] = ()
    preferences: Preferences = Preferences()
    opened: tuple[str, ...] = ()  # glyph ids of aggregate occurrences drawn unfolded

    def edited(self, keys: set[str], aliases=None, colors=None, preferences=None) -> "State":
        """This state with new aliases and colours (for ``keys``, the figure's layer types and
        aggregates) and preferences, each checked; a ValueError, TypeError or NotInFigure
        names the first wrong one."""
        aliases, colors = _mapping("aliases", aliases), _mapping("colors", colors)
        for key in {**aliases, **colors}:
            if key not in keys:
                raise NotInFigure(f"no layer type or aggregate {key!r} in this figure")
        return replace(
            self, preferences=self.preferences.updated(**_mapping("preferences", preferences)),
            aliases={**self.aliases, **{k: checked_name(f"the alias for {k!r}", v)
                                        for k, v in aliases.items()}},
            colors={**self.colors, **{k: checked_color(k, v) for k, v in colors.items()}})

    @property
    def by_name(self) -> dict[str, Aggregate]:
        return {a.name: a for a in self.aggregates}

    def with_aggregate(self, aggregate: Aggregate) -> "State":
        return replace(self, aggregates=self.aggregates + (aggregate,))

    def with_active(self, name: str, active: bool) -> "State":
        """That aggregate switched on or off, and nothing else: an aggregate holding it folds
        its layers instead (``fold.drawn_patterns``)."""
        self.aggregate(name)
        return replace(self, aggregates=tuple(
            replace(a, active=active) if a.name == name else a for a in self.aggregates))

    def without_aggregate(self, name: str) -> "State":
        """Delete an aggregate, expanding it inside every aggregate that used it."""
        removed = self.aggregate(name)
        kept = tuple(splice(a, removed) for a in self.aggregates if a.name != name)
        return replace(self, aggregates=kept,
                       aliases={k: v for k, v in self.aliases.items() if k != name},
                       colors={k: v for k, v in self.colors.items() if k != name})

    def aggregate(self, name: str) -> Aggregate:
        for a in self.aggregates:
            if a.name == name:
                return a
        known = ", ".join(repr(a.name) for a in self.aggregates) or "none yet"
        raise NotInFigure(f"no aggregate named {name!r} (aggregates: {known})")

    def as_dict(self) -> dict:
        return {"aggregates": [a.as_dict() for a in self.aggregates],
                "aliases": dict(self.aliases), "colors": dict(self.colors),
                "hidden": list(self.hidden), "preferences": self.preferences.as_dict(),
                "opened": list(self.opened)}

    @classmethod
    def from_dict(cls, data, types: set[str]) -> "State":
        """A state read back (from ``as_dict``) for a network with layer ``types``: checked
        whole, keeping what applies; a TypeError or ValueError says what is malformed."""
        if not isinstance(data, dict):
            raise TypeError(f"state must be a dict (as from .state), got {type(data).__name__}")
        unknown = sorted(map(str, set(data) - set(FIELDS)))
        if unknown:
            raise ValueError(f"state: unknown field {', '.join(unknown)}; "
                             f"known: {', '.join(FIELDS)}")
        try:
            return cls._read(data, set(types))
        except (TypeError, ValueError) as error:
            raise type(error)(f"state: {error}") from None

    @classmethod
    def _read(cls, data: dict, types: set[str]) -> "State":
        aggregates, keys = [], set(types)
        for entry in _sequence("aggregates", data.get("aggregates", [])):
            aggregate = Aggregate.from_dict(entry)
            checked_name("an aggregate's name", aggregate.name)
            missing = sorted(set(aggregate.members) - keys)
            if missing or aggregate.name in keys:
                skipped(f"aggregate {aggregate.name!r}: " + (
                    f"no {', '.join(missing)} in this model" if missing else "name already used"))
                continue
            aggregates.append(aggregate)
            keys.add(aggregate.name)
        hidden = _texts(data, "hidden", "layer types")
        opened = _texts(data, "opened", "glyph ids")
        state = cls(aggregates=tuple(aggregates), hidden=tuple(dict.fromkeys(
            t for t in hidden if t in types or skipped(f"hidden type {t!r}: not in this model"))),
            opened=tuple(dict.fromkeys(opened)))
        return state.edited(keys, _known(data.get("aliases"), keys, "aliases"),
                            _known(data.get("colors"), keys, "colors"), data.get("preferences"))


def _mapping(what: str, value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise TypeError(f"{what} must map names to values, got {value!r:.80}")
    return value


def _sequence(what: str, value) -> list:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"'{what}' must be a list, got {value!r:.80}")
    return list(value)


def _texts(data: dict, what: str, kind: str) -> list[str]:
    """``data[what]``, a list of texts (``kind`` says what they name), or a ValueError."""
    texts = _sequence(what, data.get(what, []))
    if not all(isinstance(t, str) for t in texts):
        raise ValueError(f"'{what}' must list {kind}, got {texts!r:.80}")
    return texts


def _known(entries, keys: set[str], what: str) -> dict:
    return {k: v for k, v in _mapping(what, entries).items() if k in keys or skipped(
        f"{what} entry for {k!r}: no such layer type or aggregate in this model")}


def skipped(reason: str) -> bool:
    """Warns that an entry of a state read back does not apply to this model; False."""
    warnings.warn(f"net2vis state: skipped {reason}", stacklevel=4)
    return False

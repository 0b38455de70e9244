"""What a user decided about a figure: aggregates, aliases, colours, hidden types, preferences.

A ``State`` is immutable; every edit returns a new one, so a failed edit changes nothing.
``as_dict``/``from_dict`` round-trip it through JSON; entries that no longer apply to the
model at hand are skipped with a warning.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

from .aggregate import Aggregate, contains, splice
from .preferences import Preferences


@dataclass(frozen=True)
class State:
    aggregates: tuple[Aggregate, ...] = ()
    aliases: dict = field(default_factory=dict)
    colors: dict = field(default_factory=dict)
    hidden: tuple[str, ...] = ()
    preferences: Preferences = Preferences()

    @property
    def by_name(self) -> dict[str, Aggregate]:
        return {a.name: a for a in self.aggregates}

    def with_aggregate(self, aggregate: Aggregate) -> "State":
        return replace(self, aggregates=self.aggregates + (aggregate,))

    def with_active(self, name: str, active: bool) -> "State":
        """Deactivating also deactivates the aggregates containing it; activating also
        activates the ones it contains."""
        by_name = self.by_name
        self.aggregate(name)
        affected = {a.name for a in self.aggregates if a.name == name or (
            contains(by_name, a.name, name) if not active else contains(by_name, name, a.name))}
        return replace(self, aggregates=tuple(
            replace(a, active=active) if a.name in affected else a for a in self.aggregates))

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
        raise KeyError(f"no aggregate named {name!r} (aggregates: {known})")

    def as_dict(self) -> dict:
        return {"aggregates": [a.as_dict() for a in self.aggregates],
                "aliases": dict(self.aliases), "colors": dict(self.colors),
                "hidden": list(self.hidden), "preferences": self.preferences.as_dict()}

    @classmethod
    def from_dict(cls, data: dict, types: set[str]) -> "State":
        """A state read back, keeping what applies to a network with layer ``types``."""
        if not isinstance(data, dict):
            raise TypeError(f"state must be a dict (as from .state), got {type(data).__name__}")
        aggregates, keys = [], set(types)
        for entry in data.get("aggregates", []):
            try:
                aggregate = Aggregate.from_dict(entry)
            except (KeyError, TypeError, ValueError) as error:
                _skip(f"aggregate entry {entry!r}: {error}")
                continue
            missing = sorted(set(aggregate.members) - keys)
            if missing or aggregate.name in keys:
                _skip(f"aggregate {aggregate.name!r}: " + (
                    f"no {', '.join(missing)} in this model" if missing else "name already used"))
                continue
            aggregates.append(aggregate)
            keys.add(aggregate.name)
        preferences = Preferences()
        for name, value in dict(data.get("preferences", {})).items():
            try:
                preferences = preferences.updated(**{name: value})
            except (TypeError, ValueError) as error:
                _skip(f"preference {name}: {error}")
        return cls(
            aggregates=tuple(aggregates),
            aliases=_known(data.get("aliases", {}), keys, "alias"),
            colors=_known(data.get("colors", {}), keys, "colour"),
            hidden=tuple(t for t in data.get("hidden", []) if t in types or _skip(
                f"hidden type {t!r}: not in this model")),
            preferences=preferences,
        )


def _known(entries: dict, keys: set[str], what: str) -> dict:
    return {k: v for k, v in dict(entries).items() if k in keys or _skip(
        f"{what} for {k!r}: no such layer type or aggregate in this model")}


def _skip(reason: str) -> bool:
    warnings.warn(f"net2vis state: skipped {reason}", stacklevel=3)
    return False

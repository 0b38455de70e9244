"""``figure(model)``: a model's architecture figure, its state, and the actions on it.

``render`` is the function to read first: fold → measure → lay out → draw → wrap → legend →
write, one line per phase, each phase in the module of the same name.
"""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, replace

import networkx as nx

from . import draw, export, layout, legend, sizing, svg
from .aggregate import GroupingError, from_selection
from .autogroup import auto_group, nested_model_aggregates
from .extract import extract
from .fold import drawn_patterns, fold
from .names import Vocabulary, name_for, paper_words
from .network import BYPASSED_ROLES, Network
from .palette import propose_colors
from .state import NotInFigure, State, checked_name, skipped
from .wrap import wrap


RECENT = 4  # renderings a figure keeps
HISTORY = 100  # states ``undo`` can go back to
READABLE_GLYPHS = 80  # more glyphs than this, unfolded, and ``auto_group="auto"`` folds them


@dataclass(frozen=True)
class Rendering:
    """One figure as drawn for one state: what every reader of the figure needs, computed once
    per action (the SVG, the folded network behind it, each legend key's style)."""

    state: State
    folded: Network
    styles: dict
    svg: str
    placement: layout.Layout
    layout_key: tuple  # what the placement was computed from
    legend_svg: str | None = None  # the legend on its own, with ``legend="separate"``


def render(network: Network, state: State, previous: Rendering | None = None) -> Rendering:
    """The figure of ``network`` per ``state``: fold → measure → lay out → draw → wrap →
    legend → write. What ``previous`` (the rendering before an action) computed is reused
    where its inputs did not change: a rename or a recolour neither folds nor lays out again."""
    preferences = state.preferences
    folded = (previous.folded if previous is not None and _same_fold(previous.state, state)
              else fold(network, state.aggregates, state.hidden, preferences.repeat_marks,
                        state.opened))
    styles = styles_of(network, state)
    sizes = sizing.measure(folded, preferences)
    boxes = draw.boxes(folded, sizes, styles, preferences)
    key = (tuple(n.id for n in folded.nodes), tuple((e.source, e.target) for e in folded.edges),
           tuple(boxes.items()), preferences.spacing_horizontal, preferences.spacing_vertical)
    placement = (previous.placement if previous is not None and previous.layout_key == key
                 else layout.layout(list(key[0]), list(dict.fromkeys(key[1])), boxes, *key[3:]))
    width = preferences.page_units - 2 * svg.MARGIN
    scene = wrap(draw.draw(folded, sizes, placement, styles, preferences), folded, placement,
                 width, preferences.spacing_horizontal, preferences.spacing_vertical)
    scene = draw.framed(scene, folded)
    legend_svg = None
    if preferences.legend:
        patterns = drawn_patterns(state.aggregates, state.hidden)  # without hidden members
        entries = legend.entries(layer_types(network), patterns, {n.type for n in folded.nodes},
                                 preferences)
        if preferences.legend == "separate":
            legend_svg = _written(legend.legend_scene(network.name, entries, styles, preferences,
                                                      width), preferences)
        else:
            scene = legend.add_legend(scene, entries, styles, preferences, width)
    return Rendering(state, folded, styles, _written(scene, preferences), placement, key,
                     legend_svg)


def _written(scene, preferences) -> str:
    return svg.write(scene, preferences.points_per_unit, preferences.page_width)


def _same_fold(before: State, after: State) -> bool:
    return (before.aggregates, before.hidden, before.preferences.repeat_marks, before.opened) == (
        after.aggregates, after.hidden, after.preferences.repeat_marks, after.opened)


def layer_types(network: Network) -> list[str]:
    return list(dict.fromkeys(node.type for node in network.nodes))


def styles_of(network: Network, state: State) -> dict[str, draw.Style]:
    """Alias and colour of every key: layer types in order of first appearance, then
    aggregates; the palette proposes colours by role (a convolution is blue) and by name (a
    bottleneck's is the same in every figure), distinct from each other and from those the
    state sets, which override. A layer type's alias is, unless the state sets one, the word
    papers use for it (``BN`` for ``BatchNormalization`` and ``BatchNorm2d`` alike)."""
    keys = layer_types(network) + [a.name for a in state.aggregates]
    aggregates = set(range(len(keys) - len(state.aggregates), len(keys)))
    fixed = {i: state.colors[key] for i, key in enumerate(keys) if key in state.colors}
    roles = {i: network.kinds[key].role for i, key in enumerate(keys) if i not in aggregates}
    aliases = {**paper_words(network), **state.aliases}
    inactive = {a.name for a in state.aggregates if not a.active}  # shown grey: no name colour
    names = {i: aliases.get(key, key) for i, key in enumerate(keys) if key not in inactive}
    proposed = propose_colors(len(keys), state.preferences.color_mode, aggregates, fixed, roles,
                              names)
    return {key: draw.Style(aliases.get(key, key), color, aggregate=i in aggregates)
            for i, (key, color) in enumerate(zip(keys, proposed))}


def _undoable(action):
    """An action whose change ``undo`` takes back (one step per call, however many inner
    steps it takes)."""
    @functools.wraps(action)
    def run(self, *args, **kwargs):
        before = self._state
        result = action(self, *args, **kwargs)
        if self._state != before:
            self._undone, self._done = [], [*self._done[1 - HISTORY:], before]
        return result
    return run


class Figure:
    """A model's figure. Every action validates first and changes nothing when it fails;
    ``undo`` and ``redo`` step through the last HISTORY changes (kept in no state or file)."""

    def __init__(self, model, state=None, aliases=None, colors=None, input_size=None,
                 input_data=None, partial=False, auto_group="auto", **preferences):
        if auto_group not in (True, False, "auto"):
            raise ValueError(f"auto_group must be True, False or 'auto', got {auto_group!r}")
        self.network = extract(model, input_size, input_data, partial)
        self._renderings: list[Rendering] = []  # the most recent last
        self.failure = self.network.failure  # a partial figure: why the rest did not run
        if state is None:
            self._state = State(aggregates=tuple(nested_model_aggregates(self.network)),
                                hidden=tuple(t for t, node in self.network.kinds.items()
                                             if node.role in BYPASSED_ROLES))
        else:
            self._state = State.from_dict(state, set(layer_types(self.network)))
        self._done: list[State] = []  # the states before each change, the latest last
        self._undone: list[State] = []  # the states undo left, the latest last
        self.update(aliases=aliases or {}, colors=colors or {}, **preferences)
        if self._state.opened:
            self._state = replace(self._state, opened=self._openable(self._state.opened))
        s = self._state  # folded, not drawn: a figure that will not be seen is not laid out
        if state is None and (auto_group is True or auto_group == "auto" and len(fold(
                self.network, s.aggregates, s.hidden).nodes) > READABLE_GLYPHS):
            self.auto_group()  # too many glyphs to read unfolded
        self._done.clear()  # the figure as made is where history starts

    # --- reading ------------------------------------------------------------------------------

    @property
    def state(self) -> dict:
        """Aggregates, aliases, colours, hidden types and preferences, as JSON-safe data."""
        return self._state.as_dict()

    @property
    def snapshot(self) -> State:
        """The state as an immutable value, for ``restore``."""
        return self._state

    def restore(self, snapshot: State) -> None:
        self._state = snapshot

    @property
    def rendering(self) -> Rendering:
        """The figure as drawn for the current state, computed once per state; the last few
        are kept, so that switching something back (a toggle, an undone hide) is instant."""
        recent = self._renderings
        if recent and recent[-1].state is self._state:
            return recent[-1]
        known = next((r for r in recent if r.state == self._state), None)
        rendering = known or render(self.network, self._state, recent[-1] if recent else None)
        self._renderings = [r for r in recent if r is not known][-(RECENT - 1):] + [rendering]
        return rendering

    @property
    def styles(self) -> dict[str, draw.Style]:
        """Alias, colour and kind of every layer type and aggregate."""
        return self.rendering.styles

    @property
    def folded(self) -> Network:
        """The network as drawn: hidden types bypassed, active aggregates folded."""
        return self.rendering.folded

    def to_svg(self) -> str:
        return self.rendering.svg

    def save(self, path) -> None:
        """Write the figure to a .svg, .pdf or .png file; with ``legend="separate"``, its
        legend to a second file beside it, ``<name>-legend.<suffix>``."""
        path = export.check_path(path)
        legend_svg = self.rendering.legend_svg
        export.save(self.to_svg(), path)
        if legend_svg is not None:
            export.save(legend_svg, path.with_name(f"{path.stem}-legend{path.suffix}"))

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def __repr__(self) -> str:
        glyphs = len(self.folded.nodes)
        return (f"<net2vis figure of {self.network.name!r}: {len(self.network.nodes)} layers "
                f"as {glyphs} glyphs>")

    # --- actions ------------------------------------------------------------------------------

    @_undoable
    def update(self, aliases=None, colors=None, **preferences) -> None:
        """Change preferences, and aliases or colours of layer types and aggregates."""
        self._state = self._state.edited(self._keys(), aliases, colors, preferences)

    @_undoable
    def auto_group(self) -> list[str]:
        """Fold repeated sequences and blocks into new aggregates; returns their names."""
        s = self._state  # the network as drawn, but each glyph once: no ×N runs to learn from
        found = auto_group(fold(self.network, s.aggregates, s.hidden), s.by_name, self._keys(),
                           self.network)
        for aggregate in found:
            self._state = self._state.with_aggregate(aggregate)
        return [a.name for a in found]

    @_undoable
    def group(self, layers, name: str | None = None) -> str:
        """Group the glyphs showing ``layers`` (layer names or glyph ids) into an aggregate."""
        folded = self.folded
        selection = self._glyphs_of(folded, layers)
        if name is None:
            pattern = from_selection(folded, selection, "")
            words = Vocabulary.of(self.network, self._state.by_name)
            aggregate = replace(pattern, name=name_for(pattern, self._keys(), words))
        else:
            aggregate = from_selection(folded, selection, self._checked_name(name))
        self._state = self._state.with_aggregate(aggregate)
        return aggregate.name

    def select_between(self, first: str, last: str) -> list[str]:
        """Glyph ids on all paths between the glyphs showing two layers (shift-click)."""
        folded = self.folded
        ends = self._glyphs_of(folded, [first, last])
        a, b = ends[0], ends[-1]
        graph = folded.graph()
        if nx.has_path(graph, b, a):
            a, b = b, a
        between = (nx.descendants(graph, a) & nx.ancestors(graph, b)) | {a, b}
        return [n.id for n in folded.nodes if n.id in between]

    @_undoable
    def set_active(self, name: str, active: bool) -> None:
        if active not in (True, False):
            raise TypeError(f"active must be True or False, got {active!r}")
        self._state = self._state.with_active(name, bool(active))

    @_undoable
    def unfold(self) -> None:
        """Switch every aggregate off: every layer drawn (``undo`` folds them again)."""
        for aggregate in self._state.aggregates:
            self._state = self._state.with_active(aggregate.name, False)

    @_undoable
    def ungroup(self, name: str) -> None:
        self._state = self._state.without_aggregate(name)

    @_undoable
    def open_occurrence(self, glyph: str) -> None:
        """Draw one occurrence of an aggregate (its glyph id) as its layers, in a frame, while
        the other occurrences stay folded."""
        node = self.folded.by_id.get(glyph)
        if node is None or not node.members:
            raise GroupingError(f"{glyph!r} is not an aggregate's glyph in this figure")
        self._state = replace(self._state, opened=self._state.opened + (glyph,))

    @_undoable
    def close_occurrence(self, glyph: str) -> None:
        """Fold an opened occurrence (the glyph id ``open_occurrence`` took) again."""
        if glyph not in self._state.opened:
            raise GroupingError(f"no opened occurrence {glyph!r} in this figure")
        self._state = replace(self._state, opened=tuple(
            g for g in self._state.opened if g != glyph))

    @_undoable
    def hide(self, layer_type: str) -> None:
        """Bypass every layer of a type; the legend shows it greyed in the widget."""
        self._type(layer_type)
        if layer_type not in self._state.hidden:
            self._state = replace(self._state, hidden=self._state.hidden + (layer_type,))

    @_undoable
    def show(self, layer_type: str) -> None:
        self._type(layer_type)
        self._state = replace(self._state, hidden=tuple(
            t for t in self._state.hidden if t != layer_type))

    def undo(self) -> None:
        """Take back the last change (an action that changed nothing is no change)."""
        if not self._done:
            raise ValueError("nothing to undo")
        self._undone.append(self._state)
        self._state = self._done.pop()

    def redo(self) -> None:
        """Make again the last change ``undo`` took back, until a new change is made."""
        if not self._undone:
            raise ValueError("nothing to redo")
        self._done.append(self._state)
        self._state = self._undone.pop()

    @property
    def history(self) -> dict[str, int]:
        """How many changes ``undo`` and ``redo`` can take back and make again."""
        return {"undo": len(self._done), "redo": len(self._undone)}

    # --- helpers ------------------------------------------------------------------------------

    def _type(self, layer_type) -> None:
        if layer_type not in layer_types(self.network):
            raise NotInFigure(f"no layer type {layer_type!r} in this figure")

    def _openable(self, opened) -> tuple[str, ...]:
        """The glyph ids of a state's opened occurrences that name an aggregate's glyph where
        the ones before them are open; the others are skipped with a warning."""
        s, kept = self._state, ()
        for glyph in opened:
            node = fold(self.network, s.aggregates, s.hidden, s.preferences.repeat_marks,
                        kept).by_id.get(glyph)
            if node is not None and node.members:
                kept += (glyph,)
            else:
                skipped(f"opened occurrence {glyph!r}: no aggregate's glyph of that id here")
        return kept

    def _keys(self) -> set[str]:
        return set(layer_types(self.network)) | {a.name for a in self._state.aggregates}

    def _checked_name(self, name) -> str:
        try:
            checked_name("an aggregate's name", name)
        except ValueError as error:
            raise GroupingError(str(error)) from None
        if name in self._keys():
            raise GroupingError(f"the name {name!r} already names a layer type or aggregate; "
                                "choose another")
        return name

    def _glyphs_of(self, folded: Network, layers) -> list[str]:
        """The drawn glyph showing each named layer (by glyph id, layer id or layer name)."""
        owner = {}
        for node in folded.nodes:
            owner[node.id] = node.id
            for member in node.members:
                owner[member] = node.id
        names = {n.name: n.id for n in self.network.nodes}
        glyphs = []
        for layer in ([layers] if isinstance(layers, str) else list(layers)):
            layer_id = layer if layer in owner else names.get(layer)
            if layer_id not in owner:
                raise GroupingError(f"no layer {layer!r} is drawn in this figure (hidden or "
                                    "misspelt?)")
            glyphs.append(owner[layer_id])
        shared = [g for g, n in Counter(glyphs).items() if n > 1 and folded.by_id[g].members]
        if shared and len(set(glyphs)) < 2:
            inside = folded.by_id[shared[0]]
            raise GroupingError(
                f"the layers given are all inside one glyph of {inside.type!r} "
                f"({shared[0]!r}): open that occurrence (double-click it) or switch "
                f"{inside.type!r} off to group layers inside it")
        return list(dict.fromkeys(glyphs))


def figure(model, **options) -> Figure:
    """The figure of ``model``: a built keras.Model, a torch.nn.Module (with ``input_size``
    or ``input_data``) or a Network. Options: ``state`` (from ``.state``), ``aliases`` and
    ``colors`` per layer type, ``auto_group`` (``"auto"``: fold a figure of more than
    READABLE_GLYPHS glyphs, as ``auto_group()`` does; ``True``, ``False``), and preferences."""
    return Figure(model, **options)


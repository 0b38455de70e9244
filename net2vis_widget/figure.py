"""``figure(model)``: a model's architecture figure, its state, and the actions on it.

``render`` is the function to read first: fold → measure → lay out → draw → wrap → legend →
write, one line per phase, each phase in the module of the same name.
"""
from __future__ import annotations

import functools
import gc
from collections import Counter
from dataclasses import dataclass, replace

import networkx as nx

from . import draw, export, layout, legend, sizing, svg
from .aggregate import GroupingError, from_selection
from .autogroup import auto_group, nested_model_aggregates
from .caption import describe
from .extract import extract
from .fold import bypass, collapse_repeats, drawn_patterns, fold
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
    marked: Network  # folded with ×N marks and no occurrence opened: what the caption reads
    caption: str  # the figure in words
    legend_svg: str | None = None  # the legend on its own, with ``legend="separate"``


def paused_collection(function):
    """``function`` run without the cyclic garbage collector: the pipeline makes tens of
    thousands of small objects and no cycles worth collecting, and in a process holding a
    framework's millions of objects each collection it triggers costs 5–7 % of a figure."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()
    return run


@paused_collection
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
    marked = _marked(network, state, folded, previous)
    caption = describe(network, marked, styles, preferences)
    scene = replace(draw.framed(scene, folded), description=caption)
    legend_svg = None
    if preferences.legend:
        patterns = drawn_patterns(state.aggregates, state.hidden)  # without hidden members
        notes = (legend.parameter_notes(network, state.aggregates, state.hidden)
                 if preferences.show_params else None)
        entries = legend.entries(layer_types(network), patterns, {n.type for n in folded.nodes},
                                 preferences, notes)
        if preferences.legend == "separate":
            legend_svg = _written(legend.legend_scene(network.name, entries, styles, preferences,
                                                      width), preferences)
        else:
            scene = legend.add_legend(scene, entries, styles, preferences, width)
    return Rendering(state, folded, styles, _written(scene, preferences), placement, key,
                     marked, caption, legend_svg)


def _marked(network: Network, state: State, folded: Network,
            previous: Rendering | None) -> Network:
    """The network folded with ×N marks and no occurrence opened: the figure drawn, its runs
    marked where they are not; else the one ``previous`` had for the same aggregates, else
    folded anew."""
    if not state.opened:
        return folded if state.preferences.repeat_marks else collapse_repeats(
            folded, bypass(network, set(state.hidden)).by_id)
    if previous is not None and (previous.state.aggregates, previous.state.hidden) == (
            state.aggregates, state.hidden):
        return previous.marked
    return fold(network, state.aggregates, state.hidden, repeat_marks=True)


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
    """A model's architecture figure, and the actions that change it.

    Made by ``figure()`` (the same options). Every action checks its arguments first and
    changes nothing when it fails; ``undo`` and ``redo`` step through the last 100 changes
    (kept in no state or file). In a notebook a figure shows as its SVG; the widget
    ``Net2Vis`` has the same methods.

    Examples
    --------
    >>> fig = figure(model)
    >>> fig
    <net2vis figure of 'residual': 16 layers as 16 glyphs>
    >>> fig.auto_group()
    ['Conv–BN–ReLU–Conv', 'Add–ReLU', 'Residual block']
    >>> fig.save("residual.svg")
    """

    @paused_collection
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
        """Everything the user chose, as JSON-safe data: aggregates, aliases, colours, hidden
        layer types, opened occurrences and preferences.

        ``figure(model, state=state)`` draws the same figure again, in another session too.

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.hide("BatchNormalization")
        >>> state = fig.state
        >>> state["hidden"]
        ['BatchNormalization']
        >>> figure(model, state=state).to_svg() == fig.to_svg()
        True
        """
        return self._state.as_dict()

    @property
    def snapshot(self) -> State:
        """The state as an immutable value, for ``restore``."""
        return self._state

    def restore(self, snapshot: State) -> None:
        """Go back to a ``snapshot`` taken before, without a step of history."""
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
        """The figure as SVG text: exactly what ``save("….svg")`` writes and the widget shows.

        Examples
        --------
        >>> figure(model).to_svg().startswith("<svg")
        True
        """
        return self.rendering.svg

    def describe(self) -> str:
        """The figure in words, for its caption and as its accessible description: the blocks
        in order with their ×N, their stages and sizes, and the parameter total (each weight
        counted once). It follows the state: names and folds change it. The SVG carries it
        as ``<desc>``, a PDF as its subject.

        Examples
        --------
        >>> caption = figure(model, auto_group=True).describe()
        >>> for part in caption.split("; "):
        ...     print(part)
        residual: Input (8 channels at 16×16)
        Conv (3×3 kernel, 8 channels at 16×16)
        Residual block ×2 (8 channels at 16×16)
        Flatten (2048)
        Linear (3)
        9.13 k parameters.
        """
        return self.rendering.caption

    def save(self, path) -> None:
        """Write the figure to a file, at its print size.

        Parameters
        ----------
        path : str or pathlib.Path
            Ending in ``.svg``, ``.pdf`` or ``.png`` (PDF and PNG need the ``[export]`` extra;
            PNG at 300 dpi). With the preference ``legend="separate"`` the legend goes to a
            second file beside it, ``<name>-legend.<suffix>``.

        Examples
        --------
        >>> fig = figure(model, page_width=3.3)  # one column of a paper, in inches
        >>> fig.save("residual.pdf")
        """
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
        """Change preferences, and the names or colours of layer types and aggregates.

        Parameters
        ----------
        aliases : dict, optional
            Layer type or aggregate → the name the figure shows (at most 40 characters).
        colors : dict, optional
            Layer type or aggregate → a colour (``"#1f77b4"``, ``"tomato"``).
        **preferences : object
            Any of ``Preferences``: ``page_width`` (inches), ``scale``, ``legend``,
            ``color_mode``, ``show_names``, …

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.update(aliases={"Conv2D": "Conv"}, colors={"Dense": "#d62728"}, page_width=7)
        >>> fig.state["preferences"]["page_width"]
        7
        """
        self._state = self._state.edited(self._keys(), aliases, colors, preferences)

    @_undoable
    def auto_group(self) -> list[str]:
        """Fold repeated layer sequences and blocks into aggregates, named as papers name them.

        Returns
        -------
        list of str
            The names of the new aggregates (none when there is nothing more to fold).

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.auto_group()
        ['Conv–BN–ReLU–Conv', 'Add–ReLU', 'Residual block']
        >>> fig
        <net2vis figure of 'residual': 16 layers as 6 glyphs>
        """
        s = self._state  # the network as drawn, but each glyph once: no ×N runs to learn from
        found = auto_group(fold(self.network, s.aggregates, s.hidden), s.by_name, self._keys(),
                           self.network)
        for aggregate in found:
            self._state = self._state.with_aggregate(aggregate)
        return [a.name for a in found]

    @_undoable
    def group(self, layers, name: str | None = None) -> str:
        """Group layers into an aggregate: every occurrence of the same sequence folds.

        Parameters
        ----------
        layers : list of str
            Layer names or glyph ids (see ``glyphs``), at least two glyphs that form a
            connected block (``select_between`` finds the layers between two).
        name : str, optional
            The aggregate's name; without one, a name from what it holds.

        Returns
        -------
        str
            The aggregate's name.

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.group(["b1_conv1", "b1_bn", "b1_relu1"], name="Conv-BN-ReLU")
        'Conv-BN-ReLU'
        """
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
        """The glyphs on all paths between the glyphs of two layers (a shift-click's
        selection in the widget), ready for ``group``.

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.select_between("b1_conv1", "b1_out")
        ['b1_conv1', 'b1_bn', 'b1_relu1', 'b1_conv2', 'b1_add', 'b1_out']
        """
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
        """Switch an aggregate off (its layers drawn) or on (folded) everywhere, as a click on
        its legend entry does; an aggregate holding it stays as it was.

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.auto_group()
        ['Conv–BN–ReLU–Conv', 'Add–ReLU', 'Residual block']
        >>> fig.set_active("Residual block", False)
        >>> fig
        <net2vis figure of 'residual': 16 layers as 8 glyphs>
        """
        if active not in (True, False):
            raise TypeError(f"active must be True or False, got {active!r}")
        self._state = self._state.with_active(name, bool(active))

    @_undoable
    def unfold(self) -> None:
        """Switch every aggregate off: every layer drawn (``undo`` folds them again).

        Examples
        --------
        >>> fig = figure(model, auto_group=True)
        >>> fig.unfold()
        >>> fig
        <net2vis figure of 'residual': 16 layers as 16 glyphs>
        """
        for aggregate in self._state.aggregates:
            self._state = self._state.with_active(aggregate.name, False)

    @_undoable
    def ungroup(self, name: str) -> None:
        """Delete an aggregate: its occurrences are drawn as their layers again.

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.group(["b1_conv1", "b1_bn"], name="Conv-BN")
        'Conv-BN'
        >>> fig.ungroup("Conv-BN")
        """
        self._state = self._state.without_aggregate(name)

    @_undoable
    def open_occurrence(self, glyph: str) -> None:
        """Draw one occurrence of an aggregate as its layers, in a dashed frame, while the
        other occurrences stay folded (a double-click on its glyph in the widget).

        Parameters
        ----------
        glyph : str
            The aggregate's glyph id (see ``glyphs``) or the name of a layer inside it.

        Examples
        --------
        >>> fig = figure(model, auto_group=True)
        >>> fig.open_occurrence("b2_conv1")  # the second residual block
        >>> fig.state["opened"]
        ['Residual block:Conv–BN–ReLU–Conv:b2_conv1']
        """
        folded = self.folded
        glyph = glyph if glyph in folded.by_id else self._glyphs_of(folded, [glyph])[0]
        node = folded.by_id[glyph]
        if not node.members:
            raise GroupingError(f"{glyph!r} is not an aggregate's glyph in this figure")
        self._state = replace(self._state, opened=self._state.opened + (glyph,))

    @_undoable
    def close_occurrence(self, glyph: str) -> None:
        """Fold an opened occurrence again (its glyph id, as in ``state["opened"]``).

        Examples
        --------
        >>> fig = figure(model, auto_group=True)
        >>> fig.open_occurrence("b2_conv1")
        >>> fig.close_occurrence(fig.state["opened"][0])
        """
        if glyph not in self._state.opened:
            raise GroupingError(f"no opened occurrence {glyph!r} in this figure")
        self._state = replace(self._state, opened=tuple(
            g for g in self._state.opened if g != glyph))

    @_undoable
    def hide(self, layer_type: str) -> None:
        """Leave out every layer of a type: the edges bypass them (a click on the type in the
        widget's legend; ``show`` brings them back).

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.hide("BatchNormalization")
        >>> fig
        <net2vis figure of 'residual': 16 layers as 14 glyphs>
        """
        self._type(layer_type)
        if layer_type not in self._state.hidden:
            self._state = replace(self._state, hidden=self._state.hidden + (layer_type,))

    @_undoable
    def show(self, layer_type: str) -> None:
        """Draw a hidden layer type again.

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.hide("BatchNormalization")
        >>> fig.show("BatchNormalization")
        """
        self._type(layer_type)
        self._state = replace(self._state, hidden=tuple(
            t for t in self._state.hidden if t != layer_type))

    def undo(self) -> None:
        """Take back the last change (an action that changed nothing is no change).

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.auto_group()
        ['Conv–BN–ReLU–Conv', 'Add–ReLU', 'Residual block']
        >>> fig.undo()
        >>> fig
        <net2vis figure of 'residual': 16 layers as 16 glyphs>
        """
        if not self._done:
            raise ValueError("nothing to undo")
        self._undone.append(self._state)
        self._state = self._done.pop()

    def redo(self) -> None:
        """Make again the last change ``undo`` took back, until a new change is made.

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.hide("Flatten")
        >>> fig.undo()
        >>> fig.redo()
        >>> fig.state["hidden"]
        ['Flatten']
        """
        if not self._undone:
            raise ValueError("nothing to redo")
        self._done.append(self._state)
        self._state = self._undone.pop()

    @property
    def history(self) -> dict[str, int]:
        """How many changes ``undo`` and ``redo`` can take back and make again.

        Examples
        --------
        >>> fig = figure(model)
        >>> fig.hide("Flatten")
        >>> fig.history
        {'undo': 1, 'redo': 0}
        """
        return {"undo": len(self._done), "redo": len(self._undone)}

    @property
    def glyphs(self) -> dict[str, str]:
        """What each glyph shows, by glyph id: a layer's name, or an aggregate's name.

        The ids are what ``group``, ``select_between`` and ``open_occurrence``
        take besides layer names (and what the SVG's ``data-id`` says).

        Examples
        --------
        >>> fig = figure(model, auto_group=True)
        >>> list(fig.glyphs.values())
        ['input', 'stem', 'Residual block', 'Residual block', 'flat', 'head']
        """
        return {n.id: n.type if n.members else n.name for n in self.folded.nodes}

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


def figure(model, state=None, aliases=None, colors=None, input_size=None, input_data=None,
           partial=False, auto_group="auto", **preferences) -> Figure:
    """The architecture figure of a model.

    Parameters
    ----------
    model : keras.Model, torch.nn.Module, str or Network
        A built ``keras.Model``; a ``torch.nn.Module`` (with ``input_size`` or
        ``input_data``); a path to a ``.onnx``, ``.keras`` or ``.h5`` file.
    state : dict, optional
        A figure's ``Figure.state``: draws that figure again.
    aliases, colors : dict, optional
        Per layer type or aggregate: the name shown, the colour (see ``Figure.update``).
    input_size : tuple or list of tuples, optional
        Example input sizes: a PyTorch module's with the batch axis (``(1, 3, 224, 224)``),
        a Keras model's built for any size without it (``(224, 224, 3)``).
    input_data : tensor or tuple, optional
        Example inputs for a PyTorch module, instead of ``input_size``.
    partial : bool, default False
        Draw what ran before a PyTorch module failed, instead of raising.
    auto_group : {"auto", True, False}, default "auto"
        Fold repeated blocks as ``Figure.auto_group`` does: always, never, or where the
        unfolded figure has more than 80 glyphs.
    **preferences : object
        Any of ``Preferences`` (``page_width``, ``scale``, ``legend``, …).

    Returns
    -------
    Figure

    Examples
    --------
    >>> figure(model)
    <net2vis figure of 'residual': 16 layers as 16 glyphs>
    >>> figure(model, auto_group=True, page_width=3.3).save("residual.svg")
    """
    return Figure(model, state=state, aliases=aliases, colors=colors, input_size=input_size,
                  input_data=input_data, partial=partial, auto_group=auto_group, **preferences)


"""``Net2Vis(model)``: the figure as a Jupyter widget (anywidget).

Python is the single source of truth: the view shows the ``svg`` trait (exactly what
``to_svg()`` and ``save()`` write) and sends actions as custom messages; each action runs
the same ``Figure`` method as the Python API, then the traits are refreshed. A failed action
sets ``error`` and leaves the figure and its state as they were.
"""
from __future__ import annotations

import base64
import html
import pathlib
import re
import warnings
from collections import Counter

import anywidget
import traitlets
from IPython.display import display, update_display

from .figure import Figure
from .preferences import COLOR_MODES, LEGENDS, SCALES


STATIC_NOTE = "A static copy of the figure: run the cell to explore it."


def _view_file(name: str) -> pathlib.Path:
    """A file of the view: ``js/`` inside the installed wheel, or the checkout's ``js/`` in an
    editable install (where ``ANYWIDGET_HMR=1`` reloads the view on every save)."""
    package = pathlib.Path(__file__).parent
    packaged = package / "js" / name
    return packaged if packaged.exists() else package.parent / "js" / name


def _as_in_figure(member):
    """A method or property of the widget that is the figure's: its docstring, with examples
    on a widget ``w``."""
    original = getattr(Figure, getattr(member, "__name__", None) or member.fget.__name__)
    doc = re.sub(r"\bfig\b", "w", original.__doc__.replace("figure(model", "Net2Vis(model")
                 .replace("<net2vis figure of", "<Net2Vis widget of"))
    if isinstance(member, property):
        return property(member.fget, doc=doc)
    member.__doc__ = doc
    return member


class Net2Vis(anywidget.AnyWidget):
    """The architecture figure of a model as a Jupyter widget.

    Takes what ``figure`` takes and has the same methods as ``Figure``; each
    action, from Python or from the view (toolbar, legend, glyphs), runs in Python, and the
    view shows the new figure: exactly what ``to_svg()`` and ``save()`` write. A failed action
    changes nothing and says why, in Python and in the view.

    Examples
    --------
    >>> w = Net2Vis(model, auto_group=True)  # the last line of a cell shows the view
    >>> w.caption == w.describe()  # what Copy caption copies
    True
    >>> w.unfold(); w.undo()  # as the toolbar's Show all layers, then Ctrl+Z
    >>> w
    <Net2Vis widget of 'residual': 16 layers as 6 glyphs>
    """

    _esm = _view_file("widget.js")
    _css = _view_file("widget.css")

    svg = traitlets.Unicode("").tag(sync=True)
    layers = traitlets.Dict().tag(sync=True)  # glyph id -> facts for the tooltip
    legend = traitlets.List().tag(sync=True)  # every type and aggregate, for the panels
    preferences = traitlets.Dict().tag(sync=True)
    choices = traitlets.Dict({"scale": list(SCALES), "color_mode": list(COLOR_MODES),
                              "channels_first": [None, True, False],
                              "legend": list(LEGENDS)}).tag(sync=True)
    selection = traitlets.List().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    answered = traitlets.Int(0).tag(sync=True)  # counts the view's actions Python has run
    history = traitlets.Dict({"undo": 0, "redo": 0}).tag(sync=True)  # steps undo/redo can take
    figure_id = traitlets.Unicode("").tag(sync=True)  # names the static copies the view hides
    caption = traitlets.Unicode("").tag(sync=True)  # the figure in words (Copy caption)

    def __init__(self, model, state=None, aliases=None, colors=None, input_size=None,
                 input_data=None, partial=False, auto_group="auto", **preferences):
        super().__init__()
        with warnings.catch_warnings(record=True) as caught:  # shown in the view too
            warnings.simplefilter("always")
            self.figure = Figure(model, state=state, aliases=aliases, colors=colors,
                                 input_size=input_size, input_data=input_data, partial=partial,
                                 auto_group=auto_group, **preferences)
        for warning in caught:
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
        notes = [str(w.message) for w in caught if str(w.message).startswith("net2vis")]
        self.figure_id = self.model_id
        self._static_shown = False
        self.on_msg(self._on_message)
        self._refresh()
        self.error = self.figure.failure or " ".join(notes)

    # --- the Python API: the same actions as the view's ---------------------------------------

    @_as_in_figure
    def auto_group(self) -> list[str]:
        return self._act(self.figure.auto_group)

    @_as_in_figure
    def group(self, layers, name=None) -> str:
        return self._act(self.figure.group, layers, name)

    @_as_in_figure
    def set_active(self, name, active) -> None:
        self._act(self.figure.set_active, name, active)

    @_as_in_figure
    def ungroup(self, name) -> None:
        self._act(self.figure.ungroup, name)

    @_as_in_figure
    def open_occurrence(self, glyph) -> None:
        self._act(self.figure.open_occurrence, glyph)

    @_as_in_figure
    def close_occurrence(self, glyph) -> None:
        self._act(self.figure.close_occurrence, glyph)

    @_as_in_figure
    def hide(self, layer_type) -> None:
        self._act(self.figure.hide, layer_type)

    @_as_in_figure
    def show(self, layer_type) -> None:
        self._act(self.figure.show, layer_type)

    @_as_in_figure
    def update(self, aliases=None, colors=None, **preferences) -> None:
        self._act(self.figure.update, aliases, colors, **preferences)

    @_as_in_figure
    def unfold(self) -> None:
        self._act(self.figure.unfold)

    @_as_in_figure
    def undo(self) -> None:
        self._act(self.figure.undo)

    @_as_in_figure
    def redo(self) -> None:
        self._act(self.figure.redo)

    @_as_in_figure
    def select_between(self, first, last) -> list[str]:
        self.selection = self._act(self.figure.select_between, first, last)
        return list(self.selection)

    @_as_in_figure
    @property
    def state(self) -> dict:
        return self.figure.state

    @_as_in_figure
    @property
    def glyphs(self) -> dict[str, str]:
        return self.figure.glyphs

    @_as_in_figure
    def describe(self) -> str:
        return self.figure.describe()

    @_as_in_figure
    def to_svg(self) -> str:
        return self.figure.to_svg()

    @_as_in_figure
    def save(self, path) -> None:
        self.figure.save(path)

    # --- plumbing -----------------------------------------------------------------------------

    def _act(self, action, *args, **kwargs):
        """Run an action; on success refresh the view, on failure keep everything and say why."""
        before = self.figure.snapshot
        try:
            result = action(*args, **kwargs)
            self._refresh()
        except Exception as error:
            self.figure.restore(before)
            self.error = _message(error)
            raise
        self.error = ""
        return result

    def _on_message(self, _, content, buffers=None):
        """An action from the view: ``{"action": name, ...arguments}``. Whatever the view
        sends, a failure shows as ``error`` and changes nothing."""
        try:
            action, arguments = _parsed(content)
            getattr(self, _ACTIONS[action][0])(*arguments)
        except Exception as error:  # noqa: BLE001 - the view shows it; the kernel goes on
            self.error = _message(error)
        finally:
            self.answered += 1

    def _select(self, layers):
        """The view's selection: the glyphs it names (one, or none to clear it)."""
        shown = {node.id for node in self.figure.folded.nodes}
        missing = [layer for layer in layers if layer not in shown]
        if missing:
            raise ValueError(f"no glyph {missing[0]!r} in this figure")
        self.selection = list(layers)
        self.error = ""

    def _download(self):
        self.send({"kind": "download", "svg": self.to_svg(),
                   "filename": f"{file_stem(self.figure.network.name)}.svg"})
        self.error = ""

    def _update(self, aliases, colors, preferences):
        self.update(aliases, colors, **(preferences or {}))

    def _refresh(self):
        figure, state = self.figure, self.figure.state
        rendering = figure.rendering  # computed once: what to_svg() and save() write
        folded = rendering.folded
        self.svg = rendering.svg
        self.caption = rendering.caption
        self.layers = _facts(folded, figure.network.by_id)
        self.legend = _legend_entries(rendering.styles, state)
        self.preferences = state["preferences"]
        self.history = figure.history
        shown = {node.id for node in folded.nodes}
        self.selection = [v for v in self.selection if v in shown]

    def __repr__(self) -> str:
        return repr(self.figure).replace("net2vis figure", "Net2Vis widget", 1)

    def _repr_mimebundle_(self, **kwargs):
        """The live view, and a line of text where no front end shows widgets."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/plain": repr(self)}, metadata

    def _ipython_display_(self):
        """Two outputs: the figure as a static image, then the live view, which hides it.

        A notebook saved without widget state (JupyterLab's and Notebook 7's default) keeps
        no model for the view, and their widget renderer, which outranks every other
        representation of an output, then shows only "model not found". The static output
        is what such a notebook (or nbviewer, or GitHub) shows instead; it follows every
        change of the figure, so it is the figure the user ended with.
        """
        display(self._static_output(), raw=True, display_id=self._static_class)
        self._static_shown = True
        data, metadata = self._repr_mimebundle_()
        display(data, metadata=metadata, raw=True)

    @property
    def _static_class(self) -> str:
        return f"n2v-static-{self.figure_id}"

    def _static_output(self) -> dict:
        """The figure as an image in HTML (shown in untrusted notebooks too), with a line saying
        it is static, whose style hides the widget renderer's own line beside it; and as SVG,
        for the exporters that take no HTML (nbconvert's LaTeX and PDF)."""
        image = base64.b64encode(self.svg.encode()).decode()
        # the next output, the view's, while its renderer holds only its own line of text
        waiting_view = (f".jp-OutputArea-child:has(.{self._static_class}) + .jp-OutputArea-child"
                        " > .jp-OutputArea-output:not([data-mime-type]):not(:has(*))")
        return {"text/html": (
            f'<div class="n2v-static {self._static_class}">'
            f"<style>{waiting_view} {{ display: none; }}</style>"
            f'<img alt="{html.escape(repr(self))}" style="max-width: 100%; height: auto"'
            f' src="data:image/svg+xml;base64,{image}">'
            f'<p style="margin: 0.3em 0; font-size: 0.9em; opacity: 0.75">{STATIC_NOTE}</p>'
            "</div>"), "image/svg+xml": self.svg}

    @traitlets.observe("svg")
    def _update_static_output(self, _):
        if self._static_shown:
            update_display(self._static_output(), raw=True, display_id=self._static_class)


def _facts(folded, layers) -> dict[str, dict]:
    """Per glyph, what its tooltip and the search read: an aggregate's also the names of the
    layers it holds (``layers``: the network's, by id), and which of its aggregate's
    occurrences it shows ([first, last, of]); a layer of an opened occurrence, which one it
    is in ([aggregate, occurrence, of]). An opened occurrence counts where it stands."""
    total = Counter()
    for frame in {node.frame for node in folded.nodes if node.frame}:
        total[frame[1]] += 1
    for node in folded.nodes:
        total[node.type] += node.repeats if node.members else 0
    seen, entered, facts = Counter(), set(), {}
    for node in folded.nodes:
        if node.frame and node.frame not in entered:
            entered.add(node.frame)
            seen[node.frame[1]] += 1
        aggregate = node.frame[1] if node.frame else None
        facts[node.id] = {
            "name": node.name, "type": node.type, "inputs": [list(s) for s in node.input_shapes],
            "outputs": [list(s) for s in node.output_shapes], "params": node.params,
            "config": node.settings, "members": len(node.members), "repeats": node.repeats,
            "layers": [layers[m].name for m in node.members]}
        if node.members:
            facts[node.id]["occurrence"] = [seen[node.type] + 1, seen[node.type] + node.repeats,
                                            total[node.type]]
            seen[node.type] += node.repeats
        if aggregate is not None:
            facts[node.id]["frame"] = [aggregate, seen[aggregate], total[aggregate]]
    return facts


def _legend_entries(styles, state: dict) -> list[dict]:
    hidden, active = set(state["hidden"]), {a["name"]: a["active"] for a in state["aggregates"]}
    return [{"key": key, "alias": style.alias, "color": style.color,
             "kind": "aggregate" if style.aggregate else "type",
             "active": active.get(key, key not in hidden)}
            for key, style in styles.items()]


# action -> (the method running it, its arguments in order: (field, expected type, required))
_ACTIONS = {
    "auto_group": ("auto_group", ()),
    "group": ("group", (("layers", list, True), ("name", str, False))),
    "ungroup": ("ungroup", (("name", str, True),)),
    "set_active": ("set_active", (("name", str, True), ("active", bool, True))),
    "open": ("open_occurrence", (("glyph", str, True),)),
    "close": ("close_occurrence", (("glyph", str, True),)),
    "hide": ("hide", (("type", str, True),)),
    "show": ("show", (("type", str, True),)),
    "update": ("_update", (("aliases", dict, False), ("colors", dict, False),
                           ("preferences", dict, False))),
    "select": ("_select", (("layers", list, True),)),
    "select_between": ("select_between", (("first", str, True), ("last", str, True))),
    "download": ("_download", ()),
    "unfold": ("unfold", ()),
    "undo": ("undo", ()),
    "redo": ("redo", ()),
}


def _parsed(content) -> tuple[str, list]:
    """The action a view's message asks for and its arguments, or a ValueError saying what is
    wrong with the message."""
    if not isinstance(content, dict):
        raise ValueError(f"a message from the view must be a dict, got {type(content).__name__}")
    action = content.get("action")
    if not isinstance(action, str) or action not in _ACTIONS:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(_ACTIONS)}")
    arguments = []
    for field, kind, required in _ACTIONS[action][1]:
        value = content.get(field)
        if value is None and required:
            raise ValueError(f"the action {action!r} needs {field!r}")
        if value is not None and not (isinstance(value, kind) and (
                kind is not list or all(isinstance(v, str) for v in value))):
            what = "a list of glyph ids" if kind is list else f"a {kind.__name__}"
            raise ValueError(f"the action {action!r} needs {field!r} as {what}, "
                             f"got {value!r:.80}")
        arguments.append(value)
    if action == "update" and all(value is None for value in arguments):
        raise ValueError("the action 'update' needs aliases, colors or preferences")
    return action, arguments


def file_stem(name: str) -> str:
    """A model's name as a file name anywhere: letters, digits, ``-``, ``_`` and inner dots,
    at most 100 characters (``../x`` → ``x``, ``a/b c`` → ``a_b_c``); ``figure`` if none."""
    stem = re.sub(r"[^\w.-]+", "_", name, flags=re.ASCII).strip("._")[:100]
    return stem or "figure"


def _message(error: Exception) -> str:
    return str(error) or type(error).__name__


"""The writing phase: a ``Scene`` → a standalone SVG document (SPEC §6.3).

Deterministic (fixed number formatting, scene order), every model-derived string escaped,
no scripts and no external references. Classes and data attributes are the contract the
widget view and the tests address elements by.
"""
from __future__ import annotations

import functools
import re
from xml.sax import saxutils

from .draw import union
from .scene import Glyph, Label, Line, Scene

FONT_STACK = "Helvetica, Arial, 'Liberation Sans', sans-serif"
# Set on each group of text, not on <svg>: PyMuPDF (PDF/PNG export) does not inherit it from there.
TEXT_GROUP = f'text-anchor="middle" font-family="{FONT_STACK}"'
# A label is centred on its y by moving its baseline 0.35 em down (a digit's middle): PyMuPDF,
# which writes the PDF and PNG, ignores ``dominant-baseline`` and would set the text on the
# line instead, touching the edge it labels and, turned upright, the glyph beside it.
CENTRED = 'dy="0.35em"'
HALO = 'fill="#FFFFFF" stroke="#FFFFFF" stroke-width="3" stroke-linejoin="round"'
MARGIN = 10
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
PLAIN = re.compile("[^&<>\"'\x00-\x1f\ud800-\udfff\ufffe\uffff]*\\Z")


def write(scene: Scene, points_per_unit: float, page_width: float) -> str:
    """The document, ``points_per_unit`` points to a unit as printed, never wider than
    ``page_width`` inches (a figure too wide for it is scaled down to fit)."""
    left, top, right, bottom = scene.bounds
    x, y = left - MARGIN, top - MARGIN
    width, height = right - left + 2 * MARGIN, bottom - top + 2 * MARGIN
    inches = min(width * points_per_unit / 72, page_width) / width  # per unit
    graph = f' data-graph="{_box(scene.graph_bounds)}"' if scene.graph_bounds else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="n2v-figure" '
        f'viewBox="{_n(x)} {_n(y)} {_n(width)} {_n(height)}" '
        f'width="{_inches(width * inches)}" height="{_inches(height * inches)}"{graph}>',
        f"<title>{escape(scene.title)}</title>",
        *([f"<desc>{escape(scene.description)}</desc>"] if scene.description else []),
        f'<rect class="n2v-background" x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" '
        f'height="{_n(height)}" fill="#FFFFFF"/>',
        *_frames(scene),
        '<g class="n2v-edges" stroke="#000000" stroke-width="1" fill="none">',
        *(_line(line, "n2v-edge") for line in scene.lines),
        "</g>",
        '<g class="n2v-layers">',
        *(_glyph(glyph, "n2v-layer") for glyph in scene.glyphs),
        "</g>",
        f'<g class="n2v-labels" {TEXT_GROUP}>',
        *(_label(label) for label in scene.labels),
        "</g>",
    ]
    if scene.placeholders:
        parts.append('<g class="n2v-samples" fill="none" stroke="#BDBDBD" stroke-dasharray="4 3">')
        parts += [f'<rect class="n2v-sample" x="{_n(p.x)}" y="{_n(p.y)}" width="{_n(p.side)}" '
                  f'height="{_n(p.side)}"/>' for p in scene.placeholders]
        parts.append("</g>")
    if scene.legend:
        box = _box(union([item.bounds() for item in scene.legend]))
        parts.append(f'<g class="n2v-legend" data-box="{box}" {TEXT_GROUP}>')
        for item in scene.legend:
            parts.append(f'<g class="n2v-legend-item" data-key={quoteattr(item.key)}>')
            if item.lines:
                parts.append('<g stroke="#000000" fill="none">')
                parts += [_line(line, "n2v-legend-edge") for line in item.lines]
                parts.append("</g>")
            parts += [_glyph(glyph, "n2v-legend-glyph") for glyph in item.glyphs]
            parts += [_label(label) for label in item.labels]
            parts.append("</g>")
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _frames(scene: Scene) -> list[str]:
    if not scene.frames:
        return []
    rects = [f'<rect class="n2v-frame" data-id={quoteattr(f.id)} data-type={quoteattr(f.type)} '
             f'x="{_n(f.bounds[0])}" y="{_n(f.bounds[1])}" width="{_n(f.bounds[2] - f.bounds[0])}" '
             f'height="{_n(f.bounds[3] - f.bounds[1])}" rx="4"/>' for f in scene.frames]
    return ['<g class="n2v-frames" fill="none" stroke="#757575" stroke-dasharray="4 3">',
            *rects, "</g>"]


def _glyph(glyph: Glyph, css_class: str) -> str:
    if glyph.aggregate:
        css_class += " n2v-group"
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in glyph.points)
    stroke = (f' stroke={quoteattr(glyph.stroke)} stroke-width="{_n(glyph.stroke_width)}"'
              if glyph.stroke_width else "")
    return (f'<polygon class="{css_class}" data-id={quoteattr(glyph.id)} '
            f'data-type={quoteattr(glyph.type)} points="{points}" '
            f'fill={quoteattr(glyph.fill)}{stroke} '
            f'stroke-linejoin="round"/>')


def _line(line: Line, css_class: str) -> str:
    ends = f"data-source={quoteattr(line.source)} data-target={quoteattr(line.target)}"
    if len(line.points) == 2:
        (x1, y1), (x2, y2) = line.points
        return (f'<line class="{css_class}" {ends} x1="{_n(x1)}" y1="{_n(y1)}" '
                f'x2="{_n(x2)}" y2="{_n(y2)}"/>')
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in line.points)
    return f'<polyline class="{css_class}" {ends} points="{points}"/>'


def _label(label: Label) -> str:
    x, y = _n(label.x), _n(label.y)
    place = f'x="{x}" y="{y}" {CENTRED} font-size="{_n(label.size)}"'
    text = escape(label.text)
    if label.starts:
        place += ' text-anchor="start"'
    if label.rotated:
        place += f' transform="rotate(-90 {x} {y})"'
    shown = f'<text class="n2v-label n2v-{label.kind}" {place}>{text}</text>'
    if label.kind != "dimension":
        return shown
    # A dimension label sits on its edge. Its white halo is a text of its own, drawn first:
    # converters that ignore ``paint-order`` (PyMuPDF) would paint a halo over the text.
    return f'<text class="n2v-halo" {place} {HALO}>{text}</text>' + shown


def _box(bounds) -> str:
    """(left, top, right, bottom) with the margin, as a view box: the view shows the graph and
    the legend apart by these, without measuring them."""
    left, top, right, bottom = bounds
    return f"{_n(left - MARGIN)} {_n(top - MARGIN)} {_n(right - left + 2 * MARGIN)} " \
           f"{_n(bottom - top + 2 * MARGIN)}"


def _inches(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") + "in"


@functools.lru_cache(maxsize=4096)  # a figure's coordinates repeat: 4,000 written, 700 distinct
def _n(value: float) -> str:
    """A coordinate with at most two decimals, no trailing zeros, never ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def escape(text) -> str:
    """``text`` as XML character data; characters XML cannot hold are dropped."""
    return saxutils.escape(NOT_XML.sub("", str(text)))


def quoteattr(text) -> str:
    """``text`` as a quoted XML attribute value, whatever it holds."""
    text = str(text)
    if PLAIN.match(text):  # most ids, types and colours: nothing to escape or drop
        return f'"{text}"'
    return saxutils.quoteattr(NOT_XML.sub("", text))

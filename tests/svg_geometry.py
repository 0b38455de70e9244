"""Reading a figure back from its SVG: glyph polygons, edges and label boxes, and overlap tests.

The tests judge the figure from the document alone, as a reader (or the widget) would.
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from net2vis_widget.scene import text_width

SVG = "{http://www.w3.org/2000/svg}"
EPS = 0.05  # coordinates are written with two decimals


def parse(svg_text):
    return ET.fromstring(svg_text)


def classes(element):
    return element.get("class", "").split()


def elements(root, css_class):
    return [e for e in root.iter() if css_class in classes(e)]


def points(element):
    if element.tag == SVG + "line":
        return [(float(element.get("x1")), float(element.get("y1"))),
                (float(element.get("x2")), float(element.get("y2")))]
    pairs = element.get("points").split()
    return [tuple(map(float, pair.split(","))) for pair in pairs]


def glyphs(root):
    """{data-id: polygon points} of the graph's glyphs (legend glyphs excluded)."""
    return {g.get("data-id"): points(g) for g in elements(root, "n2v-layer")}


def label_box(text):
    """The label's box, estimated as the package does (Helvetica's advance widths)."""
    size = float(text.get("font-size"))
    x, y = float(text.get("x")), float(text.get("y"))
    half_length, half_height = text_width(text.text or "", size) / 2, 0.6 * size
    if "rotate" in (text.get("transform") or ""):
        half_length, half_height = half_height, half_length
    if text.get("text-anchor") == "start":
        x += half_length
    return [(x - half_length, y - half_height), (x + half_length, y - half_height),
            (x + half_length, y + half_height), (x - half_length, y + half_height)]


def bbox(polygon):
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    return min(xs), min(ys), max(xs), max(ys)


def _boxes_overlap(a, b):
    return a[0] < b[2] - EPS and b[0] < a[2] - EPS and a[1] < b[3] - EPS and b[1] < a[3] - EPS


def _segments(polygon):
    return list(zip(polygon, polygon[1:] + polygon[:1]))


def _proper_cross(p1, p2, q1, q2):
    """Segments cross at a point interior to both (touching does not count)."""
    def side(a, b, c):
        value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return 0 if abs(value) < 1e-6 else (1 if value > 0 else -1)
    d1, d2 = side(q1, q2, p1), side(q1, q2, p2)
    d3, d4 = side(p1, p2, q1), side(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


def inside(point, polygon):
    """Strictly inside (by more than EPS from every side)."""
    x, y = point
    for a, b in _segments(polygon):
        if _distance_to_segment(point, a, b) < EPS:
            return False
    crossings = 0
    for (x1, y1), (x2, y2) in _segments(polygon):
        if (y1 > y) != (y2 > y):
            if x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1


def _distance_to_segment(p, a, b):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0 if length == 0 else max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def polygons_overlap(p, q):
    """Interiors intersect (shared boundaries and touching corners are allowed)."""
    if not _boxes_overlap(bbox(p), bbox(q)):
        return False
    if any(_proper_cross(a, b, c, d) for a, b in _segments(p) for c, d in _segments(q)):
        return True
    centre = lambda poly: (sum(x for x, _ in poly) / len(poly), sum(y for _, y in poly) / len(poly))  # noqa: E731
    return any(inside(v, q) for v in p) or any(inside(v, p) for v in q) or \
        inside(centre(p), q) or inside(centre(q), p)


def segment_enters(a, b, polygon):
    """The segment a→b passes through the polygon's interior."""
    if not _boxes_overlap(bbox([a, b]), bbox(polygon)):
        return False
    if any(_proper_cross(a, b, c, d) for c, d in _segments(polygon)):
        return True
    steps = 16
    return any(inside((a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps), polygon)
               for i in range(1, steps))


def on_vertical_side(point, polygon, at_right):
    """The point lies on a vertical side of the polygon at its leftmost/rightmost x."""
    xs = [x for x, _ in polygon]
    edge_x = max(xs) if at_right else min(xs)
    if abs(point[0] - edge_x) > EPS:
        return False
    for (x1, y1), (x2, y2) in _segments(polygon):
        if abs(x1 - edge_x) < EPS and abs(x2 - edge_x) < EPS:
            if min(y1, y2) - EPS <= point[1] <= max(y1, y2) + EPS:
                return True
    return False


def text_of(root, css_class):
    return [e.text for e in elements(root, css_class)]



# --- what a reader would call a broken figure: each check lists the problems it finds ----------

def bent_edges(root):
    return [f"edge {e.get('data-source')} → {e.get('data-target')} bends"
            for e in elements(root, "n2v-edge") if len({y for _, y in points(e)}) > 1]


def edges_off_the_grid(root):
    """The edge rule: an edge is one horizontal line, or, where it bends (a wide fan leaving
    through the gap beside its glyph, an edge from one row of a wrapped figure to the next),
    a path of horizontal and vertical segments that leaves and enters its glyphs horizontally
    (``edges_through_glyphs`` checks that no segment crosses a glyph)."""
    found = []
    for edge in elements(root, "n2v-edge"):
        pts = points(edge)
        segments = list(zip(pts, pts[1:]))
        straight = all(abs(a[0] - b[0]) < EPS or abs(a[1] - b[1]) < EPS for a, b in segments)
        if not (straight and abs(pts[0][1] - pts[1][1]) < EPS
                and abs(pts[-2][1] - pts[-1][1]) < EPS):
            found.append(f"edge {edge.get('data-source')} → {edge.get('data-target')} "
                         "leaves the grid")
    return found


def edges_off_their_handles(root):
    glyph_points, found = glyphs(root), []
    for edge in elements(root, "n2v-edge"):
        start, end = points(edge)[0], points(edge)[-1]
        if not (on_vertical_side(start, glyph_points[edge.get("data-source")], at_right=True)
                and on_vertical_side(end, glyph_points[edge.get("data-target")], at_right=False)):
            found.append(f"edge {edge.get('data-source')} → {edge.get('data-target')} misses a handle")
    return found


def overlapping_glyphs(root):
    return [f"{a} overlaps {b}" for (a, p), (b, q) in _pairs(list(glyphs(root).items()))
            if polygons_overlap(p, q)]


def overlapping_labels(root):
    labels = [(t.text, label_box(t)) for t in elements(root, "n2v-label")]
    shapes = list(glyphs(root).items()) + [
        (g.get("data-id"), points(g)) for g in elements(root, "n2v-legend-glyph")]
    found = [f"label {text!r} on glyph {glyph_id}" for text, box in labels
             for glyph_id, polygon in shapes if polygons_overlap(box, polygon)]
    return found + [f"labels {a!r} and {b!r} overlap" for (a, p), (b, q) in _pairs(labels)
                    if polygons_overlap(p, q)]


def edges_through_glyphs(root):
    glyph_points, found = glyphs(root), []
    for edge in elements(root, "n2v-edge"):
        ends, pts = {edge.get("data-source"), edge.get("data-target")}, points(edge)
        found += [f"edge {sorted(ends)} runs through {glyph_id}"
                  for glyph_id, polygon in glyph_points.items() if glyph_id not in ends
                  and any(segment_enters(a, b, polygon) for a, b in zip(pts, pts[1:]))]
    return found


def overlapping_edges(root):
    """Horizontal runs of two edges on one level that overlap, unless both leave one glyph or
    both enter one (the shared trunk of a fan wider than its glyph)."""
    runs = []
    for edge in elements(root, "n2v-edge"):
        pts, ends = points(edge), (edge.get("data-source"), edge.get("data-target"))
        runs += [(ends, a[1], min(a[0], b[0]), max(a[0], b[0])) for a, b in zip(pts, pts[1:])
                 if abs(a[1] - b[1]) < EPS]
    runs.sort(key=lambda run: (run[1], run[2]))
    return [f"edges {a} and {b} overlap" for (a, y_a, _, right_a), (b, y_b, left_b, _)
            in zip(runs, runs[1:]) if abs(y_a - y_b) < EPS and left_b < right_a - EPS
            and a[0] != b[0] and a[1] != b[1]]


CHECKS = (edges_off_the_grid, edges_off_their_handles, overlapping_glyphs, overlapping_labels,
          edges_through_glyphs, overlapping_edges)


def problems(root):
    """Everything the checks above find."""
    return [problem for check in CHECKS for problem in check(root)]


def _pairs(items):
    """Pairs of (name, polygon) whose boxes overlap, found by sweeping along x."""
    boxes = sorted(((bbox(shape), name, shape) for name, shape in items), key=lambda b: b[0][0])
    for i, (box, name, shape) in enumerate(boxes):
        for other_box, other, other_shape in boxes[i + 1:]:
            if other_box[0] >= box[2]:
                break
            if _boxes_overlap(box, other_box):
                yield (name, shape), (other, other_shape)


# --- the figure as printed (SPEC §4.5) ------------------------------------------------------

def inches(root) -> tuple[float, float]:
    """The printed width and height the document asks for."""
    width, height = root.get("width"), root.get("height")
    assert width.endswith("in") and height.endswith("in"), (width, height)
    return float(width[:-2]), float(height[:-2])


def smallest_text_points(root, page_width) -> float:
    """The smallest text's size in points with the figure scaled to ``page_width`` inches:
    font size × page width / view-box width."""
    view_width = float(root.get("viewBox").split()[2])
    sizes = [float(t.get("font-size")) for t in root.iter(SVG + "text")]
    return min(sizes) * page_width * 72 / view_width


def legend_share(root) -> float:
    """The legend's bounding box as a share of the figure's area."""
    boxes = [bbox(points(e)) for e in elements(root, "n2v-legend-glyph")]
    boxes += [bbox(points(e)) for e in elements(root, "n2v-legend-edge")]
    boxes += [bbox(label_box(t)) for t in elements(root, "n2v-legend") if t.tag == SVG + "text"]
    if not boxes:
        return 0.0
    *_, width, height = map(float, root.get("viewBox").split())
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return (right - left) * (bottom - top) / (width * height)


def side_heights(polygon) -> tuple[float, float]:
    """(input, output) height of a glyph: its longest vertical run on the left (right) side,
    one handle of a fan."""
    left, _, right, _ = bbox(polygon)

    def longest(x):
        runs = [abs(a[1] - b[1]) for a, b in zip(polygon, polygon[1:] + polygon[:1])
                if abs(a[0] - x) < EPS and abs(b[0] - x) < EPS]
        return max(runs, default=0.0)

    return longest(left), longest(right)


def swollen_glyphs(root, factor=1.5) -> list[str]:
    """Glyphs whose outline is more than ``factor`` times as tall as their body (the larger
    of their input and output heights): handles stretched to far neighbours."""
    found = []
    for glyph_id, polygon in glyphs(root).items():
        _, top, _, bottom = bbox(polygon)
        body = max(side_heights(polygon))
        if bottom - top > factor * body + 2 * EPS:
            found.append(f"{glyph_id}: outline {bottom - top:.1f} over a body of {body:.1f}")
    return found


def tallest_glyph(root) -> float:
    return max(bbox(p)[3] - bbox(p)[1] for p in glyphs(root).values())


def rows_of(root) -> dict[str, int]:
    """Each glyph's row, counted from the top. Rows are told apart by the edges between
    them: the only edges that run right to left, back to the start of the next row."""
    separators = sorted({a[1] for e in elements(root, "n2v-edge")
                         for a, b in zip(points(e), points(e)[1:])
                         if abs(a[1] - b[1]) < EPS and b[0] < a[0] - EPS})
    return {glyph_id: sum(y < (bbox(p)[1] + bbox(p)[3]) / 2 for y in separators)
            for glyph_id, p in glyphs(root).items()}


def legend_crossings(root) -> dict[str, list[str]]:
    """Per legend entry, the edges of its composition that cross each other."""
    found = {}
    for item in elements(root, "n2v-legend-item"):
        segments = [(line.get("data-source"), line.get("data-target"), a, b)
                    for line in elements(item, "n2v-legend-edge")
                    for a, b in zip(points(line), points(line)[1:])]
        found[item.get("data-key")] = [
            f"{s[:2]} crosses {t[:2]}" for i, s in enumerate(segments) for t in segments[i + 1:]
            if not set(s[:2]) & set(t[:2]) and _proper_cross(s[2], s[3], t[2], t[3])]
    return found


def print_problems(root, glyphs, column=False) -> list[str]:
    """SPEC §4.5. At the text width (the default): text ≥ 6 pt at 7 in, the legend ≤ a third
    of the area, at most 9 in tall. At the column width: at most 3.3 in wide; a figure of at
    most 20 glyphs has text ≥ 6 pt there and passes every check above."""
    width, height = inches(root)
    page = 3.3 if column else 7.0
    found = [f"{width} in wide"] if width > page + 1e-3 else []
    text = smallest_text_points(root, page)
    if column:
        if glyphs <= 20:
            found += [f"text of {text:.1f} pt"] * (text < 6) + problems(root)
        return found
    share = legend_share(root)
    found += [f"text of {text:.1f} pt"] * (text < 6) + [f"{height} in tall"] * (height > 9)
    return found + [f"the legend takes {share:.0%}"] * (share > 1 / 3)

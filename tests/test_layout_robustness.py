"""Layout on seeded random DAGs, denser and less planar than real networks: where edges cannot
all stay straight, they may jog in the gaps between columns, but glyphs never overlap, no edge
runs through a glyph, and every edge still ends on its glyphs' handles."""
from __future__ import annotations

import itertools
import random

import pytest

import svg_geometry as geo
from net2vis_widget import Edge, Network, Node, figure


def random_network(seed: int, size: int = 12, density: float = 0.12) -> Network:
    rng = random.Random(seed)
    kinds = ("Conv2D", "BatchNormalization", "Add", "MaxPooling2D")
    nodes = [Node(f"n{i}", f"n{i}", rng.choice(kinds), ((32, 32, 8),), ((32, 32, 8),))
             for i in range(size)]
    edges = []
    for j in range(1, size):
        sources = [i for i in range(j) if rng.random() < density] or [rng.randrange(j)]
        edges += [Edge(f"n{i}", f"n{j}", k) for k, i in enumerate(sources)]
    return Network(f"random{seed}", tuple(nodes), tuple(edges))


@pytest.mark.parametrize("seed", range(40))
def test_random_graph_keeps_glyphs_and_edges_apart(seed):
    root = geo.parse(figure(random_network(seed)).to_svg())
    glyphs = geo.glyphs(root)
    for (a, p), (b, q) in itertools.combinations(glyphs.items(), 2):
        assert not geo.polygons_overlap(p, q), f"{a} overlaps {b}"
    for edge in geo.elements(root, "n2v-edge"):
        points = geo.points(edge)
        source, target = edge.get("data-source"), edge.get("data-target")
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:]))
        assert geo.on_vertical_side(points[0], glyphs[source], at_right=True)
        assert geo.on_vertical_side(points[-1], glyphs[target], at_right=False)
        for glyph_id, polygon in glyphs.items():
            if glyph_id not in (source, target):
                assert not any(geo.segment_enters(a, b, polygon)
                               for a, b in zip(points, points[1:])), f"edge through {glyph_id}"

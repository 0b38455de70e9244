"""Auto-grouping on seeded random networks built by repeating a random motif, as real networks
repeat their blocks: motifs read the motif before (and sometimes the one before that, as NASNet
cells do), fork and merge inside. Every network is auto-grouped, drawn with and without ×N
marks, every aggregate switched off and on, and the state restored; the figure's invariants
hold throughout (SPEC §4, §5)."""
from __future__ import annotations

import random

import pytest

import svg_geometry as geo
from net2vis_widget import Edge, Network, Node, figure

KINDS = ("Conv2D", "BatchNormalization", "ReLU", "Add", "Concatenate", "MaxPooling2D")
SHAPE = ((16, 16, 8),)
NETWORKS = 200


def repeated_network(seed: int) -> Network:
    """An input, a stem, 2–5 copies of a random motif of 2–5 layers, a head."""
    rng = random.Random(seed)
    motif = []  # (type, sources): -1 the previous copy's output, -2 the one before, i a layer
    for i in range(rng.randint(2, 5)):
        options = [-1] + list(range(i)) + ([-2] if rng.random() < 0.3 else [])
        motif.append((rng.choice(KINDS), rng.sample(options, min(len(options), rng.choice((1, 1, 2))))))
    nodes, edges = [Node("input", "input", "InputLayer", (), SHAPE)], []

    def add(node_id, kind, sources):
        nodes.append(Node(node_id, node_id, kind, SHAPE * len(sources), SHAPE))
        edges.extend(Edge(s, node_id, k) for k, s in enumerate(sources))

    add("stem", "Conv2D", ["input"])
    outputs = ["stem", "stem"]  # the one before the previous copy's output, the previous
    for copy in range(rng.randint(2, 5)):
        ids = [f"c{copy}_{i}" for i in range(len(motif))]
        for node_id, (kind, sources) in zip(ids, motif):
            add(node_id, kind, [outputs[s] if s < 0 else ids[s] for s in sources])
        outputs = [outputs[-1], ids[-1]]
    add("head", "Dense", [outputs[-1]])
    return Network(f"random{seed}", tuple(nodes), tuple(edges))


def check(fig, network):
    root = geo.parse(fig.to_svg())
    glyphs = geo.glyphs(root)
    assert len(glyphs) == len(fig.folded.nodes)
    drawn = [m for node in fig.folded.nodes for m in (node.members or (node.id,))]
    assert sorted(drawn) == sorted(n.id for n in network.nodes)  # every layer exactly once
    assert geo.overlapping_glyphs(root) == []
    assert geo.edges_off_their_handles(root) == []
    assert geo.edges_through_glyphs(root) == []
    return root


@pytest.mark.parametrize("seed", range(NETWORKS))
def test_auto_group_keeps_every_invariant(seed):
    network = repeated_network(seed)
    fig = figure(network)
    names = fig.auto_group()
    assert len(set(names)) == len(names)
    assert all(0 < len(n) <= 24 and not n.startswith("Group") for n in names)
    for marks in (False, True):
        fig.update(repeat_marks=marks)
        check(fig, network)
    svg = fig.to_svg()

    for name in names:  # off (with the aggregates holding it) and on again
        fig.set_active(name, False)
        check(fig, network)
        fig.set_active(name, True)
    assert fig.to_svg() == svg
    assert figure(network, state=fig.state).to_svg() == svg

"""Alignment: which neighbours in adjacent columns share one horizontal line."""
from __future__ import annotations

import bisect


def align(layered) -> dict:
    """Pairs of neighbours in adjacent columns that share one horizontal line.

    Forced links (single output → single input) come first, then the links on the heaviest
    paths (most real layers), so that the main path runs straight. Links never cross.
    Returns successor → predecessor for every aligned pair.
    """
    layers, ups, downs, weights = layered.layers, layered.ups, layered.downs, layered.weights
    weight_up, weight_down = weights
    aligned = {}
    for upper, lower in zip(layers, layers[1:]):
        pos_upper = {v: i for i, v in enumerate(upper)}
        pos_lower = {v: i for i, v in enumerate(lower)}
        links = [(u, v) for u in upper for v in downs[u]]
        links.sort(key=lambda link: (
            -_forced(link, ups, downs), -(weight_up[link[0]] + weight_down[link[1]]),
            pos_upper[link[0]], pos_lower[link[1]],
        ))
        taken_up, taken_down, accepted = set(), set(), []
        for u, v in links:
            if u in taken_up or v in taken_down:
                continue
            key = (pos_upper[u], pos_lower[v])
            at = bisect.bisect(accepted, key)
            if at > 0 and accepted[at - 1][1] >= key[1]:
                continue
            if at < len(accepted) and accepted[at][1] <= key[1]:
                continue
            accepted.insert(at, key)
            taken_up.add(u)
            taken_down.add(v)
            aligned[v] = u
    return aligned


def _forced(link, ups, downs) -> bool:
    u, v = link
    return len(downs[u]) == 1 and len(ups[v]) == 1



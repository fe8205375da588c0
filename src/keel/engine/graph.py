"""Graph helpers over task ids: topological order and loop finding."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import TypeVar

from .errors import CycleError

N = TypeVar("N", bound=Hashable)


def find_cycle(nodes: Iterable[N], edges: Iterable[tuple[N, N]]) -> list[N] | None:
    """Return one loop as [a, b, ..., a] if the directed graph has one, else None.
    Iterative DFS so deep plans do not hit Python's recursion limit."""
    succ: dict[N, list[N]] = defaultdict(list)
    all_nodes: dict[N, None] = dict.fromkeys(nodes)
    for a, b in edges:
        succ[a].append(b)
        all_nodes.setdefault(a)
        all_nodes.setdefault(b)
    white, grey, black = 0, 1, 2
    colour: dict[N, int] = dict.fromkeys(all_nodes, white)
    for root in all_nodes:
        if colour[root] != white:
            continue
        path: list[N] = [root]
        iters = [iter(succ[root])]
        colour[root] = grey
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                colour[path.pop()] = black
                iters.pop()
                continue
            if colour[nxt] == grey:
                start = path.index(nxt)
                return [*path[start:], nxt]
            if colour[nxt] == white:
                colour[nxt] = grey
                path.append(nxt)
                iters.append(iter(succ[nxt]))
    return None


def topological_order(nodes: Iterable[N], edges: Iterable[tuple[N, N]]) -> list[N]:
    """Kahn's algorithm, stable in the order nodes were given. Raises CycleError on a loop."""
    node_list = list(dict.fromkeys(nodes))
    edge_list = list(edges)
    indeg: dict[N, int] = dict.fromkeys(node_list, 0)
    succ: dict[N, list[N]] = defaultdict(list)
    for a, b in edge_list:
        succ[a].append(b)
        indeg[b] = indeg.get(b, 0) + 1
        indeg.setdefault(a, 0)
    ready = [n for n in indeg if indeg[n] == 0]
    order: list[N] = []
    i = 0
    while i < len(ready):
        n = ready[i]
        i += 1
        order.append(n)
        for m in succ[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    if len(order) != len(indeg):
        cycle = find_cycle(node_list, edge_list)
        raise CycleError(cycle or [])
    return order

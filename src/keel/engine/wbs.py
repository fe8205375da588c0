"""The work breakdown structure as a tree: outline codes and roll-ups."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class WbsNode:
    id: int
    parent_id: int | None
    position: int


def children_map(nodes: Iterable[WbsNode]) -> dict[int | None, list[int]]:
    kids: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for n in nodes:
        kids[n.parent_id].append((n.position, n.id))
    return {parent: [i for _, i in sorted(pairs)] for parent, pairs in kids.items()}


def wbs_codes(nodes: Iterable[WbsNode]) -> dict[int, str]:
    """Outline codes (1, 1.1, 1.2, 2, ...) in sibling position order, ties by id."""
    kids = children_map(nodes)
    codes: dict[int, str] = {}
    stack: list[tuple[int | None, str]] = [(None, "")]
    while stack:
        parent, prefix = stack.pop()
        for index, child in enumerate(kids.get(parent, []), start=1):
            code = f"{prefix}{index}"
            codes[child] = code
            stack.append((child, code + "."))
    return codes


def descendants(nodes: Iterable[WbsNode], root: int) -> set[int]:
    kids = children_map(nodes)
    found: set[int] = set()
    stack = [root]
    while stack:
        for child in kids.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def rollup_percent(
    nodes: Iterable[WbsNode], percent: Mapping[int, float], weight: Mapping[int, float]
) -> dict[int, float]:
    """Percent complete of every summary task: the children's percent weighted by their
    duration (MS Project's rule), recursively; a summary of zero-length children averages."""
    node_list = list(nodes)
    kids = children_map(node_list)
    result: dict[int, float] = {}
    total_weight: dict[int, float] = {}

    order: list[int] = []
    stack: list[int] = [i for i in kids.get(None, [])]
    while stack:
        n = stack.pop()
        order.append(n)
        stack.extend(kids.get(n, []))
    for n in reversed(order):  # children before parents
        children = kids.get(n)
        if not children:
            result[n] = float(percent.get(n, 0.0))
            total_weight[n] = float(weight.get(n, 0.0))
            continue
        w = sum(total_weight[c] for c in children)
        if w > 0:
            result[n] = sum(result[c] * total_weight[c] for c in children) / w
        else:
            result[n] = sum(result[c] for c in children) / len(children)
        total_weight[n] = w
    return result

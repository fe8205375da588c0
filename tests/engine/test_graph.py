"""Graph helpers: topological order and loop finding."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keel.engine.errors import CycleError
from keel.engine.graph import find_cycle, topological_order


def test_topological_order_is_stable_and_respects_edges() -> None:
    assert topological_order([3, 1, 2], [(1, 2)]) == [3, 1, 2]
    assert topological_order([2, 1], [(1, 2)]) == [1, 2]


def test_loop_is_reported_closed() -> None:
    with pytest.raises(CycleError) as info:
        topological_order([1, 2, 3, 4], [(1, 2), (2, 3), (3, 1), (3, 4)])
    cycle = info.value.cycle
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {1, 2, 3}
    assert "Dependency loop" in str(info.value)


def test_no_cycle_in_a_dag() -> None:
    assert find_cycle([1, 2, 3], [(1, 2), (1, 3), (2, 3)]) is None


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=60))
def test_forward_edges_give_an_order_that_respects_them(pairs: list[tuple[int, int]]) -> None:
    edges = [(min(a, b), max(a, b)) for a, b in pairs if a != b]
    order = topological_order(range(31), edges)
    position = {n: i for i, n in enumerate(order)}
    assert sorted(order) == list(range(31))
    assert all(position[a] < position[b] for a, b in edges)


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
def test_a_reported_cycle_is_made_of_edges(pairs: list[tuple[int, int]]) -> None:
    cycle = find_cycle(range(13), pairs)
    if cycle is not None:
        assert cycle[0] == cycle[-1]
        assert all(edge in set(pairs) for edge in pairwise(cycle))

"""The resource leveler: worked examples, properties on random plans (capacity and every link
respected), and a sample of PSPLIB j30 against the proven optima (skipped without data)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keel.engine.errors import CycleError, DomainError
from keel.engine.formats import leveling_problem, parse_psplib
from keel.engine.scheduling.leveling import (
    OVER_CAPACITY,
    UNKNOWN_RESOURCE,
    Activity,
    Delay,
    LevelingResult,
    Precedence,
    level,
)
from keel.engine.types import LinkType

PSPLIB = Path("/work/shared/bench/psplib")
OPTIMUM_CSV = PSPLIB / "kobe-scheduling" / "j30.sm" / "optimum" / "optimum.csv"


def _delta(link: Precedence, dur: dict[int, int]) -> int:
    p, s = dur[link.predecessor_id], dur[link.successor_id]
    return {
        LinkType.FS: p + link.lag,
        LinkType.SS: link.lag,
        LinkType.FF: p + link.lag - s,
        LinkType.SF: link.lag - s,
    }[link.type]


def check_feasible(
    result: LevelingResult,
    activities: Sequence[Activity],
    precedences: Sequence[Precedence],
    capacities: dict[str, int],
) -> None:
    start = result.starts
    dur = {a.id: a.duration for a in activities}
    for a in activities:
        assert start[a.id] >= a.release
    for link in precedences:
        assert start[link.successor_id] >= start[link.predecessor_id] + _delta(link, dur), link
    for res, cap in capacities.items():
        use: dict[int, int] = {}
        for a in activities:
            for t in range(start[a.id], start[a.id] + a.duration):
                use[t] = use.get(t, 0) + a.demands.get(res, 0)
        assert max(use.values(), default=0) <= cap, res
    assert result.makespan == max((start[a.id] + a.duration for a in activities), default=0)
    assert result.makespan >= result.lower_bound
    assert all(v == 0 for v in result.overload_after.values())


# ---- worked examples -------------------------------------------------------------------------


def test_two_tasks_sharing_a_crew() -> None:
    # A and B both need the whole crew: one waits for the other; C follows A.
    acts = [
        Activity(1, 2, {"crew": 2}),
        Activity(2, 3, {"crew": 2}),
        Activity(3, 1),
    ]
    links = [Precedence(1, 3)]
    result = level(activities=acts, precedences=links, capacities={"crew": 2})
    # Critical path 3 (B); the crew has 2*2 + 3*2 = 10 unit-days of work for 2: bound 5.
    assert (result.critical_path_length, result.resource_bound) == (3, 5)
    assert result.makespan == result.lower_bound == 5 and result.optimal
    # Latest finish first: A must end by 2 (C after it, by 3), B by 3.
    assert result.starts == {1: 0, 2: 2, 3: 2}
    assert result.delays == {2: Delay(units=2, resource="crew")}
    assert result.overload_before == {"crew": 4}  # 2 units over for 2 days
    assert result.overload_after == {"crew": 0}
    check_feasible(result, acts, links, {"crew": 2})


def test_justification_shortens_a_bad_list_schedule() -> None:
    # Activity 2 is long and low on every rule, so a list schedule puts it late; the
    # forward-backward passes pull the short ones around it.
    acts = [
        Activity(1, 1, {"r": 1}),
        Activity(2, 4, {"r": 1}),
        Activity(3, 1, {"r": 1}),
        Activity(4, 2, {"r": 1}),
        Activity(5, 2, {"r": 1}),
    ]
    links = [Precedence(1, 3), Precedence(4, 5)]
    baseline = level(
        activities=acts,
        precedences=links,
        capacities={"r": 2},
        rules=("lft",),
        samples=0,
        justify=False,
    )
    best = level(activities=acts, precedences=links, capacities={"r": 2})
    assert best.makespan <= baseline.makespan
    assert best.makespan == best.lower_bound == 5  # 10 unit-days on 2 units
    check_feasible(best, acts, links, {"r": 2})


def test_all_link_types_with_lags_and_releases() -> None:
    acts = [
        Activity(1, 3, {"r": 1}),
        Activity(2, 2, {"r": 1}, release=1),
        Activity(3, 2, {"r": 1}),
        Activity(4, 1, {"r": 1}),
    ]
    links = [
        Precedence(1, 2, LinkType.SS, 1),
        Precedence(1, 3, LinkType.FF, -1),
        Precedence(2, 4, LinkType.SF, 2),
    ]
    result = level(activities=acts, precedences=links, capacities={"r": 1})
    check_feasible(result, acts, links, {"r": 1})
    assert result.makespan == 8  # one unit at a time: the work is the bound
    assert result.optimal


def test_delay_passed_on_by_a_predecessor() -> None:
    # Task 1 has the higher priority, so it takes the crew first.
    acts = [
        Activity(1, 2, {"crew": 1}, priority=900),
        Activity(2, 1, {"crew": 1}),
        Activity(3, 1),
    ]
    links = [Precedence(2, 3)]
    result = level(activities=acts, precedences=links, capacities={"crew": 1})
    assert result.starts == {1: 0, 2: 2, 3: 3}
    assert result.delays == {
        2: Delay(units=2, resource="crew"),
        3: Delay(units=2, predecessor_id=2),
    }


def test_priority_goes_first() -> None:
    acts = [Activity(1, 2, {"r": 1}), Activity(2, 2, {"r": 1}, priority=900)]
    result = level(activities=acts, precedences=[], capacities={"r": 1})
    assert result.starts == {1: 2, 2: 0}
    acts = [Activity(1, 2, {"r": 1}, priority=900), Activity(2, 2, {"r": 1})]
    result = level(activities=acts, precedences=[], capacities={"r": 1})
    assert result.starts == {1: 0, 2: 2}


def test_deterministic_for_a_seed() -> None:
    acts = [Activity(i, 1 + i % 4, {"r": 1 + i % 3}) for i in range(1, 16)]
    links = [Precedence(i, i + 3) for i in range(1, 13, 2)]
    one = level(activities=acts, precedences=links, capacities={"r": 3}, seed=5)
    two = level(activities=acts, precedences=links, capacities={"r": 3}, seed=5)
    assert one == two


def test_errors() -> None:
    with pytest.raises(DomainError) as info:
        level(activities=[Activity(1, 2, {"r": 3})], precedences=[], capacities={"r": 2})
    assert str(info.value) == OVER_CAPACITY.format(id=1, units=3, resource="r", capacity=2)
    with pytest.raises(DomainError) as info:
        level(activities=[Activity(1, 2, {"x": 1})], precedences=[], capacities={})
    assert str(info.value) == UNKNOWN_RESOURCE.format(id=1, resource="x")
    with pytest.raises(CycleError) as cycle:
        level(
            activities=[Activity(1, 1), Activity(2, 1)],
            precedences=[Precedence(1, 2), Precedence(2, 1)],
            capacities={},
        )
    assert set(cycle.value.cycle) == {1, 2}


# ---- properties ------------------------------------------------------------------------------


@st.composite
def problems(
    draw: st.DrawFn,
) -> tuple[list[Activity], list[Precedence], dict[str, int]]:
    n = draw(st.integers(1, 9))
    caps = {"a": draw(st.integers(1, 4)), "b": draw(st.integers(0, 3))}
    acts = []
    for i in range(1, n + 1):
        demands = {r: draw(st.integers(0, cap)) for r, cap in caps.items() if draw(st.booleans())}
        acts.append(
            Activity(
                i,
                draw(st.integers(0, 5)),
                demands,
                release=draw(st.integers(0, 3)),
                priority=draw(st.sampled_from([0, 0, 0, 1])),
            )
        )
    links = []
    for _ in range(draw(st.integers(0, 2 * n))):
        a, b = draw(st.integers(1, n)), draw(st.integers(1, n))
        if a < b:
            links.append(
                Precedence(a, b, draw(st.sampled_from(list(LinkType))), draw(st.integers(-2, 3)))
            )
    return acts, links, caps


@settings(max_examples=150, deadline=None)
@given(problems(), st.integers(0, 3))
def test_leveled_schedule_respects_capacity_and_links(
    problem: tuple[list[Activity], list[Precedence], dict[str, int]], seed: int
) -> None:
    acts, links, caps = problem
    result = level(activities=acts, precedences=links, capacities=caps, samples=10, seed=seed)
    check_feasible(result, acts, links, caps)
    baseline = level(
        activities=acts,
        precedences=links,
        capacities=caps,
        rules=("lft",),
        samples=0,
        justify=False,
    )
    check_feasible(baseline, acts, links, caps)
    assert result.makespan <= baseline.makespan
    for tid, delay in result.delays.items():
        assert delay.units > 0
        assert (delay.resource is None) != (delay.predecessor_id is None)
        assert result.starts[tid] > 0


# ---- PSPLIB j30 sample -----------------------------------------------------------------------


def _sample() -> list[tuple[Path, int]]:
    if not OPTIMUM_CSV.exists():
        return []
    with OPTIMUM_CSV.open(newline="") as fh:
        optimum = {row["problem"]: int(row["optimum"]) for row in csv.DictReader(fh)}
    files = sorted((PSPLIB / "j30").glob("*.sm"))
    return [(path, optimum[path.name]) for path in files[::24]]  # 20 of the 480


@pytest.mark.skipif(not _sample(), reason="PSPLIB j30 data not available")
def test_j30_sample_near_optimal() -> None:
    gaps = []
    for path, best in _sample():
        plan = parse_psplib(path.read_text()).plan
        problem = leveling_problem(plan)
        result = level(
            activities=problem.activities,
            precedences=problem.precedences,
            capacities=problem.capacities,
        )
        check_feasible(result, problem.activities, problem.precedences, problem.capacities)
        assert result.makespan >= best, path.name  # an optimum cannot be beaten
        gaps.append((result.makespan - best) / best)
    assert len(gaps) == 20
    assert sum(gaps) / len(gaps) < 0.015

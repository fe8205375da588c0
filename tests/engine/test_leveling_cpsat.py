"""The CP-SAT leveler: a worked example, properties on small random instances (feasible, never
worse than the heuristic, bound below the makespan), determinism, the time limit covering
the heuristic, parallel workers, and one PSPLIB j30 instance against its proven optimum
(skipped without data)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings

from keel.engine.errors import CycleError, DomainError
from keel.engine.formats import leveling_problem, parse_psplib
from keel.engine.scheduling.leveling import Activity, Precedence, level
from keel.engine.scheduling.leveling_cpsat import level_optimal
from keel.engine.types import LinkType

from .test_leveling import check_feasible, problems

PSPLIB = Path("/work/shared/bench/psplib")
OPTIMUM_CSV = PSPLIB / "kobe-scheduling" / "j30.sm" / "optimum" / "optimum.csv"


def test_heuristic_misses_the_optimum_and_cpsat_finds_it() -> None:
    # The classic trap for one pass of the serial scheme with the latest-finish rule:
    # A (long, half the crew) and B, C (short, the whole crew each); D follows C.
    acts = [
        Activity(1, 4, {"crew": 1}),
        Activity(2, 2, {"crew": 2}),
        Activity(3, 2, {"crew": 2}),
        Activity(4, 3, {"crew": 1}),
    ]
    links = [Precedence(3, 4)]
    caps = {"crew": 2}
    one_pass = level(
        activities=acts,
        precedences=links,
        capacities=caps,
        rules=("lft",),
        samples=0,
        justify=False,
    )
    best = level_optimal(
        activities=acts, precedences=links, capacities=caps, time_limit=5, samples=0
    )
    check_feasible(best.result, acts, links, caps)
    # Work 4 + 4 + 4 + 3 = 15 unit-days for 2: at least 8 days.
    assert best.result.makespan == 8 == best.result.lower_bound
    assert best.result.optimal
    assert best.result.makespan <= one_pass.makespan
    assert best.heuristic_makespan >= best.result.makespan


def test_proves_a_bound_the_heuristic_cannot() -> None:
    # Three tasks each needing 2 of 3 units pairwise conflict: 3 x 2 days in sequence = 6,
    # while the work bound is only ceil(12 / 3) = 4. Only the solver proves 6.
    acts = [Activity(i, 2, {"r": 2}) for i in (1, 2, 3)]
    best = level_optimal(activities=acts, precedences=[], capacities={"r": 3}, time_limit=5)
    heuristic = level(activities=acts, precedences=[], capacities={"r": 3})
    assert heuristic.makespan == 6 and heuristic.lower_bound == 4 and not heuristic.optimal
    assert best.result.makespan == 6 and best.result.lower_bound == 6 and best.result.optimal
    assert best.status == "OPTIMAL"
    assert best.result.delays[2].resource == "r" or best.result.delays[1].resource == "r"


def test_without_time_the_heuristic_schedule_comes_back() -> None:
    # The time limit covers the heuristic too: none left means no search, and the answer is
    # the heuristic's schedule with its own bound, not proven.
    acts = [Activity(i, 2, {"r": 2}) for i in (1, 2, 3)]
    best = level_optimal(activities=acts, precedences=[], capacities={"r": 3}, time_limit=0)
    heuristic = level(activities=acts, precedences=[], capacities={"r": 3})
    assert best.status == "UNKNOWN" and not best.result.optimal
    assert best.result.starts == heuristic.starts
    assert best.result.lower_bound == heuristic.lower_bound == 4
    assert best.heuristic_makespan == best.result.makespan == 6


def test_parallel_workers_prove_the_same_optimum() -> None:
    acts = [Activity(i, 1 + i % 3, {"r": 1 + i % 2}) for i in range(1, 9)]
    links = [Precedence(i, i + 3) for i in range(1, 6)]
    one = level_optimal(activities=acts, precedences=links, capacities={"r": 2}, time_limit=5)
    two = level_optimal(
        activities=acts, precedences=links, capacities={"r": 2}, time_limit=5, workers=2
    )
    check_feasible(two.result, acts, links, {"r": 2})
    assert one.result.optimal and two.result.optimal
    assert one.result.makespan == two.result.makespan == two.result.lower_bound


def test_all_link_types_with_lags() -> None:
    acts = [Activity(1, 3, {"r": 1}), Activity(2, 2, {"r": 1}), Activity(3, 4), Activity(4, 1)]
    links = [
        Precedence(1, 2, LinkType.SS, 1),
        Precedence(1, 3, LinkType.FF, 2),
        Precedence(2, 4, LinkType.SF, 3),
        Precedence(3, 4, LinkType.FS, -1),
    ]
    best = level_optimal(activities=acts, precedences=links, capacities={"r": 1}, time_limit=5)
    check_feasible(best.result, acts, links, {"r": 1})
    assert best.result.optimal


def test_deterministic_and_errors() -> None:
    acts = [Activity(i, 1 + i % 3, {"r": 1 + i % 2}) for i in range(1, 9)]
    links = [Precedence(i, i + 3) for i in range(1, 6)]
    one = level_optimal(
        activities=acts, precedences=links, capacities={"r": 2}, deterministic_limit=1.0
    )
    two = level_optimal(
        activities=acts, precedences=links, capacities={"r": 2}, deterministic_limit=1.0
    )
    assert one == two
    with pytest.raises(DomainError):
        level_optimal(activities=[Activity(1, 1, {"r": 3})], precedences=[], capacities={"r": 2})
    with pytest.raises(CycleError):
        level_optimal(
            activities=[Activity(1, 1), Activity(2, 1)],
            precedences=[Precedence(1, 2), Precedence(2, 1)],
            capacities={},
        )


@settings(max_examples=25, deadline=None)
@given(problems())
def test_never_worse_than_the_heuristic_and_feasible(
    problem: tuple[list[Activity], list[Precedence], dict[str, int]],
) -> None:
    acts, links, caps = problem
    heuristic = level(activities=acts, precedences=links, capacities=caps, samples=10)
    best = level_optimal(
        activities=acts, precedences=links, capacities=caps, time_limit=2, samples=10
    )
    check_feasible(best.result, acts, links, caps)
    assert best.result.makespan <= heuristic.makespan
    assert best.result.lower_bound >= heuristic.lower_bound
    if best.result.optimal:
        assert best.result.lower_bound == best.result.makespan


@pytest.mark.skipif(not OPTIMUM_CSV.exists(), reason="PSPLIB j30 data not available")
def test_j30_instance_proved_optimal() -> None:
    with OPTIMUM_CSV.open(newline="") as fh:
        optimum = {row["problem"]: int(row["optimum"]) for row in csv.DictReader(fh)}
    name = "j3029_1.sm"  # the heuristic finds 90, the optimum is 85
    plan = parse_psplib((PSPLIB / "j30" / name).read_text(), name=name).plan
    problem = leveling_problem(plan)
    best = level_optimal(
        activities=problem.activities,
        precedences=problem.precedences,
        capacities=problem.capacities,
        time_limit=8,
    )
    check_feasible(best.result, problem.activities, problem.precedences, problem.capacities)
    assert best.result.makespan == optimum[name] == best.result.lower_bound
    assert best.result.optimal and best.heuristic_makespan > optimum[name]

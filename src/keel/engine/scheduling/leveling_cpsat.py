"""Optimal resource leveling: the resource-constrained project scheduling problem on CP-SAT.

The same problem as leveling.py (read its module docstring for the rules and the time unit):
fixed durations, constant demands of renewable resources within their capacities, the four
link types with lags as start-to-start distances, earliest starts, minimize the makespan.

The model: one interval variable per activity (start in [release, horizon - duration]), a
cumulative constraint per resource over the activities that use it, one linear inequality
per link, and the makespan as the maximum of the ends. The heuristic leveler runs first;
its makespan is the horizon (so the answer is never worse than the heuristic) and its
starts are the solver's hint.

The answer: the best schedule found within the time limit, the proven lower bound (the
larger of the solver's best objective bound and the heuristic's combinatorial bound), and
`optimal` when the solver proved it (or the makespan meets the bound). Without a solution
from the solver in time the heuristic's schedule is returned. Priorities are not modelled
(they are heuristic rules, not constraints).

Deterministic where possible: the solver runs with a fixed seed and `interleave_search`,
which makes its parallel workers take turns in a reproducible order. The wall-clock
`time_limit` is a safety cap; `deterministic_limit` (the solver's own work measure) gives
the same answer on every run and machine when it is the limit that stops the search.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .leveling import (
    DEFAULT_SAMPLES,
    Activity,
    LevelingResult,
    Precedence,
    _Leveler,
    level,
)

DEFAULT_TIME_LIMIT = 10.0
DEFAULT_WORKERS = 2
INTERLEAVE = True


@dataclass(frozen=True)
class OptimalLevelingResult:
    """The CP-SAT answer: `result` has the schedule and its reporting (delays, overloads) as
    the heuristic gives them, with `lower_bound` the proven bound and `optimal` proven;
    `heuristic_makespan` is the heuristic's schedule that started the search; `status` is
    the solver's ("OPTIMAL", "FEASIBLE" or "UNKNOWN" when it found nothing better in time)."""

    result: LevelingResult
    heuristic_makespan: int
    solver_bound: int
    status: str


def level_optimal(
    *,
    activities: Sequence[Activity],
    precedences: Sequence[Precedence],
    capacities: Mapping[str, int],
    time_limit: float = DEFAULT_TIME_LIMIT,
    deterministic_limit: float | None = None,
    workers: int = DEFAULT_WORKERS,
    seed: int = 0,
    samples: int = DEFAULT_SAMPLES,
) -> OptimalLevelingResult:
    """Level a plan to a minimum makespan with CP-SAT (see the module docstring).
    `samples` and `seed` go to the heuristic that gives the hint and the horizon.

    Raises DomainError for an inconsistent input and CycleError for a dependency loop.
    """
    lev = _Leveler(activities, precedences, capacities)  # validates, as `level` does
    heuristic = level(
        activities=activities,
        precedences=precedences,
        capacities=capacities,
        samples=samples,
        seed=seed,
    )
    net = lev.fwd
    n = net.n
    horizon = heuristic.makespan
    if n == 0 or heuristic.makespan <= lev.lower_bound:
        return OptimalLevelingResult(
            result=heuristic,
            heuristic_makespan=heuristic.makespan,
            solver_bound=lev.lower_bound,
            status="OPTIMAL",
        )

    model = cp_model.CpModel()
    starts: list[cp_model.IntVar] = []
    intervals: list[cp_model.IntervalVar] = []
    hint = [heuristic.starts[i] for i in lev.ids]
    for j in range(n):
        d = net.dur[j]
        # Early start from links and releases; latest start leaving room for the longest
        # chain after the activity (cpm - ls is that chain's length, the duration included).
        s = model.new_int_var(lev.es[j], horizon - (lev.cpm - lev.ls[j]), f"s{j}")
        starts.append(s)
        intervals.append(model.new_fixed_size_interval_var(s, d, f"i{j}"))
        model.add_hint(s, hint[j])
    for j, plist in enumerate(net.preds):
        for p, delta in plist:
            model.add(starts[j] >= starts[p] + delta)
    for r, cap in enumerate(net.caps):
        users = [(j, q) for j in range(n) for rr, q in net.req[j] if rr == r and net.dur[j] > 0]
        if users:
            model.add_cumulative([intervals[j] for j, _ in users], [q for _, q in users], cap)
    makespan = model.new_int_var(lev.lower_bound, horizon, "makespan")
    for j in range(n):
        model.add(makespan >= starts[j] + net.dur[j])
    model.add_hint(makespan, horizon)
    model.minimize(makespan)

    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = max(1, workers)
    params.random_seed = seed
    params.interleave_search = INTERLEAVE
    params.max_time_in_seconds = max(0.0, time_limit)
    if deterministic_limit is not None:
        params.max_deterministic_time = max(0.0, deterministic_limit)
    status = solver.solve(model)
    status_name = solver.status_name(status)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    bound = lev.lower_bound
    if found or status == cp_model.UNKNOWN:
        bound = max(bound, math.ceil(solver.best_objective_bound - 1e-6))
    if found and solver.value(makespan) < heuristic.makespan:
        start = [solver.value(s) for s in starts]
    else:
        start = hint
    span = max((start[j] + net.dur[j] for j in range(n)), default=0)
    bound = min(bound, span)
    result = LevelingResult(
        starts={lev.ids[j]: s for j, s in enumerate(start)},
        makespan=span,
        critical_path_length=lev.cpm,
        resource_bound=lev.resource_bound,
        lower_bound=bound,
        optimal=span == bound or status == cp_model.OPTIMAL,
        delays=lev.delays(start),
        overload_before=lev.overload(lev.es),
        overload_after=lev.overload(start),
        schedules=heuristic.schedules,
    )
    return OptimalLevelingResult(
        result=result,
        heuristic_makespan=heuristic.makespan,
        solver_bound=bound,
        status=status_name,
    )

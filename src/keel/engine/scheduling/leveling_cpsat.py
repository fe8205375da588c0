"""Optimal resource leveling: the resource-constrained project scheduling problem on CP-SAT.

The same problem as leveling.py (read its module docstring for the rules and the time unit):
fixed durations, constant demands of renewable resources within their capacities, the four
link types with lags as start-to-start distances, earliest starts, minimize the makespan.

The model: one interval variable per activity (start between its early start and the
horizon less the longest chain after it), a cumulative constraint per resource over the
activities that use it, one linear inequality per link, and the makespan as the maximum of
the ends. The heuristic leveler runs first; its makespan is the first horizon (so the
answer is never worse than the heuristic) and its starts are the solver's hint.

The search: the solver minimizes within the time left after the heuristic (`time_limit`
counts from the call), with one worker and without the linear relaxation. On PSPLIB j30 on
2 shared cores that proves more instances optimal in 10 s than 2 workers (parallel or
interleaved), the LP, or a restart on windows cut to the best makespan found (measured; see
docs/scheduling.md, Performance): the bound is the hard part there, and the cumulative
propagation with clause learning makes it faster alone.

The answer: the best schedule found, the proven lower bound (the larger of the heuristic's
combinatorial bound and the solver's objective bound), and `optimal` when the solver proved
it (or the makespan meets the bound). Without a solution
from the solver in time the heuristic's schedule is returned. Priorities are not modelled
(they are heuristic rules, not constraints).

Deterministic with one worker (the default) and a fixed seed: the wall-clock `time_limit`
is a safety cap; `deterministic_limit` (the solver's own work measure) gives the same
answer on every run and machine when it is the limit that stops the search. More workers
run CP-SAT's parallel portfolio, which is not deterministic.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
DEFAULT_WORKERS = 1


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
    `time_limit` (seconds) covers the whole call, the heuristic included; `samples` and
    `seed` go to the heuristic that gives the hint and the horizon.

    Raises DomainError for an inconsistent input and CycleError for a dependency loop.
    """
    clock = time.monotonic()
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
    if n == 0 or heuristic.makespan <= lev.lower_bound:
        return OptimalLevelingResult(
            result=heuristic,
            heuristic_makespan=heuristic.makespan,
            solver_bound=lev.lower_bound,
            status="OPTIMAL",
        )

    best = [heuristic.starts[i] for i in lev.ids]
    bound = lev.lower_bound
    found = proved = False
    left = time_limit - (time.monotonic() - clock)
    if left > 0:
        solve = _solve(
            lev,
            horizon=heuristic.makespan,
            bound=bound,
            hint=best,
            time_limit=left,
            deterministic_limit=deterministic_limit,
            workers=workers,
            seed=seed,
        )
        if solve.starts is not None and solve.makespan < heuristic.makespan:
            best, found = solve.starts, True
        bound = max(bound, solve.bound)
        proved = solve.optimal
    span = max((best[j] + net.dur[j] for j in range(n)), default=0)
    bound = min(bound, span)
    optimal = proved or span == bound
    result = LevelingResult(
        starts={lev.ids[j]: s for j, s in enumerate(best)},
        makespan=span,
        critical_path_length=lev.cpm,
        resource_bound=lev.resource_bound,
        lower_bound=bound,
        optimal=optimal,
        delays=lev.delays(best),
        overload_before=lev.overload(lev.es),
        overload_after=lev.overload(best),
        schedules=heuristic.schedules,
    )
    return OptimalLevelingResult(
        result=result,
        heuristic_makespan=heuristic.makespan,
        solver_bound=bound,
        status="OPTIMAL" if optimal else "FEASIBLE" if found else "UNKNOWN",
    )


@dataclass(frozen=True)
class _Solve:
    """The CP-SAT run: its best schedule (None when it found none in time), whether it
    proved that schedule optimal, and its bound on the makespan."""

    starts: list[int] | None
    makespan: int
    bound: int
    optimal: bool


def _solve(
    lev: _Leveler,
    *,
    horizon: int,
    bound: int,
    hint: Sequence[int],
    time_limit: float,
    deterministic_limit: float | None,
    workers: int,
    seed: int,
) -> _Solve:
    """Minimize the makespan from the `hint`, a schedule that ends at `horizon`, knowing
    that it is at least `bound`."""
    # OR-Tools takes about 0.1 s to import: only the optimizing leveler pays for it, not
    # every `keel` command.
    from ortools.sat.python import cp_model

    net = lev.fwd
    n = net.n
    model = cp_model.CpModel()
    starts: list[cp_model.IntVar] = []
    intervals: list[cp_model.IntervalVar] = []
    for j in range(n):
        # Early start from links and releases; latest start leaving room for the longest
        # chain after the activity (cpm - ls is that chain's length, the duration included).
        s = model.new_int_var(lev.es[j], horizon - (lev.cpm - lev.ls[j]), f"s{j}")
        starts.append(s)
        intervals.append(model.new_fixed_size_interval_var(s, net.dur[j], f"i{j}"))
    for j, plist in enumerate(net.preds):
        for p, delta in plist:
            model.add(starts[j] >= starts[p] + delta)
    for r, cap in enumerate(net.caps):
        users = [(j, q) for j in range(n) for rr, q in net.req[j] if rr == r and net.dur[j] > 0]
        if users:
            model.add_cumulative([intervals[j] for j, _ in users], [q for _, q in users], cap)
    makespan = model.new_int_var(min(bound, horizon), horizon, "makespan")
    for j in range(n):
        model.add(makespan >= starts[j] + net.dur[j])
    for j in range(n):
        model.add_hint(starts[j], hint[j])
    model.add_hint(makespan, horizon)
    model.minimize(makespan)

    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = max(1, workers)
    params.random_seed = seed
    # No linear relaxation: on PSPLIB j30 the LP slows the search without tightening the
    # bound; the cumulative propagators and clause learning make the proofs.
    params.linearization_level = 0
    params.max_time_in_seconds = max(0.0, time_limit)
    if deterministic_limit is not None:
        params.max_deterministic_time = max(0.0, deterministic_limit)
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Solve(
            starts=[solver.value(s) for s in starts],
            makespan=solver.value(makespan),
            bound=math.ceil(solver.best_objective_bound - 1e-6),
            optimal=status == cp_model.OPTIMAL,
        )
    # Nothing in time (the hint is feasible, so not INFEASIBLE): the bound may still have moved.
    return _Solve(
        starts=None,
        makespan=horizon,
        bound=max(bound, math.ceil(solver.best_objective_bound - 1e-6)),
        optimal=False,
    )

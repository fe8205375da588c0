"""Monte Carlo schedule risk: with no spread it is the critical path (against cpm, on random
plans, with progress too), percentiles are monotone, a seed reproduces a run, the sampler's
quantile tables and the fast Spearman path are exact, and worked examples for the
distributions, progress, risk events, criticality, sensitivity, costs and the plan JSON
fields."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keel.engine import simulation as sim
from keel.engine.calendars import WorkCalendar
from keel.engine.errors import CycleError, DomainError
from keel.engine.formats import parse_plan_json, plan_to_dict
from keel.engine.formats import plan_json as pj
from keel.engine.scheduling import schedule
from keel.engine.simulation import (
    BAD_ESTIMATE,
    BAD_PROBABILITY,
    SUMMARY_RISK,
    Distribution,
    Estimate,
    RiskEvent,
    SimulationResult,
    TaskUncertainty,
    simulate,
    spearman,
)
from keel.engine.types import ConstraintType, LinkIn, LinkType, TaskIn

START = date(2026, 5, 4)  # a Monday
CAL = WorkCalendar(holidays=frozenset({date(2026, 5, 11)}))


def run(
    tasks: list[TaskIn],
    links: list[LinkIn],
    uncertainties: list[TaskUncertainty] | None = None,
    *,
    iterations: int,
) -> SimulationResult:
    return simulate(
        project_start=START,
        calendar=CAL,
        tasks=tasks,
        links=links,
        uncertainties=uncertainties or [],
        iterations=iterations,
    )


# ---- no spread: the critical path -------------------------------------------------------------


@st.composite
def plans(draw: st.DrawFn, *, fs_only: bool = False) -> tuple[list[TaskIn], list[LinkIn]]:
    n = draw(st.integers(1, 12))
    n_summaries = 0 if fs_only else draw(st.integers(0, 2))
    tasks: list[TaskIn] = [TaskIn(id=100 + k, duration_days=0) for k in range(n_summaries)]
    for i in range(1, n + 1):
        parent = draw(st.sampled_from([None, *(100 + k for k in range(n_summaries))]))
        duration = draw(st.sampled_from([0.5, 1, 2, 3, 5] if fs_only else [0, 0.5, 1, 2, 3, 5]))
        constraint = ConstraintType.ASAP
        constraint_date = None
        if not fs_only and draw(st.integers(0, 5)) == 0:
            constraint = draw(st.sampled_from([ConstraintType.SNET, ConstraintType.FNET]))
            constraint_date = date(2026, 5, draw(st.integers(4, 20)))
        tasks.append(
            TaskIn(
                id=i,
                duration_days=duration,
                parent_id=parent,
                constraint=constraint,
                constraint_date=constraint_date,
            )
        )
    ids = [t.id for t in tasks]
    links: list[LinkIn] = []
    for _ in range(draw(st.integers(0, 2 * n))):
        a, b = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        # Summaries link only to leaves outside them (as people plan), ordered to avoid loops.
        if a >= 100 or b >= 100:
            leaf = b if a >= 100 else a
            summary = a if a >= 100 else b
            if tasks[ids.index(leaf)].parent_id == summary or a == b:
                continue
            if a >= 100 and b >= 100:
                continue
        elif a >= b:
            continue
        kind = LinkType.FS if fs_only else draw(st.sampled_from(list(LinkType)))
        lag = 0.0 if fs_only else draw(st.sampled_from([0, 0, 1, -0.5, 2]))
        links.append(LinkIn(a, b, kind, lag))
    return tasks, links


def _zero_spread(tasks: list[TaskIn]) -> list[TaskUncertainty]:
    return [TaskUncertainty(t.id, Estimate.fixed(t.duration_days)) for t in tasks]


@settings(max_examples=120, deadline=None)
@given(plans())
def test_zero_spread_is_the_critical_path(plan: tuple[list[TaskIn], list[LinkIn]]) -> None:
    tasks, links = plan
    try:
        cpm = schedule(project_start=START, calendar=CAL, tasks=tasks, links=links)
    except CycleError:
        with pytest.raises(CycleError):
            run(tasks, links, iterations=3)
        return
    r = run(tasks, links, _zero_spread(tasks), iterations=50)
    mpd = CAL.minutes_per_day
    finish = max([0, *(o.early_finish_minute for o in cpm.tasks.values() if not o.is_summary)])
    assert round(r.deterministic_days * mpd) == finish
    for p in r.percentiles:
        assert round(p.days * mpd) == finish
    assert r.std_days == pytest.approx(0, abs=1e-9)
    assert set(r.criticality.values()) <= {0.0, 1.0}
    assert r.probability_deterministic == 1.0


@settings(max_examples=80, deadline=None)
@given(plans(fs_only=True))
def test_zero_spread_dates_and_criticality_match_cpm(
    plan: tuple[list[TaskIn], list[LinkIn]],
) -> None:
    tasks, links = plan
    cpm = schedule(project_start=START, calendar=CAL, tasks=tasks, links=links)
    r = simulate(
        project_start=START,
        calendar=CAL,
        tasks=tasks,
        links=links,
        uncertainties=_zero_spread(tasks),
        iterations=20,
    )
    assert r.deterministic_finish == cpm.project_finish
    assert {p.date for p in r.percentiles} == {cpm.project_finish}
    assert r.criticality == {
        tid: float(o.critical) for tid, o in cpm.tasks.items() if not o.is_summary
    }
    assert r.targets == {}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 5), st.floats(0, 5), st.floats(0, 5)), min_size=1, max_size=6),
    st.integers(0, 2**32 - 1),
    st.sampled_from(list(Distribution)),
)
def test_percentiles_are_monotone_and_reproducible(
    points: list[tuple[float, float, float]], seed: int, kind: Distribution
) -> None:
    tasks = [TaskIn(i + 1, duration_days=sorted(p)[1]) for i, p in enumerate(points)]
    links = [LinkIn(i, i + 1) for i in range(1, len(tasks), 2)]
    unc = []
    for i, p in enumerate(points):
        low, likely, high = sorted(p)
        unc.append(TaskUncertainty(i + 1, Estimate(low, likely, high, kind)))

    def go() -> SimulationResult:
        return simulate(
            project_start=START,
            calendar=CAL,
            tasks=tasks,
            links=links,
            uncertainties=unc,
            iterations=300,
            seed=seed,
            percentiles=(5, 10, 50, 80, 95, 100),
        )

    r = go()
    days = [p.days for p in r.percentiles]
    assert days == sorted(days)
    assert [p.date for p in r.percentiles] == sorted(p.date for p in r.percentiles)
    assert r.min_days <= days[0] and days[-1] == r.max_days
    assert sum(b.count for b in r.histogram) == 300
    probs = [c.probability for c in r.s_curve]
    assert probs == sorted(probs) and probs[-1] == pytest.approx(1.0)
    assert go() == r


# ---- progress: the simulation starts from the status date ---------------------------------------


@st.composite
def progressed_plans(
    draw: st.DrawFn,
) -> tuple[list[TaskIn], list[LinkIn], date | None]:
    """Random plans (all link types, summaries, constraints, MSO/MFO pins too) with random
    progress: percent complete, actual starts, finished tasks and milestones, a status
    date or none, in sequence or not."""
    tasks, links = draw(plans())
    status = draw(st.one_of(st.none(), st.dates(date(2026, 5, 1), date(2026, 5, 20))))
    out: list[TaskIn] = []
    for t in tasks:
        if t.id >= 100:  # summaries: their progress is ignored anyway
            out.append(t)
            continue
        if t.constraint == ConstraintType.ASAP and draw(st.integers(0, 7)) == 0:
            pin = draw(st.sampled_from([ConstraintType.MSO, ConstraintType.MFO]))
            t = replace(t, constraint=pin, constraint_date=date(2026, 5, draw(st.integers(4, 20))))
        kind = draw(st.sampled_from(["none", "none", "percent", "started", "done", "done"]))
        day = draw(st.dates(date(2026, 5, 1), date(2026, 5, 15)))
        if kind == "percent":
            t = replace(t, percent_complete=draw(st.sampled_from([10, 25, 50, 99.5, 100])))
        elif kind == "started":
            t = replace(t, actual_start=day, percent_complete=draw(st.sampled_from([0, 30, 60])))
        elif kind == "done":
            finish = day + timedelta(days=draw(st.integers(0, 6)))
            start = draw(st.sampled_from([day, None]))
            t = replace(t, actual_start=start, actual_finish=finish, percent_complete=100)
        out.append(t)
    return out, links, status


@settings(max_examples=150, deadline=None)
@given(progressed_plans())
def test_zero_spread_with_progress_is_the_critical_path(
    plan: tuple[list[TaskIn], list[LinkIn], date | None],
) -> None:
    tasks, links, status = plan
    try:
        cpm = schedule(
            project_start=START, calendar=CAL, tasks=tasks, links=links, status_date=status
        )
    except CycleError:
        return
    r = simulate(
        project_start=START,
        calendar=CAL,
        tasks=tasks,
        links=links,
        uncertainties=_zero_spread(tasks),
        iterations=20,
        status_date=status,
    )
    mpd = CAL.minutes_per_day
    finish = max([0, *(o.early_finish_minute for o in cpm.tasks.values() if not o.is_summary)])
    assert round(r.deterministic_days * mpd) == finish
    assert {round(p.days * mpd) for p in r.percentiles} == {finish}
    assert r.std_days == pytest.approx(0, abs=1e-9)
    # Finished tasks are never critical (as in cpm); the rest is a driving chain or not.
    for t in tasks:
        if t.id in r.criticality and (t.actual_finish is not None or t.percent_complete >= 100):
            assert r.criticality[t.id] == 0
    assert set(r.criticality.values()) <= {0.0, 1.0}


@settings(max_examples=60, deadline=None)
@given(progressed_plans(), st.integers(0, 2**32 - 1))
def test_no_unfinished_work_before_the_status_date(
    plan: tuple[list[TaskIn], list[LinkIn], date | None], seed: int
) -> None:
    tasks, links, status = plan
    leaves = {t.id for t in tasks} - {t.parent_id for t in tasks}
    # Work left: a leaf with a duration, not finished.
    unfinished = [
        t
        for t in tasks
        if t.id in leaves
        and t.duration_days > 0
        and t.actual_finish is None
        and t.percent_complete < 100
    ]
    if status is None or not unfinished:
        return
    wide = [TaskUncertainty(t.id, Estimate(0, t.duration_days, 2 * t.duration_days)) for t in tasks]
    try:
        r = simulate(
            project_start=START,
            calendar=CAL,
            tasks=tasks,
            links=links,
            uncertainties=wide,
            iterations=200,
            seed=seed,
            status_date=status,
        )
    except CycleError:
        return
    status_end = CAL.day_index(status + timedelta(days=1)) - CAL.day_index(START)
    assert r.min_days >= status_end - 1e-9
    done = {t.id for t in tasks if t.actual_finish is not None or t.percent_complete >= 100}
    assert not done & {d.id for d in r.sensitivity if d.kind == "task"}


def test_progress_worked_example() -> None:
    # A finished (2 days, 4-5 May), B in progress (10 days, 50% done, an actual start on
    # the 6th), C not started after A. Status: the end of Friday 15 May, 9 working days
    # from the start (the 11th is a holiday).
    tasks = [
        TaskIn(1, 2, actual_start=date(2026, 5, 4), actual_finish=date(2026, 5, 5)),
        TaskIn(2, 10, percent_complete=50, actual_start=date(2026, 5, 6)),
        TaskIn(3, 1),
    ]
    links = [LinkIn(1, 2), LinkIn(1, 3)]
    status = date(2026, 5, 15)
    unc = [
        TaskUncertainty(1, Estimate(1, 2, 8)),  # finished: no uncertainty left
        TaskUncertainty(2, Estimate(5, 10, 20)),  # the rest: half of it, 2.5 / 5 / 10 days
        TaskUncertainty(3, Estimate(1, 1, 2, Distribution.TRIANGULAR)),
    ]
    risk = RiskEvent("rework", 1.0, (1,), Estimate.fixed(3))  # on a finished task: no effect
    r = simulate(
        project_start=START,
        calendar=CAL,
        tasks=tasks,
        links=links,
        uncertainties=unc,
        risks=[risk],
        iterations=20_000,
        seed=5,
        status_date=status,
    )
    cpm = schedule(project_start=START, calendar=CAL, tasks=tasks, links=links, status_date=status)
    assert r.deterministic_finish == cpm.project_finish == date(2026, 5, 22)
    # B: 5 days done by the 12th (started the 6th), the rest from the status date: 9 +
    # PERT(2.5, 5, 10), mean 9 + 5.4167; C (1..2 days from the status date) never ends last.
    assert r.min_days >= 9 + 2.5 and r.max_days <= 9 + 10
    assert r.mean_days == pytest.approx(9 + (2.5 + 20 + 10) / 6, abs=0.03)
    assert r.criticality == {1: 0.0, 2: 1.0, 3: 0.0}
    assert {d.id for d in r.sensitivity if d.kind == "task"} == {2, 3}
    assert r.risk_occurrence == {"rework": 1.0}


def test_progress_scales_the_cost_left() -> None:
    # 40% of A is done: its cost is 40% of the most likely value plus 60% of a draw.
    tasks = [TaskIn(1, 5, percent_complete=40)]
    unc = [TaskUncertainty(1, cost=Estimate(100, 200, 600))]
    r = simulate(
        project_start=START,
        calendar=CAL,
        tasks=tasks,
        links=[],
        uncertainties=unc,
        iterations=20_000,
        status_date=START,
    )
    assert r.cost is not None and r.cost.deterministic == 200
    assert r.cost.min >= 0.4 * 200 + 0.6 * 100 and r.cost.max <= 0.4 * 200 + 0.6 * 600
    assert r.cost.mean == pytest.approx(0.4 * 200 + 0.6 * (100 + 800 + 600) / 6, rel=0.01)


def test_long_plans_stay_exact() -> None:
    # 36,000 days are 17.3 million minutes, past what float32 holds exactly (2**24): the
    # simulation counts in float64 then, and still lands on cpm's minute.
    tasks = [TaskIn(1, 36_000.25), TaskIn(2, 10.5), TaskIn(3, 2)]
    links = [LinkIn(1, 2), LinkIn(1, 3, LinkType.SS, 36_000)]
    cpm = schedule(project_start=START, calendar=CAL, tasks=tasks, links=links)
    r = run(tasks, links, _zero_spread(tasks), iterations=10)
    finish = max(o.early_finish_minute for o in cpm.tasks.values())
    assert {round(p.days * CAL.minutes_per_day) for p in r.percentiles} == {finish}
    assert r.criticality == {tid: float(o.critical) for tid, o in cpm.tasks.items()}


# ---- the sampler and the fast Spearman path ----------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_beta_tables_against_closed_forms(k: int) -> None:
    # Beta(k, 6 - k), the PERT shape of a mode at (k - 1) / 4: its CDF is P(Binomial(5, x) >= k).
    q = sim._beta_quantiles(float(k))
    u = np.arange(len(q)) / (len(q) - 1)
    cdf = sum(math.comb(5, j) * q**j * (1 - q) ** (5 - j) for j in range(k, 6))
    assert np.abs(cdf - u).max() < 1e-9


@pytest.mark.parametrize(
    ("estimate", "mean", "var"),
    [
        # PERT: mean (a + 4m + b) / 6, variance of Beta(al, be) = al be / (36 x 7) scaled.
        (Estimate(0, 0.2222, 1), (0 + 4 * 0.2222 + 1) / 6, None),
        (Estimate(2, 3, 12), (2 + 12 + 12) / 6, None),
        (Estimate(0, 0.3, 1, Distribution.TRIANGULAR), 1.3 / 3, (1 + 0.09 - 0.3) / 18),
    ],
)
def test_draws_have_the_distribution(estimate: Estimate, mean: float, var: float | None) -> None:
    draws = sim._Draws([estimate], [1.0])
    bits = np.random.default_rng(2).integers(0, 2**32, size=(1, 400_000), dtype=np.uint32)
    x = draws.values(bits)[0]
    a, b = estimate.optimistic, estimate.pessimistic
    assert a <= x.min() and x.max() <= b
    sd = math.sqrt(var * (b - a) ** 2) if var is not None else (b - a) / 6
    assert x.mean() == pytest.approx(mean, abs=4 * sd / math.sqrt(len(x)) + 1e-4 * (b - a))
    if var is not None:
        assert x.var() == pytest.approx(var * (b - a) ** 2, rel=0.02)
    if estimate.distribution == Distribution.PERT:
        # Against numpy's beta sampler: a two-sample Kolmogorov-Smirnov distance far below
        # its 0.1% critical value (1.95 sqrt(2/n) = 0.0044).
        al = 1 + 4 * (estimate.most_likely - a) / (b - a)
        ref = np.sort(a + (b - a) * np.random.default_rng(3).beta(al, 6 - al, len(x)))
        grid = np.linspace(a, b, 2001)
        ks = np.abs(np.searchsorted(np.sort(x), grid) - np.searchsorted(ref, grid)).max()
        assert ks / len(x) < 0.0044


def test_fast_spearman_matches_spearman() -> None:
    rng = np.random.default_rng(4)
    bits = rng.integers(0, 2**32, size=(40, 3000), dtype=np.uint32)
    bits[3, 10:14] = bits[3, 100]  # ties in a row
    bits[5] = bits[5] % 7  # many ties
    y = np.round(bits[0] / 2**28 + rng.random(3000) * 8)  # ties in y too
    expected = spearman(bits.astype(np.float64), y)
    assert (
        np.abs(sim._draw_correlations([bits[:, :1000], bits[:, 1000:]], y) - expected).max() < 1e-12
    )


# ---- worked examples ----------------------------------------------------------------------------


def test_distribution_means() -> None:
    tasks = [TaskIn(1, 4), TaskIn(2, 4)]
    pert = simulate(
        project_start=START,
        calendar=CAL,
        tasks=tasks[:1],
        links=[],
        uncertainties=[TaskUncertainty(1, Estimate(2, 4, 12))],
        iterations=40_000,
        seed=1,
    )
    # PERT mean (2 + 16 + 12) / 6 = 5; triangular mean (2 + 4 + 12) / 3 = 6.
    assert pert.mean_days == pytest.approx(5.0, abs=0.05)
    assert pert.min_days >= 2 and pert.max_days <= 12
    tri = simulate(
        project_start=START,
        calendar=CAL,
        tasks=tasks[:1],
        links=[],
        uncertainties=[TaskUncertainty(1, Estimate(2, 4, 12, Distribution.TRIANGULAR))],
        iterations=40_000,
        seed=1,
    )
    assert tri.mean_days == pytest.approx(6.0, abs=0.05)
    # The triangular median: 12 - sqrt(0.5 * 10 * 8) = 5.675...
    assert tri.percentiles[4].percent == 50
    assert tri.percentiles[4].days == pytest.approx(12 - (0.5 * 10 * 8) ** 0.5, abs=0.06)


def test_risk_events_criticality_and_sensitivity() -> None:
    # Two branches into a milestone: A (3 days, certain) and B (2 days, uncertain 1..4).
    # A risk that always happens delays B by exactly 2 days; another never happens.
    tasks = [TaskIn(1, 3), TaskIn(2, 2), TaskIn(3, 0)]
    links = [LinkIn(1, 3), LinkIn(2, 3)]
    unc = [TaskUncertainty(2, Estimate(1, 2, 4), cost=Estimate(100, 100, 100))]
    sure = RiskEvent("late", 1.0, (2,), Estimate.fixed(2), cost=Estimate.fixed(50))
    never = RiskEvent("never", 0.0, (1,), Estimate(5, 6, 7))
    r = simulate(
        project_start=START,
        calendar=CAL,
        tasks=tasks,
        links=links,
        uncertainties=unc,
        risks=[sure, never],
        iterations=4000,
        seed=3,
        targets=[date(2026, 5, 6), date(2026, 5, 12)],
    )
    # B takes 3..6 with the delay, longer than A in every iteration (a tie has chance 0).
    assert r.criticality == {1: 0.0, 2: 1.0, 3: 1.0}
    assert r.risk_occurrence == {"late": 1.0, "never": 0.0}
    assert r.min_days >= 3 and r.max_days <= 6
    # By Wednesday (3 days) only when B is within half a minute of its optimistic end;
    # the 12th (after the holiday on the 11th) is 6 working days: always.
    assert r.targets[date(2026, 5, 12)] == 1.0
    assert r.targets[date(2026, 5, 6)] < 0.01
    top = r.sensitivity[0]
    assert (top.kind, top.id) == ("task", 2) and top.correlation > 0.95
    # A risk that always (or never) happens does not vary: no correlation.
    assert {d.id: d.correlation for d in r.sensitivity if d.kind == "risk"} == {
        "late": 0.0,
        "never": 0.0,
    }
    assert r.cost is not None
    assert r.cost.min == r.cost.max == 150 and r.cost.deterministic == 100
    assert r.deterministic_days == 3


def test_risk_probability_and_cost_percentiles() -> None:
    tasks = [TaskIn(1, 5)]
    risk = RiskEvent("flood", 0.25, (1,), Estimate.fixed(4), cost=Estimate(1000, 2000, 3000))
    r = simulate(
        project_start=START, calendar=CAL, tasks=tasks, links=[], risks=[risk], iterations=8000
    )
    assert r.risk_occurrence["flood"] == pytest.approx(0.25, abs=0.02)
    assert r.mean_days == pytest.approx(5 + 0.25 * 4, abs=0.1)
    # P70 within the 75% without the flood, P80 and up with it.
    by = {p.percent: p for p in r.percentiles}
    assert by[70].days == 5 and by[80].days == 9
    assert by[70].date == date(2026, 5, 8) and by[80].date == date(2026, 5, 15)
    assert r.sensitivity[0].kind == "risk" and r.sensitivity[0].correlation > 0.99
    assert r.cost is not None
    assert r.cost.mean == pytest.approx(0.25 * 2000, rel=0.1)
    costs = dict(r.cost.percentiles)
    assert costs[70] == 0 and 1000 <= costs[90] <= 3000


def test_summary_links_and_constraints_follow_cpm() -> None:
    tasks = [
        TaskIn(10, 0),
        TaskIn(1, 2, parent_id=10),
        TaskIn(2, 3, parent_id=10),
        TaskIn(3, 1, constraint=ConstraintType.SNET, constraint_date=date(2026, 5, 13)),
        TaskIn(4, 2),
    ]
    links = [LinkIn(10, 4, LinkType.FS, 1), LinkIn(1, 3, LinkType.SS)]
    cpm = schedule(project_start=START, calendar=CAL, tasks=tasks, links=links)
    r = simulate(project_start=START, calendar=CAL, tasks=tasks, links=links, iterations=10)
    assert r.deterministic_finish == cpm.project_finish
    assert r.percentiles[0].date == cpm.project_finish
    assert r.criticality == {
        tid: float(o.critical) for tid, o in cpm.tasks.items() if not o.is_summary
    }


def test_spearman_with_ties() -> None:
    x = np.array([[0.0, 0.0, 1.0, 1.0], [4.0, 3.0, 2.0, 1.0], [7.0, 7.0, 7.0, 7.0]])
    y = np.array([1.0, 2.0, 3.0, 4.0])
    rho = spearman(x, y)
    # Ranks (0.5, 0.5, 2.5, 2.5) against (0, 1, 2, 3): 4 / sqrt(4 * 5).
    assert rho[0] == pytest.approx(4 / (4 * 5) ** 0.5)
    assert rho[1] == pytest.approx(-1.0)
    assert rho[2] == 0.0


def test_errors() -> None:
    tasks = [TaskIn(10, 0), TaskIn(1, 2, parent_id=10), TaskIn(2, 1)]
    with pytest.raises(DomainError, match="iterations"):
        simulate(project_start=START, calendar=CAL, tasks=tasks, links=[], iterations=0)
    bad = [TaskUncertainty(1, Estimate(3, 2, 4))]
    with pytest.raises(DomainError) as exc:
        simulate(project_start=START, calendar=CAL, tasks=tasks, links=[], uncertainties=bad)
    assert str(exc.value) == BAD_ESTIMATE.format(where="Task 1")
    risk = RiskEvent("r", 1.5, (1,), Estimate.fixed(1))
    with pytest.raises(DomainError) as exc:
        simulate(project_start=START, calendar=CAL, tasks=tasks, links=[], risks=[risk])
    assert str(exc.value) == BAD_PROBABILITY.format(risk="r")
    risk = RiskEvent("r", 0.5, (10,), Estimate.fixed(1))
    with pytest.raises(DomainError) as exc:
        simulate(project_start=START, calendar=CAL, tasks=tasks, links=[], risks=[risk])
    assert str(exc.value) == SUMMARY_RISK.format(risk="r", id=10)
    risk = RiskEvent("r", 0.5, (99,), Estimate.fixed(1))
    with pytest.raises(DomainError, match="99"):
        simulate(project_start=START, calendar=CAL, tasks=tasks, links=[], risks=[risk])


# ---- plan JSON fields ---------------------------------------------------------------------------

PLAN = {
    "name": "Risky",
    "start": "2026-05-04",
    "tasks": [
        {"id": "a", "duration": 2, "optimistic": 1, "most_likely": 2, "pessimistic": 5},
        {
            "id": "b",
            "duration": 3,
            "optimistic": 2,
            "most_likely": 3,
            "pessimistic": 4,
            "distribution": "triangular",
            "cost": {"optimistic": 10, "most_likely": 20, "pessimistic": 40},
            "predecessors": [{"id": "a"}],
        },
        {"id": "c", "duration": 1, "cost": 500},
    ],
    "risks": [
        {
            "id": "storm",
            "name": "Storm",
            "probability": 0.1,
            "tasks": ["b", "c"],
            "delay": {"optimistic": 1, "most_likely": 2, "pessimistic": 3},
            "cost": 1000,
        }
    ],
}


def test_plan_json_risk_fields_and_round_trip() -> None:
    plan = parse_plan_json(json.dumps(PLAN))
    a, b, c = plan.tasks
    assert a.distribution is None and b.distribution == Distribution.TRIANGULAR
    assert b.cost == Estimate(10, 20, 40) and c.cost == Estimate.fixed(500)
    (storm,) = plan.risks
    assert storm == RiskEvent(
        id="storm",
        probability=0.1,
        task_ids=(2, 3),
        delay=Estimate(1, 2, 3),
        cost=Estimate.fixed(1000),
        name="Storm",
    )
    data = plan_to_dict(plan)
    assert data["risks"][0]["tasks"] == ["b", "c"]
    assert data["tasks"][1]["distribution"] == "triangular" and data["tasks"][2]["cost"] == 500
    assert parse_plan_json(json.dumps(data)) == plan


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: p["tasks"][2].update(distribution="pert"),
            pj.DISTRIBUTION_WITHOUT_ESTIMATES.format(task='"c"'),
        ),
        (
            lambda p: p["tasks"][0].update(distribution="normal"),
            pj.BAD_DISTRIBUTION.format(task='"a"', value='"normal"'),
        ),
        (
            lambda p: p["tasks"][2].update(cost={"optimistic": 5}),
            pj.BAD_THREE_POINT.format(where='task "c"', field="cost"),
        ),
        (
            lambda p: p["risks"][0].update(probability=2),
            pj.BAD_PROBABILITY.format(where='risk "storm"'),
        ),
        (
            lambda p: p["risks"][0].update(tasks=["zz"]),
            pj.UNKNOWN_RISK_TASK.format(risk='"storm"', task='"zz"'),
        ),
        (
            lambda p: p["risks"].append(dict(p["risks"][0])),
            pj.DUPLICATE_RISK.format(risk='"storm"'),
        ),
        (
            lambda p: p["risks"][0].pop("delay"),
            pj.MISSING_FIELD.format(where='risk "storm"', field="delay"),
        ),
    ],
)
def test_plan_json_risk_errors(change: object, message: str) -> None:
    raw = json.loads(json.dumps(PLAN))
    change(raw)  # type: ignore[operator]
    with pytest.raises(pj.PlanFormatError) as exc:
        parse_plan_json(json.dumps(raw))
    assert str(exc.value) == message

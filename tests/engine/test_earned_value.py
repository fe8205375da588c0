"""Earned value: hand-checked worked examples (a PMBOK-style one-task example and a four-task
project with earned schedule), dates against offsets, the S-curve series, the identities as
properties, and the plan fields it reads (baseline costs, actual costs)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keel.engine import earned_value as ev_module
from keel.engine.calendars import WorkCalendar
from keel.engine.earned_value import (
    BAD_PERCENT,
    FINISH_BEFORE_START,
    EvTask,
    Measurement,
    Period,
    earned_value,
)
from keel.engine.errors import DomainError
from keel.engine.formats import dump_mspdi, parse_mspdi, parse_plan_json, plan_to_dict

CAL = WorkCalendar()
START = date(2026, 1, 5)  # a Monday


def test_pmbok_style_single_task() -> None:
    # BAC 10,000 over 10 working days; at the end of day 5 the plan had 5,000 of work done,
    # 40% is done (EV 4,000) and 4,500 was spent.
    task = EvTask(
        1,
        budget=10_000,
        baseline_start=0,
        baseline_finish=10,
        percent_complete=40,
        actual_cost=4_500,
    )
    ev = earned_value(project_start=START, calendar=CAL, tasks=[task], status_date=date(2026, 1, 9))
    assert (ev.bac, ev.pv, ev.ev, ev.ac) == (10_000, 5_000, 4_000, 4_500)
    assert (ev.sv, ev.cv) == (-1_000, -500)
    assert ev.spi == pytest.approx(0.8)
    assert ev.cpi == pytest.approx(0.888_889, abs=1e-6)  # 4,000 / 4,500
    assert ev.eac_cpi == pytest.approx(11_250)  # 10,000 / (8/9)
    assert ev.eac == ev.eac_cpi
    assert ev.etc == pytest.approx(6_750)
    assert ev.vac == pytest.approx(-1_250)
    assert ev.eac_budget_rate == 10_500  # 4,500 + 6,000
    assert ev.eac_cpi_spi == pytest.approx(4_500 + 6_000 / (8 / 9 * 0.8))  # 12,937.5
    assert ev.eac_cpi_spi == pytest.approx(12_937.5)
    assert ev.tcpi_bac == pytest.approx(6_000 / 5_500)  # 1.0909
    assert ev.tcpi_eac == pytest.approx(6_000 / 6_750)  # = CPI
    assert (ev.percent_complete, ev.percent_spent) == (40, 45)
    # Earned schedule: PV reached 4,000 after 4 days; 5 days have passed.
    assert ev.earned_schedule_days == pytest.approx(4)
    assert ev.actual_time_days == 5
    assert ev.sv_t_days == pytest.approx(-1)
    assert ev.spi_t == pytest.approx(0.8)
    assert ev.ieac_t_days == pytest.approx(12.5)
    assert ev.planned_finish == date(2026, 1, 16)  # 10 working days
    assert ev.forecast_finish == date(2026, 1, 21)  # 12.5 days: in the 13th working day


def four_tasks() -> list[EvTask]:
    return [
        EvTask(1, 10_000, 0, 10, percent_complete=100, actual_cost=12_000),
        EvTask(2, 20_000, 10, 20, percent_complete=50, actual_cost=9_000),
        EvTask(3, 30_000, 10, 30, percent_complete=20, actual_cost=4_000),
        EvTask(4, 40_000, 30, 40),
    ]


def test_four_task_project_with_earned_schedule() -> None:
    # Status: end of Friday 30 January = 20 working days.
    ev = earned_value(
        project_start=START, calendar=CAL, tasks=four_tasks(), status_date=date(2026, 1, 30)
    )
    # PV = 10,000 + 20,000 + 30,000 x 10/20 = 45,000; EV = 10,000 + 10,000 + 6,000.
    assert (ev.bac, ev.pv, ev.ev, ev.ac) == (100_000, 45_000, 26_000, 25_000)
    assert (ev.sv, ev.cv) == (-19_000, 1_000)
    assert ev.spi == pytest.approx(26 / 45)  # 0.578
    assert ev.cpi == pytest.approx(1.04)
    assert ev.eac_cpi == pytest.approx(96_153.846, abs=1e-3)
    assert ev.eac_budget_rate == 99_000
    assert ev.eac_cpi_spi == pytest.approx(148_150.888, abs=1e-3)  # 25,000 + 74,000/0.60089
    assert ev.vac == pytest.approx(3_846.154, abs=1e-3)
    assert ev.tcpi_bac == pytest.approx(74 / 75)
    # PV was 10,000 after day 10 and grows 3,500 a day until day 20: it reached 26,000 at
    # 10 + 16,000 / 3,500 = 14.571 days. SPI(t) = 14.571 / 20; IEAC(t) = 40 / SPI(t) = 54.9.
    assert ev.earned_schedule_days == pytest.approx(14.571_428_6)
    assert ev.spi_t == pytest.approx(0.728_571_4)
    assert ev.ieac_t_days == pytest.approx(54.901_960_8)
    assert ev.planned_duration_days == 40
    assert ev.planned_finish == date(2026, 2, 27)
    assert ev.forecast_finish == date(2026, 3, 20)  # the 55th working day


def test_dates_and_offsets_agree_and_series() -> None:
    by_offset = four_tasks()
    # Task 2 as dates: working days 10..19 are Mon 19 Jan .. Fri 30 Jan.
    by_date = [*by_offset]
    by_date[1] = EvTask(2, 20_000, date(2026, 1, 19), date(2026, 1, 30), 50, 9_000)
    kw = {"project_start": START, "calendar": CAL, "status_date": date(2026, 1, 30)}
    one = earned_value(tasks=by_offset, **kw)  # type: ignore[arg-type]
    two = earned_value(
        tasks=by_date,
        history=[Measurement(date(2026, 1, 16), ev=9_000, ac=11_000)],
        **kw,  # type: ignore[arg-type]
    )
    assert (one.pv, one.earned_schedule_days) == (two.pv, two.earned_schedule_days)
    weeks = two.series
    assert [p.end for p in weeks[:4]] == [
        date(2026, 1, 11),
        date(2026, 1, 18),
        date(2026, 1, 25),
        date(2026, 2, 1),
    ]
    assert [p.pv for p in weeks] == [5_000, 10_000, 27_500, 45_000, 52_500, 60_000, 80_000, 100_000]
    assert [(p.ev, p.ac) for p in weeks[:5]] == [
        (None, None),
        (9_000, 11_000),
        (9_000, 11_000),
        (26_000, 25_000),
        (None, None),
    ]
    months = earned_value(tasks=by_offset, period=Period.MONTH, **kw)  # type: ignore[arg-type]
    assert [(p.end, p.pv) for p in months.series] == [
        (date(2026, 1, 31), 45_000),
        (date(2026, 2, 28), 100_000),
    ]
    days = earned_value(tasks=by_offset, period=Period.DAY, **kw)  # type: ignore[arg-type]
    assert len(days.series) == 40 and days.series[0] == days.series[0].__class__(
        START, 1_000, None, None
    )


def test_milestone_step_and_edge_cases() -> None:
    # A zero-length task earns its budget at once: ES is that moment, not interpolated.
    tasks = [EvTask(1, 100, 0, 4, 100), EvTask(2, 900, 4, 4, 0), EvTask(3, 0, 4, 8, 0)]
    ev = earned_value(project_start=START, calendar=CAL, tasks=tasks, status_date=START)
    assert ev.earned_schedule_days == pytest.approx(4)
    assert ev.pv == 25
    # Nothing spent: no CPI and no cost-based EAC, but the budget-rate EAC is defined.
    assert ev.cpi is None and ev.eac is None and ev.etc is None and ev.vac is None
    assert ev.eac_budget_rate == 900
    # Before the project starts: no time has passed, no SPI(t).
    early = earned_value(
        project_start=START, calendar=CAL, tasks=tasks, status_date=date(2026, 1, 2)
    )
    assert early.actual_time_days == 0 and early.spi_t is None and early.spi is None


def test_errors() -> None:
    kw = {"project_start": START, "calendar": CAL, "status_date": START}
    with pytest.raises(DomainError) as exc:
        earned_value(tasks=[EvTask(1, 10, 0, 5, 120)], **kw)  # type: ignore[arg-type]
    assert str(exc.value) == BAD_PERCENT.format(id=1, value=120)
    with pytest.raises(DomainError) as exc:
        earned_value(tasks=[EvTask(1, 10, 5, 4)], **kw)  # type: ignore[arg-type]
    assert str(exc.value) == FINISH_BEFORE_START.format(id=1)
    for bad in ([], [EvTask(1, -1, 0, 1)], [EvTask(1, 1, 0, 1, 0, -5)], [EvTask(1, 1, 0, 1)] * 2):
        with pytest.raises(DomainError):
            earned_value(tasks=bad, **kw)  # type: ignore[arg-type]


@st.composite
def projects(draw: st.DrawFn) -> tuple[list[EvTask], date]:
    tasks = []
    for i in range(draw(st.integers(1, 6))):
        s = draw(st.integers(0, 30))
        tasks.append(
            EvTask(
                i + 1,
                budget=draw(st.integers(0, 10_000)),
                baseline_start=s,
                baseline_finish=s + draw(st.integers(0, 15)),
                percent_complete=draw(st.sampled_from([0, 10, 50, 100])),
                actual_cost=draw(st.integers(0, 12_000)),
            )
        )
    status = date.fromordinal(START.toordinal() + draw(st.integers(-3, 70)))
    return tasks, status


@settings(max_examples=150, deadline=None)
@given(projects())
def test_identities(project: tuple[list[EvTask], date]) -> None:
    tasks, status = project
    ev = earned_value(project_start=START, calendar=CAL, tasks=tasks, status_date=status)
    assert ev.sv == pytest.approx(ev.ev - ev.pv)
    assert ev.cv == pytest.approx(ev.ev - ev.ac)
    if ev.cpi is not None:
        assert ev.cpi == pytest.approx(ev.ev / ev.ac)
        if ev.eac is not None:
            assert ev.etc == pytest.approx(ev.eac - ev.ac)
            assert ev.vac == pytest.approx(ev.bac - ev.eac)
    assert ev.eac_budget_rate == pytest.approx(ev.ac + ev.bac - ev.ev)
    assert 0 <= ev.pv <= ev.bac + 1e-6 and 0 <= ev.ev <= ev.bac + 1e-6
    assert 0 <= ev.earned_schedule_days <= ev.planned_duration_days + 1e-9
    # Behind plan in value means behind plan in time, and the other way round.
    if ev.actual_time_days > 0:
        assert (ev.ev <= ev.pv + 1e-6) == (ev.earned_schedule_days <= ev.actual_time_days + 1e-9)
    pvs = [p.pv for p in ev.series]
    assert pvs == sorted(pvs)
    assert pvs[-1] == pytest.approx(ev.bac)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 50), st.sampled_from([0, 0, 0.5, 1, 3.25, 10]), st.floats(0, 1e6)),
        min_size=1,
        max_size=12,
    ),
    st.integers(0, 2**32 - 1),
)
def test_pv_at_many_times_is_pv_at_each(rows: list[tuple[float, float, float]], seed: int) -> None:
    # The prefix-sum PV (`many`, used for the S-curve and to find ES) against the plain
    # sum of every task's share, at every breakpoint, just before it and in between.
    starts = np.array([r[0] for r in rows])
    curve = ev_module._PvCurve(
        starts, starts + [r[1] for r in rows], np.array([r[2] for r in rows])
    )
    between = np.random.default_rng(seed).uniform(-1, 70, 20)
    times = np.concatenate((curve.points, between))
    bac = sum(r[2] for r in rows)
    for before in (False, True):
        fast = curve.many(times, before=before)
        slow = [curve(float(t), before=before) for t in times]
        assert fast == pytest.approx(slow, abs=1e-9 * max(1.0, bac))


def test_a_forecast_past_the_calendar_has_no_date() -> None:
    """Found by test_identities: a project barely started long after its baseline forecasts a
    finish beyond year 9999; that is no date, not a crash."""
    tasks = [
        EvTask(1, budget=119, baseline_start=0, baseline_finish=1),
        EvTask(2, budget=1, baseline_start=30, baseline_finish=45, percent_complete=10),
        EvTask(3, budget=0, baseline_start=0, baseline_finish=0),
    ]
    ev = earned_value(project_start=START, calendar=CAL, tasks=tasks, status_date=date(2026, 2, 26))
    assert ev.forecast_finish is None
    assert ev.planned_finish is not None


# ---- plan fields: baseline costs and actual costs ---------------------------------------------


def test_plan_json_baseline_cost_and_actual_cost_round_trip() -> None:
    raw = {
        "name": "Costs",
        "start": "2026-01-05",
        "tasks": [
            {
                "id": "a",
                "duration": 5,
                "actual_cost": 1234.5,
                "baselines": [
                    {"number": 0, "start": "2026-01-05", "finish": "2026-01-09", "cost": 1000},
                    {"number": 1, "start": "2026-01-05", "finish": "2026-01-12"},
                ],
            },
            {"id": "b", "duration": 1},  # an old file: no such fields, still valid
        ],
    }
    plan = parse_plan_json(json.dumps(raw))
    a, b = plan.tasks
    assert a.actual_cost == 1234.5 and b.actual_cost is None
    assert [bl.cost for bl in a.baselines] == [1000, None]
    assert parse_plan_json(json.dumps(plan_to_dict(plan))) == plan
    again = parse_mspdi(dump_mspdi(plan), name="Costs")
    assert again.tasks[0].actual_cost == 1234.5
    assert [bl.cost for bl in again.tasks[0].baselines] == [1000, None]

"""Critical path method: worked examples checked by hand, then properties on random plans.

Unless said otherwise the calendar is Monday-Friday, 8 hours, with Monday 2026-05-11 a
holiday, and the project starts Monday 2026-05-04. Working days from the start:
May 4=0, 5=1, 6=2, 7=3, 8=4, 12=5, 13=6, 14=7, 15=8, 18=9.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keel.engine.calendars import WorkCalendar
from keel.engine.errors import CycleError, DomainError
from keel.engine.graph import find_cycle
from keel.engine.scheduling import schedule
from keel.engine.scheduling.cpm import MISSING_CONSTRAINT_DATE, UNKNOWN_LINK_TASK
from keel.engine.types import ConstraintType, LinkIn, LinkType, ScheduleResult, TaskIn

CAL = WorkCalendar(holidays=frozenset({date(2026, 5, 11)}))
START = date(2026, 5, 4)
MPD = CAL.minutes_per_day


def may(day: int) -> date:
    return date(2026, 5, day)


def run(
    tasks: Sequence[TaskIn],
    links: Sequence[LinkIn] = (),
    status_date: date | None = None,
) -> ScheduleResult:
    return schedule(
        project_start=START, calendar=CAL, tasks=tasks, links=links, status_date=status_date
    )


def dates(result: ScheduleResult, tid: int) -> tuple[date, date, date, date]:
    t = result.tasks[tid]
    return t.early_start, t.early_finish, t.late_start, t.late_finish


# ---- the four link types, lags and leads, a weekend and a holiday ------------------------


def test_five_task_network() -> None:
    result = run(
        [TaskIn(1, 3), TaskIn(2, 2), TaskIn(3, 4), TaskIn(4, 1.5), TaskIn(5, 2)],
        [
            LinkIn(1, 2, LinkType.FS, 1),  # B starts a day after A finishes
            LinkIn(1, 3, LinkType.SS, 2),  # C starts 2 days after A starts
            LinkIn(2, 4, LinkType.FF, -0.5),  # D finishes half a day before B
            LinkIn(3, 5, LinkType.SF, 3),  # E finishes 3 days after C starts
        ],
    )
    # A: minutes 0-1440 = Mon 4 .. Wed 6.
    assert dates(result, 1) == (may(4), may(6), may(4), may(6))
    # B: 1920-2880 = Fri 8 .. Tue 12 (weekend and the Monday holiday skipped).
    assert dates(result, 2) == (may(8), may(12), may(8), may(12))
    # C: 960-2880 = Wed 6 .. Tue 12.
    assert dates(result, 3) == (may(6), may(12), may(6), may(12))
    # D: EF = 2880 - 240 = 2640 (Tue 12 noon), ES = 1920 (Fri 8); may finish at 2880.
    assert dates(result, 4) == (may(8), may(12), may(8), may(12))
    assert result.tasks[4].total_float_days == 0.5
    assert result.tasks[4].free_float_days == 0.5
    # E: EF = 960 + 1440 = 2400 (end of Fri 8), ES = 1440 (Thu 7); late by one day.
    assert dates(result, 5) == (may(7), may(8), may(8), may(12))
    assert result.tasks[5].total_float_days == 1.0
    for tid in (1, 2, 3):
        assert result.tasks[tid].total_float_days == 0
        assert result.tasks[tid].free_float_days == 0
    assert result.critical_path == (1, 3, 2)
    assert (result.project_start, result.project_finish) == (may(4), may(12))


def test_fractional_durations_round_to_minutes() -> None:
    result = run([TaskIn(1, 0.5), TaskIn(2, 0.5)], [LinkIn(1, 2)])
    assert dates(result, 1)[:2] == (may(4), may(4))
    assert dates(result, 2)[:2] == (may(4), may(4))


def test_china_make_up_working_day() -> None:
    cal = WorkCalendar(
        holidays=frozenset(date(2026, 10, d) for d in range(1, 9)),
        working_days=frozenset({date(2026, 10, 10)}),
    )
    result = schedule(
        project_start=date(2026, 9, 28),
        calendar=cal,
        tasks=[TaskIn(1, 5), TaskIn(2, 1)],
        links=[LinkIn(1, 2)],
    )
    # Sep 28, 29, 30, Oct 9 and the make-up Saturday Oct 10.
    assert dates(result, 1)[:2] == (date(2026, 9, 28), date(2026, 10, 10))
    assert dates(result, 2)[:2] == (date(2026, 10, 12), date(2026, 10, 12))


# ---- milestones -------------------------------------------------------------------------


def test_milestones_sit_where_ms_project_shows_them() -> None:
    result = run(
        [
            TaskIn(1, 3),  # Mon 4 .. Wed 6
            TaskIn(2, 0),  # after 1: end of Wed 6, shown on Wed 6
            TaskIn(3, 1),  # after milestone 2: Thu 7
            TaskIn(4, 0),  # no links: the project start
            TaskIn(5, 0, constraint=ConstraintType.SNET, constraint_date=may(8)),
            TaskIn(6, 0),  # SS after task 3: the start of Thu 7
            TaskIn(7, 0),  # FS after milestone 2 with a 1-day lag: end of Thu 7
        ],
        [LinkIn(1, 2), LinkIn(2, 3), LinkIn(3, 6, LinkType.SS), LinkIn(2, 7, lag_days=1)],
    )
    assert dates(result, 2) == (may(6), may(6), may(6), may(6))
    assert dates(result, 3) == (may(7), may(7), may(7), may(7))
    assert dates(result, 4)[:2] == (may(4), may(4))
    assert dates(result, 5)[:2] == (may(8), may(8))
    assert dates(result, 6)[:2] == (may(7), may(7))
    assert dates(result, 7)[:2] == (may(7), may(7))
    # Milestone 4 has no successors: late at the project finish, the end of Fri 8.
    assert dates(result, 4)[2:] == (may(8), may(8))
    assert result.tasks[4].total_float_days == 4
    assert result.project_finish == may(8)


# ---- summaries --------------------------------------------------------------------------


def test_summary_rollup_and_links_on_summaries() -> None:
    tasks = [
        TaskIn(10, 0),  # summary: its own duration is ignored
        TaskIn(11, 2, parent_id=10),
        TaskIn(12, 3, parent_id=10),
        TaskIn(1, 1),  # before the summary
        TaskIn(2, 1),  # after the summary
        TaskIn(3, 1),  # SS after the summary's latest-starting leaf
    ]
    links = [LinkIn(1, 10), LinkIn(11, 12), LinkIn(10, 2), LinkIn(10, 3, LinkType.SS)]
    result = run(tasks, links)
    assert dates(result, 1)[:2] == (may(4), may(4))
    assert dates(result, 11)[:2] == (may(5), may(6))
    assert dates(result, 12)[:2] == (may(7), may(12))
    assert dates(result, 2)[:2] == (may(13), may(13))
    assert dates(result, 3)[:2] == (may(7), may(7))
    summary = result.tasks[10]
    assert summary.is_summary and summary.critical
    assert (summary.early_start, summary.early_finish) == (may(5), may(12))
    assert (summary.late_start, summary.late_finish) == (may(5), may(12))
    assert summary.total_float_days == 0
    assert 10 not in result.critical_path
    assert result.critical_path == (1, 11, 12, 2)


def test_nested_summaries_roll_up_to_the_top() -> None:
    tasks = [
        TaskIn(1, 0),
        TaskIn(2, 0, parent_id=1),
        TaskIn(3, 2, parent_id=2),
        TaskIn(4, 1, parent_id=1),
    ]
    result = run(tasks, [LinkIn(2, 4)])
    # 3: Mon 4 .. Tue 5; 4 after summary 2: Wed 6.
    assert dates(result, 1)[:2] == (may(4), may(6))
    assert dates(result, 2)[:2] == (may(4), may(5))
    assert dates(result, 4)[:2] == (may(6), may(6))


# ---- constraints and deadlines ----------------------------------------------------------


def test_snet_pushes_later() -> None:
    result = run([TaskIn(1, 1, constraint=ConstraintType.SNET, constraint_date=may(9))])
    assert dates(result, 1)[:2] == (may(12), may(12))  # Sat -> Mon is a holiday -> Tue


def test_mso_pin_beats_links_and_shows_negative_float() -> None:
    result = run(
        [TaskIn(1, 2), TaskIn(2, 1, constraint=ConstraintType.MSO, constraint_date=may(4))],
        [LinkIn(1, 2)],
    )
    assert dates(result, 2) == (may(4), may(4), may(4), may(4))
    assert result.tasks[2].misses_deadline
    assert result.tasks[1].total_float_days == -2
    assert result.tasks[1].critical
    assert not result.tasks[1].misses_deadline


def test_fnlt_gives_negative_float() -> None:
    result = run([TaskIn(1, 3, constraint=ConstraintType.FNLT, constraint_date=may(5))])
    assert dates(result, 1) == (may(4), may(6), may(1), may(5))
    assert result.tasks[1].total_float_days == -1
    assert result.tasks[1].misses_deadline


def test_snlt_met_is_not_missed() -> None:
    result = run(
        [TaskIn(1, 2), TaskIn(2, 1, constraint=ConstraintType.SNLT, constraint_date=may(6))],
        [LinkIn(1, 2)],
    )
    assert not result.tasks[2].misses_deadline
    assert result.tasks[2].total_float_days == 0


def test_deadline_limits_late_finish_without_moving_the_task() -> None:
    result = run([TaskIn(1, 4, deadline=may(6)), TaskIn(2, 6)])
    assert dates(result, 1) == (may(4), may(7), may(1), may(6))
    assert result.tasks[1].total_float_days == -1
    assert result.tasks[1].misses_deadline
    assert not result.tasks[2].misses_deadline


def test_alap_moves_to_its_late_dates_and_successors_follow() -> None:
    result = run(
        [TaskIn(1, 5), TaskIn(2, 1, constraint=ConstraintType.ALAP), TaskIn(3, 1)],
        [LinkIn(2, 3)],
    )
    # Project: 5 days (Mon 4 .. Fri 8). 2 -> 3 fits in the last two days.
    assert dates(result, 2)[:2] == (may(7), may(7))
    assert dates(result, 3)[:2] == (may(8), may(8))
    assert result.tasks[2].total_float_days == 0


def test_fnet_and_mfo() -> None:
    result = run(
        [
            TaskIn(1, 2, constraint=ConstraintType.FNET, constraint_date=may(8)),
            TaskIn(2, 2, constraint=ConstraintType.MFO, constraint_date=may(13)),
        ]
    )
    assert dates(result, 1)[:2] == (may(7), may(8))
    assert dates(result, 2)[:2] == (may(12), may(13))


# ---- progress -----------------------------------------------------------------------


def test_progress_against_a_status_date() -> None:
    result = run(
        [
            TaskIn(1, 4, percent_complete=25, actual_start=may(4)),
            TaskIn(2, 2),
            TaskIn(3, 1),
            TaskIn(4, 2, actual_start=may(4), actual_finish=may(5), percent_complete=100),
        ],
        [LinkIn(1, 2), LinkIn(4, 2)],
        status_date=may(6),
    )
    # 1 day done; 3 remaining days from Thu 7: Thu 7, Fri 8, Tue 12.
    assert dates(result, 1)[:2] == (may(4), may(12))
    assert dates(result, 2)[:2] == (may(13), may(14))
    # Not started: not before the day after the status date.
    assert dates(result, 3)[:2] == (may(7), may(7))
    # Done: the actual dates, never critical.
    assert dates(result, 4) == (may(4), may(5), may(4), may(5))
    assert not result.tasks[4].critical
    assert result.critical_path == (1, 2)


def test_actual_start_without_status_date_pins_the_start() -> None:
    result = run([TaskIn(1, 2), TaskIn(2, 2, actual_start=may(5))], [LinkIn(1, 2)])
    assert dates(result, 2)[:2] == (may(5), may(6))


# ---- errors -----------------------------------------------------------------------------


def test_cycle_names_the_loop() -> None:
    with pytest.raises(CycleError) as info:
        run(
            [TaskIn(i, 1) for i in (1, 2, 3, 4)],
            [LinkIn(1, 2), LinkIn(2, 3), LinkIn(3, 1), LinkIn(3, 4)],
        )
    assert info.value.cycle[0] == info.value.cycle[-1]
    assert set(info.value.cycle) == {1, 2, 3}


def test_cycle_through_a_summary_names_the_summary() -> None:
    tasks = [TaskIn(10, 0), TaskIn(11, 1, parent_id=10), TaskIn(1, 1)]
    with pytest.raises(CycleError) as info:
        run(tasks, [LinkIn(1, 10), LinkIn(11, 1)])
    assert set(info.value.cycle) == {1, 10, 11}
    with pytest.raises(CycleError):
        run(tasks, [LinkIn(10, 11)])  # a summary linked to its own child


def test_self_link_is_a_cycle() -> None:
    with pytest.raises(CycleError):
        run([TaskIn(1, 1)], [LinkIn(1, 1)])


def test_unknown_task_in_link() -> None:
    with pytest.raises(DomainError) as info:
        run([TaskIn(1, 1)], [LinkIn(1, 99)])
    assert str(info.value) == UNKNOWN_LINK_TASK.format(id=99)


def test_constraint_without_date() -> None:
    with pytest.raises(DomainError) as info:
        run([TaskIn(1, 1, constraint=ConstraintType.MSO)])
    assert str(info.value) == MISSING_CONSTRAINT_DATE.format(id=1, constraint="mso")


def test_empty_plan() -> None:
    result = run([])
    assert result.tasks == {} and result.critical_path == ()
    assert result.project_start == result.project_finish == may(4)


# ---- properties on random plans -------------------------------------------------------


@st.composite
def plans(draw: st.DrawFn, hierarchy: bool = False) -> tuple[list[TaskIn], list[LinkIn]]:
    """A random DAG: links only go from lower to higher index. With `hierarchy`, tasks get
    parents of lower index, and a link is kept only if the plan stays loop-free once links
    on summaries are read as links on their leaves."""
    n = draw(st.integers(1, 25))
    parents: list[int | None] = [None] * n
    if hierarchy:
        for i in range(1, n):
            parents[i] = draw(st.none() | st.integers(0, i - 1))
    quarter_days = st.integers(0, 20).map(lambda q: q / 4)
    tasks = [TaskIn(i, draw(quarter_days), parent_id=parents[i]) for i in range(n)]

    links: list[LinkIn] = []
    leaf_edges: list[tuple[int, int]] = []
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40))
    for a, b in pairs:
        if a >= b:
            continue
        new = [(x, y) for x in _leaves(tasks, a) for y in _leaves(tasks, b)]
        if find_cycle(range(n), leaf_edges + new) is not None:
            continue
        leaf_edges += new
        kind = draw(st.sampled_from(list(LinkType)))
        lag = draw(st.integers(-6, 6)) / 2
        links.append(LinkIn(a, b, kind, lag))
    return tasks, links


def _leaves(tasks: list[TaskIn], tid: int) -> list[int]:
    kids = [t.id for t in tasks if t.parent_id == tid]
    if not kids:
        return [tid]
    return [leaf for k in kids for leaf in _leaves(tasks, k)]


def _link_holds(result: ScheduleResult, link: LinkIn, p: int, s: int) -> bool:
    pt, stask = result.tasks[p], result.tasks[s]
    lag = round(link.lag_days * MPD)
    if link.type == LinkType.FS:
        return stask.early_start_minute >= pt.early_finish_minute + lag
    if link.type == LinkType.SS:
        return stask.early_start_minute >= pt.early_start_minute + lag
    if link.type == LinkType.FF:
        return stask.early_finish_minute >= pt.early_finish_minute + lag
    return stask.early_finish_minute >= pt.early_start_minute + lag


@settings(max_examples=300, deadline=None)
@given(plans())
def test_random_plans_obey_every_rule(plan: tuple[list[TaskIn], list[LinkIn]]) -> None:
    tasks, links = plan
    result = run(tasks, links)
    finish = max(t.early_finish_minute for t in result.tasks.values())
    for link in links:
        assert _link_holds(result, link, link.predecessor_id, link.successor_id)
    for t in result.tasks.values():
        assert t.early_start_minute >= 0
        assert t.early_finish_minute >= t.early_start_minute
        assert t.early_start <= t.early_finish and t.late_start <= t.late_finish
        assert t.early_start <= t.late_start and t.early_finish <= t.late_finish
        assert t.late_finish_minute <= finish
        assert t.total_float_days >= 0
        assert 0 <= t.free_float_days <= t.total_float_days
        assert t.total_float_days * MPD == t.late_start_minute - t.early_start_minute
        assert not t.misses_deadline
    assert result.critical_path
    assert all(result.tasks[tid].total_float_days == 0 for tid in result.critical_path)
    starts = [result.tasks[tid].early_start_minute for tid in result.critical_path]
    assert starts == sorted(starts)
    assert result.project_finish == max(t.early_finish for t in result.tasks.values())


@settings(max_examples=200, deadline=None)
@given(plans(hierarchy=True))
def test_random_plans_with_summaries(plan: tuple[list[TaskIn], list[LinkIn]]) -> None:
    tasks, links = plan
    result = run(tasks, links)
    for link in links:
        for p in _leaves(tasks, link.predecessor_id):
            for s in _leaves(tasks, link.successor_id):
                assert _link_holds(result, link, p, s)
    for t in tasks:
        out = result.tasks[t.id]
        leaves = [result.tasks[leaf] for leaf in _leaves(tasks, t.id)]
        assert out.is_summary == (leaves[0].id != t.id)
        assert out.early_start_minute == min(x.early_start_minute for x in leaves)
        assert out.early_finish_minute == max(x.early_finish_minute for x in leaves)
        assert out.late_finish_minute == max(x.late_finish_minute for x in leaves)
        assert out.early_start == min(x.early_start for x in leaves)
        assert out.total_float_days >= 0
    assert result.critical_path
    assert not any(result.tasks[tid].is_summary for tid in result.critical_path)


@settings(max_examples=100, deadline=None)
@given(plans(), st.integers(0, 15))
def test_a_status_date_holds_back_unstarted_work(
    plan: tuple[list[TaskIn], list[LinkIn]], status_offset: int
) -> None:
    tasks, links = plan
    status = CAL.add_working_days(START, status_offset)
    result = run(tasks, links, status_date=status)
    for link in links:
        assert _link_holds(result, link, link.predecessor_id, link.successor_id)
    for t in result.tasks.values():
        assert t.early_start > status


@settings(max_examples=150, deadline=None)
@given(plans(), st.data())
def test_negative_float_appears_exactly_when_something_is_missed(
    plan: tuple[list[TaskIn], list[LinkIn]], data: st.DataObject
) -> None:
    tasks, links = plan
    day = st.integers(0, 30).map(lambda i: CAL.add_working_days(START, i))
    kinds = st.sampled_from([ConstraintType.SNET, ConstraintType.FNLT, ConstraintType.SNLT])
    constrained = []
    for t in tasks:
        if data.draw(st.booleans()):
            t = TaskIn(
                t.id, t.duration_days, constraint=data.draw(kinds), constraint_date=data.draw(day)
            )
        if data.draw(st.booleans()):
            t = TaskIn(
                t.id, t.duration_days, t.parent_id, t.constraint, t.constraint_date, data.draw(day)
            )
        constrained.append(t)
    result = run(constrained, links)
    for link in links:
        assert _link_holds(result, link, link.predecessor_id, link.successor_id)
    for t in constrained:
        out = result.tasks[t.id]
        if t.deadline is not None and out.early_finish > t.deadline:
            assert out.misses_deadline and out.total_float_days <= 0
        if t.constraint == ConstraintType.SNET:
            assert out.early_start >= t.constraint_date  # type: ignore[operator]  # set above
    outs = result.tasks.values()
    if any(o.total_float_days < 0 for o in outs):
        assert any(o.misses_deadline for o in outs)
    if any(o.misses_deadline for o in outs):
        assert any(o.total_float_days <= 0 for o in outs)
    if not any(o.misses_deadline for o in outs):
        assert all(o.total_float_days >= 0 for o in outs)


def test_milestone_the_morning_after_its_deadline_misses_it() -> None:
    result = run(
        [TaskIn(1, 0, constraint=ConstraintType.SNET, constraint_date=may(5), deadline=may(4))]
    )
    assert dates(result, 1)[:2] == (may(5), may(5))
    assert result.tasks[1].misses_deadline
    assert result.tasks[1].total_float_days == 0


def test_a_plan_past_year_9999_is_a_domain_error() -> None:
    import datetime as _dt

    import pytest as _pytest

    from keel.engine.calendars import WorkCalendar as _Cal
    from keel.engine.errors import DateOutOfRange
    from keel.engine.scheduling import schedule as _schedule
    from keel.engine.types import TaskIn as _TaskIn

    with _pytest.raises(DateOutOfRange):
        _schedule(
            project_start=_dt.date(2999, 1, 1),
            calendar=_Cal(weekdays=frozenset({0})),
            tasks=[_TaskIn(id=1, duration_days=999_999)],
            links=[],
        )

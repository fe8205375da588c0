"""cpm's two ways of running the passes give the same schedule.

Plans under `VECTOR_MIN_NODES` nodes (every other engine test) run the passes one node at
a time; bigger, wide plans run them level by level with numpy. These properties force each
way on the same random plans (constraints, deadlines, progress, actuals, milestones,
summaries with links on them, ALAP, a status date) and compare everything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from keel.engine.calendars import WorkCalendar
from keel.engine.errors import CycleError
from keel.engine.scheduling import cpm
from keel.engine.types import ConstraintType, LinkIn, LinkType, TaskIn

START = date(2026, 1, 5)


@contextmanager
def passes(by_level: bool) -> Iterator[None]:
    saved = cpm.VECTOR_MIN_NODES, cpm.VECTOR_MIN_WIDTH
    cpm.VECTOR_MIN_NODES, cpm.VECTOR_MIN_WIDTH = (0, 0) if by_level else (10**9, 10**9)
    try:
        yield
    finally:
        cpm.VECTOR_MIN_NODES, cpm.VECTOR_MIN_WIDTH = saved


@st.composite
def moments(draw: st.DrawFn) -> date:
    d = START + timedelta(days=draw(st.integers(-5, 40)))
    if draw(st.booleans()):
        return datetime.combine(d, time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))))
    return d


@st.composite
def plans(draw: st.DrawFn) -> tuple[list[TaskIn], list[LinkIn], date | None]:
    n = draw(st.integers(1, 40))
    parents: dict[int, int | None] = {}
    tasks: list[TaskIn] = []
    for i in range(1, n + 1):
        parent = draw(st.none() | st.integers(max(1, i - 6), i - 1)) if i > 1 else None
        parents[i] = parent
        constraint = draw(st.sampled_from(list(ConstraintType)))
        dated = constraint not in (ConstraintType.ASAP, ConstraintType.ALAP)
        actual_start = draw(st.none() | moments()) if draw(st.integers(0, 9)) == 0 else None
        actual_finish = None
        if actual_start is not None and draw(st.booleans()):
            actual_finish = actual_start + timedelta(days=draw(st.integers(0, 5)))
        tasks.append(
            TaskIn(
                id=i,
                duration_days=draw(st.sampled_from([0, 0, 0.25, 0.5, 1, 2, 3])),
                parent_id=parent,
                constraint=constraint,
                constraint_date=draw(moments()) if dated else None,
                deadline=draw(st.none() | moments()) if draw(st.integers(0, 5)) == 0 else None,
                percent_complete=draw(st.sampled_from([0, 0, 0, 30, 100])),
                actual_start=actual_start,
                actual_finish=actual_finish,
            )
        )

    def ancestors(t: int) -> set[int]:
        out: set[int] = set()
        p = parents[t]
        while p is not None:
            out.add(p)
            p = parents[p]
        return out

    links: list[LinkIn] = []
    for _ in range(draw(st.integers(0, 3 * n)) if n > 1 else 0):
        b = draw(st.integers(2, n))
        a = draw(st.integers(max(1, b - 8), b - 1))
        if a in ancestors(b) or b in ancestors(a):
            continue
        links.append(
            LinkIn(
                a,
                b,
                draw(st.sampled_from(list(LinkType))),
                draw(st.sampled_from([0, 0, 1, -0.5, 0.125])),
            )
        )
    status = draw(st.none() | st.just(START + timedelta(days=draw(st.integers(0, 20)))))
    return tasks, links, status


@given(plans(), st.sampled_from([0.0, 1.0]))
def test_level_wise_passes_match_the_node_by_node_passes(
    plan: tuple[list[TaskIn], list[LinkIn], date | None], threshold: float
) -> None:
    tasks, links, status = plan
    calendar = WorkCalendar(holidays=frozenset({START + timedelta(days=9), date(2026, 2, 2)}))
    outcomes: list[object] = []
    for by_level in (False, True):
        with passes(by_level):
            try:
                result = cpm.schedule(
                    project_start=START,
                    calendar=calendar,
                    tasks=tasks,
                    links=links,
                    status_date=status,
                    critical_threshold_days=threshold,
                )
            except CycleError as exc:  # links on summaries can still make loops
                outcomes.append(("loop", tuple(exc.cycle)))
                continue
        outcomes.append(
            (
                result.project_start,
                result.project_finish,
                result.critical_path,
                [(k, dataclasses.astuple(v)) for k, v in result.tasks.items()],
            )
        )
    assert outcomes[0] == outcomes[1]

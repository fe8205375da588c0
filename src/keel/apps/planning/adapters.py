"""Planning rows <-> engine dataclasses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from keel.apps.projects.adapters import holidays_known_until, project_calendar
from keel.apps.projects.models import Project
from keel.engine.calendars import WorkCalendar
from keel.engine.scheduling import schedule
from keel.engine.types import ConstraintType, LinkIn, LinkType, ScheduleResult, TaskIn
from keel.engine.wbs import WbsNode

from .models import Dependency, Task


def wbs_nodes(rows: Iterable[tuple[int, int | None, int]]) -> list[WbsNode]:
    return [WbsNode(id=i, parent_id=p, position=pos) for i, p, pos in rows]


def task_in(task: Task) -> TaskIn:
    return TaskIn(
        id=task.pk,
        duration_days=0.0 if task.is_milestone else float(task.duration_days),
        parent_id=task.parent_id,
        constraint=ConstraintType(task.constraint_type),
        constraint_date=task.constraint_date,
        deadline=task.deadline,
        percent_complete=float(task.percent_complete),
    )


def link_in(dep: Dependency) -> LinkIn:
    return LinkIn(
        predecessor_id=dep.predecessor_id,
        successor_id=dep.successor_id,
        type=LinkType(dep.type),
        lag_days=float(dep.lag_days),
    )


def compute_schedule(
    project: Project,
    tasks: list[Task],
    deps: list[Dependency],
    *,
    status_date: date | None = None,
) -> tuple[ScheduleResult, WorkCalendar]:
    task_rows = [task_in(t) for t in tasks]
    link_rows = [link_in(d) for d in deps]
    until: date | None = None
    # Public holidays are loaded for the years the plan is expected to span; a plan that
    # runs past them is scheduled again with the holidays of the years it reaches.
    for _attempt in range(3):
        calendar = project_calendar(project, until=until)
        result = schedule(
            project_start=project.start_date,
            calendar=calendar,
            tasks=task_rows,
            links=link_rows,
            status_date=status_date,
        )
        known = holidays_known_until(project, until=until)
        if not project.holiday_country or result.project_finish <= known:
            break
        until = result.project_finish
    return result, calendar

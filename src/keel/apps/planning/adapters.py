"""Planning rows <-> engine dataclasses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from keel.apps.projects.adapters import holidays_known_until, project_calendar
from keel.apps.projects.models import Project
from keel.engine.calendars import WorkCalendar
from keel.engine.scheduling import schedule
from keel.engine.types import ConstraintType, LinkIn, LinkType, ScheduleResult, TaskIn
from keel.engine.wbs import WbsNode

from .models import Dependency, Task, TaskStatus


def wbs_nodes(rows: Iterable[tuple[int, int | None, int]]) -> list[WbsNode]:
    return [WbsNode(id=i, parent_id=p, position=pos) for i, p, pos in rows]


def task_in(task: Task) -> TaskIn:
    # Cancelled work takes no time: its successors no longer wait for it.
    cancelled = task.status == TaskStatus.CANCELLED
    return TaskIn(
        id=task.pk,
        duration_days=0.0 if task.is_milestone or cancelled else float(task.duration_days),
        parent_id=task.parent_id,
        constraint=ConstraintType(task.constraint_type),
        constraint_date=task.constraint_date,
        deadline=task.deadline,
        percent_complete=0.0 if cancelled else float(task.percent_complete),
        actual_start=None if cancelled else task.actual_start,
        actual_finish=None if cancelled else task.actual_finish,
    )


# The Dependency columns the engine needs. The schedule service reads only these
# (`values_list(*LINK_COLUMNS)` into `link_row`): making 50,000 Dependency objects takes
# longer than scheduling them.
LINK_COLUMNS = ("predecessor_id", "successor_id", "type", "lag_days")


def link_row(predecessor_id: int, successor_id: int, kind: str, lag_days: Decimal) -> LinkIn:
    return LinkIn(
        predecessor_id=predecessor_id,
        successor_id=successor_id,
        type=LinkType(kind),
        lag_days=float(lag_days),
    )


def link_in(dep: Dependency) -> LinkIn:
    return link_row(dep.predecessor_id, dep.successor_id, dep.type, dep.lag_days)


def compute_schedule(
    project: Project,
    tasks: list[Task],
    links: Sequence[LinkIn],
    *,
    status_date: date | None = None,
) -> tuple[ScheduleResult, WorkCalendar]:
    task_rows = [task_in(t) for t in tasks]
    link_rows = list(links)
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


def planned_work_hours(task: Task, hours_per_day: Decimal, people: int) -> Decimal:
    """A leaf task's planned work: its working days at the project's hours per day, times
    the people its resource assignments add up to (units / 100); a task without
    assignments counts each assignee, at least one. Summaries add up their leaves."""
    if task.is_milestone or task.status == TaskStatus.CANCELLED:
        return Decimal("0")
    staff = task.assigned_units if task.assigned_units is not None else Decimal(max(1, people))
    return (task.duration_days * hours_per_day * staff).quantize(Decimal("0.01"))


def remaining_work_hours(task: Task, people: int) -> Decimal:
    """The planned work still to do: the planned work less what the progress has done."""
    planned = planned_work_hours(task, task.project.hours_per_day, people)
    return (planned * (100 - task.percent_complete) / 100).quantize(Decimal("0.01"))

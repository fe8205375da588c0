"""What the Gantt chart reads: every task of a plan as one compact row (outline order, depth,
dates, flags, whether the reader may drag it, its baseline if one is saved), the links, and
the working calendar over the span the chart shows. A constant number of queries whatever
the size of the plan."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from keel.apps.projects.adapters import project_calendar
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, can, require

from .models import BaselineTask, Dependency, Task
from .permissions import mark_editable
from .selectors import project_today

# Room around the plan so a bar can be dragged past the current finish.
PAD_BEFORE = timedelta(days=14)
PAD_AFTER = timedelta(days=90)

# The columns a row is made of, in the order gantt_rows unpacks them.
_ROW_FIELDS = (
    "id",
    "wbs_code",
    "name",
    "parent_id",
    "start",
    "finish",
    "duration_days",
    "is_summary",
    "is_milestone",
    "is_critical",
    "percent_complete",
    "status",
    "constraint_type",
    "constraint_date",
    "version",
)


@dataclass(frozen=True, slots=True)
class GanttBaseline:
    """A task's dates in the project's primary baseline."""

    start: date
    finish: date


@dataclass(frozen=True, slots=True)
class GanttRow:
    id: int
    wbs: str
    name: str
    depth: int
    parent: int | None
    start: date | None
    finish: date | None
    duration: Decimal
    is_summary: bool
    is_milestone: bool
    is_critical: bool
    percent: int
    status: str
    constraint_type: str
    constraint_date: date | None
    can_edit: bool
    version: int
    baseline: GanttBaseline | None


@dataclass(frozen=True, slots=True)
class GanttLink:
    predecessor: int
    successor: int
    type: str
    lag: Decimal


@dataclass(frozen=True, slots=True)
class GanttCalendar:
    """Working days between `first` and `last`: the weekly pattern (ISO weekdays, 1 = Monday)
    and its exceptions in that span, holidays on working weekdays and make-up working days on
    the others."""

    first: date
    last: date
    working_weekdays: list[int]
    holidays: list[date]
    working_days: list[date]


@dataclass(frozen=True, slots=True)
class GanttChart:
    project_id: int
    start: date
    finish: date | None
    status_date: date | None
    today: date
    schedule_state: str
    calendar: GanttCalendar
    tasks: list[GanttRow]
    links: list[GanttLink]


def outline_key(code: str) -> list[int]:
    """Sorts WBS codes in outline order: 1.2 before 1.10."""
    return [int(p) for p in code.split(".") if p.isdigit()] if code else [0]


def _editable(actor: Any, project: Project) -> set[int] | bool:
    """Which tasks the person may change: True for all, False for none, else their ids."""
    every = can(actor, ProjectAction.EDIT_ANY_TASK, project)
    if every or not can(actor, ProjectAction.EDIT_TASKS, project):
        return every
    # People who change their own tasks only: the one rule, permissions.mark_editable, asked
    # about each task (two columns and the assignees are all it needs).
    people = get_user_model().objects.only("id")
    tasks = list(
        Task.objects.filter(project=project)
        .only("id", "owner_id")
        .prefetch_related(Prefetch("assignees", queryset=people))
    )
    mark_editable(actor, project, tasks)
    return {t.pk for t in tasks if t.can_edit}  # type: ignore[attr-defined]  # set just above


def _baselines(project: Project, ids: Collection[int] | None) -> dict[int, GanttBaseline]:
    """The tasks' dates in the primary baseline (the one the chart compares with)."""
    rows = BaselineTask.objects.filter(baseline__project=project, baseline__is_primary=True)
    if ids is not None:
        rows = rows.filter(task_key__in=list(ids))
    return {
        key: GanttBaseline(start=start, finish=finish)
        for key, start, finish in rows.values_list("task_key", "start", "finish")
        if start is not None and finish is not None
    }


def gantt_rows(actor: Any, project: Project, ids: Collection[int] | None = None) -> list[GanttRow]:
    """The chart's rows in outline order: all of the project's tasks, or those in `ids`.
    Read as tuples, not model instances: at thousands of tasks that is most of the time."""
    require(actor, ProjectAction.VIEW, project)
    qs = Task.objects.filter(project=project)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    values = sorted(qs.values_list(*_ROW_FIELDS), key=lambda v: (outline_key(v[1]), v[0]))
    editable = _editable(actor, project) if values else False
    baselines = _baselines(project, None if ids is None else [v[0] for v in values])
    rows = []
    for (
        pk,
        wbs,
        name,
        parent,
        start,
        finish,
        duration,
        summary,
        milestone,
        critical,
        percent,
        status,
        constraint_type,
        constraint_date,
        version,
    ) in values:
        rows.append(
            GanttRow(
                id=pk,
                wbs=wbs,
                name=name,
                depth=wbs.count(".") if wbs else 0,
                parent=parent,
                start=start,
                finish=finish,
                duration=duration,
                is_summary=summary,
                is_milestone=milestone,
                is_critical=critical,
                percent=percent,
                status=status,
                constraint_type=constraint_type,
                constraint_date=constraint_date,
                can_edit=editable if isinstance(editable, bool) else pk in editable,
                version=version,
                baseline=baselines.get(pk),
            )
        )
    return rows


def gantt_calendar(project: Project, first: date, last: date) -> GanttCalendar:
    """The project's working calendar between two days, as the chart needs it."""
    calendar = project_calendar(project, until=last)
    weekly = sorted({int(d) for d in project.working_weekdays if d.isdigit()})
    holidays: list[date] = []
    extra: list[date] = []
    day = first
    while day <= last:
        usual = day.isoweekday() in weekly
        worked = calendar.is_working_day(day)
        if usual and not worked:
            holidays.append(day)
        elif worked and not usual:
            extra.append(day)
        day += timedelta(days=1)
    return GanttCalendar(
        first=first, last=last, working_weekdays=weekly, holidays=holidays, working_days=extra
    )


def gantt_chart(actor: Any, project: Project) -> GanttChart:
    """Everything the Gantt page draws, in one read."""
    rows = gantt_rows(actor, project)
    links = [
        GanttLink(predecessor=p, successor=s, type=k, lag=lag)
        for p, s, k, lag in Dependency.objects.filter(project=project)
        .order_by("pk")
        .values_list("predecessor_id", "successor_id", "type", "lag_days")
    ]
    today = project_today(project)
    starts = [r.start for r in rows if r.start is not None]
    finishes = [r.finish for r in rows if r.finish is not None]
    marks = [d for d in (project.status_date, project.scheduled_finish, today) if d is not None]
    first = min([project.start_date, *starts, *marks]) - PAD_BEFORE
    last = max([project.start_date, *finishes, *marks]) + PAD_AFTER
    return GanttChart(
        project_id=project.pk,
        start=project.start_date,
        finish=project.scheduled_finish,
        status_date=project.status_date,
        today=today,
        schedule_state=project.schedule_state,
        calendar=gantt_calendar(project, first, last),
        tasks=rows,
        links=links,
    )

"""Dragging a bar on the Gantt chart. A move sets a "start no earlier than" constraint on the
day the bar was dropped (as MS Project does); a resize changes the duration by the working
days between the old and the new finish. Both go through `services.task_update`, the edit
form's service, with its version check and rescheduling, and answer what moved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import User
from keel.apps.projects.adapters import project_calendar
from keel.apps.projects.models import Project
from keel.common.errors import Message, ValidationFailed

from . import services
from .models import Constraint, Task
from .permissions import require_task_edit
from .selectors_gantt import GanttRow, gantt_rows, outline_key

MSG_NON_WORKING = _(
    "%(date)s is not a working day in this project's calendar; nothing was changed."
)
MSG_SUMMARY_DRAG = _("A summary task's dates roll up from its subtasks: move or resize those.")
MSG_MILESTONE_LENGTH = _("A milestone has no duration: it can be moved, not resized.")
MSG_FINISH_BEFORE_START = _("The finish cannot be before the task's start.")
MSG_ONE_DATE = _("Send either a new start or a new finish.")
MSG_UNSCHEDULED = _("This task has no dates yet; reload the chart.")

# What the chart draws of a task: when any of it changes, the chart gets the task's new row.
_DRAWN = (
    "id",
    "wbs_code",
    "name",
    "start",
    "finish",
    "is_critical",
    "is_summary",
    "percent_complete",
    "status",
    "duration_days",
    "constraint_type",
    "constraint_date",
    "version",
)


@dataclass(frozen=True, slots=True)
class MovedTask:
    id: int
    wbs: str
    name: str
    start_before: date | None
    finish_before: date | None
    start: date | None
    finish: date | None


@dataclass(frozen=True, slots=True)
class Rescheduled:
    task: Task
    moved: list[MovedTask]  # tasks whose start or finish changed, in outline order
    finish_before: date | None  # the project's scheduled finish before and after
    finish: date | None
    schedule_state: str
    tasks: list[GanttRow]  # the new rows of every task whose drawing changed

    @property
    def task_id(self) -> int:
        return self.task.pk


def _refuse(field: str, message: Message) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def _snapshot(project: Project) -> dict[int, tuple[Any, ...]]:
    rows = Task.objects.filter(project=project).values_list(*_DRAWN)
    return {row[0]: row for row in rows}


def _changes(task: Task, field: str, day: date) -> dict[str, Any]:
    calendar = project_calendar(task.project, until=max(day, task.finish or day))
    if not calendar.is_working_day(day):
        raise _refuse(field, MSG_NON_WORKING % {"date": date_format(day, "DATE_FORMAT")})
    if field == "start":
        return {"constraint_type": Constraint.SNET, "constraint_date": day}
    if task.is_milestone:
        raise _refuse(field, MSG_MILESTONE_LENGTH)
    if task.start is None or task.finish is None:
        raise _refuse(field, MSG_UNSCHEDULED)
    if day < task.start:
        raise _refuse(field, MSG_FINISH_BEFORE_START)
    # Counted from the old finish rather than the start, so a task that starts part-way
    # through a day keeps that part: one working day later is one working day longer.
    duration = task.duration_days + Decimal(calendar.working_days_between(task.finish, day))
    if duration <= 0:
        raise _refuse(field, MSG_FINISH_BEFORE_START)
    return {"duration_days": duration}


@transaction.atomic
def task_reschedule(
    *,
    actor: User,
    task: Task,
    version: int | None,
    start: date | None = None,
    finish: date | None = None,
) -> Rescheduled:
    """Move the task to start on `start`, or make it end on `finish`; one of the two. The
    day must be a working day of the project; summary tasks roll up and do not move."""
    require_task_edit(actor, task)
    if (start is None) == (finish is None):
        raise _refuse("start", MSG_ONE_DATE)
    field, day = ("start", start) if start is not None else ("finish", finish)
    assert day is not None  # one of the two, checked above
    if task.is_summary or Task.objects.filter(parent_id=task.pk).exists():
        raise _refuse(field, MSG_SUMMARY_DRAG)
    changes = _changes(task, field, day)
    project = task.project
    before = _snapshot(project)
    finish_before = Project.objects.values_list("scheduled_finish", flat=True).get(pk=project.pk)
    task = services.task_update(actor=actor, task=task, version=version, changes=changes)
    after = _snapshot(project)
    fresh = Project.objects.get(pk=project.pk)
    moved = [
        MovedTask(
            id=pk,
            wbs=row[1],
            name=row[2],
            start_before=before[pk][3],
            finish_before=before[pk][4],
            start=row[3],
            finish=row[4],
        )
        for pk, row in after.items()
        if pk in before and before[pk][3:5] != row[3:5]
    ]
    moved.sort(key=lambda m: (outline_key(m.wbs), m.id))
    changed = [pk for pk, row in after.items() if before.get(pk) != row]
    return Rescheduled(
        task=task,
        moved=moved,
        finish_before=finish_before,
        finish=fresh.scheduled_finish,
        schedule_state=fresh.schedule_state,
        tasks=gantt_rows(actor, fresh, changed) if changed else [],
    )

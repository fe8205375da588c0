"""The Gantt chart's data in one request, and the drag of a bar. The chart page calls these
with the browser session (and its CSRF token); tokens work too."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from keel.apps.projects import selectors as project_selectors
from keel.common.api import Day, Decimal2, In, PathId, Version, errors

from . import selectors, selectors_gantt, services_gantt
from .models import Constraint, LinkType, TaskStatus

router = Router(tags=["gantt"])


class _Out(BaseModel):
    """Answers read from the selectors' dataclasses. Plain pydantic rather than ninja's Schema:
    Schema wraps every object it reads in a getter, which at 2,000 rows took ten times as long
    as reading them."""

    model_config = ConfigDict(from_attributes=True)


class GanttBaselineOut(_Out):
    start: date
    finish: date


class GanttTaskOut(_Out):
    id: int
    wbs: str
    name: str
    depth: int = Field(description="Outline level, 0 at the top.")
    parent: int | None = Field(description="The summary task's id.")
    start: date | None
    finish: date | None = Field(description="The last day worked (inclusive).")
    duration: Decimal2 = Field(description="Working days.")
    is_summary: bool
    is_milestone: bool
    is_critical: bool
    percent: int
    status: TaskStatus
    constraint_type: Constraint
    constraint_date: date | None
    can_edit: bool = Field(description="Whether you may change this task (and drag its bar).")
    version: int
    baseline: GanttBaselineOut | None = Field(
        description="Start and finish in the project's baseline; null without one."
    )


class GanttLinkOut(_Out):
    predecessor: int
    successor: int
    type: LinkType
    lag: Decimal2 = Field(description="Working days; negative for a lead.")


class GanttCalendarOut(_Out):
    first: date = Field(description="The first day the chart shows.")
    last: date = Field(description="The last day the chart shows.")
    working_weekdays: list[int] = Field(description="ISO weekdays worked: 1 Monday ... 7 Sunday.")
    holidays: list[date] = Field(description="Days off on working weekdays, first..last.")
    working_days: list[date] = Field(description="Make-up working days on other weekdays.")


class GanttOut(_Out):
    project_id: int
    start: date = Field(description="The project's start date.")
    finish: date | None = Field(description="The scheduled finish.")
    status_date: date | None
    today: date = Field(description="Today in the project's time zone.")
    schedule_state: str = Field(description="`current` when the dates reflect the plan.")
    calendar: GanttCalendarOut
    tasks: list[GanttTaskOut] = Field(description="Every task, in outline order.")
    links: list[GanttLinkOut]


class RescheduleIn(In):
    version: Version
    start: Day | None = Field(
        None, description='Start on this day: sets a "start no earlier than" constraint.'
    )
    finish: Day | None = Field(
        None, description="End on this day: the duration changes by the working days moved."
    )


class MovedTaskOut(_Out):
    id: int
    wbs: str
    name: str
    start_before: date | None
    finish_before: date | None
    start: date | None
    finish: date | None


class RescheduleOut(_Out):
    task_id: int
    moved: list[MovedTaskOut] = Field(description="Tasks whose start or finish changed.")
    finish_before: date | None = Field(description="The project's scheduled finish before.")
    finish: date | None = Field(description="The project's scheduled finish after.")
    schedule_state: str = Field(
        description="`current`; or `queued`/`running` when a big plan is recalculated in the "
        "background: nothing has moved yet, read the chart again once it is `current`."
    )
    tasks: list[GanttTaskOut] = Field(description="New chart rows of the tasks that changed.")


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get(
    "/projects/{project_id}/gantt",
    response={200: GanttOut, **errors(401, 404, 422)},
    url_name="project_gantt",
)
def project_gantt(request: HttpRequest, project_id: PathId) -> Any:
    """Everything a Gantt chart draws: tasks in outline order (with `can_edit` for you),
    links, the status date, today and the working calendar over the chart's span."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    chart = GanttOut.model_validate(selectors_gantt.gantt_chart(actor, project))
    # The same schema, written to JSON by pydantic: twenty times faster at 2,000 tasks than
    # the general encoder's call per date and decimal.
    return HttpResponse(chart.model_dump_json(), content_type="application/json")


@router.post(
    "/tasks/{task_id}/reschedule",
    response={200: RescheduleOut, **errors(400, 401, 403, 404, 409, 422)},
    url_name="task_reschedule",
)
def task_reschedule(request: HttpRequest, task_id: PathId, payload: RescheduleIn) -> Any:
    """Drag a bar: `start` moves the task (a "start no earlier than" constraint on that
    day), `finish` resizes it (its duration changes by the working days between the old and
    the new finish). A non-working day is refused (422). The plan is rescheduled; the answer
    lists what moved."""
    actor = _actor(request)
    task = selectors.task_get(actor, task_id)
    return services_gantt.task_reschedule(
        actor=actor, task=task, version=payload.version, start=payload.start, finish=payload.finish
    )

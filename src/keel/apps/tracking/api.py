"""Time entries, timesheets and their approval. Reads through selectors, writes through
services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from keel.apps.projects import selectors as project_selectors
from keel.common.api import PathId, errors, paginate

from . import selectors, services
from .schemas import (
    IsoWeek,
    PersonWeekOut,
    PersonWeekPage,
    PersonWeekQuery,
    RejectIn,
    ReviewIn,
    SubmitIn,
    TimeEntryCreate,
    TimeEntryOut,
    TimeEntryPage,
    TimeEntryPatch,
    TimeEntryQuery,
    TimesheetOut,
    TimesheetQuery,
)

router = Router(tags=["time"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# ---------------------------------------------------------------- time entries


@router.get("/time-entries", response={200: TimeEntryPage, **errors(401, 404, 422)})
def entry_list(request: HttpRequest, query: Query[TimeEntryQuery]) -> Any:
    """Your own entries, and everyone's in the projects you manage, newest day first."""
    actor = _actor(request)
    project = (
        project_selectors.project_get(actor, query.project_id)
        if query.project_id is not None
        else None
    )
    return paginate(
        selectors.entries_for(
            actor,
            project=project,
            task_id=query.task_id,
            user_id=query.user_id,
            date_from=query.date_from,
            date_to=query.date_to,
            status=query.status,
            ordering=query.ordering,
        ),
        query,
    )


@router.post("/time-entries", response={201: TimeEntryOut, **errors(400, 401, 403, 422)})
def entry_create(request: HttpRequest, payload: TimeEntryCreate) -> Any:
    """Log your hours on a task for a day (a draft). One entry per task and day; a day's
    entries add up to at most 24 hours."""
    entry = services.entry_create(
        actor=_actor(request),
        task_id=payload.task_id,
        date=payload.date,
        hours=payload.hours,
        note=payload.note,
    )
    return Status(201, entry)


@router.get("/time-entries/{entry_id}", response={200: TimeEntryOut, **errors(401, 403, 404, 422)})
def entry_detail(request: HttpRequest, entry_id: PathId) -> Any:
    return selectors.entry_get(_actor(request), entry_id)


@router.patch(
    "/time-entries/{entry_id}",
    response={200: TimeEntryOut, **errors(400, 401, 403, 404, 409, 422)},
)
def entry_update(request: HttpRequest, entry_id: PathId, payload: TimeEntryPatch) -> Any:
    """Change your own draft or rejected entry; submitted and approved ones are refused (422,
    code `entry_locked`)."""
    actor = _actor(request)
    entry = selectors.entry_get(actor, entry_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.entry_update(actor=actor, entry=entry, version=payload.version, changes=changes)


@router.delete("/time-entries/{entry_id}", response={204: None, **errors(401, 403, 404, 422)})
def entry_delete(request: HttpRequest, entry_id: PathId) -> Any:
    """Delete your own draft or rejected entry."""
    actor = _actor(request)
    services.entry_delete(actor=actor, entry=selectors.entry_get(actor, entry_id))
    return Status(204, None)


# ---------------------------------------------------------------- timesheets


@router.get(
    "/timesheets/{iso_week}",
    response={200: TimesheetOut, **errors(401, 403, 404, 422)},
    tags=["timesheets"],
)
def timesheet(request: HttpRequest, iso_week: IsoWeek, query: Query[TimesheetQuery]) -> Any:
    """Your week (or, with `user_id`, someone's week in the projects you manage): a row per
    task, a cell per day, totals per day, row and week."""
    week = selectors.parse_week(iso_week)
    return selectors.timesheet_for(_actor(request), week, user_id=query.user_id)


@router.post(
    "/timesheets/{iso_week}/submit",
    response={200: TimesheetOut, **errors(400, 401, 403, 404, 422)},
    tags=["timesheets"],
)
def timesheet_submit(request: HttpRequest, iso_week: IsoWeek, payload: SubmitIn) -> Any:
    """Send your draft and rejected entries of the week for approval (422 code
    `nothing_to_submit` when there are none)."""
    actor = _actor(request)
    week = selectors.parse_week(iso_week)
    project = (
        project_selectors.project_get(actor, payload.project_id)
        if payload.project_id is not None
        else None
    )
    services.week_submit(actor=actor, week=week, project=project)
    return selectors.timesheet_for(actor, week)


@router.get(
    "/projects/{project_id}/timesheets",
    response={200: PersonWeekPage, **errors(401, 403, 404, 422)},
    tags=["timesheets"],
)
def person_week_list(
    request: HttpRequest, project_id: PathId, query: Query[PersonWeekQuery]
) -> Any:
    """The project's time by person and week, for its managers: by default the weeks waiting
    for approval, newest first."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    week = selectors.parse_week(query.week, "week") if query.week else None
    rows = selectors.person_weeks(
        actor, project, status=query.status, week=week, user_id=query.user_id
    )
    return paginate(rows, query)


def _review(request: HttpRequest, project_id: int, iso_week: str, payload: ReviewIn) -> Any:
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    week = selectors.parse_week(iso_week)
    common: dict[str, Any] = {
        "actor": actor,
        "project": project,
        "user_id": payload.user_id,
        "week": week,
        "entries": [(e.id, e.version) for e in payload.entries],
    }
    if isinstance(payload, RejectIn):
        rows = services.week_reject(**common, comment=payload.comment)
    else:
        rows = services.week_approve(**common)
    return selectors.group_person_weeks(rows)[0]


@router.post(
    "/projects/{project_id}/timesheets/{iso_week}/approve",
    response={200: PersonWeekOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["timesheets"],
)
def person_week_approve(
    request: HttpRequest, project_id: PathId, iso_week: IsoWeek, payload: ReviewIn
) -> Any:
    """Approve a person's submitted time of the week in this project (managers). Send every
    submitted entry you reviewed with its version; a change since then is a 409."""
    return _review(request, project_id, iso_week, payload)


@router.post(
    "/projects/{project_id}/timesheets/{iso_week}/reject",
    response={200: PersonWeekOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["timesheets"],
)
def person_week_reject(
    request: HttpRequest, project_id: PathId, iso_week: IsoWeek, payload: RejectIn
) -> Any:
    """Send entries back to the person with a comment (managers); submitted ones, or approved
    ones to have them corrected."""
    return _review(request, project_id, iso_week, payload)

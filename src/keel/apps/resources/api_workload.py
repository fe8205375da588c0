"""API of the workload area: people by week, the tasks behind a cell, the people who could
take a task, and resource leveling (preview, apply). The pages call the same selectors and
services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from keel.common.api import PathId, errors, paginate

from . import selectors_workload as selectors
from . import services_workload as services
from .schemas_workload import (
    CandidatePage,
    CandidateQuery,
    CellDetailOut,
    CellQuery,
    LevelingApplyIn,
    LevelingOut,
    WorkloadPage,
    WorkloadQuery,
)

router = Router(tags=["workload"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get(
    "/workspaces/{workspace_id}/workload",
    response={200: WorkloadPage, **errors(401, 403, 404, 422)},
)
def workload(request: HttpRequest, workspace_id: PathId, query: Query[WorkloadQuery]) -> Any:
    """People by week: hours assigned (from every project) against capacity (working hours
    less leave), a page of people at a time. Hours of projects you cannot see are counted in
    `other_hours` without naming them. 403 for workspace guests."""
    data = selectors.workload(
        _actor(request),
        workspace_id,
        start=query.start,
        weeks=query.weeks,
        skill_id=query.skill,
        role=query.role,
        project_id=query.project,
        over_only=query.over_only,
    )
    page = paginate(data.rows, query)
    page.update(weeks=data.weeks, week_hours=data.week_hours, week_capacity=data.week_capacity)
    return page


@router.get("/workload/cells", response={200: CellDetailOut, **errors(401, 403, 404, 422)})
def workload_cell(request: HttpRequest, query: Query[CellQuery]) -> Any:
    """The tasks behind one person's week: task, project, units and hours that week."""
    week = selectors.parse_week(query.week)
    return selectors.workload_cell(_actor(request), query.resource, week)


@router.get(
    "/tasks/{task_id}/candidates",
    response={200: CandidatePage, **errors(401, 403, 404, 422)},
)
def task_candidates(request: HttpRequest, task_id: PathId, query: Query[CandidateQuery]) -> Any:
    """The workspace's people ranked for the task: the skills it needs (its own, else `skill`
    at `min_level`) and their free hours in its dates. Needs the right to assign people
    (403); 422 for a summary task or one without dates."""
    found = selectors.candidates_for(
        _actor(request),
        task_id,
        skill_ids=[query.skill] if query.skill else [],
        min_level=query.min_level,
    )
    page = paginate(found.candidates, query)
    page.update(
        task_id=found.task.pk,
        start=found.task.start,
        finish=found.task.finish,
        skills_from_task=found.from_task,
    )
    return page


@router.post(
    "/projects/{project_id}/leveling/preview",
    response={200: LevelingOut, **errors(401, 403, 404, 422)},
)
def leveling_preview(request: HttpRequest, project_id: PathId) -> Any:
    """What the resource leveler would move (tasks, working days) and how the project's
    finish changes. Changes nothing. 422 `schedule_pending` while the schedule is being
    recalculated, `leveling_failed` when the engine refuses the plan."""
    actor = _actor(request)
    project = services.project_for_leveling(actor, project_id)
    return services.leveling_preview(actor=actor, project=project)


@router.post(
    "/projects/{project_id}/leveling/apply",
    response={200: LevelingOut, **errors(400, 401, 403, 404, 409, 422)},
)
def leveling_apply(request: HttpRequest, project_id: PathId, payload: LevelingApplyIn) -> Any:
    """Apply a preview: each moved task gets "start no earlier than" its new start, all in
    one transaction, and the schedule is recalculated. 409 `plan_changed` when the plan
    changed since the preview (its `generation` is no longer the project's)."""
    actor = _actor(request)
    project = services.project_for_leveling(actor, project_id)
    return services.leveling_apply(actor=actor, project=project, generation=payload.generation)

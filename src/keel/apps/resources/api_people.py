"""API of the people area: the resource directory, skills, cost rates (finance data: those who
manage resources only), leave, and assignments of resources to tasks. The same services as
the pages, with the same rules."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from keel.common.api import ListQuery, PathId, errors, paginate

from . import selectors_people as sel
from . import services_people as svc
from .schemas_people import (
    AssignmentCreate,
    AssignmentOut,
    AssignmentPage,
    AssignmentPatch,
    LeaveCreate,
    LeaveOut,
    LeavePage,
    RateCreate,
    RateOut,
    RatePage,
    RatePatch,
    ResourceCreate,
    ResourceOut,
    ResourcePage,
    ResourcePatch,
    ResourceQuery,
    ResourceSkillOut,
    ResourceSkillPage,
    ResourceSkillSet,
    SkillCreate,
    SkillOut,
    SkillPage,
    TaskSkillIn,
    TaskSkillOut,
    TaskSkillPage,
    VersionIn,
)
from .selectors import workspace_for

router = Router(tags=["resources"])
W = sel.W


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the directory


@router.get(
    "/workspaces/{workspace_id}/resources",
    response={200: ResourcePage, **errors(401, 403, 404, 422)},
)
def resource_list(request: HttpRequest, workspace_id: PathId, query: Query[ResourceQuery]) -> Any:
    """The workspace's people (workspace owners, admins and members), by name."""
    actor = _actor(request)
    ws = workspace_for(actor, workspace_id)
    rows = sel.resources_for(
        actor,
        ws,
        search=query.search,
        skill_id=query.skill_id,
        role=query.role,
        active=query.active,
    )
    return paginate(rows, query)


@router.post(
    "/workspaces/{workspace_id}/resources",
    response={201: ResourceOut, **errors(400, 401, 403, 404, 422)},
)
def resource_create(request: HttpRequest, workspace_id: PathId, payload: ResourceCreate) -> Any:
    """Add a person: a user of the workspace (`user_id`, one resource each) or someone named
    without an account (owners and admins)."""
    actor = _actor(request)
    ws = workspace_for(actor, workspace_id)
    resource = svc.resource_create(actor=actor, workspace=ws, **payload.model_dump())
    return Status(201, sel.resource_get(actor, resource.pk))


@router.get("/resources/{resource_id}", response={200: ResourceOut, **errors(401, 403, 404, 422)})
def resource_detail(request: HttpRequest, resource_id: PathId) -> Any:
    return sel.resource_get(_actor(request), resource_id)


@router.patch(
    "/resources/{resource_id}", response={200: ResourceOut, **errors(400, 401, 403, 404, 409, 422)}
)
def resource_update(request: HttpRequest, resource_id: PathId, payload: ResourcePatch) -> Any:
    """Change the fields sent (owners and admins). The user account of a resource with
    assignments cannot change."""
    actor = _actor(request)
    resource = sel.resource_get(actor, resource_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    svc.resource_update(actor=actor, resource=resource, version=payload.version, changes=changes)
    return sel.resource_get(actor, resource_id)


@router.post(
    "/resources/{resource_id}/deactivate",
    response={200: ResourceOut, **errors(400, 401, 403, 404, 409, 422)},
)
def resource_deactivate(request: HttpRequest, resource_id: PathId, payload: VersionIn) -> Any:
    """Take the person out of the pickers; assignments and history stay."""
    actor = _actor(request)
    resource = sel.resource_get(actor, resource_id)
    svc.resource_deactivate(actor=actor, resource=resource, version=payload.version)
    return sel.resource_get(actor, resource_id)


@router.delete("/resources/{resource_id}", response={204: None, **errors(401, 403, 404, 422)})
def resource_delete(request: HttpRequest, resource_id: PathId) -> Any:
    """Delete a resource nobody is assigned; one with assignments is refused (422, code
    `resource_in_use`): deactivate it instead."""
    actor = _actor(request)
    svc.resource_delete(actor=actor, resource=sel.resource_get(actor, resource_id))
    return Status(204, None)


# ---------------------------------------------------------------- skills


@router.get(
    "/workspaces/{workspace_id}/skills", response={200: SkillPage, **errors(401, 403, 404, 422)}
)
def skill_list(request: HttpRequest, workspace_id: PathId, query: Query[ListQuery]) -> Any:
    actor = _actor(request)
    return paginate(sel.skills_for(actor, workspace_for(actor, workspace_id)), query)


@router.post(
    "/workspaces/{workspace_id}/skills", response={201: SkillOut, **errors(400, 401, 403, 404, 422)}
)
def skill_create(request: HttpRequest, workspace_id: PathId, payload: SkillCreate) -> Any:
    """A skill by name: the existing one (any case) or a new one."""
    actor = _actor(request)
    ws = workspace_for(actor, workspace_id)
    return Status(201, svc.skill_create(actor=actor, workspace=ws, name=payload.name))


@router.get(
    "/resources/{resource_id}/skills",
    response={200: ResourceSkillPage, **errors(401, 403, 404, 422)},
)
def resource_skill_list(request: HttpRequest, resource_id: PathId, query: Query[ListQuery]) -> Any:
    actor = _actor(request)
    return paginate(sel.resource_skills(actor, sel.resource_get(actor, resource_id)), query)


@router.post(
    "/resources/{resource_id}/skills",
    response={200: ResourceSkillOut, **errors(400, 401, 403, 404, 422)},
)
def resource_skill_set(request: HttpRequest, resource_id: PathId, payload: ResourceSkillSet) -> Any:
    """Give the person a skill at a level, or change its level."""
    actor = _actor(request)
    resource = sel.resource_get(actor, resource_id)
    return svc.resource_skill_set(
        actor=actor,
        resource=resource,
        level=payload.level,
        skill_id=payload.skill_id,
        name=payload.name,
    )


@router.delete(
    "/resources/{resource_id}/skills/{skill_id}", response={204: None, **errors(401, 403, 404, 422)}
)
def resource_skill_remove(request: HttpRequest, resource_id: PathId, skill_id: PathId) -> Any:
    actor = _actor(request)
    svc.resource_skill_remove(
        actor=actor, resource=sel.resource_get(actor, resource_id), skill_id=skill_id
    )
    return Status(204, None)


# ---------------------------------------------------------------- cost rates


@router.get(
    "/resources/{resource_id}/rates", response={200: RatePage, **errors(401, 403, 404, 422)}
)
def rate_list(request: HttpRequest, resource_id: PathId, query: Query[ListQuery]) -> Any:
    """The person's cost rates, newest first (owners and admins only: 403 for others)."""
    actor = _actor(request)
    return paginate(sel.rates_for(actor, sel.resource_get(actor, resource_id)), query)


@router.post(
    "/resources/{resource_id}/rates", response={201: RateOut, **errors(400, 401, 403, 404, 422)}
)
def rate_create(request: HttpRequest, resource_id: PathId, payload: RateCreate) -> Any:
    """A rate from a day on; one per day."""
    actor = _actor(request)
    resource = sel.resource_get(actor, resource_id)
    return Status(201, svc.rate_create(actor=actor, resource=resource, **payload.model_dump()))


@router.patch("/rates/{rate_id}", response={200: RateOut, **errors(400, 401, 403, 404, 409, 422)})
def rate_update(request: HttpRequest, rate_id: PathId, payload: RatePatch) -> Any:
    actor = _actor(request)
    rate = sel.rate_get(actor, rate_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return svc.rate_update(actor=actor, rate=rate, version=payload.version, changes=changes)


@router.delete("/rates/{rate_id}", response={204: None, **errors(401, 403, 404, 422)})
def rate_delete(request: HttpRequest, rate_id: PathId) -> Any:
    actor = _actor(request)
    svc.rate_delete(actor=actor, rate=sel.rate_get(actor, rate_id))
    return Status(204, None)


# ---------------------------------------------------------------- leave


@router.get(
    "/resources/{resource_id}/leave", response={200: LeavePage, **errors(401, 403, 404, 422)}
)
def leave_list(request: HttpRequest, resource_id: PathId, query: Query[ListQuery]) -> Any:
    actor = _actor(request)
    resource = sel.resource_for_leave_view(actor, resource_id)
    return paginate(sel.leave_for(actor, resource), query)


@router.post(
    "/resources/{resource_id}/leave", response={201: LeaveOut, **errors(400, 401, 403, 404, 422)}
)
def leave_create(request: HttpRequest, resource_id: PathId, payload: LeaveCreate) -> Any:
    """Days off (owners and admins, or the person for themselves)."""
    actor = _actor(request)
    resource = sel.resource_for_leave(actor, resource_id)
    return Status(201, svc.leave_create(actor=actor, resource=resource, **payload.model_dump()))


@router.delete("/leave/{leave_id}", response={204: None, **errors(401, 403, 404, 422)})
def leave_delete(request: HttpRequest, leave_id: PathId) -> Any:
    actor = _actor(request)
    svc.leave_delete(actor=actor, leave=sel.leave_get(actor, leave_id))
    return Status(204, None)


# ---------------------------------------------------------------- assignments


def _out(row: Any) -> Any:
    return sel.with_work([sel.assignment_get_fresh(row.pk)])[0]


@router.get("/tasks/{task_id}/assignments", response={200: AssignmentPage, **errors(401, 404, 422)})
def assignment_list(request: HttpRequest, task_id: PathId, query: Query[ListQuery]) -> Any:
    """The task's resources with their units and work (everyone who sees the project)."""
    actor = _actor(request)
    page = paginate(sel.task_assignments(actor, sel.task_for(actor, task_id)), query)
    page["items"] = sel.with_work(page["items"])
    return page


@router.post(
    "/tasks/{task_id}/assignments", response={201: AssignmentOut, **errors(400, 401, 403, 404, 422)}
)
def assignment_create(request: HttpRequest, task_id: PathId, payload: AssignmentCreate) -> Any:
    """Put a resource on the task at `units` (default 100) or at the units that give
    `work_hours` (project managers). A user-linked resource joins the task's assignees."""
    actor = _actor(request)
    task = sel.task_for(actor, task_id)
    resource = sel.resource_in_workspace(payload.resource_id, task.project.workspace_id)
    row = svc.assignment_set(
        actor=actor,
        task=task,
        resource=resource,
        units=payload.units,
        work_hours=payload.work_hours,
    )
    return Status(201, _out(row))


@router.get("/tasks/{task_id}/skills", response={200: TaskSkillPage, **errors(401, 404, 422)})
def task_skill_list(request: HttpRequest, task_id: PathId, query: Query[ListQuery]) -> Any:
    """The skills the task needs, with the least level of each (everyone who sees the
    project); finding people for the task ranks on them."""
    actor = _actor(request)
    return paginate(sel.task_skills(actor, sel.task_for(actor, task_id)), query)


@router.put(
    "/tasks/{task_id}/skills/{skill_id}",
    response={200: TaskSkillOut, **errors(400, 401, 403, 404, 422)},
)
def task_skill_put(
    request: HttpRequest, task_id: PathId, skill_id: PathId, payload: TaskSkillIn
) -> Any:
    """The task needs this workspace skill at `min_level` or better (project managers)."""
    actor = _actor(request)
    task = sel.task_for(actor, task_id)
    return svc.task_skill_set(
        actor=actor, task=task, skill_id=skill_id, min_level=payload.min_level
    )


@router.delete(
    "/tasks/{task_id}/skills/{skill_id}", response={204: None, **errors(401, 403, 404, 422)}
)
def task_skill_delete(request: HttpRequest, task_id: PathId, skill_id: PathId) -> Any:
    actor = _actor(request)
    svc.task_skill_remove(actor=actor, task=sel.task_for(actor, task_id), skill_id=skill_id)
    return Status(204, None)


@router.get(
    "/resources/{resource_id}/assignments",
    response={200: AssignmentPage, **errors(401, 403, 404, 422)},
)
def resource_assignment_list(
    request: HttpRequest, resource_id: PathId, query: Query[ListQuery]
) -> Any:
    """The person's assignments in the projects you can see."""
    actor = _actor(request)
    page = paginate(sel.resource_assignments(actor, sel.resource_get(actor, resource_id)), query)
    page["items"] = sel.with_work(page["items"])
    return page


@router.patch(
    "/assignments/{assignment_id}",
    response={200: AssignmentOut, **errors(400, 401, 403, 404, 409, 422)},
)
def assignment_update(request: HttpRequest, assignment_id: PathId, payload: AssignmentPatch) -> Any:
    """Change the units, or the work (which sets the units)."""
    actor = _actor(request)
    row = sel.assignment_get(actor, assignment_id)
    row = svc.assignment_update(
        actor=actor,
        assignment=row,
        version=payload.version,
        units=payload.units,
        work_hours=payload.work_hours,
    )
    return _out(row)


@router.delete("/assignments/{assignment_id}", response={204: None, **errors(401, 403, 404, 422)})
def assignment_delete(request: HttpRequest, assignment_id: PathId) -> Any:
    """Take the resource off the task; a user-linked one leaves the assignees."""
    actor = _actor(request)
    svc.assignment_remove(actor=actor, assignment=sel.assignment_get(actor, assignment_id))
    return Status(204, None)

"""Projects, project members, goals and project history. Reads go through selectors (which
check permission), writes through services; this module only shapes requests and responses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from keel.apps.accounts import selectors as account_selectors
from keel.apps.audit.selectors import history_for
from keel.common.api import HistoryPage, ListQuery, PathId, errors, paginate

from . import selectors, services
from .schemas import (
    GoalCreate,
    GoalOut,
    GoalPage,
    GoalPatch,
    GoalQuery,
    ProjectCreate,
    ProjectMemberCreate,
    ProjectMemberOut,
    ProjectMemberPage,
    ProjectMemberPatch,
    ProjectOut,
    ProjectPage,
    ProjectPatch,
    ProjectQuery,
    VersionIn,
)

router = Router(tags=["projects"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# ---------------------------------------------------------------- projects


@router.get("/projects", response={200: ProjectPage, **errors(401, 422)})
def project_list(request: HttpRequest, query: Query[ProjectQuery]) -> Any:
    """Projects you can see, with their task counts. Active ones unless `archived=true`."""
    return paginate(
        selectors.projects_for(
            _actor(request),
            workspace_id=query.workspace_id,
            archived=query.archived,
            phase=query.phase,
            search=query.search,
            ordering=query.ordering,
        ),
        query,
    )


@router.post("/projects", response={201: ProjectOut, **errors(400, 401, 403, 404, 422)})
def project_create(request: HttpRequest, payload: ProjectCreate) -> Any:
    """Create a project in a workspace you may create projects in; you become its manager."""
    actor = _actor(request)
    fields = payload.model_dump(exclude_unset=True, exclude={"workspace_id"})
    if "timezone" in fields:
        fields["timezone_name"] = fields.pop("timezone")
    workspace = account_selectors.workspace_get(actor=actor, workspace_id=payload.workspace_id)
    return Status(201, services.project_create(actor=actor, workspace=workspace, **fields))


@router.get("/projects/{project_id}", response={200: ProjectOut, **errors(401, 404, 422)})
def project_detail(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.project_get(_actor(request), project_id)


@router.patch(
    "/projects/{project_id}",
    response={200: ProjectOut, **errors(400, 401, 403, 404, 409, 422)},
)
def project_update(request: HttpRequest, project_id: PathId, payload: ProjectPatch) -> Any:
    """Change the fields sent. A change to the calendar or start date reschedules the plan."""
    actor = _actor(request)
    project = selectors.project_get(actor, project_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.project_update(
        actor=actor, project=project, version=payload.version, changes=changes
    )


def _archive(request: HttpRequest, project_id: int, payload: VersionIn, archived: bool) -> Any:
    actor = _actor(request)
    project = selectors.project_get(actor, project_id)
    return services.project_archive(
        actor=actor, project=project, version=payload.version, archived=archived
    )


@router.post(
    "/projects/{project_id}/archive",
    response={200: ProjectOut, **errors(400, 401, 403, 404, 409, 422)},
)
def project_archive(request: HttpRequest, project_id: PathId, payload: VersionIn) -> Any:
    """Make the project read-only for everyone until a manager restores it."""
    return _archive(request, project_id, payload, archived=True)


@router.post(
    "/projects/{project_id}/restore",
    response={200: ProjectOut, **errors(400, 401, 403, 404, 409, 422)},
)
def project_restore(request: HttpRequest, project_id: PathId, payload: VersionIn) -> Any:
    return _archive(request, project_id, payload, archived=False)


@router.get("/projects/{project_id}/history", response={200: HistoryPage, **errors(401, 404, 422)})
def project_history(request: HttpRequest, project_id: PathId, query: Query[ListQuery]) -> Any:
    """Changes to the project's own fields, newest first (the latest 200)."""
    return paginate(history_for(selectors.project_get(_actor(request), project_id)), query)


# ---------------------------------------------------------------- project members


@router.get(
    "/projects/{project_id}/members",
    response={200: ProjectMemberPage, **errors(401, 404, 422)},
)
def project_member_list(request: HttpRequest, project_id: PathId, query: Query[ListQuery]) -> Any:
    actor = _actor(request)
    project = selectors.project_get(actor, project_id)
    return paginate(selectors.project_members(actor, project), query)


@router.post(
    "/projects/{project_id}/members",
    response={201: ProjectMemberOut, **errors(400, 401, 403, 404, 422)},
)
def project_member_add(
    request: HttpRequest, project_id: PathId, payload: ProjectMemberCreate
) -> Any:
    """Give a member of the project's workspace a role in the project."""
    actor = _actor(request)
    project = selectors.project_get(actor, project_id)
    m = services.project_member_add(
        actor=actor, project=project, user_id=payload.user_id, role=payload.role
    )
    return Status(201, m)


@router.patch(
    "/projects/{project_id}/members/{membership_id}",
    response={200: ProjectMemberOut, **errors(400, 401, 403, 404, 409, 422)},
)
def project_member_update(
    request: HttpRequest, project_id: PathId, membership_id: PathId, payload: ProjectMemberPatch
) -> Any:
    actor = _actor(request)
    project = selectors.project_get(actor, project_id)
    m = selectors.project_membership_get(actor, project, membership_id)
    changes = payload.model_dump(exclude_unset=True)
    return services.project_member_update(
        actor=actor, membership=m, role=changes.get("role", m.role), version=payload.version
    )


@router.delete(
    "/projects/{project_id}/members/{membership_id}",
    response={204: None, **errors(401, 403, 404, 422)},
)
def project_member_remove(request: HttpRequest, project_id: PathId, membership_id: PathId) -> Any:
    actor = _actor(request)
    project = selectors.project_get(actor, project_id)
    m = selectors.project_membership_get(actor, project, membership_id)
    services.project_member_remove(actor=actor, membership=m)
    return Status(204, None)


# ---------------------------------------------------------------- goals


@router.get(
    "/projects/{project_id}/goals",
    response={200: GoalPage, **errors(401, 404, 422)},
    tags=["goals"],
)
def goal_list(request: HttpRequest, project_id: PathId, query: Query[GoalQuery]) -> Any:
    actor = _actor(request)
    project = selectors.project_get(actor, project_id)
    return paginate(selectors.goals_for(actor, project, ordering=query.ordering), query)


@router.post(
    "/projects/{project_id}/goals",
    response={201: GoalOut, **errors(400, 401, 403, 404, 422)},
    tags=["goals"],
)
def goal_create(request: HttpRequest, project_id: PathId, payload: GoalCreate) -> Any:
    actor = _actor(request)
    project = selectors.project_get(actor, project_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"title"})
    return Status(
        201, services.goal_create(actor=actor, project=project, title=payload.title, **fields)
    )


@router.get("/goals/{goal_id}", response={200: GoalOut, **errors(401, 404, 422)}, tags=["goals"])
def goal_detail(request: HttpRequest, goal_id: PathId) -> Any:
    return selectors.goal_get(_actor(request), goal_id)


@router.patch(
    "/goals/{goal_id}",
    response={200: GoalOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["goals"],
)
def goal_update(request: HttpRequest, goal_id: PathId, payload: GoalPatch) -> Any:
    actor = _actor(request)
    goal = selectors.goal_get(actor, goal_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.goal_update(actor=actor, goal=goal, version=payload.version, changes=changes)


@router.delete(
    "/goals/{goal_id}", response={204: None, **errors(401, 403, 404, 422)}, tags=["goals"]
)
def goal_delete(request: HttpRequest, goal_id: PathId) -> Any:
    actor = _actor(request)
    services.goal_delete(actor=actor, goal=selectors.goal_get(actor, goal_id))
    return Status(204, None)

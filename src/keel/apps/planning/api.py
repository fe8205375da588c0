"""Tasks, dependencies, milestones, goal links and task history. Reads go through selectors
(which check permission), writes through services; this module only shapes requests and
responses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from keel.apps.audit.selectors import history_for
from keel.apps.projects import selectors as project_selectors
from keel.apps.projects.schemas import GoalOut
from keel.common.api import HistoryPage, ListQuery, PathId, errors, paginate

from . import selectors, services
from .schemas import (
    DependencyCreate,
    DependencyOut,
    DependencyPage,
    DependencyPatch,
    DependencyQuery,
    GoalTasksIn,
    MilestonePage,
    MilestoneQuery,
    TaskCreate,
    TaskMove,
    TaskOut,
    TaskPage,
    TaskPatch,
    TaskQuery,
)

router = Router(tags=["tasks"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# ---------------------------------------------------------------- tasks


@router.get("/projects/{project_id}/tasks", response={200: TaskPage, **errors(401, 404, 422)})
def task_list(request: HttpRequest, project_id: PathId, query: Query[TaskQuery]) -> Any:
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return paginate(
        selectors.tasks_for(
            actor,
            project,
            status=query.status,
            milestone=query.milestone,
            critical=query.critical,
            parent_id=query.parent_id,
            assignee_id=query.assignee_id,
            search=query.search,
            ordering=query.ordering,
        ),
        query,
    )


@router.post(
    "/projects/{project_id}/tasks",
    response={201: TaskOut, **errors(400, 401, 403, 404, 422)},
)
def task_create(request: HttpRequest, project_id: PathId, payload: TaskCreate) -> Any:
    """Add a task (under `parent_id` if given); the schedule is recalculated."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"name"})
    task = services.task_create(actor=actor, project=project, name=payload.name, **fields)
    return Status(201, task)


@router.get("/tasks/{task_id}", response={200: TaskOut, **errors(401, 404, 422)})
def task_detail(request: HttpRequest, task_id: PathId) -> Any:
    return selectors.task_get(_actor(request), task_id)


@router.patch("/tasks/{task_id}", response={200: TaskOut, **errors(400, 401, 403, 404, 409, 422)})
def task_update(request: HttpRequest, task_id: PathId, payload: TaskPatch) -> Any:
    """Change the fields sent; changes that move dates reschedule the plan."""
    actor = _actor(request)
    task = selectors.task_get(actor, task_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.task_update(actor=actor, task=task, version=payload.version, changes=changes)


@router.delete("/tasks/{task_id}", response={204: None, **errors(401, 403, 404, 422)})
def task_delete(request: HttpRequest, task_id: PathId) -> Any:
    """Delete the task with its subtasks and their dependencies."""
    actor = _actor(request)
    task = selectors.task_get(actor, task_id)
    services.task_delete(actor=actor, task=task)
    return Status(204, None)


@router.post(
    "/tasks/{task_id}/move", response={200: TaskOut, **errors(400, 401, 403, 404, 409, 422)}
)
def task_move(request: HttpRequest, task_id: PathId, payload: TaskMove) -> Any:
    """Move the task (with its subtasks) in the WBS; WBS codes and dates follow."""
    actor = _actor(request)
    task = selectors.task_get(actor, task_id)
    return services.task_move(
        actor=actor,
        task=task,
        parent_id=payload.parent_id,
        position=payload.position,
        version=payload.version,
    )


@router.get("/tasks/{task_id}/history", response={200: HistoryPage, **errors(401, 404, 422)})
def task_history(request: HttpRequest, task_id: PathId, query: Query[ListQuery]) -> Any:
    """Changes to the task, newest first (the latest 200)."""
    return paginate(history_for(selectors.task_get(_actor(request), task_id)), query)


# ---------------------------------------------------------------- dependencies


@router.get(
    "/projects/{project_id}/dependencies",
    response={200: DependencyPage, **errors(401, 404, 422)},
    tags=["dependencies"],
)
def dependency_list(request: HttpRequest, project_id: PathId, query: Query[DependencyQuery]) -> Any:
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return paginate(
        selectors.dependencies_for(actor, project, task_id=query.task_id, ordering=query.ordering),
        query,
    )


@router.post(
    "/projects/{project_id}/dependencies",
    response={201: DependencyOut, **errors(400, 401, 403, 404, 422)},
    tags=["dependencies"],
)
def dependency_create(request: HttpRequest, project_id: PathId, payload: DependencyCreate) -> Any:
    """Link two tasks of the project. A link that would close a loop is refused (422, code
    `dependency_cycle`, the message names the tasks)."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    dep = services.dependency_create(
        actor=actor,
        project=project,
        predecessor_id=payload.predecessor_id,
        successor_id=payload.successor_id,
        type=payload.type,
        lag_days=payload.lag_days,
    )
    return Status(201, dep)


@router.get(
    "/dependencies/{dependency_id}",
    response={200: DependencyOut, **errors(401, 404, 422)},
    tags=["dependencies"],
)
def dependency_detail(request: HttpRequest, dependency_id: PathId) -> Any:
    return selectors.dependency_get(_actor(request), dependency_id)


@router.patch(
    "/dependencies/{dependency_id}",
    response={200: DependencyOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["dependencies"],
)
def dependency_update(request: HttpRequest, dependency_id: PathId, payload: DependencyPatch) -> Any:
    actor = _actor(request)
    dep = selectors.dependency_get(actor, dependency_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.dependency_update(
        actor=actor, dependency=dep, version=payload.version, changes=changes
    )


@router.delete(
    "/dependencies/{dependency_id}",
    response={204: None, **errors(401, 403, 404, 422)},
    tags=["dependencies"],
)
def dependency_delete(request: HttpRequest, dependency_id: PathId) -> Any:
    actor = _actor(request)
    dep = selectors.dependency_get(actor, dependency_id)
    services.dependency_delete(actor=actor, dependency=dep)
    return Status(204, None)


# ---------------------------------------------------------------- milestones and goal links


@router.get(
    "/projects/{project_id}/milestones",
    response={200: MilestonePage, **errors(401, 404, 422)},
    tags=["milestones"],
)
def milestone_list(request: HttpRequest, project_id: PathId, query: Query[MilestoneQuery]) -> Any:
    """Milestones by forecast date, each on_track, at_risk, late or done."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return paginate(selectors.milestones_for(actor, project, status=query.status), query)


@router.put(
    "/goals/{goal_id}/tasks",
    response={200: GoalOut, **errors(400, 401, 403, 404, 422)},
    tags=["goals"],
)
def goal_set_tasks(request: HttpRequest, goal_id: PathId, payload: GoalTasksIn) -> Any:
    """Set the tasks and milestones that deliver the goal (replaces the current links)."""
    actor = _actor(request)
    goal = project_selectors.goal_get(actor, goal_id)
    return services.goal_set_tasks(actor=actor, goal=goal, task_ids=payload.task_ids)

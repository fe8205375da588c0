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
    BaselineCreate,
    BaselineOut,
    BaselinePage,
    BaselinePatch,
    BoardMove,
    BoardOut,
    BoardQuery,
    ChangeRequestCreate,
    ChangeRequestOut,
    ChangeRequestPage,
    ChangeRequestPatch,
    ChangeRequestQuery,
    ComparisonOut,
    DecisionIn,
    DependencyCreate,
    DependencyOut,
    DependencyPage,
    DependencyPatch,
    DependencyQuery,
    GoalTasksIn,
    ImpactOut,
    MilestonePage,
    MilestoneQuery,
    MyWorkOut,
    ScheduleOut,
    TaskCreate,
    TaskMove,
    TaskOut,
    TaskPage,
    TaskPatch,
    TaskQuery,
    VersionIn,
    WhatIfIn,
    WorkflowColumnOut,
    WorkflowIn,
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


# ---------------------------------------------------------------- the schedule's state


@router.get(
    "/projects/{project_id}/schedule",
    response={200: ScheduleOut, **errors(401, 404, 422)},
    tags=["projects"],
)
def project_schedule(request: HttpRequest, project_id: PathId) -> Any:
    """Whether the project's task dates are current. A plan bigger than the server's
    KEEL_SCHEDULE_SYNC_MAX_TASKS is recalculated in the background after each change: poll
    this until `state` is `current` (or `failed`); until then the dates are provisional."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return selectors.schedule_status(actor, project)


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


# ---------------------------------------------------------------- workflow, board, my work


@router.get(
    "/projects/{project_id}/workflow",
    response={200: list[WorkflowColumnOut], **errors(401, 404, 422)},
    tags=["board"],
)
def workflow_get(request: HttpRequest, project_id: PathId) -> Any:
    """The statuses the project uses, in board order, with names and WIP limits."""
    project = project_selectors.project_get(_actor(request), project_id)
    return selectors.workflow_columns(project)


@router.put(
    "/projects/{project_id}/workflow",
    response={200: list[WorkflowColumnOut], **errors(400, 401, 403, 404, 422)},
    tags=["board"],
)
def workflow_put(request: HttpRequest, project_id: PathId, payload: WorkflowIn) -> Any:
    """Replace the workflow (managers). A status that tasks still have cannot be dropped."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return services.workflow_set(
        actor=actor, project=project, columns=[c.model_dump() for c in payload.columns]
    )


@router.get(
    "/projects/{project_id}/board",
    response={200: BoardOut, **errors(401, 404, 422)},
    tags=["board"],
)
def board_get(request: HttpRequest, project_id: PathId, query: Query[BoardQuery]) -> Any:
    """The leaf tasks by workflow column in board order (summary tasks roll up, so they are
    not cards)."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    b = selectors.board(actor, project, assignee_id=query.assignee_id, search=query.search)
    return {"columns": b.columns, "tasks": [t for c in b.columns for t in c.cards]}


@router.post(
    "/tasks/{task_id}/board-move",
    response={200: TaskOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["board"],
)
def board_move(request: HttpRequest, task_id: PathId, payload: BoardMove) -> Any:
    """Move a card to a column (a status change, with its rules: actual dates, progress, a
    reason for Blocked) and to a place in it."""
    actor = _actor(request)
    task = selectors.task_get(actor, task_id)
    return services.board_move(
        actor=actor,
        task=task,
        version=payload.version,
        status=payload.status,
        before_id=payload.before_id,
        blocked_reason=payload.blocked_reason,
    )


@router.get("/me/work", response={200: MyWorkOut, **errors(401)}, tags=["board"])
def my_work(request: HttpRequest) -> Any:
    """Your open tasks across every project you can see: overdue, blocked, due soon, in
    progress and upcoming."""
    return selectors.my_work(_actor(request))


# ---------------------------------------------------------------- baselines


@router.get(
    "/projects/{project_id}/baselines",
    response={200: BaselinePage, **errors(401, 404, 422)},
    tags=["baselines"],
)
def baseline_list(request: HttpRequest, project_id: PathId, query: Query[ListQuery]) -> Any:
    """The project's saved baselines, newest first."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return paginate(selectors.baselines_for(actor, project), query)


@router.post(
    "/projects/{project_id}/baselines",
    response={201: BaselineOut, **errors(400, 401, 403, 404, 422)},
    tags=["baselines"],
)
def baseline_create(request: HttpRequest, project_id: PathId, payload: BaselineCreate) -> Any:
    """Save the plan as it is now as the next numbered baseline (managers)."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    baseline = services.baseline_save(
        actor=actor,
        project=project,
        name=payload.name,
        note=payload.note,
        primary=payload.primary,
    )
    return Status(201, baseline)


@router.get(
    "/baselines/{baseline_id}",
    response={200: BaselineOut, **errors(401, 404, 422)},
    tags=["baselines"],
)
def baseline_detail(request: HttpRequest, baseline_id: PathId) -> Any:
    return selectors.baseline_get(_actor(request), baseline_id)


@router.patch(
    "/baselines/{baseline_id}",
    response={200: BaselineOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["baselines"],
)
def baseline_update(request: HttpRequest, baseline_id: PathId, payload: BaselinePatch) -> Any:
    """Rename, annotate or make primary; the saved dates never change."""
    actor = _actor(request)
    baseline = selectors.baseline_get(actor, baseline_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.baseline_update(
        actor=actor, baseline=baseline, version=payload.version, changes=changes
    )


@router.delete(
    "/baselines/{baseline_id}",
    response={204: None, **errors(401, 403, 404, 422)},
    tags=["baselines"],
)
def baseline_delete(request: HttpRequest, baseline_id: PathId) -> Any:
    actor = _actor(request)
    services.baseline_delete(actor=actor, baseline=selectors.baseline_get(actor, baseline_id))
    return Status(204, None)


@router.get(
    "/baselines/{baseline_id}/comparison",
    response={200: ComparisonOut, **errors(401, 404, 422)},
    tags=["baselines"],
)
def baseline_comparison(request: HttpRequest, baseline_id: PathId) -> Any:
    """The plan now against the baseline: variance per task in working days, the slipped
    tasks and the late milestones."""
    actor = _actor(request)
    c = selectors.baseline_comparison(actor, selectors.baseline_get(actor, baseline_id))
    return {
        "baseline": c.baseline,
        "finish_variance_days": c.finish_variance,
        "rows": c.rows,
        "slipped_task_ids": [r.task.pk for r in c.slipped if r.task],
        "late_milestone_ids": [r.task.pk for r in c.late_milestones if r.task],
    }


# ---------------------------------------------------------------- what-if and change requests


@router.post(
    "/projects/{project_id}/what-if",
    response={200: ImpactOut, **errors(400, 401, 403, 404, 422)},
    tags=["change requests"],
)
def what_if(request: HttpRequest, project_id: PathId, payload: WhatIfIn) -> Any:
    """Preview changes with the engine: the finish, the work, the tasks that move and the
    critical path after. Nothing is saved."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return services.what_if(actor=actor, project=project, changes=payload.changes)


@router.get(
    "/projects/{project_id}/change-requests",
    response={200: ChangeRequestPage, **errors(401, 404, 422)},
    tags=["change requests"],
)
def change_request_list(
    request: HttpRequest, project_id: PathId, query: Query[ChangeRequestQuery]
) -> Any:
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return paginate(selectors.change_requests_for(actor, project, status=query.status), query)


@router.post(
    "/projects/{project_id}/change-requests",
    response={201: ChangeRequestOut, **errors(400, 401, 403, 404, 422)},
    tags=["change requests"],
)
def change_request_create(
    request: HttpRequest, project_id: PathId, payload: ChangeRequestCreate
) -> Any:
    """Write a change request (a draft): what changes and why."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    cr = services.change_request_create(actor=actor, project=project, **payload.model_dump())
    return Status(201, cr)


@router.get(
    "/change-requests/{cr_id}",
    response={200: ChangeRequestOut, **errors(401, 404, 422)},
    tags=["change requests"],
)
def change_request_detail(request: HttpRequest, cr_id: PathId) -> Any:
    return selectors.change_request_get(_actor(request), cr_id)


@router.get(
    "/change-requests/{cr_id}/impact",
    response={200: ImpactOut, **errors(401, 404, 422)},
    tags=["change requests"],
)
def change_request_impact(request: HttpRequest, cr_id: PathId) -> Any:
    """The impact on the plan as it is now (a decided request: as it was decided)."""
    actor = _actor(request)
    cr = selectors.change_request_get(actor, cr_id)
    return services.what_if(actor=actor, project=cr.project, changes=cr.changes)


@router.patch(
    "/change-requests/{cr_id}",
    response={200: ChangeRequestOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["change requests"],
)
def change_request_update(request: HttpRequest, cr_id: PathId, payload: ChangeRequestPatch) -> Any:
    """Change a draft (its requester or a manager)."""
    actor = _actor(request)
    cr = selectors.change_request_get(actor, cr_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.change_request_update(
        actor=actor, cr=cr, version=payload.version, changes=changes
    )


@router.post(
    "/change-requests/{cr_id}/submit",
    response={200: ChangeRequestOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["change requests"],
)
def change_request_submit(request: HttpRequest, cr_id: PathId, payload: VersionIn) -> Any:
    """Send a draft for decision; the engine's impact is recorded with it."""
    actor = _actor(request)
    cr = selectors.change_request_get(actor, cr_id)
    return services.change_request_submit(actor=actor, cr=cr, version=payload.version)


@router.post(
    "/change-requests/{cr_id}/withdraw",
    response={200: ChangeRequestOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["change requests"],
)
def change_request_withdraw(request: HttpRequest, cr_id: PathId, payload: VersionIn) -> Any:
    actor = _actor(request)
    cr = selectors.change_request_get(actor, cr_id)
    return services.change_request_withdraw(actor=actor, cr=cr, version=payload.version)


@router.post(
    "/change-requests/{cr_id}/decide",
    response={200: ChangeRequestOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["change requests"],
)
def change_request_decide(request: HttpRequest, cr_id: PathId, payload: DecisionIn) -> Any:
    """Approve (every change is applied in one transaction) or reject with a comment
    (managers)."""
    actor = _actor(request)
    cr = selectors.change_request_get(actor, cr_id)
    return services.change_request_decide(
        actor=actor,
        cr=cr,
        version=payload.version,
        approve=payload.approve,
        comment=payload.comment,
        save_baseline=payload.save_baseline,
    )

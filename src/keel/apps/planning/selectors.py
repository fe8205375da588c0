"""Reads about the plan; each checks permission and owns its joins."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from keel.apps.projects.adapters import project_calendar
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, require
from keel.common.errors import NotFound
from keel.common.pagination import apply_ordering
from keel.engine.milestones import MilestoneStatus, milestone_status

from .models import Dependency, Task

TASK_ORDERING = (
    "wbs_code",
    "name",
    "start",
    "finish",
    "deadline",
    "priority",
    "status",
    "percent_complete",
    "total_float",
    "created_at",
)


def _task_qs() -> QuerySet[Task]:
    return Task.objects.select_related("owner", "parent").prefetch_related("assignees", "goals")


def tasks_for(
    actor: Any,
    project: Project,
    *,
    status: str | None = None,
    milestone: bool | None = None,
    critical: bool | None = None,
    parent_id: int | None = None,
    assignee_id: int | None = None,
    search: str | None = None,
    ordering: str | None = None,
) -> QuerySet[Task]:
    require(actor, ProjectAction.VIEW, project)
    qs = _task_qs().filter(project=project)
    if status:
        qs = qs.filter(status=status)
    if milestone is not None:
        qs = qs.filter(is_milestone=milestone)
    if critical is not None:
        qs = qs.filter(is_critical=critical)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if assignee_id is not None:
        qs = qs.filter(Q(assignees__id=assignee_id) | Q(owner_id=assignee_id)).distinct()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(wbs_code__startswith=search))
    return apply_ordering(qs, ordering, TASK_ORDERING) if ordering else qs


def task_tree(actor: Any, project: Project) -> list[Task]:
    """Every task in outline order with `depth` set, for the tree page; one query per
    relation however many tasks there are."""
    tasks = list(
        tasks_for(actor, project).prefetch_related(
            Prefetch(
                "predecessor_links",
                queryset=Dependency.objects.select_related("predecessor"),
            )
        )
    )
    for t in tasks:
        t.depth = t.wbs_code.count(".") if t.wbs_code else 0  # type: ignore[attr-defined]
    tasks.sort(key=lambda t: [int(p) for p in t.wbs_code.split(".")] if t.wbs_code else [0])
    return tasks


def critical_path(actor: Any, project: Project) -> list[Task]:
    """The engine's critical tasks (no summaries) in the order they run, with predecessors."""
    return list(
        tasks_for(actor, project, critical=True)
        .filter(is_summary=False)
        .prefetch_related(
            Prefetch("predecessor_links", queryset=Dependency.objects.select_related("predecessor"))
        )
        .order_by("start", "finish", "wbs_code", "pk")
    )


def task_get(actor: Any, task_id: int, action: ProjectAction = ProjectAction.VIEW) -> Task:
    task = (
        _task_qs()
        .select_related("project__workspace")
        .prefetch_related(
            Prefetch(
                "predecessor_links", queryset=Dependency.objects.select_related("predecessor")
            ),
            Prefetch("successor_links", queryset=Dependency.objects.select_related("successor")),
        )
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound()
    require(actor, action, task.project)
    return task


def dependencies_for(
    actor: Any, project: Project, *, task_id: int | None = None, ordering: str | None = None
) -> QuerySet[Dependency]:
    require(actor, ProjectAction.VIEW, project)
    qs = Dependency.objects.filter(project=project).select_related("predecessor", "successor")
    if task_id is not None:
        qs = qs.filter(Q(predecessor_id=task_id) | Q(successor_id=task_id))
    return apply_ordering(qs, ordering, ("created_at", "type", "lag_days")) if ordering else qs


def dependency_get(
    actor: Any, dep_id: int, action: ProjectAction = ProjectAction.VIEW
) -> Dependency:
    dep = (
        Dependency.objects.select_related("predecessor", "successor", "project__workspace")
        .filter(pk=dep_id)
        .first()
    )
    if dep is None:
        raise NotFound()
    require(actor, action, dep.project)
    return dep


@dataclass(frozen=True)
class MilestoneRow:
    task: Task
    status: MilestoneStatus

    @property
    def target(self) -> date | None:
        return self.task.deadline


def milestones_for(
    actor: Any, project: Project, *, today: date | None = None, status: str | None = None
) -> list[MilestoneRow]:
    today = today or timezone.localdate(timezone=zoneinfo.ZoneInfo(project.timezone))
    calendar = project_calendar(project, until=project.scheduled_finish)

    def slack(t: Task) -> float | None:
        if t.finish is None or t.deadline is None or t.deadline < t.finish:
            return None
        return float(calendar.working_days_between(t.finish, t.deadline))

    rows = [
        MilestoneRow(
            task=t,
            status=milestone_status(
                done=t.status == "done" or t.percent_complete >= 100,
                forecast=t.finish,
                target=t.deadline,
                today=today,
                slack_days=slack(t),
            ),
        )
        for t in tasks_for(actor, project, milestone=True).order_by("finish", "wbs_code", "pk")
    ]
    if status:
        rows = [r for r in rows if r.status == status]
    return rows

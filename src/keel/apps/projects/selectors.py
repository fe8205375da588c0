"""Reads about projects and goals; each checks permission and owns its joins."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from keel.common.errors import NotFound
from keel.common.pagination import apply_ordering

from .models import Goal, Project, ProjectMembership
from .permissions import ProjectAction, require, visible_projects_q

PROJECT_ORDERING = ("code", "name", "start_date", "target_finish", "phase", "created_at")
GOAL_ORDERING = ("title", "due_date", "kind", "created_at")


def projects_for(
    actor: Any,
    *,
    workspace_id: int | None = None,
    archived: bool | None = False,
    phase: str | None = None,
    search: str | None = None,
    ordering: str | None = None,
) -> QuerySet[Project]:
    """Projects the actor can see with their task counts, in one query."""
    qs = (
        Project.objects.filter(visible_projects_q(actor))
        .select_related("workspace")
        .annotate(
            task_count=Count("tasks", filter=Q(tasks__is_summary=False), distinct=True),
            done_count=Count(
                "tasks", filter=Q(tasks__is_summary=False, tasks__status="done"), distinct=True
            ),
        )
    )
    if workspace_id is not None:
        qs = qs.filter(workspace_id=workspace_id)
    if archived is not None:
        qs = qs.filter(archived_at__isnull=not archived)
    if phase:
        qs = qs.filter(phase=phase)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return apply_ordering(qs, ordering, PROJECT_ORDERING) if ordering else qs.order_by("code", "pk")


def project_get(actor: Any, project_id: int, action: ProjectAction = ProjectAction.VIEW) -> Project:
    project = Project.objects.select_related("workspace").filter(pk=project_id).first()
    if project is None:
        raise NotFound()
    require(actor, action, project)
    return project


def project_members(actor: Any, project: Project) -> QuerySet[ProjectMembership]:
    require(actor, ProjectAction.VIEW, project)
    return ProjectMembership.objects.filter(project=project).select_related("user")


def project_membership_get(actor: Any, project: Project, membership_id: int) -> ProjectMembership:
    m = project_members(actor, project).filter(pk=membership_id).first()
    if m is None:
        raise NotFound()
    return m


def goals_for(actor: Any, project: Project, *, ordering: str | None = None) -> QuerySet[Goal]:
    require(actor, ProjectAction.VIEW, project)
    qs = Goal.objects.filter(project=project).select_related("owner").prefetch_related("tasks")
    return apply_ordering(qs, ordering, GOAL_ORDERING) if ordering else qs


def goal_get(actor: Any, goal_id: int, action: ProjectAction = ProjectAction.VIEW) -> Goal:
    goal = (
        Goal.objects.select_related("project__workspace", "owner")
        .prefetch_related("tasks")
        .filter(pk=goal_id)
        .first()
    )
    if goal is None:
        raise NotFound()
    require(actor, action, goal.project)
    return goal

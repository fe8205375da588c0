"""The one place that decides who may do what to a project and what is in it. Views, API and
CLI all go through the selectors, which call `require`. docs/permissions.md mirrors these
tables; tests/apps/test_permissions.py proves them cell by cell.

Effective project role: workspace owners and admins act as project managers on every project
of their workspace; everyone else has the role of their project membership, or none (and then
the project does not exist for them: 404, not 403)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import rules
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import WorkspaceMembership, WorkspaceRole
from keel.apps.accounts.permissions import (
    WORKSPACE_MATRIX,
    WorkspaceAction,
    can_workspace,
    forget_roles,
    workspace_role,
)
from keel.common.errors import NotFound, PermissionDenied

from .models import Project, ProjectMembership, ProjectRole

__all__ = [
    "PROJECT_MATRIX",
    "WORKSPACE_MATRIX",
    "ProjectAction",
    "WorkspaceAction",
    "can",
    "can_workspace",
    "forget_roles",
    "page_flags",
    "project_role",
    "require",
    "visible_projects_q",
]


class ProjectAction(StrEnum):
    VIEW = "project.view"
    EDIT = "project.edit"
    ARCHIVE = "project.archive"
    MANAGE_MEMBERS = "project.manage_members"
    EDIT_GOALS = "goal.edit"
    EDIT_TASKS = "task.edit"  # create tasks, and change those one owns or is assigned to
    EDIT_ANY_TASK = "task.edit_any"  # change every task of the project
    DELETE_TASKS = "task.delete"
    LOG_TIME = "time.log"  # one's own time entries
    APPROVE_TIME = "time.approve"
    SAVE_BASELINE = "baseline.save"
    ASSIGN_RESOURCES = "resource.assign"  # put people on tasks, level the plan
    VIEW_FINANCE = "finance.view"  # budget, costs, rates, everyone's expenses
    EDIT_BUDGET = "finance.edit"  # budget lines, planned costs, spend alerts
    SUBMIT_EXPENSE = "expense.submit"  # claim one's own expenses
    APPROVE_EXPENSE = "expense.approve"
    USE_STOCK = "stock.use"  # record material used on a task
    MANAGE_STOCK = "stock.manage"  # receive, adjust, set reorder levels
    REQUEST_PURCHASE = "purchase.request"
    APPROVE_PURCHASE = "purchase.approve"
    BOOK_EQUIPMENT = "equipment.book"


P = ProjectAction
PROJECT_MATRIX: dict[ProjectRole, frozenset[ProjectAction]] = {
    ProjectRole.MANAGER: frozenset(P),
    ProjectRole.MEMBER: frozenset(
        {
            P.VIEW,
            P.EDIT_TASKS,
            P.LOG_TIME,
            P.SUBMIT_EXPENSE,
            P.USE_STOCK,
            P.REQUEST_PURCHASE,
            P.BOOK_EQUIPMENT,
        }
    ),
    ProjectRole.VIEWER: frozenset({P.VIEW}),
    ProjectRole.FINANCE: frozenset(
        {
            P.VIEW,
            P.VIEW_FINANCE,
            P.EDIT_BUDGET,
            P.SUBMIT_EXPENSE,
            P.APPROVE_EXPENSE,
            P.APPROVE_PURCHASE,
        }
    ),
}

_CACHE_ATTR = "_keel_project_roles"
MSG_ARCHIVED = _("This project is archived; restore it before changing it.")


def project_role(user: Any, project: Project) -> ProjectRole | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cache: dict[int, ProjectRole | None] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if project.pk not in cache:
        ws_role = workspace_role(user, project.workspace_id)
        if ws_role is None:
            cache[project.pk] = None  # left the workspace: its projects go with it
        elif ws_role in (WorkspaceRole.OWNER, WorkspaceRole.ADMIN):
            cache[project.pk] = ProjectRole.MANAGER
        else:
            role = (
                ProjectMembership.objects.filter(project=project, user=user)
                .values_list("role", flat=True)
                .first()
            )
            cache[project.pk] = ProjectRole(role) if role else None
    return cache[project.pk]


def can(user: Any, action: ProjectAction, project: Project) -> bool:
    role = project_role(user, project)
    if role is None:
        return False
    if project.is_archived and action != P.VIEW and action != P.ARCHIVE:
        return False  # an archived project is read-only until it is restored
    return action in PROJECT_MATRIX[role]


# The template names of the actions, for pages that show only the buttons that will work.
FLAG_NAMES: dict[ProjectAction, str] = {
    P.EDIT: "can_edit",
    P.ARCHIVE: "can_archive",
    P.MANAGE_MEMBERS: "can_manage_members",
    P.EDIT_GOALS: "can_edit_goals",
    P.EDIT_TASKS: "can_edit_tasks",
    P.EDIT_ANY_TASK: "can_edit_any_task",
    P.DELETE_TASKS: "can_delete_tasks",
    P.LOG_TIME: "can_log_time",
    P.APPROVE_TIME: "can_approve_time",
    P.SAVE_BASELINE: "can_save_baseline",
    P.ASSIGN_RESOURCES: "can_assign_resources",
    P.VIEW_FINANCE: "can_view_finance",
    P.EDIT_BUDGET: "can_edit_budget",
    P.SUBMIT_EXPENSE: "can_submit_expense",
    P.APPROVE_EXPENSE: "can_approve_expense",
    P.USE_STOCK: "can_use_stock",
    P.MANAGE_STOCK: "can_manage_stock",
    P.REQUEST_PURCHASE: "can_request_purchase",
    P.APPROVE_PURCHASE: "can_approve_purchase",
    P.BOOK_EQUIPMENT: "can_book_equipment",
}


def page_flags(user: Any, project: Project) -> dict[str, bool]:
    """`can_edit`, `can_edit_tasks`, ...: what the person may do on this project."""
    return {name: can(user, action, project) for action, name in FLAG_NAMES.items()}


def require(user: Any, action: ProjectAction, project: Project) -> None:
    """404 when the project is invisible to the user, 403 when visible but not allowed."""
    role = project_role(user, project)
    if role is None:
        raise NotFound()
    if not can(user, action, project):
        if project.is_archived and action in PROJECT_MATRIX[role]:
            raise PermissionDenied(MSG_ARCHIVED)
        raise PermissionDenied()


def visible_projects_q(user: Any) -> Q:
    """Filter for the projects a user can see, as one query with subqueries (no duplicates)."""
    admin_ws = WorkspaceMembership.objects.filter(
        user=user, role__in=[WorkspaceRole.OWNER, WorkspaceRole.ADMIN]
    ).values("workspace_id")
    member_of = ProjectMembership.objects.filter(
        user=user, project__workspace__memberships__user=user
    ).values("project_id")
    return Q(workspace_id__in=admin_ws) | Q(id__in=member_of)


def _register_rules() -> None:
    """Expose the same matrix to django-rules so templates and admin can ask `has_perm`."""

    def make(action: ProjectAction) -> Any:
        def check(user: Any, project: Any) -> bool:
            return isinstance(project, Project) and can(user, action, project)

        return rules.predicate(check, name=str(action))  # type: ignore[attr-defined,no-untyped-call]

    for action in ProjectAction:
        rules.add_perm(f"keel.{action}", make(action))  # type: ignore[attr-defined,no-untyped-call]


_register_rules()

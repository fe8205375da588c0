"""Workspace roles and what each may do. Project roles build on this in
`keel.apps.projects.permissions`; docs/permissions.md is the readable copy of both tables."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from .models import Workspace, WorkspaceMembership, WorkspaceRole


class WorkspaceAction(StrEnum):
    VIEW = "workspace.view"
    VIEW_MEMBERS = "workspace.view_members"
    EDIT = "workspace.edit"
    MANAGE_MEMBERS = "workspace.manage_members"
    CREATE_PROJECT = "workspace.create_project"
    # People as resources (names, skills, capacity, leave, workload) and the catalogue of
    # materials and equipment; cost rates are finance data, for those who manage resources.
    VIEW_RESOURCES = "workspace.view_resources"
    MANAGE_RESOURCES = "workspace.manage_resources"


W = WorkspaceAction
WORKSPACE_MATRIX: dict[WorkspaceRole, frozenset[WorkspaceAction]] = {
    WorkspaceRole.OWNER: frozenset(W),
    WorkspaceRole.ADMIN: frozenset(
        {
            W.VIEW,
            W.VIEW_MEMBERS,
            W.MANAGE_MEMBERS,
            W.CREATE_PROJECT,
            W.VIEW_RESOURCES,
            W.MANAGE_RESOURCES,
        }
    ),
    WorkspaceRole.MEMBER: frozenset({W.VIEW, W.VIEW_MEMBERS, W.CREATE_PROJECT, W.VIEW_RESOURCES}),
    WorkspaceRole.GUEST: frozenset({W.VIEW}),
}

_CACHE_ATTR = "_keel_workspace_roles"


def workspace_role(user: Any, workspace: Workspace | int) -> WorkspaceRole | None:
    """The user's role in the workspace, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    ws_id = workspace if isinstance(workspace, int) else workspace.pk
    cache: dict[int, WorkspaceRole | None] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if ws_id not in cache:
        role = (
            WorkspaceMembership.objects.filter(workspace_id=ws_id, user=user)
            .values_list("role", flat=True)
            .first()
        )
        cache[ws_id] = WorkspaceRole(role) if role else None
    return cache[ws_id]


def remember_roles(user: Any, roles: dict[int, str | None]) -> None:
    """Seed the per-request role cache from a query that already read the roles."""
    cache: dict[int, WorkspaceRole | None] = user.__dict__.setdefault(_CACHE_ATTR, {})
    for ws_id, role in roles.items():
        cache[ws_id] = WorkspaceRole(role) if role else None


def forget_roles(user: Any) -> None:
    """Drop cached roles after a membership change made in the same request."""
    user.__dict__.pop(_CACHE_ATTR, None)
    user.__dict__.pop("_keel_project_roles", None)


def can_workspace(user: Any, action: WorkspaceAction, workspace: Workspace | int) -> bool:
    role = workspace_role(user, workspace)
    return role is not None and action in WORKSPACE_MATRIX[role]

"""Reads about people, workspaces and tokens."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from keel.common.errors import NotFound, PermissionDenied

from .models import ApiToken, User, UserSession, Workspace, WorkspaceMembership
from .permissions import WorkspaceAction, can_workspace, remember_roles, workspace_role

TOKEN_PREFIX = "keel_"  # noqa: S105  (a visible prefix, not a secret)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def user_for_token(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None. Records when it was last used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def tokens_for(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def token_get(*, actor: Any, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound()
    return token


def sessions_for(user: Any) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user).order_by("-created_at")


def workspaces_for(user: Any) -> QuerySet[Workspace]:
    """The user's workspaces, each with `my_role`, in one query; the roles also fill the
    permission cache so later checks on these workspaces cost nothing."""
    mine = WorkspaceMembership.objects.filter(workspace=OuterRef("pk"), user=user)
    return (
        Workspace.objects.filter(memberships__user=user)
        .annotate(my_role=Subquery(mine.values("role")[:1]))
        .order_by("name")
        .distinct()
    )


def workspaces_with_roles(user: Any) -> list[Workspace]:
    rows = list(workspaces_for(user))
    remember_roles(user, {ws.pk: ws.my_role for ws in rows})  # type: ignore[attr-defined]
    return rows


def workspace_get(*, actor: Any, workspace_id: int) -> Workspace:
    """A workspace the actor belongs to; others are reported as not found."""
    ws = Workspace.objects.filter(pk=workspace_id).first()
    if ws is None or workspace_role(actor, ws) is None:
        raise NotFound()
    return ws


def workspace_require(actor: Any, action: WorkspaceAction, workspace: Workspace | int) -> None:
    """404 when the actor is not in the workspace, 403 when their role may not do it."""
    if workspace_role(actor, workspace) is None:
        raise NotFound()
    if not can_workspace(actor, action, workspace):
        raise PermissionDenied()


def workspace_members(*, actor: Any, workspace: Workspace) -> QuerySet[WorkspaceMembership]:
    workspace_require(actor, WorkspaceAction.VIEW_MEMBERS, workspace)
    return WorkspaceMembership.objects.filter(workspace=workspace).select_related("user")


def workspace_membership_get(
    *, actor: Any, workspace: Workspace, membership_id: int
) -> WorkspaceMembership:
    """A membership of the workspace; one's own is always reachable (anyone may leave)."""
    m = (
        WorkspaceMembership.objects.select_related("user", "workspace")
        .filter(pk=membership_id, workspace=workspace)
        .first()
    )
    if m is None or m.user_id != getattr(actor, "pk", None):
        workspace_require(actor, WorkspaceAction.VIEW_MEMBERS, workspace)
    if m is None:
        raise NotFound()
    return m

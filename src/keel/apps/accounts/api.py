"""/me, workspaces, workspace members and API tokens. Reads go through selectors (which check
permission), writes through services; this module only shapes requests and responses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from keel.common.api import ActiveSessionAuth, ListQuery, PathId, errors, paginate

from . import selectors, services
from .schemas import (
    MeOut,
    MePatch,
    TokenCreate,
    TokenCreated,
    TokenOut,
    TokenPage,
    WorkspaceCreate,
    WorkspaceMemberCreate,
    WorkspaceMemberOut,
    WorkspaceMemberPage,
    WorkspaceMemberPatch,
    WorkspaceMemberQuery,
    WorkspaceOut,
    WorkspacePage,
    WorkspacePatch,
)

router = Router(tags=["accounts"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# ---------------------------------------------------------------- profile


@router.get("/me", response={200: MeOut, **errors(401)}, tags=["me"])
def me_get(request: HttpRequest) -> Any:
    """The signed-in person's profile."""
    return _actor(request)


@router.patch("/me", response={200: MeOut, **errors(400, 401, 403, 409, 422)}, tags=["me"])
def me_update(request: HttpRequest, payload: MePatch) -> Any:
    """Change your name, language or time zone; fields left out keep their value."""
    me = _actor(request)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.profile_update(
        actor=me,
        user=me,
        name=changes.get("name", me.name),
        language=changes.get("language", me.language),
        timezone_name=changes.get("timezone", me.timezone),
        version=payload.version,
    )


# ---------------------------------------------------------------- workspaces


@router.get("/workspaces", response={200: WorkspacePage, **errors(401, 422)}, tags=["workspaces"])
def workspace_list(request: HttpRequest, query: Query[ListQuery]) -> Any:
    """The workspaces you belong to."""
    return paginate(selectors.workspaces_for(_actor(request)), query)


@router.post(
    "/workspaces", response={201: WorkspaceOut, **errors(400, 401, 403, 422)}, tags=["workspaces"]
)
def workspace_create(request: HttpRequest, payload: WorkspaceCreate) -> Any:
    """Create a workspace; you become its owner."""
    return Status(
        201, services.workspace_create(actor=_actor(request), name=payload.name, slug=payload.slug)
    )


@router.get(
    "/workspaces/{workspace_id}",
    response={200: WorkspaceOut, **errors(401, 404, 422)},
    tags=["workspaces"],
)
def workspace_detail(request: HttpRequest, workspace_id: PathId) -> Any:
    return selectors.workspace_get(actor=_actor(request), workspace_id=workspace_id)


@router.patch(
    "/workspaces/{workspace_id}",
    response={200: WorkspaceOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["workspaces"],
)
def workspace_update(request: HttpRequest, workspace_id: PathId, payload: WorkspacePatch) -> Any:
    """Rename the workspace (owners only)."""
    actor = _actor(request)
    ws = selectors.workspace_get(actor=actor, workspace_id=workspace_id)
    changes = payload.model_dump(exclude_unset=True)
    return services.workspace_update(
        actor=actor, workspace=ws, name=changes.get("name", ws.name), version=payload.version
    )


# ---------------------------------------------------------------- workspace members


@router.get(
    "/workspaces/{workspace_id}/members",
    response={200: WorkspaceMemberPage, **errors(401, 403, 404, 422)},
    tags=["workspaces"],
)
def workspace_member_list(
    request: HttpRequest, workspace_id: PathId, query: Query[WorkspaceMemberQuery]
) -> Any:
    actor = _actor(request)
    ws = selectors.workspace_get(actor=actor, workspace_id=workspace_id)
    return paginate(selectors.workspace_members(actor=actor, workspace=ws), query)


@router.post(
    "/workspaces/{workspace_id}/members",
    response={201: WorkspaceMemberOut, **errors(400, 401, 403, 404, 422)},
    tags=["workspaces"],
)
def workspace_member_add(
    request: HttpRequest, workspace_id: PathId, payload: WorkspaceMemberCreate
) -> Any:
    """Add an existing user by e-mail address."""
    actor = _actor(request)
    ws = selectors.workspace_get(actor=actor, workspace_id=workspace_id)
    return Status(
        201,
        services.workspace_member_add(
            actor=actor, workspace=ws, email=payload.email, role=payload.role
        ),
    )


@router.patch(
    "/workspaces/{workspace_id}/members/{membership_id}",
    response={200: WorkspaceMemberOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["workspaces"],
)
def workspace_member_update(
    request: HttpRequest,
    workspace_id: PathId,
    membership_id: PathId,
    payload: WorkspaceMemberPatch,
) -> Any:
    actor = _actor(request)
    ws = selectors.workspace_get(actor=actor, workspace_id=workspace_id)
    m = selectors.workspace_membership_get(actor=actor, workspace=ws, membership_id=membership_id)
    changes = payload.model_dump(exclude_unset=True)
    return services.workspace_member_update(
        actor=actor, membership=m, role=changes.get("role", m.role), version=payload.version
    )


@router.delete(
    "/workspaces/{workspace_id}/members/{membership_id}",
    response={204: None, **errors(401, 403, 404, 422)},
    tags=["workspaces"],
)
def workspace_member_remove(
    request: HttpRequest, workspace_id: PathId, membership_id: PathId
) -> Any:
    """Remove a member, or leave the workspace by removing your own membership."""
    actor = _actor(request)
    ws = selectors.workspace_get(actor=actor, workspace_id=workspace_id)
    m = selectors.workspace_membership_get(actor=actor, workspace=ws, membership_id=membership_id)
    services.workspace_member_remove(actor=actor, membership=m)
    return Status(204, None)


# ---------------------------------------------------------------- tokens


@router.get("/tokens", response={200: TokenPage, **errors(401, 422)}, tags=["tokens"])
def token_list(request: HttpRequest, query: Query[ListQuery]) -> Any:
    """Your API tokens, newest first (secrets are never shown again)."""
    return paginate(selectors.tokens_for(_actor(request)), query)


@router.post(
    "/tokens",
    response={201: TokenCreated, **errors(400, 401, 403, 422)},
    tags=["tokens"],
    # A token may not mint tokens (they would outlive it and survive its revocation): new
    # tokens come from a signed-in browser session, or from `keel token create`.
    auth=[ActiveSessionAuth()],
)
def token_create(request: HttpRequest, payload: TokenCreate) -> Any:
    """Create a token (from a signed-in browser session only). The response carries the
    secret; it cannot be shown again."""
    token, secret = services.token_create(
        actor=_actor(request), name=payload.name, days=payload.days
    )
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "secret": secret})


@router.delete(
    "/tokens/{token_id}", response={200: TokenOut, **errors(401, 403, 404, 422)}, tags=["tokens"]
)
def token_revoke(request: HttpRequest, token_id: PathId) -> Any:
    """Revoke a token: it stops working at once. The row stays, with `revoked_at` set."""
    actor = _actor(request)
    token = selectors.token_get(actor=actor, token_id=token_id)
    return services.token_revoke(actor=actor, token=token)

"""API shapes for people, workspaces, memberships and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from keel.common.api import In, ListQuery, Page, Version, omittable

from .models import WorkspaceRole

# ---------------------------------------------------------------- profile


class MeOut(Schema):
    id: int
    email: str
    name: str
    language: str
    timezone: str
    date_joined: datetime
    version: int


class MePatch(In):
    """Only the fields sent are changed."""

    name: str = omittable(max_length=150)
    language: str = omittable(max_length=10, examples=["en", "zh-hans"])
    timezone: str = omittable(max_length=64, examples=["Asia/Shanghai"])
    version: int = Field(ge=1, le=2**31 - 1, description="The version you last read.")


# ---------------------------------------------------------------- workspaces


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str
    version: int
    created_at: datetime
    updated_at: datetime


class WorkspacePage(Page[WorkspaceOut]):
    pass


class WorkspaceCreate(In):
    name: str = Field(max_length=120)
    slug: str | None = Field(
        None, max_length=60, description="Short name for addresses; made from the name if left out."
    )


class WorkspacePatch(In):
    name: str = omittable(max_length=120)
    version: Version


class WorkspaceMemberOut(Schema):
    id: int
    user_id: int
    email: str
    name: str
    role: WorkspaceRole
    version: int
    created_at: datetime

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.user.email)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.user.name)


class WorkspaceMemberPage(Page[WorkspaceMemberOut]):
    pass


class WorkspaceMemberCreate(In):
    email: str = Field(max_length=254, description="The e-mail address of an existing user.")
    role: WorkspaceRole = WorkspaceRole.MEMBER


class WorkspaceMemberPatch(In):
    role: WorkspaceRole = omittable()
    version: Version


class WorkspaceMemberQuery(ListQuery):
    pass


# ---------------------------------------------------------------- tokens


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenPage(Page[TokenOut]):
    pass


class TokenCreated(TokenOut):
    secret: str = Field(description="Shown this once; only a digest is stored.")


class TokenCreate(In):
    name: str = Field(max_length=100)
    days: int | None = Field(
        None, ge=1, le=3650, description="Days until it expires; the site default if left out."
    )

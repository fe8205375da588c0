"""API shapes for notifications and their settings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from keel.common.api import In, ListQuery, Page, Version

from .models import MAX_SLIP_DAYS, EmailMode, NotificationKind


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    project_id: int | None
    actor_id: int | None = Field(description="Who caused it; null for Keel's own alerts.")
    target_type: str | None = Field(
        description="What it is about, as `app_label.model` (e.g. `planning.task`)."
    )
    target_id: int | None
    url: str = Field(description="The page showing the target, a path on this server.")
    title: str = Field(description="In the recipient's language, written when it was made.")
    body: str
    data: dict[str, Any] = Field(description="The facts behind the text, by kind.")
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None

    @staticmethod
    def resolve_target_type(obj: Any) -> str | None:
        ct = obj.target_type
        return None if ct is None else f"{ct.app_label}.{ct.model}"


class NotificationPage(Page[NotificationOut]):
    pass


class NotificationQuery(ListQuery):
    unread: bool | None = Field(None, description="true: only unread; false: only read.")


class ReadAllOut(Schema):
    count: int = Field(description="How many notifications were marked read.")


class NotificationSettingsOut(Schema):
    email_enabled: bool = Field(description="E-mail notifications; in-app ones are always on.")
    email_mode: EmailMode = Field(description="`immediate`: one e-mail each; `digest`: daily.")
    version: int


class NotificationSettingsIn(In):
    email_enabled: bool
    email_mode: EmailMode
    version: Version | None = Field(
        None, description="The `version` you last read; a stale one is answered 409."
    )


SlipDays = Annotated[int, Field(ge=0, le=MAX_SLIP_DAYS)]


class AlertSettingsOut(Schema):
    project_id: int
    milestone_slip_days: int = Field(
        description="Alert when a milestone's forecast passes its target by more working days."
    )
    version: int


class AlertSettingsIn(In):
    milestone_slip_days: SlipDays
    version: Version | None = Field(
        None, description="The `version` you last read; a stale one is answered 409."
    )

"""A person's notifications and notification settings, and a project's alert settings.
Reads go through selectors (a person sees only their own notifications: anyone else's is
404), writes through services; this module only shapes requests and responses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from keel.apps.projects import selectors as project_selectors
from keel.common.api import PathId, errors, paginate

from . import selectors, services
from .schemas import (
    AlertSettingsIn,
    AlertSettingsOut,
    NotificationOut,
    NotificationPage,
    NotificationQuery,
    NotificationSettingsIn,
    NotificationSettingsOut,
    ReadAllOut,
)

router = Router(tags=["notifications"])


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get("/notifications", response={200: NotificationPage, **errors(401, 422)})
def notification_list(request: HttpRequest, query: Query[NotificationQuery]) -> Any:
    """Your notifications, newest first; `unread=true` for those not read yet."""
    return paginate(selectors.notifications_for(_actor(request), unread=query.unread), query)


@router.post("/notifications/read-all", response={200: ReadAllOut, **errors(401, 403, 422)})
def notification_read_all(request: HttpRequest) -> Any:
    """Mark all your notifications read."""
    return {"count": services.notifications_mark_all_read(actor=_actor(request))}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **errors(401, 403, 404, 422)},
)
def notification_read(request: HttpRequest, notification_id: PathId) -> Any:
    """Mark one of your notifications read (again: no change). Anyone else's is 404."""
    actor = _actor(request)
    row = selectors.notification_get(actor, notification_id)
    return services.notification_mark_read(actor=actor, notification=row)


@router.get(
    "/me/notification-settings",
    response={200: NotificationSettingsOut, **errors(401, 422)},
    tags=["me"],
)
def notification_settings_get(request: HttpRequest) -> Any:
    """Your e-mail choices (the defaults until you change them)."""
    return selectors.notification_settings_of(_actor(request))


@router.put(
    "/me/notification-settings",
    response={200: NotificationSettingsOut, **errors(400, 401, 403, 409, 422)},
    tags=["me"],
)
def notification_settings_update(request: HttpRequest, payload: NotificationSettingsIn) -> Any:
    """Replace your e-mail choices."""
    return services.notification_settings_update(
        actor=_actor(request),
        email_enabled=payload.email_enabled,
        email_mode=payload.email_mode,
        version=payload.version,
    )


@router.get(
    "/projects/{project_id}/alert-settings",
    response={200: AlertSettingsOut, **errors(401, 404, 422)},
    tags=["projects"],
)
def project_alert_settings_get(request: HttpRequest, project_id: PathId) -> Any:
    """The project's alert threshold (the default until a manager changes it)."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return selectors.project_alert_settings(actor, project)


@router.put(
    "/projects/{project_id}/alert-settings",
    response={200: AlertSettingsOut, **errors(400, 401, 403, 404, 409, 422)},
    tags=["projects"],
)
def project_alert_settings_update(
    request: HttpRequest, project_id: PathId, payload: AlertSettingsIn
) -> Any:
    """Managers: set the project's alert threshold."""
    actor = _actor(request)
    project = project_selectors.project_get(actor, project_id)
    return services.project_alert_settings_update(
        actor=actor,
        project=project,
        milestone_slip_days=payload.milestone_slip_days,
        version=payload.version,
    )

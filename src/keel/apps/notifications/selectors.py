"""Reads about notifications. A person only ever reads their own: another person's
notification does not exist for them (404). The alert queries read the plan and the
project's people as a reporting layer does: whom a project's rules let in is decided by
`keel.apps.projects.permissions.project_role`, never here."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from keel.apps.accounts.models import User, WorkspaceRole
from keel.apps.planning.models import Task, TaskStatus
from keel.apps.projects.adapters import project_calendar
from keel.apps.projects.models import Project, ProjectRole
from keel.apps.projects.permissions import (
    ProjectAction,
    project_role,
    require,
    visible_projects_q,
)
from keel.common.errors import NotFound

from .models import (
    EmailMode,
    Notification,
    NotificationSettings,
    PeriodicRun,
    ProjectAlertSettings,
)

CLOSED = (TaskStatus.DONE, TaskStatus.CANCELLED)


# ---------------------------------------------------------------- a person's notifications


def still_visible_q(user: Any) -> Q:
    """Notifications about projects the person can still see (or about none): someone who
    left a project no longer reads about it."""
    return Q(project__isnull=True) | Q(
        project__in=Project.objects.filter(visible_projects_q(user)).values("pk")
    )


def notifications_for(actor: Any, *, unread: bool | None = None) -> QuerySet[Notification]:
    """The actor's notifications, newest first; `unread=True` only those not yet read."""
    qs = (
        Notification.objects.filter(recipient_id=actor.pk)
        .filter(still_visible_q(actor))
        .select_related("project", "target_type")
    )
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by("-created_at", "-pk")


def notification_get(actor: Any, notification_id: int) -> Notification:
    """One of the actor's notifications; anyone else's is not found."""
    row = notifications_for(actor).filter(pk=notification_id).first()
    if row is None:
        raise NotFound()
    return row


def unread_count(user: Any) -> int:
    """The bell's number: one COUNT on an index, whatever else the page shows."""
    if user is None or not user.is_authenticated:
        return 0
    return (
        Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        .filter(still_visible_q(user))
        .count()
    )


def notification_settings_of(user: Any) -> NotificationSettings:
    """The person's settings, or the defaults (unsaved) when they never changed them."""
    row = NotificationSettings.objects.filter(user_id=user.pk).first()
    return row if row is not None else NotificationSettings(user_id=user.pk)


def settings_by_user(user_ids: list[int]) -> dict[int, NotificationSettings]:
    """Settings of many people at once, defaults for those without a row."""
    rows = {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=user_ids)}
    return {uid: rows.get(uid) or NotificationSettings(user_id=uid) for uid in user_ids}


def wants_email_now(settings: NotificationSettings) -> bool:
    return settings.email_enabled and settings.email_mode == EmailMode.IMMEDIATE


def digest_candidates(*, since: datetime) -> QuerySet[User]:
    """Active people who chose a daily digest and have unread notifications made since
    `since` that were not e-mailed."""
    return (
        User.objects.filter(
            is_active=True,
            notification_settings__email_enabled=True,
            notification_settings__email_mode=EmailMode.DIGEST,
            notifications__read_at__isnull=True,
            notifications__emailed_at__isnull=True,
            notifications__created_at__gte=since,
        )
        .select_related("notification_settings")
        .distinct()
        .order_by("pk")
    )


def unsent_immediate(*, older_than: datetime, newer_than: datetime) -> QuerySet[Notification]:
    """Unread notifications of people who want e-mail at once whose e-mail has not gone
    out (the worker was down, or the mail server refused): the daily run tries again."""
    return (
        Notification.objects.filter(
            read_at__isnull=True,
            emailed_at__isnull=True,
            created_at__lt=older_than,
            created_at__gte=newer_than,
            recipient__is_active=True,
        )
        .exclude(
            Q(recipient__notification_settings__email_enabled=False)
            | Q(recipient__notification_settings__email_mode=EmailMode.DIGEST)
        )
        .order_by("pk")
    )


# ---------------------------------------------------------------- project alert settings


def alert_settings_of(project: Project) -> ProjectAlertSettings:
    """The project's alert settings, or the defaults (unsaved); no permission check."""
    row = ProjectAlertSettings.objects.filter(project_id=project.pk).first()
    return row if row is not None else ProjectAlertSettings(project=project)


def project_alert_settings(actor: Any, project: Project) -> ProjectAlertSettings:
    require(actor, ProjectAction.VIEW, project)
    return alert_settings_of(project)


# ---------------------------------------------------------------- what the alerts look for


def project_today(project: Project, now: datetime | None = None) -> date:
    """The date where the project is, at `now` (default: this moment)."""
    moment = now or timezone.now()
    return timezone.localtime(moment, zoneinfo.ZoneInfo(project.timezone)).date()


def active_projects() -> QuerySet[Project]:
    return Project.objects.filter(archived_at__isnull=True).order_by("pk")


@dataclass(frozen=True)
class SlippedMilestone:
    task: Task
    slip_days: int  # working days from the day after the target to the forecast


def slipped_milestones(project: Project, *, threshold: int) -> list[SlippedMilestone]:
    """Open milestones whose forecast finish is later than their target (deadline) by more
    than `threshold` working days of the project's calendar."""
    rows = list(
        Task.objects.filter(
            project=project,
            is_milestone=True,
            deadline__isnull=False,
            finish__isnull=False,
            finish__gt=F("deadline"),
        )
        .exclude(status__in=CLOSED)
        .exclude(percent_complete__gte=100)
        .order_by("finish", "wbs_code", "pk")
    )
    if not rows:
        return []
    calendar = project_calendar(project, until=max(t.finish for t in rows if t.finish))
    found = []
    for t in rows:
        assert t.finish is not None and t.deadline is not None  # filtered above
        # Working days in (target, forecast]: target Friday, forecast Monday is one day late.
        one = timedelta(days=1)
        slip = calendar.working_days_between(t.deadline + one, t.finish + one)
        if slip > threshold:
            found.append(SlippedMilestone(task=t, slip_days=slip))
    return found


def overdue_tasks(project: Project, *, today: date) -> list[Task]:
    """Open leaf tasks whose forecast finish is before `today` (where the project is)."""
    return list(
        Task.objects.filter(project=project, is_summary=False, finish__lt=today)
        .exclude(status__in=CLOSED)
        .select_related("owner")
        .prefetch_related("assignees")
        .order_by("finish", "wbs_code", "pk")
    )


def with_access(
    project: Project, people: list[Any], *, known: dict[int, bool] | None = None
) -> list[Any]:
    """Those of `people` who can see the project now (active, still in its workspace and
    with a role), each once, in the given order. `known` remembers the answers across calls
    (the same people own many tasks of a project)."""
    known = {} if known is None else known
    seen: set[int] = set()
    out = []
    for user in people:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        if user.pk not in known:
            known[user.pk] = project_role(user, project) is not None
        if known[user.pk]:
            out.append(user)
    return out


def project_managers(project: Project) -> list[Any]:
    """People who act as the project's managers: its project managers and the owners and
    admins of its workspace."""
    candidates = (
        User.objects.filter(is_active=True)
        .filter(
            Q(
                workspace_memberships__workspace_id=project.workspace_id,
                workspace_memberships__role__in=[WorkspaceRole.OWNER, WorkspaceRole.ADMIN],
            )
            | Q(
                project_memberships__project=project,
                project_memberships__role=ProjectRole.MANAGER,
            )
        )
        .distinct()
        .order_by("pk")
    )
    return [u for u in candidates if project_role(u, project) == ProjectRole.MANAGER]


def finance_people(project: Project) -> list[Any]:
    """The project's finance controllers who can still see it."""
    candidates = User.objects.filter(
        is_active=True,
        project_memberships__project=project,
        project_memberships__role=ProjectRole.FINANCE,
    ).order_by("pk")
    return [u for u in candidates if project_role(u, project) == ProjectRole.FINANCE]


def existing_keys(user_ids: list[int], keys: list[str]) -> set[tuple[int, str]]:
    """(recipient, dedupe key) pairs already made, of these people and keys."""
    if not user_ids or not keys:
        return set()
    return set(
        Notification.objects.filter(recipient_id__in=user_ids, dedupe_key__in=keys).values_list(
            "recipient_id", "dedupe_key"
        )
    )


def periodic_run(name: str) -> PeriodicRun | None:
    return PeriodicRun.objects.filter(name=name).first()

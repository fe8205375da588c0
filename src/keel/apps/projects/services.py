"""Writes about projects, their members, calendars and goals."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import holidays as public_holidays
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import User, Workspace, WorkspaceMembership
from keel.apps.accounts.permissions import WorkspaceAction, can_workspace, workspace_role
from keel.common.errors import (
    NotFound,
    PermissionDenied,
    ValidationFailed,
    check_version,
    validate_instance,
)
from keel.common.models import EARLIEST_DATE, LATEST_DATE, MSG_DATE_RANGE

from .models import (
    CalendarException,
    CalendarExceptionKind,
    Direction,
    Goal,
    Project,
    ProjectMembership,
    ProjectRole,
)
from .permissions import ProjectAction, forget_roles, require

MSG_CODE_TAKEN = _("Another project in this workspace has this code.")
MSG_WEEKDAYS = _("Give the working weekdays as digits 1 (Monday) to 7 (Sunday), e.g. 12345.")
MSG_CURRENCY = _("Use a three-letter ISO 4217 currency code, e.g. CNY or USD.")
MSG_TIMEZONE = _("Unknown time zone.")
MSG_COUNTRY = _("No public holiday calendar for this country code.")
MSG_NOT_WS_MEMBER = _("This person is not a member of the project's workspace.")
MSG_ALREADY_MEMBER = _("This person is already a member of the project.")
MSG_LAST_MANAGER = _("A project needs at least one project manager.")
MSG_TARGET_DIRECTION = _(
    "For a metric where higher is better, the target must be above the baseline "
    "(and below it where lower is better)."
)
MSG_FINISH_BEFORE_START = _("The target finish cannot be before the start date.")

PROJECT_FIELDS = (
    "code",
    "name",
    "description",
    "phase",
    "start_date",
    "target_finish",
    "timezone",
    "currency",
    "working_weekdays",
    "hours_per_day",
    "holiday_country",
    "status_date",
)
CALENDAR_FIELDS = {
    "start_date",
    "working_weekdays",
    "hours_per_day",
    "holiday_country",
    "status_date",
}
GOAL_FIELDS = (
    "title",
    "description",
    "kind",
    "metric",
    "unit",
    "baseline_value",
    "target_value",
    "current_value",
    "direction",
    "due_date",
    "owner_id",
)

# The planning app recomputes dates when a project's calendar changes. It registers here
# (dependency inversion) because planning depends on projects, not the other way round.
_schedule_listeners: list[Callable[[Project], None]] = []


def on_schedule_inputs_changed(listener: Callable[[Project], None]) -> None:
    if listener not in _schedule_listeners:
        _schedule_listeners.append(listener)


def _schedule_inputs_changed(project: Project) -> None:
    for listener in _schedule_listeners:
        listener(project)


def _normalise_project(project: Project) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    project.code = (project.code or "").strip().upper()
    project.name = (project.name or "").strip()
    wd = str(project.working_weekdays or "")
    if not wd or not re.fullmatch(r"[1-7]{1,7}", wd) or len(set(wd)) != len(wd):
        errors["working_weekdays"] = [MSG_WEEKDAYS]
    else:
        project.working_weekdays = "".join(sorted(wd))
    project.currency = (project.currency or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", project.currency):
        errors["currency"] = [MSG_CURRENCY]
    try:
        zoneinfo.ZoneInfo(project.timezone or "")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [MSG_TIMEZONE]
    project.holiday_country = (project.holiday_country or "").strip().upper()
    if (
        project.holiday_country
        and project.holiday_country not in public_holidays.list_supported_countries()
    ):
        errors["holiday_country"] = [MSG_COUNTRY]
    if project.target_finish and project.start_date and project.target_finish < project.start_date:
        errors["target_finish"] = [MSG_FINISH_BEFORE_START]
    if (
        project.code
        and Project.objects.filter(workspace_id=project.workspace_id, code=project.code)
        .exclude(pk=project.pk)
        .exists()
    ):
        errors["code"] = [MSG_CODE_TAKEN]
    return errors


def _validate_project(project: Project) -> None:
    errors = _normalise_project(project)
    try:
        validate_instance(
            project, exclude=["workspace", "scheduled_finish", "archived_at", *errors]
        )
    except ValidationFailed as exc:
        for k, v in exc.fields.items():
            errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def project_create(
    *,
    actor: User,
    workspace: Workspace,
    code: str,
    name: str,
    start_date: date,
    description: str = "",
    phase: str = "initiation",
    target_finish: date | None = None,
    timezone_name: str = "UTC",
    currency: str = "USD",
    working_weekdays: str = "12345",
    hours_per_day: Decimal = Decimal("8"),
    holiday_country: str = "",
    status_date: date | None = None,
) -> Project:
    if workspace_role(actor, workspace) is None:
        raise NotFound()
    if not can_workspace(actor, WorkspaceAction.CREATE_PROJECT, workspace):
        raise PermissionDenied()
    project = Project(
        workspace=workspace,
        code=code,
        name=name,
        description=description,
        phase=phase,
        start_date=start_date,
        target_finish=target_finish,
        timezone=timezone_name,
        currency=currency,
        working_weekdays=working_weekdays,
        hours_per_day=hours_per_day,
        holiday_country=holiday_country,
        status_date=status_date,
    )
    _validate_project(project)
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:  # the same code taken by a concurrent request since we checked
        raise ValidationFailed(fields={"code": [MSG_CODE_TAKEN]}) from None
    ProjectMembership.objects.create(project=project, user=actor, role=ProjectRole.MANAGER)
    forget_roles(actor)
    return project


@transaction.atomic
def project_update(
    *, actor: User, project: Project, version: int | None, changes: Mapping[str, Any]
) -> Project:
    """Change any of PROJECT_FIELDS. `timezone` is accepted as `timezone` or `timezone_name`."""
    require(actor, ProjectAction.EDIT, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    check_version(project.version, version)
    changes = dict(changes)
    if "timezone_name" in changes:
        changes["timezone"] = changes.pop("timezone_name")
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in unknown})
    touched_calendar = any(
        k in CALENDAR_FIELDS and getattr(project, k) != v for k, v in changes.items()
    )
    project.bump(**changes)
    _validate_project(project)
    project.save()
    if touched_calendar:
        _schedule_inputs_changed(project)
    return project


@transaction.atomic
def project_archive(
    *, actor: User, project: Project, version: int | None, archived: bool = True
) -> Project:
    require(actor, ProjectAction.ARCHIVE, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    check_version(project.version, version)
    project.bump(archived_at=timezone.now() if archived else None)
    project.save()
    return project


@transaction.atomic
def project_member_add(
    *, actor: User, project: Project, user_id: int, role: str
) -> ProjectMembership:
    """Give a member of the project's workspace a role in the project."""
    require(actor, ProjectAction.MANAGE_MEMBERS, project)
    if role not in ProjectRole.values:
        raise ValidationFailed(fields={"role": [_("Unknown role.")]})
    ws_member = (
        WorkspaceMembership.objects.select_related("user")
        .filter(workspace_id=project.workspace_id, user_id=user_id)
        .first()
    )
    if ws_member is None:
        raise ValidationFailed(fields={"user_id": [MSG_NOT_WS_MEMBER]})
    user = ws_member.user
    if ProjectMembership.objects.filter(project=project, user=user).exists():
        raise ValidationFailed(fields={"user_id": [MSG_ALREADY_MEMBER]})
    m = ProjectMembership.objects.create(project=project, user=user, role=role)
    forget_roles(user)
    return m


def _lock(project: Project) -> None:
    """Serialise membership changes of one project (see accounts.services._lock)."""
    Project.objects.select_for_update().filter(pk=project.pk).first()


def _managers_left(project: Project, excluding: int) -> int:
    return (
        ProjectMembership.objects.filter(project=project, role=ProjectRole.MANAGER)
        .exclude(pk=excluding)
        .count()
    )


@transaction.atomic
def project_member_update(
    *, actor: User, membership: ProjectMembership, role: str, version: int | None
) -> ProjectMembership:
    require(actor, ProjectAction.MANAGE_MEMBERS, membership.project)
    _lock(membership.project)
    m = ProjectMembership.objects.select_for_update().get(pk=membership.pk)
    check_version(m.version, version)
    if role not in ProjectRole.values:
        raise ValidationFailed(fields={"role": [_("Unknown role.")]})
    if (
        m.role == ProjectRole.MANAGER
        and role != ProjectRole.MANAGER
        and not _managers_left(m.project, m.pk)
    ):
        raise ValidationFailed(MSG_LAST_MANAGER, fields={"role": [MSG_LAST_MANAGER]})
    m.bump(role=role)
    m.save()
    forget_roles(m.user)
    return m


@transaction.atomic
def project_member_remove(*, actor: User, membership: ProjectMembership) -> None:
    require(actor, ProjectAction.MANAGE_MEMBERS, membership.project)
    _lock(membership.project)
    membership = ProjectMembership.objects.select_related("user", "project").get(pk=membership.pk)
    if membership.role == ProjectRole.MANAGER and not _managers_left(
        membership.project, membership.pk
    ):
        raise ValidationFailed(MSG_LAST_MANAGER, fields={"role": [MSG_LAST_MANAGER]})
    membership.delete()
    forget_roles(membership.user)


@transaction.atomic
def calendar_exception_set(
    *, actor: User, project: Project, day: date, kind: str, name: str = ""
) -> CalendarException:
    """Add or replace the project's own exception for a day (holiday or make-up working day)."""
    require(actor, ProjectAction.EDIT, project)
    if kind not in CalendarExceptionKind.values:
        raise ValidationFailed(fields={"kind": [_("Unknown kind.")]})
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationFailed(fields={"day": [MSG_DATE_RANGE]})
    exc, _created = CalendarException.objects.update_or_create(
        project=project, date=day, defaults={"kind": kind, "name": name[:100]}
    )
    _schedule_inputs_changed(project)
    return exc


@transaction.atomic
def calendar_exception_remove(*, actor: User, exception: CalendarException) -> None:
    require(actor, ProjectAction.EDIT, exception.project)
    project = exception.project
    exception.delete()
    _schedule_inputs_changed(project)


def _validate_goal(goal: Goal) -> None:
    errors: dict[str, list[Any]] = {}
    goal.title = (goal.title or "").strip()
    if goal.target_value is not None and goal.target_value != goal.baseline_value:
        up = goal.target_value > goal.baseline_value
        if up != (goal.direction == Direction.UP):
            errors["target_value"] = [MSG_TARGET_DIRECTION]
    if (
        goal.owner_id is not None
        and not WorkspaceMembership.objects.filter(
            workspace_id=goal.project.workspace_id, user_id=goal.owner_id
        ).exists()
    ):
        errors["owner_id"] = [MSG_NOT_WS_MEMBER]
    try:
        validate_instance(goal, exclude=["project", "owner"])
    except ValidationFailed as exc:
        for k, v in exc.fields.items():
            errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def goal_create(*, actor: User, project: Project, title: str, **fields: Any) -> Goal:
    require(actor, ProjectAction.EDIT_GOALS, project)
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in unknown})
    goal = Goal(project=project, title=title, **fields)
    _validate_goal(goal)
    goal.save()
    return goal


@transaction.atomic
def goal_update(
    *, actor: User, goal: Goal, version: int | None, changes: Mapping[str, Any]
) -> Goal:
    require(actor, ProjectAction.EDIT_GOALS, goal.project)
    goal = Goal.objects.select_for_update().select_related("project").get(pk=goal.pk)
    check_version(goal.version, version)
    unknown = set(changes) - set(GOAL_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in unknown})
    goal.bump(**changes)
    _validate_goal(goal)
    goal.save()
    return goal


@transaction.atomic
def goal_delete(*, actor: User, goal: Goal) -> None:
    require(actor, ProjectAction.EDIT_GOALS, goal.project)
    goal.delete()

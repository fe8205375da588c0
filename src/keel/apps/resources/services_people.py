"""Writes about people as resources: the directory, skills, cost rates, leave, and the
assignments of people to tasks.

Rules, each with its message:
- the directory is kept by those who manage resources (workspace owners and admins); a user
  account has at most one resource per workspace; a resource with assignments is
  deactivated, never deleted;
- cost rates are finance data: only those who manage resources read or write them;
- leave is entered by those who manage resources, or by the person for themselves;
- assignments need ProjectAction.ASSIGN_RESOURCES. Work is not stored: work = duration x
  hours per day x units / 100; entering work sets the units. Each change keeps
  `Task.assigned_units` (the people the assignments add up to) and `Task.assignees` (who may
  edit the task) in step. Planned work and earned value are computed on read from
  `assigned_units`, and no date depends on it, so no rescheduling is needed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import User, Workspace, WorkspaceMembership
from keel.apps.accounts.selectors import workspace_require
from keel.apps.planning.models import Task
from keel.apps.projects.permissions import ProjectAction, project_role, require
from keel.common.db import update_rows
from keel.common.errors import ValidationFailed, check_version, validate_instance

from .models import Assignment, CostRate, Leave, Resource, ResourceSkill, Skill, TaskSkill
from .models.people import MAX_SKILL_LEVEL, MAX_UNITS
from .selectors_people import W, require_leave_edit

MSG_USER_NOT_IN_WS = _("This person is not a member of the workspace.")
MSG_USER_TAKEN = _("This person already has a resource in this workspace.")
MSG_USER_LOCKED = _("This resource has assignments; the user account it stands for cannot change.")
MSG_NAME_REQUIRED = _("Enter a name, or choose a user account.")
MSG_IN_USE = _("This resource is assigned to tasks; deactivate it instead of deleting it.")
MSG_SKILL_NAME = _("Enter the skill's name (at most 80 characters).")
MSG_NO_SKILL = _("There is no such skill in this workspace.")
MSG_LEVEL = _("Choose a level from 1 (learning) to 5 (expert).")
MSG_RATE_DATE_TAKEN = _("This resource already has a rate from that date; change that one.")
MSG_LEAVE_ORDER = _("The last day cannot be before the first day.")
MSG_LEAVE_OVERLAP = _("This overlaps leave already entered (%(start)s to %(finish)s).")
MSG_UNITS_RANGE = _("Enter units above 0 and at most 1000 (percent of a working day).")
MSG_NUMBER = _("Enter a number, e.g. 50 or 12.5.")
MSG_UNITS_AND_WORK = _("Enter either the units or the work, not both.")
MSG_WORK_POSITIVE = _("Enter more than 0 hours of work.")
MSG_WORK_NO_DURATION = _(
    "A milestone or a task without duration takes no work; enter units instead."
)
MSG_OTHER_WORKSPACE = _("This resource belongs to another workspace.")
MSG_INACTIVE = _("This resource is inactive; reactivate it before assigning it.")
MSG_NOT_PROJECT_MEMBER = _(
    "%(name)s is not a member of this project; add them to the project first."
)
MSG_ALREADY_ASSIGNED = _("This resource is already on the task; change that assignment.")
MSG_UNKNOWN_FIELD = _("This field cannot be changed.")

RESOURCE_FIELDS = (
    "user_id",
    "name",
    "email",
    "organisation",
    "role",
    "capacity_hours",
    "working_weekdays",
    "is_active",
    "notes",
)
RATE_FIELDS = ("effective_from", "standard_rate", "overtime_rate", "currency")

# Set while these services change Task.assignees themselves, so the m2m receiver (which
# makes assignments follow assignees changed elsewhere) does not act on it a second time.
_syncing: ContextVar[bool] = ContextVar("keel_resources_syncing", default=False)


def syncing() -> bool:
    return _syncing.get()


@contextlib.contextmanager
def _own_assignee_change() -> Iterator[None]:
    token = _syncing.set(True)
    try:
        yield
    finally:
        _syncing.reset(token)


def _unknown(changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationFailed(fields={k: [MSG_UNKNOWN_FIELD] for k in unknown})


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={field: [MSG_NUMBER]}) from None
    if not number.is_finite():
        raise ValidationFailed(fields={field: [MSG_NUMBER]})
    return number


# ---------------------------------------------------------------- the directory


def _workspace_user(workspace_id: int, user_id: int) -> User:
    m = (
        WorkspaceMembership.objects.select_related("user")
        .filter(workspace_id=workspace_id, user_id=user_id)
        .first()
    )
    if m is None:
        raise ValidationFailed(fields={"user_id": [MSG_USER_NOT_IN_WS]})
    return m.user


def _check_user_free(workspace_id: int, user_id: int, exclude_pk: int | None) -> None:
    taken = Resource.objects.filter(workspace_id=workspace_id, user_id=user_id)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed(fields={"user_id": [MSG_USER_TAKEN]})


def _clean_resource(resource: Resource) -> None:
    for name in ("name", "email", "organisation", "role", "working_weekdays"):
        setattr(resource, name, (getattr(resource, name) or "").strip())
    resource.notes = (resource.notes or "").strip()
    if resource.working_weekdays:
        resource.working_weekdays = "".join(sorted(set(resource.working_weekdays)))
    if not resource.name and resource.user is not None:
        resource.name = resource.user.display_name or resource.user.email
    if not resource.name:
        raise ValidationFailed(fields={"name": [MSG_NAME_REQUIRED]})
    validate_instance(resource, exclude=["workspace", "user"])


@transaction.atomic
def resource_create(*, actor: User, workspace: Workspace, **fields: Any) -> Resource:
    """Add a person to the workspace's directory: a user of the workspace, or someone named
    without an account."""
    workspace_require(actor, W.MANAGE_RESOURCES, workspace)
    _unknown(fields, RESOURCE_FIELDS)
    user_id = fields.pop("user_id", None)
    resource = Resource(workspace=workspace, **fields)
    if user_id is not None:
        resource.user = _workspace_user(workspace.pk, user_id)
        _check_user_free(workspace.pk, user_id, None)
    _clean_resource(resource)
    try:
        with transaction.atomic():
            resource.save()
    except IntegrityError:  # the same user added at the same moment by someone else
        raise ValidationFailed(fields={"user_id": [MSG_USER_TAKEN]}) from None
    return resource


@transaction.atomic
def resource_update(
    *, actor: User, resource: Resource, version: int | None, changes: Mapping[str, Any]
) -> Resource:
    workspace_require(actor, W.MANAGE_RESOURCES, resource.workspace_id)
    _unknown(changes, RESOURCE_FIELDS)
    resource = (
        Resource.objects.select_for_update(of=("self",)).select_related("user").get(pk=resource.pk)
    )
    check_version(resource.version, version)
    changes = dict(changes)
    if "user_id" in changes and changes["user_id"] != resource.user_id:
        user_id = changes.pop("user_id")
        if resource.assignments.exists():
            raise ValidationFailed(fields={"user_id": [MSG_USER_LOCKED]})
        if user_id is None:
            resource.user = None
        else:
            resource.user = _workspace_user(resource.workspace_id, user_id)
            _check_user_free(resource.workspace_id, user_id, resource.pk)
    changes.pop("user_id", None)
    resource.bump(**changes)
    _clean_resource(resource)
    resource.save()
    return resource


@transaction.atomic
def resource_deactivate(*, actor: User, resource: Resource, version: int | None) -> Resource:
    """Take a person out of the pickers while their assignments and history stay."""
    return resource_update(
        actor=actor, resource=resource, version=version, changes={"is_active": False}
    )


@transaction.atomic
def resource_delete(*, actor: User, resource: Resource, version: int | None = None) -> None:
    """Delete a resource nobody is assigned; one with assignments is deactivated instead."""
    workspace_require(actor, W.MANAGE_RESOURCES, resource.workspace_id)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    check_version(resource.version, version)
    if resource.assignments.exists():
        raise ValidationFailed(
            MSG_IN_USE, code="resource_in_use", fields={"non_field": [MSG_IN_USE]}
        )
    resource.delete()


# ---------------------------------------------------------------- skills


def _skill_named(workspace_id: int, name: str) -> Skill:
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise ValidationFailed(fields={"name": [MSG_SKILL_NAME]})
    existing = Skill.objects.filter(workspace_id=workspace_id, name__iexact=name).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Skill.objects.create(workspace_id=workspace_id, name=name)
    except IntegrityError:  # created at the same moment by someone else
        return Skill.objects.get(workspace_id=workspace_id, name=name)


@transaction.atomic
def skill_create(*, actor: User, workspace: Workspace, name: str) -> Skill:
    """A workspace skill by name: the existing one (any case), or a new one."""
    workspace_require(actor, W.MANAGE_RESOURCES, workspace)
    return _skill_named(workspace.pk, name)


@transaction.atomic
def resource_skill_set(
    *,
    actor: User,
    resource: Resource,
    level: int,
    skill_id: int | None = None,
    name: str | None = None,
) -> ResourceSkill:
    """Give the resource a skill at a level (1..5), creating the workspace skill when a new
    name is given; setting it again changes the level."""
    workspace_require(actor, W.MANAGE_RESOURCES, resource.workspace_id)
    if not isinstance(level, int) or not 1 <= level <= MAX_SKILL_LEVEL:
        raise ValidationFailed(fields={"level": [MSG_LEVEL]})
    if skill_id is not None:
        skill = Skill.objects.filter(pk=skill_id, workspace_id=resource.workspace_id).first()
        if skill is None:
            raise ValidationFailed(fields={"skill_id": [MSG_NO_SKILL]})
    else:
        skill = _skill_named(resource.workspace_id, name or "")
    row, _created = ResourceSkill.objects.update_or_create(
        resource=resource, skill=skill, defaults={"level": level}
    )
    return row


@transaction.atomic
def resource_skill_remove(*, actor: User, resource: Resource, skill_id: int) -> None:
    workspace_require(actor, W.MANAGE_RESOURCES, resource.workspace_id)
    deleted, _rows = ResourceSkill.objects.filter(resource=resource, skill_id=skill_id).delete()
    if not deleted:
        raise ValidationFailed(fields={"skill_id": [MSG_NO_SKILL]})


# ---------------------------------------------------------------- skills a task needs


@transaction.atomic
def task_skill_set(*, actor: User, task: Task, skill_id: int, min_level: int = 1) -> TaskSkill:
    """Say the task needs a skill of its workspace at a least level (1..5); setting it
    again changes the level. Finding people for the task ranks on these."""
    require(actor, ProjectAction.ASSIGN_RESOURCES, task.project)
    if not isinstance(min_level, int) or not 1 <= min_level <= MAX_SKILL_LEVEL:
        raise ValidationFailed(fields={"min_level": [MSG_LEVEL]})
    skill = Skill.objects.filter(pk=skill_id, workspace_id=task.project.workspace_id).first()
    if skill is None:
        raise ValidationFailed(fields={"skill_id": [MSG_NO_SKILL]})
    row, _created = TaskSkill.objects.update_or_create(
        task=task, skill=skill, defaults={"min_level": min_level}
    )
    return row


@transaction.atomic
def task_skill_remove(*, actor: User, task: Task, skill_id: int) -> None:
    require(actor, ProjectAction.ASSIGN_RESOURCES, task.project)
    deleted, _rows = TaskSkill.objects.filter(task=task, skill_id=skill_id).delete()
    if not deleted:
        raise ValidationFailed(fields={"skill_id": [MSG_NO_SKILL]})


# ---------------------------------------------------------------- cost rates


def _save_rate(rate: CostRate) -> CostRate:
    rate.currency = (rate.currency or "").strip().upper()
    validate_instance(rate, exclude=["resource"])
    taken = CostRate.objects.filter(
        resource_id=rate.resource_id, effective_from=rate.effective_from
    )
    if rate.pk is not None:
        taken = taken.exclude(pk=rate.pk)
    if taken.exists():
        raise ValidationFailed(fields={"effective_from": [MSG_RATE_DATE_TAKEN]})
    try:
        with transaction.atomic():
            rate.save()
    except IntegrityError:
        raise ValidationFailed(fields={"effective_from": [MSG_RATE_DATE_TAKEN]}) from None
    return rate


@transaction.atomic
def rate_create(
    *,
    actor: User,
    resource: Resource,
    effective_from: dt.date,
    standard_rate: Decimal | str,
    overtime_rate: Decimal | str,
    currency: str,
) -> CostRate:
    """A cost rate of the resource from a day on (finance data: managers of resources)."""
    workspace_require(actor, W.MANAGE_RESOURCES, resource.workspace_id)
    rate = CostRate(
        resource=resource,
        effective_from=effective_from,
        standard_rate=_decimal(standard_rate, "standard_rate"),
        overtime_rate=_decimal(overtime_rate, "overtime_rate"),
        currency=currency,
    )
    return _save_rate(rate)


@transaction.atomic
def rate_update(
    *, actor: User, rate: CostRate, version: int | None, changes: Mapping[str, Any]
) -> CostRate:
    workspace_require(actor, W.MANAGE_RESOURCES, rate.resource.workspace_id)
    _unknown(changes, RATE_FIELDS)
    rate = CostRate.objects.select_for_update().get(pk=rate.pk)
    check_version(rate.version, version)
    changes = dict(changes)
    for name in ("standard_rate", "overtime_rate"):
        if name in changes:
            changes[name] = _decimal(changes[name], name)
    rate.bump(**changes)
    return _save_rate(rate)


@transaction.atomic
def rate_delete(*, actor: User, rate: CostRate, version: int | None = None) -> None:
    workspace_require(actor, W.MANAGE_RESOURCES, rate.resource.workspace_id)
    rate = CostRate.objects.select_for_update().get(pk=rate.pk)
    check_version(rate.version, version)
    rate.delete()


# ---------------------------------------------------------------- leave


@transaction.atomic
def leave_create(
    *, actor: User, resource: Resource, start: dt.date, finish: dt.date, reason: str = ""
) -> Leave:
    """Days off for the resource: by those who manage resources, or by the person."""
    require_leave_edit(actor, resource)
    if finish < start:
        raise ValidationFailed(fields={"finish": [MSG_LEAVE_ORDER]})
    # Locking the resource serialises leave entered at once, so overlaps cannot slip in.
    Resource.objects.select_for_update().filter(pk=resource.pk).values_list("pk").first()
    clash = (
        Leave.objects.filter(resource=resource, start__lte=finish, finish__gte=start)
        .order_by("start")
        .first()
    )
    if clash is not None:
        message = MSG_LEAVE_OVERLAP % {
            "start": clash.start.isoformat(),
            "finish": clash.finish.isoformat(),
        }
        raise ValidationFailed(fields={"start": [message]})
    leave = Leave(resource=resource, start=start, finish=finish, reason=(reason or "").strip())
    validate_instance(leave, exclude=["resource"])
    leave.save()
    return leave


@transaction.atomic
def leave_delete(*, actor: User, leave: Leave, version: int | None = None) -> None:
    require_leave_edit(actor, leave.resource)
    leave = Leave.objects.select_for_update().get(pk=leave.pk)
    check_version(leave.version, version)
    leave.delete()


# ---------------------------------------------------------------- assignments


def refresh_assigned_units(task_ids: Iterable[int]) -> None:
    """Write each task's `assigned_units` (its assignments' units / 100, None without any)
    with one read and one UPDATE, bypassing `save()` so no version or history moves."""
    ids = sorted(set(task_ids))
    if not ids:
        return
    sums = dict(
        Assignment.objects.filter(task_id__in=ids)
        .values_list("task_id")
        .annotate(total=Sum("units"))
        .values_list("task_id", "total")
    )
    rows = [
        Task(
            pk=pk,
            assigned_units=None
            if pk not in sums
            else (Decimal(sums[pk]) / 100).quantize(Decimal("0.0001")),
        )
        for pk in ids
    ]
    update_rows(Task, rows, ["assigned_units"])


def _units_from(task: Task, units: Any, work_hours: Any) -> Decimal:
    if units is not None and work_hours is not None:
        raise ValidationFailed(
            fields={"units": [MSG_UNITS_AND_WORK], "work_hours": [MSG_UNITS_AND_WORK]}
        )
    if work_hours is not None:
        work = _decimal(work_hours, "work_hours")
        if work <= 0:
            raise ValidationFailed(fields={"work_hours": [MSG_WORK_POSITIVE]})
        day_hours = task.duration_days * task.project.hours_per_day
        if task.is_milestone or day_hours <= 0:
            raise ValidationFailed(fields={"work_hours": [MSG_WORK_NO_DURATION]})
        value = (work * 100 / day_hours).quantize(Decimal("0.01"))
        field = "work_hours"
    else:
        value = _decimal(units if units is not None else Decimal("100"), "units")
        field = "units"
    if value <= 0 or value > MAX_UNITS:
        raise ValidationFailed(fields={field: [MSG_UNITS_RANGE]})
    return value


def _check_resource(task: Task, resource: Resource) -> None:
    if resource.workspace_id != task.project.workspace_id:
        raise ValidationFailed(fields={"resource_id": [MSG_OTHER_WORKSPACE]})
    if not resource.is_active:
        raise ValidationFailed(fields={"resource_id": [MSG_INACTIVE]})
    if resource.user is not None and project_role(resource.user, task.project) is None:
        message = MSG_NOT_PROJECT_MEMBER % {"name": resource.name}
        raise ValidationFailed(fields={"resource_id": [message]})


@transaction.atomic
def assignment_set(
    *,
    actor: User,
    task: Task,
    resource: Resource,
    units: Decimal | str | None = None,
    work_hours: Decimal | str | None = None,
    version: int | None = None,
) -> Assignment:
    """Put a resource on a task at some units (percent of their day), or at the units that
    give the work entered; change the units of the assignment already there (with its
    `version`). A user-linked resource joins the task's assignees."""
    require(actor, ProjectAction.ASSIGN_RESOURCES, task.project)
    task = Task.objects.select_related("project").get(pk=task.pk)
    value = _units_from(task, units, work_hours)
    row = Assignment.objects.select_for_update().filter(task=task, resource_id=resource.pk).first()
    if row is None:
        resource = Resource.objects.select_related("user").get(pk=resource.pk)
        _check_resource(task, resource)
        if version is not None:
            check_version(0, version)  # it was removed since the page was read
        row = Assignment(task=task, resource=resource, units=value)
        validate_instance(row, exclude=["task", "resource"])
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise ValidationFailed(fields={"resource_id": [MSG_ALREADY_ASSIGNED]}) from None
        if resource.user_id is not None:
            with _own_assignee_change():
                task.assignees.add(resource.user_id)
    else:
        if version is None:
            raise ValidationFailed(fields={"resource_id": [MSG_ALREADY_ASSIGNED]})
        check_version(row.version, version)
        row.bump(units=value)
        validate_instance(row, exclude=["task", "resource"])
        row.save()
    refresh_assigned_units([task.pk])
    return row


@transaction.atomic
def assignment_update(
    *,
    actor: User,
    assignment: Assignment,
    version: int | None,
    units: Decimal | str | None = None,
    work_hours: Decimal | str | None = None,
) -> Assignment:
    """Change an assignment's units (or its work, which sets the units)."""
    return assignment_set(
        actor=actor,
        task=assignment.task,
        resource=assignment.resource,
        units=units,
        work_hours=work_hours,
        version=version if version is not None else assignment.version,
    )


@transaction.atomic
def assignment_remove(*, actor: User, assignment: Assignment, version: int | None = None) -> None:
    """Take the resource off the task; a user-linked one leaves the task's assignees."""
    require(actor, ProjectAction.ASSIGN_RESOURCES, assignment.task.project)
    row = (
        Assignment.objects.select_for_update()
        .select_related("resource")
        .filter(pk=assignment.pk)
        .first()
    )
    if row is None:
        check_version(0, version if version is not None else 0)
        return
    check_version(row.version, version)
    task_id, user_id = row.task_id, row.resource.user_id
    row.delete()
    if user_id is not None:
        with _own_assignee_change():
            Task.assignees.through.objects.filter(task_id=task_id, user_id=user_id).delete()
    refresh_assigned_units([task_id])


# ---------------------------------------------------------------- following Task.assignees
# Called by receivers.py when Task.assignees changes elsewhere (planning's forms and API).
# The caller has checked its own permission; these only keep the assignments in step.


def _resource_for_user(workspace_id: int, user: User) -> Resource:
    found = Resource.objects.filter(workspace_id=workspace_id, user=user).first()
    if found is not None:
        return found
    resource = Resource(workspace_id=workspace_id, user=user, name=user.display_name or user.email)
    try:
        with transaction.atomic():
            resource.save()
    except IntegrityError:
        return Resource.objects.get(workspace_id=workspace_id, user=user)
    return resource


@transaction.atomic
def follow_assignees_added(pairs: Iterable[tuple[int, int]]) -> None:
    """(task id, user id) pairs just added to Task.assignees: give each user a full-time
    assignment, creating their resource in the task's workspace when they have none."""
    pairs = list(pairs)
    tasks = Task.objects.select_related("project").in_bulk({t for t, _u in pairs})
    users = User.objects.in_bulk({u for _t, u in pairs})
    for task_id, user_id in pairs:
        task, user = tasks.get(task_id), users.get(user_id)
        if task is None or user is None:
            continue
        resource = _resource_for_user(task.project.workspace_id, user)
        Assignment.objects.get_or_create(task=task, resource=resource)
    refresh_assigned_units(tasks)


@transaction.atomic
def follow_assignees_removed(pairs: Iterable[tuple[int, int]]) -> None:
    """(task id, user id) pairs just taken off Task.assignees: their assignments go."""
    pairs = list(pairs)
    for task_id, user_id in pairs:
        Assignment.objects.filter(task_id=task_id, resource__user_id=user_id).delete()
    refresh_assigned_units({t for t, _u in pairs})

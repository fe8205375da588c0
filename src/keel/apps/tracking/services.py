"""Writes to time entries: a person logs, changes and deletes their own time and submits a
week; a project manager approves or rejects a person's week.

Rules, each with its message:
- time is logged on a leaf task (not a summary, not a milestone) of a project where the
  person may log time, for a day from the project's start to today where the project is;
- an entry holds more than 0 and at most 24 hours, and one person's entries of one day, over
  all tasks and projects, add up to at most 24 (checked under a lock on the person's row, so
  two saves at once cannot both pass);
- only draft and rejected entries change; submitted ones wait for the manager and approved
  ones never change. To correct approved time a manager rejects it with a comment: it goes
  back to the person, who fixes it and submits it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keel.apps.accounts.models import User
from keel.apps.planning.models import Task
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, project_role, require
from keel.common.errors import (
    Conflict,
    PermissionDenied,
    ValidationFailed,
    check_version,
    validate_instance,
)

from .models import (
    MAX_HOURS_PER_DAY,
    NOTE_LENGTH,
    OPEN_STATUSES,
    EntryStatus,
    HealthThresholds,
    TimeEntry,
)
from .selectors import allows, person_week_entries, project_roles, project_today
from .weeks import Week

P = ProjectAction

MSG_NO_TASK = _("There is no such task, or you cannot see it.")
MSG_SUMMARY = _("Log time on the subtasks; a summary task's hours add up from them.")
MSG_MILESTONE = _("A milestone takes no time; log the time on the task that reaches it.")
MSG_FUTURE = _("Time cannot be logged for a day after today (%(today)s).")
MSG_BEFORE_START = _("The project starts on %(start)s; time cannot be logged before it.")
MSG_HOURS_POSITIVE = _("Enter more than 0 hours; clear the entry to remove it.")
MSG_HOURS_MAX = _("A day has at most 24 hours.")
MSG_HOURS_NUMBER = _("Enter the hours as a number, e.g. 1.5.")
MSG_DAY_FULL = _(
    "That would make %(total)s hours on %(date)s across all your tasks; a day has at most 24."
)
MSG_CELL_TAKEN = _("You already logged time on this task that day; change that entry instead.")
MSG_NOT_YOURS = _("Only the person who logged this time can change it.")
MSG_LOCKED = _("This time was submitted or approved and can no longer be changed.")
MSG_APPROVED_LOCKED = _(
    "Approved time never changes. Ask a project manager to reject it with a comment; you can "
    "then correct it and submit it again."
)
MSG_SUBMITTED_LOCKED = _(
    "This time is waiting for approval. A project manager can reject it so you can change it."
)
MSG_NOTHING_TO_SUBMIT = _("There is no draft or rejected time to submit in %(week)s.")
MSG_NOTHING_TO_REVIEW = _("%(name)s has no time waiting for approval in %(week)s.")
MSG_NO_PERSON = _("There is no such person in this project.")
MSG_COMMENT = _("Say what to correct, so the person can fix it.")
MSG_COMMENT_LONG = _("Keep the comment to %(max)d characters.")
MSG_REVIEW_CHANGED = _(
    "This week's time changed since you opened it. Reload to see the current entries, then "
    "try again."
)

ENTRY_FIELDS = ("task_id", "date", "hours", "note")


# ---------------------------------------------------------------- checks


def _task(actor: User, task_id: Any) -> Task:
    """The task time is logged on: visible (else a field message, it came in a body),
    loggable by the actor (else 403), a leaf and not a milestone (else a field message)."""
    task = (
        Task.objects.select_related("project__workspace").filter(pk=task_id).first()
        if isinstance(task_id, int)
        else None
    )
    if task is None or project_role(actor, task.project) is None:
        raise ValidationFailed(fields={"task_id": [MSG_NO_TASK]})
    require(actor, P.LOG_TIME, task.project)
    if task.is_summary or Task.objects.filter(parent_id=task.pk).exists():
        raise ValidationFailed(fields={"task_id": [MSG_SUMMARY]})
    if task.is_milestone:
        raise ValidationFailed(fields={"task_id": [MSG_MILESTONE]})
    return task


def _hours(value: Any) -> Decimal:
    try:
        hours = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={"hours": [MSG_HOURS_NUMBER]}) from None
    if not hours.is_finite():
        raise ValidationFailed(fields={"hours": [MSG_HOURS_NUMBER]})
    if hours <= 0:
        raise ValidationFailed(fields={"hours": [MSG_HOURS_POSITIVE]})
    if hours > MAX_HOURS_PER_DAY:
        raise ValidationFailed(fields={"hours": [MSG_HOURS_MAX]})
    return hours


def _check_day(project: Project, day: dt.date) -> None:
    today = project_today(project)
    if day > today:
        raise ValidationFailed(fields={"date": [MSG_FUTURE % {"today": today.isoformat()}]})
    if day < project.start_date:
        raise ValidationFailed(
            fields={"date": [MSG_BEFORE_START % {"start": project.start_date.isoformat()}]}
        )


def _lock_person(user: User) -> None:
    """Serialise a person's time writes: every write that could change a day's total takes
    this row lock first (then the entries' locks), so concurrent saves cannot both pass the
    24-hour check and locks are always taken in the same order."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()


def _locked(entry: TimeEntry) -> TimeEntry:
    """The entry as stored now, locked (not its project) until the transaction ends."""
    return (
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("project__workspace", "task")
        .get(pk=entry.pk)
    )


def _check_day_total(user: User, day: dt.date, hours: Decimal, exclude_pk: int | None) -> None:
    others = TimeEntry.objects.filter(user=user, date=day)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    logged = others.aggregate(total=Sum("hours"))["total"] or Decimal("0")
    total = logged + hours
    if total > MAX_HOURS_PER_DAY:
        message = MSG_DAY_FULL % {"total": f"{total.normalize():f}", "date": day.isoformat()}
        raise ValidationFailed(message, fields={"hours": [message]})


def _check_cell_free(user: User, task_id: int, day: dt.date, exclude_pk: int | None) -> None:
    taken = TimeEntry.objects.filter(user=user, task_id=task_id, date=day)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed(fields={"date": [MSG_CELL_TAKEN]})


def _check_changeable(actor: User, entry: TimeEntry) -> None:
    require(actor, P.LOG_TIME, entry.project)
    if entry.user_id != actor.pk:
        raise PermissionDenied(MSG_NOT_YOURS)
    if not entry.is_open:
        message = (
            MSG_APPROVED_LOCKED if entry.status == EntryStatus.APPROVED else MSG_SUBMITTED_LOCKED
        )
        raise ValidationFailed(message, code="entry_locked", fields={"status": [message]})


# ---------------------------------------------------------------- one's own entries


@transaction.atomic
def entry_create(
    *, actor: User, task_id: int, date: dt.date, hours: Decimal | str, note: str = ""
) -> TimeEntry:
    """Log hours on a task for a day: a draft entry of the actor's own."""
    task = _task(actor, task_id)
    amount = _hours(hours)
    _check_day(task.project, date)
    _lock_person(actor)
    _check_cell_free(actor, task.pk, date, None)
    _check_day_total(actor, date, amount, None)
    entry = TimeEntry(
        project=task.project, task=task, user=actor, date=date, hours=amount, note=note.strip()
    )
    validate_instance(entry, exclude=["project", "task", "user", "reviewer"])
    entry.save()
    return entry


@transaction.atomic
def entry_update(
    *, actor: User, entry: TimeEntry, version: int | None, changes: Mapping[str, Any]
) -> TimeEntry:
    """Change one's own draft or rejected entry: its task, day, hours or note. A rejected
    entry stays rejected (with the manager's comment) until the week is submitted again."""
    unknown = set(changes) - set(ENTRY_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in unknown})
    _check_changeable(actor, entry)
    _lock_person(actor)
    entry = _locked(entry)
    check_version(entry.version, version)
    _check_changeable(actor, entry)  # it may have been submitted since it was read
    task = entry.task
    if "task_id" in changes and changes["task_id"] != entry.task_id:
        task = _task(actor, changes["task_id"])
    day = changes.get("date", entry.date)
    amount = _hours(changes["hours"]) if "hours" in changes else entry.hours
    _check_day(task.project, day)
    _check_cell_free(actor, task.pk, day, entry.pk)
    _check_day_total(actor, day, amount, entry.pk)
    fields: dict[str, Any] = {"task": task, "project": task.project, "date": day, "hours": amount}
    if "note" in changes:
        fields["note"] = (changes["note"] or "").strip()
    entry.bump(**fields)
    validate_instance(entry, exclude=["project", "task", "user", "reviewer"])
    entry.save()
    return entry


@transaction.atomic
def entry_delete(*, actor: User, entry: TimeEntry, version: int | None = None) -> None:
    """Remove one's own draft or rejected entry."""
    _check_changeable(actor, entry)
    _lock_person(actor)
    entry = _locked(entry)
    check_version(entry.version, version)
    _check_changeable(actor, entry)
    entry.delete()


# ---------------------------------------------------------------- the week's workflow


@transaction.atomic
def week_submit(*, actor: User, week: Week, project: Project | None = None) -> list[TimeEntry]:
    """Send the actor's draft and rejected entries of the week (of one project, or of every
    project where they may still log time) to the managers for approval."""
    if project is not None:
        require(actor, P.LOG_TIME, project)
    _lock_person(actor)
    qs = (
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("project")
        .filter(user=actor, date__gte=week.monday, date__lte=week.sunday, status__in=OPEN_STATUSES)
        .order_by("date", "pk")
    )
    if project is not None:
        qs = qs.filter(project=project)
    entries = list(qs)
    projects = {e.project_id: e.project for e in entries}
    roles = project_roles(actor, projects.values())
    entries = [e for e in entries if allows(roles, projects[e.project_id], P.LOG_TIME)]
    if not entries:
        raise ValidationFailed(
            MSG_NOTHING_TO_SUBMIT % {"week": week},
            code="nothing_to_submit",
            fields={"non_field": [MSG_NOTHING_TO_SUBMIT % {"week": week}]},
        )
    for e in entries:
        e.bump(status=EntryStatus.SUBMITTED, reviewer=None, reviewed_at=None, review_comment="")
        e.save()
    return entries


def _reviewed_entries(
    *,
    actor: User,
    project: Project,
    user_id: int,
    week: Week,
    entries: Iterable[tuple[int, int]],
    statuses: tuple[str, ...],
    cover_submitted: bool,
) -> tuple[User, list[TimeEntry]]:
    """The entries a manager reviewed, locked and checked against what is stored now: each
    must be the person's, in the week and the project, in one of `statuses`, at the version
    the manager saw; with `cover_submitted`, every submitted entry must be among them, so
    nothing is approved unseen. A difference is a 409."""
    require(actor, P.APPROVE_TIME, project)
    person = User.objects.filter(pk=user_id).first()
    # The person is in the project, or was when they logged time in it.
    known = person is not None and (
        project_role(person, project) is not None
        or TimeEntry.objects.filter(project=project, user=person).exists()
    )
    if person is None or not known:
        raise ValidationFailed(fields={"user_id": [MSG_NO_PERSON]})
    _lock_person(person)
    seen = dict(entries)
    current = {
        e.pk: e
        for e in person_week_entries(project, person, week, statuses)
        .select_for_update(of=("self",))
        .select_related("user")
    }
    submitted = {pk for pk, e in current.items() if e.status == EntryStatus.SUBMITTED}
    if not seen and not submitted:
        message = MSG_NOTHING_TO_REVIEW % {"name": person.display_name, "week": week}
        raise ValidationFailed(message, code="nothing_to_review", fields={"entries": [message]})
    stale = [pk for pk, v in seen.items() if pk not in current or current[pk].version != v]
    if stale or (cover_submitted and not submitted <= set(seen)):
        raise Conflict(MSG_REVIEW_CHANGED, fields={"entries": [MSG_REVIEW_CHANGED]})
    return person, [current[pk] for pk in sorted(seen, key=lambda pk: (current[pk].date, pk))]


@transaction.atomic
def week_approve(
    *,
    actor: User,
    project: Project,
    user_id: int,
    week: Week,
    entries: Iterable[tuple[int, int]],
) -> list[TimeEntry]:
    """Approve a person's submitted time of a week in the project. `entries` are the
    (id, version) pairs the manager reviewed; they must be all of the week's submitted
    entries. Approved hours become the tasks' actual work."""
    _person, rows = _reviewed_entries(
        actor=actor,
        project=project,
        user_id=user_id,
        week=week,
        entries=entries,
        statuses=(EntryStatus.SUBMITTED,),
        cover_submitted=True,
    )
    now = timezone.now()
    for e in rows:
        e.bump(status=EntryStatus.APPROVED, reviewer=actor, reviewed_at=now, review_comment="")
        e.save()
    return rows


@transaction.atomic
def week_reject(
    *,
    actor: User,
    project: Project,
    user_id: int,
    week: Week,
    entries: Iterable[tuple[int, int]],
    comment: str,
) -> list[TimeEntry]:
    """Send entries of a person's week back with a comment saying what to correct. Works
    on submitted entries and on approved ones (the way to correct approved time); the
    person can then change them and submit again."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(fields={"comment": [MSG_COMMENT]})
    if len(comment) > NOTE_LENGTH:
        raise ValidationFailed(fields={"comment": [MSG_COMMENT_LONG % {"max": NOTE_LENGTH}]})
    _person, rows = _reviewed_entries(
        actor=actor,
        project=project,
        user_id=user_id,
        week=week,
        entries=entries,
        statuses=(EntryStatus.SUBMITTED, EntryStatus.APPROVED),
        cover_submitted=False,
    )
    if not rows:
        raise Conflict(MSG_REVIEW_CHANGED, fields={"entries": [MSG_REVIEW_CHANGED]})
    now = timezone.now()
    for e in rows:
        e.bump(status=EntryStatus.REJECTED, reviewer=actor, reviewed_at=now, review_comment=comment)
        validate_instance(e, exclude=["project", "task", "user", "reviewer"])
        e.save()
    return rows


# ---------------------------------------------------------------- health thresholds

MSG_THRESHOLD_ORDER = _("The red threshold must not be above the amber one.")


@transaction.atomic
def thresholds_set(
    *, actor: User, project: Project, version: int | None, values: dict[str, Any]
) -> HealthThresholds:
    """Set where SPI and CPI turn amber and red for this project (managers)."""
    require(actor, ProjectAction.EDIT, project)
    row = HealthThresholds.objects.select_for_update().filter(project=project).first()
    if row is None:
        row = HealthThresholds(project=project)
        check_version(0, version)
    else:
        check_version(row.version, version)
    unknown = set(values) - {"spi_amber", "spi_red", "cpi_amber", "cpi_red"}
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in unknown})
    if row.pk:
        row.bump(**values)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    errors: dict[str, list[Any]] = {}
    if row.spi_red > row.spi_amber:
        errors["spi_red"] = [MSG_THRESHOLD_ORDER]
    if row.cpi_red > row.cpi_amber:
        errors["cpi_red"] = [MSG_THRESHOLD_ORDER]
    if errors:
        raise ValidationFailed(fields=errors)
    validate_instance(row, exclude=["project"])
    row.save()
    return row

"""Writes about notifications: making them (in each person's language, once per thing and
day), reading them, e-mailing them (at once or in a daily digest), people's and projects'
settings, and the alerts on the plan that the daily run looks for.

`notify` is the one way in for every kind, present and future (mentions, follows...): it
drops inactive people and the person who caused the event, writes the text in each
recipient's language, skips what the dedupe key says was made already, and queues the
e-mail of those who want it at once."""

from __future__ import annotations

import contextlib
import functools
import logging
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from keel.apps.accounts.models import User
from keel.apps.planning.models import Task
from keel.apps.projects.models import Project, ScheduleState
from keel.apps.projects.permissions import ProjectAction, require
from keel.apps.resources.selectors_money import compute_costs, spend_crossings
from keel.apps.resources.selectors_stock import low_stock
from keel.apps.resources.services_money import spend_alerts_mark
from keel.common.errors import NotFound, ValidationFailed, check_version, validate_instance

from .models import (
    EmailMode,
    Notification,
    NotificationKind,
    NotificationSettings,
    PeriodicRun,
    ProjectAlertSettings,
)
from .selectors import (
    active_projects,
    alert_settings_of,
    digest_candidates,
    existing_keys,
    finance_people,
    overdue_tasks,
    project_managers,
    project_today,
    settings_by_user,
    slipped_milestones,
    still_visible_q,
    unsent_immediate,
    wants_email_now,
    with_access,
)

logger = logging.getLogger(__name__)

MSG_EMAIL_MODE = gettext_lazy("Choose “At once” or “In a daily digest”.")

Text = Callable[[], tuple[str, str]]  # (title, body), called in the recipient's language

_muted: ContextVar[bool] = ContextVar("keel_notifications_muted", default=False)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Make no notifications inside this block: loading a demo or importing a plan is not
    news to anyone."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def dedupe_key(kind: str, target: models.Model, day: date) -> str:
    """The same kind of notification about the same row on the same day is made once."""
    meta = target._meta
    return f"{kind}:{meta.app_label}.{meta.model_name}:{target.pk}:{day.isoformat()}"


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: NotificationKind,
    text: Text,
    project: Project | None = None,
    target: models.Model | None = None,
    url: str = "",
    data: Mapping[str, Any] | None = None,
    dedupe_key: str = "",
    actor: User | None = None,
) -> list[Notification]:
    """Tell each recipient once (internal: callers decided who may know). Returns the
    notifications made; those the dedupe key says exist already are not made again."""
    if _muted.get():
        return []
    people: dict[int, User] = {}
    for user in recipients:
        if user.is_active and (actor is None or user.pk != actor.pk):
            people.setdefault(user.pk, user)
    if dedupe_key:
        made_before = existing_keys(list(people), [dedupe_key])
        people = {pk: u for pk, u in people.items() if (pk, dedupe_key) not in made_before}
    if not people:
        return []
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    made: list[Notification] = []
    for user in people.values():
        with translation.override(_language(user)):
            title, body = text()
        row = Notification(
            recipient=user,
            kind=kind,
            project=project,
            actor=actor,
            target_type=target_type,
            target_id=target.pk if target is not None else None,
            url=url,
            title=title[:300],
            body=body,
            data=dict(data or {}),
            dedupe_key=dedupe_key,
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # the same alert made meanwhile by a concurrent run
            continue
        made.append(row)
    prefs = settings_by_user([n.recipient_id for n in made])
    for row in made:
        if wants_email_now(prefs[row.recipient_id]):
            transaction.on_commit(functools.partial(_enqueue_email, row.pk), robust=True)
    return made


def _enqueue_email(notification_id: int) -> None:
    from .tasks import send_notification_email  # tasks.py imports this module

    send_notification_email.enqueue(notification_id)


# ---------------------------------------------------------------- reading


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (again: no change)."""
    if notification.recipient_id != actor.pk:
        raise NotFound()
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# ---------------------------------------------------------------- settings


@transaction.atomic
def notification_settings_update(
    *, actor: User, email_enabled: bool, email_mode: str, version: int | None
) -> NotificationSettings:
    """Change one's own choices. The defaults count as version 1, so two people (or tabs)
    saving over the same defaults get the second a 409 like any other stale write."""
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one creator at a time
    row = NotificationSettings.objects.filter(user_id=actor.pk).first() or NotificationSettings(
        user=actor
    )
    check_version(row.version, version)
    if email_mode not in EmailMode.values:
        raise ValidationFailed(fields={"email_mode": [MSG_EMAIL_MODE]})
    row.bump(email_enabled=email_enabled, email_mode=email_mode)
    validate_instance(row, exclude=["user"])
    row.save()
    return row


@transaction.atomic
def project_alert_settings_update(
    *, actor: User, project: Project, milestone_slip_days: int, version: int | None
) -> ProjectAlertSettings:
    """Managers set the project's alert threshold."""
    require(actor, ProjectAction.EDIT, project)
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one creator at a time
    row = ProjectAlertSettings.objects.filter(project_id=project.pk).first()
    row = row or ProjectAlertSettings(project=project)
    check_version(row.version, version)
    row.bump(milestone_slip_days=milestone_slip_days)
    validate_instance(row, exclude=["project"])
    row.save()
    return row


# ---------------------------------------------------------------- e-mail


def _absolute(url: str) -> str:
    base = str(getattr(settings, "KEEL_BASE_URL", "") or "").rstrip("/")
    return f"{base}{url}" if url and base else url


def _email(user: User, subject: str, template: str, context: dict[str, Any]) -> EmailMessage:
    """An e-mail to the person, written in their language and time zone."""
    try:
        tz = zoneinfo.ZoneInfo(user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    with translation.override(_language(user)), timezone.override(tz):
        ctx = {
            "user": user,
            "settings_url": _absolute(reverse("notifications:settings")),
            "list_url": _absolute(reverse("notifications:list")),
            **context,
        }
        body = render_to_string(template, ctx)
        subject = " ".join(f"[Keel] {subject}".split())[:250]
    return EmailMessage(subject=subject, body=body, to=[user.email])


def send_notification_email(*, notification_id: int) -> str:
    """E-mail one notification at once, if its recipient wants that and has not read it.
    Marked e-mailed in the transaction the sending succeeded in: a failure (an exception)
    leaves it unmarked for the daily run to try again, and nothing is sent twice."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if row is None:
            return "gone"
        if row.emailed_at is not None:
            return "already sent"
        user = row.recipient
        prefs = settings_by_user([user.pk])[user.pk]
        if row.read_at is not None or not user.is_active or not wants_email_now(prefs):
            return "not wanted"
        message = _email(
            user,
            row.title,
            "notifications/email/notification.txt",
            {"notification": row, "link": _absolute(row.url)},
        )
        message.send()
        Notification.objects.filter(pk=row.pk).update(emailed_at=timezone.now())
    return "sent"


DIGEST_WINDOW = timedelta(days=7)  # older unread notifications are left to the app
DIGEST_MAX = 50  # listed in one digest; the rest are counted


def _same_local_day(a: datetime | None, b: datetime, user: User) -> bool:
    if a is None:
        return False
    try:
        tz = zoneinfo.ZoneInfo(user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    return timezone.localtime(a, tz).date() == timezone.localtime(b, tz).date()


def send_digest(*, user: User, now: datetime | None = None) -> bool:
    """One e-mail with the person's unread notifications of the last week that were not
    e-mailed, at most once a day (their day). True when one was sent."""
    now = now or timezone.now()
    with transaction.atomic():
        prefs = NotificationSettings.objects.select_for_update().filter(user_id=user.pk).first()
        if prefs is None or not prefs.email_enabled or prefs.email_mode != EmailMode.DIGEST:
            return False
        if _same_local_day(prefs.last_digest_at, now, user):
            return False
        rows = list(
            # Lock the notifications only: PostgreSQL cannot lock the optional project
            # joined in beside them (the nullable side of an outer join).
            Notification.objects.select_for_update(of=("self",))
            .filter(
                recipient_id=user.pk,
                read_at__isnull=True,
                emailed_at__isnull=True,
                created_at__gte=now - DIGEST_WINDOW,
            )
            .filter(still_visible_q(user))
            .select_related("project")
            .order_by("created_at", "pk")
        )
        if not rows:
            return False
        with translation.override(_language(user)):
            subject = ngettext(
                "%(count)d new notification", "%(count)d new notifications", len(rows)
            ) % {"count": len(rows)}
        message = _email(
            user,
            subject,
            "notifications/email/digest.txt",
            {
                "rows": [(r, _absolute(r.url)) for r in rows[:DIGEST_MAX]],
                "more": max(0, len(rows) - DIGEST_MAX),
            },
        )
        message.send()
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(emailed_at=now)
        NotificationSettings.objects.filter(pk=prefs.pk).update(last_digest_at=now)
    return True


def send_digests(*, now: datetime | None = None) -> int:
    """The daily digests of everyone who chose one; returns how many were sent. One
    person's failure (their mail server) does not stop the others'."""
    now = now or timezone.now()
    sent = 0
    for user in digest_candidates(since=now - DIGEST_WINDOW):
        try:
            sent += send_digest(user=user, now=now)
        except Exception:
            logger.exception("The daily digest of user %s could not be sent", user.pk)
    return sent


RETRY_AFTER = timedelta(minutes=10)  # younger ones may still be in the queue
RETRY_WINDOW = timedelta(days=2)


def retry_unsent_emails(*, now: datetime | None = None) -> int:
    """Send the e-mails that should have gone out at once but did not."""
    now = now or timezone.now()
    sent = 0
    pending = unsent_immediate(older_than=now - RETRY_AFTER, newer_than=now - RETRY_WINDOW)
    for pk in list(pending.values_list("pk", flat=True)):
        try:
            sent += send_notification_email(notification_id=pk) == "sent"
        except Exception:
            logger.exception("Notification %s could not be e-mailed", pk)
    return sent


# ---------------------------------------------------------------- alerts on the plan


def _task_url(task: Task) -> str:
    return reverse("planning:task", args=[task.pk])


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _milestone_text(project: Project, task: Task, slip: int) -> Text:
    def text() -> tuple[str, str]:
        assert task.finish is not None and task.deadline is not None  # a slipped milestone
        title = ngettext(
            "Milestone “%(name)s” is forecast %(days)d working day late",
            "Milestone “%(name)s” is forecast %(days)d working days late",
            slip,
        ) % {"name": task.name, "days": slip}
        body = _(
            "%(project)s: the milestone “%(name)s” is now forecast to finish on %(forecast)s; "
            "its target date is %(target)s."
        ) % {
            "project": str(project),
            "name": task.name,
            "forecast": _day(task.finish),
            "target": _day(task.deadline),
        }
        return title, body

    return text


def _overdue_text(project: Project, task: Task) -> Text:
    def text() -> tuple[str, str]:
        assert task.finish is not None  # an overdue task
        title = _("Task “%(name)s” is overdue") % {"name": task.name}
        body = _(
            "%(project)s: “%(name)s” was scheduled to finish on %(finish)s and is not done."
        ) % {"project": str(project), "name": task.name, "finish": _day(task.finish)}
        if task.is_critical:
            body += " " + _("It is on the critical path.")
        return title, body

    return text


def _spend_text(project: Project, kind: str, percent: int, amount: Any, budget: Any) -> Text:
    def text() -> tuple[str, str]:
        values = {
            "project": str(project),
            "percent": percent,
            "amount": formats.number_format(amount, 2, use_l10n=True, force_grouping=True),
            "budget": formats.number_format(budget, 2, use_l10n=True, force_grouping=True),
            "currency": project.currency,
        }
        if kind == "actual":
            title = _("%(project)s has spent %(percent)d%% of its budget") % values
            body = (
                _("Actual cost is %(amount)s %(currency)s of a budget of %(budget)s %(currency)s.")
                % values
            )
        else:
            title = _("%(project)s is forecast to spend %(percent)d%% of its budget") % values
            body = (
                _(
                    "The forecast at completion is %(amount)s %(currency)s against a budget of "
                    "%(budget)s %(currency)s."
                )
                % values
            )
        return title, body

    return text


def _low_stock_text(project: Project, names: list[str]) -> Text:
    def text() -> tuple[str, str]:
        title = ngettext(
            "%(project)s: %(count)d item is at or below its reorder level",
            "%(project)s: %(count)d items are at or below their reorder level",
            len(names),
        ) % {"project": str(project), "count": len(names)}
        return title, ", ".join(names)

    return text


def _money_alerts(project: Project, managers: list[Any], today: date) -> tuple[int, int]:
    """Spend thresholds newly reached (to those who see the money) and items at or below
    their reorder level (to the managers). Returns (alerts found, notifications made)."""
    found = notified = 0
    summary = compute_costs(project)
    crossings = spend_crossings(project, summary)
    if crossings:
        recipients = list({u.pk: u for u in [*managers, *finance_people(project)]}.values())
        for kind, percent in crossings:
            amount = summary.total.actual if kind == "actual" else summary.total.forecast
            made = notify(
                recipients=recipients,
                kind=NotificationKind.SPEND_ALERT,
                text=_spend_text(project, kind, percent, amount, summary.total.budget),
                project=project,
                target=project,
                url=reverse("resources:costs", args=[project.pk]),
                data={"kind": kind, "percent": percent, "amount": str(amount)},
                dedupe_key=f"spend_alert:{project.pk}:{kind}:{percent}",
            )
            found += 1
            notified += len(made)
        spend_alerts_mark(project, crossings)
    short = low_stock(project)
    if short:
        found += len(short)
        kind = NotificationKind.LOW_STOCK
        notified += len(
            notify(
                recipients=managers,
                kind=kind,
                text=_low_stock_text(project, [str(level.item) for level in short]),
                project=project,
                target=project,
                url=reverse("resources:materials", args=[project.pk]),
                data={"items": [level.item_id for level in short]},
                dedupe_key=dedupe_key(kind, project, today),
            )
        )
    return found, notified


@dataclass(frozen=True)
class AlertReport:
    """What one project's check found and how many notifications it made."""

    project: Project
    slipped_milestones: int = 0
    overdue_tasks: int = 0
    money_alerts: int = 0  # spend thresholds reached, items low on stock
    notified: int = 0
    skipped: str = ""  # why the project was not checked


MSG_SKIPPED_ARCHIVED = gettext_lazy("archived")
MSG_SKIPPED_BUSY = gettext_lazy("the schedule is being recalculated")


def check_alerts(project: Project, *, now: datetime | None = None) -> AlertReport:
    """Alert on the project's plan as it stands: milestones whose forecast slipped past the
    target by more than the project's threshold (to its managers), and open leaf tasks whose
    forecast finish is before today where the project is (to their owner and assignees, and
    to the managers too when the task is critical). Each alert is made once a day. Internal
    (the daily run, `keel alerts check`): no actor, nobody's permission to check."""
    project = Project.objects.select_related("workspace").get(pk=project.pk)
    if project.is_archived:
        return AlertReport(project, skipped=str(MSG_SKIPPED_ARCHIVED))
    if project.schedule_state in (ScheduleState.QUEUED, ScheduleState.RUNNING):
        # The stored dates are provisional; tomorrow's run sees the recalculated ones.
        return AlertReport(project, skipped=str(MSG_SKIPPED_BUSY))
    today = project_today(project, now)
    threshold = alert_settings_of(project).milestone_slip_days
    managers = project_managers(project)
    notified = 0
    slipped = slipped_milestones(project, threshold=threshold)
    for row in slipped:
        task = row.task
        kind = NotificationKind.MILESTONE_SLIPPED
        notified += len(
            notify(
                recipients=managers,
                kind=kind,
                text=_milestone_text(project, task, row.slip_days),
                project=project,
                target=task,
                url=_task_url(task),
                data={
                    "task_id": task.pk,
                    "forecast": task.finish.isoformat() if task.finish else None,
                    "target": task.deadline.isoformat() if task.deadline else None,
                    "slip_days": row.slip_days,
                    "threshold_days": threshold,
                },
                dedupe_key=dedupe_key(kind, task, today),
            )
        )
    overdue = overdue_tasks(project, today=today)
    access: dict[int, bool] = {}
    for task in overdue:
        kind = NotificationKind.TASK_OVERDUE
        people = [task.owner, *task.assignees.all(), *(managers if task.is_critical else [])]
        notified += len(
            notify(
                recipients=with_access(project, people, known=access),
                kind=kind,
                text=_overdue_text(project, task),
                project=project,
                target=task,
                url=_task_url(task),
                data={
                    "task_id": task.pk,
                    "finish": task.finish.isoformat() if task.finish else None,
                    "critical": task.is_critical,
                },
                dedupe_key=dedupe_key(kind, task, today),
            )
        )
    money_found, money_notified = _money_alerts(project, managers, today)
    return AlertReport(
        project,
        slipped_milestones=len(slipped),
        overdue_tasks=len(overdue),
        money_alerts=money_found,
        notified=notified + money_notified,
    )


def check_all_alerts(*, now: datetime | None = None) -> list[AlertReport]:
    """check_alerts for every project that is not archived. One project's failure (a bug,
    for the log) does not stop the others'."""
    reports = []
    for project in active_projects():
        try:
            reports.append(check_alerts(project, now=now))
        except Exception:
            logger.exception("Checking the alerts of project %s failed", project.pk)
            reports.append(AlertReport(project, skipped="error"))
    return reports


# ---------------------------------------------------------------- assignments


def _assigned_text(project: Project, task: Task, actor: User | None) -> Text:
    def text() -> tuple[str, str]:
        title = _("You were assigned to “%(name)s”") % {"name": task.name}
        values = {"name": task.name, "project": str(project)}
        if actor is not None:
            body = _("%(actor)s assigned you to the task “%(name)s” in %(project)s.") % {
                **values,
                "actor": actor.display_name,
            }
        else:
            body = _("You were assigned to the task “%(name)s” in %(project)s.") % values
        return title, body

    return text


def task_assigned(*, task: Task, user_ids: Iterable[int], actor: User | None) -> list[Notification]:
    """Tell people they were added to a task's assignees (not the one who added them)."""
    project = task.project
    people = with_access(project, list(User.objects.filter(pk__in=set(user_ids), is_active=True)))
    kind = NotificationKind.TASK_ASSIGNED
    return notify(
        recipients=people,
        kind=kind,
        text=_assigned_text(project, task, actor),
        project=project,
        target=task,
        url=_task_url(task),
        data={"task_id": task.pk},
        dedupe_key=dedupe_key(kind, task, project_today(project)),
        actor=actor,
    )


# ---------------------------------------------------------------- the daily run
#
# django-tasks has no scheduler. The daily run (tasks.daily_alerts) checks every project,
# retries e-mails that failed and sends the digests, then queues itself for the same hour
# the next day with `run_after`. `migrate` (which `keel serve` runs first) starts the chain,
# and `keel alerts schedule` restarts it; PeriodicRun's token keeps it to one chain. Where
# no worker runs, cron calls `keel alerts check` instead. See docs/notifications.md.

DAILY_RUN = "daily-alerts"
LOST_AFTER = timedelta(hours=1)  # a run this late was lost (or the worker is down): queue anew


def next_daily_time(now: datetime) -> datetime:
    """The next KEEL_ALERTS_HOUR o'clock (UTC) after `now`."""
    hour = int(getattr(settings, "KEEL_ALERTS_HOUR", 23)) % 24
    at = now.astimezone(zoneinfo.ZoneInfo("UTC")).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return at if at > now else at + timedelta(days=1)


def can_schedule() -> bool:
    """Whether the task backend runs tasks later (`run_after`): the database worker does,
    the immediate backend of the tests does not."""
    from django_tasks import task_backends

    from .tasks import daily_alerts

    return bool(task_backends[daily_alerts.backend].supports_defer)


def daily_run_schedule(*, force: bool = False, now: datetime | None = None) -> datetime | None:
    """Queue the next daily run unless one is queued already (or `force`); returns when it
    runs, or None when the task backend cannot run tasks later."""
    if not can_schedule():
        return None
    now = now or timezone.now()
    with transaction.atomic():
        PeriodicRun.objects.get_or_create(name=DAILY_RUN)
        run = PeriodicRun.objects.select_for_update().get(name=DAILY_RUN)
        queued = run.token and run.next_run_at and run.next_run_at > now - LOST_AFTER
        if queued and not force:
            return run.next_run_at
        run.token = uuid.uuid4().hex
        run.next_run_at = next_daily_time(now)
        run.save(update_fields=["token", "next_run_at"])
        transaction.on_commit(
            functools.partial(_enqueue_daily, run.token, run.next_run_at), robust=True
        )
    return run.next_run_at


def _enqueue_daily(token: str, at: datetime) -> None:
    from .tasks import daily_alerts

    daily_alerts.using(run_after=at).enqueue(token)


@dataclass(frozen=True)
class DailyOutcome:
    projects: int = 0
    notified: int = 0
    emails_retried: int = 0
    digests: int = 0
    duplicate: bool = False


def daily_run(*, token: str, now: datetime | None = None) -> DailyOutcome:
    """One daily run: claim it (a run with a stale token is a duplicate and stops), do the
    work, and queue the next whatever happened."""
    with transaction.atomic():
        run = PeriodicRun.objects.select_for_update().filter(name=DAILY_RUN).first()
        if run is None or not token or run.token != token:
            return DailyOutcome(duplicate=True)
        run.token = ""
        run.last_started_at = timezone.now()
        run.save(update_fields=["token", "last_started_at"])
    try:
        reports = check_all_alerts(now=now)
        retried = retry_unsent_emails(now=now)
        digests = send_digests(now=now)
    finally:
        PeriodicRun.objects.filter(name=DAILY_RUN).update(last_finished_at=timezone.now())
        daily_run_schedule(force=True)
    return DailyOutcome(
        projects=len(reports),
        notified=sum(r.notified for r in reports),
        emails_retried=retried,
        digests=digests,
    )

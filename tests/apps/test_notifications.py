"""Notifications: the alerts on the plan (slipped milestones, overdue tasks), who gets them,
once a day; e-mail at once or in a daily digest, in each person's language, never twice;
assignments; settings; the worker's daily run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import override_settings
from django_tasks import task_backends

from keel.apps.accounts.models import User
from keel.apps.audit.context import acting_as
from keel.apps.notifications.models import (
    EmailMode,
    Notification,
    NotificationKind,
    NotificationSettings,
    PeriodicRun,
)
from keel.apps.notifications.selectors import notification_get, unread_count
from keel.apps.notifications.services import (
    DAILY_RUN,
    check_alerts,
    check_all_alerts,
    daily_run,
    daily_run_schedule,
    muted,
    next_daily_time,
    notification_mark_read,
    notification_settings_update,
    notifications_mark_all_read,
    project_alert_settings_update,
    send_digests,
    send_notification_email,
)
from keel.apps.planning.models import Task
from keel.apps.planning.services import dependency_create, task_create, task_update
from keel.apps.projects.models import Project, ScheduleState
from keel.apps.projects.services import project_archive
from keel.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from ..conftest import World

Capture = Callable[..., Any]  # pytest-django's django_capture_on_commit_callbacks
UTC = dt.UTC
# The factory project starts Monday 2026-03-02. The plan below: Build (5 days, Mon to Fri
# 03-06), then the milestone Launch (target Wednesday 03-04, so 2 working days late); Review
# (1 day, linked to nothing: not critical) ends Monday 03-02.
MON_9 = dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # the Monday after: Build and Review overdue
FRI_6 = dt.datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # Build ends today: only Review overdue


@dataclass
class Plan:
    build: Task
    review: Task
    launch: Task


@pytest.fixture
def plan(world: World) -> Plan:
    owner, project = world.owner, world.project
    with muted():  # the assignments are not what these tests are about
        build = task_create(
            actor=owner,
            project=project,
            name="Build",
            duration_days=Decimal("5"),
            owner_id=world.member.pk,
            assignee_ids=[world.member.pk, world.viewer.pk],
        )
        review = task_create(
            actor=owner,
            project=project,
            name="Review",
            duration_days=Decimal("1"),
            owner_id=world.member.pk,
        )
        launch = task_create(
            actor=owner,
            project=project,
            name="Launch",
            is_milestone=True,
            deadline=dt.date(2026, 3, 4),
        )
    dependency_create(actor=owner, project=project, predecessor_id=build.pk, successor_id=launch.pk)
    return Plan(*(Task.objects.get(pk=t.pk) for t in (build, review, launch)))


def _kinds(user: User) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def _recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def _overdue(task: Task, user: User) -> Notification:
    return Notification.objects.get(kind="task_overdue", target_id=task.pk, recipient=user)


MANAGERS = {"owner@example.com", "admin@example.com", "manager@example.com"}


# ---------------------------------------------------------------- slipped milestones


def test_the_plan_is_as_described(plan: Plan) -> None:
    assert plan.launch.finish == dt.date(2026, 3, 6) and plan.launch.is_critical
    assert plan.build.finish == dt.date(2026, 3, 6) and plan.build.is_critical
    assert plan.review.finish == dt.date(2026, 3, 2) and not plan.review.is_critical


def test_a_slipped_milestone_alerts_the_managers(world: World, plan: Plan) -> None:
    report = check_alerts(world.project, now=FRI_6)
    assert report.slipped_milestones == 1
    assert _recipients(NotificationKind.MILESTONE_SLIPPED) == MANAGERS
    n = Notification.objects.get(kind="milestone_slipped", recipient=world.manager)
    assert n.title == "Milestone “Launch” is forecast 2 working days late"
    assert n.body == (
        f"{world.project}: the milestone “Launch” is now forecast to finish on March 6, 2026; "
        "its target date is March 4, 2026."
    )
    assert n.project == world.project and n.target_id == plan.launch.pk
    assert n.url == f"/tasks/{plan.launch.pk}/"
    assert n.data == {
        "task_id": plan.launch.pk,
        "forecast": "2026-03-06",
        "target": "2026-03-04",
        "slip_days": 2,
        "threshold_days": 0,
    }


@pytest.mark.parametrize(("threshold", "alerted"), [(0, True), (1, True), (2, False), (5, False)])
def test_the_threshold_is_in_working_days(
    world: World, plan: Plan, threshold: int, alerted: bool
) -> None:
    project_alert_settings_update(
        actor=world.manager, project=world.project, milestone_slip_days=threshold, version=None
    )
    report = check_alerts(world.project, now=FRI_6)
    assert report.slipped_milestones == (1 if alerted else 0)
    assert Notification.objects.filter(kind="milestone_slipped").exists() is alerted


def test_a_weekend_target_counts_working_days(world: World, plan: Plan) -> None:
    # Target Saturday 03-07, forecast Monday 03-09: one working day late (the Monday).
    task_update(
        actor=world.owner,
        task=plan.build,
        version=plan.build.version,
        changes={"duration_days": Decimal("6")},
    )
    task_update(
        actor=world.owner,
        task=plan.launch,
        version=plan.launch.version,
        changes={"deadline": dt.date(2026, 3, 7)},
    )
    assert Task.objects.get(pk=plan.launch.pk).finish == dt.date(2026, 3, 9)
    project_alert_settings_update(
        actor=world.owner, project=world.project, milestone_slip_days=1, version=None
    )
    assert check_alerts(world.project, now=FRI_6).slipped_milestones == 0
    project_alert_settings_update(
        actor=world.owner, project=world.project, milestone_slip_days=0, version=2
    )
    assert check_alerts(world.project, now=FRI_6).slipped_milestones == 1
    assert "1 working day late" in Notification.objects.filter(kind="milestone_slipped")[0].title


def test_milestones_on_time_done_or_without_target_are_quiet(world: World, plan: Plan) -> None:
    task_update(
        actor=world.owner,
        task=plan.launch,
        version=plan.launch.version,
        changes={"deadline": dt.date(2026, 3, 6)},
    )
    assert check_alerts(world.project, now=FRI_6).slipped_milestones == 0
    launch = Task.objects.get(pk=plan.launch.pk)
    task_update(actor=world.owner, task=launch, version=launch.version, changes={"deadline": None})
    assert check_alerts(world.project, now=FRI_6).slipped_milestones == 0
    launch = Task.objects.get(pk=plan.launch.pk)
    task_update(
        actor=world.owner,
        task=launch,
        version=launch.version,
        changes={"deadline": dt.date(2026, 3, 4), "status": "done"},
    )
    assert check_alerts(world.project, now=FRI_6).slipped_milestones == 0
    assert not Notification.objects.filter(kind="milestone_slipped").exists()


# ---------------------------------------------------------------- overdue tasks


def test_overdue_tasks_alert_owner_assignees_and_for_critical_ones_managers(
    world: World, plan: Plan
) -> None:
    report = check_alerts(world.project, now=MON_9)
    assert report.overdue_tasks == 3  # Build, Review, and the milestone that ends with Build
    by_task = {
        task_id: set(
            Notification.objects.filter(kind="task_overdue", target_id=task_id).values_list(
                "recipient__email", flat=True
            )
        )
        for task_id in (plan.build.pk, plan.review.pk, plan.launch.pk)
    }
    # Build is critical: its owner, its assignees, and the managers.
    assert by_task[plan.build.pk] == {"member@example.com", "viewer@example.com", *MANAGERS}
    # Review is not: its owner only.
    assert by_task[plan.review.pk] == {"member@example.com"}
    # The milestone has no owner, but it is critical.
    assert by_task[plan.launch.pk] == MANAGERS
    n = Notification.objects.get(
        kind="task_overdue", target_id=plan.build.pk, recipient=world.member
    )
    assert n.title == "Task “Build” is overdue"
    assert n.body.endswith(
        "was scheduled to finish on March 6, 2026 and is not done. It is on the critical path."
    )


def test_done_and_cancelled_tasks_and_summaries_are_not_overdue(world: World, plan: Plan) -> None:
    task_update(
        actor=world.owner, task=plan.build, version=plan.build.version, changes={"status": "done"}
    )
    task_update(
        actor=world.owner,
        task=plan.review,
        version=plan.review.version,
        changes={"status": "cancelled"},
    )
    launch = Task.objects.get(pk=plan.launch.pk)
    task_update(actor=world.owner, task=launch, version=launch.version, changes={"status": "done"})
    with muted():
        summary = task_create(actor=world.owner, project=world.project, name="Phase")
        task_create(
            actor=world.owner,
            project=world.project,
            name="Child",
            parent_id=summary.pk,
            status="done",
        )
    report = check_alerts(world.project, now=MON_9)
    assert report.overdue_tasks == 0
    assert not Notification.objects.filter(kind="task_overdue").exists()


def test_today_is_where_the_project_is(world: World, plan: Plan) -> None:
    # Friday 03-06 18:00 UTC is already Saturday in Shanghai: Build (ends Friday) is overdue
    # there, and not yet in London.
    evening = dt.datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
    assert check_alerts(world.project, now=evening).overdue_tasks == 1  # Review only
    Project.objects.filter(pk=world.project.pk).update(timezone="Asia/Shanghai")
    assert check_alerts(world.project, now=evening).overdue_tasks == 3
    # And the dedupe day is Shanghai's Saturday.
    n = Notification.objects.get(
        kind="task_overdue", target_id=plan.build.pk, recipient=world.member
    )
    assert n.dedupe_key.endswith(":2026-03-07")


def test_people_who_lost_access_are_not_told(world: World, plan: Plan) -> None:
    # The workspace member is in the workspace but not the project: assignable, not told.
    task_update(
        actor=world.owner,
        task=plan.review,
        version=plan.review.version,
        changes={"assignee_ids": [world.ws_member.pk]},
    )
    User.objects.filter(pk=world.member.pk).update(is_active=False)
    check_alerts(world.project, now=MON_9)
    assert not Notification.objects.filter(
        recipient__in=[world.ws_member, world.member], kind="task_overdue"
    ).exists()


# ---------------------------------------------------------------- once a day


def test_an_alert_is_made_once_a_day(world: World, plan: Plan) -> None:
    first = check_alerts(world.project, now=MON_9)
    # The slip (managers); overdue: Build (2 + managers), Review (1), Launch (managers).
    assert first.notified == 3 + 5 + 1 + 3
    again = check_alerts(world.project, now=MON_9 + dt.timedelta(hours=3))
    assert again.notified == 0 and again.overdue_tasks == 3
    assert Notification.objects.count() == first.notified
    tomorrow = check_alerts(world.project, now=MON_9 + dt.timedelta(days=1))
    assert tomorrow.notified == first.notified


def test_check_all_skips_archived_and_busy_projects(world: World, plan: Plan) -> None:
    other = Project.objects.create(
        workspace=world.workspace, code="ARC", name="Old", start_date=dt.date(2026, 3, 2)
    )
    project_archive(actor=world.owner, project=other, version=other.version)
    busy = Project.objects.create(
        workspace=world.workspace,
        code="BSY",
        name="Busy",
        start_date=dt.date(2026, 3, 2),
        schedule_state=ScheduleState.QUEUED,
    )
    reports = {r.project.code: r for r in check_all_alerts(now=MON_9)}
    assert set(reports) == {world.project.code, "BSY"}
    assert reports["BSY"].skipped == "the schedule is being recalculated"
    assert reports[world.project.code].notified > 0
    assert check_alerts(other, now=MON_9).skipped == "archived"
    assert check_alerts(busy, now=MON_9).notified == 0


# ---------------------------------------------------------------- assignments


def test_assignees_added_are_told_by_whom(world: World) -> None:
    with acting_as(world.manager):
        task = task_create(
            actor=world.manager,
            project=world.project,
            name="Paint",
            assignee_ids=[world.member.pk, world.manager.pk],
        )
    # The manager assigned themself: no news to them.
    assert _kinds(world.manager) == []
    n = Notification.objects.get(recipient=world.member)
    assert (n.kind, n.actor, n.target_id) == ("task_assigned", world.manager, task.pk)
    assert n.title == "You were assigned to “Paint”"
    assert n.body == f"Manager assigned you to the task “Paint” in {world.project}."
    # Adding someone else later tells only them; removing tells no one.
    task = Task.objects.get(pk=task.pk)
    with acting_as(world.owner):
        task = task_update(
            actor=world.owner,
            task=task,
            version=task.version,
            changes={"assignee_ids": [world.member.pk, world.viewer.pk]},
        )
        task_update(
            actor=world.owner, task=task, version=task.version, changes={"assignee_ids": []}
        )
    assert Notification.objects.filter(recipient=world.member).count() == 1
    assert Notification.objects.get(recipient=world.viewer).actor == world.owner


def test_an_assignment_without_a_known_actor_and_the_reverse_side(world: World) -> None:
    task = task_create(actor=world.owner, project=world.project, name="Paint")
    world.member.assigned_tasks.add(task)  # the other side of the relation (admin, scripts)
    n = Notification.objects.get(recipient=world.member)
    assert n.actor is None
    assert n.body == f"You were assigned to the task “Paint” in {world.project}."


def test_an_assignment_rolled_back_leaves_no_notification(world: World) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        task_create(
            actor=world.owner, project=world.project, name="Paint", assignee_ids=[world.member.pk]
        )
        assert Notification.objects.filter(recipient=world.member).exists()
        raise RuntimeError("the request failed after the assignment")
    assert not Notification.objects.exists()


def test_muted_makes_nothing(world: World) -> None:
    with muted():
        task_create(
            actor=world.owner, project=world.project, name="Paint", assignee_ids=[world.member.pk]
        )
    assert not Notification.objects.exists()


# ---------------------------------------------------------------- e-mail


def test_a_notification_is_emailed_at_once_in_the_recipients_language(
    world: World, plan: Plan, django_capture_on_commit_callbacks: Capture
) -> None:
    User.objects.filter(pk=world.member.pk).update(language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        check_alerts(world.project, now=MON_9)
    to_member = [m for m in mail.outbox if m.to == ["member@example.com"]]
    assert len(to_member) == 2  # Build and Review
    n = Notification.objects.get(
        kind="task_overdue", target_id=plan.build.pk, recipient=world.member
    )
    assert "2026年3月6日" in n.body  # written in Chinese date format when it was made
    message = next(m for m in to_member if n.title in m.subject)
    assert message.subject == f"[Keel] {n.title}"
    assert n.body in message.body
    assert f"http://localhost:8000/tasks/{plan.build.pk}/" in message.body
    assert "http://localhost:8000/settings/notifications/" in message.body
    english = next(m for m in mail.outbox if m.to == ["manager@example.com"])
    assert "March" in english.body
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_an_email_is_never_sent_twice_and_a_failure_is_retried(
    world: World, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_alerts(world.project, now=FRI_6)  # no on-commit here: nothing queued
    n = Notification.objects.filter(recipient=world.manager).first()
    assert n is not None and n.emailed_at is None

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("the mail server is down")

    with monkeypatch.context() as m:
        m.setattr(EmailMessage, "send", refuse)
        with pytest.raises(ConnectionRefusedError):
            send_notification_email(notification_id=n.pk)
    n.refresh_from_db()
    assert n.emailed_at is None and mail.outbox == []
    assert send_notification_email(notification_id=n.pk) == "sent"
    assert send_notification_email(notification_id=n.pk) == "already sent"
    assert len(mail.outbox) == 1
    n.refresh_from_db()
    assert n.emailed_at is not None


def test_the_daily_run_retries_unsent_emails(world: World, plan: Plan) -> None:
    from keel.apps.notifications.services import retry_unsent_emails

    check_alerts(world.project, now=FRI_6)
    made = Notification.objects.count()
    # Just made: maybe still in the queue, so not yet.
    assert retry_unsent_emails() == 0
    later = dt.datetime.now(UTC) + dt.timedelta(hours=1)
    assert retry_unsent_emails(now=later) == made
    assert retry_unsent_emails(now=later) == 0
    assert len(mail.outbox) == made


def test_no_email_for_read_ones_or_people_who_said_no(world: World, plan: Plan) -> None:
    notification_settings_update(
        actor=world.owner, email_enabled=False, email_mode=EmailMode.IMMEDIATE, version=None
    )
    check_alerts(world.project, now=FRI_6)
    owner_n = Notification.objects.get(recipient=world.owner)
    admin_n = Notification.objects.get(recipient=world.admin)
    notification_mark_read(actor=world.admin, notification=admin_n)
    assert send_notification_email(notification_id=owner_n.pk) == "not wanted"
    assert send_notification_email(notification_id=admin_n.pk) == "not wanted"
    assert mail.outbox == []


def test_the_daily_digest(
    world: World, plan: Plan, django_capture_on_commit_callbacks: Capture
) -> None:
    notification_settings_update(
        actor=world.member, email_enabled=True, email_mode=EmailMode.DIGEST, version=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        check_alerts(world.project, now=MON_9)
    assert not [m for m in mail.outbox if m.to == ["member@example.com"]]  # not at once
    others = len(mail.outbox)
    now = dt.datetime.now(UTC)
    assert send_digests(now=now) == 1
    digest = mail.outbox[-1]
    assert digest.to == ["member@example.com"]
    assert digest.subject == "[Keel] 2 new notifications"
    assert "Task “Build” is overdue" in digest.body and "Task “Review” is overdue" in digest.body
    assert digest.body.startswith("Hello Member,")
    # Once a day, and what was in it is not sent again.
    assert send_digests(now=now) == 0
    assert not Notification.objects.filter(recipient=world.member, emailed_at__isnull=True).exists()
    # The next day, only what is new and unread.
    tomorrow = now + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        check_alerts(world.project, now=MON_9 + dt.timedelta(days=1))
    read = Notification.objects.filter(recipient=world.member, emailed_at__isnull=True)
    notification_mark_read(actor=world.member, notification=read.get(target_id=plan.review.pk))
    assert send_digests(now=tomorrow) == 1
    assert mail.outbox[-1].subject == "[Keel] 1 new notification"
    assert "Build" in mail.outbox[-1].body and "Review" not in mail.outbox[-1].body
    assert len(mail.outbox) == 2 * others + 2  # the others' at once each day, two digests


# ---------------------------------------------------------------- reading and settings


def test_reading_is_ones_own(world: World, plan: Plan) -> None:
    check_alerts(world.project, now=FRI_6)
    n = Notification.objects.get(recipient=world.manager)
    with pytest.raises(NotFound):
        notification_get(world.owner, n.pk)
    with pytest.raises(NotFound):
        notification_mark_read(actor=world.owner, notification=n)
    assert unread_count(world.manager) == 1
    assert notifications_mark_all_read(actor=world.owner) == 1  # the owner's own only
    assert unread_count(world.manager) == 1
    notification_mark_read(actor=world.manager, notification=n)
    assert unread_count(world.manager) == 0


def test_settings_are_made_on_first_change_and_versioned(world: World) -> None:
    assert not NotificationSettings.objects.exists()
    row = notification_settings_update(
        actor=world.member, email_enabled=True, email_mode="digest", version=1
    )
    assert (row.email_mode, row.version) == ("digest", 2)
    with pytest.raises(Conflict):
        notification_settings_update(
            actor=world.member, email_enabled=False, email_mode="digest", version=1
        )
    with pytest.raises(ValidationFailed) as exc:
        notification_settings_update(
            actor=world.member, email_enabled=False, email_mode="weekly", version=2
        )
    assert "email_mode" in exc.value.fields


def test_only_managers_set_the_threshold(world: World) -> None:
    for role in ("member", "viewer"):
        with pytest.raises(PermissionDenied):
            project_alert_settings_update(
                actor=world.user(role), project=world.project, milestone_slip_days=3, version=None
            )
    with pytest.raises(NotFound):
        project_alert_settings_update(
            actor=world.outsider, project=world.project, milestone_slip_days=3, version=None
        )
    with pytest.raises(ValidationFailed):
        project_alert_settings_update(
            actor=world.manager, project=world.project, milestone_slip_days=400, version=None
        )
    row = project_alert_settings_update(
        actor=world.manager, project=world.project, milestone_slip_days=3, version=1
    )
    assert (row.milestone_slip_days, row.version) == (3, 2)


# ---------------------------------------------------------------- the daily run

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_the_next_run_is_the_next_alerts_hour(settings: Any) -> None:
    settings.KEEL_ALERTS_HOUR = 23
    assert next_daily_time(dt.datetime(2026, 3, 9, 8, 0, tzinfo=UTC)) == dt.datetime(
        2026, 3, 9, 23, 0, tzinfo=UTC
    )
    assert next_daily_time(dt.datetime(2026, 3, 9, 23, 0, tzinfo=UTC)) == dt.datetime(
        2026, 3, 10, 23, 0, tzinfo=UTC
    )


def test_without_a_worker_nothing_is_queued(db: Any) -> None:
    assert daily_run_schedule() is None  # the tests' immediate backend cannot run later
    assert not PeriodicRun.objects.exists()


@override_settings(TASKS=DUMMY)
def test_the_daily_run_queues_itself_once(
    world: World, plan: Plan, django_capture_on_commit_callbacks: Capture
) -> None:
    backend = task_backends["default"]
    with django_capture_on_commit_callbacks(execute=True):
        at = daily_run_schedule()
        assert daily_run_schedule() == at  # already queued: nothing more
    assert at is not None

    def runs() -> list[Any]:
        return [r for r in backend.results if r.task.name == "daily_alerts"]  # type: ignore[attr-defined]

    assert len(runs()) == 1
    first = runs()[0]
    assert first.task.run_after == at
    token = first.args[0]
    # A duplicate (a stale token) does nothing and queues nothing.
    assert daily_run(token="stale").duplicate
    with django_capture_on_commit_callbacks(execute=True):
        outcome = daily_run(token=token, now=MON_9)
    assert not outcome.duplicate and outcome.projects == 1 and outcome.notified > 0
    # It queued the next day's run under a new token; the old one no longer runs.
    assert len(runs()) == 2
    second = runs()[1]
    assert second.args[0] != token
    assert PeriodicRun.objects.get(name=DAILY_RUN).token == second.args[0]
    assert daily_run(token=token).duplicate


def test_someone_who_left_the_project_no_longer_reads_about_it(world: World, plan: Plan) -> None:
    from keel.apps.notifications.selectors import notifications_for, unread_count
    from keel.apps.projects.models import ProjectMembership

    check_alerts(world.project, now=FRI_6)
    assert notifications_for(world.manager).exists() and unread_count(world.manager) > 0
    ProjectMembership.objects.filter(project=world.project, user=world.manager).delete()
    for attr in ("_keel_project_roles", "_keel_workspace_roles"):
        world.manager.__dict__.pop(attr, None)
    assert not notifications_for(world.manager).exists()
    assert unread_count(world.manager) == 0

"""`keel alerts check` (for cron) and `keel alerts schedule` (the worker's daily run)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import override_settings
from typer.testing import CliRunner

from keel.apps.notifications.models import Notification, PeriodicRun
from keel.apps.planning.services import task_create
from keel.apps.projects.models import Project
from keel.cli.main import app
from tests.conftest import World
from tests.factories import ProjectFactory, WorkspaceFactory

runner = CliRunner()


def _overdue_task(world: World) -> Any:
    """The project's only task, so critical, scheduled in 2020: overdue by any clock."""
    Project.objects.filter(pk=world.project.pk).update(start_date=dt.date(2020, 1, 6))
    return task_create(
        actor=world.owner,
        project=world.project,
        name="Survey",
        duration_days=Decimal("1"),
        owner_id=world.member.pk,
    )


def test_check_notifies_and_is_safe_to_run_again(world: World) -> None:
    _overdue_task(world)
    r = runner.invoke(app, ["alerts", "check"])
    assert r.exit_code == 0, r.output
    assert world.project.code in r.output
    # Its owner, and the three managers as it is critical.
    made = Notification.objects.filter(kind="task_overdue").count()
    assert made == 4
    assert f"1 project(s) checked, {made} notification(s) made" in r.output
    assert "e-mail(s) sent again" in r.output and "digest(s) sent" in r.output
    r = runner.invoke(app, ["alerts", "check"])
    assert r.exit_code == 0, r.output
    assert "1 project(s) checked, 0 notification(s) made" in r.output
    assert Notification.objects.count() == made


def test_check_one_project(world: World) -> None:
    _overdue_task(world)
    r = runner.invoke(app, ["alerts", "check", "--project", world.project.code.lower()])
    assert r.exit_code == 0, r.output
    assert "1 project(s) checked, 4 notification(s) made" in r.output
    assert "digest(s) sent" not in r.output


def test_check_refuses_an_unknown_or_ambiguous_code(db: Any) -> None:
    r = runner.invoke(app, ["alerts", "check", "--project", "NOPE"])
    assert r.exit_code == 2 and "no project with code NOPE" in r.output
    ProjectFactory(code="WEB", workspace=WorkspaceFactory(slug="one"))
    ProjectFactory(code="WEB", workspace=WorkspaceFactory(slug="two"))
    r = runner.invoke(app, ["alerts", "check", "--project", "WEB"])
    assert r.exit_code == 2 and "--workspace" in r.output
    r = runner.invoke(app, ["alerts", "check", "--project", "WEB", "--workspace", "one"])
    assert r.exit_code == 0, r.output


def test_schedule_needs_a_worker(db: Any) -> None:
    r = runner.invoke(app, ["alerts", "schedule"])
    assert r.exit_code == 2 and "cron" in r.output


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_schedule_queues_the_daily_run(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        r = runner.invoke(app, ["alerts", "schedule"])
    assert r.exit_code == 0, r.output
    run = PeriodicRun.objects.get()
    assert run.next_run_at is not None
    assert f"queued for {run.next_run_at:%Y-%m-%d %H:%M} UTC" in r.output

"""`keel timesheet`: show, log and submit a person's week; bad input is one line and exit 2;
the demo's timesheets."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from keel.apps.planning.services import task_create
from keel.apps.tracking.models import TimeEntry
from keel.cli.main import app
from tests.conftest import World

runner = CliRunner()


@pytest.fixture
def task(world: World) -> Any:
    return task_create(
        actor=world.owner, project=world.project, name="Design", assignee_ids=[world.member.pk]
    )


def _run(*args: str) -> Any:
    return runner.invoke(app, list(args))


def test_log_show_and_submit(world: World, task: Any) -> None:
    r = _run(
        "timesheet", "log", "--user", "member@example.com", "--task", str(task.pk),
        "--date", "2026-03-09", "--hours", "7.5", "--note", "specs",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Logged 7.5 h" in r.output
    entry = TimeEntry.objects.get()
    assert (entry.user, entry.hours, entry.note) == (world.member, 7.5, "specs")
    # Logging the same cell again changes it.
    r = _run(
        "timesheet", "log", "--user", "MEMBER@example.com", "--task", str(task.pk),
        "--date", "2026-03-09", "--hours", "6",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    entry.refresh_from_db()
    assert (entry.hours, entry.note, entry.version) == (6, "specs", 2)
    r = _run("timesheet", "show", "--user", "member@example.com", "--week", "2026-W11")
    assert r.exit_code == 0, r.output
    assert "Design" in r.output and "draft" in r.output and "6" in r.output
    r = _run("timesheet", "submit", "--user", "member@example.com", "--week", "2026-W11")
    assert r.exit_code == 0, r.output
    assert "Submitted 1 entries (6 h) of 2026-W11" in r.output
    entry.refresh_from_db()
    assert entry.status == "submitted"


def test_show_this_week_without_tasks(world: World) -> None:
    r = _run("timesheet", "show", "--user", "viewer@example.com")
    assert r.exit_code == 0, r.output
    assert "No tasks this week" in r.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--hours", "30"], "24 hours"),
        (["--hours", "seven"], "not a number"),
        (["--date", "2026-13-01"], "not a date"),
        (["--date", "2099-01-01"], "after today"),
        (["--user", "nobody@example.com"], "no active user"),
        (["--user", "viewer@example.com"], "permission"),
        (["--task", "999999"], "no such task"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    world: World, task: Any, args: list[str], words: str
) -> None:
    base = {
        "--user": "member@example.com",
        "--task": str(task.pk),
        "--date": "2026-03-09",
        "--hours": "8",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    r = _run("timesheet", "log", *[x for kv in base.items() for x in kv])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert words in r.output.lower() or words in r.output
    assert len(r.output.strip().splitlines()) == 1, r.output
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize("week", ["2026-W54", "2026-11", "next"])
def test_a_bad_week_is_exit_2(world: World, week: str) -> None:
    for command in ("show", "submit"):
        r = _run("timesheet", command, "--user", "member@example.com", "--week", week)
        assert r.exit_code == 2 and "ISO week" in r.output, r.output


def test_submitting_nothing_is_exit_2(world: World) -> None:
    r = _run("timesheet", "submit", "--user", "member@example.com", "--week", "2026-W11")
    assert r.exit_code == 2 and "no draft or rejected time" in r.output


@pytest.mark.django_db
def test_the_demo_has_timesheets() -> None:
    assert _run("demo").exit_code == 0
    statuses = set(TimeEntry.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "approved", "rejected"}
    assert TimeEntry.objects.filter(project__code="FIT").exists()
    assert TimeEntry.objects.filter(project__code="REL").exists()
    rejected = TimeEntry.objects.filter(status="rejected").first()
    assert rejected is not None and rejected.review_comment
    r = _run("timesheet", "show", "--user", "alice@keel.example")
    assert r.exit_code == 0 and "draft" in r.output

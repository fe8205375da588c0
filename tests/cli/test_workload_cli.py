"""`keel workload`: the person-by-week table, over-allocated cells marked, and bad input as
one line with exit code 2."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from keel.apps.planning.services import schedule_recalculate
from keel.cli.main import app
from tests.conftest import World
from tests.factories import TaskFactory, WorkspaceMembershipFactory
from tests.factories_resources import AssignmentFactory, ResourceFactory

runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.fixture
def busy(world: World) -> None:
    ann = ResourceFactory(workspace=world.workspace, name="Ann Busy")
    ResourceFactory(workspace=world.workspace, name="Bob Free")
    for _ in range(2):
        task = TaskFactory(project=world.project, duration_days=Decimal("5"))
        AssignmentFactory(task=task, resource=ann)
    schedule_recalculate(world.project)


def test_table(world: World, busy: None) -> None:
    r = _run("workload", "--user", "owner@example.com", "--start", "2026-03-02", "--weeks", "2")
    assert r.exit_code == 0, r.output
    assert "2026-W10" in r.output and "2026-W11" in r.output and "2026-W12" not in r.output
    assert "!80/40" in r.output and "0/40" in r.output and "Bob Free" in r.output
    assert "1 of 2 people over-allocated" in r.output


def test_over_only(world: World, busy: None) -> None:
    r = _run(
        "workload", "--user", "owner@example.com", "--workspace", world.workspace.slug,
        "--start", "2026-03-02", "--weeks", "1", "--over-only",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Ann Busy" in r.output and "Bob Free" not in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody@example.com"], "no active user"),
        (["--user", "owner@example.com", "--start", "2026-13-01"], "is not a date"),
        (["--user", "owner@example.com", "--weeks", "60"], "between 1 and 52"),
        (["--user", "owner@example.com", "--workspace", "nope"], "no workspace nope"),
        (["--user", "viewer@example.com"], "permission"),
    ],
)
def test_bad_input(world: World, args: list[str], message: str) -> None:
    r = _run("workload", *args)
    assert r.exit_code == 2, r.output
    assert message in r.output and len(r.output.strip().splitlines()) == 1


def test_several_workspaces_need_a_choice(world: World) -> None:
    WorkspaceMembershipFactory(user=world.member)
    r = _run("workload", "--user", "member@example.com")
    assert r.exit_code == 2 and "--workspace" in r.output

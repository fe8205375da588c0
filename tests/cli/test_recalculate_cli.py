"""`keel recalculate CODE`: the operator recalculates a project's schedule at once."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from keel.apps.planning.models import Task
from keel.apps.projects.models import Project, ScheduleState
from keel.cli.main import app
from tests.factories import DependencyFactory, ProjectFactory, TaskFactory, WorkspaceFactory

runner = CliRunner()


@pytest.mark.django_db
def test_recalculate_makes_the_schedule_current() -> None:
    project = ProjectFactory(code="WEB")
    a = TaskFactory(project=project, name="A")
    b = TaskFactory(project=project, name="B")
    DependencyFactory(predecessor=a, successor=b)
    Project.objects.filter(pk=project.pk).update(schedule_state=ScheduleState.QUEUED)
    r = runner.invoke(app, ["recalculate", "web"])
    assert r.exit_code == 0, r.output
    assert "WEB: the schedule is current; scheduled finish 2026-03-05" in r.stdout
    assert Task.objects.get(pk=b.pk).start == dt.date(2026, 3, 4)
    assert Project.objects.get(pk=project.pk).schedule_state == ScheduleState.CURRENT


@pytest.mark.django_db
def test_recalculate_refuses_an_unknown_or_ambiguous_code() -> None:
    r = runner.invoke(app, ["recalculate", "NOPE"])
    assert r.exit_code == 2 and "no project with code NOPE" in r.output
    one = ProjectFactory(code="WEB", workspace=WorkspaceFactory(slug="one"))
    ProjectFactory(code="WEB", workspace=WorkspaceFactory(slug="two"))
    r = runner.invoke(app, ["recalculate", "WEB"])
    assert r.exit_code == 2 and "--workspace" in r.output
    r = runner.invoke(app, ["recalculate", "WEB", "--workspace", "one"])
    assert r.exit_code == 0, r.output
    assert Project.objects.get(pk=one.pk).schedule_finished_at is not None


@pytest.mark.django_db
def test_recalculate_reports_a_failure_in_one_line() -> None:
    project = ProjectFactory(code="LOOP")
    a = TaskFactory(project=project, name="A")
    b = TaskFactory(project=project, name="B")
    DependencyFactory(predecessor=a, successor=b)
    DependencyFactory(predecessor=b, successor=a)
    r = runner.invoke(app, ["recalculate", "LOOP"])
    assert r.exit_code == 2
    assert "The dependencies form a loop" in r.output and "Traceback" not in r.output
    assert Project.objects.get(pk=project.pk).schedule_state == ScheduleState.FAILED

"""Burndown and burnup, read back from the tasks' history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from keel.apps.planning import selectors
from keel.apps.planning.models import Task
from keel.apps.planning.services import task_update
from tests.conftest import World

from .conftest import Plan


def _set_history_day(task: Task, day: dt.date) -> None:
    """Date the task's history as if every change were made on `day`."""
    when = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    Task.history.filter(id=task.pk).update(history_date=when)


def test_curves_follow_progress_over_time(world: World, plan: Plan) -> None:
    first, later = dt.date(2026, 3, 2), dt.date(2026, 3, 6)
    for t in Task.objects.filter(project=world.project):
        _set_history_day(t, first)
    design = Task.objects.get(pk=plan.design.pk)
    task_update(  # Design (3 days, 24 hours) half done on the 6th
        actor=world.manager, task=design, version=design.version, changes={"percent_complete": 50}
    )
    newest = Task.history.filter(id=design.pk).order_by("-history_date").first()
    assert newest is not None
    Task.history.filter(history_id=newest.history_id).update(
        history_date=dt.datetime.combine(later, dt.time(12), tzinfo=dt.UTC)
    )
    curves = selectors.progress_curves(
        world.viewer, world.project, start=first, end=dt.date(2026, 3, 9)
    )
    points = zip(curves.remaining, curves.completed, curves.scope, strict=True)
    by_day = dict(zip(curves.days, points, strict=True))
    assert by_day[first] == (64.0, 0.0, 64.0)  # Design 24 h + Code 40 h; Launch is a milestone
    assert by_day[later] == (52.0, 12.0, 64.0)
    assert curves.task_count == 2


def test_a_milestone_burns_down_only_the_work_it_waits_for(world: World, plan: Plan) -> None:
    from keel.apps.planning.services import task_create

    task_create(actor=world.manager, project=world.project, name="Unrelated", duration_days=9)
    launch = Task.objects.get(pk=plan.launch.pk)
    curves = selectors.progress_curves(world.viewer, world.project, milestone=launch)
    assert curves.task_count == 2 and curves.target == launch.finish
    everything = selectors.progress_curves(world.viewer, world.project)
    assert everything.task_count == 3


@pytest.mark.parametrize("role,status", [("viewer", 200), ("member", 200), ("outsider", 404)])
def test_burndown_page(world: World, plan: Plan, login: Any, role: str, status: int) -> None:
    url = reverse("planning:burndown", args=[world.project.pk])
    r = login(world.user(role)).get(url + f"?milestone={plan.launch.pk}")
    assert r.status_code == status
    if status == 200:
        html = r.content.decode()
        assert 'data-testid="burndown"><svg' in html and 'data-testid="burnup"><svg' in html

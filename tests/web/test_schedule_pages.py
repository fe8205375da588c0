"""The schedule's state on the overview and the task tree: "Recalculating the schedule… N%"
polling a small partial while a big plan is recalculated, provisional dates meanwhile."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keel.apps.planning.selectors import MSG_SCHEDULE_ERROR
from keel.apps.projects.models import Project, ScheduleState
from tests.conftest import World

from .conftest import Plan, content

HTMX = {"HTTP_HX_REQUEST": "true"}
SEE = {"owner", "admin", "manager", "member", "viewer"}
PROVISIONAL = "Provisional until the schedule is recalculated"


def _status(world: World) -> str:
    return reverse("planning:schedule_status", args=[world.project.pk])


def _set(world: World, state: str, **fields: Any) -> None:
    Project.objects.filter(pk=world.project.pk).update(
        schedule_state=state, schedule_requested_at=timezone.now(), **fields
    )


@pytest.mark.parametrize(
    "role", ["owner", "admin", "manager", "member", "viewer", "ws_member", "outsider"]
)
def test_the_status_partial_by_role(world: World, plan: Plan, login: Any, role: str) -> None:
    response = login(world.user(role)).get(_status(world), **HTMX)
    assert response.status_code == (200 if role in SEE else 404)


def test_the_status_partial_sends_anonymous_visitors_to_sign_in(world: World) -> None:
    response = Client().get(_status(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_current_schedule_shows_nothing_and_does_not_poll(
    world: World, plan: Plan, login: Any
) -> None:
    client = login(world.viewer)
    for url in (
        reverse("planning:tree", args=[world.project.pk]),
        reverse("web:project_overview", args=[world.project.pk]),
    ):
        html = content(client.get(url))
        assert 'data-state="current" hidden' in html
        assert "Recalculating the schedule" not in html and PROVISIONAL not in html
        assert "every 2s" not in html


def test_a_queued_schedule_polls_and_marks_dates_provisional(
    world: World, plan: Plan, login: Any
) -> None:
    _set(world, ScheduleState.QUEUED, schedule_progress=0)
    client = login(world.viewer)
    for url in (
        reverse("planning:tree", args=[world.project.pk]),
        reverse("web:project_overview", args=[world.project.pk]),
    ):
        html = content(client.get(url))
        assert "Recalculating the schedule… 0%" in html
        assert f'hx-get="{_status(world)}" hx-trigger="every 2s" hx-target="this"' in html
        assert PROVISIONAL in html and "fst-italic" in html
    # the tree's rows rendered alone (after an inline edit) are marked too
    row = client.get(reverse("planning:task_row", args=[plan.code.pk]), **HTMX)
    assert PROVISIONAL in content(row)


def test_a_running_schedule_shows_its_progress_and_phase(
    world: World, plan: Plan, login: Any
) -> None:
    _set(world, ScheduleState.RUNNING, schedule_progress=45, schedule_phase="computing")
    response = login(world.member).get(_status(world), **HTMX)
    html = content(response)
    assert "Recalculating the schedule… 45%" in html and "Computing dates" in html
    assert 'hx-trigger="every 2s"' in html  # keeps polling
    assert "HX-Trigger" not in response.headers


def test_polling_stops_when_current_and_the_page_reloads_its_dates(
    world: World, plan: Plan, login: Any
) -> None:
    response = login(world.viewer).get(_status(world), **HTMX)
    assert response.status_code == 200
    assert "every 2s" not in content(response)
    assert "plan-changed" in response.headers["HX-Trigger"]
    # the tree and the overview reload themselves on that event
    tree = content(login(world.viewer).get(reverse("planning:tree", args=[world.project.pk])))
    assert 'hx-trigger="plan-changed from:body"' in tree
    overview = login(world.viewer).get(reverse("web:project_overview", args=[world.project.pk]))
    assert 'hx-trigger="plan-changed from:body" hx-select="#overview"' in content(overview)


def test_a_failed_schedule_says_why_and_does_not_poll(world: World, plan: Plan, login: Any) -> None:
    _set(world, ScheduleState.FAILED, schedule_error_code="engine_error")
    response = login(world.viewer).get(_status(world), **HTMX)
    html = content(response)
    assert "The schedule could not be recalculated." in html
    assert str(MSG_SCHEDULE_ERROR) in html
    assert "every 2s" not in html and "HX-Trigger" not in response.headers
    tree = content(login(world.viewer).get(reverse("planning:tree", args=[world.project.pk])))
    assert str(MSG_SCHEDULE_ERROR) in tree and PROVISIONAL in tree

"""GET /projects/{id}/schedule: whether a project's dates are current, or how far their
background recalculation is, with the permission of reading the project."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from keel.apps.planning.selectors import MSG_SCHEDULE_LOOP
from keel.apps.planning.services import task_create
from keel.apps.projects.models import Project, ScheduleState

from ..conftest import ROLES, World
from ..factories import ProjectFactory, TaskFactory
from .helpers import PROJECT_VIEW, assert_error

KEYS = {"state", "progress", "phase", "requested_at", "finished_at", "error_code", "error"}


def _path(world: World) -> str:
    return f"/projects/{world.project.pk}/schedule"


def test_anonymous_is_401(api: Any, world: World) -> None:
    assert_error(api(None).get(_path(world)), 401, "not_authenticated")


@pytest.mark.parametrize("role", ROLES)
def test_schedule_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).get(_path(world))
    assert r.status_code == PROJECT_VIEW[role], r.content
    if r.status_code == 404:
        assert_error(r, 404, "not_found")  # as for a project that does not exist


def test_unknown_or_bad_project_id(as_role: Any, world: World) -> None:
    assert_error(as_role("owner").get("/projects/987654/schedule"), 404, "not_found")
    assert_error(as_role("owner").get("/projects/0/schedule"), 422)


def test_a_small_plan_is_current(as_role: Any, world: World) -> None:
    task_create(actor=world.manager, project=world.project, name="Design")
    body = as_role("viewer").get(_path(world)).json()
    assert set(body) == KEYS
    assert body["state"] == "current" and body["progress"] == 100
    assert (body["phase"], body["error_code"], body["error"]) == (None, None, None)
    assert body["finished_at"] is not None


def test_a_big_plan_is_queued_after_a_change(
    as_role: Any, world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    task = task_create(actor=world.manager, project=world.project, name="Design")
    task_create(actor=world.manager, project=world.project, name="Build")
    settings.KEEL_SCHEDULE_SYNC_MAX_TASKS = 1
    with django_capture_on_commit_callbacks() as queued:
        r = as_role("manager").patch(
            f"/tasks/{task.pk}", {"version": task.version, "duration_days": "4"}
        )
    assert r.status_code == 200, r.content
    assert r.json()["finish"] is not None  # the task's answer keeps its shape (dates as they were)
    body = as_role("viewer").get(_path(world)).json()
    assert (body["state"], body["progress"], body["phase"]) == ("queued", 0, None)
    assert body["requested_at"] is not None

    queued[0]()
    body = as_role("viewer").get(_path(world)).json()
    assert (body["state"], body["progress"]) == ("current", 100)
    assert as_role("viewer").get(f"/tasks/{task.pk}").json()["finish"] == "2026-03-05"


def test_a_running_recalculation_shows_its_phase(as_role: Any, world: World) -> None:
    Project.objects.filter(pk=world.project.pk).update(
        schedule_state=ScheduleState.RUNNING,
        schedule_phase="computing",
        schedule_progress=45,
        schedule_requested_at=timezone.now(),
    )
    body = as_role("member").get(_path(world)).json()
    assert (body["state"], body["progress"], body["phase"]) == ("running", 45, "computing")


def test_a_failed_recalculation_says_why(as_role: Any, world: World) -> None:
    Project.objects.filter(pk=world.project.pk).update(
        schedule_state=ScheduleState.FAILED,
        schedule_error_code="dependency_cycle",
        schedule_error_detail="Design → Build → Design",
        schedule_finished_at=timezone.now(),
    )
    body = as_role("viewer").get(_path(world)).json()
    assert body["state"] == "failed" and body["error_code"] == "dependency_cycle"
    assert body["error"] == str(MSG_SCHEDULE_LOOP % {"loop": "Design → Build → Design"})


def test_the_schedule_costs_the_same_queries_whatever_the_plan(api: Any, world: World) -> None:
    client = api(world.viewer)
    client.get("/me")
    few, body = client.queries(_path(world))
    big = ProjectFactory(workspace=world.workspace)
    big.memberships.create(user=world.viewer, role="viewer")
    for _ in range(30):
        TaskFactory(project=big)
    Project.objects.filter(pk=big.pk).update(
        schedule_state=ScheduleState.FAILED, schedule_error_code="engine_error"
    )
    many, body_many = client.queries(f"/projects/{big.pk}/schedule")
    assert (body["state"], body_many["state"]) == ("current", "failed")
    assert few == many


def test_an_archived_project_can_still_be_read(as_role: Any, world: World) -> None:
    Project.objects.filter(pk=world.project.pk).update(archived_at=timezone.now())
    assert as_role("viewer").get(_path(world)).status_code == 200


def test_the_openapi_document_describes_it(api: Any, world: World) -> None:
    paths = api(None).client.get("/api/v1/openapi.json").json()["paths"]
    op = paths["/api/v1/projects/{project_id}/schedule"]["get"]
    assert {"200", "401", "404", "422"} <= set(op["responses"])
    assert op["operationId"] == "project_schedule"

"""Change requests and what-if through the API, with the role matrix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from keel.apps.planning.models import ChangeRequest, Task
from keel.apps.planning.services import task_create

from ..conftest import ROLES, World
from .helpers import PROJECT_EDIT_TASKS, PROJECT_MANAGE, PROJECT_VIEW, assert_error, expect


@pytest.fixture
def task(world: World) -> Task:
    return task_create(
        actor=world.manager, project=world.project, name="Build", duration_days=Decimal("5")
    )


def body(task: Task, days: int = 8) -> dict[str, Any]:
    return {
        "title": "Longer build",
        "reason": "Supplier delay",
        "changes": [{"op": "update", "task_id": task.pk, "fields": {"duration_days": days}}],
    }


@pytest.mark.parametrize("role", ROLES)
def test_what_if_by_role(as_role: Any, world: World, task: Task, role: str) -> None:
    r = as_role(role).post(
        f"/projects/{world.project.pk}/what-if", {"changes": body(task)["changes"]}
    )
    assert r.status_code == PROJECT_VIEW[role], r.content
    if r.status_code == 200:
        assert r.json()["finish_delta_days"] == 3
        assert r.json()["moved"][0]["name"] == "Build"


@pytest.mark.parametrize("role", ROLES)
def test_change_request_flow_by_role(as_role: Any, world: World, task: Task, role: str) -> None:
    client = as_role(role)
    r = client.post(f"/projects/{world.project.pk}/change-requests", body(task))
    assert r.status_code == expect(PROJECT_EDIT_TASKS, role, 201), r.content
    cr = ChangeRequest.objects.first()
    if cr is None:
        return
    r = client.post(f"/change-requests/{cr.pk}/submit", {"version": cr.version})
    assert r.status_code == 200, r.content
    cr.refresh_from_db()
    assert client.get(f"/change-requests/{cr.pk}/impact").json()["finish_delta_days"] == 3
    r = client.post(f"/change-requests/{cr.pk}/decide", {"approve": True, "version": cr.version})
    assert r.status_code == PROJECT_MANAGE[role]
    applied = Task.objects.get(pk=task.pk).duration_days == Decimal("8")
    assert applied is (r.status_code == 200)


def test_change_request_reads_and_refusals(as_role: Any, world: World, task: Task) -> None:
    cr = as_role("member").post(f"/projects/{world.project.pk}/change-requests", body(task))
    cr_id = cr.json()["id"]
    assert as_role("viewer").get(f"/change-requests/{cr_id}").status_code == 200
    assert as_role("outsider").get(f"/change-requests/{cr_id}").status_code == 404
    listed = as_role("viewer").get(f"/projects/{world.project.pk}/change-requests", status="draft")
    assert listed.json()["count"] == 1
    bad = {**body(task), "changes": [{"op": "update", "task_id": task.pk, "fields": {"x": 1}}]}
    assert_error(
        as_role("member").post(f"/projects/{world.project.pk}/change-requests", bad),
        422,
        field="changes.0.x",
    )
    stale = as_role("member").patch(f"/change-requests/{cr_id}", {"title": "t", "version": 7})
    assert_error(stale, 409)
    r = as_role("manager").post(f"/change-requests/{cr_id}/decide", {"approve": True, "version": 1})
    assert_error(r, 422, field="status")  # a draft is not up for decision

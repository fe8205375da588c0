"""The workload API: people by week, a cell's tasks, candidates for a task, leveling preview
and apply; the role matrix with its refusals, bad input, constant query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from keel.apps.planning.models import Task
from keel.apps.planning.services import schedule_recalculate
from tests.conftest import ALL_ROLES, World
from tests.factories import TaskFactory
from tests.factories_resources import AssignmentFactory, ResourceFactory, SkillFactory

from .helpers import PROJECT_MANAGE, Api, assert_error

# VIEW_RESOURCES: workspace owners, admins and members; guests (the viewer) 403.
WORKSPACE_RESOURCES = {
    "owner": 200,
    "admin": 200,
    "manager": 200,
    "member": 200,
    "viewer": 403,
    "ws_member": 200,
    "outsider": 404,
    "finance": 200,
}
# ASSIGN_RESOURCES: the project's managers (and workspace owners and admins).
ASSIGN = {**PROJECT_MANAGE, "finance": 403}


@pytest.fixture
def plan(fin_world: World) -> dict[str, Any]:
    ann = ResourceFactory(workspace=fin_world.workspace, name="Ann")
    a = TaskFactory(project=fin_world.project, name="A", duration_days=Decimal("5"))
    b = TaskFactory(project=fin_world.project, name="B", duration_days=Decimal("5"))
    for t in (a, b):
        AssignmentFactory(task=t, resource=ann)
    schedule_recalculate(fin_world.project)
    return {"ann": ann, "a": a, "b": b}


def _api(api_client: Any, user: Any) -> Api:
    return Api(api_client(user))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_workload_roles(fin_world: World, plan: Any, api_client: Any, role: str) -> None:
    api = _api(api_client, fin_world.user(role))
    r = api.get(f"/workspaces/{fin_world.workspace.pk}/workload", start="2026-03-02", weeks=2)
    assert r.status_code == WORKSPACE_RESOURCES[role], r.content
    if r.status_code == 200:
        body = r.json()
        assert body["count"] == 1 and [w["week"] for w in body["weeks"]] == ["2026-W10", "2026-W11"]
        (row,) = body["items"]
        assert row["cells"][0] == {
            "week": "2026-W10",
            "hours": "80.00",
            "capacity": "40.00",
            # A workspace member outside the project sees its hours, not its name.
            "other_hours": "80.00" if role == "ws_member" else "0.00",
            "over": True,
        }
        assert body["week_hours"] == ["80.00", "0.00"]
    r = api.get("/workload/cells", resource=plan["ann"].pk, week="2026-W10")
    assert r.status_code == WORKSPACE_RESOURCES[role], r.content
    if r.status_code == 200:
        body = r.json()
        names = {t["task_name"] for t in body["tasks"]}
        assert names == (set() if role == "ws_member" else {"A", "B"})
        assert body["hours"] == "80.00" and body["over"] is True


def test_workload_bad_input(world: World, api_client: Any) -> None:
    api = _api(api_client, world.owner)
    ws = world.workspace.pk
    assert_error(api.get(f"/workspaces/{ws}/workload", weeks=53), 422)
    assert_error(api.get(f"/workspaces/{ws}/workload", start="2026-02-30"), 422)
    body = assert_error(api.get(f"/workspaces/{ws}/workload", skill=SkillFactory().pk), 422)
    assert body["fields"]["skill"]
    assert_error(api.get("/workload/cells", resource=1, week="2026-10"), 422)
    assert_error(api.get("/workload/cells", resource=10**9, week="2026-W10"), 404)
    assert_error(api.get("/workspaces/999999/workload"), 404)


def _grow(world: World, people: int) -> None:
    for i in range(people):
        r = ResourceFactory(workspace=world.workspace, name=f"P{i:03d}")
        AssignmentFactory(
            task=TaskFactory(project=world.project, duration_days=Decimal("3")), resource=r
        )
    schedule_recalculate(world.project)


def test_workload_queries_do_not_grow(world: World, api_client: Any) -> None:
    api = _api(api_client, world.member)
    url = f"/workspaces/{world.workspace.pk}/workload"
    _grow(world, 3)
    api.get(url)  # the token's first use is recorded once
    small, body = api.queries(url, start="2026-03-02")
    assert body["count"] == 3
    _grow(world, 25)
    big, body = api.queries(url, start="2026-03-02", limit=200)
    assert body["count"] == 28 and len(body["items"]) == 28
    assert big == small


@pytest.mark.parametrize("role", ALL_ROLES)
def test_candidates_roles(fin_world: World, plan: Any, api_client: Any, role: str) -> None:
    api = _api(api_client, fin_world.user(role))
    r = api.get(f"/tasks/{plan['a'].pk}/candidates")
    assert r.status_code == ASSIGN[role], r.content
    if r.status_code == 200:
        body = r.json()
        assert body["count"] == 1 and body["items"][0]["name"] == "Ann"
        assert body["items"][0]["free"] == "0.00"  # B takes all of Ann's week
        assert body["skills_from_task"] is False


def test_candidates_bad_input_and_queries(world: World, plan: Any, api_client: Any) -> None:
    api = _api(api_client, world.owner)
    url = f"/tasks/{plan['a'].pk}/candidates"
    api.get(url)  # the token's first use is recorded once
    assert_error(api.get(url, min_level=6), 422)
    assert_error(api.get(url, skill=SkillFactory().pk), 422, field="skill")
    assert_error(api.get("/tasks/999999/candidates"), 404)
    small, _ = api.queries(url)
    _grow(world, 20)
    big, body = api.queries(url)
    assert body["count"] == 21 and big == small


@pytest.mark.parametrize("role", ALL_ROLES)
def test_leveling_roles(fin_world: World, plan: Any, api_client: Any, role: str) -> None:
    api = _api(api_client, fin_world.user(role))
    pk = fin_world.project.pk
    r = api.post(f"/projects/{pk}/leveling/preview")
    assert r.status_code == ASSIGN[role], r.content
    apply = api.post(f"/projects/{pk}/leveling/apply", {"generation": 1})
    assert apply.status_code == ASSIGN[role], apply.content
    moved = Task.objects.filter(project_id=pk, constraint_type="snet").count()
    assert moved == (1 if ASSIGN[role] == 200 else 0)


def test_leveling_preview_apply_and_conflict(world: World, plan: Any, api_client: Any) -> None:
    api = _api(api_client, world.manager)
    pk = world.project.pk
    preview = api.post(f"/projects/{pk}/leveling/preview").json()
    assert preview["old_finish"] == "2026-03-06" and preview["new_finish"] == "2026-03-13"
    (move,) = preview["moves"]
    assert (move["days"], move["new_start"], move["resources"]) == (5, "2026-03-09", ["Ann"])
    assert_error(api.post(f"/projects/{pk}/leveling/apply", {}), 422, field="generation")
    stale = {"generation": preview["generation"] - 1}
    assert_error(api.post(f"/projects/{pk}/leveling/apply", stale), 409, code="plan_changed")
    assert not Task.objects.filter(project_id=pk, constraint_type="snet").exists()
    r = api.post(f"/projects/{pk}/leveling/apply", {"generation": preview["generation"]})
    assert r.status_code == 200, r.content
    task = Task.objects.get(pk=move["task_id"])
    assert (str(task.constraint_date), str(task.start)) == ("2026-03-09", "2026-03-09")
    again = api.post(f"/projects/{pk}/leveling/apply", {"generation": preview["generation"]})
    assert_error(again, 409, code="plan_changed")
    assert api.post(f"/projects/{pk}/leveling/preview").json()["moves"] == []

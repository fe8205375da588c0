"""Goals and the tasks that deliver them, through the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from keel.apps.projects.models import Goal
from keel.apps.projects.services import MSG_TARGET_DIRECTION

from ..conftest import ROLES, World
from ..factories import GoalFactory, ProjectFactory, TaskFactory
from .helpers import PROJECT_MANAGE, PROJECT_VIEW, assert_error, expect


@pytest.fixture
def goal(world: World) -> Goal:
    return GoalFactory(project=world.project, title="Coverage")  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/projects/{p}/goals"),
        ("POST", "/projects/{p}/goals"),
        ("GET", "/goals/{g}"),
        ("PATCH", "/goals/{g}"),
        ("DELETE", "/goals/{g}"),
        ("PUT", "/goals/{g}/tasks"),
    ],
)
def test_anonymous_calls_are_401(
    api: Any, world: World, goal: Goal, method: str, path: str
) -> None:
    r = api(None).call(method, path.format(p=world.project.pk, g=goal.pk), {"version": 1})
    assert_error(r, 401)


def test_create_goal(as_role: Any, world: World) -> None:
    r = as_role("manager").post(
        f"/projects/{world.project.pk}/goals",
        {
            "title": "Faster pages",
            "metric": "p95 load time",
            "unit": "ms",
            "baseline_value": "1800",
            "target_value": 900.5,
            "current_value": "1200.25",
            "direction": "down",
            "due_date": "2026-09-30",
            "owner_id": world.member.pk,
        },
    )
    assert r.status_code == 201, r.content
    g = Goal.objects.get(pk=r.json()["id"])
    assert (g.title, g.direction, g.owner_id) == ("Faster pages", "down", world.member.pk)
    assert (g.target_value, g.current_value) == (Decimal("900.5"), Decimal("1200.25"))
    body = r.json()
    assert body["target_value"] == "900.5000" and body["version"] == 1
    assert 0 < body["progress"] < 1 and body["is_measurable"] is True


@pytest.mark.parametrize("role", ROLES)
def test_create_goal_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).post(f"/projects/{world.project.pk}/goals", {"title": "Growth"})
    assert r.status_code == expect(PROJECT_MANAGE, role, 201), r.content
    assert Goal.objects.filter(title="Growth").exists() is (r.status_code == 201)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"title": "Up", "baseline_value": 10, "target_value": 5}, "target_value"),
        ({"title": "x", "owner_id": 987654}, "owner_id"),
        ({"title": "x", "target_value": "1e20"}, "target_value"),
        ({"title": "x", "current_value": "0.00001"}, "current_value"),
        ({"title": "x", "kind": "tertiary"}, "kind"),
        ({"title": "x", "due_date": "31/12/2026"}, "due_date"),
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({}, "title"),
    ],
)
def test_create_goal_refuses_bad_input(
    as_role: Any, world: World, body: dict[str, Any], field: str
) -> None:
    assert_error(
        as_role("manager").post(f"/projects/{world.project.pk}/goals", body), 422, field=field
    )
    assert not Goal.objects.exists()


def test_target_direction_message(as_role: Any, world: World) -> None:
    r = as_role("manager").post(
        f"/projects/{world.project.pk}/goals",
        {"title": "Up", "baseline_value": 10, "target_value": 5, "direction": "up"},
    )
    assert assert_error(r, 422)["fields"]["target_value"] == [str(MSG_TARGET_DIRECTION)]


@pytest.mark.parametrize("role", ROLES)
def test_read_goals_by_role(as_role: Any, world: World, goal: Goal, role: str) -> None:
    client = as_role(role)
    assert client.get(f"/projects/{world.project.pk}/goals").status_code == PROJECT_VIEW[role]
    assert client.get(f"/goals/{goal.pk}").status_code == PROJECT_VIEW[role]


@pytest.mark.parametrize("role", ROLES)
def test_update_goal_by_role(as_role: Any, goal: Goal, role: str) -> None:
    r = as_role(role).patch(f"/goals/{goal.pk}", {"current_value": "50", "version": 1})
    assert r.status_code == PROJECT_MANAGE[role], r.content
    goal.refresh_from_db()
    assert (goal.current_value == Decimal("50")) is (r.status_code == 200)


def test_update_goal_partially(as_role: Any, goal: Goal) -> None:
    r = as_role("manager").patch(f"/goals/{goal.pk}", {"current_value": None, "version": 1})
    assert r.status_code == 200, r.content
    goal.refresh_from_db()
    assert goal.current_value is None and goal.title == "Coverage" and goal.version == 2
    assert r.json()["progress"] is None


def test_update_goal_stale_version_is_409(as_role: Any, goal: Goal) -> None:
    client = as_role("manager")
    assert client.patch(f"/goals/{goal.pk}", {"title": "A", "version": 1}).status_code == 200
    assert_error(client.patch(f"/goals/{goal.pk}", {"title": "B", "version": 1}), 409)
    goal.refresh_from_db()
    assert (goal.title, goal.version) == ("A", 2)


@pytest.mark.parametrize("role", ROLES)
def test_delete_goal_by_role(as_role: Any, goal: Goal, role: str) -> None:
    r = as_role(role).delete(f"/goals/{goal.pk}")
    assert r.status_code == expect(PROJECT_MANAGE, role, 204), r.content
    assert Goal.objects.filter(pk=goal.pk).exists() is (r.status_code != 204)


def test_link_goal_to_tasks(as_role: Any, world: World, goal: Goal) -> None:
    a, b = TaskFactory(project=world.project), TaskFactory(project=world.project)
    r = as_role("manager").put(f"/goals/{goal.pk}/tasks", {"task_ids": [a.pk, b.pk, a.pk]})
    assert r.status_code == 200, r.content
    assert sorted(r.json()["task_ids"]) == sorted([a.pk, b.pk])
    assert set(goal.tasks.values_list("pk", flat=True)) == {a.pk, b.pk}
    r = as_role("manager").put(f"/goals/{goal.pk}/tasks", {"task_ids": [b.pk]})
    assert r.json()["task_ids"] == [b.pk]
    assert list(goal.tasks.values_list("pk", flat=True)) == [b.pk]


@pytest.mark.parametrize("role", ROLES)
def test_link_goal_to_tasks_by_role(as_role: Any, world: World, goal: Goal, role: str) -> None:
    task = TaskFactory(project=world.project)
    r = as_role(role).put(f"/goals/{goal.pk}/tasks", {"task_ids": [task.pk]})
    assert r.status_code == PROJECT_MANAGE[role], r.content
    assert goal.tasks.exists() is (r.status_code == 200)


def test_link_goal_refuses_tasks_of_another_project(as_role: Any, world: World, goal: Goal) -> None:
    stranger = TaskFactory(project=ProjectFactory(workspace=world.workspace))
    r = as_role("manager").put(f"/goals/{goal.pk}/tasks", {"task_ids": [stranger.pk]})
    assert_error(r, 422, field="task_ids")
    for bad, field in (
        ({"task_ids": "all"}, "task_ids"),
        ({"task_ids": [0]}, "task_ids.0"),
        ({}, "task_ids"),
    ):
        assert_error(as_role("manager").put(f"/goals/{goal.pk}/tasks", bad), 422, field=field)
    assert not goal.tasks.exists()


def test_goal_list_queries_do_not_grow_with_rows(api: Any, world: World) -> None:
    client = api(world.viewer)
    client.get("/me")
    tasks = [TaskFactory(project=world.project) for _ in range(3)]

    def grow(n: int) -> None:
        for _ in range(n):
            GoalFactory(project=world.project).tasks.set(tasks)

    grow(3)
    few, body = client.queries(f"/projects/{world.project.pk}/goals")
    grow(27)
    many, body_many = client.queries(f"/projects/{world.project.pk}/goals")
    assert (body["count"], body_many["count"]) == (3, 30)
    assert len(body_many["items"][0]["task_ids"]) == 3
    assert few == many


def test_goal_ordering_is_validated(as_role: Any, world: World, goal: Goal) -> None:
    client = as_role("viewer")
    assert (
        client.get(f"/projects/{world.project.pk}/goals", ordering="-due_date").status_code == 200
    )
    assert_error(client.get(f"/projects/{world.project.pk}/goals", ordering="owner__password"), 422)

"""Tasks: the WBS, its fields, moves and history, through the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from keel.apps.planning.models import Task
from keel.apps.planning.services import MSG_CONSTRAINT_DATE, MSG_PARENT_DESCENDANT, task_create

from ..conftest import ROLES, World
from ..factories import DependencyFactory, GoalFactory, ProjectFactory, TaskFactory
from .helpers import PROJECT_EDIT_TASKS, PROJECT_MANAGE, PROJECT_VIEW, assert_error, expect


@pytest.fixture
def plan(world: World) -> dict[str, Task]:
    """Design (3 days) and Build (5 days) at the top level; Review under Build."""
    m, p = world.manager, world.project
    design = task_create(actor=m, project=p, name="Design", duration_days=Decimal("3"))
    build = task_create(actor=m, project=p, name="Build", duration_days=Decimal("5"))
    review = task_create(
        actor=m, project=p, name="Review", parent_id=build.pk, duration_days=Decimal("1")
    )
    # The member is responsible for these tasks: members change only their own tasks.
    Task.objects.filter(project=p).update(owner=world.member)
    return {
        name: _fresh(t) for name, t in (("design", design), ("build", build), ("review", review))
    }


def _fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/projects/{p}/tasks"),
        ("POST", "/projects/{p}/tasks"),
        ("GET", "/tasks/{t}"),
        ("PATCH", "/tasks/{t}"),
        ("DELETE", "/tasks/{t}"),
        ("POST", "/tasks/{t}/move"),
        ("GET", "/tasks/{t}/history"),
    ],
)
def test_anonymous_calls_are_401(
    api: Any, world: World, plan: dict[str, Task], method: str, path: str
) -> None:
    r = api(None).call(method, path.format(p=world.project.pk, t=plan["design"].pk), {})
    assert_error(r, 401)


# ---------------------------------------------------------------- create


def test_create_task_schedules_it(as_role: Any, world: World, plan: dict[str, Task]) -> None:
    goal = GoalFactory(project=world.project)
    # A manager: members cannot put others on the work they create.
    r = as_role("manager").post(
        f"/projects/{world.project.pk}/tasks",
        {
            "name": "Test",
            "parent_id": plan["build"].pk,
            "duration_days": "2.5",
            "priority": "high",
            "owner_id": world.member.pk,
            "assignee_ids": [world.member.pk, world.viewer.pk],
            "tags": ["qa", " qa ", "web"],
            "goal_ids": [goal.pk],
            "deadline": "2026-04-30",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    t = Task.objects.get(pk=body["id"])
    assert (t.parent_id, t.duration_days, t.priority, t.tags) == (
        plan["build"].pk,
        Decimal("2.5"),
        "high",
        ["qa", "web"],
    )
    assert set(t.assignees.values_list("pk", flat=True)) == {world.member.pk, world.viewer.pk}
    assert body["wbs_code"] == "2.2" and body["start"] == "2026-03-02"
    assert body["duration_days"] == "2.50" and body["goal_ids"] == [goal.pk]


@pytest.mark.parametrize("role", ROLES)
def test_create_task_by_role(as_role: Any, world: World, role: str) -> None:
    r = as_role(role).post(f"/projects/{world.project.pk}/tasks", {"name": "Write"})
    assert r.status_code == expect(PROJECT_EDIT_TASKS, role, 201), r.content
    assert Task.objects.filter(name="Write").exists() is (r.status_code == 201)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "x", "duration_days": 1e20}, "duration_days"),
        ({"name": "x", "duration_days": "1e20"}, "duration_days"),
        ({"name": "x", "duration_days": "-1"}, "duration_days"),
        ({"name": "x", "duration_days": "Infinity"}, "duration_days"),
        ({"name": "x", "duration_days": "three"}, "duration_days"),
        ({"name": "x", "duration_days": 1.005}, "duration_days"),
        ({"name": "x", "status": "someday"}, "status"),
        ({"name": "x", "percent_complete": 101}, "percent_complete"),
        ({"name": "x", "constraint_type": "snet"}, "constraint_date"),
        ({"name": "x", "constraint_date": "0001-01-01"}, "constraint_date"),
        ({"name": "x", "optimistic_days": 5}, "optimistic_days"),
        ({"name": "x", "owner_id": 987654}, "owner_id"),
        ({"name": "x", "parent_id": 987654}, "parent_id"),
        ({"name": "x", "position": 2**40}, "position"),
        ({"name": "x", "tags": "web"}, "tags"),
        ({"name": "x", "tags": ["x" * 41]}, "tags.0"),
        ({"name": "x", "goal_ids": [987654]}, "goal_ids"),
        ({"name": "x", "is_milestone": "sometimes"}, "is_milestone"),
        ({"name": "x" * 256}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "\ud800"}, "name"),
        ({}, "name"),
    ],
)
def test_create_task_refuses_bad_input(
    as_role: Any, world: World, body: dict[str, Any], field: str
) -> None:
    r = as_role("manager").post(f"/projects/{world.project.pk}/tasks", body)
    assert_error(r, 422, field=field)
    assert not Task.objects.exists()


def test_constraint_needs_a_date_message(as_role: Any, world: World) -> None:
    r = as_role("manager").post(
        f"/projects/{world.project.pk}/tasks", {"name": "x", "constraint_type": "mso"}
    )
    assert assert_error(r, 422)["fields"]["constraint_date"] == [str(MSG_CONSTRAINT_DATE)]


def test_a_century_of_working_days_is_the_longest_duration(as_role: Any, world: World) -> None:
    """Longer durations are typing slips; they would also run the calendar past year 9999."""
    client = as_role("manager")
    r = client.post(
        f"/projects/{world.project.pk}/tasks", {"name": "Forever", "duration_days": "999999.99"}
    )
    assert_error(r, 422, "validation_error", "duration_days")
    assert not Task.objects.exists()


def test_summary_of_another_project_is_refused(as_role: Any, world: World) -> None:
    stranger = TaskFactory(project=ProjectFactory(workspace=world.workspace))
    r = as_role("manager").post(
        f"/projects/{world.project.pk}/tasks", {"name": "x", "parent_id": stranger.pk}
    )
    assert_error(r, 422, field="parent_id")


# ---------------------------------------------------------------- read


@pytest.mark.parametrize("role", ROLES)
def test_read_tasks_by_role(as_role: Any, world: World, plan: dict[str, Task], role: str) -> None:
    client = as_role(role)
    r = client.get(f"/projects/{world.project.pk}/tasks")
    assert r.status_code == PROJECT_VIEW[role]
    if r.status_code == 200:
        assert r.json()["count"] == 3
    assert client.get(f"/tasks/{plan['design'].pk}").status_code == PROJECT_VIEW[role]
    assert client.get(f"/tasks/{plan['design'].pk}/history").status_code == PROJECT_VIEW[role]


def test_task_detail(as_role: Any, plan: dict[str, Task]) -> None:
    body = as_role("viewer").get(f"/tasks/{plan['build'].pk}").json()
    assert body["is_summary"] is True and body["wbs_code"] == "2"
    assert body["finish"] == "2026-03-02" and body["version"] >= 1


def test_task_list_filters(as_role: Any, world: World, plan: dict[str, Task]) -> None:
    client = as_role("viewer")
    as_role("member").patch(f"/tasks/{plan['design'].pk}", {"status": "done", "version": 1})
    plan["design"].assignees.add(world.viewer)

    def names(**query: Any) -> list[str]:
        r = client.get(f"/projects/{world.project.pk}/tasks", **query)
        assert r.status_code == 200, r.content
        return [t["name"] for t in r.json()["items"]]

    assert names() == ["Design", "Build", "Review"]
    assert names(status="done") == ["Design"]
    assert names(parent_id=plan["build"].pk) == ["Review"]
    assert names(assignee_id=world.viewer.pk) == ["Design"]
    assert names(search="rev") == ["Review"]
    assert names(search="2.") == ["Review"]
    assert names(milestone="true") == []
    assert names(ordering="-name") == ["Review", "Design", "Build"]
    critical = {t.name for t in Task.objects.filter(is_critical=True)}
    assert set(names(critical="true")) == critical
    assert set(names(critical="false")) == {"Design", "Build", "Review"} - critical
    assert names(ordering="-wbs_code") == ["Review", "Build", "Design"]
    assert names(limit=1, offset=1) == ["Build"]
    for bad in ({"ordering": "secret"}, {"status": "someday"}, {"critical": "maybe"}):
        assert_error(client.get(f"/projects/{world.project.pk}/tasks", **bad), 422)


def test_an_api_change_is_recorded_with_the_token_owner(
    as_role: Any, world: World, plan: dict[str, Task]
) -> None:
    task = plan["design"]
    r = as_role("member").patch(f"/tasks/{task.pk}", {"name": "Design v2", "version": task.version})
    assert r.status_code == 200, r.content
    latest = task.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.name) == (world.member, "Design v2")
    history = as_role("viewer").get(f"/tasks/{task.pk}/history").json()
    assert history["items"][0]["who_id"] == world.member.pk


def test_task_list_queries_do_not_grow_with_rows(api: Any, world: World) -> None:
    client = api(world.viewer)
    client.get("/me")
    goal = GoalFactory(project=world.project)
    parent = TaskFactory(project=world.project)

    def grow(n: int) -> None:
        for _ in range(n):
            t = TaskFactory(project=world.project, parent=parent, owner=world.member)
            t.assignees.set([world.member, world.manager])
            t.goals.set([goal])

    grow(2)
    few, body = client.queries(f"/projects/{world.project.pk}/tasks", limit=200)
    grow(27)
    many, body_many = client.queries(f"/projects/{world.project.pk}/tasks", limit=200)
    assert (body["count"], body_many["count"]) == (3, 30)
    assert len(body_many["items"][-1]["assignee_ids"]) == 2
    assert few == many


# ---------------------------------------------------------------- update


@pytest.mark.parametrize("role", ROLES)
def test_update_task_by_role(as_role: Any, plan: dict[str, Task], role: str) -> None:
    t = plan["design"]
    r = as_role(role).patch(f"/tasks/{t.pk}", {"name": "Design v2", "version": t.version})
    assert r.status_code == PROJECT_EDIT_TASKS[role], r.content
    assert (_fresh(t).name == "Design v2") is (r.status_code == 200)


def test_update_task_changes_only_the_fields_sent(as_role: Any, plan: dict[str, Task]) -> None:
    t = plan["design"]
    r = as_role("member").patch(
        f"/tasks/{t.pk}", {"duration_days": 10, "deadline": "2026-03-20", "version": t.version}
    )
    assert r.status_code == 200, r.content
    stored = _fresh(t)
    assert (stored.duration_days, stored.deadline) == (Decimal("10"), dt.date(2026, 3, 20))
    assert (stored.name, stored.priority) == ("Design", "medium")
    assert r.json()["finish"] == "2026-03-13"  # rescheduled: ten working days from 2 March
    assert stored.version == t.version + 1 == r.json()["version"]


def test_update_task_stale_version_is_409(as_role: Any, plan: dict[str, Task]) -> None:
    t, client = plan["design"], as_role("member")
    assert client.patch(f"/tasks/{t.pk}", {"name": "A", "version": t.version}).status_code == 200
    r = client.patch(f"/tasks/{t.pk}", {"name": "B", "duration_days": 9, "version": t.version})
    assert_error(r, 409, "version_conflict", "version")
    stored = _fresh(t)
    assert (stored.name, stored.duration_days, stored.version) == ("A", Decimal("3"), t.version + 1)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "no version"}, "version"),
        ({"name": None, "version": 1}, "name"),
        ({"duration_days": None, "version": 1}, "duration_days"),
        ({"assignee_ids": None, "version": 1}, "assignee_ids"),
        ({"percent_complete": -1, "version": 1}, "percent_complete"),
        ({"version": 0}, "version"),
    ],
)
def test_update_task_refuses_bad_input(
    as_role: Any, plan: dict[str, Task], body: dict[str, Any], field: str
) -> None:
    t = plan["design"]
    assert_error(as_role("member").patch(f"/tasks/{t.pk}", body), 422, field=field)
    assert _fresh(t).version == t.version


def test_done_means_complete(as_role: Any, plan: dict[str, Task]) -> None:
    t = plan["design"]
    r = as_role("member").patch(f"/tasks/{t.pk}", {"status": "done", "version": t.version})
    assert r.json()["percent_complete"] == 100


# ---------------------------------------------------------------- move


@pytest.mark.parametrize("role", ROLES)
def test_move_task_by_role(as_role: Any, plan: dict[str, Task], role: str) -> None:
    t = plan["review"]
    r = as_role(role).post(
        f"/tasks/{t.pk}/move", {"parent_id": None, "position": 0, "version": t.version}
    )
    assert r.status_code == PROJECT_EDIT_TASKS[role], r.content
    assert (_fresh(t).parent_id is None) is (r.status_code == 200)


def test_move_renumbers_the_wbs(as_role: Any, plan: dict[str, Task]) -> None:
    t = plan["review"]
    r = as_role("member").post(
        f"/tasks/{t.pk}/move", {"parent_id": None, "position": 0, "version": t.version}
    )
    assert r.status_code == 200, r.content
    assert r.json()["wbs_code"] == "1"
    codes = {name: _fresh(task).wbs_code for name, task in plan.items()}
    assert codes == {"review": "1", "design": "2", "build": "3"}
    assert _fresh(plan["build"]).is_summary is False


def test_move_under_own_subtask_is_refused(as_role: Any, plan: dict[str, Task]) -> None:
    b = plan["build"]
    r = as_role("member").post(
        f"/tasks/{b.pk}/move",
        {"parent_id": plan["review"].pk, "position": 0, "version": _fresh(b).version},
    )
    assert assert_error(r, 422)["fields"]["parent_id"] == [str(MSG_PARENT_DESCENDANT)]


def test_move_stale_version_is_409(as_role: Any, plan: dict[str, Task]) -> None:
    t = plan["review"]
    r = as_role("member").post(
        f"/tasks/{t.pk}/move", {"parent_id": None, "position": 0, "version": t.version + 5}
    )
    assert_error(r, 409)
    assert _fresh(t).parent_id == plan["build"].pk


@pytest.mark.parametrize(
    "body,field",
    [
        ({"position": 0, "version": 1}, "parent_id"),
        ({"parent_id": None, "version": 1}, "position"),
        ({"parent_id": None, "position": -1, "version": 1}, "position"),
        ({"parent_id": None, "position": 0}, "version"),
    ],
)
def test_move_refuses_bad_input(
    as_role: Any, plan: dict[str, Task], body: dict[str, Any], field: str
) -> None:
    assert_error(as_role("member").post(f"/tasks/{plan['review'].pk}/move", body), 422, field=field)


# ---------------------------------------------------------------- delete


@pytest.mark.parametrize("role", ROLES)
def test_delete_task_by_role(as_role: Any, plan: dict[str, Task], role: str) -> None:
    t = plan["build"]
    r = as_role(role).delete(f"/tasks/{t.pk}")
    assert r.status_code == expect(PROJECT_MANAGE, role, 204), r.content
    gone = r.status_code == 204
    assert Task.objects.filter(pk=t.pk).exists() is not gone
    assert Task.objects.filter(pk=plan["review"].pk).exists() is not gone  # with its subtasks


def test_delete_removes_dependencies_and_reschedules(as_role: Any, plan: dict[str, Task]) -> None:
    dep = DependencyFactory(predecessor=plan["design"], successor=plan["review"])
    assert as_role("manager").delete(f"/tasks/{plan['design'].pk}").status_code == 204
    assert not type(dep).objects.filter(pk=dep.pk).exists()
    assert _fresh(plan["build"]).wbs_code == "1"


# ---------------------------------------------------------------- history


def test_task_history_shows_changes(as_role: Any, plan: dict[str, Task], world: World) -> None:
    t = plan["design"]
    as_role("member").patch(f"/tasks/{t.pk}", {"priority": "high", "version": t.version})
    body = as_role("viewer").get(f"/tasks/{t.pk}/history").json()
    latest = body["items"][0]
    assert latest["who_id"] == world.member.pk and latest["action"] == "changed"
    changes = {c["field"]: (c["old"], c["new"]) for c in latest["changes"]}
    assert changes["priority"] == ("medium", "high")


def test_task_history_queries_do_not_grow_with_rows(
    api: Any, world: World, plan: dict[str, Task]
) -> None:
    client = api(world.viewer)
    client.get("/me")
    t = plan["design"]

    def touch(n: int) -> None:
        for i in range(n):
            row = _fresh(t)
            row.description = f"v{i}"
            row.save()

    few, body = client.queries(f"/tasks/{t.pk}/history")
    touch(25)
    many, body_many = client.queries(f"/tasks/{t.pk}/history")
    assert body_many["count"] == body["count"] + 25
    assert few == many

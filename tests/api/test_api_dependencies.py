"""Dependencies between tasks, and milestones with their status, through the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from keel.apps.planning.models import Dependency, Task
from keel.apps.planning.services import (
    MSG_LINK_EXISTS,
    MSG_LINK_SAME,
    dependency_create,
    task_create,
)

from ..conftest import ROLES, World
from ..factories import DependencyFactory, ProjectFactory, TaskFactory
from .helpers import PROJECT_EDIT_TASKS, PROJECT_VIEW, assert_error, expect


@pytest.fixture
def chain(world: World) -> dict[str, Any]:
    """Design -> Build -> Test, each a few days, linked finish-to-start."""
    m, p = world.manager, world.project
    tasks = {
        name: task_create(actor=m, project=p, name=name, duration_days=Decimal(days))
        for name, days in (("Design", "3"), ("Build", "5"), ("Test", "2"))
    }
    Task.objects.filter(project=p).update(owner=world.member)  # the member's own tasks
    tasks = {name: Task.objects.get(pk=t.pk) for name, t in tasks.items()}
    first = dependency_create(
        actor=m, project=p, predecessor_id=tasks["Design"].pk, successor_id=tasks["Build"].pk
    )
    second = dependency_create(
        actor=m, project=p, predecessor_id=tasks["Build"].pk, successor_id=tasks["Test"].pk
    )
    return {**tasks, "first": first, "second": second}


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/projects/{p}/dependencies"),
        ("POST", "/projects/{p}/dependencies"),
        ("GET", "/dependencies/{d}"),
        ("PATCH", "/dependencies/{d}"),
        ("DELETE", "/dependencies/{d}"),
        ("GET", "/projects/{p}/milestones"),
    ],
)
def test_anonymous_calls_are_401(
    api: Any, world: World, chain: dict[str, Any], method: str, path: str
) -> None:
    r = api(None).call(method, path.format(p=world.project.pk, d=chain["first"].pk), {})
    assert_error(r, 401)


# ---------------------------------------------------------------- dependencies


def test_create_dependency_reschedules(as_role: Any, world: World, chain: dict[str, Any]) -> None:
    extra = task_create(
        actor=world.manager,
        project=world.project,
        name="Docs",
        duration_days=Decimal("1"),
        owner_id=world.member.pk,
    )
    r = as_role("member").post(
        f"/projects/{world.project.pk}/dependencies",
        {"predecessor_id": chain["Test"].pk, "successor_id": extra.pk, "lag_days": "1.5"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    dep = Dependency.objects.get(pk=body["id"])
    assert (dep.type, dep.lag_days) == ("FS", Decimal("1.5"))
    assert (body["predecessor_name"], body["successor_name"]) == ("Test", "Docs")
    assert Task.objects.get(pk=extra.pk).start > Task.objects.get(pk=chain["Test"].pk).finish


@pytest.mark.parametrize("role", ROLES)
def test_create_dependency_by_role(
    as_role: Any, world: World, chain: dict[str, Any], role: str
) -> None:
    body = {"predecessor_id": chain["Design"].pk, "successor_id": chain["Test"].pk, "type": "SS"}
    r = as_role(role).post(f"/projects/{world.project.pk}/dependencies", body)
    assert r.status_code == expect(PROJECT_EDIT_TASKS, role, 201), r.content
    made = Dependency.objects.filter(predecessor=chain["Design"], successor=chain["Test"])
    assert made.exists() is (r.status_code == 201)


def test_a_loop_is_refused_and_named(as_role: Any, world: World, chain: dict[str, Any]) -> None:
    r = as_role("member").post(
        f"/projects/{world.project.pk}/dependencies",
        {"predecessor_id": chain["Test"].pk, "successor_id": chain["Design"].pk},
    )
    body = assert_error(r, 422, "dependency_cycle", "predecessor_id")
    for name in ("Design", "Build", "Test"):
        assert name in body["message"]
        assert name in body["fields"]["predecessor_id"][0]
    assert Dependency.objects.count() == 2


def test_a_loop_made_by_changing_a_link_is_refused(
    as_role: Any, world: World, chain: dict[str, Any]
) -> None:
    dep = chain["first"]
    r = as_role("member").patch(
        f"/dependencies/{dep.pk}",
        {"predecessor_id": chain["Test"].pk, "successor_id": chain["Build"].pk, "version": 1},
    )
    body = assert_error(r, 422, "dependency_cycle")
    assert "Build" in body["message"] and "Test" in body["message"]
    dep.refresh_from_db()
    assert (dep.predecessor_id, dep.version) == (chain["Design"].pk, 1)


D, B, T = "Design", "Build", "Test"  # task names, turned into ids in the test


@pytest.mark.parametrize(
    "body,field,message",
    [
        ({"predecessor_id": D, "successor_id": D}, "successor_id", MSG_LINK_SAME),
        ({"predecessor_id": D, "successor_id": B}, "successor_id", MSG_LINK_EXISTS),
        ({"predecessor_id": D, "successor_id": 987654}, "predecessor_id", None),
        ({"predecessor_id": D, "successor_id": T, "type": "XX"}, "type", None),
        ({"predecessor_id": D, "successor_id": T, "lag_days": "1e20"}, "lag_days", None),
        ({"predecessor_id": D}, "successor_id", None),
        ({"predecessor_id": "first", "successor_id": T}, "predecessor_id", None),
    ],
)
def test_create_dependency_refuses_bad_input(
    as_role: Any,
    world: World,
    chain: dict[str, Any],
    body: dict[str, Any],
    field: str,
    message: Any,
) -> None:
    body = {k: chain[v].pk if v in (D, B, T) else v for k, v in body.items()}
    r = as_role("member").post(f"/projects/{world.project.pk}/dependencies", body)
    errors = assert_error(r, 422, field=field)
    if message is not None:
        assert errors["fields"][field] == [str(message)]
    assert Dependency.objects.count() == 2


def test_tasks_of_another_project_cannot_be_linked(
    as_role: Any, world: World, chain: dict[str, Any]
) -> None:
    stranger = TaskFactory(project=ProjectFactory(workspace=world.workspace))
    r = as_role("owner").post(
        f"/projects/{world.project.pk}/dependencies",
        {"predecessor_id": chain["Design"].pk, "successor_id": stranger.pk},
    )
    assert_error(r, 422, field="predecessor_id")


@pytest.mark.parametrize("role", ROLES)
def test_read_dependencies_by_role(
    as_role: Any, world: World, chain: dict[str, Any], role: str
) -> None:
    client = as_role(role)
    r = client.get(f"/projects/{world.project.pk}/dependencies")
    assert r.status_code == PROJECT_VIEW[role]
    if r.status_code == 200:
        assert r.json()["count"] == 2
    assert client.get(f"/dependencies/{chain['first'].pk}").status_code == PROJECT_VIEW[role]


def test_dependency_list_filters(as_role: Any, world: World, chain: dict[str, Any]) -> None:
    client = as_role("viewer")
    path = f"/projects/{world.project.pk}/dependencies"
    ids = [d["id"] for d in client.get(path, task_id=chain["Test"].pk).json()["items"]]
    assert ids == [chain["second"].pk]
    ids = [d["id"] for d in client.get(path, ordering="-created_at").json()["items"]]
    assert ids == [chain["second"].pk, chain["first"].pk]
    assert_error(client.get(path, ordering="successor__name"), 422, field="ordering")


@pytest.mark.parametrize("role", ROLES)
def test_update_dependency_by_role(as_role: Any, chain: dict[str, Any], role: str) -> None:
    dep = chain["first"]
    r = as_role(role).patch(f"/dependencies/{dep.pk}", {"lag_days": 2, "version": 1})
    assert r.status_code == PROJECT_EDIT_TASKS[role], r.content
    dep.refresh_from_db()
    assert (dep.lag_days == Decimal("2")) is (r.status_code == 200)


def test_update_dependency_reschedules(as_role: Any, chain: dict[str, Any]) -> None:
    before = Task.objects.get(pk=chain["Build"].pk).start
    r = as_role("member").patch(
        f"/dependencies/{chain['first'].pk}", {"lag_days": 2, "type": "FS", "version": 1}
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    after = Task.objects.get(pk=chain["Build"].pk).start
    assert after is not None and before is not None and after > before


def test_update_dependency_stale_version_is_409(as_role: Any, chain: dict[str, Any]) -> None:
    dep = chain["first"]
    client = as_role("member")
    assert client.patch(f"/dependencies/{dep.pk}", {"type": "SS", "version": 1}).status_code == 200
    assert_error(client.patch(f"/dependencies/{dep.pk}", {"type": "FF", "version": 1}), 409)
    dep.refresh_from_db()
    assert (dep.type, dep.version) == ("SS", 2)


@pytest.mark.parametrize("role", ROLES)
def test_delete_dependency_by_role(as_role: Any, chain: dict[str, Any], role: str) -> None:
    dep = chain["second"]
    r = as_role(role).delete(f"/dependencies/{dep.pk}")
    assert r.status_code == expect(PROJECT_EDIT_TASKS, role, 204), r.content
    assert Dependency.objects.filter(pk=dep.pk).exists() is (r.status_code != 204)


def test_dependency_list_queries_do_not_grow_with_rows(api: Any, world: World) -> None:
    client = api(world.viewer)
    client.get("/me")

    def grow(n: int) -> None:
        for _ in range(n):
            DependencyFactory(predecessor=TaskFactory(project=world.project))

    grow(3)
    few, body = client.queries(f"/projects/{world.project.pk}/dependencies")
    grow(27)
    many, body_many = client.queries(f"/projects/{world.project.pk}/dependencies")
    assert (body["count"], body_many["count"]) == (3, 30)
    assert few == many


# ---------------------------------------------------------------- milestones


@pytest.fixture
def milestones(world: World) -> dict[str, Task]:
    """One milestone in each status. The project starts on 2 March 2026, so a milestone with
    no predecessor is forecast for that day."""
    m, p = world.manager, world.project
    far = timezone.localdate() + dt.timedelta(days=400)

    def milestone(name: str, **fields: Any) -> Task:
        return task_create(actor=m, project=p, name=name, is_milestone=True, **fields)

    return {
        "done": milestone("Kick-off", status="done"),
        "late": milestone("Contract", deadline=dt.date(2026, 2, 27)),
        "on_track": milestone("Launch", deadline=far),
        "at_risk": milestone("Someday"),  # nothing to be measured against
    }


@pytest.mark.parametrize("role", ROLES)
def test_milestones_by_role(
    as_role: Any, world: World, milestones: dict[str, Task], role: str
) -> None:
    r = as_role(role).get(f"/projects/{world.project.pk}/milestones")
    assert r.status_code == PROJECT_VIEW[role]


def test_milestone_status(as_role: Any, world: World, milestones: dict[str, Task]) -> None:
    TaskFactory(project=world.project, name="Not a milestone")
    body = as_role("viewer").get(f"/projects/{world.project.pk}/milestones").json()
    status = {row["id"]: row["status"] for row in body["items"]}
    assert status == {t.pk: key for key, t in milestones.items()}
    launch = next(r for r in body["items"] if r["id"] == milestones["on_track"].pk)
    assert launch["forecast"] == "2026-03-02" and launch["target"] is not None
    assert launch["version"] == 1


@pytest.mark.parametrize("wanted", ["done", "late", "on_track", "at_risk"])
def test_milestone_status_filter(
    as_role: Any, world: World, milestones: dict[str, Task], wanted: str
) -> None:
    body = as_role("viewer").get(f"/projects/{world.project.pk}/milestones", status=wanted).json()
    assert [r["id"] for r in body["items"]] == [milestones[wanted].pk]
    assert body["count"] == 1


def test_milestone_status_filter_is_validated(as_role: Any, world: World) -> None:
    r = as_role("viewer").get(f"/projects/{world.project.pk}/milestones", status="doomed")
    assert_error(r, 422, field="status")


def test_milestone_list_queries_do_not_grow_with_rows(api: Any, world: World) -> None:
    client = api(world.viewer)
    client.get("/me")

    def grow(n: int) -> None:
        for _ in range(n):
            t = TaskFactory(project=world.project, is_milestone=True, duration_days=0)
            t.assignees.set([world.member])

    grow(3)
    few, body = client.queries(f"/projects/{world.project.pk}/milestones")
    grow(27)
    many, body_many = client.queries(f"/projects/{world.project.pk}/milestones")
    assert (body["count"], body_many["count"]) == (3, 30)
    assert few == many
